"""Who may do what with units and positions; scoping goes through hrms.policy.

Readers see the units, positions and establishment reports of the subtrees they
are granted on; editors (HR, administrators) change them there. Views fetch a
record within the readers' scope (404 outside it), then ask a predicate here
(403 when it says no).
"""

from __future__ import annotations

from hrms import policy
from hrms.models import Role

# Every role sees the units it is granted on; only these change them.
UNIT_EDITORS = frozenset({Role.ADMIN, Role.HR})
# Positions, establishment and grade structure: counter officers and staff
# members have no business there.
POSITION_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})
POSITION_EDITORS = UNIT_EDITORS


def can_change_unit(user, unit) -> bool:
    return policy.has_role_on(user, unit, UNIT_EDITORS)


def can_create_unit(user, parent=None) -> bool:
    """A new unit goes under a unit the user edits; a new root is a superuser's."""
    if parent is None:
        return bool(getattr(user, "is_superuser", False))
    return policy.has_role_on(user, parent, UNIT_EDITORS)


def can_edit_some_unit(user) -> bool:
    """Whether to offer "new unit" at all; the form still checks the parent."""
    return bool(policy.roles_of(user) & UNIT_EDITORS)


def can_view_positions(user) -> bool:
    return bool(policy.roles_of(user) & POSITION_READERS)


def can_create_position(user, unit=None) -> bool:
    """In a given unit, or (unit None) in at least one unit."""
    if unit is None:
        return bool(policy.roles_of(user) & POSITION_EDITORS)
    return policy.has_role_on(user, unit, POSITION_EDITORS)


def can_change_position(user, position) -> bool:
    return policy.has_role_on(user, position.unit, POSITION_EDITORS)


def can_set_grade_target(user, unit) -> bool:
    return policy.has_role_on(user, unit, POSITION_EDITORS)
