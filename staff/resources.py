"""Import/export resources of the staff app (DESIGN.md §4.3)."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from hrms.importing import FileRow, ImportResource, register
from hrms.importing.widgets import DateWidget, IntegerWidget
from positions.models import Grade, JobPosition, OrgUnit
from positions.resources import CodeWidget
from staff import rules
from staff.models import AnnualRating, Employee, GradeHistory
from staff.services import (
    assign_position,
    create_employee,
    record_annual_rating,
    record_grade_step,
    update_employee,
)

_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
CHUNK = 5000  # below SQLite's limit on query parameters


@register("staff")
class StaffResource(ImportResource):
    """The personnel file: one row per employee, keyed by employee_code.

    The employee is created or updated through staff.services. A position_code
    puts the employee into that position from joined_on (or, without one, from
    step_since) through assign_position(), so the headcount quota and the grade
    match are checked and a refusal rejects the row: an import never overrides a
    quota. grade_code and salary_step (given together) record a grade-history row
    from step_since (or, without one, joined_on); the service computes the
    coefficient. Both are skipped when the employee already holds that position,
    or that grade and step from that date, so re-importing a file (or an export)
    writes nothing new. Each row's writes are one savepoint: a row refused at its
    assignment leaves no employee behind, even with --keep-valid.
    """

    unit_code = Field(
        attribute="unit",
        column_name="unit_code",
        widget=CodeWidget(OrgUnit, _("Unknown unit “%(code)s”.")),
    )
    # Not fields of Employee: read in clean_row, exported from the history.
    position_code = Field(
        column_name="position_code",
        widget=CodeWidget(JobPosition, _("Unknown position “%(code)s”.")),
    )
    grade_code = Field(
        column_name="grade_code",
        widget=CodeWidget(Grade, _("Unknown grade “%(code)s”.")),
    )
    salary_step = Field(column_name="salary_step", widget=IntegerWidget())
    step_since = Field(column_name="step_since", widget=DateWidget())

    required_columns = (
        "employee_code",
        "full_name",
        "date_of_birth",
        "gender",
        "staff_type",
        "unit_code",
    )
    # Checked by the code widget; a blank unit_code is reported once, as required.
    clean_exclude = ("unit",)
    # The Employee fields a row may change, as update_employee() names them.
    service_fields = (
        "full_name",
        "date_of_birth",
        "gender",
        "staff_type",
        "unit",
        "national_id",
        "joined_on",
        "email",
    )

    class Meta:
        model = Employee
        fields = (
            "employee_code",
            "full_name",
            "date_of_birth",
            "gender",
            "staff_type",
            "unit_code",
            "position_code",
            "grade_code",
            "salary_step",
            "step_since",
            "national_id",
            "joined_on",
            "email",
        )
        import_id_fields = ("employee_code",)

    def get_queryset(self):
        # The current position and grade let a re-import skip what is recorded.
        return (
            Employee.objects.select_related("unit")
            .with_current_position()
            .with_current_grade()
            .order_by("employee_code")
        )

    # Export ----------------------------------------------------------------

    def dehydrate_position_code(self, employee: Employee) -> str:
        return employee.current_position_code or ""

    def dehydrate_grade_code(self, employee: Employee) -> str:
        return employee.current_grade_code or ""

    def dehydrate_salary_step(self, employee: Employee) -> str:
        step = employee.current_step
        return "" if step is None else str(step)

    def dehydrate_step_since(self, employee: Employee) -> str:
        since = employee.current_step_since
        return since.isoformat() if isinstance(since, dt.date) else since or ""

    # Whole file ------------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        self.fields["unit_code"].widget.load(OrgUnit.objects.all())
        self.fields["position_code"].widget.load(
            JobPosition.objects.select_related("unit", "grade")
        )
        self.fields["grade_code"].widget.load(Grade.objects.all())
        ids = (
            sorted({str(value).strip() for value in dataset["national_id"]} - {""})
            if "national_id" in dataset.headers
            else []
        )
        self._id_holders = {}
        for start in range(0, len(ids), CHUNK):
            holders = Employee.objects.filter(
                national_id__in=ids[start : start + CHUNK]
            )
            self._id_holders.update(holders.values_list("national_id", "employee_code"))
        super().before_import(dataset, **kwargs)

    def check_file(self, rows: list[FileRow]) -> dict[int, list[str]]:
        rejections = super().check_file(rows)
        lines_by_id: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if row.get("national_id"):
                lines_by_id[row.get("national_id")].append(row.line)
        for national_id, lines in lines_by_id.items():
            if len(lines) < 2:
                continue
            reason = gettext(
                "national_id “%(value)s” appears more than once in the file "
                "(lines %(lines)s)."
            ) % {"value": national_id, "lines": ", ".join(map(str, lines))}
            for line in lines:
                rejections[line].append(reason)
        return rejections

    # Each row ----------------------------------------------------------------

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        instance._import_stored = (
            None if new else _values(instance, self.service_fields)
        )

    def clean_row(self, instance: Employee, row: dict[str, str]) -> dict[str, str]:
        errors: dict[str, str] = {}
        cells: dict[str, Any] = {}
        for column in ("position_code", "grade_code", "salary_step", "step_since"):
            try:
                cells[column] = (
                    self.fields[column].clean(row) if column in row else None
                )
            except ValueError as exc:
                errors[column] = str(exc)
        national_id = row.get("national_id") or ""
        if _ELEVEN_DIGITS.fullmatch(national_id):
            errors["national_id"] = gettext(
                "“%(value)s” has 11 digits: a spreadsheet probably dropped the "
                "leading 0. Format the national_id column as text and enter the "
                "12 digits again."
            ) % {"value": national_id}
        holder = self._id_holders.get(national_id)
        if holder and holder != instance.employee_code:
            errors["national_id"] = gettext(
                "Employee %(code)s already has this citizen ID."
            ) % {"code": holder}
        if errors:
            return errors
        instance._import_plan = plan = []
        position, grade = cells["position_code"], cells["grade_code"]
        step, since = cells["salary_step"], cells["step_since"]
        if position is not None:
            errors.update(self._plan_assignment(instance, position, since, plan))
        if grade is not None or step is not None:
            errors.update(self._plan_grade(instance, grade, step, since, plan))
        elif since is not None:
            errors["step_since"] = gettext(
                "step_since is the date of grade_code and salary_step, which are blank."
            )
        return errors

    def _plan_assignment(self, employee, position, since, plan) -> dict[str, str]:
        if employee.unit_id is not None and position.unit_id != employee.unit_id:
            return {
                "position_code": gettext(
                    "Position %(position)s belongs to unit %(position_unit)s, not "
                    "to %(unit)s (unit_code)."
                )
                % {
                    "position": position.code,
                    "position_unit": position.unit.code,
                    "unit": employee.unit.code,
                }
            }
        if getattr(employee, "current_position_id", None) == position.pk:
            return {}  # already held: nothing to record
        starts_on = employee.joined_on or since
        if starts_on is None:
            return {
                "position_code": gettext(
                    "The assignment starts on joined_on (or step_since): give one "
                    "of them."
                )
            }

        def assign(saved: Employee) -> None:
            assign_position(employee=saved, position=position, starts_on=starts_on)

        plan.append((starts_on, 1, "position_code", assign))
        return {}

    def _plan_grade(self, employee, grade, step, since, plan) -> dict[str, str]:
        if grade is None or step is None:
            missing = "grade_code" if grade is None else "salary_step"
            return {
                missing: gettext("grade_code and salary_step go together: give both.")
            }
        since = since or employee.joined_on
        if since is None:
            return {
                "step_since": gettext(
                    "Give step_since (or joined_on): the date grade_code and "
                    "salary_step take effect."
                )
            }
        current_grade = getattr(employee, "current_grade_id", None)
        current_step = getattr(employee, "current_step", None)
        if current_grade == grade.pk and current_step == step:
            current_since = employee.current_step_since
            if current_since == since:
                return {}  # already recorded: nothing to do
            return {
                "step_since": gettext(
                    "Grade %(grade)s step %(step)s is recorded from %(date)s; a "
                    "different date is a correction made on the employee's page."
                )
                % {
                    "grade": grade.code,
                    "step": step,
                    "date": current_since.strftime("%d/%m/%Y"),
                }
            }
        within = rules.step_within_scale(grade, step, since)
        if not within:
            return {"salary_step": within.message}
        if current_grade is None:
            reason = GradeHistory.Reason.APPOINTMENT
        elif current_grade != grade.pk:
            reason = GradeHistory.Reason.GRADE_CHANGE
        elif step == (current_step or 0) + 1:
            reason = GradeHistory.Reason.REGULAR_RAISE
        else:
            reason = GradeHistory.Reason.CORRECTION

        def record(saved: Employee) -> None:
            record_grade_step(
                employee=saved,
                grade=grade,
                salary_step=step,
                effective_on=since,
                reason=reason,
            )

        # On the same date the grade goes first, so the assignment checks it.
        plan.append((since, 0, "grade_code", record))
        return {}

    def do_instance_save(self, instance: Employee, is_create: bool) -> None:
        changes = {}
        if not is_create:
            stored = instance._import_stored
            now = _values(instance, self.service_fields)
            changes = {
                name: getattr(instance, name)
                for name in self.service_fields
                if now[name] != stored[name]
            }
        plan = sorted(getattr(instance, "_import_plan", []), key=lambda w: w[:2])
        if not (is_create or changes or plan):
            return  # the same row again
        # One savepoint for the row: import-export catches a refusal inside its
        # own per-row savepoint and releases it, which would keep the employee
        # created before the refused assignment.
        with transaction.atomic(using=self.get_db_connection_name()):
            if is_create:
                saved = create_employee(
                    employee_code=instance.employee_code,
                    **{name: getattr(instance, name) for name in self.service_fields},
                )
                instance.pk = saved.pk
            elif changes:
                saved = update_employee(
                    instance, expected_version=instance.version, **changes
                )
            else:
                saved = instance
            # In date order: the later write is checked against the earlier one.
            for _on, _order, column, write in plan:
                _under_column(column, write, saved)


@register("ratings")
class RatingResource(ImportResource):
    """Historic annual ratings: employee_code, year, level, [note].

    Keyed by (employee_code, year); written through record_annual_rating() with
    source "imported". A rating computed by the appraisal is not replaced by an
    import.
    """

    employee_code = Field(
        attribute="employee",
        column_name="employee_code",
        widget=CodeWidget(
            Employee, _("Unknown employee “%(code)s”."), field="employee_code"
        ),
    )
    required_columns = ("employee_code", "year", "level")
    clean_exclude = ("employee",)

    class Meta:
        model = AnnualRating
        fields = ("employee_code", "year", "level", "note")
        import_id_fields = ("employee_code", "year")

    def get_queryset(self):
        return AnnualRating.objects.select_related("employee").order_by(
            "employee__employee_code", "year"
        )

    def before_import(self, dataset, **kwargs) -> None:
        codes = sorted(
            {str(code).strip() for code in dataset["employee_code"]} - {""}
            if "employee_code" in dataset.headers
            else set()
        )
        employees = []
        for start in range(0, len(codes), CHUNK):
            chunk = codes[start : start + CHUNK]
            employees += Employee.objects.filter(employee_code__in=chunk)
        self.fields["employee_code"].widget.load(employees)
        self._ratings = {}
        for start in range(0, len(employees), CHUNK):
            chunk = employees[start : start + CHUNK]
            for rating in AnnualRating.objects.filter(employee__in=chunk):
                self._ratings[(rating.employee_id, rating.year)] = rating
        super().before_import(dataset, **kwargs)

    def get_instance(self, instance_loader, row):
        try:
            employee = self.fields["employee_code"].clean(row)
            year = self.fields["year"].clean(row)
        except (ValueError, KeyError):
            return None  # the row's own checks report it
        return self._ratings.get((employee.pk, year)) if employee else None

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        instance._import_stored = None if new else _values(instance, ("level", "note"))
        instance._import_source = None if new else instance.source

    def clean_row(self, instance: AnnualRating, row: dict[str, str]) -> dict[str, str]:
        errors = {}
        this_year = timezone.localdate().year
        if instance.year is not None and not 1945 <= instance.year <= this_year:
            errors["year"] = gettext(
                "%(year)s is not a year from 1945 to %(this_year)s."
            ) % {"year": instance.year, "this_year": this_year}
        if instance._import_source == AnnualRating.Source.COMPUTED:
            errors["year"] = gettext(
                "The %(year)s rating of %(employee)s was computed by the appraisal; "
                "an import does not replace it."
            ) % {"year": instance.year, "employee": instance.employee.employee_code}
        return errors

    def do_instance_save(self, instance: AnnualRating, is_create: bool) -> None:
        if (
            not is_create
            and instance._import_source == AnnualRating.Source.IMPORTED
            and _values(instance, ("level", "note")) == instance._import_stored
        ):
            return  # the same rating again
        with transaction.atomic(using=self.get_db_connection_name()):
            saved = _under_column(
                "year",
                lambda employee: record_annual_rating(
                    employee=employee,
                    year=instance.year,
                    level=instance.level,
                    source=AnnualRating.Source.IMPORTED,
                    decided_on=instance.decided_on,
                    note=instance.note,
                ),
                instance.employee,
            )
        instance.pk = saved.pk


def _values(instance, names) -> dict[str, Any]:
    """The stored form of some fields (a foreign key by its id), to compare."""
    meta = instance._meta
    return {name: getattr(instance, meta.get_field(name).attname) for name in names}


# A service names the model's fields; the rejection names the file's columns.
_COLUMNS = {
    "grade": "grade_code",
    "position": "position_code",
    "employee": "employee_code",
    "unit": "unit_code",
}


def _under_column(column: str, write: Callable[[Any], Any], target: Any) -> Any:
    """Run a service; a refusal without a field is reported under `column`."""
    try:
        return write(target)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise ValidationError({column: exc.error_list}) from exc
        raise ValidationError(
            {
                column if key == NON_FIELD_ERRORS else _COLUMNS.get(key, key): errors
                for key, errors in exc.error_dict.items()
            }
        ) from exc
