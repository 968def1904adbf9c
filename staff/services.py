"""Writes for the personnel file: employees, assignments, grades, ratings, awards,
discipline cases and raises from the raise clock.

Services take keyword arguments, check the rules in staff/rules.py, write in one
transaction and raise a ValidationError whose message the view shows as is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hrms import ledger, policy
from hrms.models import Role
from hrms.rules import RuleResult, check_version
from positions.models import Grade, JobPosition, OrgUnit
from positions.rules import coefficient_for
from staff import discipline_rules as drules
from staff import rules
from staff.discipline import (
    Rulebook,
    case_clock,
    explain_forced_rating,
    holds_leadership,
    limitation_preview,
    missing_rules_message,
    required_form_for,
)
from staff.models import (
    AnnualRating,
    Assignment,
    Circumstance,
    Commendation,
    CouncilMember,
    DisciplineCase,
    Employee,
    GradeHistory,
    Suspension,
    Violation,
)

OVERRIDE_ROLES = frozenset({Role.HR, Role.ADMIN})
# Fields `update_employee` may change.
EMPLOYEE_FIELDS = frozenset(
    {
        "employee_code",
        "full_name",
        "date_of_birth",
        "gender",
        "national_id",
        "staff_type",
        "unit",
        "joined_on",
        "email",
        "phone",
        "status",
        "user",
    }
)
RAISES = frozenset({GradeHistory.Reason.REGULAR_RAISE, GradeHistory.Reason.EARLY_RAISE})


def _normalise(fields: dict) -> dict:
    for name in ("employee_code", "full_name", "national_id", "email", "phone"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    return fields


@transaction.atomic
def create_employee(
    *,
    employee_code: str,
    full_name: str,
    date_of_birth: dt.date,
    gender: str,
    staff_type: str,
    unit: OrgUnit,
    national_id: str = "",
    joined_on: dt.date | None = None,
    email: str = "",
    phone: str = "",
    status: str = Employee.Status.ACTIVE,
    user=None,
    actor=None,
) -> Employee:
    """Open a personnel file after checking the citizen ID and the age rules."""
    employee = Employee(
        **_normalise(
            {
                "employee_code": employee_code,
                "full_name": full_name,
                "date_of_birth": date_of_birth,
                "gender": gender,
                "staff_type": staff_type,
                "unit": unit,
                "national_id": national_id,
                "joined_on": joined_on,
                "email": email,
                "phone": phone,
                "status": status,
                "user": user,
            }
        )
    )
    employee.full_clean()
    employee.save()
    return employee


@transaction.atomic
def update_employee(
    employee: Employee, *, expected_version: int, actor=None, **changes
) -> Employee:
    """Save changes unless the file was saved by someone else since it was opened.

    Returns the saved row (a fresh instance, its version one higher).
    """
    unknown = set(changes) - EMPLOYEE_FIELDS
    if unknown:
        raise TypeError(f"update_employee() cannot change {sorted(unknown)}")
    locked = Employee.objects.select_for_update().get(pk=employee.pk)
    check_version(locked.version, expected_version).raise_if_refused()
    for name, value in _normalise(dict(changes)).items():
        setattr(locked, name, value)
    locked.version += 1
    locked.full_clean()
    locked.save()
    return locked


def _grade_on(employee: Employee, on: dt.date) -> GradeHistory | None:
    return (
        GradeHistory.objects.latest_on(on)
        .filter(employee=employee)
        .select_related("grade")
        .first()
    )


def _peak_occupancy(position: JobPosition, starts_on: dt.date, *, exclude=()) -> int:
    """The most people holding the position at once on any day from `starts_on`.

    A new open-ended assignment overlaps every existing one that has not ended by
    then, but two of those may not overlap each other; the peak is what counts.
    """
    spans = list(
        Assignment.objects.filter(position=position)
        .exclude(pk__in=exclude)
        .exclude(ends_on__lt=starts_on)
        .values_list("starts_on", "ends_on")
    )
    days = {starts_on} | {start for start, _end in spans if start > starts_on}
    return max(
        (
            sum(
                1
                for start, end in spans
                if start <= day and (end is None or end >= day)
            )
            for day in days
        ),
        default=0,
    )


@transaction.atomic
def assign_position(
    *,
    employee: Employee,
    position: JobPosition,
    starts_on: dt.date,
    decision_number: str = "",
    decided_on: dt.date | None = None,
    signer: str = "",
    actor=None,
    override_reason: str | None = None,
    is_transition_case: bool = False,
) -> Assignment:
    """Put an employee into a position from a date, ending their previous post.

    Refused beyond the headcount quota unless an HR officer of the position's
    unit gives a reason (the override goes to the ledger); refused when a civil
    servant's grade differs from the position's unless it is a transition case.
    """
    # Lock the position first: a concurrent assignment to it waits here, then
    # counts this one (PostgreSQL; SQLite serialises writers anyway).
    position = (
        JobPosition.objects.select_for_update()
        .select_related("unit", "grade")
        .get(pk=position.pk)
    )
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not position.is_active:
        raise ValidationError(
            _("Position %(position)s is closed."),
            code="position.inactive",
            params={"position": position.code},
        )
    if employee.status != Employee.Status.ACTIVE:
        raise ValidationError(
            _("%(employee)s is no longer active."),
            code="employee.inactive",
            params={"employee": employee.full_name},
        )
    if employee.joined_on and starts_on < employee.joined_on:
        raise ValidationError(
            _("The assignment cannot start before the employee joined (%(date)s)."),
            code="assignment.before_joining",
            params={"date": employee.joined_on.strftime("%d/%m/%Y")},
        )
    previous = Assignment.objects.filter(
        employee=employee, ends_on__isnull=True
    ).first()
    if previous is not None:
        if previous.position_id == position.pk and previous.starts_on == starts_on:
            return previous  # the same decision again (a re-import, a double submit)
        if previous.position_id == position.pk:
            raise ValidationError(
                _("%(employee)s already holds position %(position)s."),
                code="assignment.already_held",
                params={"employee": employee.full_name, "position": position.code},
            )
        if previous.starts_on >= starts_on:
            raise ValidationError(
                _(
                    "The current assignment started on %(date)s; a new one must "
                    "start after it."
                ),
                code="assignment.before_previous",
                params={"date": previous.starts_on.strftime("%d/%m/%Y")},
            )

    filled = _peak_occupancy(
        position, starts_on, exclude=[previous.pk] if previous else []
    )
    quota = rules.check_quota(position, starts_on, filled)
    reason = (override_reason or "").strip()
    if not quota.ok:
        if not reason:
            quota.raise_if_refused()
        if actor is None or not policy.has_role_on(
            actor, position.unit, OVERRIDE_ROLES
        ):
            raise ValidationError(
                _(
                    "Only an HR officer of %(unit)s may assign beyond the quota. "
                    "%(refusal)s"
                ),
                code="quota.override_not_allowed",
                params={"unit": position.unit.code, "refusal": quota.message},
            )

    history = _grade_on(employee, starts_on)
    grade = history.grade if history else None
    match = rules.check_grade_match(
        grade,
        position,
        staff_type=employee.staff_type,
        on=starts_on,
        is_transition_case=is_transition_case,
    )
    match.raise_if_refused()

    if previous is not None:
        previous.ends_on = starts_on - dt.timedelta(days=1)
        previous.save(update_fields=["ends_on", "updated_at"])
    assignment = Assignment(
        employee=employee,
        position=position,
        starts_on=starts_on,
        decision_number=decision_number,
        decided_on=decided_on,
        signer=signer,
        is_transition_case=is_transition_case,
        quota_override_reason=reason if not quota.ok else "",
        overridden_by=actor if not quota.ok else None,
    )
    assignment.full_clean()
    assignment.save()
    if employee.unit_id != position.unit_id:
        # The personnel file follows the post: the new unit manages it.
        employee.unit = position.unit
        employee.version += 1
        employee.save(update_fields=["unit", "version", "updated_at"])

    facts = {
        "employee": employee.employee_code,
        "position": position.code,
        "unit": position.unit.code,
        "starts_on": starts_on,
        "decision": decision_number,
    }
    if not quota.ok:
        ledger.append_entry(
            actor=actor,
            action="assignment.quota_override",
            obj=assignment,
            payload={
                **facts,
                "quota": position.headcount,
                "filled": filled,
                "reason": reason,
            },
        )
    if match.code == "grade_match.transition":
        ledger.append_entry(
            actor=actor,
            action="assignment.grade_transition",
            obj=assignment,
            payload={
                **facts,
                "grade": grade.code,
                "position_grade": position.grade.code,
            },
        )
    return assignment


@transaction.atomic
def end_assignment(
    *, assignment: Assignment, ends_on: dt.date, actor=None
) -> Assignment:
    """Close an assignment on a date (inclusive)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ends_on is not None and assignment.ends_on <= ends_on:
        raise ValidationError(
            _("This assignment already ended on %(date)s."),
            code="assignment.already_ended",
            params={"date": assignment.ends_on.strftime("%d/%m/%Y")},
        )
    assignment.ends_on = ends_on
    assignment.full_clean()
    assignment.save(update_fields=["ends_on", "updated_at"])
    return assignment


