"""The dossier API (DESIGN.md §4.4): batch push with per-item errors, scope, upsert
by code, token auth, the read endpoints and their filters."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from appraisals.models import ApologySlip, CitizenRating, Dossier, DossierStep
from hrms.models import AccessLog
from hrms.roles import grant_role
from tests.appraisals.conftest import at
from tests.factories import make_dossier, make_step

pytestmark = pytest.mark.django_db

LIST = "/api/v1/dossiers/"


def _client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en"
    )
    return client


@pytest.fixture
def system(one_stop, users):
    """The one-stop-shop system's account: a counter grant on the service centre."""
    return _client(users.counter)


def item(code="000.00.34.H01-260310-0001", **fields):
    data = {
        "code": code,
        "procedure_code": "1.000893",
        "unit_code": "P01-TTHCC",
        "received_at": "2026-03-10T08:30:00",
        "channel": "online",
        "receiving_officer": "S003",
        "steps": [
            {
                "seq": 1,
                "name": "receive",
                "officer": "S003",
                "started_at": "2026-03-10T08:30:00",
                "due_at": "2026-03-10T17:00:00",
                "finished_at": "2026-03-10T09:00:00",
            },
            {
                "seq": 2,
                "name": "process",
                "officer": "S001",
                "started_at": "10/03/2026 09:00",
                "due_at": "2026-03-13T17:00:00",
            },
        ],
    }
    data.update(fields)
    return data


# Push ------------------------------------------------------------------------------


