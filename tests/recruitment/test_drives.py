"""Drives through the services: notice, council, scores, results, hiring."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hrms.models import LedgerEntry
from recruitment import flags, selectors, services
from recruitment.models import (
    Application,
    ConflictHint,
    Council,
    CouncilMember,
    RecruitmentDrive,
    RemarkRequest,
    ScoreChange,
)
from recruitment.services import MemberSpec
from staff.models import Assignment, Employee, GradeHistory
from tests.factories import (
    make_assignment,
    make_citizen_id,
    make_discipline_case,
    make_employee,
    make_position,
)
from tests.recruitment.conftest import NOTICE, scored_drive

pytestmark = pytest.mark.django_db

CLOSES = NOTICE + dt.timedelta(days=30)
CHANNELS = ("mass_media", "agency_portal", "office_posting")


def codes(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [e.code for errors in exc.error_dict.values() for e in errors]
    return [e.code for e in exc.error_list]


def draft(units, position, *, channels=CHANNELS, window_days=30, seats=1, actor=None):
    drive = services.create_drive(
        unit=units.snv,
        code="TD-2026-01",
        title="Tuyển dụng công chức Sở Nội vụ năm 2026",
        method="exam",
        notice_text="Sở Nội vụ thông báo tuyển dụng công chức năm 2026.",
        conditions="Tốt nghiệp đại học luật, hành chính",
        contact="Phòng Tổ chức, 0203 3825 111",
        applications_open_on=NOTICE,
        applications_close_on=NOTICE + dt.timedelta(days=window_days),
        schedule_note="Vòng 1 trên máy tính; vòng 2 thi viết",
        actor=actor,
    )
    services.set_drive_vacancy(drive=drive, position=position, number=seats)
    for channel in channels:
        services.record_notice_channel(
            drive=drive,
            channel=channel,
            evidence="Báo Nhân Dân số 123",
            url="https://snv.example.gov.vn/tb-01",
            published_on=NOTICE,
        )
    drive.refresh_from_db()
    return drive


def announce(drive, actor=None):
    return services.announce_drive(
        drive=drive, published_on=NOTICE, expected_version=drive.version, actor=actor
    )


def apply(drive, name="Phạm Văn Minh", commune="Xã An Phú", **overrides):
    fields = {
        "drive": drive,
        "vacancy": drive.vacancies.get(),
        "number": f"HS-{name.split()[-1]}",
        "national_id": make_citizen_id("M", 1996),
        "full_name": name,
        "date_of_birth": dt.date(1996, 4, 2),
        "gender": "M",
        "home_commune": commune,
        "submitted_on": NOTICE + dt.timedelta(days=3),
    }
    fields.update(overrides)
    return services.submit_application(**fields)


def close(drive):
    return services.advance_drive(
        drive=drive,
        to_status="applications_closed",
        expected_version=drive.version,
        on=CLOSES + dt.timedelta(days=1),
    )


def council_specs(units, *, size=5, **first):
    people = [
        ("chair", make_employee(units.snv, full_name="Trần Quốc Chủ")),
        ("vice_chair", make_employee(units.snv, full_name="Đỗ Thị Phó")),
        ("secretary", make_employee(units.ccvc, full_name="Vũ Văn Thư")),
    ] + [("member", f"Chuyên gia Ngoài {i}") for i in range(size - 3)]
    specs = []
    for role, person in people:
        if isinstance(person, str):
            specs.append(MemberSpec(role=role, external_name=person))
        else:
            specs.append(MemberSpec(role=role, employee=person))
    if first:
        specs[0] = MemberSpec(**{"role": "chair", **first})
    return specs


def appoint(drive, specs, decided_on=CLOSES + dt.timedelta(days=3)):
    return services.appoint_council(
        drive=drive,
        decision_number="15/QĐ-SNV",
        decided_on=decided_on,
        members=specs,
        signer="Giám đốc Sở Nội vụ",
    )


def to_round_2(drive, applications, round_1=Decimal("80")):
    drive = services.advance_drive(
        drive=drive,
        to_status="round_1",
        expected_version=drive.version,
        on=CLOSES + dt.timedelta(days=5),
    )
    for application in applications:
        services.record_eligibility(application=application, is_eligible=True)
        services.record_scores(application=application, round_1_percent=round_1)
    return services.advance_drive(
        drive=drive,
        to_status="round_2",
        expected_version=drive.version,
        on=CLOSES + dt.timedelta(days=20),
    )


RESULTS = dt.date(2026, 4, 1)


def publish(drive, actor=None):
    drive.refresh_from_db()
    return services.publish_results(
        drive=drive, published_on=RESULTS, expected_version=drive.version, actor=actor
    )


# Notice -------------------------------------------------------------------------


def test_it_announces_a_complete_notice(units, position, users):
    drive = announce(draft(units, position, actor=users.hr), actor=users.hr)
    assert drive.status == "announced"
    assert drive.legal_basis == "decree_170_2025"
    assert drive.vacancies.get().vacant_at_announcement == 2
    entry = LedgerEntry.objects.get(action="recruitment.drive_announce")
    assert entry.object_id == str(drive.pk) and entry.actor_name == "hr1"


def test_a_drive_announced_before_july_2025_runs_under_decree_138(units, position):
    drive = draft(units, position)
    drive.applications_open_on = dt.date(2025, 3, 1)
    drive.applications_close_on = dt.date(2025, 4, 5)
    drive.save()
    drive.notice_channels.update(published_on=dt.date(2025, 3, 1))
    drive = services.announce_drive(
        drive=drive, published_on=dt.date(2025, 3, 1), expected_version=drive.version
    )
    assert drive.legal_basis == "decree_138_2020"


def test_it_refuses_a_notice_missing_a_channel(units, position):
    drive = draft(units, position, channels=("mass_media", "office_posting"))
    with pytest.raises(ValidationError) as exc:
        announce(drive)
    assert codes(exc.value) == ["notice.channel_missing"]
    assert "agency portal" in exc.value.messages[0]
    assert "Decree 138/2020/NĐ-CP Art 13" in exc.value.messages[0]
    drive.refresh_from_db()
    assert (drive.status, drive.published_on) == ("draft", None)
    assert not LedgerEntry.objects.exists()


def test_it_refuses_a_window_under_30_days(units, position):
    drive = draft(units, position, window_days=29)
    with pytest.raises(ValidationError) as exc:
        announce(drive)
    assert codes(exc.value) == ["window.too_short"]
    assert "at least 30 days" in exc.value.messages[0]
    assert RecruitmentDrive.objects.get().status == "draft"


def test_it_refuses_a_notice_without_its_required_fields(units, position):
    drive = draft(units, position)
    drive = services.update_drive(
        drive, expected_version=drive.version, contact="", notice_text=""
    )
    with pytest.raises(ValidationError) as exc:
        announce(drive)
    assert codes(exc.value) == ["notice.fields_missing"]
    assert "notice text" in exc.value.messages[0]


def test_it_refuses_seats_that_are_not_vacant(units, position):
    for code in ("E1", "E2"):
        make_assignment(make_employee(units.ccvc, code), position)
    drive = draft(units, position)
    with pytest.raises(ValidationError) as exc:
        announce(drive)
    assert codes(exc.value) == ["vacancy.not_vacant"]
    assert "0 vacant seats" in exc.value.messages[0]


def test_it_refuses_a_stale_version_and_draft_edits_after_the_notice(units, position):
    drive = draft(units, position)
    with pytest.raises(ValidationError) as exc:
        services.announce_drive(
            drive=drive, published_on=NOTICE, expected_version=drive.version - 1
        )
    assert codes(exc.value) == ["stale_version"]
    drive = announce(drive)
    with pytest.raises(ValidationError) as exc:
        services.update_drive(drive, expected_version=drive.version, title="Khác")
    assert codes(exc.value) == ["drive.wrong_status"]
    drive = services.update_drive(
        drive, expected_version=drive.version, round_1_on=dt.date(2026, 3, 20)
    )
    assert drive.round_1_on == dt.date(2026, 3, 20)


def test_it_receives_applications_only_in_the_window(units, position):
    drive = announce(draft(units, position))
    application = apply(drive, priority_claims=["military_service", "ethnic_minority"])
    assert application.priority_points == 5
    with pytest.raises(ValidationError) as exc:
        apply(drive, "Hồ Văn Muộn", submitted_on=CLOSES + dt.timedelta(days=1))
    assert codes(exc.value) == ["application.outside_window"]


def test_it_closes_applications_only_after_the_window(units, position):
    drive = announce(draft(units, position))
    with pytest.raises(ValidationError) as exc:
        services.advance_drive(
            drive=drive,
            to_status="applications_closed",
            expected_version=drive.version,
            on=CLOSES,
        )
    assert codes(exc.value) == ["drive.window_open"]
    assert close(drive).status == "applications_closed"


# Council --------------------------------------------------------------------------


@pytest.fixture
def closed(units, position):
    drive = announce(draft(units, position))
    candidates = [
        apply(drive, "Phạm Văn Minh"),
        apply(drive, "Trần Thị Hoa", commune="Xã Hòa Bình", gender="F",
              national_id=make_citizen_id("F", 1996)),
        apply(drive, "Lý Văn Khoa"),
    ]  # fmt: skip
    return close(drive), candidates


def test_it_appoints_a_council_of_five_with_declarations(units, closed):
    drive, candidates = closed
    council = appoint(drive, council_specs(units))
    assert council.members.count() == 5
    assert sum(m.declarations.count() for m in council.members.all()) == 15
    entry = LedgerEntry.objects.get(action="recruitment.council_appoint")
    assert len(entry.payload) > 0 and "Trần Quốc Chủ" in entry.payload
    drive.refresh_from_db()
    drive = services.advance_drive(
        drive=drive, to_status="round_1", expected_version=drive.version, on=CLOSES
    )
    assert drive.status == "round_1"


@pytest.mark.parametrize("size", [4, 6])
def test_it_refuses_a_council_not_of_5_or_7(units, closed, size):
    drive, _candidates = closed
    with pytest.raises(ValidationError) as exc:
        appoint(drive, council_specs(units, size=size))
    assert codes(exc.value) == ["council.size"]
    assert "Decree 170/2025/NĐ-CP Art 8" in exc.value.messages[0]
    assert not Council.objects.exists()


def test_it_refuses_a_member_related_to_a_candidate(units, closed):
    drive, candidates = closed
    specs = council_specs(units)
    specs[3] = MemberSpec(
        role="member", external_name="Phạm Văn Cha", relations={candidates[0]: "parent"}
    )
    with pytest.raises(ValidationError) as exc:
        appoint(drive, specs)
    assert codes(exc.value) == ["council.related"]
    assert "Phạm Văn Minh" in exc.value.messages[0]
    assert not Council.objects.exists() and not CouncilMember.objects.exists()


def test_it_refuses_a_member_under_a_discipline_case(units, closed):
    drive, _candidates = closed
    barred = make_employee(units.snv, full_name="Ngô Văn Kỷ")
    make_discipline_case(barred, detected_on=dt.date(2026, 1, 20))
    specs = council_specs(units)
    specs[4] = MemberSpec(role="member", employee=barred)
    with pytest.raises(ValidationError) as exc:
        appoint(drive, specs)
    assert codes(exc.value) == ["council.member_disciplined"]
    assert "Ngô Văn Kỷ" in exc.value.messages[0]
    assert not Council.objects.exists()


def test_a_later_declared_relation_removes_the_member(units, closed):
    drive, candidates = closed
    council = appoint(drive, council_specs(units))
    member = council.members.get(role="member", external_name="Chuyên gia Ngoài 0")
    services.declare_relation(
        member=member,
        application=candidates[2],
        relation="sibling",
        declared_on=CLOSES + dt.timedelta(days=4),
    )
    member.refresh_from_db()
    assert member.removed_on is not None
    drive.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.advance_drive(
            drive=drive, to_status="round_1", expected_version=drive.version, on=CLOSES
        )
    assert codes(exc.value) == ["council.size"]
    services.replace_council_member(
        member=member,
        replacement=MemberSpec(role="member", external_name="Chuyên gia Thay"),
        on=CLOSES + dt.timedelta(days=5),
        reason="Có quan hệ gia đình với thí sinh",
    )
    drive.refresh_from_db()
    assert (
        services.advance_drive(
            drive=drive, to_status="round_1", expected_version=drive.version, on=CLOSES
        ).status
        == "round_1"
    )


def test_it_hints_and_lets_the_chair_dismiss(units, closed, users):
    drive, candidates = closed
    specs = council_specs(units)
    specs[3] = MemberSpec(
        role="member", external_name="Trần Văn Lân", home_commune="xã Hòa Bình"
    )
    appoint(drive, specs)
    hint = ConflictHint.objects.get()
    assert hint.application == candidates[1]
    assert hint.code == "council.hint_surname_commune"
    drive.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.advance_drive(
            drive=drive, to_status="round_1", expected_version=drive.version, on=CLOSES
        )
    assert codes(exc.value) == ["council.open_hints"]
    with pytest.raises(ValidationError):
        services.resolve_conflict_hint(hint=hint, is_related=False, actor=users.hr)
    services.resolve_conflict_hint(
        hint=hint, is_related=False, note="Khác dòng họ, đã xác minh", actor=users.hr
    )
    hint.refresh_from_db()
    assert (hint.status, hint.resolved_by) == ("dismissed", users.hr)
    drive.refresh_from_db()
    assert (
        services.advance_drive(
            drive=drive, to_status="round_1", expected_version=drive.version, on=CLOSES
        ).status
        == "round_1"
    )


def test_a_confirmed_hint_removes_the_member(units, closed, users):
    drive, _candidates = closed
    specs = council_specs(units)
    specs[3] = MemberSpec(
        role="member", external_name="Trần Văn Lân", home_commune="Hòa Bình"
    )
    appoint(drive, specs)
    hint = ConflictHint.objects.get()
    services.resolve_conflict_hint(hint=hint, is_related=True, actor=users.hr)
    assert CouncilMember.objects.sitting().count() == 4
    assert CouncilMember.objects.get(external_name="Trần Văn Lân").removal_reason


# Scores and results -------------------------------------------------------------


@pytest.fixture
def at_round_2(units, closed):
    drive, candidates = closed
    appoint(drive, council_specs(units))
    drive.refresh_from_db()
    return to_round_2(drive, candidates), candidates


def test_it_refuses_a_score_out_of_range(at_round_2):
    _drive, (minh, *_rest) = at_round_2
    with pytest.raises(ValidationError) as exc:
        services.record_scores(application=minh, round_2_score=Decimal("100.5"))
    assert codes(exc.value) == ["score.out_of_range"]
    with pytest.raises(ValidationError) as exc:
        services.record_scores(
            application=minh, round_2_written=Decimal("80"), round_2_interview=-1
        )
    assert codes(exc.value) == ["score.out_of_range"]
    minh.refresh_from_db()
    assert minh.round_2_score is None
    assert not ScoreChange.objects.filter(field__startswith="round_2").exists()


def test_it_computes_a_two_part_round_2(at_round_2):
    _drive, (minh, *_rest) = at_round_2
    services.record_scores(
        application=minh, round_2_written=Decimal("80"), round_2_interview=Decimal("60")
    )
    minh.refresh_from_db()
    assert minh.round_2_score == Decimal("70.00")
    changed = set(
        ScoreChange.objects.filter(application=minh).values_list("field", flat=True)
    )
    assert changed >= {"round_2_written", "round_2_interview", "round_2_score"}


def score_all(candidates, *scores):
    for application, score in zip(candidates, scores, strict=True):
        services.record_scores(application=application, round_2_score=Decimal(score))


def test_it_publishes_the_merit_list_and_refuses_later_edits(at_round_2, users):
    drive, candidates = at_round_2
    score_all(candidates, "72", "88", "45")
    drive = publish(drive, actor=users.hr)
    minh, hoa, khoa = (Application.objects.get(pk=c.pk) for c in candidates)
    assert (hoa.result, hoa.rank, hoa.dossier_due_on) == (
        "winner",
        1,
        dt.date(2026, 4, 21),
    )
    assert (minh.result, minh.rank) == ("passed", 2)
    assert (khoa.result, khoa.rank) == ("failed", None)
    assert "below 50" in khoa.result_reason
    assert LedgerEntry.objects.filter(action="recruitment.results_publish").count() == 1
    with pytest.raises(ValidationError) as exc:
        services.record_scores(application=minh, round_2_score=Decimal("95"))
    assert codes(exc.value) == ["results.published"]
    with pytest.raises(ValidationError) as exc:
        services.record_eligibility(application=khoa, is_eligible=False, reason="x")
    assert codes(exc.value) == ["results.published"]
    assert Application.objects.get(pk=minh.pk).round_2_score == Decimal("72")


def test_a_tie_at_the_last_seat_waits_for_the_head(at_round_2, users):
    drive, candidates = at_round_2
    score_all(candidates, "80", "80", "60")
    with pytest.raises(ValidationError) as exc:
        publish(drive)
    assert codes(exc.value) == ["results.tie_undecided"]
    assert "Phạm Văn Minh, Trần Thị Hoa" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.record_tie_break(
            vacancy=drive.vacancies.get(),
            ordered_applications=[candidates[0], candidates[2]],
            decided_by="Giám đốc Sở",
            decided_on=RESULTS,
        )
    assert codes(exc.value) == ["tie.not_tied"]
    services.record_tie_break(
        vacancy=drive.vacancies.get(),
        ordered_applications=[candidates[1], candidates[0]],
        decided_by="Giám đốc Sở Nội vụ",
        decided_on=RESULTS,
        note="Ưu tiên kinh nghiệm công tác tại cơ sở",
    )
    publish(drive)
    results = dict(Application.objects.values_list("full_name", "result"))
    assert results == {
        "Phạm Văn Minh": "passed",
        "Trần Thị Hoa": "winner",
        "Lý Văn Khoa": "passed",
    }


def test_a_remark_changes_a_published_score_without_a_flag(at_round_2, users):
    drive, candidates = at_round_2
    score_all(candidates, "72", "70", "45")
    publish(drive)
    khoa = candidates[2]
    with pytest.raises(ValidationError) as exc:
        services.request_remark(
            application=khoa, part="round_2_written", requested_on=dt.date(2026, 4, 17)
        )
    assert codes(exc.value) == ["remark.late"]
    remark = services.request_remark(
        application=khoa, part="round_2_written", requested_on=dt.date(2026, 4, 10)
    )
    services.decide_remark(
        remark=remark,
        outcome=RemarkRequest.Outcome.CHANGED,
        new_score=Decimal("75"),
        decided_on=dt.date(2026, 4, 20),
        actor=users.hr,
    )
    khoa.refresh_from_db()
    assert (khoa.round_2_score, khoa.result, khoa.rank) == (Decimal("75"), "winner", 1)
    assert Application.objects.get(pk=candidates[0].pk).result == "passed"
    change = ScoreChange.objects.get(application=khoa, is_after_publication=True)
    assert change.remark == remark
    assert LedgerEntry.objects.filter(action="recruitment.results_revise").exists()
    assert not list(flags.all_flags(codes=["results.score_changed"]))


def test_a_missed_dossier_cancels_and_the_head_admits_the_next(at_round_2, users):
    drive, candidates = at_round_2
    score_all(candidates, "72", "88", "60")
    publish(drive)
    cancelled = services.cancel_missed_dossiers(drive=drive, on=dt.date(2026, 4, 21))
    assert cancelled == []
    cancelled = services.cancel_missed_dossiers(drive=drive, on=dt.date(2026, 4, 22))
    assert [a.full_name for a in cancelled] == ["Trần Thị Hoa"]
    hoa = Application.objects.get(pk=candidates[1].pk)
    assert hoa.result == "cancelled" and "not completed" in hoa.cancellation_reason
    assert Application.objects.get(pk=candidates[0].pk).result == "passed"
    admitted = services.admit_next_ranked(
        vacancy=drive.vacancies.get(), decided_on=dt.date(2026, 4, 25), actor=users.hr
    )
    assert [a.full_name for a in admitted] == ["Phạm Văn Minh"]
    assert admitted[0].dossier_due_on == dt.date(2026, 5, 15)
    assert not list(flags.all_flags(codes=["results.winner_not_top"]))


def test_it_hires_a_winner_through_the_staff_services(at_round_2, users):
    drive, candidates = at_round_2
    score_all(candidates, "72", "88", "60")
    publish(drive)
    hoa = Application.objects.get(pk=candidates[1].pk)
    with pytest.raises(ValidationError) as exc:
        services.hire_winner(
            application=hoa, employee_code="NV-0101", starts_on=dt.date(2026, 5, 4)
        )
    assert codes(exc.value) == ["hire.dossier_incomplete"]
    services.record_dossier_completion(
        application=hoa, completed_on=dt.date(2026, 4, 15)
    )
    employee = services.hire_winner(
        application=hoa,
        employee_code="NV-0101",
        starts_on=dt.date(2026, 5, 4),
        decision_number="88/QĐ-SNV",
        decided_on=dt.date(2026, 4, 28),
        signer="Giám đốc Sở Nội vụ",
        actor=users.hr,
    )
    assert (employee.full_name, employee.national_id, employee.unit) == (
        "Trần Thị Hoa",
        hoa.national_id,
        hoa.vacancy.position.unit,
    )
    assignment = Assignment.objects.get(employee=employee)
    assert assignment.position == hoa.vacancy.position
    assert assignment.quota_override_reason == ""
    grade = GradeHistory.objects.get(employee=employee)
    assert (grade.grade, grade.salary_step, grade.reason) == (
        hoa.vacancy.position.grade,
        1,
        "appointment",
    )
    hoa.refresh_from_db()
    assert hoa.employee == employee
    assert LedgerEntry.objects.filter(action="recruitment.hire").exists()
    with pytest.raises(ValidationError) as exc:
        services.hire_winner(
            application=hoa, employee_code="NV-0102", starts_on=dt.date(2026, 5, 4)
        )
    assert codes(exc.value) == ["hire.already_hired"]


def test_hiring_never_overrides_the_quota(units, position):
    drive, vacancy, (winner,) = scored_drive(units, position, [80], status="results")
    Application.objects.filter(pk=winner.pk).update(
        result="winner", dossier_completed_on=dt.date(2026, 4, 2)
    )
    for code in ("E1", "E2"):
        make_assignment(make_employee(units.ccvc, code), position)
    with pytest.raises(ValidationError) as exc:
        services.hire_winner(
            application=winner, employee_code="NV-9", starts_on=dt.date(2026, 5, 4)
        )
    assert codes(exc.value) == ["quota.exceeded"]
    assert not Employee.objects.filter(employee_code="NV-9").exists()


def test_it_cancels_a_drive_with_a_reason(units, position):
    drive = announce(draft(units, position))
    with pytest.raises(ValidationError):
        services.cancel_drive(drive=drive, reason=" ", expected_version=drive.version)
    drive = services.cancel_drive(
        drive=drive, reason="Sáp nhập đơn vị", expected_version=drive.version
    )
    assert drive.status == "cancelled"
    with pytest.raises(ValidationError) as exc:
        services.advance_drive(
            drive=drive, to_status="applications_closed", expected_version=drive.version
        )
    assert codes(exc.value) == ["drive.transition"]


def test_a_position_outside_the_authority_is_refused(units):
    other = make_position(units.syt, "SYT-CV")
    drive = services.create_drive(
        unit=units.snv, code="TD-X", title="Tuyển dụng", method="exam"
    )
    with pytest.raises(ValidationError) as exc:
        services.set_drive_vacancy(drive=drive, position=other, number=1)
    assert codes(exc.value) == ["vacancy.outside_authority"]


# Public disclosure ----------------------------------------------------------------


def test_public_pages_show_only_published_facts(at_round_2, units, position):
    drive, candidates = at_round_2
    make_drive_draft = services.create_drive(
        unit=units.snv, code="TD-NHAP", title="Bản nháp", method="exam"
    )
    assert make_drive_draft not in selectors.public_drives()
    assert list(selectors.public_drives()) == [drive]
    score_all(candidates, "72", "88", "45")
    assert selectors.public_results(drive) == []
    publish(drive)
    drive.refresh_from_db()
    rows = selectors.public_results(drive)
    assert [(r.full_name, r.rank, r.result) for r in rows] == [
        ("Trần Thị Hoa", 1, "winner"),
        ("Phạm Văn Minh", 2, "passed"),
        ("Lý Văn Khoa", None, "failed"),
    ]
    hoa = Application.objects.get(full_name="Trần Thị Hoa")
    assert rows[0].masked_national_id == "•" * 9 + hoa.national_id[-3:]
    assert all(hoa.national_id not in str(row) for row in rows)
