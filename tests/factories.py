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


def make_discipline_reference_data() -> None:
    """Reload the discipline rule tables when a flushing test emptied them."""
    import importlib

    from django.apps import apps

    from staff.models import DisciplineFormRule

    if DisciplineFormRule.objects.exists():
        return
    importlib.import_module("staff.migrations.0003_load_discipline_rules").load(
        apps, None
    )


def make_discipline_case(
    employee,
    *,
    detected_on,
    violations=None,
    severity: str = "less_serious",
    **overrides,
):
    """An open discipline case saved directly (no rule checks).

    `violations` is a list of (occurred_on, description) or dicts; by default one
    violation 30 days before the detection.
    """
    import datetime as dt

    from staff.models import DisciplineCase, Violation

    case = DisciplineCase.objects.create(
        employee=employee, detected_on=detected_on, severity=severity, **overrides
    )
    if violations is None:
        violations = [(detected_on - dt.timedelta(days=30), "Vi phạm quy chế làm việc")]
    for item in violations:
        data = (
            item
            if isinstance(item, dict)
            else {"occurred_on": item[0], "description": item[1]}
        )
        Violation.objects.create(case=case, **data)
    return case


def make_decided_case(
    employee,
    form: str = "reprimand",
    *,
    decided_on,
    effective_on=None,
    occurred_on=None,
    **overrides,
):
    """A discipline decision in force, saved directly (no rule checks)."""
    import datetime as dt

    occurred_on = occurred_on or decided_on - dt.timedelta(days=60)
    return make_discipline_case(
        employee,
        detected_on=overrides.pop("detected_on", occurred_on + dt.timedelta(days=10)),
        violations=[(occurred_on, overrides.pop("description", "Vi phạm kỷ luật"))],
        status=overrides.pop("status", "decided"),
        form=form,
        decided_on=decided_on,
        effective_on=effective_on or decided_on,
        decision_number=overrides.pop("decision_number", "1/QĐ-KL"),
        signer=overrides.pop("signer", "Trần Văn Bình"),
        **overrides,
    )


# Recruitment and appointments -------------------------------------------------


