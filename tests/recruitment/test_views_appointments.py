"""Appointment decision screens: list, record with the eligibility preview,
refusals with citations, overrides, the snapshot, and term-end alerts."""

import datetime as dt

import pytest
from django.utils import timezone

from hrms.models import AccessLog
from recruitment import services
from recruitment.models import AppointmentDecision, VoteRecord
from tests.factories import (
    make_appointment_decision,
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
)
from tests.recruitment.test_appointments import DECIDED, plan
from tests.recruitment.test_views_drives import d, log_in, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def head_post(units):
    return make_position(
        units.ccvc, "CCVC-TP", grade="01.002", group="leadership", title="Trưởng phòng"
    )


@pytest.fixture
def deputy(units):
    employee = make_employee(
        units.ccvc,
        "CB-01",
        full_name="Hoàng Văn Phó",
        date_of_birth=dt.date(1980, 6, 1),
    )
    make_grade_step(employee, "01.002", 2)
    return employee


def form(**overrides):
    data = {
        "kind": "appointment",
        "employee_code": "CB-01",
        "position_to_code": "CCVC-TP",
        "source": "internal",
        "decision_number": "101/QĐ-UBND",
        "decided_on": d(DECIDED),
        "signer": "Chủ tịch UBND tỉnh",
        "effective_on": d(DECIDED),
        "documents_checked": "Sơ yếu lý lịch\nBản kê khai tài sản",
        "votes-TOTAL_FORMS": "3",
        "votes-INITIAL_FORMS": "0",
        "votes-MIN_NUM_FORMS": "0",
        "votes-MAX_NUM_FORMS": "10",
        "votes-0-step": "final_ballot",
        "votes-0-members_total": "7",
        "votes-0-present": "7",
        "votes-0-votes_for": "5",
        "votes-0-head_decision": "unknown",
    }
    data.update(overrides)
    return data


def test_access_to_decisions(client, users, units, deputy):
    decision = make_appointment_decision(deputy)
    assert client.get(url("decision_list")).status_code == 302
    log_in(client, users.staff)
    assert client.get(url("decision_list")).status_code == 403
    log_in(client, users.other_manager)
    assert client.get(url("decision_detail", decision.pk)).status_code == 404
    log_in(client, users.manager)
    assert client.get(url("decision_detail", decision.pk)).status_code == 200
    assert client.get(url("decision_create")).status_code == 403
    log_in(client, users.inspector)
    assert client.get(url("decision_create")).status_code == 403
    assert client.post(url("decision_create"), form()).status_code == 403
    assert client.get(url("decision_detail", decision.pk)).status_code == 200
    assert AccessLog.objects.filter(
        user=users.inspector,
        object_type="recruitment.appointmentdecision",
        object_id=str(decision.pk),
    ).exists()


def test_the_list_filters_by_kind_unit_and_in_force(client, users, units, deputy):
    today = timezone.localdate()
    make_appointment_decision(
        deputy, decided_on=today - dt.timedelta(days=30), decision_number="1/QĐ"
    )
    other = make_employee(units.snv, "CB-02", full_name="Lê Văn Chuyển")
    make_appointment_decision(
        other,
        kind="rotation",
        decided_on=today - dt.timedelta(days=10),
        decision_number="2/QĐ",
        effective_on=today + dt.timedelta(days=30),
    )
    log_in(client, users.hr)
    page = client.get(url("decision_list"))
    assert "1/QĐ" in page.text and "2/QĐ" in page.text
    page = client.get(url("decision_list"), {"kind": "rotation"})
    assert "2/QĐ" in page.text and "1/QĐ" not in page.text
    page = client.get(url("decision_list"), {"unit": "P01-SNV-CCVC"})
    assert "1/QĐ" in page.text and "2/QĐ" not in page.text
    page = client.get(url("decision_list"), {"in_force": "on"})
    assert "1/QĐ" in page.text and "2/QĐ" not in page.text  # not effective yet
    page = client.get(url("decision_list"), {"unit": "P01-SYT"})
    assert page.context["unknown_unit"] == "P01-SYT"


