"""Plain `make_<model>(**overrides)` helpers shared by the tests."""

from __future__ import annotations

from positions.models import OrgUnit


def make_unit(
    code: str,
    name: str | None = None,
    *,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.DEPARTMENT,
) -> OrgUnit:
    fields = {"code": code, "name": name or f"Đơn vị {code}", "kind": kind}
    if parent is None:
        return OrgUnit.objects.add_root(fields)
    parent.refresh_from_db()  # treebeard needs the parent's current numchild
    return OrgUnit.objects.add_child(parent, fields)


def _numbers():
    number = 0
    while True:
        number += 1
        yield number


_codes = _numbers()


def make_position(
    unit: OrgUnit,
    code: str | None = None,
    *,
    grade: str = "01.003",
    headcount: int = 1,
    group: str = "professional",
    **overrides,
):
    """A job position saved directly (no ledger entry); grade given by its code."""
    from positions.models import Grade, JobPosition

    fields = {
        "unit": unit,
        "code": code or f"{unit.code}-VT{next(_codes):03d}",
        "title": overrides.pop("title", "Chuyên viên"),
        "group": group,
        "grade": Grade.objects.get(code=grade),
        "headcount": headcount,
    }
    return JobPosition.objects.create(**fields, **overrides)


def make_employee(
    unit: OrgUnit,
    code: str | None = None,
    *,
    staff_type: str = "cong_chuc",
    **overrides,
):
    """An employee saved directly, born 1990, joined 2015, no citizen ID."""
    import datetime as dt

    from staff.models import Employee

    fields = {
        "employee_code": code or f"E{next(_codes):05d}",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": dt.date(1990, 1, 1),
        "gender": "M",
        "staff_type": staff_type,
        "unit": unit,
        "joined_on": dt.date(2015, 1, 1),
    }
    fields.update(overrides)
    return Employee.objects.create(**fields)


def make_grade_step(
    employee,
    grade: str = "01.003",
    step: int = 1,
    *,
    effective_on=None,
    reason: str = "appointment",
):
    """A grade-history row with the coefficient of the scale (no rule checks)."""
    import datetime as dt

    from positions.models import Grade
    from positions.rules import coefficient_for
    from staff.models import GradeHistory

    grade_obj = Grade.objects.get(code=grade)
    effective_on = effective_on or dt.date(2015, 1, 1)
    return GradeHistory.objects.create(
        employee=employee,
        grade=grade_obj,
        salary_step=step,
        coefficient=coefficient_for(grade_obj, step, effective_on),
        effective_on=effective_on,
        reason=reason,
    )


def make_assignment(employee, position, *, starts_on=None, ends_on=None, **overrides):
    """An assignment saved directly, bypassing the quota and grade checks."""
    import datetime as dt

    from staff.models import Assignment

    return Assignment.objects.create(
        employee=employee,
        position=position,
        starts_on=starts_on or dt.date(2020, 1, 1),
        ends_on=ends_on,
        **overrides,
    )


def make_reference_data() -> None:
    """Reload the grade and pay tables when a flushing test emptied them.

    They come from data migrations, which a TransactionTestCase-style flush
    (transaction=True) wipes for every later test in the session.
    """
    import importlib

    from django.apps import apps

    from positions.models import Grade

    if Grade.objects.exists():
        return
    for name in ("0003_load_salary_scales", "0004_load_grades"):
        importlib.import_module(f"positions.migrations.{name}").load(apps, None)


def make_procedure(code: str = "1.000893", processing_days: int = 5, **overrides):
    """A procedure of the catalogue (default: marriage registration, 5 days)."""
    from appraisals.models import Procedure

    fields = {"name": overrides.pop("name", f"Thủ tục {code}")}
    fields.update(overrides)
    return Procedure.objects.create(
        code=code, processing_days=processing_days, **fields
    )


def make_dossier(procedure, unit, code: str | None = None, *, received_at, **overrides):
    """A dossier saved directly; due_at computed from the procedure unless given."""
    from appraisals.models import Dossier
    from appraisals.rules import dossier_due_at
    from hrms.calendar import holiday_set

    if "due_at" not in overrides:
        first = received_at.date()
        holidays = holiday_set(first, first.replace(year=first.year + 1))
        overrides["due_at"] = dossier_due_at(
            received_at, procedure.processing_days, holidays=holidays
        ).at
    return Dossier.objects.create(
        code=code or f"000.00.34.H01-260310-{next(_codes):04d}",
        procedure=procedure,
        unit=unit,
        received_at=received_at,
        **overrides,
    )


def make_step(dossier, seq: int, officer, *, started_at, due_at, **overrides):
    """A dossier step saved directly (name "process" unless given)."""
    from appraisals.models import DossierStep

    return DossierStep.objects.create(
        dossier=dossier,
        seq=seq,
        name=overrides.pop("name", "process"),
        officer=officer,
        unit=overrides.pop("unit", officer.unit),
        started_at=started_at,
        due_at=due_at,
        **overrides,
    )
