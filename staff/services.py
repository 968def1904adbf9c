"""Writes for the personnel file: employees, assignments, grades, ratings, awards.

Services take keyword arguments, check the rules in staff/rules.py, write in one
transaction and raise a ValidationError whose message the view shows as is.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrms import ledger, policy
from hrms.models import Role
from hrms.rules import check_version
from positions.models import Grade, JobPosition, OrgUnit
from positions.rules import coefficient_for
from staff import rules
from staff.models import (
    AnnualRating,
    Assignment,
    Commendation,
    Employee,
    GradeHistory,
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
