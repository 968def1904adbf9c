from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HrmsConfig(AppConfig):
    name = "hrms"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import (
            resources,  # noqa: F401 (registers the import/export resources)
            search,  # noqa: F401 (registers the SQLite fold function)
        )
