"""State changes of the annual appraisal: the task register and reform plans, the
cycle workflow (self-assessment → comment meeting → proposal → decision → notice
→ publication → complaints), and compute_appraisals' set-based computation.

Every refusal is a ValidationError carrying the rule's message, code and
citation. A decided appraisal changes only through `resolve_complaint`. The
decided level goes to the personnel file through staff.services and to the audit
ledger in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals import appraisal_selectors as sel
from appraisals import scoring
from appraisals.models import (
    Appraisal,
    AppraisalCycle,
    CapException,
    CommentMeeting,
    Complaint,
    CorruptionFinding,
    ObjectiveCauseWaiver,
    ReformPlan,
    ReformPlanItem,
    Task,
)
from hrms import ledger
from hrms.rules import Reason, RuleResult, check_version
from positions.models import OrgUnit
from staff.models import AnnualRating, DisciplineCase, Employee
from staff.services import link_rating_to_case, record_annual_rating

Status = AppraisalCycle.Status


def _refuse(result: RuleResult, field: str | None = None) -> None:
    if result.ok:
        return
    message = str(result.reason)
    error = ValidationError(message, code=result.code)
    raise ValidationError({field: error}) if field else error


def _error(message: str, code: str, field: str | None = None) -> ValidationError:
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _rules_for(staff_type: str, year: int) -> scoring.RuleSet | None:
    return scoring.select_ruleset(sel.load_rulesets(), staff_type=staff_type, year=year)


def _cycle_rules(cycle: AppraisalCycle) -> scoring.RuleSet:
    """The rules that set the cycle's dates: the civil servants' of that year."""
    rules = _rules_for("cong_chuc", cycle.year) or _rules_for("vien_chuc", cycle.year)
    if rules is None:
        raise _error(
            _("No scoring rules apply to %(year)s.") % {"year": cycle.year},
            "rules.missing",
        )
    return rules


# Task register ------------------------------------------------------------------------


def _decided_years(employee: Employee) -> set[int]:
    return set(
        Appraisal.objects.filter(
            employee=employee, status__in=Appraisal.DECIDED_STATUSES
        ).values_list("cycle__year", flat=True)
    )


def _require_year_open(employee: Employee, period: str) -> None:
    """Tasks of a year whose rating is decided are frozen with it."""
    year = int(period[:4])
    if year in _decided_years(employee):
        _refuse(scoring.check_not_decided(is_decided=True), "period")


@transaction.atomic
def assign_task(
    *,
    code: str,
    assignee: Employee,
    period: str,
    title: str,
    due_on: dt.date,
    weight: Decimal | int | str = 1,
    assigner: Employee | None = None,
    assigned_by=None,
    is_reform_task: bool = False,
    reform_item: ReformPlanItem | None = None,
) -> Task:
    """Register a task or work product of a person for a month or a quarter."""
    task = Task(
        code=code,
        assignee=assignee,
        assigner=assigner,
        assigned_by=assigned_by,
        period=period,
        title=title,
        due_on=due_on,
        weight=Decimal(str(weight)),
        is_reform_task=is_reform_task or reform_item is not None,
        reform_item=reform_item,
    )
    task.full_clean()
    _require_year_open(assignee, period)
    task.save()
    return task


def _lock_task(task: Task) -> Task:
    locked = Task.objects.select_for_update().select_related("assignee").get(pk=task.pk)
    _require_year_open(locked.assignee, locked.period)
    return locked


@transaction.atomic
def update_task_progress(
    *,
    task: Task,
    completed_on: dt.date | None,
    has_objective_cause: bool = False,
    note: str | None = None,
) -> Task:
    """The assignee reports the task done (or not), and may claim an objective
    cause for a manager to approve."""
    return _save_task(
        _lock_task(task),
        completed_on=completed_on,
        has_objective_cause=has_objective_cause,
        **_given(note=note),
    )


@transaction.atomic
def review_task(
    *,
    task: Task,
    quality_defects: int,
    is_above_standard: bool | None = None,
    note: str | None = None,
) -> Task:
    """The manager records the quality checks failed by major error (and, for
    Decree 90, whether the task exceeded the standard)."""
    task = _lock_task(task)
    if quality_defects < 0:
        raise _error(
            _("Failed quality checks cannot be negative."),
            "task.defects",
            "quality_defects",
        )
    return _save_task(
        task,
        quality_defects=quality_defects,
        **_given(is_above_standard=is_above_standard, note=note),
    )


def _given(**values) -> dict:
    """The values a caller gave (None: leave the stored one)."""
    return {name: value for name, value in values.items() if value is not None}


def _save_task(task: Task, **values) -> Task:
    """Set these fields on the locked task, validate, and save just them."""
    for name, value in values.items():
        setattr(task, name, value)
    task.full_clean()
    task.save(update_fields=[*values, "updated_at"])
    return task


@transaction.atomic
def approve_objective_cause(
    *,
    task: Task,
    kind: str,
    reason: str,
    approved_by,
    approved_on: dt.date | None = None,
) -> ObjectiveCauseWaiver:
    """Approve an objective cause: the deductions of that kind on the task are
    cancelled. Refused from the assignee's own account."""
    task = _lock_task(task)
    _refuse(
        scoring.check_waiver_approver(
            approver_id=getattr(approved_by, "pk", None),
            assignee_user_id=task.assignee.user_id,
        ),
        "approved_by",
    )
    if not reason.strip():
        raise _error(_("State the objective cause."), "waiver.reason", "reason")
    waiver = ObjectiveCauseWaiver(
        task=task,
        kind=kind,
        reason=reason.strip(),
        approved_by=approved_by,
        approved_on=approved_on or timezone.localdate(),
    )
    waiver.full_clean()
    waiver.save()
    ledger.append_entry(
        actor=approved_by,
        action="task.waive",
        obj=waiver,
        payload={
            "task": task.code,
            "assignee": task.assignee.employee_code,
            "kind": kind,
            "reason": waiver.reason,
            "approved_on": waiver.approved_on,
        },
    )
    return waiver


