from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from hrms.models import TimeStampedModel


class OrgUnit(MP_Node, TimeStampedModel):
    """An agency, department, service centre or commune in the organisation tree.

    A materialised path (django-treebeard) makes a subtree one `path LIKE 'x%'`
    query at any depth; a grant on a unit covers its whole subtree.
    """

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        DEPARTMENT = "department", _("Department")
        SERVICE_CENTER = "service_center", _("Public administration service centre")
        COMMUNE = "commune", _("Commune")

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT
    )

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        permissions = [
            ("role_admin", "Acts as administrator in this subtree"),
            ("role_hr", "Acts as HR officer in this subtree"),
            ("role_manager", "Acts as unit leader in this subtree"),
            ("role_inspector", "Acts as inspector in this subtree"),
            ("role_counter", "Acts as counter officer in this subtree"),
            ("role_staff", "Acts as staff member in this subtree"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("positions:unit_detail", args=[self.pk])

    def subtree(self):
        """This unit and every unit below it, in one query."""
        return OrgUnit.objects.filter(path__startswith=self.path)