@transaction.atomic
def record_grade_step(
    *,
    employee: Employee,
    grade: Grade,
    salary_step: int,
    effective_on: dt.date,
    reason: str,
    decision_number: str = "",
    decided_on: dt.date | None = None,
    actor=None,
) -> GradeHistory:
    """Record a grade and step from a date; the coefficient comes from the scale.

    A raise keeps the grade and moves one step up; a civil servant's new grade
    must match the position held on that date unless it is a transition case.
    """
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    same = GradeHistory.objects.filter(
        employee=employee,
        grade=grade,
        salary_step=salary_step,
        effective_on=effective_on,
    ).first()
    if same is not None:
        return same  # the same decision again (a re-import, a double submit)
    rules.step_within_scale(grade, salary_step, effective_on).raise_if_refused(
        "salary_step"
    )
    previous = _grade_on(employee, effective_on)
    if reason in RAISES:
        rules.check_step_raise(
            previous_grade_id=previous.grade_id if previous else None,
            previous_step=previous.salary_step if previous else None,
            grade_id=grade.pk,
            step=salary_step,
        ).raise_if_refused("salary_step")
    if reason != GradeHistory.Reason.CORRECTION:
        later = GradeHistory.objects.filter(
            employee=employee, effective_on__gt=effective_on
        ).first()
        if later is not None:
            raise ValidationError(
                _(
                    "A later change (%(date)s) is already recorded; record this one "
                    "as a correction."
                ),
                code="grade.out_of_order",
                params={"date": later.effective_on.strftime("%d/%m/%Y")},
            )
    held = (
        Assignment.objects.active_on(effective_on)
        .filter(employee=employee)
        .select_related("position__grade")
        .first()
    )
    if held is not None:
        rules.check_grade_match(
            grade,
            held.position,
            staff_type=employee.staff_type,
            on=effective_on,
            is_transition_case=held.is_transition_case,
        ).raise_if_refused("grade")
    row = GradeHistory(
        employee=employee,
        grade=grade,
        salary_step=salary_step,
        coefficient=coefficient_for(grade, salary_step, effective_on),
        effective_on=effective_on,
        decision_number=decision_number,
        decided_on=decided_on,
        reason=reason,
    )
    row.full_clean()
    row.save()
    return row