@transaction.atomic
def create_reform_plan(
    *,
    unit: OrgUnit,
    year: int,
    title: str = "",
    decision_number: str = "",
    decided_on: dt.date | None = None,
) -> ReformPlan:
    """A unit's annual administrative-reform plan."""
    plan = ReformPlan(
        unit=unit,
        year=year,
        title=title,
        decision_number=decision_number,
        decided_on=decided_on,
    )
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def add_reform_plan_item(
    *,
    plan: ReformPlan,
    title: str,
    responsible_unit: OrgUnit,
    responsible_person: Employee | None = None,
    due_on: dt.date | None = None,
) -> ReformPlanItem:
    """A reform task of the plan, with the unit and person answerable for it."""
    if not responsible_unit.path.startswith(plan.unit.path):
        raise _error(
            _("The responsible unit is outside the plan's unit."),
            "reform.unit",
            "responsible_unit",
        )
    item = ReformPlanItem(
        plan=plan,
        title=title,
        responsible_unit=responsible_unit,
        responsible_person=responsible_person,
        due_on=due_on,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def link_reform_task(*, task: Task, item: ReformPlanItem) -> Task:
    """Mark a task as carrying out an item of the unit's reform plan."""
    task = _lock_task(task)
    if int(task.period[:4]) != item.plan.year:
        raise _error(
            _("The task's period is not in the plan's year."),
            "reform.year",
            "reform_item",
        )
    task.reform_item, task.is_reform_task = item, True
    task.save(update_fields=["reform_item", "is_reform_task", "updated_at"])
    return task


# Cycle --------------------------------------------------------------------------------


@transaction.atomic
def open_cycle(
    *,
    unit: OrgUnit,
    year: int,
    is_special_unit: bool = False,
    period_kind: str = AppraisalCycle.PeriodKind.MONTH,
) -> AppraisalCycle:
    """Open an agency's appraisal of a year, with its deadline (Art 21)."""
    cycle = AppraisalCycle(
        unit=unit, year=year, is_special_unit=is_special_unit, period_kind=period_kind
    )
    rules = _cycle_rules(cycle)
    cycle.deadline_on = scoring.appraisal_deadline(
        year, is_special=is_special_unit, rules=rules
    )
    cycle.full_clean()
    cycle.save()
    return cycle


def get_or_open_cycle(*, unit: OrgUnit, year: int) -> AppraisalCycle:
    cycle = AppraisalCycle.objects.filter(unit=unit, year=year).first()
    return cycle or open_cycle(unit=unit, year=year)


@transaction.atomic
def advance_cycle(
    *, cycle: AppraisalCycle, to_status: str, actor=None, on: dt.date | None = None
) -> AppraisalCycle:
    """Move the cycle one stage forward, when that stage's conditions are met."""
    cycle = AppraisalCycle.objects.select_for_update().get(pk=cycle.pk)
    rules = _cycle_rules(cycle)
    procedure = scoring.cite(rules.regime, "procedure")
    if cycle.stage_index(to_status) != cycle.stage_index() + 1:
        raise _error(
            _("The cycle is at “%(now)s”; the next stage is not “%(to)s”.")
            % {
                "now": cycle.get_status_display(),
                "to": AppraisalCycle.Status(to_status).label,
            },
            "cycle.order",
        )
    on = on or timezone.localdate()
    live = Appraisal.objects.filter(cycle=cycle).exclude(status=Appraisal.Status.LEFT)
    if to_status == Status.MANAGER_PROPOSAL and not cycle.meetings.exists():
        raise _error(
            _("Record the comment meeting first. (%(c)s)") % {"c": procedure},
            "cycle.no_meeting",
        )
    if (
        to_status == Status.NOTIFIED
        and live.exclude(status__in=Appraisal.DECIDED_STATUSES).exists()
    ):
        raise _error(
            _("Every appraisal must be decided first. (%(c)s)") % {"c": procedure},
            "cycle.undecided",
        )
    if to_status == Status.PUBLISHED:
        if live.filter(status=Appraisal.Status.DECIDED).exists():
            raise _error(
                _("Every person must be notified first. (%(c)s)") % {"c": procedure},
                "cycle.unnotified",
            )
        cycle.published_on = on
    if to_status == Status.COMPLAINT_WINDOW:
        cycle.complaint_window_ends_on = scoring.complaint_deadline(
            cycle.published_on or on, rules
        )
    if (
        to_status == Status.CLOSED
        and Complaint.objects.filter(
            appraisal__cycle=cycle, status=Complaint.Status.OPEN
        ).exists()
    ):
        raise _error(_("Complaints are still open."), "cycle.open_complaints")
    cycle.status = to_status
    cycle.version += 1
    cycle.save()
    ledger.append_entry(
        actor=actor,
        action="appraisal_cycle.advance",
        obj=cycle,
        payload={"agency": cycle.unit.code, "year": cycle.year, "stage": to_status},
    )
    return cycle


def publish_cycle(
    *, cycle: AppraisalCycle, actor=None, on: dt.date | None = None
) -> AppraisalCycle:
    """Announce the ratings inside the agency."""
    return advance_cycle(cycle=cycle, to_status=Status.PUBLISHED, actor=actor, on=on)


@transaction.atomic
def record_comment_meeting(
    *,
    cycle: AppraisalCycle,
    held_on: dt.date,
    summoned: int,
    attended: int,
    minutes: str,
    unit: OrgUnit | None = None,
    actor=None,
) -> CommentMeeting:
    """Record the unit's comment meeting: two thirds attend, minutes are kept."""
    rules = _cycle_rules(cycle)
    unit = unit or cycle.unit
    if cycle.stage_index() < cycle.stage_index(Status.SELF_ASSESSMENT) or (
        cycle.stage_index() > cycle.stage_index(Status.MANAGER_PROPOSAL)
    ):
        raise _error(
            _(
                "Comment meetings are held after the self-assessments and before the "
                "decisions (the cycle is at “%(now)s”)."
            )
            % {"now": cycle.get_status_display()},
            "meeting.stage",
        )
    if not unit.path.startswith(cycle.unit.path):
        raise _error(_("The unit is outside the agency."), "meeting.unit", "unit")
    _refuse(
        scoring.check_meeting_quorum(
            summoned=summoned, attended=attended, regime=rules.regime
        ),
        "attended",
    )
    if not minutes.strip():
        raise _error(
            _("Attach the minutes of the meeting."), "meeting.minutes", "minutes"
        )
    meeting = CommentMeeting(
        cycle=cycle,
        unit=unit,
        held_on=held_on,
        summoned=summoned,
        attended=attended,
        minutes=minutes.strip(),
        recorded_by=actor,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


# Appraisal edits ----------------------------------------------------------------------


def _lock(appraisal: Appraisal, expected_version: int | None) -> Appraisal:
    locked = (
        Appraisal.objects.select_for_update()
        .select_related("cycle", "cycle__unit", "employee", "unit")
        .get(pk=appraisal.pk)
    )
    if expected_version is not None:
        _refuse(check_version(locked.version, expected_version))
    return locked


def _require_open(appraisal: Appraisal) -> None:
    _refuse(scoring.check_not_decided(is_decided=appraisal.is_decided))
    if appraisal.status == Appraisal.Status.LEFT:
        raise _error(
            _("This person left the agency: the new unit appraises them."),
            "appraisal.left",
        )


def _save(appraisal: Appraisal, fields: list[str]) -> Appraisal:
    appraisal.version += 1
    appraisal.save(update_fields=[*fields, "version", "updated_at"])
    return appraisal


def _require_stage(cycle: AppraisalCycle, first: str, last: str) -> None:
    if not cycle.stage_index(first) <= cycle.stage_index() <= cycle.stage_index(last):
        raise _error(
            _("Not possible at this stage of the cycle (“%(now)s”).")
            % {"now": cycle.get_status_display()},
            "cycle.stage",
        )


@transaction.atomic
def submit_self_assessment(
    *,
    appraisal: Appraisal,
    text: str,
    actor=None,
    expected_version: int | None = None,
) -> Appraisal:
    """The person's self-assessment (by their own account)."""
    appraisal = _lock(appraisal, expected_version)
    _require_open(appraisal)
    _require_stage(appraisal.cycle, Status.OPEN, Status.COMMENT_MEETING)
    user_id = appraisal.employee.user_id
    if actor is not None and user_id is not None and actor.pk != user_id:
        raise _error(_("Only the person writes their self-assessment."), "self.not_own")
    if not text.strip():
        raise _error(_("Write the self-assessment."), "self.blank", "text")
    appraisal.self_assessment = text.strip()
    appraisal.self_assessed_at = timezone.now()
    fields = ["self_assessment", "self_assessed_at"]
    if appraisal.status == Appraisal.Status.PENDING:
        appraisal.status = Appraisal.Status.SELF_ASSESSED
        fields.append("status")
    return _save(appraisal, fields)


@transaction.atomic
def score_general_criteria(
    *,
    appraisal: Appraisal,
    points: Mapping[str, Any] | None = None,
    assessment: str = "",
    actor=None,
    expected_version: int | None = None,
) -> Appraisal:
    """The manager's general criteria: points by criterion out of 30 (Decree 335),
    or how well they are met (Decree 90); the score and level follow."""
    appraisal = _lock(appraisal, expected_version)
    _require_open(appraisal)
    rules = sel.ruleset_by_code(appraisal.rule_version)
    if rules.is_b:
        total, errors = scoring.check_general_criteria(points or {}, rules)
        if errors:
            raise ValidationError(
                {"points": [ValidationError(str(e), code=e.code) for e in errors]}
            )
        appraisal.general_criteria = {k: float(v) for k, v in (points or {}).items()}
        appraisal.general_points = Decimal(str(total))
        fields = ["general_criteria", "general_points"]
    else:
        if assessment not in Appraisal.GeneralAssessment.values or not assessment:
            raise _error(
                _("Choose how the general criteria are met."),
                "general.assessment",
                "assessment",
            )
        appraisal.general_assessment = assessment
        fields = ["general_assessment"]
    _rescore(appraisal, rules)
    return _save(appraisal, [*fields, *RESCORE_FIELDS])


@transaction.atomic
def record_absence(
    *,
    appraisal: Appraisal,
    months_absent: Decimal | float,
    reason: str,
    actor=None,
    expected_version: int | None = None,
) -> Appraisal:
    """Months of absence in the year and why (maternity, sickness, other)."""
    appraisal = _lock(appraisal, expected_version)
    _require_open(appraisal)
    months = Decimal(str(months_absent))
    if not Decimal(0) <= months <= Decimal(12):
        raise _error(
            _("Months of absence are from 0 to 12."), "absence.range", "months_absent"
        )
    if reason not in Appraisal.AbsenceReason.values:
        raise _error(_("Unknown absence reason."), "absence.reason", "reason")
    appraisal.months_absent, appraisal.absence_reason = months, reason
    rules = sel.ruleset_by_code(appraisal.rule_version)
    _rescore(appraisal, rules)
    return _save(appraisal, ["months_absent", "absence_reason", *RESCORE_FIELDS])


@transaction.atomic
def record_degradation_conclusion(
    *,
    appraisal: Appraisal,
    reference: str,
    actor=None,
    expected_version: int | None = None,
) -> Appraisal:
    """A competent body concluded political, ethical or lifestyle degradation."""
    appraisal = _lock(appraisal, expected_version)
    _require_open(appraisal)
    if not reference.strip():
        raise _error(_("Give the conclusion's reference."), "degradation.ref")
    appraisal.degradation_reference = reference.strip()
    _rescore(appraisal, sel.ruleset_by_code(appraisal.rule_version))
    return _save(appraisal, ["degradation_reference", *RESCORE_FIELDS])


@transaction.atomic
def record_corruption_finding(
    *,
    unit: OrgUnit,
    handled_on: dt.date,
    reference: str,
    description: str = "",
    actor=None,
) -> CorruptionFinding:
    """Corruption or waste handled under the law in a unit: its leaders' ratings
    of that year become "did not complete duties" at the next computation."""
    finding = CorruptionFinding(
        unit=unit,
        handled_on=handled_on,
        reference=reference,
        description=description,
        recorded_by=actor,
    )
    finding.full_clean()
    finding.save()
    ledger.append_entry(
        actor=actor,
        action="corruption_finding.record",
        obj=finding,
        payload={"unit": unit.code, "handled_on": handled_on, "reference": reference},
    )
    return finding


@transaction.atomic
def hand_over_appraisal(
    *, appraisal: Appraisal, opinion: str = "", actor=None
) -> Appraisal:
    """A transferred person's old unit hands over: its period scores go with them
    to the new unit's appraisal, with its opinion."""
    appraisal = _lock(appraisal, None)
    _require_open(appraisal)
    appraisal.status = Appraisal.Status.LEFT
    appraisal.old_unit_opinion = opinion.strip()
    return _save(appraisal, ["status", "old_unit_opinion"])


# Proposal and decision ----------------------------------------------------------------


def _overrides_of(appraisal: Appraisal) -> list[Reason]:
    return [Reason(**r) for r in (appraisal.evidence or {}).get("overrides", [])]


def _supported_level(
    appraisal: Appraisal, rules: scoring.RuleSet, score: float | None
) -> str | None:
    """The level the evidence supports (None: a gap the head decides)."""
    evidence = appraisal.evidence or {}
    if not evidence.get("is_rated", True):
        return ""
    if rules.is_b:
        if score is None:
            return None
        base, _reason = scoring.level_for_score(score, rules)
        cap = evidence.get("cap_level")
        if cap and scoring.LEVEL_RANK[base] > scoring.LEVEL_RANK[cap]:
            return cap
        return base
    return appraisal.computed_level or None


def _require_meeting(appraisal: Appraisal, rules: scoring.RuleSet) -> None:
    if sel.meeting_for(appraisal) is None:
        raise _error(
            _(
                "The unit's comment meeting has not been held: the manager's "
                "proposal and the head's decision come after it. (%(c)s)"
            )
            % {"c": scoring.cite(rules.regime, "procedure")},
            "appraisal.before_meeting",
        )


def _check_level(
    appraisal: Appraisal,
    rules: scoring.RuleSet,
    level: str,
    score: float | None,
    *,
    deciding: bool = False,
) -> None:
    evidence = appraisal.evidence or {}
    if not evidence.get("is_rated", True):
        if level:
            raise _error(
                _(
                    "Worked under %(min)s months in the year: reviewed, not rated. "
                    "(%(c)s)"
                )
                % {
                    "min": rules["min_months_worked"],
                    "c": scoring.cite(rules.regime, "time_worked"),
                },
                "level.not_rated",
                "level",
            )
        return
    if not level:
        raise _error(_("Choose a level."), "level.missing", "level")
    _refuse(
        scoring.check_level_allowed(
            level=level,
            supported=_supported_level(appraisal, rules, score),
            overrides=_overrides_of(appraisal),
            rules=rules,
            staff_type=appraisal.employee.staff_type,
        ),
        "level",
    )
    if level == scoring.EXCELLENT:
        _refuse(
            sel.check_excellence_cap(
                appraisal, score=score, rules=rules, deciding=deciding
            ),
            "level",
        )


@transaction.atomic
def propose_appraisal(
    *,
    appraisal: Appraisal,
    actor,
    expected_version: int,
    score: Decimal | float | None = None,
    level: str | None = None,
    comment: str = "",
) -> Appraisal:
    """The manager's proposal: the score (Decree 335) or level (Decree 90), checked
    against the evidence, the forced levels and the excellence cap."""
    appraisal = _lock(appraisal, expected_version)
    _require_open(appraisal)
    rules = sel.ruleset_by_code(appraisal.rule_version)
    _require_meeting(appraisal, rules)
    _require_stage(appraisal.cycle, Status.COMMENT_MEETING, Status.HEAD_DECISION)
    if appraisal.computed_at is None:
        raise _error(_("Compute the evidence first."), "appraisal.not_computed")
    rated = (appraisal.evidence or {}).get("is_rated", True)
    value: float | None = None
    if rules.is_b and rated:
        if appraisal.general_points is None:
            raise _error(
                _(
                    "No score yet: the manager scores the general criteria first. "
                    "(%(c)s)"
                )
                % {"c": scoring.cite(rules.regime, "scale")},
                "appraisal.no_score",
                "score",
            )
        value = float(score if score is not None else appraisal.computed_score)
        _refuse(scoring.check_score_range(value, 100, _("The score")), "score")
        if (
            appraisal.computed_score is not None
            and round(value, 2) != float(appraisal.computed_score)
            and not comment.strip()
        ):
            raise _error(
                _("Explain why the proposed score differs from the computed one."),
                "appraisal.score_reason",
                "comment",
            )
        if level is None:
            level = _supported_level(appraisal, rules, value) or ""
            if _overrides_of(appraisal):
                level = scoring.NOT_COMPLETED
    elif level is None:
        level = appraisal.computed_level if rated else ""
    _check_level(appraisal, rules, level or "", value)
    appraisal.proposed_score = (
        Decimal(str(round(value, 2))) if value is not None else None
    )
    appraisal.proposed_level = level or ""
    appraisal.manager_comment = comment.strip()
    appraisal.proposed_by = actor
    appraisal.proposed_at = timezone.now()
    appraisal.status = Appraisal.Status.PROPOSED
    return _save(
        appraisal,
        [
            "proposed_score",
            "proposed_level",
            "manager_comment",
            "proposed_by",
            "proposed_at",
            "status",
        ],
    )


def _snapshot_hash(snapshot: dict) -> str:
    return hashlib.sha256(ledger.canonical_payload(snapshot).encode()).hexdigest()


@transaction.atomic
def decide_appraisal(
    *,
    appraisal: Appraisal,
    level: str,
    actor,
    expected_version: int,
    decided_on: dt.date | None = None,
    note: str = "",
) -> Appraisal:
    """The competent head's decision: after the comment meeting and the proposal,
    within the evidence and the cap; written to the personnel file and the ledger
    with the evidence snapshot frozen."""
    appraisal = _lock(appraisal, expected_version)
    _require_open(appraisal)
    rules = sel.ruleset_by_code(appraisal.rule_version)
    _require_meeting(appraisal, rules)
    _require_stage(appraisal.cycle, Status.MANAGER_PROPOSAL, Status.HEAD_DECISION)
    if appraisal.status != Appraisal.Status.PROPOSED:
        raise _error(
            _("The manager's proposal comes before the decision."),
            "appraisal.not_proposed",
        )
    score = (
        float(appraisal.proposed_score)
        if appraisal.proposed_score is not None
        else None
    )
    _check_level(appraisal, rules, level, score, deciding=True)
    decided_on = decided_on or timezone.localdate()
    snapshot = sel.build_explanation(appraisal)
    snapshot["proposal"] = {
        "score": score,
        "level": appraisal.proposed_level,
        "comment": appraisal.manager_comment,
        "by": appraisal.proposed_by.get_username() if appraisal.proposed_by else "",
        "at": appraisal.proposed_at.isoformat() if appraisal.proposed_at else None,
    }
    snapshot["decision"] = {
        "level": level,
        "score": score,
        "on": decided_on.isoformat(),
        "by": actor.get_username() if actor else "",
        "note": note,
    }
    snapshot["self_assessment"] = appraisal.self_assessment
    digest = _snapshot_hash(snapshot)
    appraisal.decided_level = level
    appraisal.decided_score = appraisal.proposed_score
    appraisal.decided_by = actor
    appraisal.decided_at = timezone.now()
    appraisal.decided_on = decided_on
    appraisal.decision_note = note
    appraisal.snapshot = snapshot
    appraisal.snapshot_hash = digest
    appraisal.status = Appraisal.Status.DECIDED
    fields = [
        "decided_level",
        "decided_score",
        "decided_by",
        "decided_at",
        "decided_on",
        "decision_note",
        "snapshot",
        "snapshot_hash",
        "status",
    ]
    if level:
        appraisal.rating = _write_rating(appraisal, level, decided_on, actor)
        fields.append("rating")
    _save(appraisal, fields)
    ledger.append_entry(
        actor=actor,
        action="appraisal.decide",
        obj=appraisal,
        payload={
            "agency": appraisal.cycle.unit.code,
            "year": appraisal.cycle.year,
            "employee": appraisal.employee.employee_code,
            "level": level,
            "score": score,
            "regime": appraisal.regime,
            "rule_version": appraisal.rule_version,
            "overrides": [r.code for r in _overrides_of(appraisal)],
            "decided_on": decided_on,
            "snapshot_sha256": digest,
        },
    )
    return appraisal


def _write_rating(
    appraisal: Appraisal, level: str, decided_on: dt.date, actor
) -> AnnualRating:
    note = _("Appraisal %(year)s of %(agency)s (%(version)s)") % {
        "year": appraisal.cycle.year,
        "agency": appraisal.cycle.unit.code,
        "version": appraisal.rule_version,
    }
    rating = record_annual_rating(
        employee=appraisal.employee,
        year=appraisal.cycle.year,
        level=level,
        source=AnnualRating.Source.COMPUTED,
        decided_on=decided_on,
        note=note,
        actor=actor,
    )
    case_id = (appraisal.evidence or {}).get("discipline_case_id")
    if level == scoring.NOT_COMPLETED and case_id:
        case = DisciplineCase.objects.get(pk=case_id)
        rating = link_rating_to_case(rating=rating, case=case, actor=actor)
    return rating


@transaction.atomic
def notify_appraisal(
    *, appraisal: Appraisal, actor=None, notified_on: dt.date | None = None
) -> Appraisal:
    """The written notice of the decided level to the person."""
    appraisal = _lock(appraisal, None)
    if appraisal.status != Appraisal.Status.DECIDED:
        raise _error(_("Only a decided appraisal is notified."), "appraisal.notify")
    appraisal.notified_on = notified_on or timezone.localdate()
    appraisal.status = Appraisal.Status.NOTIFIED
    return _save(appraisal, ["notified_on", "status"])


@transaction.atomic
def record_cap_exception(
    *,
    cycle: AppraisalCycle,
    regime: str,
    places: int,
    decided_by_name: str,
    decision_number: str,
    decided_on: dt.date,
    reason: str,
    task_group: str = "",
    actor=None,
) -> CapException:
    """The competent level allows more excellent ratings than the cap."""
    exception = CapException(
        cycle=cycle,
        regime=regime,
        task_group=task_group,
        places=places,
        decided_by_name=decided_by_name,
        decision_number=decision_number,
        decided_on=decided_on,
        reason=reason,
        recorded_by=actor,
    )
    exception.full_clean()
    exception.save()
    ledger.append_entry(
        actor=actor,
        action="appraisal_cap.exception",
        obj=exception,
        payload={
            "agency": cycle.unit.code,
            "year": cycle.year,
            "regime": regime,
            "task_group": task_group,
            "places": places,
            "decided_by": decided_by_name,
            "decision_number": decision_number,
            "decided_on": decided_on,
            "reason": reason,
        },
    )
    return exception


# Complaints ---------------------------------------------------------------------------


@transaction.atomic
def file_complaint(
    *, appraisal: Appraisal, text: str, actor=None, filed_on: dt.date | None = None
) -> Complaint:
    """A complaint against a decided rating, within the complaint period."""
    appraisal = _lock(appraisal, None)
    if not appraisal.is_decided:
        raise _error(
            _("Only a decided rating can be complained about."), "complaint.open"
        )
    rules = sel.ruleset_by_code(appraisal.rule_version)
    filed_on = filed_on or timezone.localdate()
    start = appraisal.notified_on or appraisal.decided_on
    deadline = scoring.complaint_deadline(start, rules)
    if filed_on > deadline:
        raise _error(
            _("The complaint period ended on %(date)s. (%(c)s)")
            % {"date": deadline.strftime("%d/%m/%Y"), "c": scoring.COMPLAINTS},
            "complaint.late",
        )
    if not text.strip():
        raise _error(_("Write the complaint."), "complaint.blank", "text")
    complaint = Complaint(
        appraisal=appraisal,
        filed_on=filed_on,
        text=text.strip(),
        filed_by=actor,
        previous_level=appraisal.decided_level,
    )
    complaint.full_clean()
    complaint.save()
    return complaint


@transaction.atomic
def resolve_complaint(
    *,
    complaint: Complaint,
    upheld: bool,
    reason: str,
    decision_number: str,
    actor,
    new_level: str = "",
    resolved_on: dt.date | None = None,
) -> Complaint:
    """The outcome of a complaint: the only way a decided rating changes."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Complaint.Status.OPEN:
        raise _error(_("The complaint is already resolved."), "complaint.resolved")
    if not reason.strip() or not decision_number.strip():
        raise _error(
            _("Give the outcome and its decision number."), "complaint.outcome"
        )
    appraisal = _lock(complaint.appraisal, None)
    resolved_on = resolved_on or timezone.localdate()
    complaint.status = Complaint.Status.UPHELD if upheld else Complaint.Status.REJECTED
    complaint.outcome_reason = reason.strip()
    complaint.decision_number = decision_number.strip()
    complaint.resolved_on = resolved_on
    complaint.resolved_by = actor
    complaint.outcome_level = appraisal.decided_level
    changed = upheld and new_level and new_level != appraisal.decided_level
    if changed:
        rules = sel.ruleset_by_code(appraisal.rule_version)
        overrides = _overrides_of(appraisal)
        _refuse(
            scoring.check_level_allowed(
                level=new_level, supported=None, overrides=overrides, rules=rules
            ),
            "new_level",
        )
        complaint.outcome_level = new_level
        appraisal.decided_level = new_level
        appraisal.snapshot = {
            **appraisal.snapshot,
            "complaint_outcomes": [
                *appraisal.snapshot.get("complaint_outcomes", []),
                {
                    "from": complaint.previous_level,
                    "to": new_level,
                    "decision_number": complaint.decision_number,
                    "on": resolved_on.isoformat(),
                    "reason": complaint.outcome_reason,
                },
            ],
        }
        appraisal.rating = _write_rating(appraisal, new_level, resolved_on, actor)
        _save(appraisal, ["decided_level", "snapshot", "rating"])
    complaint.save()
    ledger.append_entry(
        actor=actor,
        action="appraisal.complaint_outcome",
        obj=appraisal,
        payload={
            "complaint": complaint.pk,
            "employee": appraisal.employee.employee_code,
            "year": appraisal.cycle.year,
            "upheld": upheld,
            "from": complaint.previous_level,
            "to": complaint.outcome_level,
            "decision_number": complaint.decision_number,
            "resolved_on": resolved_on,
        },
    )
    return complaint


# Scoring an appraisal from its stored evidence ----------------------------------------

RESCORE_FIELDS = [
    "period_scores",
    "computed_score",
    "computed_level",
    "evidence",
    "computed_hash",
]


def _reason_dicts(reasons) -> list[dict]:
    return [
        {"code": r.code, "message": r.message, "citation": r.citation} for r in reasons
    ]


def conclude(
    *,
    rules: scoring.RuleSet,
    staff_type: str,
    is_leader: bool,
    months_employed: float,
    months_absent: float,
    absence_reason: str,
    general_points: float | None,
    general_assessment: str,
    degradation_reference: str,
    entries: list[dict],
    evidence: dict,
) -> tuple[float | None, str]:
    """From the period entries and the evidence: the period totals, the year's
    score and the level, with the reasons written into `evidence`. Used by
    compute_appraisals and by every edit that changes an input."""
    eligibility = scoring.check_time_worked(
        months_employed=months_employed,
        months_absent=months_absent,
        absence_reason=absence_reason,
        rules=rules,
    )
    discipline = evidence.get("discipline")
    overrides = scoring.check_overrides(
        rules=rules,
        discipline=RuleResult(
            True, discipline["code"], discipline["message"], discipline["citation"]
        )
        if discipline
        else None,
        degradation_reference=degradation_reference,
        corruption_references=evidence.get("corruption", []),
        is_leader=is_leader,
    )
    score: float | None = None
    reasons: list[Reason] = []
    missing = []
    gap = False
    if rules.is_b:
        totals = []
        for entry in entries:
            if entry.get("source") != "handed_over":
                entry["total"] = (
                    None
                    if general_points is None or entry.get("task_points") is None
                    else round(entry["task_points"] + general_points, 2)
                )
            if entry.get("total") is not None:
                totals.append(entry["total"])
        score = scoring.annual_score(totals)
        if not entries:
            missing.append("products")
        if general_points is None:
            missing.append("general_criteria")
        if score is None:
            base = None
        else:
            base, reason = scoring.level_for_score(score, rules)
            reasons.append(
                Reason(
                    "annual.mean",
                    _("mean of %(n)d period score(s): %(score)s points")
                    % {"n": len(totals), "score": f"{score:.2f}"},
                    scoring.cite(rules.regime, "timing"),
                )
            )
            reasons.append(reason)
    else:
        tally = scoring.Tally(**evidence.get("tally", {}))
        unit = evidence.get("unit_tally")
        outcome = scoring.regime_a_level(
            tally=tally,
            general=general_assessment,
            rules=rules,
            staff_type=staff_type,
            unit=_unit_tally(unit) if (is_leader and unit) else None,
        )
        base = outcome.level
        gap = outcome.is_gap
        reasons.extend(outcome.reasons)
    level = scoring.final_level(base=base, overrides=overrides, eligibility=eligibility)
    if rules.is_b and base is None and level is None:
        level = ""  # incomplete, not a gap
    evidence.update(
        {
            "eligibility": _reason_dicts(eligibility.reasons),
            "is_rated": eligibility.is_rated,
            "cap_level": eligibility.cap_level,
            "months_worked": eligibility.months_worked,
            "overrides": _reason_dicts(overrides),
            "level_reasons": _reason_dicts(reasons),
            "missing": missing,
            "gap": bool(gap and eligibility.is_rated and not overrides),
        }
    )
    return score, level or ""


def _unit_tally(data: dict) -> scoring.UnitTally:
    return scoring.UnitTally(
        products=scoring.Tally(**data["products"]),
        people=data["people"],
        completed_plus=data["completed_plus"],
        good_plus=data["good_plus"],
    )


def _rescore(appraisal: Appraisal, rules: scoring.RuleSet) -> None:
    """Re-derive the totals, score and level after an input changed."""
    entries = [dict(e) for e in appraisal.period_scores]
    evidence = dict(appraisal.evidence or {})
    score, level = conclude(
        rules=rules,
        staff_type=appraisal.employee.staff_type,
        is_leader=appraisal.is_leader,
        months_employed=float(appraisal.months_employed),
        months_absent=float(appraisal.months_absent),
        absence_reason=appraisal.absence_reason,
        general_points=None
        if appraisal.general_points is None
        else float(appraisal.general_points),
        general_assessment=appraisal.general_assessment,
        degradation_reference=appraisal.degradation_reference,
        entries=entries,
        evidence=evidence,
    )
    appraisal.period_scores = entries
    appraisal.evidence = evidence
    appraisal.computed_score = None if score is None else Decimal(str(score))
    appraisal.computed_level = level
    appraisal.computed_hash = ""  # the next computation writes its own


# compute_appraisals -------------------------------------------------------------------


@dataclass
class ComputeReport:
    cycle: AppraisalCycle
    computed: int  # appraisals computed
    written: int  # of those, whose content changed and was written
    locked: int  # decided or departed: left untouched
    not_covered: int  # no scoring rules for their staff type (contract staff)
    left: int  # marked as having left the agency
    as_of: dt.datetime

    @property
    def summary(self) -> str:
        return (
            f"computed={self.computed} written={self.written} locked={self.locked} "
            f"not_covered={self.not_covered} left={self.left}"
        )


@dataclass
class _Stats:
    """What one person contributes to the terms of the leaders above them."""

    periods: dict[str, scoring.UnitStats]
    tally: scoring.UnitTally


def _person_stats(
    entries: list[dict], level: str, tally: scoring.Tally, rules: scoring.RuleSet | None
) -> _Stats:
    periods = {}
    threshold = scoring.completed_threshold(rules) if rules and rules.is_b else 50.0
    task_max = float(rules["task_points_max"]) if rules else 70.0
    for entry in entries:
        if entry.get("task_points") is None:
            continue
        total = entry.get("total")
        periods[entry["period"]] = scoring.UnitStats(
            people=1,
            task_share_sum=entry["task_points"] / task_max,
            with_total=int(total is not None),
            below_completed=int(total is not None and total < threshold),
            products=entry.get("products", 0),
            ok=entry.get("ok", 0),
        )
    unit = scoring.UnitTally(
        products=tally,
        people=1,
        completed_plus=int(bool(level) and level != scoring.NOT_COMPLETED),
        good_plus=int(level in (scoring.GOOD, scoring.EXCELLENT)),
    )
    return _Stats(periods, unit)


def _tally_of(entries: list[dict]) -> scoring.Tally:
    tally = scoring.Tally()
    for entry in entries:
        tally.products += entry.get("products", 0)
        tally.done += entry.get("done", 0)
        tally.short += entry.get("products", 0) - entry.get("ok", 0)
        tally.exceeded += entry.get("exceeded", 0)
    return tally


STAMPS = ("created_at", "updated_at", "computed_at")
# The row keys _compute_person gives (attnames).
COMPUTED_ROW = (
    "cycle_id",
    "employee_id",
    "unit_id",
    "task_group",
    "regime",
    "rule_version",
    "is_leader",
    "months_employed",
    "eligibility",
    "period_scores",
    "computed_score",
    "computed_level",
    "evidence",
    "handed_over_from_id",
    "computed_hash",
)
# The columns compute_appraisals writes; the others keep what people entered.
COMPUTED_COLUMNS = [
    "unit",
    "task_group",
    "regime",
    "rule_version",
    "is_leader",
    "months_employed",
    "eligibility",
    "period_scores",
    "computed_score",
    "computed_level",
    "evidence",
    "computed_at",
    "computed_hash",
    "handed_over_from",
    "updated_at",
]


JSON_COLUMNS = ("period_scores", "evidence")


def _row_values(row: dict) -> tuple[list, str]:
    """A computed row as the values of COMPUTED_ROW (JSON columns as compact
    text), and the MD5 of that content."""
    values = []
    for name in COMPUTED_ROW[:-1]:  # all but the hash itself
        value = row[name]
        if name in JSON_COLUMNS:
            value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(value, Decimal):
            value = float(value)
        values.append(value)
    digest = hashlib.md5(
        "\x1f".join(map(str, values)).encode(), usedforsecurity=False
    ).hexdigest()
    values.append(digest)
    return values, digest


def _upsert_appraisals(rows: list[list], now: dt.datetime) -> None:
    """Insert or update the computed appraisals (values in COMPUTED_ROW order) in
    a fixed number of statements, whatever their number; decided and departed
    appraisals are left untouched; the time stamps and the columns people fill
    in are constants.

    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON
    CONFLICT (the fast path of appraisals.ingest; twice the speed of one JSON
    parameter). SQLite, in-process with no round trips: one executemany of one
    prepared statement."""
    meta = Appraisal._meta
    given = [_field(name) for name in COMPUTED_ROW]
    constant = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    prepared = [
        f.get_db_prep_value(now if f.name in STAMPS else f.get_default(), connection)
        for f in constant
    ]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ", ".join(qn(f.column) for f in (*given, *constant))
    updated = [meta.get_field(name) for name in COMPUTED_COLUMNS]
    locked = ", ".join(f"'{s}'" for s in Appraisal.LOCKED_STATUSES)
    conflict = f"ON CONFLICT ({qn('cycle_id')}, {qn('employee_id')}) DO UPDATE SET "
    guard = f" WHERE {table}.{qn('status')} NOT IN ({locked})"
    sets = ", ".join(f"{qn(f.column)} = excluded.{qn(f.column)}" for f in updated)
    if connection.vendor == "postgresql":
        names = ", ".join(qn(f.column) for f in given)
        spec = ", ".join(f"{qn(f.column)} {f.db_type(connection)}" for f in given)
        select = ", ".join(
            [f"r.{qn(f.column)}" for f in given]
            + [f"%s::{f.db_type(connection)}" for f in constant]
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE appraisal_rows ({spec}) ON COMMIT DROP"
            )
            with cursor.copy(f"COPY appraisal_rows ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {select} "
                f"FROM appraisal_rows AS r {conflict}{sets}{guard}",
                prepared,
            )
            cursor.execute("DROP TABLE appraisal_rows")
        return
    marks = ", ".join(["%s"] * (len(given) + len(constant)))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) {conflict}{sets}{guard}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*values, *prepared] for values in rows])


def _field(attname: str):
    return next(f for f in Appraisal._meta.concrete_fields if f.attname == attname)


@transaction.atomic
def compute_cycle(
    *,
    cycle: AppraisalCycle,
    as_of: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ComputeReport:
    """Compute the evidence, period scores and proposed levels of a whole cycle,
    set-based: a fixed number of queries whatever the staff count; idempotent;
    decided appraisals are never touched. `progress(stage)` marks each stage
    done: "load", "score", "write"."""
    facts = sel.load_cycle_facts(cycle, as_of=as_of)
    if progress:
        progress("load")
    as_of_day = facts.as_of_day
    now = timezone.now()
    kind = cycle.period_kind
    periods = scoring.periods_started(cycle.year, kind, as_of_day)
    nonleaders = sel.SubtreeIndex()  # person's unit path → period → UnitStats
    leaders = sel.SubtreeIndex()  # leader unit path → ...
    rows, scores_by_unit = [], defaultdict(lambda: defaultdict(list))
    computed = locked = not_covered = 0

    ordered = sorted(
        facts.persons.values(),
        key=lambda p: (p.is_leader, -p.leader_depth, p.code),
    )
    rules_of = {
        staff_type: scoring.select_ruleset(
            facts.rulesets, staff_type=staff_type, year=cycle.year
        )
        for staff_type in {p.staff_type for p in facts.persons.values()}
    }
    for person in ordered:
        rules = rules_of[person.staff_type]
        if rules is None:
            not_covered += 1
            continue
        existing = person.existing or {}
        if existing.get("status") in Appraisal.LOCKED_STATUSES:
            locked += 1
            entries = existing["period_scores"]
            level = existing["decided_level"] or existing["computed_level"]
            stats = _person_stats(entries, level, _tally_of(entries), rules)
        else:
            row, entries, stats = _compute_person(
                person, rules, facts, periods, kind, nonleaders, leaders
            )
            computed += 1
            values, digest = _row_values(row)
            if digest != existing.get("computed_hash"):
                rows.append(values)
        index, path = (
            (leaders, person.leader_unit_path)
            if person.is_leader
            else (nonleaders, person.unit_path)
        )
        slot = index.slot(path, lambda: {"periods": {}, "tally": scoring.UnitTally()})
        for period, unit_stats in stats.periods.items():
            slot["periods"].setdefault(period, scoring.UnitStats()).add(unit_stats)
        slot["tally"].add(stats.tally)
        for entry in entries:
            if entry.get("total") is not None:
                scores_by_unit[person.unit_code][entry["period"]].append(entry["total"])

    if progress:
        progress("score")
    _upsert_appraisals(rows, now)
    left = (
        Appraisal.objects.filter(cycle=cycle)
        .exclude(status__in=Appraisal.LOCKED_STATUSES)
        .exclude(employee__in=sel.scope_employees(cycle, facts.nested).values("pk"))
        .update(status=Appraisal.Status.LEFT, updated_at=now)
    )
    summary = {
        "as_of": facts.as_of.isoformat(),
        "people": len(facts.persons),
        "computed": computed,
        "written": len(rows),
        "locked": locked,
        "not_covered": not_covered,
        "scores": [
            [unit, period, round(sum(v) / len(v), 2), len(v)]
            for unit, by_period in sorted(scores_by_unit.items())
            for period, v in sorted(by_period.items())
        ],
    }
    AppraisalCycle.objects.filter(pk=cycle.pk).update(
        computed_at=now, summary=summary, updated_at=now
    )
    cycle.computed_at, cycle.summary = now, summary
    if progress:
        progress("write")
    return ComputeReport(
        cycle, computed, len(rows), locked, not_covered, left, facts.as_of
    )


def _compute_person(person, rules, facts, periods, kind, nonleaders, leaders):
    """One person's row from the facts loaded for the whole cycle."""
    year = facts.cycle.year
    as_of_day = facts.as_of_day
    existing = person.existing or {}
    tasks_by_period: dict[str, list] = defaultdict(list)
    for task, period in zip(person.tasks, person.task_periods, strict=True):
        tasks_by_period[scoring.cycle_period(period, task.due_on, kind)].append(task)
    steps_by_period: dict[str, scoring.StepCounts] = {}
    for month, counts in person.steps.items():
        key = facts.step_periods[month]
        if key in steps_by_period:
            counts = steps_by_period[key] + counts
        steps_by_period[key] = counts

    handed: dict[str, dict] = {}
    handed_from = None
    if person.arrival_on:
        for other in person.handed:
            for entry in other["period_scores"]:
                period = entry["period"]
                if (
                    scoring.parse_period(period).last_day < person.arrival_on
                    and entry.get("source") != "handed_over"
                    and period not in handed
                ):
                    handed[period] = {
                        **entry,
                        "source": "handed_over",
                        "from_unit": other["cycle__unit__code"],
                        "from_appraisal": other["id"],
                    }
                    handed_from = handed_from or other["id"]

    entries = []
    scores_unit = person.is_leader and rules.is_b
    for period in periods:
        if period in handed:
            entries.append(handed[period])
            continue
        tasks = tasks_by_period.get(period)
        steps = steps_by_period.get(period)
        if not tasks and not steps and not scores_unit:
            continue  # no products: no score for the period
        result = scoring.score_period(
            period,
            tasks=tasks or (),
            steps=steps or scoring.StepCounts(),
            rules=rules,
            as_of=as_of_day,
        )
        if result.task_points is None and not scores_unit:
            continue
        entry = result.summary()
        if scores_unit:
            unit = _subtree_stats(person, period, nonleaders, leaders)
            points, terms, _lines = scoring.score_leader(
                own_share=result.share, unit=unit, rules=rules
            )
            if points is None:
                continue
            entry["own_task_points"] = entry["task_points"]
            entry["task_points"] = points
            entry["terms"] = {k: scoring._r(v, 4) for k, v in terms.items()}
        elif result.task_points is None:
            continue
        entries.append(entry)

    tally = _tally_of([e for e in entries if e.get("source") != "handed_over"])
    # Compact: keys without a fact are left out (readers use .get()).
    evidence: dict[str, Any] = {
        "tally": {
            "products": tally.products,
            "done": tally.done,
            "short": tally.short,
            "exceeded": tally.exceeded,
        },
    }
    if person.arrival_on:
        evidence["arrival_on"] = person.arrival_on.isoformat()
    if person.discipline_case_id:
        evidence["discipline_case_id"] = person.discipline_case_id
    if person.discipline is not None:
        evidence["discipline"] = {
            "code": person.discipline.code,
            "message": person.discipline.message,
            "citation": person.discipline.citation,
        }
    if person.is_leader and person.leader_unit_path in facts.corruption:
        evidence["corruption"] = facts.corruption[person.leader_unit_path]
        if not rules.is_b:
            unit = _subtree_tally(person, nonleaders, leaders)
            evidence["unit_tally"] = {
                "products": unit.products.__dict__,
                "people": unit.people,
                "completed_plus": unit.completed_plus,
                "good_plus": unit.good_plus,
            }
    if rules.is_b and (person.rated or person.incidents or person.steps):
        evidence["service_attitude"] = scoring.suggest_service_attitude(
            rated=person.rated,
            satisfied=person.satisfied,
            incidents=person.incidents,
            rules=rules,
            detail=False,
        )
    months = scoring.months_employed(person.joined_on, year)
    general = existing.get("general_points")
    score, level = conclude(
        rules=rules,
        staff_type=person.staff_type,
        is_leader=person.is_leader,
        months_employed=months,
        months_absent=float(existing.get("months_absent") or 0),
        absence_reason=existing.get("absence_reason") or "",
        general_points=None if general is None else float(general),
        general_assessment=existing.get("general_assessment") or "",
        degradation_reference=existing.get("degradation_reference") or "",
        entries=entries,
        evidence=evidence,
    )
    row = {
        "cycle_id": facts.cycle.pk,
        "employee_id": person.id,
        "unit_id": person.unit_id,
        "task_group": person.task_group,
        "regime": rules.regime,
        "rule_version": rules.code,
        "is_leader": person.is_leader,
        "months_employed": months,
        "eligibility": Appraisal.Eligibility.RATED.value
        if evidence["is_rated"]
        else Appraisal.Eligibility.NOT_RATED.value,
        "period_scores": entries,
        "computed_score": score,
        "computed_level": level,
        "evidence": evidence,
        "handed_over_from_id": handed_from,
    }
    return row, entries, _person_stats(entries, level, tally, rules)


def _subtree_stats(person, period, nonleaders, leaders) -> scoring.UnitStats:
    """The people under a leader for one period: everyone in the unit's subtree
    but the leaders of that same unit."""
    total = scoring.UnitStats()
    path = person.leader_unit_path
    for unit_path in nonleaders.paths_under(path):
        stats = nonleaders.values[unit_path]["periods"].get(period)
        if stats:
            total.add(stats)
    for unit_path in leaders.paths_under(path, strict=True):
        stats = leaders.values[unit_path]["periods"].get(period)
        if stats:
            total.add(stats)
    return total


def _subtree_tally(person, nonleaders, leaders) -> scoring.UnitTally:
    total = scoring.UnitTally()
    path = person.leader_unit_path
    for unit_path in nonleaders.paths_under(path):
        total.add(nonleaders.values[unit_path]["tally"])
    for unit_path in leaders.paths_under(path, strict=True):
        total.add(leaders.values[unit_path]["tally"])
    return total


def compute_appraisals(
    *,
    year: int,
    unit: OrgUnit | None = None,
    as_of: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[ComputeReport]:
    """compute_cycle for an agency's cycle (opened if missing), or for every cycle
    of the year. `progress(done, total)` counts stages: three per cycle."""
    if unit is not None:
        cycles = [get_or_open_cycle(unit=unit, year=year)]
    else:
        cycles = list(AppraisalCycle.objects.filter(year=year).select_related("unit"))
    reports, stages = [], len(COMPUTE_STAGES) * len(cycles)
    for number, cycle in enumerate(cycles):
        on_stage = None
        if progress:

            def on_stage(stage: str, base: int = number * len(COMPUTE_STAGES)):
                progress(base + COMPUTE_STAGES.index(stage) + 1, stages)

            progress(number * len(COMPUTE_STAGES), stages)
        reports.append(compute_cycle(cycle=cycle, as_of=as_of, progress=on_stage))
    return reports


COMPUTE_STAGES = ("load", "score", "write")


__all__ = [
    "add_reform_plan_item",
    "advance_cycle",
    "approve_objective_cause",
    "assign_task",
    "compute_appraisals",
    "compute_cycle",
    "create_reform_plan",
    "decide_appraisal",
    "file_complaint",
    "hand_over_appraisal",
    "link_reform_task",
    "notify_appraisal",
    "open_cycle",
    "propose_appraisal",
    "publish_cycle",
    "record_absence",
    "record_cap_exception",
    "record_comment_meeting",
    "record_corruption_finding",
    "record_degradation_conclusion",
    "resolve_complaint",
    "review_task",
    "score_general_criteria",
    "submit_self_assessment",
    "update_task_progress",
]
