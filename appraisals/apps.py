from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalsConfig(AppConfig):
    name = "appraisals"
    verbose_name = _("Appraisals")

    def ready(self) -> None:
        from . import resources, task_resources  # noqa: F401 (register resources)