def change_grade(
    *,
    employee: Employee,
    grade: Grade,
    salary_step: int,
    effective_on: dt.date,
    decision_number: str = "",
    decided_on: dt.date | None = None,
    actor=None,
) -> GradeHistory:
    """Move an employee to another grade at a step (a grade-change decision)."""
    return record_grade_step(
        employee=employee,
        grade=grade,
        salary_step=salary_step,
        effective_on=effective_on,
        reason=GradeHistory.Reason.GRADE_CHANGE,
        decision_number=decision_number,
        decided_on=decided_on,
        actor=actor,
    )


@transaction.atomic
def record_annual_rating(
    *,
    employee: Employee,
    year: int,
    level: str,
    source: str = AnnualRating.Source.MANUAL,
    decided_on: dt.date | None = None,
    note: str = "",
    actor=None,
) -> AnnualRating:
    """Record the rating of a year, replacing an earlier record of that year."""
    if year > timezone.localdate().year:
        raise ValidationError(
            _("%(year)s has not started yet."),
            code="rating.future",
            params={"year": year},
        )
    rating = AnnualRating.objects.filter(employee=employee, year=year).first()
    rating = rating or AnnualRating(employee=employee, year=year)
    rating.level, rating.source = level, source
    rating.decided_on, rating.note = decided_on, note
    rating.full_clean()
    rating.save()
    return rating


@transaction.atomic
def record_commendation(
    *,
    employee: Employee,
    level: str,
    title: str,
    decided_on: dt.date,
    decision_number: str = "",
    issuer: str = "",
    actor=None,
) -> Commendation:
    """Add a commendation to the personnel file."""
    commendation = Commendation(
        employee=employee,
        level=level,
        title=title.strip(),
        decided_on=decided_on,
        decision_number=decision_number,
        issuer=issuer,
    )
    commendation.full_clean()
    commendation.save()
    return commendation


# Discipline ---------------------------------------------------------------------------
#
# Every refusal names its rule and citation; nothing is written when a rule
# refuses. Decisions, decisions not to discipline, annulments, extensions,
# suspensions and councils go to the audit ledger in the same transaction.


def _refuse(result: RuleResult, field: str | None = None) -> None:
    """Raise a rule's refusal as a ValidationError whose message ends with the
    citation, so the screen shows where the rule comes from."""
    if result.ok:
        return
    error = ValidationError(str(result.reason), code=result.code)
    if field:
        raise ValidationError({field: error})
    raise error