def test_a_valid_batch_is_written_with_its_steps(system):
    batch = [item(), item("000.00.34.H01-260310-0002", steps=[], channel=None)]
    response = system.post(LIST, batch, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body == {
        "atomic": False,
        "received": 2,
        "written": 2,
        "rejected": 0,
        "results": [
            {"index": 0, "code": "000.00.34.H01-260310-0001", "result": "created"},
            {"index": 1, "code": "000.00.34.H01-260310-0002", "result": "created"},
        ],
        "errors": [],
    }
    first = Dossier.objects.get(code="000.00.34.H01-260310-0001")
    # Due computed from the procedure: 5 working days after Tue 10/3.
    assert first.due_at == at(2026, 3, 17, 17)
    assert first.channel == "online"
    assert first.receiving_officer.employee_code == "S003"
    steps = list(
        first.steps.order_by("seq").values_list("seq", "officer__employee_code")
    )
    assert steps == [(1, "S003"), (2, "S001")]
    second = Dossier.objects.get(code="000.00.34.H01-260310-0002")
    assert second.channel == "direct"  # the default, as an import gives


def test_a_partly_invalid_batch_writes_the_valid_items(system):
    bad_step = item("BAD-STEP")
    bad_step["steps"][1]["officer"] = "S999"
    bad_step["steps"][0]["finished_at"] = "2026-03-10T08:00:00"
    batch = [
        item("GOOD"),
        item("BAD", procedure_code="9.999999", received_at="2026-13-45T08:00:00"),
        bad_step,
        "not an object",
        item("GOOD", unit_code="P01-TTHCC"),  # the same code twice
    ]
    response = system.post(LIST, batch, format="json")
    assert response.status_code == 400  # GOOD repeats: nothing valid is left
    batch = batch[:4]
    response = system.post(LIST, batch, format="json")
    assert response.status_code == 207
    body = response.json()
    assert (body["received"], body["written"], body["rejected"]) == (4, 1, 3)
    assert body["results"] == [{"index": 0, "code": "GOOD", "result": "created"}]
    errors = {error["index"]: error for error in body["errors"]}
    assert errors[1]["code"] == "BAD"
    assert errors[1]["errors"]["procedure_code"] == ["Unknown procedure “9.999999”."]
    assert "received_at" in errors[1]["errors"]
    assert errors[2]["errors"] == {
        "steps[0].finished_at": [
            "10/03/2026 08:00 precedes started_at 10/03/2026 08:30. "
            "A step cannot finish before it starts."
        ],
        "steps[1].officer": ["Unknown employee “S999”."],
    }
    assert errors[3]["errors"] == {
        "non_field_errors": ["Each dossier must be a JSON object."]
    }
    assert list(Dossier.objects.values_list("code", flat=True)) == ["GOOD"]
    assert DossierStep.objects.count() == 2  # only GOOD's steps


def test_a_code_twice_in_the_batch_is_refused(system):
    response = system.post(LIST, [item("TWICE"), item("TWICE")], format="json")
    assert response.status_code == 400
    messages = response.json()["errors"][0]["errors"]["code"]
    assert messages == ["“TWICE” appears more than once in the batch (items 0, 1)."]


def test_a_step_number_twice_is_refused(system):
    twice = item()
    twice["steps"][1]["seq"] = 1
    response = system.post(LIST, [twice], format="json")
    assert response.status_code == 400
    errors = response.json()["errors"][0]["errors"]
    assert (
        errors["steps[0].seq"]
        == errors["steps[1].seq"]
        == ["Step 1 appears more than once in this dossier."]
    )


def test_an_out_of_scope_unit_is_refused_per_item(system, one_stop):
    make_dossier(
        one_stop.procedures.marriage,
        one_stop.units.xa,
        "STORED-AT-XA",
        received_at=at(2026, 3, 2, 9),
    )
    batch = [
        item("MINE"),
        item("THEIRS", unit_code="P01-XA01"),
        item("STORED-AT-XA"),  # would move a commune's dossier to the centre
    ]
    response = system.post(LIST, batch, format="json")
    assert response.status_code == 207
    errors = {e["code"]: e["errors"] for e in response.json()["errors"]}
    assert errors["THEIRS"] == {"unit_code": ["Unit “P01-XA01” is outside your scope."]}
    assert errors["STORED-AT-XA"] == {
        "code": ["A dossier with this code exists in a unit outside your scope."]
    }
    assert not Dossier.objects.filter(code="THEIRS").exists()
    assert Dossier.objects.get(code="STORED-AT-XA").unit == one_stop.units.xa


def test_a_repost_updates_and_never_duplicates(system):
    assert system.post(LIST, [item()], format="json").status_code == 200
    again = item(
        returned_at="2026-03-16T10:00:00",
        rating="very_satisfied",
        receiving_officer="",  # blank keeps the stored value
    )
    again["steps"][1]["finished_at"] = "2026-03-13T16:00:00"
    again["steps"].append(
        {
            "seq": 3,
            "name": "return",
            "officer": "S003",
            "started_at": "2026-03-16T09:00:00",
            "due_at": "2026-03-17T17:00:00",
            "finished_at": "2026-03-16T10:00:00",
        }
    )
    response = system.post(LIST, [again], format="json")
    assert response.status_code == 200
    assert response.json()["results"][0]["result"] == "updated"
    assert Dossier.objects.count() == 1
    dossier = Dossier.objects.get()
    assert dossier.returned_at == at(2026, 3, 16, 10)
    assert dossier.status == "returned"
    assert dossier.receiving_officer.employee_code == "S003"
    assert CitizenRating.objects.get(dossier=dossier).level == "very_satisfied"
    assert list(dossier.steps.order_by("seq").values_list("seq", "finished_at")) == [
        (1, at(2026, 3, 10, 9)),
        (2, at(2026, 3, 13, 16)),
        (3, at(2026, 3, 16, 10)),
    ]


def test_a_second_reschedule_is_refused_like_the_import(system):
    first = item(
        apology_issued_at="2026-03-13T09:00:00",
        rescheduled_due_at="2026-03-20T17:00:00",
    )
    assert system.post(LIST, [first], format="json").status_code == 200
    assert ApologySlip.objects.get().new_due_at == at(2026, 3, 20, 17)
    second = item(
        apology_issued_at="2026-03-19T09:00:00",
        rescheduled_due_at="2026-03-25T17:00:00",
    )
    response = system.post(LIST, [second], format="json")
    assert response.status_code == 400
    (message,) = response.json()["errors"][0]["errors"]["rescheduled_due_at"]
    assert "may be moved only once" in message
    assert ApologySlip.objects.get().new_due_at == at(2026, 3, 20, 17)


def test_atomic_writes_nothing_when_one_item_is_invalid(system):
    batch = [item("GOOD"), item("BAD", unit_code="P99")]
    response = system.post(LIST + "?atomic=1", batch, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (body["atomic"], body["written"], body["rejected"]) == (True, 0, 1)
    assert body["errors"][0]["errors"] == {"unit_code": ["Unknown unit “P99”."]}
    assert not Dossier.objects.exists()
    response = system.post(LIST + "?atomic=1", batch[:1], format="json")
    assert response.status_code == 200
    assert Dossier.objects.count() == 1


def test_the_body_must_be_a_list(system):
    response = system.post(LIST, item(), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["errors"]["non_field_errors"] == [
        "Send a JSON list of dossiers, even for one."
    ]
    response = system.post(LIST, {"code": "X"}, format="multipart")
    assert response.status_code == 415


def test_pushing_needs_a_token_and_a_writing_role(client, one_stop, users):
    assert APIClient().post(LIST, [item()], format="json").status_code == 401
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.post(LIST, [item()], format="json").status_code == 401
    grant_role(user=users.manager, role="manager", unit=one_stop.units.tthcc)
    response = _client(users.manager).post(LIST, [item()], format="json")
    assert response.status_code == 403
    assert not Dossier.objects.exists()
    # An HR officer of the province writes there (a counter, HR or admin grant).
    grant_role(user=users.hr, role="hr", unit=one_stop.units.root)
    assert _client(users.hr).post(LIST, [item()], format="json").status_code == 200


def test_session_auth_works_too(client, one_stop, users):
    client.force_login(users.counter)
    response = client.get(LIST)
    assert response.status_code == 200


# Read ------------------------------------------------------------------------------


@pytest.fixture
def stored(one_stop):
    tthcc, xa = one_stop.units.tthcc, one_stop.units.xa
    marriage, trang, lan = (
        one_stop.procedures.marriage,
        one_stop.officers.trang,
        one_stop.officers.lan,
    )
    late = make_dossier(
        marriage,
        tthcc,
        "LATE",
        received_at=at(2026, 3, 2, 9),
        returned_at=at(2026, 3, 10, 9),
        receiving_officer=trang,
    )
    make_step(
        late,
        1,
        lan,
        started_at=at(2026, 3, 3, 8),
        due_at=at(2026, 3, 5, 17),
        finished_at=at(2026, 3, 9, 16),
    )
    CitizenRating.objects.create(dossier=late, level="satisfied")
    make_dossier(
        marriage,
        tthcc,
        "ONTIME",
        received_at=at(2026, 4, 1, 9),
        returned_at=at(2026, 4, 2, 9),
        receiving_officer=trang,
    )
    make_dossier(marriage, xa, "COMMUNE", received_at=at(2026, 4, 1, 9))
    return one_stop


def _get(client, url, **params):
    with time_machine.travel(at(2026, 4, 10, 12), tick=False):
        return client.get(url, params)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(d["code"] for d in response.json()["results"])


def test_the_list_is_scoped_and_nested(system, stored, users):
    body = _get(system, LIST).json()
    assert body["count"] == 2
    late = next(d for d in body["results"] if d["code"] == "LATE")
    assert late["unit"] == "P01-TTHCC"
    assert late["procedure"] == "1.000893"
    assert late["is_late"] is True
    assert late["rating"] == "satisfied"
    assert late["apology_slip"] is None
    assert late["steps"] == [
        {
            "seq": 1,
            "name": "process",
            "officer": "S001",
            "unit": "P01-SNV-CCVC",
            "started_at": "2026-03-03T08:00:00+07:00",
            "due_at": "2026-03-05T17:00:00+07:00",
            "finished_at": "2026-03-09T16:00:00+07:00",
            "is_overrun": True,
        }
    ]
    assert _codes(_get(_client(users.admin), LIST)) == ["COMMUNE", "LATE", "ONTIME"]
    assert _get(_client(users.staff), LIST).status_code == 403


def test_the_list_filters(stored, users):
    admin = _client(users.admin)
    assert _codes(_get(admin, LIST, unit="P01-XA01")) == ["COMMUNE"]
    assert _codes(_get(admin, LIST, officer="S001")) == ["LATE"]
    assert _codes(_get(admin, LIST, officer="S003")) == ["LATE", "ONTIME"]
    # COMMUNE, open, was due Wed 8/4.
    assert _codes(_get(admin, LIST, late="true")) == ["COMMUNE", "LATE"]
    assert _codes(_get(admin, LIST, received_from="2026-04-01")) == [
        "COMMUNE",
        "ONTIME",
    ]
    assert _codes(
        _get(admin, LIST, received_from="2026-03-01", received_to="2026-03-31")
    ) == ["LATE"]
    assert _get(admin, LIST, received_from="not a date").status_code == 400


def test_the_detail_is_scoped_and_logs_inspectors(system, stored, users):
    response = _get(system, LIST + "LATE/")
    assert response.status_code == 200
    assert response.json()["code"] == "LATE"
    assert _get(system, LIST + "COMMUNE/").status_code == 404
    assert _get(system, LIST + "NOPE/").status_code == 404
    grant_role(
        user=users.inspector,
        role="inspector",
        unit=stored.units.tthcc,
        valid_until=dt.date(2027, 12, 31),
    )
    assert _get(_client(users.inspector), LIST + "LATE/").status_code == 200
    log = AccessLog.objects.get(user=users.inspector)
    assert (log.object_type, log.object_repr) == ("appraisals.dossier", "LATE")
    # Inspectors only read.
    response = _client(users.inspector).post(LIST, [item()], format="json")
    assert response.status_code == 403


def test_the_url_names(stored):
    assert reverse("api:dossier-list") == LIST
    assert reverse("api:dossier-detail", args=["A.1-2"]) == LIST + "A.1-2/"


def test_the_list_has_a_fixed_number_of_queries(system, stored):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = _get(system, LIST, unit="P01-TTHCC", officer="S003")
        assert response.status_code == 200
        return len(queries)

    small = count()
    lan, trang = stored.officers.lan, stored.officers.trang
    for i in range(30):
        d = make_dossier(
            stored.procedures.marriage,
            stored.units.tthcc,
            f"N{i:02d}",
            received_at=at(2026, 3, 2, 9),
            receiving_officer=trang,
        )
        make_step(d, 1, lan, started_at=d.received_at, due_at=d.due_at)
        make_step(d, 2, trang, started_at=d.received_at, due_at=d.due_at, name="return")
        CitizenRating.objects.create(dossier=d, level="satisfied")
    assert count() == small <= 8


def test_a_conflict_with_stored_rows_rejects_the_whole_item(system):
    """Found only when writing (the fast path's checks against stored rows): the
    item is refused with its dossier and steps, the others are written."""
    stored = item("STORED", returned_at="2026-03-12T10:00:00")
    assert system.post(LIST, [stored], format="json").status_code == 200
    step_moved = item("STORED")  # step 1 restarts after its stored finish
    step_moved["steps"] = [
        {
            "seq": 1,
            "name": "receive",
            "officer": "S003",
            "started_at": "2026-03-10T10:00:00",
            "due_at": "2026-03-10T17:00:00",
        }
    ]
    step_moved["channel"] = "postal"
    response = system.post(LIST, [item("NEW"), step_moved], format="json")
    assert response.status_code == 207, response.json()
    body = response.json()
    assert body["results"] == [{"index": 0, "code": "NEW", "result": "created"}]
    (error,) = body["errors"]
    assert error["index"] == 1
    assert error["errors"]["non_field_errors"] == [
        "A step cannot finish before it starts."
    ]
    kept = Dossier.objects.get(code="STORED")
    assert kept.channel == "online"  # the refused item's dossier was not written
    assert Dossier.objects.filter(code="NEW").exists()
