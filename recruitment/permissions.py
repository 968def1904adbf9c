"""Who may do what with drives, appointment decisions, red flags and inspection
cases; scoping goes through hrms.policy.

HR officers and administrators run the drives and record the decisions of their
units; unit leaders read them; inspectors read them (every record they open is
logged by the policy) and write nothing but their own inspection cases. Views
fetch a record within the readers' scope (404 outside it), then ask a predicate
here (403 when it says no).
"""

from __future__ import annotations

from hrms import policy
from hrms.models import Role

RECRUITMENT_EDITORS = frozenset({Role.ADMIN, Role.HR})
RECRUITMENT_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})
APPOINTMENT_EDITORS = RECRUITMENT_EDITORS
APPOINTMENT_READERS = RECRUITMENT_READERS
# Red flags: the inspectors' screen; HR officers see those of their own units to
# put them right, administrators see everything.
FLAG_READERS = frozenset({Role.ADMIN, Role.HR, Role.INSPECTOR})
# Inspection cases: their inspector works on them, administrators read them.
INSPECTORS = frozenset({Role.INSPECTOR})
INSPECTION_READERS = frozenset({Role.ADMIN, Role.INSPECTOR})


def can_view_drives(user) -> bool:
    return bool(policy.roles_of(user) & RECRUITMENT_READERS)


def can_create_drive(user, unit=None) -> bool:
    """In a given unit, or (unit None) in at least one unit."""
    if unit is None:
        return bool(policy.roles_of(user) & RECRUITMENT_EDITORS)
    return policy.has_role_on(user, unit, RECRUITMENT_EDITORS)


def can_change_drive(user, drive) -> bool:
    return policy.has_role_on(user, drive.unit, RECRUITMENT_EDITORS)


def can_view_national_id(user, drive) -> bool:
    """Candidates' citizen IDs in full: the officers running the drive only."""
    return can_change_drive(user, drive)


def can_view_appointments(user) -> bool:
    return bool(policy.roles_of(user) & APPOINTMENT_READERS)


def can_record_appointment(user, unit=None) -> bool:
    if unit is None:
        return bool(policy.roles_of(user) & APPOINTMENT_EDITORS)
    return policy.has_role_on(user, unit, APPOINTMENT_EDITORS)


def can_view_red_flags(user) -> bool:
    return bool(policy.roles_of(user) & FLAG_READERS)


def can_list_inspection_cases(user) -> bool:
    return bool(policy.roles_of(user) & INSPECTION_READERS)


def can_open_inspection_case(user, unit=None) -> bool:
    """Only an inspector, on a unit of their grant."""
    if unit is None:
        return bool(policy.roles_of(user) & INSPECTORS)
    return policy.has_role_on(user, unit, INSPECTORS)


def is_own_case(user, case) -> bool:
    return bool(user.is_authenticated and case.inspector_id == user.pk)


def can_view_inspection_case(user, case) -> bool:
    """The case's inspector, or an administrator of the unit."""
    if is_own_case(user, case):
        return policy.has_role_on(user, case.unit, INSPECTORS)
    return policy.has_role_on(user, case.unit, {Role.ADMIN})


def can_change_inspection_case(user, case) -> bool:
    """Findings and conclusions: the case's own inspector, while it is open."""
    return (
        is_own_case(user, case)
        and case.is_open
        and policy.has_role_on(user, case.unit, INSPECTORS)
    )


def scope_roots(user, roles) -> list | None:
    """The top units of the user's grants for these roles (nested grants folded
    in); None for a superuser, who sees everything."""
    from positions.models import OrgUnit

    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return None
    wanted = set(roles)
    grants = sorted(
        {(g.path, g.unit_id) for g in policy.active_grants(user) if g.role in wanted}
    )
    roots: list[tuple[str, int]] = []
    for path, unit_id in grants:
        if not any(path.startswith(root) for root, _pk in roots):
            roots.append((path, unit_id))
    return list(
        OrgUnit.objects.filter(pk__in=[pk for _path, pk in roots]).order_by("path")
    )