def test_the_preview_shows_every_rule_and_writes_nothing(
    client, users, deputy, head_post
):
    response = log_in(client, users.hr).post(url("decision_create"), form(preview="1"))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [r.rule for r in preview.eligibility.rules] == [
        "grade_match",
        "full_term",
        "discipline",
        "succession_plan",
        "vote:1:final_ballot",
    ]
    assert not preview.ok  # not in the succession plan
    assert "Decree 116/2024" in response.text
    assert not AppointmentDecision.objects.exists()


def test_a_blocking_rule_refuses_the_decision_with_its_citation(
    client, users, deputy, head_post
):
    response = log_in(client, users.hr).post(url("decision_create"), form(save="1"))
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert any("Decree 116/2024" in e for e in errors)
    assert not AppointmentDecision.objects.exists()


def test_hr_records_an_eligible_decision_and_sees_its_snapshot(
    client, users, deputy, head_post
):
    plan(deputy, head_post)
    log_in(client, users.hr)
    response = client.post(url("decision_create"), form(save="1"))
    decision = AppointmentDecision.objects.get()
    assert response.status_code == 302
    assert response.url == url("decision_detail", decision.pk)
    assert decision.is_eligible and decision.recorded_by == users.hr
    assert decision.documents_checked == ["Sơ yếu lý lịch", "Bản kê khai tài sản"]
    assert VoteRecord.objects.get(decision=decision).votes_for == 5
    page = client.get(url("decision_detail", decision.pk))
    assert "succession_plan" in page.text and "vote:1:final_ballot" in page.text
    assert "02/03/2026" in page.text  # evaluated on, dd/mm/yyyy
    assert "01/03/2031" in page.text  # term end


def test_an_override_needs_a_reason_and_is_shown(client, users, deputy, head_post):
    log_in(client, users.hr)
    response = client.post(
        url("decision_create"),
        form(save="1", override_reason="Nhu cầu cấp bách, đã báo cáo Tỉnh ủy"),
    )
    assert response.status_code == 302
    decision = AppointmentDecision.objects.get()
    assert not decision.is_eligible and decision.overridden_by == users.hr
    page = client.get(url("decision_detail", decision.pk))
    assert "override-reason" in page.text
    assert "Nhu cầu cấp bách" in page.text


def test_a_tally_without_numbers_is_refused(client, users, deputy, head_post):
    response = log_in(client, users.hr).post(
        url("decision_create"), form(save="1", **{"votes-0-members_total": ""})
    )
    assert response.status_code == 200
    assert response.context["votes"].errors[0]["members_total"]
    assert not AppointmentDecision.objects.exists()


def test_an_employee_outside_the_scope_is_refused(client, users, units, head_post):
    make_employee(units.syt, "SYT-9", full_name="Người Ngoài")
    response = log_in(client, users.hr).post(
        url("decision_create"), form(save="1", employee_code="SYT-9")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["employee_code"]


def test_term_end_alerts_list_terms_ending_within_90_days(client, users, deputy):
    today = timezone.localdate()
    due = make_appointment_decision(
        deputy,
        decision_number="9/QĐ-DUE",
        decided_on=today - dt.timedelta(days=5 * 365 - 30),
        term_end_on=today + dt.timedelta(days=30),
    )
    other = make_employee(deputy.unit, "CB-03", full_name="Phan Văn Xa")
    make_appointment_decision(
        other,
        decision_number="9/QĐ-LATER",
        decided_on=today - dt.timedelta(days=365),
        term_end_on=today + dt.timedelta(days=400),
    )
    page = log_in(client, users.hr).get(url("term_alerts"))
    assert page.status_code == 200
    assert "9/QĐ-DUE" in page.text and "9/QĐ-LATER" not in page.text
    assert d(due.term_end_on) in page.text
    log_in(client, users.other_manager)
    assert "9/QĐ-DUE" not in client.get(url("term_alerts")).text


def test_rotations_due_are_listed(client, users, units):
    post = make_position(units.ccvc, "CCVC-KT", title="Kế toán")
    services.set_rotation_policy(position=post, period_years=2)
    holder = make_employee(units.ccvc, "CB-04", full_name="Vũ Thị Kế")
    make_assignment(
        holder, post, starts_on=timezone.localdate() - dt.timedelta(days=800)
    )
    page = log_in(client, users.hr).get(url("term_alerts"))
    assert "Vũ Thị Kế" in page.text and "overdue" in page.text
