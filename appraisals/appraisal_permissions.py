"""Who may see and do what in the annual appraisal; scoping goes through
hrms.policy.

A cycle belongs to an agency (its unit). Admins, HR officers, managers and
inspectors see the cycles of the agencies they work in: a grant on the agency, on
one of its sub-units or above it. Inside a cycle each of them sees the appraisals
of the units they are granted on; a person sees their own appraisal through
their account (Employee.user), whatever their grants.

HR officers and admins run the cycle (stages, computation, publication, cap
exceptions); managers and admins record the comment meeting of their units and
propose levels; the competent head (an admin, or the HR officer acting for the
agency's head) decides, notifies and settles complaints. Inspectors only read.
"""

from __future__ import annotations

from django.db.models import Q

from hrms import policy
from hrms.models import Role

CYCLE_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})
CYCLE_RUNNERS = frozenset({Role.ADMIN, Role.HR})
MEETING_RECORDERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER})
PROPOSERS = frozenset({Role.ADMIN, Role.MANAGER})
DECIDERS = frozenset({Role.ADMIN, Role.HR})
# Tree paths grow by this many characters a level (treebeard's default steplen).
STEP = 4


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def visible_cycles_q(user) -> Q:
    """Cycles of agencies at, above or below the user's reading grants."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return Q()
    grants = [g for g in policy.active_grants(user) if g.role in CYCLE_READERS]
    if not grants:
        return Q(pk__in=[])
    condition = Q(
        unit__path__in=sorted({p for g in grants for p in _ancestor_paths(g.path)})
    )
    for grant in grants:
        condition |= Q(unit__path__startswith=grant.path)
    return condition


def reader_unit(user, cycle):
    """The unit through which the user reads a cycle: the agency itself when a
    grant covers it, else the highest granted unit inside it (for the access
    log's audited-role check)."""
    from positions.models import OrgUnit

    if policy.roles_on(user, cycle.unit):
        return cycle.unit
    inside = [
        g
        for g in policy.active_grants(user)
        if g.role in CYCLE_READERS and g.path.startswith(cycle.unit.path)
    ]
    if not inside:
        return cycle.unit
    return OrgUnit.objects.get(pk=min(inside, key=lambda g: len(g.path)).unit_id)


def can_list_cycles(user) -> bool:
    return bool(policy.roles_of(user) & CYCLE_READERS)


def can_run_cycle(user, cycle) -> bool:
    """Move the stages, compute, publish, record cap exceptions."""
    return policy.has_role_on(user, cycle.unit, CYCLE_RUNNERS)


def can_record_meeting(user, cycle, unit=None) -> bool:
    return policy.has_role_on(user, unit or cycle.unit, MEETING_RECORDERS)


def can_record_any_meeting(user, cycle) -> bool:
    """A grant to record meetings on the agency or on one of its units."""
    if can_record_meeting(user, cycle):
        return True
    return any(
        g.role in MEETING_RECORDERS and g.path.startswith(cycle.unit.path)
        for g in policy.active_grants(user)
    )


def is_own_appraisal(user, appraisal) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and appraisal.employee.user_id == user.pk
    )


def can_self_assess(user, appraisal) -> bool:
    return is_own_appraisal(user, appraisal)


def can_propose_appraisal(user, appraisal) -> bool:
    """The direct manager proposes, never for their own appraisal."""
    return policy.has_role_on(user, appraisal.unit, PROPOSERS) and not is_own_appraisal(
        user, appraisal
    )


def can_decide_appraisal(user, appraisal) -> bool:
    """The competent head decides, never their own rating."""
    return policy.has_role_on(user, appraisal.unit, DECIDERS) and not is_own_appraisal(
        user, appraisal
    )


def can_file_complaint(user, appraisal) -> bool:
    return is_own_appraisal(user, appraisal)


def can_resolve_complaint(user, complaint) -> bool:
    return can_decide_appraisal(user, complaint.appraisal)
