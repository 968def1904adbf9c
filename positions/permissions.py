"""Who may do what with units and positions; scoping goes through hrms.policy."""

from hrms import policy
from hrms.models import Role

# Every role sees the units it is granted on; only these change them.
UNIT_EDITORS = {Role.ADMIN, Role.HR}


def can_change_unit(user, unit) -> bool:
    return policy.has_role_on(user, unit, UNIT_EDITORS)
