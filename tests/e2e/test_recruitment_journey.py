"""HR runs a recruitment drive from the notice to the published results; an
anonymous visitor reads them on the public page; an inspector opens a case and
downloads the PDF report (issue 5).

The draft, the candidates, the council and most scores are prepared through the
services; publishing the notice, each step of the workflow, one score and the
publication of the results go through the screens. Elements are found by id,
so the journey holds whatever the interface language."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from recruitment import services
from recruitment.models import Application, InspectionCase, RecruitmentDrive
from recruitment.services import MemberSpec
from tests.factories import (
    make_citizen_id,
    make_discipline_reference_data,
    make_position,
    make_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SUBMIT = "main form button[type=submit]"


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click(SUBMIT)
    expect(page).to_have_url(base_url + "/")


def _status(drive: RecruitmentDrive) -> str:
    drive.refresh_from_db()
    return drive.status


def _prepare_draft(units, hr, published_on: dt.date) -> RecruitmentDrive:
    position = make_position(
        units.ccvc, "CCVC-CV", headcount=2, title="Chuyên viên quản lý công chức"
    )
    drive = services.create_drive(
        unit=units.snv,
        code="TD-SNV-2026",
        title="Tuyển dụng công chức Sở Nội vụ năm 2026",
        method="exam",
        notice_text="Sở Nội vụ thông báo tuyển dụng 01 chỉ tiêu công chức.",
        conditions="Tốt nghiệp đại học chuyên ngành luật hoặc hành chính.",
        contact="Phòng Tổ chức cán bộ, Sở Nội vụ, 0203 3825 111",
        applications_open_on=published_on,
        applications_close_on=published_on + dt.timedelta(days=30),
        schedule_note="Vòng 1 thi trên máy tính; vòng 2 thi viết.",
        actor=hr,
    )
    services.set_drive_vacancy(drive=drive, position=position, number=1, actor=hr)
    for channel, evidence in (
        ("mass_media", "Báo Nhân Dân số 24.123"),
        ("agency_portal", "Cổng thông tin điện tử Sở Nội vụ"),
        ("office_posting", "Biên bản niêm yết tại trụ sở"),
    ):
        services.record_notice_channel(
            drive=drive,
            channel=channel,
            evidence=evidence,
            published_on=published_on,
            actor=hr,
        )
    drive.refresh_from_db()
    return drive


CANDIDATES = (
    ("Nguyễn Thị Trúng Tuyển", "F"),
    ("Phạm Văn Dự Bị", "M"),
    ("Lê Văn Chưa Đạt", "M"),
)


def _advance(page, status: str) -> None:
    page.click(f"form.advance-form[data-status={status}] button[type=submit]")


def test_a_drive_from_notice_to_public_results_and_an_inspection_report(
    browser_page, live_server, units, users, password
):
    make_reference_data()
    make_discipline_reference_data()
    today = timezone.localdate()
    published_on = today - dt.timedelta(days=60)
    drive = _prepare_draft(units, users.hr, published_on)
    base = live_server.url
    page = browser_page
    failed = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    # HR publishes the notice through the screen.
    _log_in(page, base, users.hr.username, password)
    detail = f"{base}/recruitment/drives/{drive.pk}/"
    page.goto(detail)
    page.fill("#announce-form input[name=published_on]", _d(published_on))
    page.click("#announce-form button[type=submit]")
    expect(page.locator("#drive-published-on")).to_have_text(_d(published_on))
    assert _status(drive) == "announced"

    # Candidates apply within the window.
    applications = [
        services.submit_application(
            drive=drive,
            vacancy=drive.vacancies.get(),
            number=f"HS-{i:03d}",
            national_id=make_citizen_id(gender, 1996),
            full_name=name,
            date_of_birth=dt.date(1996, 4, 2),
            gender=gender,
            home_commune=f"Xã Số {i}",
            submitted_on=published_on + dt.timedelta(days=3),
        )
        for i, (name, gender) in enumerate(CANDIDATES, start=1)
    ]

    # The window is over: HR closes the applications.
    page.goto(detail)
    _advance(page, "applications_closed")
    expect(page.locator("form.advance-form[data-status=round_1]")).to_be_visible()
    assert _status(drive) == "applications_closed"

    # The council (5 external members, no relation to anyone), then round 1.
    roles = ["chair", "vice_chair", "secretary", "member", "member"]
    services.appoint_council(
        drive=drive,
        decision_number="15/QĐ-SNV",
        decided_on=today - dt.timedelta(days=20),
        members=[
            MemberSpec(role=role, external_name=f"Chuyên gia Hội đồng {i}")
            for i, role in enumerate(roles, start=1)
        ],
        signer="Giám đốc Sở Nội vụ",
    )
    page.goto(detail)
    _advance(page, "round_1")
    expect(page.locator("form.advance-form[data-status=round_2]")).to_be_visible()
    assert _status(drive) == "round_1"
    for application in applications:
        services.record_eligibility(application=application, is_eligible=True)
        services.record_scores(application=application, round_1_percent=Decimal("75"))
    page.goto(detail)
    _advance(page, "round_2")
    expect(page.locator("form.advance-form")).to_have_count(0)
    assert _status(drive) == "round_2"

    # Round 2: one score typed on the applications list, the others by service.
    winner, reserve, failing = applications
    page.goto(f"{base}/recruitment/drives/{drive.pk}/applications/")
    page.fill(f"#id_a{winner.pk}-round_2_score", "88")
    page.click(f"#scores-{winner.pk} button[type=submit]")
    expect(page.locator(f"#id_a{winner.pk}-round_2_score")).to_have_value("88.00")
    services.record_scores(application=reserve, round_2_score=Decimal("70"))
    services.record_scores(application=failing, round_2_score=Decimal("40"))

    # The merit list, then the publication of the results.
    page.goto(f"{base}/recruitment/drives/{drive.pk}/merit/")
    expect(page.locator(".merit-table")).to_contain_text(winner.number)
    page.click("#publish-form button[type=submit]")
    expect(page.locator("#results-published")).to_be_visible()
    assert _status(drive) == "results"
    assert Application.objects.get(pk=winner.pk).result == "winner"

    # An anonymous visitor, in a browser context of their own.
    visitor = page.context.browser.new_context(locale="vi-VN")
    public = visitor.new_page()
    public.goto(f"{base}/public/recruitment/")
    expect(public.locator("main")).to_contain_text(
        "Tuyển dụng công chức Sở Nội vụ năm 2026"
    )
    public.click(f"a[href='/public/recruitment/{drive.pk}/']")
    results = public.locator("#results")
    for name, _gender in CANDIDATES:
        expect(results).to_contain_text(name)
    expect(results).to_contain_text("88")
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", public.content())
    assert winner.national_id[-3:] in results.inner_text()
    expect(public.locator("form[action*=logout]")).to_have_count(0)
    visitor.close()

    # An inspector opens a case on the unit and downloads the report.
    inspector_context = page.context.browser.new_context(locale="vi-VN")
    inspector = inspector_context.new_page()
    _log_in(inspector, base, users.inspector.username, password)
    inspector.goto(f"{base}/recruitment/inspection/new/")
    inspector.fill("input[name=unit_code]", "P01-SNV")
    inspector.fill("input[name=title]", "Thanh tra công tác tuyển dụng năm 2026")
    inspector.fill("input[name=period_from]", _d(today - dt.timedelta(days=180)))
    inspector.fill("input[name=period_to]", _d(today))
    inspector.click("#case-form button[type=submit]")
    case = InspectionCase.objects.get()
    expect(inspector).to_have_url(f"{base}/recruitment/inspection/{case.pk}/")
    expect(inspector.locator("#scope-drives")).to_contain_text("TD-SNV-2026")
    inspector.fill(
        "#finding-form textarea[name=text]",
        "Đợt tuyển dụng thực hiện đúng quy trình, đủ ba kênh thông báo.",
    )
    inspector.select_option(
        "#finding-form select[name=record]", f"recruitment.recruitmentdrive:{drive.pk}"
    )
    inspector.click("#finding-form button[type=submit]")
    expect(inspector.locator("#finding-list")).to_contain_text("đủ ba kênh thông báo")
    with inspector.expect_download() as download_info:
        inspector.click("#report-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "BÁO CÁO" in text
    assert "Thanh tra công tác tuyển dụng năm 2026" in text
    assert "đủ ba kênh thông báo" in text
    assert "TD-SNV-2026" in text
    assert "Sổ nhật ký toàn vẹn" in text
    inspector_context.close()
    assert failed == [], failed
