"""Who may see and do what with the one-stop-shop records; scoping goes through
hrms.policy.

A dossier belongs to the unit that received it. Counter officers, unit leaders,
HR officers, inspectors and administrators read the dossiers of the units they
are granted on (an inspector's every read is logged by the policy); counter
officers, unit leaders and administrators issue apology slips there; the unit's
indicators and monthly reports are for its leaders, HR, inspectors and
administrators. Systems push dossiers through the API with a counter, HR or
administrator grant on the receiving unit. Views fetch a record within the
readers' scope (404 outside it), then ask a predicate here (403 when it says no).
"""

from __future__ import annotations

from hrms import policy
from hrms.models import Role

DOSSIER_READERS = frozenset(
    {Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR, Role.COUNTER}
)
# Form 04 is issued at the counter, or by the leader of the unit holding the dossier.
SLIP_ISSUERS = frozenset({Role.ADMIN, Role.MANAGER, Role.COUNTER})
INDICATOR_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})
# Systems that push dossiers (the one-stop-shop information system's account).
DOSSIER_WRITERS = frozenset({Role.ADMIN, Role.HR, Role.COUNTER})


def can_list_dossiers(user) -> bool:
    return bool(policy.roles_of(user) & DOSSIER_READERS)


def can_view_dossier(user, dossier) -> bool:
    return policy.has_role_on(user, dossier.unit, DOSSIER_READERS)


def can_issue_apology_slip(user, dossier) -> bool:
    return policy.has_role_on(user, dossier.unit, SLIP_ISSUERS)


def can_view_indicators(user) -> bool:
    return bool(policy.roles_of(user) & INDICATOR_READERS)


def can_push_dossiers(user) -> bool:
    return bool(policy.roles_of(user) & DOSSIER_WRITERS)


def can_write_dossiers_of(user, unit) -> bool:
    """May the user create or update dossiers received by this unit."""
    return policy.has_role_on(user, unit, DOSSIER_WRITERS)