def make_citizen_id(gender: str = "M", year: int = 1995) -> str:
    """A well-formed, unique 12-digit citizen ID for a gender and birth year."""
    century_code = (year // 100 - 19) * 2 + (0 if gender == "M" else 1)
    return f"001{century_code}{year % 100:02d}{next(_codes):06d}"


def make_drive(
    unit,
    code: str | None = None,
    *,
    status: str = "draft",
    published_on=None,
    window_days: int = 30,
    channels=("mass_media", "agency_portal", "office_posting"),
    **overrides,
):
    """A drive saved directly; when published, a window of `window_days` and a
    proof row for each of `channels` on the notice date."""
    import datetime as dt

    from recruitment.models import NoticeChannel, RecruitmentDrive

    fields = {
        "code": code or f"TD-{next(_codes):04d}",
        "title": "Tuyển dụng công chức",
        "unit": unit,
        "method": "exam",
        "status": status,
        "notice_text": "Thông báo tuyển dụng công chức năm 2026",
        "conditions": "Tốt nghiệp đại học chuyên ngành phù hợp",
        "contact": "Phòng Tổ chức cán bộ, 0203 3825 111",
        "schedule_note": "Vòng 1 thi trên máy tính tại trụ sở",
    }
    if published_on is not None:
        fields.update(
            published_on=published_on,
            applications_open_on=published_on,
            applications_close_on=published_on + dt.timedelta(days=window_days),
            legal_basis="decree_170_2025",
        )
    fields.update(overrides)
    drive = RecruitmentDrive.objects.create(**fields)
    if published_on is not None:
        for channel in channels:
            NoticeChannel.objects.create(
                drive=drive,
                channel=channel,
                evidence=f"Bằng chứng đăng {channel}",
                published_on=published_on,
            )
    return drive


def make_drive_vacancy(drive, position, number: int = 1):
    from recruitment.models import DriveVacancy

    return DriveVacancy.objects.create(drive=drive, position=position, number=number)


def make_application(drive, vacancy, *, gender: str = "M", **overrides):
    """An application saved directly (no window or score checks)."""
    import datetime as dt

    from recruitment.models import Application

    number = next(_codes)
    birth = overrides.pop("date_of_birth", dt.date(1995, 5, 5))
    fields = {
        "drive": drive,
        "vacancy": vacancy,
        "number": f"HS{number:05d}",
        "national_id": make_citizen_id(gender, birth.year),
        "full_name": f"Lê Văn Thí Sinh {number}",
        "date_of_birth": birth,
        "gender": gender,
        "home_commune": "Xã Hòa Bình",
        "submitted_on": drive.applications_open_on or dt.date(2026, 1, 5),
    }
    fields.update(overrides)
    return Application.objects.create(**fields)


def make_council(drive, members=None, *, decided_on=None, size: int = 5):
    """A council saved directly: `members` is a list of (role, employee or
    external name); by default `size` external members with the usual roles."""
    import datetime as dt

    from recruitment.models import Council, CouncilMember

    decided_on = decided_on or dt.date(2026, 3, 1)
    council = Council.objects.create(
        drive=drive, decision_number=f"{next(_codes)}/QĐ-HĐTD", decided_on=decided_on
    )
    if members is None:
        roles = ["chair", "vice_chair", "secretary"] + ["member"] * (size - 3)
        members = [(role, f"Ủy viên Ngoài {i}") for i, role in enumerate(roles)]
    for role, person in members:
        is_name = isinstance(person, str)
        CouncilMember.objects.create(
            council=council,
            role=role,
            employee=None if is_name else person,
            external_name=person if is_name else "",
            full_name=person if is_name else person.full_name,
            appointed_on=decided_on,
        )
    return council


def make_appointment_decision(employee, *, kind: str = "appointment", **overrides):
    """A decision saved directly with an empty (passing) eligibility snapshot."""
    import datetime as dt

    from recruitment.models import AppointmentDecision

    decided_on = overrides.pop("decided_on", dt.date(2026, 1, 10))
    fields = {
        "kind": kind,
        "employee": employee,
        "unit": overrides.pop("unit", employee.unit),
        "decision_number": f"{next(_codes)}/QĐ-UBND",
        "decided_on": decided_on,
        "signer": "Chủ tịch UBND tỉnh",
        "effective_on": decided_on,
        "eligibility_snapshot": {"rules": []},
        "is_eligible": True,
    }
    fields.update(overrides)
    return AppointmentDecision.objects.create(**fields)


# Annual appraisal -----------------------------------------------------------------


def make_scoring_rules() -> None:
    """Reload the scoring rule sets when a flushing test emptied them."""
    import importlib

    from django.apps import apps

    from appraisals.models import ScoringRuleSet

    if ScoringRuleSet.objects.exists():
        return
    importlib.import_module("appraisals.migrations.0003_load_scoring_rules").load(
        apps, None
    )


def scoring_rules(code: str = "ND335-2025"):
    """A rule set of the data migration as plain data, without the database."""
    import importlib

    from appraisals.scoring import RuleSet

    module = importlib.import_module("appraisals.migrations.0003_load_scoring_rules")
    row = next(r for r in module.RULESETS if r["code"] == code)
    return RuleSet(
        code=row["code"],
        regime=row["regime"],
        staff_types=tuple(row["staff_types"]),
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        citation=row["citation"],
        params=row["params"],
        unverified=tuple(row["unverified"]),
    )


def make_task(assignee, code: str | None = None, *, period: str = "2026-03", **fields):
    """A task saved directly (no rule checks); due the 20th of its period's month
    unless given."""
    import datetime as dt
    from decimal import Decimal

    from appraisals.models import Task
    from appraisals.scoring import parse_period

    first = parse_period(period).first_day
    values = {
        "code": code or f"T-{next(_codes):05d}",
        "assignee": assignee,
        "period": period,
        "title": fields.pop("title", "Soạn thảo văn bản"),
        "due_on": fields.pop("due_on", first + dt.timedelta(days=19)),
        "weight": Decimal(str(fields.pop("weight", 1))),
    }
    values.update(fields)
    return Task.objects.create(**values)


def make_cycle(unit, year: int = 2026, **fields):
    """An appraisal cycle saved directly, deadline 15 December unless given."""
    import datetime as dt

    from appraisals.models import AppraisalCycle

    fields.setdefault("deadline_on", dt.date(year, 12, 15))
    return AppraisalCycle.objects.create(unit=unit, year=year, **fields)
