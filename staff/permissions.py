"""Who may see and change personnel files; scoping goes through hrms.policy.

HR officers and administrators change the files of their units; unit leaders and
inspectors read them (inspector reads are logged by the policy); every user may
read their own file (`Employee.user`), and nothing else through the staff role.
"""

from __future__ import annotations

from hrms import policy
from hrms.models import Role
from hrms.privacy import mask_national_id

STAFF_EDITORS = frozenset({Role.ADMIN, Role.HR})
# Roles that read the files of a unit's subtree (the staff and counter roles
# only ever reach their own file).
STAFF_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})
# Roles that need the full citizen ID; the others see it masked.
NATIONAL_ID_READERS = STAFF_EDITORS


def is_own_file(user, employee) -> bool:
    return bool(user.is_authenticated and employee.user_id == user.pk)


def can_list_employees(user) -> bool:
    return bool(policy.roles_of(user) & STAFF_READERS)


def can_view_employee(user, employee) -> bool:
    return is_own_file(user, employee) or policy.has_role_on(
        user, employee.unit, STAFF_READERS
    )


def can_create_employee(user) -> bool:
    """Whether the user edits files somewhere (the unit is checked on saving)."""
    return bool(policy.roles_of(user) & STAFF_EDITORS)


def can_change_employee(user, employee) -> bool:
    return policy.has_role_on(user, employee.unit, STAFF_EDITORS)


def can_see_national_id(user, employee) -> bool:
    return is_own_file(user, employee) or policy.has_role_on(
        user, employee.unit, NATIONAL_ID_READERS
    )


def national_id_for(user, employee) -> str:
    """The citizen ID as this user may see it: in full, or masked."""
    value = employee.national_id or ""
    if not value or can_see_national_id(user, employee):
        return value
    return mask_national_id(value)


# Discipline and raises -----------------------------------------------------------

# HR officers and administrators handle discipline cases of their units;
# inspectors read them (each case opened is logged by the policy); the employee
# reads their own cases. Unit leaders do not see discipline cases.
DISCIPLINE_EDITORS = STAFF_EDITORS
DISCIPLINE_READERS = frozenset({Role.ADMIN, Role.HR, Role.INSPECTOR})
# The raise clock, its lists and exports, and recording raises.
RAISE_MANAGERS = STAFF_EDITORS


def can_list_discipline_cases(user) -> bool:
    return bool(policy.roles_of(user) & DISCIPLINE_READERS)


def can_view_discipline_case(user, case) -> bool:
    return is_own_file(user, case.employee) or policy.has_role_on(
        user, case.employee.unit, DISCIPLINE_READERS
    )


def can_change_discipline_case(user, case) -> bool:
    return policy.has_role_on(user, case.employee.unit, DISCIPLINE_EDITORS)


def can_open_discipline_case(user, employee) -> bool:
    return policy.has_role_on(user, employee.unit, DISCIPLINE_EDITORS)


def can_manage_raises(user) -> bool:
    return bool(policy.roles_of(user) & RAISE_MANAGERS)