def _error(message: str, code: str, **params) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def _fmt(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _lock_case(case: DisciplineCase, expected_version: int) -> DisciplineCase:
    locked = (
        DisciplineCase.objects.select_for_update()
        .select_related("employee", "employee__unit")
        .get(pk=case.pk)
    )
    check_version(locked.version, expected_version).raise_if_refused()
    return locked


def _require_open(case: DisciplineCase) -> None:
    if not case.is_open:
        raise _error(
            _("Case %(reference)s is closed (%(status)s)."),
            "discipline.closed",
            reference=case.reference,
            status=case.get_status_display(),
        )


def _save_case(case: DisciplineCase, fields: list[str]) -> DisciplineCase:
    case.version += 1
    case.full_clean()
    case.save(update_fields=[*fields, "version", "updated_at"])
    return case


def _case_payload(case: DisciplineCase, **facts) -> dict:
    return {
        "case": case.reference,
        "employee": case.employee.employee_code,
        "employee_name": case.employee.full_name,
        **facts,
    }


def _add_violation(case: DisciplineCase, data: dict, today: dt.date) -> Violation:
    occurred_on = data["occurred_on"]
    if occurred_on > today:
        raise _error(
            _("The violation date %(date)s is in the future."),
            "violation.future",
            date=_fmt(occurred_on),
        )
    violation = Violation(
        case=case,
        description=(data.get("description") or "").strip(),
        occurred_on=occurred_on,
        merited_form=data.get("merited_form") or "",
        no_limitation=data.get("no_limitation") or "",
    )
    violation.full_clean()
    violation.save()
    return violation


@transaction.atomic
def open_discipline_case(
    *,
    employee: Employee,
    detected_on: dt.date,
    severity: str,
    violations: Sequence[dict],
    circumstances: Sequence[tuple[str, str]] = (),
    explanation_deadline: dt.date | None = None,
    party_disciplined_on: dt.date | None = None,
    actor=None,
) -> DisciplineCase:
    """Open a case on one or more violations (description, occurred_on, optional
    merited_form and no_limitation), detected on a date."""
    today = timezone.localdate()
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.status != Employee.Status.ACTIVE:
        raise _error(
            _("%(employee)s is no longer active."),
            "employee.inactive",
            employee=employee.full_name,
        )
    if detected_on > today:
        raise _error(
            _("The detection date %(date)s is in the future."),
            "discipline.detected_future",
            date=_fmt(detected_on),
        )
    if not violations:
        raise _error(_("A case needs at least one violation."), "violation.missing")
    for data in violations:
        if data["occurred_on"] > detected_on:
            raise _error(
                _("A violation of %(date)s cannot be detected before it happened."),
                "violation.after_detection",
                date=_fmt(data["occurred_on"]),
            )
    if explanation_deadline is not None and explanation_deadline < detected_on:
        raise _error(
            _("The explanation deadline precedes the detection date."),
            "explanation.deadline_before_detection",
        )
    case = DisciplineCase(
        employee=employee,
        detected_on=detected_on,
        severity=severity,
        explanation_deadline=explanation_deadline,
        party_disciplined_on=party_disciplined_on,
        opened_by=actor if actor is not None and actor.is_authenticated else None,
    )
    case.full_clean()
    case.save()
    for data in violations:
        _add_violation(case, data, today)
    for kind, description in circumstances:
        if description.strip():
            Circumstance.objects.create(
                case=case, kind=kind, description=description.strip()[:500]
            )
    return case


@transaction.atomic
def add_violation(
    *,
    case: DisciplineCase,
    description: str,
    occurred_on: dt.date,
    merited_form: str = "",
    no_limitation: str = "",
    expected_version: int,
    actor=None,
) -> Violation:
    """Add a violation to an open case: they will be decided together."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    violation = _add_violation(
        case,
        {
            "description": description,
            "occurred_on": occurred_on,
            "merited_form": merited_form,
            "no_limitation": no_limitation,
        },
        timezone.localdate(),
    )
    _save_case(case, [])
    return violation


@transaction.atomic
def add_circumstance(
    *,
    case: DisciplineCase,
    kind: str,
    description: str,
    expected_version: int,
    actor=None,
) -> Circumstance:
    """Record a mitigating or aggravating circumstance."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    circumstance = Circumstance(case=case, kind=kind, description=description.strip())
    circumstance.full_clean()
    circumstance.save()
    _save_case(case, [])
    return circumstance


@transaction.atomic
def record_explanation(
    *,
    case: DisciplineCase,
    expected_version: int,
    deadline: dt.date | None = None,
    submitted_on: dt.date | None = None,
    text: str = "",
    actor=None,
) -> DisciplineCase:
    """Set the deadline for the employee's written explanation, or file it."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    text = text.strip()
    today = timezone.localdate()
    if bool(text) != bool(submitted_on):
        raise _error(
            _("An explanation needs both its text and the date it was submitted."),
            "explanation.incomplete",
        )
    if deadline is None and submitted_on is None:
        raise _error(
            _("Give the explanation deadline or the explanation itself."),
            "explanation.empty",
        )
    for day in filter(None, (deadline, submitted_on)):
        if day < case.detected_on:
            raise _error(
                _("%(date)s precedes the detection date %(detected)s."),
                "explanation.before_detection",
                date=_fmt(day),
                detected=_fmt(case.detected_on),
            )
    if submitted_on is not None and submitted_on > today:
        raise _error(
            _("The submission date %(date)s is in the future."),
            "explanation.future",
            date=_fmt(submitted_on),
        )
    fields = []
    if deadline is not None:
        case.explanation_deadline = deadline
        fields.append("explanation_deadline")
    if submitted_on is not None:
        case.explanation_submitted_on, case.explanation_text = submitted_on, text
        fields += ["explanation_submitted_on", "explanation_text"]
    return _save_case(case, fields)


@transaction.atomic
def set_discipline_council(
    *,
    case: DisciplineCase,
    members: Sequence[tuple[str, str, str]],
    expected_version: int,
    actor=None,
) -> DisciplineCase:
    """Replace the council's members (full name, role, position held); one chair."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    members = [(n.strip(), r, (t or "").strip()) for n, r, t in members if n.strip()]
    chairs = sum(1 for _n, role, _t in members if role == CouncilMember.Role.CHAIR)
    if chairs != 1:
        raise _error(
            _("A discipline council has exactly one chair."), "council.one_chair"
        )
    case.council_members.all().delete()
    rows = [
        CouncilMember(case=case, full_name=n, role=r, title=t) for n, r, t in members
    ]
    for row in rows:
        row.full_clean(exclude=["case"])
    CouncilMember.objects.bulk_create(rows)
    _save_case(case, [])
    ledger.append_entry(
        actor=actor,
        action="discipline.council",
        obj=case,
        payload=_case_payload(
            case,
            members=[{"name": n, "role": r, "title": t} for n, r, t in members],
        ),
    )
    return case


@transaction.atomic
def extend_discipline_case(
    *,
    case: DisciplineCase,
    reason: str,
    expected_version: int,
    extended_to_days: int | None = None,
    actor=None,
) -> DisciplineCase:
    """Extend the handling time limit once, with a reason (90 → at most 150 days)."""
    case = _lock_case(case, expected_version)
    today = timezone.localdate()
    rulebook = Rulebook.load(forms=False, effects=False, settings=False)
    limit = rulebook.time_limit(case.detected_on)
    if limit is None:
        raise _error(missing_rules_message(case.detected_on), "discipline.no_rules")
    days = extended_to_days or limit.extended_handling_days
    clock = case_clock(case, rulebook, today)
    _refuse(
        drules.check_extension(
            is_open=case.is_open,
            is_extended=case.is_extended,
            reason=reason,
            extended_to_days=days,
            handling_days=limit.handling_days,
            max_days=limit.extended_handling_days,
            clock=clock,
        )
    )
    case.extended_to_days, case.extended_on = days, today
    case.extension_reason = reason.strip()
    _save_case(case, ["extended_to_days", "extended_on", "extension_reason"])
    ledger.append_entry(
        actor=actor,
        action="discipline.extension",
        obj=case,
        payload=_case_payload(
            case,
            detected_on=case.detected_on,
            extended_to_days=days,
            extended_on=today,
            reason=case.extension_reason,
            deadline=case_clock(case, rulebook, today).deadline,
            citation=drules.HANDLING_CITATION,
        ),
    )
    return case


@transaction.atomic
def suspend_discipline_case(
    *,
    case: DisciplineCase,
    kind: str,
    starts_on: dt.date,
    expected_version: int,
    ends_on: dt.date | None = None,
    note: str = "",
    actor=None,
) -> Suspension:
    """Record a "not yet considered" period; it pauses the handling clock."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    if starts_on < case.detected_on:
        raise _error(
            _("A suspension cannot start before the detection date %(date)s."),
            "suspension.before_detection",
            date=_fmt(case.detected_on),
        )
    suspension = Suspension(
        case=case, kind=kind, starts_on=starts_on, ends_on=ends_on, note=note.strip()
    )
    suspension.full_clean()
    suspension.save()
    _save_case(case, [])
    ledger.append_entry(
        actor=actor,
        action="discipline.suspension",
        obj=case,
        payload=_case_payload(
            case,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            citation=drules.NOT_YET_CONSIDERED_CITATION,
        ),
    )
    return suspension


@transaction.atomic
def end_suspension(
    *, suspension: Suspension, ends_on: dt.date, expected_version: int, actor=None
) -> Suspension:
    """Close a running suspension; the handling clock runs again the next day."""
    case = _lock_case(suspension.case, expected_version)
    _require_open(case)
    suspension = Suspension.objects.get(pk=suspension.pk, case=case)
    if suspension.ends_on is not None:
        raise _error(_("This suspension has already ended."), "suspension.ended")
    suspension.ends_on = ends_on
    suspension.full_clean()
    suspension.save(update_fields=["ends_on"])
    _save_case(case, [])
    ledger.append_entry(
        actor=actor,
        action="discipline.suspension_end",
        obj=case,
        payload=_case_payload(
            case, kind=suspension.kind, starts_on=suspension.starts_on, ends_on=ends_on
        ),
    )
    return suspension


def check_discipline_decision(
    case: DisciplineCase,
    *,
    form: str,
    decided_on: dt.date,
    effective_on: dt.date,
    rulebook: Rulebook | None = None,
) -> list[RuleResult]:
    """Every rule a decision must pass, in order; the first refusal stops it."""
    rulebook = rulebook or Rulebook.load()
    employee = case.employee
    violations = list(case.violations.all())
    suspensions = list(case.suspensions.all())
    results = [
        drules.check_decision_dates(
            detected_on=case.detected_on,
            violation_dates=[v.occurred_on for v in violations],
            decided_on=decided_on,
            effective_on=effective_on,
            today=timezone.localdate(),
        ),
        drules.check_not_suspended(
            [(s.starts_on, s.ends_on, s.get_kind_display()) for s in suspensions],
            on=decided_on,
        ),
        drules.check_explanation(
            submitted_on=case.explanation_submitted_on,
            deadline=case.explanation_deadline,
            on=decided_on,
        ),
    ]
    leader = holds_leadership(employee, decided_on)
    results.append(
        drules.check_form(
            rulebook.forms,
            form=form,
            staff_type=employee.staff_type,
            on=decided_on,
            holds_leadership=leader,
        )
    )
    required, why = required_form_for(case, rulebook, on=decided_on, leader=leader)
    staff_type = employee.staff_type
    results.append(
        drules.check_required_form(
            form=form,
            rank=drules.rank_of(
                rulebook.forms, form, staff_type=staff_type, on=decided_on
            ),
            required=required,
            required_rank=drules.rank_of(
                rulebook.forms, required or "", staff_type=staff_type, on=decided_on
            ),
        )
    )
    limitation = limitation_preview(case, rulebook, form=form, on=decided_on)
    if limitation is None:
        limitation = RuleResult.refuse(
            "discipline.no_rules",
            missing_rules_message(decided_on),
            drules.LIMITATION_CITATION,
        )
    results.append(limitation)
    return results


@transaction.atomic
def decide_discipline(
    *,
    case: DisciplineCase,
    form: str,
    decision_number: str,
    decided_on: dt.date,
    effective_on: dt.date,
    signer: str,
    expected_version: int,
    signer_title: str = "",
    actor=None,
) -> DisciplineCase:
    """Record the discipline decision once every rule allows it."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    if not decision_number.strip() or not signer.strip():
        raise _error(
            _("A decision needs its number and its signer."), "decision.incomplete"
        )
    rulebook = Rulebook.load()
    results = check_discipline_decision(
        case, form=form, decided_on=decided_on, effective_on=effective_on,
        rulebook=rulebook,
    )  # fmt: skip
    for result in results:
        _refuse(result)
    clock = case_clock(case, rulebook, decided_on)
    case.status = DisciplineCase.Status.DECIDED
    case.form, case.decision_number = form, decision_number.strip()
    case.decided_on, case.effective_on = decided_on, effective_on
    case.signer, case.signer_title = signer.strip(), signer_title.strip()
    _save_case(
        case,
        [
            "status",
            "form",
            "decision_number",
            "decided_on",
            "effective_on",
            "signer",
            "signer_title",
        ],
    )
    effect = rulebook.effect(form, case.employee.staff_type, decided_on)
    employment = _apply_employment_effect(case, form, effective_on)
    ledger.append_entry(
        actor=actor,
        action="discipline.decision",
        obj=case,
        payload=_case_payload(
            case,
            staff_type=case.employee.staff_type,
            form=form,
            decision_number=case.decision_number,
            decided_on=decided_on,
            effective_on=effective_on,
            signer=case.signer,
            severity=case.severity,
            violations=[
                {"occurred_on": v.occurred_on, "description": v.description}
                for v in case.violations.all()
            ],
            handling_deadline=clock.deadline if clock else None,
            decided_after_deadline=bool(clock and clock.is_overdue),
            raise_extension_months=effect.raise_extension_months if effect else 0,
            bar_months=effect.bar_months if effect else 0,
            citations=sorted({r.citation for r in results if r.citation}),
            **employment,
        ),
    )
    return case


# Forms that end the person's hold on a post (Law on Cadres and Civil Servants
# Art 79, Law on Public Employees Art 52): removal from post and recall end the
# leadership posts; forced termination ends every post and the employment.
_ENDS_LEADERSHIP = frozenset(
    {
        DisciplineCase.Form.REMOVAL_FROM_POST,
        DisciplineCase.Form.RECALL,
        DisciplineCase.Form.FORCED_TERMINATION,
    }
)


def _apply_employment_effect(
    case: DisciplineCase, form: str, effective_on: dt.date
) -> dict:
    """End the posts the decision takes away the day before it takes effect, and
    the employment itself on forced termination; return the facts for the ledger."""
    if form not in _ENDS_LEADERSHIP:
        return {}
    employee = case.employee
    last_day = effective_on - dt.timedelta(days=1)
    held = Assignment.objects.select_for_update().filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=last_day),
        employee=employee,
        starts_on__lte=last_day,
    )
    if form != DisciplineCase.Form.FORCED_TERMINATION:
        held = held.filter(position__group=JobPosition.Group.LEADERSHIP)
    ended = sorted(held.values_list("position__code", flat=True))
    held.update(ends_on=last_day, updated_at=timezone.now())
    facts = {"posts_ended": ended, "posts_ended_on": last_day}
    if form == DisciplineCase.Form.FORCED_TERMINATION:
        # A new version: a file opened before the decision cannot overwrite it.
        Employee.objects.filter(pk=employee.pk).update(
            status=Employee.Status.DISMISSED,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        facts["employment_status"] = Employee.Status.DISMISSED
    return facts


@transaction.atomic
def close_without_discipline(
    *,
    case: DisciplineCase,
    decided_on: dt.date,
    reason: str,
    expected_version: int,
    decision_number: str = "",
    actor=None,
) -> DisciplineCase:
    """Record the decision not to discipline (the case closes)."""
    case = _lock_case(case, expected_version)
    _require_open(case)
    if not reason.strip():
        raise _error(_("Give the reason for not disciplining."), "no_discipline.reason")
    if decided_on < case.detected_on or decided_on > timezone.localdate():
        raise _error(
            _("The date must be between the detection date and today."),
            "no_discipline.date",
        )
    case.status = DisciplineCase.Status.NOT_DISCIPLINED
    case.decided_on, case.decision_number = decided_on, decision_number.strip()
    case.closure_reason = reason.strip()
    _save_case(case, ["status", "decided_on", "decision_number", "closure_reason"])
    ledger.append_entry(
        actor=actor,
        action="discipline.no_discipline",
        obj=case,
        payload=_case_payload(
            case,
            decided_on=decided_on,
            decision_number=case.decision_number,
            reason=case.closure_reason,
        ),
    )
    return case


@transaction.atomic
def annul_discipline(
    *,
    case: DisciplineCase,
    annulled_on: dt.date,
    reason: str,
    expected_version: int,
    decision_number: str = "",
    actor=None,
) -> DisciplineCase:
    """Annul a discipline decision: it stops having any effect."""
    case = _lock_case(case, expected_version)
    if case.status != DisciplineCase.Status.DECIDED:
        raise _error(
            _("Only a discipline decision in force can be annulled."),
            "annulment.not_decided",
        )
    if not reason.strip():
        raise _error(_("Give the reason for the annulment."), "annulment.reason")
    if annulled_on < case.decided_on or annulled_on > timezone.localdate():
        raise _error(
            _("The annulment date must be between the decision date and today."),
            "annulment.date",
        )
    case.status = DisciplineCase.Status.ANNULLED
    case.annulled_on, case.annulment_reason = annulled_on, reason.strip()
    case.annulment_number = decision_number.strip()
    _save_case(case, ["status", "annulled_on", "annulment_reason", "annulment_number"])
    reinstated = case.form == DisciplineCase.Form.FORCED_TERMINATION and (
        Employee.objects.filter(
            pk=case.employee_id, status=Employee.Status.DISMISSED
        ).update(
            status=Employee.Status.ACTIVE,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    )
    ledger.append_entry(
        actor=actor,
        action="discipline.annulment",
        obj=case,
        payload=_case_payload(
            case,
            form=case.form,
            decision_number=case.decision_number,
            annulled_on=annulled_on,
            annulment_number=case.annulment_number,
            reason=case.annulment_reason,
            # The posts ended by the decision are not given back here: the seat
            # may be held by now, so HR assigns again through assign_position.
            reinstated=bool(reinstated),
        ),
    )
    return case


@transaction.atomic
def link_rating_to_case(
    *, rating: AnnualRating, case: DisciplineCase, actor=None
) -> AnnualRating:
    """Mark a rating as caused by the violation of a discipline case."""
    if rating.employee_id != case.employee_id:
        raise _error(
            _("The rating and the case belong to different employees."),
            "rating.other_employee",
        )
    rating.discipline_case = case
    rating.save(update_fields=["discipline_case", "updated_at"])
    return rating


@transaction.atomic
def record_forced_rating(*, employee: Employee, year: int, actor=None) -> AnnualRating:
    """Rate the year "did not complete duties" because of a discipline, linked
    to its case (Decree 48/2023); refused when no discipline forces it."""
    result = explain_forced_rating(employee, year)
    if not result.ok:
        _refuse(
            RuleResult.refuse("forced_rating.none", result.message, result.citation)
        )
    case = (
        DisciplineCase.objects.decided()
        .filter(employee=employee, decided_on__year=year)
        .order_by("decided_on", "pk")
        .first()
    )
    rating = record_annual_rating(
        employee=employee,
        year=year,
        level=AnnualRating.Level.NOT_COMPLETED,
        source=AnnualRating.Source.COMPUTED,
        note=str(result.reason),
        actor=actor,
    )
    if case is not None:
        link_rating_to_case(rating=rating, case=case, actor=actor)
    return rating


# Salary-step raises from the raise clock ----------------------------------------------


def _clock_of(employee: Employee, on: dt.date):
    from staff.selectors import raise_due

    rows = raise_due(on, Employee.objects.filter(pk=employee.pk))
    return rows[0] if rows else None


@transaction.atomic
def record_regular_raise(
    *,
    employee: Employee,
    effective_on: dt.date | None = None,
    decision_number: str = "",
    decided_on: dt.date | None = None,
    actor=None,
) -> GradeHistory:
    """Raise one step when the raise clock says it is due (by default on its due
    date); writes the grade history through record_grade_step."""
    on = effective_on or timezone.localdate()
    clock = _clock_of(employee, on)
    if clock is None:
        raise _error(
            _("%(employee)s has no grade, or is not active."),
            "raise.no_grade",
            employee=employee.full_name,
        )
    if clock.kind != "step":
        raise _error(
            _(
                "%(employee)s is at the last step: a seniority-beyond-frame "
                "allowance, not a step raise (%(citation)s)."
            ),
            "raise.last_step",
            employee=employee.full_name,
            citation=rules.SENIORITY_CITATION,
        )
    effective_on = effective_on or clock.due_on
    if effective_on < clock.due_on:
        raise _error(
            _(
                "The regular raise of %(employee)s falls due on %(date)s, not "
                "before: %(reasons)s"
            ),
            "raise.not_due",
            employee=employee.full_name,
            date=_fmt(clock.due_on),
            reasons=" ".join(str(r) for r in clock.reasons),
        )
    grade = Grade.objects.get(pk=clock.grade_id)
    return record_grade_step(
        employee=employee,
        grade=grade,
        salary_step=clock.step + 1,
        effective_on=effective_on,
        reason=GradeHistory.Reason.REGULAR_RAISE,
        decision_number=decision_number,
        decided_on=decided_on,
        actor=actor,
    )


@transaction.atomic
def record_early_raise(
    *,
    employee: Employee,
    commendation: Commendation,
    year: int,
    effective_on: dt.date,
    unit: OrgUnit | None = None,
    decision_number: str = "",
    decided_on: dt.date | None = None,
    actor=None,
) -> GradeHistory:
    """Raise one step early for a commendation, within the unit's yearly quota;
    the commendation is used up."""
    from staff.selectors import early_raise_candidates

    unit = unit or employee.unit
    report = early_raise_candidates(unit, year)
    candidate = next(
        (c for c in report.candidates if c.raise_due.employee_id == employee.pk), None
    )
    if candidate is None:
        raise _error(
            _("%(employee)s is not on the payroll of %(unit)s in %(year)s."),
            "early_raise.not_on_payroll",
            employee=employee.full_name,
            unit=unit.code,
            year=year,
        )
    _refuse(candidate.result)
    if commendation.pk not in {c.pk for c in candidate.commendations}:
        raise _error(
            _("This commendation is used, or was not earned in the current grade."),
            "early_raise.commendation",
        )
    if report.remaining < 1:
        raise _error(
            _("The quota of %(unit)s for %(year)s is used up: %(reason)s"),
            "early_raise.quota",
            unit=unit.code,
            year=year,
            reason=str(report.quota.reason),
        )
    due_on = candidate.raise_due.due_on
    if not candidate.earliest_on <= effective_on < due_on:
        raise _error(
            _("An early raise takes effect from %(earliest)s to before %(due)s."),
            "early_raise.date",
            earliest=_fmt(candidate.earliest_on),
            due=_fmt(due_on),
        )
    row = record_grade_step(
        employee=employee,
        grade=Grade.objects.get(pk=candidate.raise_due.grade_id),
        salary_step=candidate.raise_due.step + 1,
        effective_on=effective_on,
        reason=GradeHistory.Reason.EARLY_RAISE,
        decision_number=decision_number,
        decided_on=decided_on,
        actor=actor,
    )
    Commendation.objects.filter(pk=commendation.pk).update(is_used_for_early_raise=True)
    return row
