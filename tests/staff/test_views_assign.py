import datetime as dt

import pytest
from django.urls import reverse

from hrms.models import LedgerEntry
from staff.models import Assignment
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

QUOTA_REFUSAL = (
    "Position CCVC-VT01 has a quota of 1 and 1 already hold it from 01/03/2026: "
    "another assignment would exceed the quota."
)


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def employee(units):
    employee = make_employee(units.ccvc, "CCVC01", full_name="Bùi Thị Lan")
    make_grade_step(employee, "01.003", 2)
    return employee


@pytest.fixture
def full_position(units):
    """A one-seat position already held by someone else."""
    position = make_position(units.ccvc, "CCVC-VT01", headcount=1)
    holder = make_employee(units.ccvc, "CCVC09", full_name="Phạm Văn Đức")
    make_assignment(holder, position, starts_on=dt.date(2020, 1, 1))
    return position


def _url(employee) -> str:
    return reverse("staff:employee_assign", args=[employee.pk])


def _data(position_code: str, **overrides) -> dict:
    data = {
        "position_code": position_code,
        "starts_on": "01/03/2026",
        "decision_number": "45/QĐ-SNV",
        "decided_on": "20/02/2026",
        "signer": "Lê Văn Bình",
        "override_reason": "",
    }
    data.update(overrides)
    return data


def test_it_sends_anonymous_users_to_the_login_page(client, employee):
    response = client.get(_url(employee))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_refuses_other_methods(client, users, employee):
    client.force_login(users.hr)
    assert client.put(_url(employee)).status_code == 405


def test_a_manager_may_not_assign(client, users, units, employee):
    make_position(units.ccvc, "CCVC-VT02", headcount=3)
    client.force_login(users.manager)
    assert client.get(_url(employee)).status_code == 403
    assert client.post(_url(employee), _data("CCVC-VT02")).status_code == 403
    client.force_login(users.other_manager)
    assert client.post(_url(employee), _data("CCVC-VT02")).status_code == 404
    assert not Assignment.objects.filter(employee=employee).exists()


def test_hr_assigns_to_a_vacant_position(client, users, units, employee):
    position = make_position(units.ccvc, "CCVC-VT02", headcount=3)
    client.force_login(users.hr)
    response = client.get(_url(employee))
    assert "Override quota (reason required)" in response.content.decode()
    response = client.post(_url(employee), _data("ccvc-vt02"))
    assert response.status_code == 302
    assert response.url == reverse("staff:employee_detail", args=[employee.pk])
    assignment = Assignment.objects.get(employee=employee)
    assert assignment.position == position
    assert assignment.starts_on == dt.date(2026, 3, 1)
    assert assignment.decided_on == dt.date(2026, 2, 20)
    assert (assignment.decision_number, assignment.signer) == (
        "45/QĐ-SNV",
        "Lê Văn Bình",
    )
    assert not assignment.is_quota_override


def test_a_position_outside_the_scope_is_refused(client, users, units, employee):
    make_position(units.syt, "SYT-VT01", headcount=3)
    client.force_login(users.hr)
    response = client.post(_url(employee), _data("SYT-VT01"))
    assert response.context["form"].errors["position_code"] == [
        "No job position with code SYT-VT01 in the units you manage."
    ]
    assert not Assignment.objects.filter(employee=employee).exists()


def test_over_quota_is_refused_then_accepted_with_a_reason(
    client, users, employee, full_position
):
    client.force_login(users.hr)
    response = client.post(_url(employee), _data("CCVC-VT01"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [QUOTA_REFUSAL]
    assert QUOTA_REFUSAL in response.content.decode()
    assert not Assignment.objects.filter(employee=employee).exists()
    assert not LedgerEntry.objects.filter(action="assignment.quota_override").exists()

    reason = "Biệt phái theo Quyết định 12/QĐ-UBND trong thời gian chờ giao biên chế"
    response = client.post(_url(employee), _data("CCVC-VT01", override_reason=reason))
    assert response.status_code == 302
    assignment = Assignment.objects.get(employee=employee)
    assert assignment.quota_override_reason == reason
    assert assignment.overridden_by == users.hr
    entry = LedgerEntry.objects.get(action="assignment.quota_override")
    assert entry.object_id == str(assignment.pk)
    assert entry.actor == users.hr


def test_a_manager_holding_no_hr_role_cannot_override(
    client, users, units, employee, full_position
):
    client.force_login(users.manager)
    response = client.post(_url(employee), _data("CCVC-VT01", override_reason="x"))
    assert response.status_code == 403


def test_a_grade_mismatch_is_refused_unless_a_transition_case(
    client, users, units, employee
):
    make_position(units.ccvc, "CCVC-CVC", grade="01.002", headcount=2)
    client.force_login(users.hr)
    response = client.post(_url(employee), _data("CCVC-CVC"))
    assert response.context["form"].non_field_errors() == [
        "Grade 01.003 does not match grade 01.002 of position CCVC-CVC; mark it as "
        "a transition case (until 01/07/2027) or change the grade."
    ]
    assert not Assignment.objects.filter(employee=employee).exists()

    response = client.post(_url(employee), _data("CCVC-CVC", is_transition_case="on"))
    assert response.status_code == 302
    assignment = Assignment.objects.get(employee=employee)
    assert assignment.is_transition_case
    assert LedgerEntry.objects.filter(action="assignment.grade_transition").exists()
