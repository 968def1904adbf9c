from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of DESIGN.md §2; each is granted on an OrgUnit subtree."""

    ADMIN = "admin", _("Administrator")
    HR = "hr", _("HR officer")
    MANAGER = "manager", _("Unit leader")
    INSPECTOR = "inspector", _("Inspector")
    COUNTER = "counter", _("Counter officer")
    STAFF = "staff", _("Staff member")

    @classmethod
    def permission_codename(cls, role: str) -> str:
        """The django-guardian object permission on OrgUnit that mirrors a grant."""
        return f"role_{role}"


class RoleGrantQuerySet(models.QuerySet):
    def active(self, on=None):
        """Grants in force on a date: not revoked and not past their end date."""
        on = on or timezone.localdate()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on)
        )


class RoleGrant(models.Model):
    """A role over a unit's whole subtree, optionally until an end date (inclusive)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "positions.OrgUnit",
        on_delete=models.PROTECT,
        related_name="role_grants",
        verbose_name=_("unit"),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=models.Q(revoked_at__isnull=True),
                name="hrms_rolegrant_one_open_grant",
            )
        ]

    def __str__(self) -> str:
        until = f" → {self.valid_until:%d/%m/%Y}" if self.valid_until else ""
        return f"{self.user} · {self.get_role_display()} · {self.unit_id}{until}"
