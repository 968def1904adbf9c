"""Appointment decisions with their eligibility snapshot and votes, the
succession plan and rotation policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from hrms import ledger, policy
from positions.models import JobPosition, OrgUnit
from recruitment import rules, selectors
from recruitment.models import (
    AppointmentDecision,
    RotationPolicy,
    SuccessionPlanEntry,
    VoteRecord,
)
from recruitment.services._base import (
    OVERRIDE_ROLES,
    _refuse,
)
from staff import rules as staff_rules
from staff.models import Assignment, Employee, GradeHistory


@dataclass(frozen=True)
class VoteSpec:
    """The tally of one step: total members, present, for, the head at 50%."""

    step: str
    members_total: int
    present: int
    votes_for: int
    head_decision: bool | None = None
    held_on: dt.date | None = None
    step_name: str = ""
    note: str = ""


def _months_in_post(employee: Employee, position: JobPosition, until: dt.date) -> int:
    """Completed months holding the position, summed over every stretch."""
    total = 0
    for starts_on, ends_on in Assignment.objects.filter(
        employee=employee, position=position, starts_on__lt=until
    ).values_list("starts_on", "ends_on"):
        end = min(ends_on or until, until)
        total += rules.months_between(starts_on, end)
    return total


def _plan_entry(
    employee: Employee, position: JobPosition | None, post: str, on: dt.date
) -> SuccessionPlanEntry | None:
    match = Q()
    if position is not None:
        match |= Q(position=position) | Q(
            position__isnull=True, post_title__iexact=position.title
        )
    if post:
        match |= Q(post_title__iexact=post)
    if not match:
        return None
    return (
        SuccessionPlanEntry.objects.filter(
            match, employee=employee, period_from__lte=on.year, period_to__gte=on.year
        )
        .order_by("-period_from", "-pk")
        .first()
    )


@dataclass
class EligibilityCheck:
    """The eligibility of a decision before it is recorded (for a preview)."""

    eligibility: rules.Eligibility
    plan_entry: SuccessionPlanEntry | None
    params: rules.Parameters

    @property
    def ok(self) -> bool:
        return self.eligibility.ok


def evaluate_appointment_eligibility(
    *,
    kind: str,
    employee: Employee,
    effective_on: dt.date,
    decided_on: dt.date | None = None,
    position_from: JobPosition | None = None,
    position_to: JobPosition | None = None,
    source: str = AppointmentDecision.Source.INTERNAL,
    post_title: str = "",
    succession_plan_entry: SuccessionPlanEntry | None = None,
    votes: Sequence[VoteSpec] = (),
    ends_on: dt.date | None = None,
) -> EligibilityCheck:
    """Evaluate every rule of a decision of this kind; writes nothing."""
    decided_on = decided_on or effective_on
    params = selectors.rule_parameters(decided_on)
    grade_match = None
    if position_to is not None:
        history = (
            GradeHistory.objects.latest_on(effective_on)
            .filter(employee=employee)
            .select_related("grade")
            .first()
        )
        grade_match = staff_rules.check_grade_match(
            history.grade if history else None,
            position_to,
            staff_type=employee.staff_type,
            on=effective_on,
        )
    post = post_title or (position_to.title if position_to else "")
    entry = succession_plan_entry
    if entry is not None and not (
        entry.employee_id == employee.pk and entry.covers(decided_on)
    ):
        entry = None
    entry = entry or _plan_entry(employee, position_to, post_title, decided_on)
    facts = rules.AppointmentFacts(
        kind=kind,
        source=source,
        staff_type=employee.staff_type,
        gender=employee.gender,
        date_of_birth=employee.date_of_birth,
        effective_on=effective_on,
        post=post,
        grade_match=grade_match,
        discipline=rules.discipline_bars(employee, decided_on)
        if kind in rules.DISCIPLINE_KINDS
        else None,
        months_in_post=_months_in_post(employee, position_from, effective_on)
        if position_from is not None
        else None,
        in_succession_plan=entry is not None,
        votes=tuple(
            rules.VoteFacts(
                v.step, v.members_total, v.present, v.votes_for, v.head_decision
            )
            for v in votes
        ),
        ends_on=ends_on,
    )
    return EligibilityCheck(rules.evaluate_appointment(facts, params), entry, params)


def _snapshot(check: EligibilityCheck, decided_on: dt.date) -> dict:
    eligibility = check.eligibility
    return {
        "evaluated_on": decided_on.isoformat(),
        "retires_on": eligibility.retires_on.isoformat(),
        "term_end_on": eligibility.term_end_on.isoformat()
        if eligibility.term_end_on
        else None,
        "ok": eligibility.ok,
        "parameters": {
            "term_years": check.params.term_years,
            "extension_branch_years": check.params.extension_branch_years,
            "min_tenure_months": check.params.min_tenure_months,
        },
        "rules": [rule.as_dict() for rule in eligibility.rules],
    }


@transaction.atomic
def record_appointment_decision(
    *,
    kind: str,
    employee: Employee,
    decision_number: str,
    decided_on: dt.date,
    signer: str,
    effective_on: dt.date,
    position_from: JobPosition | None = None,
    position_to: JobPosition | None = None,
    unit: OrgUnit | None = None,
    source: str = AppointmentDecision.Source.INTERNAL,
    succession_plan_entry: SuccessionPlanEntry | None = None,
    previous_decision: AppointmentDecision | None = None,
    votes: Sequence[VoteSpec] = (),
    documents_checked: Sequence[str] = (),
    post_title: str = "",
    ends_on: dt.date | None = None,
    override_reason: str = "",
    actor=None,
) -> AppointmentDecision:
    """Record a decision with its eligibility snapshot and votes (ledger entry).

    A decision failing a blocking rule is refused with every failed rule, unless
    an HR officer of the unit records an override reason; the decision then
    carries the reason and shows as a red flag.
    """
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    unit = unit or (position_to or position_from or employee).unit
    check = evaluate_appointment_eligibility(
        kind=kind,
        employee=employee,
        effective_on=effective_on,
        decided_on=decided_on,
        position_from=position_from,
        position_to=position_to,
        source=source,
        post_title=post_title,
        succession_plan_entry=succession_plan_entry,
        votes=votes,
        ends_on=ends_on,
    )
    reason = override_reason.strip()
    if not check.ok:
        if not reason:
            raise ValidationError(
                [
                    ValidationError(f"{r.message} ({r.citation})", code=r.code)
                    for r in check.eligibility.failures
                ]
            )
        if actor is None or not policy.has_role_on(actor, unit, OVERRIDE_ROLES):
            raise ValidationError(
                _("Only an HR officer of %(unit)s may override a blocking rule."),
                code="appointment.override_not_allowed",
                params={"unit": unit.code},
            )
    if previous_decision is None and kind in rules.BRANCH_KINDS:
        previous_decision = (
            AppointmentDecision.objects.filter(
                employee=employee, effective_on__lt=effective_on
            )
            .filter(kind__in=selectors.TERM_END_KINDS)
            .order_by("-effective_on", "-pk")
            .first()
        )
    decision = AppointmentDecision(
        kind=kind,
        employee=employee,
        unit=unit,
        position_from=position_from,
        position_to=position_to,
        decision_number=decision_number.strip(),
        decided_on=decided_on,
        signer=signer.strip(),
        effective_on=effective_on,
        term_end_on=check.eligibility.term_end_on,
        source=source,
        succession_plan_entry=check.plan_entry,
        previous_decision=previous_decision,
        documents_checked=[d.strip() for d in documents_checked if d.strip()],
        eligibility_snapshot=_snapshot(check, decided_on),
        is_eligible=check.ok,
        had_discipline_bar=check.eligibility.had_discipline_bar,
        override_reason=reason if not check.ok else "",
        overridden_by=actor if not check.ok else None,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    decision.full_clean()
    decision.save()
    rows = [
        VoteRecord(
            decision=decision,
            seq=index,
            step=v.step,
            step_name=v.step_name,
            held_on=v.held_on,
            members_total=v.members_total,
            present=v.present,
            votes_for=v.votes_for,
            head_decision=v.head_decision,
            note=v.note,
        )
        for index, v in enumerate(votes, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["decision"])
    VoteRecord.objects.bulk_create(rows)
    ledger.append_entry(
        actor=actor,
        action="appointment.decision",
        obj=decision,
        payload={
            "kind": kind,
            "employee": employee.employee_code,
            "unit": unit.code,
            "position_from": position_from.code if position_from else None,
            "position_to": position_to.code if position_to else None,
            "decision": decision.decision_number,
            "decided_on": decided_on,
            "signer": decision.signer,
            "effective_on": effective_on,
            "term_end_on": decision.term_end_on,
            "source": source,
            "succession_plan_entry": check.plan_entry.pk if check.plan_entry else None,
            "votes": [
                [v.step, v.members_total, v.present, v.votes_for, v.head_decision]
                for v in votes
            ],
            "documents_checked": decision.documents_checked,
            "eligibility": decision.eligibility_snapshot,
            "override_reason": decision.override_reason,
        },
    )
    return decision


@transaction.atomic
def add_succession_plan_entry(
    *,
    employee: Employee,
    unit: OrgUnit,
    period_from: int,
    period_to: int,
    position: JobPosition | None = None,
    post_title: str = "",
    decision_number: str = "",
    decided_on: dt.date | None = None,
    actor=None,
) -> SuccessionPlanEntry:
    """Put an employee in the succession plan for a post over a period."""
    if decided_on is not None:
        verdict = rules.discipline_bars(employee, decided_on)
        _refuse(verdict)
    entry = SuccessionPlanEntry(
        employee=employee,
        unit=unit,
        position=position,
        post_title=post_title.strip(),
        period_from=period_from,
        period_to=period_to,
        decision_number=decision_number.strip(),
        decided_on=decided_on,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def set_rotation_policy(
    *, position: JobPosition, period_years: int, note: str = "", actor=None
) -> RotationPolicy:
    """Put a post under periodic rotation every 2–5 years (None-safe update)."""
    policy_row = RotationPolicy.objects.filter(position=position).first()
    policy_row = policy_row or RotationPolicy(position=position)
    policy_row.period_years = period_years
    policy_row.note = note.strip()
    policy_row.full_clean()
    policy_row.save()
    return policy_row
