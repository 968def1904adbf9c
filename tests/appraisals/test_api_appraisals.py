"""GET /api/v1/appraisals/: scoped like the web (leaders, HR, inspectors of the
unit; everyone their own), filtered, explained, with inspector reads logged and
a number of queries that does not grow with the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appraisals import appraisal_services as svc
from appraisals.models import Appraisal
from hrms.models import AccessLog
from tests.appraisals.conftest import at
from tests.factories import (
    make_assignment,
    make_employee,
    make_position,
    make_scoring_rules,
    make_task,
)

pytestmark = pytest.mark.django_db
D = dt.date
FULL_POINTS = {
    "political_ethics": 4,
    "culture": 4,
    "discipline": 4,
    "competence": 4,
    "responsibility": 4,
    "service_attitude": 4,
    "coordination": 3,
    "innovation": 3,
}


def _client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    return client


def _people(units, count: int, prefix: str, unit=None):
    unit = unit or units.ccvc
    position = make_position(unit, f"{prefix}-POS", headcount=count)
    people = []
    for number in range(count):
        person = make_employee(unit, f"{prefix}{number:03}", full_name="Bùi Thị Lan")
        make_assignment(person, position, starts_on=D(2020, 1, 1))
        make_task(
            person,
            f"T-{prefix}{number:03}",
            due_on=D(2026, 3, 13),
            completed_on=D(2026, 3, 19),
        )
        people.append(person)
    return people


@pytest.fixture
def cycle(units, users, holidays):
    make_scoring_rules()
    lan, *_ = _people(units, 2, "S")
    lan.user = users.staff
    lan.save()
    _people(units, 1, "Y", unit=units.syt)
    cycle = svc.open_cycle(unit=units.root, year=2026)
    svc.compute_cycle(cycle=cycle, as_of=at(2026, 11, 27, 17))
    return cycle


def codes(body) -> list[str]:
    return [row["employee_code"] for row in body["results"]]


def test_leaders_read_their_units_staff_their_own_outsiders_nothing(cycle, users):
    assert codes(_client(users.manager).get("/api/v1/appraisals/").json()) == [
        "S000",
        "S001",
    ]
    assert codes(_client(users.staff).get("/api/v1/appraisals/").json()) == ["S000"]
    assert codes(_client(users.outsider).get("/api/v1/appraisals/").json()) == []
    assert len(codes(_client(users.admin).get("/api/v1/appraisals/").json())) == 3
    assert APIClient().get("/api/v1/appraisals/").status_code == 401


def test_filters_by_unit_year_and_level(cycle, users):
    scored = Appraisal.objects.get(cycle=cycle, employee__employee_code="S001")
    svc.score_general_criteria(
        appraisal=scored, points=FULL_POINTS, expected_version=scored.version
    )
    admin = _client(users.admin)
    assert codes(admin.get("/api/v1/appraisals/", {"unit": "P01-SYT"}).json()) == [
        "Y000"
    ]
    assert codes(admin.get("/api/v1/appraisals/", {"year": 2025}).json()) == []
    rows = admin.get("/api/v1/appraisals/", {"unit": "P01-SNV-CCVC"}).json()
    level = {row["employee_code"]: row["current_level"] for row in rows["results"]}
    assert level["S000"] == "" and level["S001"]
    by_level = admin.get("/api/v1/appraisals/", {"level": level["S001"]}).json()
    assert codes(by_level) == ["S001"]


def test_the_detail_explains_the_score_and_logs_an_inspectors_read(cycle, users):
    row = _client(users.manager).get("/api/v1/appraisals/").json()["results"][0]
    detail = _client(users.inspector).get(f"/api/v1/appraisals/{row['id']}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["employee_code"] == "S000"
    assert "T-S000" in str(body["explanation"])
    assert AccessLog.objects.filter(
        user=users.inspector, object_type="appraisals.appraisal", object_id=row["id"]
    ).exists()
    other = _client(users.admin).get("/api/v1/appraisals/", {"unit": "P01-SYT"})
    outside = other.json()["results"][0]["id"]
    assert _client(users.manager).get(f"/api/v1/appraisals/{outside}/").status_code == (
        404
    )


def test_the_list_costs_the_same_queries_for_more_rows(units, users, holidays):
    make_scoring_rules()
    _people(units, 3, "A")
    cycle = svc.open_cycle(unit=units.root, year=2026)
    svc.compute_cycle(cycle=cycle, as_of=at(2026, 11, 27, 17))
    client = _client(users.manager)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/appraisals/").json()["results"]) == 3
    _people(units, 12, "B")
    svc.compute_cycle(cycle=cycle, as_of=at(2026, 11, 27, 17))
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/v1/appraisals/").json()["results"]) == 15
    assert len(many.captured_queries) == len(few.captured_queries)
