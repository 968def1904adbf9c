"""Appointment decisions: eligibility snapshot, refusals, overrides, alerts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hrms.models import LedgerEntry
from recruitment import selectors, services
from recruitment.models import AppointmentDecision, VoteRecord
from recruitment.services import VoteSpec
from tests.factories import (
    make_appointment_decision,
    make_assignment,
    make_discipline_case,
    make_employee,
    make_grade_step,
    make_position,
)
from tests.recruitment.test_drives import codes

pytestmark = pytest.mark.django_db

DECIDED = dt.date(2026, 3, 2)
FINAL = VoteSpec("final_ballot", members_total=7, present=7, votes_for=5)


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


def plan(employee, post, *, years=(2026, 2030)):
    return services.add_succession_plan_entry(
        employee=employee,
        unit=post.unit,
        position=post,
        period_from=years[0],
        period_to=years[1],
        decision_number="12-QĐ/BCS",
    )


def decide(employee, post, **overrides):
    fields = {
        "kind": "appointment",
        "employee": employee,
        "position_to": post,
        "decision_number": "101/QĐ-UBND",
        "decided_on": DECIDED,
        "signer": "Chủ tịch UBND tỉnh",
        "effective_on": DECIDED,
        "votes": [FINAL],
        "documents_checked": ["Sơ yếu lý lịch", "Bản kê khai tài sản"],
    }
    fields.update(overrides)
    return services.record_appointment_decision(**fields)


def test_it_records_an_appointment_with_its_snapshot(deputy, head_post, users):
    entry = plan(deputy, head_post)
    decision = decide(deputy, head_post, actor=users.hr)
    assert decision.is_eligible and not decision.is_override
    assert decision.term_end_on == dt.date(2031, 3, 1)
    assert decision.succession_plan_entry == entry
    assert decision.unit == head_post.unit
    snapshot = decision.eligibility_snapshot
    assert snapshot["retires_on"] == "2042-06-30"
    assert [r["rule"] for r in snapshot["rules"]] == [
        "grade_match",
        "full_term",
        "discipline",
        "succession_plan",
        "vote:1:final_ballot",
    ]
    assert all(r["ok"] and r["citation"] for r in snapshot["rules"])
    assert VoteRecord.objects.get(decision=decision).votes_for == 5
    ledger = LedgerEntry.objects.get(action="appointment.decision")
    assert ledger.object_id == str(decision.pk)
    assert "succession_plan" in ledger.payload


def test_it_refuses_an_internal_candidate_outside_the_plan(deputy, head_post):
    with pytest.raises(ValidationError) as exc:
        decide(deputy, head_post)
    assert codes(exc.value) == ["eligibility.not_in_succession_plan"]
    assert "Decree 116/2024" in exc.value.messages[0]
    assert not AppointmentDecision.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_an_external_candidate_needs_no_plan(deputy, head_post):
    assert decide(deputy, head_post, source="external").is_eligible


def test_it_refuses_a_first_appointment_without_a_whole_term(units, head_post):
    senior = make_employee(
        units.ccvc, full_name="Lê Văn Cao", date_of_birth=dt.date(1966, 1, 1)
    )
    make_grade_step(senior, "01.002", 5)
    plan(senior, head_post)
    with pytest.raises(ValidationError) as exc:
        decide(senior, head_post)
    assert codes(exc.value) == ["eligibility.full_term"]
    assert "Retires on 31/10/2027" in exc.value.messages[0]


def test_it_refuses_a_grade_that_does_not_match_the_post(units, head_post):
    junior = make_employee(units.ccvc, full_name="Lê Thị Trẻ", gender="F")
    make_grade_step(junior, "01.003", 3)
    plan(junior, head_post)
    with pytest.raises(ValidationError) as exc:
        decide(junior, head_post)
    assert codes(exc.value) == ["grade_match.mismatch"]


def test_reappointing_near_retirement_takes_the_extension_branch(units, head_post):
    leader = make_employee(
        units.ccvc, full_name="Đặng Văn Lão", date_of_birth=dt.date(1966, 6, 1)
    )
    make_grade_step(leader, "01.002", 6)
    first = make_appointment_decision(
        leader,
        position_to=head_post,
        decided_on=dt.date(2021, 9, 1),
        term_end_on=dt.date(2026, 8, 31),
    )
    with pytest.raises(ValidationError) as exc:
        decide(
            leader,
            head_post,
            kind="reappointment",
            decided_on=dt.date(2026, 8, 1),
            effective_on=dt.date(2026, 9, 1),
        )
    assert codes(exc.value) == ["eligibility.extension_branch"]
    extension = decide(
        leader,
        head_post,
        kind="extension_to_retirement",
        decided_on=dt.date(2026, 8, 1),
        effective_on=dt.date(2026, 9, 1),
        votes=[VoteSpec("reappointment", 7, 6, 4)],
    )
    assert extension.term_end_on == dt.date(2028, 6, 30)
    assert extension.previous_decision == first


def test_promoting_a_public_employee_needs_24_months(units):
    hospital = make_position(units.syt, "SYT-KHOA", group="leadership")
    higher = make_position(units.syt, "SYT-GD", group="leadership")
    doctor = make_employee(
        units.syt, full_name="Bác sĩ Ngô Văn Y", staff_type="vien_chuc"
    )
    make_assignment(doctor, hospital, starts_on=dt.date(2025, 6, 1))
    fields = {
        "kind": "promotion",
        "position_from": hospital,
        "source": "external",
    }
    with pytest.raises(ValidationError) as exc:
        decide(doctor, higher, **fields)
    assert codes(exc.value) == ["eligibility.tenure"]
    assert "9 months" in exc.value.messages[0]
    AppointmentDecision.objects.all().delete()
    doctor.assignments.update(starts_on=dt.date(2024, 3, 1))
    assert decide(doctor, higher, **fields).is_eligible


@pytest.mark.parametrize(
    ("votes", "code"),
    [
        ([VoteSpec("final_ballot", 8, 8, 4)], "vote.tie_undecided"),
        (
            [VoteSpec("final_ballot", 8, 8, 4, head_decision=False)],
            "vote.tie_head_against",
        ),
        ([VoteSpec("final_ballot", 9, 7, 4)], "vote.below_threshold"),
        ([], "vote.missing"),
    ],
)
def test_it_refuses_a_vote_below_the_threshold(deputy, head_post, votes, code):
    plan(deputy, head_post)
    with pytest.raises(ValidationError) as exc:
        decide(deputy, head_post, votes=votes)
    assert codes(exc.value) == [code]


def test_at_exactly_half_the_head_decides_and_the_split_is_kept(deputy, head_post):
    plan(deputy, head_post)
    decision = decide(
        deputy,
        head_post,
        votes=[
            VoteSpec("leadership_collective", 8, 8, 6),
            VoteSpec("final_ballot", 8, 8, 4, head_decision=True, note="4/8, head for"),
        ],
    )
    final = decision.votes.get(seq=2)
    assert (final.votes_for, final.members_total, final.head_decision) == (4, 8, True)
    assert decision.eligibility_snapshot["rules"][-1]["code"] == "vote.tie_head_for"


def test_an_open_discipline_case_blocks_unless_overridden(deputy, head_post, users):
    plan(deputy, head_post)
    make_discipline_case(deputy, detected_on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationError) as exc:
        decide(deputy, head_post)
    assert codes(exc.value) == ["discipline_bar.open_case"]
    with pytest.raises(ValidationError) as exc:
        decide(deputy, head_post, override_reason="Cần người ngay", actor=users.manager)
    assert codes(exc.value) == ["appointment.override_not_allowed"]
    decision = decide(
        deputy, head_post, override_reason="Chỉ đạo của Ban Thường vụ", actor=users.hr
    )
    assert not decision.is_eligible
    assert decision.had_discipline_bar
    assert (decision.override_reason, decision.overridden_by) == (
        "Chỉ đạo của Ban Thường vụ",
        users.hr,
    )
    assert [r["code"] for r in decision.failed_rules] == ["discipline_bar.open_case"]


# Alerts and public list -----------------------------------------------------------


def test_it_lists_reappointments_due_within_90_days(deputy, head_post, units):
    due = make_appointment_decision(
        deputy, position_to=head_post, term_end_on=dt.date(2026, 12, 31)
    )
    later = make_employee(units.ccvc, full_name="Phan Văn Sau")
    make_appointment_decision(later, term_end_on=dt.date(2027, 6, 30))
    renewed = make_employee(units.ccvc, full_name="Phan Văn Lại")
    make_appointment_decision(renewed, term_end_on=dt.date(2026, 12, 1))
    make_appointment_decision(
        renewed,
        kind="reappointment",
        decided_on=dt.date(2026, 11, 1),
        effective_on=dt.date(2026, 12, 2),
    )
    assert list(selectors.reappointments_due(dt.date(2026, 11, 27))) == [due]
    assert (
        list(selectors.reappointments_due(dt.date(2026, 11, 27), unit=units.syt)) == []
    )


def test_it_lists_rotations_due(units, head_post, deputy):
    services.set_rotation_policy(position=head_post, period_years=3)
    make_assignment(deputy, head_post, starts_on=dt.date(2023, 12, 1))
    other = make_position(units.ccvc, "CCVC-KT", title="Kế toán")
    services.set_rotation_policy(position=other, period_years=5)
    make_assignment(
        make_employee(units.ccvc, "KT1"), other, starts_on=dt.date(2023, 1, 1)
    )
    rows = selectors.rotations_due(dt.date(2026, 11, 27))
    assert [(r.assignment.employee, r.due_on) for r in rows] == [
        (deputy, dt.date(2026, 12, 1))
    ]
    with pytest.raises(ValidationError):
        services.set_rotation_policy(position=other, period_years=6)


def test_it_lists_decisions_in_force(deputy, units):
    gone = make_employee(units.ccvc, full_name="Mai Văn Cũ")
    make_appointment_decision(gone, term_end_on=dt.date(2030, 1, 1))
    make_appointment_decision(gone, kind="removal", decided_on=dt.date(2026, 5, 1))
    current = make_appointment_decision(deputy, term_end_on=dt.date(2031, 1, 9))
    expired = make_employee(units.ccvc, full_name="Lương Văn Hết")
    make_appointment_decision(
        expired, decided_on=dt.date(2020, 1, 1), term_end_on=dt.date(2024, 12, 31)
    )
    assert list(selectors.decisions_in_force(dt.date(2026, 11, 27))) == [current]
