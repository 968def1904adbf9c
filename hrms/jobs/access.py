"""Who may start which job; scoping goes through hrms.policy (DESIGN.md §2).

Imports and exports act on whole tables, so they are for administrators of the
whole tree; an HR officer (or an administrator of part of it) may import the
resources whose rows name a unit (`unit_code`), and only rows of units they cover.
"""

from __future__ import annotations

from hrms import policy
from hrms.models import Role

IMPORTERS = frozenset({Role.ADMIN, Role.HR})
COMPUTE_RUNNERS = frozenset({Role.ADMIN, Role.HR})
UNIT_COLUMN = "unit_code"


def is_global_admin(user) -> bool:
    """A superuser, or an administrator of a root unit (the whole tree)."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    from positions.models import OrgUnit  # hrms sits below positions

    return any(
        grant.role == Role.ADMIN and len(grant.path) == OrgUnit.steplen
        for grant in policy.active_grants(user)
    )


def can_import(user) -> bool:
    return bool(policy.roles_of(user) & IMPORTERS)


def can_import_resource(user, columns: list[str]) -> bool:
    """Whole-table resources for global administrators; unit-bound ones for any
    importer (rows are then checked against the user's units)."""
    return is_global_admin(user) or (can_import(user) and UNIT_COLUMN in columns)


def can_export(user) -> bool:
    return is_global_admin(user)


def can_compute(user, unit) -> bool:
    return policy.has_role_on(user, unit, COMPUTE_RUNNERS)
