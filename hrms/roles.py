"""Granting and revoking roles: each change is a guardian object permission on the
unit and an entry in the audit ledger, in one transaction."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from hrms import ledger, policy
from hrms.models import Role, RoleGrant


def _perm(role: str) -> str:
    return f"positions.{Role.permission_codename(role)}"


@transaction.atomic
def grant_role(
    *,
    user,
    role: str,
    unit,
    valid_until: date | None = None,
    granted_by=None,
) -> RoleGrant:
    """Give a user a role over a unit's subtree, replacing an open grant of the same."""
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role %(role)s; choose one of %(roles)s."),
            params={"role": role, "roles": ", ".join(Role.values)},
        )
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationError(_("The end date of a grant cannot be in the past."))
    existing = (
        RoleGrant.objects.select_for_update()
        .filter(user=user, role=role, unit=unit, revoked_at__isnull=True)
        .first()
    )
    if existing is not None:
        existing.revoked_at = timezone.now()
        existing.revoked_by = granted_by
        existing.save(update_fields=["revoked_at", "revoked_by"])
    grant = RoleGrant.objects.create(
        user=user, role=role, unit=unit, valid_until=valid_until, granted_by=granted_by
    )
    assign_perm(_perm(role), user, unit)
    ledger.append_entry(
        actor=granted_by,
        action="role.grant",
        obj=grant,
        payload={
            "user": user.get_username(),
            "role": role,
            "unit": unit.code,
            "valid_until": valid_until.isoformat() if valid_until else None,
        },
    )
    policy.forget_grants(user)
    return grant


@transaction.atomic
def revoke_role(*, grant: RoleGrant, revoked_by=None) -> RoleGrant:
    """End a grant now; the user loses the subtree at once."""
    if grant.revoked_at is not None:
        raise ValidationError(_("This grant was already revoked."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = revoked_by
    grant.save(update_fields=["revoked_at", "revoked_by"])
    remove_perm(_perm(grant.role), grant.user, grant.unit)
    ledger.append_entry(
        actor=revoked_by,
        action="role.revoke",
        obj=grant,
        payload={
            "user": grant.user.get_username(),
            "role": grant.role,
            "unit": grant.unit.code,
        },
    )
    policy.forget_grants(grant.user)
    return grant


def ensure_user(*, username: str, password: str | None = None, **fields):
    """The user with this name, created (with a hashed password) when missing."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if password and (created or not user.has_usable_password()):
        user.set_password(password)
        user.save(update_fields=["password"])
    elif created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
