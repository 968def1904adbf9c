"""The dossier register (filters, pagination, a fixed number of queries) and a
dossier's page as on the control slip (form 05). Counted on Fri 10/4/2026 noon."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode
from pytest_django.asserts import assertContains, assertRedirects

from appraisals.models import ApologySlip, CitizenRating, Dossier
from hrms.models import AccessLog
from hrms.roles import grant_role
from tests.appraisals.conftest import at
from tests.factories import make_dossier, make_employee, make_step

pytestmark = pytest.mark.django_db

AS_OF = at(2026, 4, 10, 12)


@pytest.fixture
def register(one_stop):
    """L1 late (S001's step overran), L2 late with every step on time, OK on time,
    X1 at the commune (another subtree), S1 received by the commune officer."""
    tthcc, xa = one_stop.units.tthcc, one_stop.units.xa
    marriage, land = one_stop.procedures.marriage, one_stop.procedures.land
    trang, lan = one_stop.officers.trang, one_stop.officers.lan
    l1 = make_dossier(
        marriage,
        tthcc,
        "L1",
        received_at=at(2026, 3, 2, 9),
        returned_at=at(2026, 3, 10, 9),
        receiving_officer=trang,
    )
    make_step(
        l1,
        1,
        trang,
        name="receive",
        started_at=at(2026, 3, 2, 9),
        due_at=at(2026, 3, 2, 17),
        finished_at=at(2026, 3, 2, 9, 30),
    )
    make_step(
        l1,
        2,
        lan,
        started_at=at(2026, 3, 3, 8),
        due_at=at(2026, 3, 5, 17),
        finished_at=at(2026, 3, 9, 16),
    )
    ApologySlip.objects.create(
        dossier=l1,
        issued_at=at(2026, 3, 6, 10),
        previous_due_at=l1.due_at,
        new_due_at=at(2026, 3, 11, 17),
        reason="Chờ ý kiến của Sở Tư pháp",
    )
    l1.rescheduled_due_at = at(2026, 3, 11, 17)
    l1.save()
    CitizenRating.objects.create(dossier=l1, level="unsatisfied", comment="Chậm")
    l2 = make_dossier(
        marriage,
        tthcc,
        "L2",
        received_at=at(2026, 3, 3, 8),
        returned_at=at(2026, 3, 11, 8),
        receiving_officer=trang,
    )
    make_step(
        l2,
        1,
        lan,
        started_at=at(2026, 3, 3, 9),
        due_at=at(2026, 3, 12, 17),
        finished_at=at(2026, 3, 11, 7, 30),
    )
    make_dossier(
        marriage,
        tthcc,
        "OK",
        received_at=at(2026, 4, 1, 9),
        returned_at=at(2026, 4, 2, 9),
        receiving_officer=trang,
    )
    xa_officer = make_employee(xa, "S004", full_name="Lê Văn Bình")
    make_dossier(land, xa, "X1", received_at=at(2026, 2, 2, 9))
    make_dossier(
        land, xa, "S1", received_at=at(2026, 4, 3, 9), receiving_officer=xa_officer
    )
    return one_stop


def _list(client, **params):
    url = reverse("appraisals:dossier_list")
    if params:
        url += "?" + urlencode(params)
    with time_machine.travel(AS_OF, tick=False):
        return client.get(url)


def _codes(response) -> list[str]:
    return sorted(d.code for d in response.context["page"])


# Access ------------------------------------------------------------------------


def test_the_register_needs_a_reading_role(client, users, register):
    client.force_login(users.staff)
    assert _list(client).status_code == 403
    client.force_login(users.hr)
    assert _list(client).status_code == 200
    assert client.post(reverse("appraisals:dossier_list")).status_code == 405


def test_the_register_is_scoped(client, users, register):
    client.force_login(users.counter)  # P01-TTHCC
    assert _codes(_list(client)) == ["L1", "L2", "OK"]
    client.force_login(users.admin)  # the province
    assert _codes(_list(client)) == ["L1", "L2", "OK", "S1", "X1"]
    client.force_login(users.hr)  # P01-SNV: none received there
    assert _codes(_list(client)) == []


# Filters -------------------------------------------------------------------------


def test_the_unit_filter_takes_the_subtree_inside_the_scope(client, users, register):
    client.force_login(users.admin)
    assert _codes(_list(client, unit="P01-XA01")) == ["S1", "X1"]
    assert _codes(_list(client, unit="P01")) == ["L1", "L2", "OK", "S1", "X1"]
    client.force_login(users.counter)
    assert _codes(_list(client, unit="P01-XA01")) == []  # outside the scope


def test_the_officer_filter_finds_receiving_and_step_officers(client, users, register):
    client.force_login(users.admin)
    assert _codes(_list(client, officer="S003")) == ["L1", "L2", "OK"]
    assert _codes(_list(client, officer="S001")) == ["L1", "L2"]  # steps only
    assert _codes(_list(client, officer="S004")) == ["S1"]
    assert _codes(_list(client, officer="NOBODY")) == []


def test_the_period_and_late_filters(client, users, register):
    client.force_login(users.admin)
    march = {"received_from": "01/03/2026", "received_to": "31/03/2026"}
    assert _codes(_list(client, **march)) == ["L1", "L2"]
    assert _codes(_list(client, received_from="2026-04-01")) == ["OK", "S1"]
    # X1 (received 2/2, 20 working days, open) is overdue by now.
    assert _codes(_list(client, late="on")) == ["L1", "L2", "X1"]
    assert _codes(_list(client, late="on", **march)) == ["L1", "L2"]
    response = _list(client, late="on")
    assertContains(response, 'data-dossier="L1" class="table-danger"')


def test_a_bad_date_is_shown_not_applied(client, users, register):
    client.force_login(users.admin)
    response = _list(client, received_from="31/02/2026")
    assert response.status_code == 200
    assert "received_from" in response.context["filter"].form.errors


def test_the_register_is_paginated_with_a_fixed_number_of_queries(
    client, users, register
):
    client.force_login(users.admin)
    url = (
        reverse("appraisals:dossier_list")
        + "?"
        + urlencode({"unit": "P01", "officer": "S003", "late": "on"})
    )
    with time_machine.travel(AS_OF, tick=False):
        client.get(url)
        with CaptureQueriesContext(connection) as small:
            client.get(url)
    trang = register.officers.trang
    for i in range(60):
        d = make_dossier(
            register.procedures.marriage,
            register.units.tthcc,
            f"P{i:02d}",
            received_at=at(2026, 3, 2, 9),
            returned_at=at(2026, 3, 20, 9),
            receiving_officer=trang,
        )
        CitizenRating.objects.create(dossier=d, level="satisfied")
    with time_machine.travel(AS_OF, tick=False):
        with CaptureQueriesContext(connection) as large:
            response = client.get(url)
        page2 = client.get(url + "&page=2")
    assert response.context["page"].paginator.count == 62
    assert len(response.context["page"]) == 50
    assert len(page2.context["page"]) == 12
    assert len(large) == len(small) <= 10


# Detail --------------------------------------------------------------------------


def _detail(client, code):
    dossier = Dossier.objects.get(code=code)
    with time_machine.travel(AS_OF, tick=False):
        return client.get(reverse("appraisals:dossier_detail", args=[dossier.pk]))


def test_the_detail_is_404_outside_the_scope_and_login_first(client, users, register):
    url = reverse("appraisals:dossier_detail", args=[Dossier.objects.get(code="X1").pk])
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")
    client.force_login(users.counter)
    assert client.get(url).status_code == 404
    client.force_login(users.other_manager)
    assert _detail(client, "L1").status_code == 404
    client.force_login(users.counter)
    assert client.post(url).status_code == 405


def test_the_detail_shows_the_steps_and_who_made_it_late(client, users, register):
    client.force_login(users.counter)
    response = _detail(client, "L1")
    assert response.status_code == 200
    rows = {row.step.seq: row for row in response.context["steps"]}
    assert rows[1].overrun is None
    assert rows[2].overrun.working_days == 2  # due Thu 5/3, finished Mon 9/3
    assert rows[2].overrun.hours == 95.0
    assertContains(response, '<tr data-step="2" class="table-danger">')
    assertContains(response, 'data-responsible="S001"')
    assert not response.context["verdict"].ok
    assert response.context["slip"].reason == "Chờ ý kiến của Sở Tư pháp"
    assert response.context["rating"].level == "unsatisfied"
    assertContains(
        response,
        reverse(
            "appraisals:apology_slip_pdf", args=[Dossier.objects.get(code="L1").pk]
        ),
    )
    assert not response.context["can_issue"]  # returned, and a slip exists


def test_the_detail_reports_a_schedule_error(client, users, register):
    client.force_login(users.counter)
    response = _detail(client, "L2")
    assert response.context["attribution"].is_schedule_error
    assertContains(response, 'data-flag="schedule-error"')


def test_an_inspector_reading_a_dossier_is_logged(client, users, register):
    grant_role(
        user=users.inspector,
        role="inspector",
        unit=register.units.tthcc,
        valid_until=dt.date(2027, 12, 31),
    )
    client.force_login(users.inspector)
    assert _detail(client, "L2").status_code == 200
    log = AccessLog.objects.get(user=users.inspector)
    assert (log.object_type, log.object_repr) == ("appraisals.dossier", "L2")
