"""Query discipline (issue #8, DESIGN.md §5): every list page, dashboard, export
and API list issues the same number of queries whatever the number of rows, and
no more than the budget of 20.

One world is grown in two steps; every screen is read after each step and the
query counts compared. A screen whose count grows with the rows fails, named
with both counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from appraisals import appraisal_services
from appraisals.models import ApologySlip
from hrms.models import AccessLog
from tests.factories import (
    make_application,
    make_appointment_decision,
    make_assignment,
    make_citizen_id,
    make_decided_case,
    make_discipline_case,
    make_discipline_reference_data,
    make_dossier,
    make_drive,
    make_drive_vacancy,
    make_employee,
    make_grade_step,
    make_position,
    make_procedure,
    make_scoring_rules,
    make_step,
    make_task,
    make_unit,
)

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
QUERY_BUDGET = 20  # DESIGN.md §5: any list page or dashboard ≤ 20 queries


@dataclass
class World:
    units: object
    users: object
    drive: object
    procedure: object
    rounds: int = 0


def _at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


def grow(world: World, count: int) -> None:
    """Add `count` rows of every kind the list screens show."""
    world.rounds += 1
    tag = f"R{world.rounds}"
    units = world.units
    vacancy = make_drive_vacancy(
        world.drive, make_position(units.ccvc, f"{tag}-TD", headcount=count)
    )
    counter_officer = make_employee(units.tthcc, f"{tag}-QT")
    for number in range(count):
        code = f"{tag}-{number:03d}"
        sub = make_unit(f"P01-SNV-CCVC-{code}", parent=units.ccvc)
        position = make_position(sub, f"{code}-VT", headcount=2)
        person = make_employee(sub, code, national_id=make_citizen_id())
        make_assignment(person, position, starts_on=dt.date(2020, 1, 1))
        make_grade_step(person, step=2, effective_on=dt.date(2023, 1, 1))
        make_discipline_case(person, detected_on=dt.date(2026, 9, 1))
        make_decided_case(person, decided_on=dt.date(2025, 6, 1))
        make_appointment_decision(person)
        make_application(world.drive, vacancy)
        make_task(person, f"T-{code}", completed_on=dt.date(2026, 3, 25))
        dossier = make_dossier(
            world.procedure,
            units.tthcc,
            f"HS-{code}",
            received_at=_at(2026, 3, 2, 9),
            receiving_officer=counter_officer,
        )
        make_step(
            dossier,
            1,
            person,
            started_at=_at(2026, 3, 2, 9),
            due_at=_at(2026, 3, 4, 17),
            finished_at=_at(2026, 3, 10, 9),
        )
        ApologySlip.objects.create(
            dossier=dossier,
            issued_at=_at(2026, 3, 5, 9),
            previous_due_at=dossier.due_at,
            new_due_at=dossier.due_at + dt.timedelta(days=5),
            issued_by=world.users.counter,
        )
        AccessLog.objects.create(
            user=world.users.inspector,
            role="inspector",
            object_type="staff.employee",
            object_id=str(person.pk),
            object_repr=code,
            path=f"/staff/{person.pk}/",
        )
    cycle = appraisal_services.get_or_open_cycle(unit=units.root, year=2026)
    appraisal_services.compute_cycle(cycle=cycle, as_of=_at(2026, 11, 27, 17))


@pytest.fixture
def world(units, users, holidays_2026) -> World:
    make_scoring_rules()
    make_discipline_reference_data()
    drive = make_drive(units.snv, status="published", published_on=dt.date(2026, 1, 5))
    return World(
        units=units, users=users, drive=drive, procedure=make_procedure(code="1.0001")
    )


@pytest.fixture
def holidays_2026(db):
    from hrms.models import Holiday

    Holiday.objects.create(date=dt.date(2026, 1, 1), name="Tết Dương lịch")


def screens(world: World) -> list[tuple[str, str, str]]:
    """(label, who, url) of every list page, dashboard, export and API list."""
    drive = world.drive.pk
    return [
        ("home", "admin", reverse("home")),
        ("access log", "admin", reverse("access_log")),
        ("units", "admin", reverse("positions:unit_list")),
        ("positions", "admin", reverse("positions:position_list")),
        ("vacancies", "admin", reverse("positions:vacancy_list")),
        ("establishment", "admin", reverse("positions:establishment_report")),
        ("establishment xlsx", "admin", reverse("positions:establishment_xlsx")),
        ("staff", "admin", reverse("staff:employee_list")),
        ("staff filtered", "hr", reverse("staff:employee_list") + "?q=R"),
        ("discipline cases", "admin", reverse("staff:discipline_case_list")),
        ("raises due", "admin", reverse("staff:raise_due_list")),
        ("raises due xlsx", "admin", reverse("staff:raise_due_export")),
        ("early raises", "admin", reverse("staff:early_raise_list")),
        ("drives", "admin", reverse("recruitment:drive_list")),
        (
            "applications",
            "admin",
            reverse("recruitment:application_list", args=[drive]),
        ),
        ("merit list", "admin", reverse("recruitment:merit_list", args=[drive])),
        ("appointments", "admin", reverse("recruitment:decision_list")),
        ("term alerts", "admin", reverse("recruitment:term_alerts")),
        ("inspection cases", "admin", reverse("recruitment:inspection_case_list")),
        ("public drives", "anonymous", reverse("public:drive_list")),
        ("public drive", "anonymous", reverse("public:drive_detail", args=[drive])),
        ("public appointments", "anonymous", reverse("public:appointment_list")),
        ("dossiers", "admin", reverse("appraisals:dossier_list")),
        ("dossiers at risk", "admin", reverse("appraisals:dossier_at_risk")),
        ("indicators", "admin", reverse("appraisals:indicator_report")),
        ("indicators xlsx", "admin", reverse("appraisals:indicator_report_xlsx")),
        ("api dossiers", "api", "/api/v1/dossiers/"),
        ("api staff", "api", "/api/v1/staff/"),
        ("api positions", "api", "/api/v1/positions/"),
        ("api appraisals", "api", "/api/v1/appraisals/"),
    ]


def _clients(users) -> dict[str, Client]:
    admin = Client()
    admin.force_login(users.admin)
    hr = Client()
    hr.force_login(users.hr)
    api = Client(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=users.admin)[0]}"
    )
    return {"admin": admin, "hr": hr, "api": api, "anonymous": Client()}


# Screens that list the grown rows themselves: the second round must be on them,
# or an unchanged count would prove nothing.
SHOWS_THE_ROWS = {
    "staff": "R2-",
    "discipline cases": "R2-",
    "dossiers": "HS-R2-",
    "positions": "R2-",
    "api staff": "R2-",
    "api appraisals": "R2-",
    "access log": "R2-",
}


def _measure(world: World, clients: dict[str, Client]) -> dict[str, int]:
    counts = {}
    for label, who, url in screens(world):
        client = clients[who]
        client.get(url)  # warm caches that are per process, not per row
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, f"{label}: {response.status_code}"
        counts[label] = len(queries.captured_queries)
        if world.rounds > 1 and label in SHOWS_THE_ROWS:
            assert SHOWS_THE_ROWS[label] in response.content.decode(), label
    return counts


def test_list_screens_cost_the_same_queries_whatever_the_row_count(world):
    clients = _clients(world.users)
    with timezone.override(HCM):
        grow(world, 2)
        few = _measure(world, clients)
        grow(world, 8)
        many = _measure(world, clients)
    grown = {
        label: (few[label], many[label]) for label in few if few[label] != many[label]
    }
    assert not grown, f"query count grows with the rows (2 → 10 rows): {grown}"
    over = {label: count for label, count in many.items() if count > QUERY_BUDGET}
    assert not over, f"over the budget of {QUERY_BUDGET} queries: {over}"
