"""The read endpoints of staff and positions (scoped like the web, citizen IDs
masked for roles other than HR and administrators) and the OpenAPI schema."""

import datetime as dt

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    make_assignment,
    make_employee,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


def _client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    return client


@pytest.fixture
def people(units):
    lan = make_employee(
        units.ccvc, "S001", full_name="Bùi Thị Lan", national_id="034186001234"
    )
    make_employee(units.syt, "Y001", full_name="Phạm Văn Y", national_id="001090000001")
    position = make_position(units.ccvc, "CCVC-CV", headcount=2)
    make_position(units.syt, "SYT-CV")
    make_assignment(lan, position, starts_on=dt.date(2020, 1, 1))
    return units


def test_staff_are_scoped_and_ids_masked_for_leaders(people, users):
    body = _client(users.manager).get("/api/v1/staff/").json()
    assert [e["employee_code"] for e in body["results"]] == ["S001"]
    (lan,) = body["results"]
    assert lan["national_id"] == "•••••••••234"
    assert lan["unit"] == "P01-SNV-CCVC"
    hr = _client(users.hr).get("/api/v1/staff/S001/").json()
    assert hr["national_id"] == "034186001234"
    admin = _client(users.admin).get("/api/v1/staff/", {"unit": "P01-SYT"}).json()
    assert [e["employee_code"] for e in admin["results"]] == ["Y001"]
    assert admin["results"][0]["national_id"] == "001090000001"


def test_staff_outside_the_scope_are_404_and_counters_get_403(people, users):
    assert _client(users.manager).get("/api/v1/staff/Y001/").status_code == 404
    assert _client(users.counter).get("/api/v1/staff/").status_code == 403
    assert APIClient().get("/api/v1/staff/").status_code == 401


def test_positions_are_scoped_with_their_seats(people, users):
    body = _client(users.manager).get("/api/v1/positions/").json()
    assert [p["code"] for p in body["results"]] == ["CCVC-CV"]
    (position,) = body["results"]
    assert (position["headcount"], position["filled"], position["vacant"]) == (2, 1, 1)
    assert position["grade"] == "01.003"
    admin = _client(users.admin)
    assert [
        p["code"]
        for p in admin.get("/api/v1/positions/", {"unit": "P01-SYT"}).json()["results"]
    ] == ["SYT-CV"]
    assert _client(users.manager).get("/api/v1/positions/SYT-CV/").status_code == 404
    assert _client(users.counter).get("/api/v1/positions/").status_code == 403


@pytest.mark.parametrize("url", ["/api/v1/staff/", "/api/v1/positions/"])
def test_read_lists_have_a_fixed_number_of_queries(people, users, url):
    client = _client(users.admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for i in range(25):
        make_employee(people.ccvc, f"N{i:03d}")
        make_position(people.ccvc, f"CCVC-N{i:02d}")
    assert count() == small <= 6


def test_the_schema_includes_the_endpoints(client, users):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path in (
        "/api/v1/dossiers/",
        "/api/v1/dossiers/{code}/",
        "/api/v1/staff/",
        "/api/v1/staff/{employee_code}/",
        "/api/v1/positions/",
        "/api/v1/positions/{code}/",
    ):
        assert path in paths, path
    push = paths["/api/v1/dossiers/"]["post"]
    # 401/403/415 are DRF's own answers (hrms/api_schema.py documents them).
    assert set(push["responses"]) == {"200", "207", "400", "401", "403", "415"}
    body = push["requestBody"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    parameters = {p["name"] for p in paths["/api/v1/dossiers/"]["get"]["parameters"]}
    assert {"unit", "officer", "received_from", "received_to", "late"} <= parameters


def test_the_schema_is_valid_openapi():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
