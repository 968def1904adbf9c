"""The world of the permission matrix, built once per test module.

    SEC        Tỉnh Kiểm thử (agency): the common parent
    ├── SEC-A  Sở A (agency): the unit every role user is granted on
    └── SEC-B  Sở B (agency): its sibling, where the out-of-scope objects live

Each kind of record exists once in each unit (`world.obj(kind, "in" | "out")`).
The users: one per role granted on SEC-A, `sibling` (HR on SEC-B) and `expired`
(HR on SEC-A until yesterday). The data is written inside one transaction that
is rolled back after the module; each test runs in its own savepoint on top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from hrms.models import Role, RoleGrant
from hrms.roles import ensure_user, grant_role
from positions.models import OrgUnit
from tests.factories import (
    make_application,
    make_appointment_decision,
    make_council,
    make_cycle,
    make_decided_case,
    make_discipline_case,
    make_discipline_reference_data,
    make_dossier,
    make_drive,
    make_drive_vacancy,
    make_employee,
    make_position,
    make_procedure,
    make_reference_data,
    make_scoring_rules,
    make_task,
    make_unit,
)

# The users of the matrix, by the name the matrix uses.
ROLE_USERS = ("staff", "counter", "manager", "hr", "inspector", "admin")
NOTICE = dt.date(2026, 1, 5)


@dataclass
class World:
    root: OrgUnit
    units: dict[str, OrgUnit]  # "in" -> SEC-A, "out" -> SEC-B
    users: dict[str, object]
    objects: dict[tuple[str, str], object] = field(default_factory=dict)

    def obj(self, kind: str, scope: str):
        return self.objects[(kind, scope)]

    def add(self, kind: str, scope: str, value) -> None:
        self.objects[(kind, scope)] = value


def _user(username: str, role: str | None = None, unit=None, **grant):
    user = ensure_user(username=username)
    if role:
        grant_role(user=user, role=role, unit=unit, **grant)
    return user


def _build_unit_objects(world: World, scope: str, inspector, owner) -> None:
    """One record of each kind in the unit of this scope; its inspection case is
    `inspector`'s, its background job `owner`'s."""
    from django.core.files.base import ContentFile

    from appraisals.models import (
        ApologySlip,
        Appraisal,
        Complaint,
        ReformPlan,
        ReformPlanItem,
    )
    from hrms.models import Job
    from recruitment.models import ConflictHint, InspectionCase, RemarkRequest
    from staff.models import Suspension

    unit = world.units[scope]
    tag = unit.code
    add = world.add
    add("unit", scope, unit)

    position = make_position(unit, f"{tag}-VT01", headcount=2)
    add("position", scope, position)
    employee = make_employee(unit, f"{tag}-E01", full_name="Trần Thị Bình")
    add("employee", scope, employee)

    case = make_discipline_case(employee, detected_on=dt.date(2026, 3, 1))
    suspension = Suspension.objects.create(
        case=case, kind="illness", starts_on=dt.date(2026, 3, 10)
    )
    add("discipline_case", scope, case)
    add("suspension", scope, suspension)
    other = make_employee(unit, f"{tag}-E02", full_name="Lê Văn Cường")
    add("decided_case", scope, make_decided_case(other, decided_on=dt.date(2026, 2, 1)))

    procedure = make_procedure(f"SEC.{tag}", 5, unit=unit)
    received = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))  # noqa: DTZ001
    dossier = make_dossier(procedure, unit, f"{tag}-HS-0001", received_at=received)
    slip = ApologySlip.objects.create(
        dossier=dossier,
        issued_at=dossier.due_at - dt.timedelta(days=2),
        reason="Chờ xác minh",
        previous_due_at=dossier.due_at,
        new_due_at=dossier.due_at + dt.timedelta(days=3),
    )
    add("dossier", scope, dossier)
    add("apology_slip", scope, slip)

    drive = make_drive(unit, f"{tag}-TD", status="round_2", published_on=NOTICE)
    vacancy = make_drive_vacancy(drive, position, 1)
    application = make_application(
        drive,
        vacancy,
        eligibility="eligible",
        round_1_percent=Decimal("70"),
        round_2_score=Decimal("80"),
    )
    council = make_council(drive)
    member = council.members.order_by("pk").first()
    hint = ConflictHint.objects.create(
        member=member, application=application, code="same_commune", message="?"
    )
    remark = RemarkRequest.objects.create(
        application=application, part="round_1", requested_on=dt.date(2026, 3, 1)
    )
    add("drive", scope, drive)
    add("drive_vacancy", scope, vacancy)
    add("application", scope, application)
    add("council_member", scope, member)
    add("hint", scope, hint)
    add("remark", scope, remark)
    add("decision", scope, make_appointment_decision(employee, unit=unit))
    add(
        "inspection_case",
        scope,
        InspectionCase.objects.create(
            inspector=inspector,
            unit=unit,
            title=f"Thanh tra tuyển dụng {tag}",
            period_from=dt.date(2026, 1, 1),
            period_to=dt.date(2026, 6, 30),
        ),
    )

    cycle = make_cycle(unit, 2026)
    appraisal = Appraisal.objects.create(
        cycle=cycle,
        employee=employee,
        unit=unit,
        task_group="professional",
        regime="decree_335_2025",
        rule_version="ND335-2025",
    )
    add("cycle", scope, cycle)
    add("appraisal", scope, appraisal)
    add(
        "complaint",
        scope,
        Complaint.objects.create(
            appraisal=appraisal, filed_on=dt.date(2026, 12, 20), text="Khiếu nại"
        ),
    )
    task = make_task(employee, f"{tag}-T01", period="2026-03")
    add("task", scope, task)
    plan = ReformPlan.objects.create(unit=unit, year=2026, title="Kế hoạch CCHC")
    add("reform_plan", scope, plan)
    add(
        "reform_item",
        scope,
        ReformPlanItem.objects.create(
            plan=plan, title="Số hóa hồ sơ", responsible_unit=unit
        ),
    )

    job = Job.objects.create(kind="export", owner=owner, unit=unit)
    job.result.save("ket-qua.csv", ContentFile(b"code\n"), save=False)
    job.result_name = "ket-qua.csv"
    job.save()
    add("job", scope, job)


def build_world() -> World:
    make_reference_data()
    make_discipline_reference_data()
    make_scoring_rules()
    root = make_unit("SEC", "Tỉnh Kiểm thử", kind=OrgUnit.Kind.AGENCY)
    unit_a = make_unit("SEC-A", "Sở A", parent=root, kind=OrgUnit.Kind.AGENCY)
    unit_b = make_unit("SEC-B", "Sở B", parent=root, kind=OrgUnit.Kind.AGENCY)
    for unit in (root, unit_a, unit_b):
        unit.refresh_from_db()
    users = {role: _user(f"sec_{role}", role, unit_a) for role in ROLE_USERS}
    users["sibling"] = _user("sec_sibling", Role.HR, unit_b)
    users["expired"] = _user("sec_expired", Role.HR, unit_a)
    RoleGrant.objects.filter(user=users["expired"]).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    # Back office: an administrator is the only one let into /admin/.
    type(users["admin"]).objects.filter(pk=users["admin"].pk).update(is_staff=True)
    users["admin"].is_staff = True
    inspector_b = _user("sec_inspector_b", Role.INSPECTOR, unit_b)

    world = World(root=root, units={"in": unit_a, "out": unit_b}, users=users)
    _build_unit_objects(world, "in", users["inspector"], users["hr"])
    _build_unit_objects(world, "out", inspector_b, users["sibling"])
    # The staff member's own personnel file, in SEC-A.
    own = make_employee(
        unit_a, "SEC-A-OWN", full_name="Phạm Văn Dũng", user=users["staff"]
    )
    world.add("employee", "own", own)
    # A draft drive is never public.
    world.add("public_drive", "in", world.obj("drive", "in"))
    world.add("public_drive", "out", make_drive(unit_b, "SEC-B-NHAP"))
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, written once for the module and rolled back after it; job
    files go to a temporary media folder."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    with media, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def sessions(world, django_db_blocker) -> dict[str, str]:
    """A session cookie per user, made once (inside the world's transaction)."""
    cookies = {}
    with django_db_blocker.unblock():
        for principal, user in world.users.items():
            client = Client()
            client.force_login(user)
            cookies[principal] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies
