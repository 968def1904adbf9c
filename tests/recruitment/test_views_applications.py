"""Candidates and results on screen: applications, round 1, scores, the merit
list with ties, publication, re-marking, dossiers and hiring."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from hrms.models import AccessLog
from recruitment import services
from recruitment.models import (
    Application,
    RemarkRequest,
    ScoreChange,
    TieBreakDecision,
)
from staff.models import Employee
from tests.factories import make_citizen_id
from tests.recruitment.conftest import NOTICE, scored_drive
from tests.recruitment.test_drives import (
    RESULTS,
    announce,
    apply,
    appoint,
    close,
    council_specs,
    draft,
    to_round_2,
)
from tests.recruitment.test_views_drives import d, log_in, messages_of, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_2(units, position):
    drive = announce(draft(units, position))
    candidates = [
        apply(drive, "Phạm Văn Minh"),
        apply(
            drive, "Trần Thị Hoa", gender="F", national_id=make_citizen_id("F", 1996)
        ),
        apply(drive, "Lý Văn Khoa"),
    ]
    drive = close(drive)
    appoint(drive, council_specs(units))
    drive.refresh_from_db()
    return to_round_2(drive, candidates), candidates


def test_hr_sees_full_ids_and_an_inspector_masked_ones(client, users, round_2):
    drive, candidates = round_2
    page = log_in(client, users.hr).get(url("application_list", drive.pk))
    assert candidates[0].national_id in page.text
    page = log_in(client, users.inspector).get(url("application_list", drive.pk))
    assert page.status_code == 200
    assert "Phạm Văn Minh" in page.text
    assert candidates[0].national_id not in page.text
    assert "•" * 9 + candidates[0].national_id[-3:] in page.text
    assert "scores-" not in page.text  # no entry form for a reader
    detail = client.get(url("application_detail", candidates[0].pk))
    assert detail.status_code == 200
    assert AccessLog.objects.filter(
        user=users.inspector,
        object_type="recruitment.application",
        object_id=str(candidates[0].pk),
    ).exists()
    response = client.post(
        url("application_scores", candidates[0].pk), {"round_2_score": "90"}
    )
    assert response.status_code == 403


def test_hr_receives_an_application_in_the_window(client, users, units, position):
    drive = announce(draft(units, position))
    log_in(client, users.hr)
    page = client.get(url("application_list", drive.pk))
    assert url("application_create", drive.pk) in page.text
    response = client.post(
        url("application_create", drive.pk),
        {
            "vacancy": drive.vacancies.get().pk,
            "number": "HS-100",
            "national_id": make_citizen_id("M", 1997),
            "full_name": "Đặng Văn Mới",
            "date_of_birth": "02/03/1997",
            "gender": "M",
            "home_commune": "Xã An Phú",
            "submitted_on": d(NOTICE + dt.timedelta(days=2)),
            "channel": "in_person",
            "priority_claims": ["military_service"],
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(number="HS-100")
    assert application.priority_points == Decimal("2.5")
    response = client.post(
        url("application_create", drive.pk),
        {
            "vacancy": drive.vacancies.get().pk,
            "number": "HS-101",
            "national_id": make_citizen_id("M", 1997),
            "full_name": "Hồ Văn Muộn",
            "date_of_birth": "02/03/1997",
            "gender": "M",
            "home_commune": "Xã An Phú",
            "submitted_on": d(NOTICE + dt.timedelta(days=40)),
            "channel": "in_person",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["submitted_on"]
    assert not Application.objects.filter(number="HS-101").exists()


def test_round_1_outcomes_need_a_reason_when_ineligible(client, users, units, position):
    drive = announce(draft(units, position))
    minh = apply(drive)
    drive = close(drive)
    appoint(drive, council_specs(units))
    drive.refresh_from_db()
    drive = services.advance_drive(
        drive=drive, to_status="round_1", expected_version=drive.version, on=RESULTS
    )
    log_in(client, users.hr)
    page = client.get(url("application_list", drive.pk))
    assert "eligibility-form" in page.text and 'id="scores-' in page.text
    response = client.post(
        url("application_eligibility", minh.pk),
        {"is_eligible": "0", "reason": "", "next": "list"},
        follow=True,
    )
    assert any("reason" in m for m in messages_of(response))
    minh.refresh_from_db()
    assert minh.eligibility == "pending"
    response = client.post(
        url("application_eligibility", minh.pk),
        {"is_eligible": "0", "reason": "Thiếu bằng tốt nghiệp", "next": "list"},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#application-{minh.pk}")
    minh.refresh_from_db()
    assert (minh.eligibility, minh.eligibility_reason) == (
        "ineligible",
        "Thiếu bằng tốt nghiệp",
    )


def test_a_score_out_of_range_is_refused_with_the_rule(client, users, round_2):
    drive, (minh, *_rest) = round_2
    log_in(client, users.hr)
    prefix = f"a{minh.pk}"
    response = client.post(
        url("application_scores", minh.pk),
        {"prefix": prefix, "next": "list", f"{prefix}-round_2_score": "150"},
    )
    assert response.status_code == 200
    assert "must be between 0 and 100; 150 was given" in response.text
    assert "Decree 170/2025/NĐ-CP" in response.text
    minh.refresh_from_db()
    assert minh.round_2_score is None
    response = client.post(
        url("application_scores", minh.pk),
        {
            "prefix": prefix,
            "next": "list",
            f"{prefix}-round_1_percent": "80",
            f"{prefix}-round_2_written": "80",
            f"{prefix}-round_2_interview": "60",
        },
    )
    assert response.status_code == 302
    minh.refresh_from_db()
    assert minh.round_2_score == Decimal("70.00")
    assert ScoreChange.objects.filter(
        application=minh, field="round_2_score", changed_by=users.hr
    ).exists()


def test_the_merit_list_waits_for_the_heads_tie_decision(
    client, users, units, position
):
    drive, vacancy, (first, second, third) = scored_drive(
        units, position, [80, 80, 40], seats=1
    )
    log_in(client, users.hr)
    page = client.get(url("merit_list", drive.pk))
    assert "tie-form" in page.text
    assert first.number in page.text and "below 50" in page.text
    response = client.post(
        url("results_publish", drive.pk),
        {"version": drive.version, "published_on": d(RESULTS)},
        follow=True,
    )
    assert any("tied for the last seat" in m for m in messages_of(response))
    drive.refresh_from_db()
    assert drive.status == "round_2"

    prefix = f"v{vacancy.pk}"
    client.post(
        url("tie_break_create", vacancy.pk),
        {
            f"{prefix}-order": f"{second.number}, {first.number}",
            f"{prefix}-decided_by": "Giám đốc Sở Nội vụ",
            f"{prefix}-decided_on": d(RESULTS),
            f"{prefix}-note": "Kinh nghiệm công tác cơ sở",
        },
    )
    tie = TieBreakDecision.objects.get()
    assert tie.ordered_applications == [second.pk, first.pk]
    response = client.post(
        url("results_publish", drive.pk),
        {"version": drive.version, "published_on": d(RESULTS)},
    )
    assert response.status_code == 302
    drive.refresh_from_db()
    assert (drive.status, drive.results_published_on) == ("results", RESULTS)
    results = dict(Application.objects.values_list("pk", "result"))
    assert results == {second.pk: "winner", first.pk: "passed", third.pk: "failed"}
    page = client.get(url("merit_list", drive.pk))
    assert "results-published" in page.text and "publish-form" not in page.text


def test_an_unknown_number_in_a_tie_decision_is_refused(client, users, units, position):
    drive, vacancy, (first, _second) = scored_drive(units, position, [80, 80])
    log_in(client, users.hr)
    prefix = f"v{vacancy.pk}"
    response = client.post(
        url("tie_break_create", vacancy.pk),
        {
            f"{prefix}-order": f"{first.number}, HS-NONE",
            f"{prefix}-decided_by": "Giám đốc",
            f"{prefix}-decided_on": d(RESULTS),
        },
        follow=True,
    )
    assert any("HS-NONE" in m for m in messages_of(response))
    assert not TieBreakDecision.objects.exists()


def test_remarking_dossier_and_hiring_a_winner(client, users, round_2):
    drive, candidates = round_2
    for application, score in zip(candidates, ("72", "88", "45"), strict=True):
        services.record_scores(application=application, round_2_score=Decimal(score))
    drive.refresh_from_db()
    log_in(client, users.hr)
    client.post(
        url("results_publish", drive.pk),
        {"version": drive.version, "published_on": d(RESULTS)},
    )
    khoa, hoa = candidates[2], candidates[1]

    # Re-marking: filed from the candidate's page, decided from the drive's list.
    client.post(
        url("remark_request_create", khoa.pk),
        {"part": "round_2_written", "requested_on": d(RESULTS + dt.timedelta(days=5))},
    )
    remark = RemarkRequest.objects.get(application=khoa)
    page = client.get(url("remark_list", drive.pk))
    assert url("remark_decide", remark.pk) in page.text
    response = client.post(
        url("remark_decide", remark.pk),
        {
            "outcome": "changed",
            "decided_on": d(RESULTS + dt.timedelta(days=10)),
            "new_score": "55",
            "note": "Chấm lại câu 3",
        },
    )
    assert response.status_code == 302
    khoa.refresh_from_db()
    assert (khoa.round_2_score, khoa.result) == (Decimal("55"), "passed")

    # The winner's dossier, then the hire through the staff services.
    client.post(
        url("application_dossier", hoa.pk),
        {"completed_on": d(RESULTS + dt.timedelta(days=10))},
    )
    hoa.refresh_from_db()
    assert hoa.dossier_completed_on == RESULTS + dt.timedelta(days=10)
    detail = client.get(url("application_detail", hoa.pk))
    assert url("application_hire", hoa.pk) in detail.text
    response = client.post(
        url("application_hire", hoa.pk),
        {
            "employee_code": "NV-0101",
            "starts_on": d(dt.date(2026, 5, 4)),
            "staff_type": "cong_chuc",
            "salary_step": "1",
            "decision_number": "88/QĐ-SNV",
            "decided_on": d(dt.date(2026, 4, 28)),
            "signer": "Giám đốc Sở Nội vụ",
        },
    )
    assert response.status_code == 302
    employee = Employee.objects.get(employee_code="NV-0101")
    hoa.refresh_from_db()
    assert hoa.employee == employee and employee.full_name == "Trần Thị Hoa"


def test_no_citizen_id_leaks_into_an_inspectors_merit_page(
    client, users, units, position
):
    drive, _vacancy, applications = scored_drive(units, position, [70, 60])
    page = log_in(client, users.inspector).get(url("merit_list", drive.pk))
    assert page.status_code == 200
    assert not re.search(r"\d{12}", page.text)
    assert all(a.full_name in page.text for a in applications)
