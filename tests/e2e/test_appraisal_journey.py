"""The annual appraisal end to end (issue #7): a civil servant self-assesses, the
manager proposes a level with the evidence beside the form, the competent head
decides, and the civil servant downloads the appraisal form as a PDF naming the
decided level.

The cycle is this year's, so "My appraisal" opens it without a year; its data
come through the services and factories. Fields are found by their ids, so the
journey holds whatever the interface language."""

import datetime as dt
import io
import unicodedata

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from appraisals import appraisal_services as svc
from appraisals.models import Appraisal
from tests.factories import (
    make_assignment,
    make_discipline_reference_data,
    make_employee,
    make_position,
    make_reference_data,
    make_scoring_rules,
    make_task,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# 20 of 30 general-criteria points: with 67.08 task points, "well completed".
POINTS = {
    "political_ethics": "0",
    "culture": "0",
    "discipline": "2",
    "competence": "4",
    "responsibility": "4",
    "service_attitude": "4",
    "coordination": "3",
    "innovation": "3",
}


def _log_in(page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(base_url + "/")


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_self_assessment_proposal_decision_and_the_pdf_form(
    browser_page, live_server, units, users, password
):
    page = browser_page
    make_reference_data()
    make_scoring_rules()
    make_discipline_reference_data()
    year = timezone.localdate().year
    lan = make_employee(
        units.ccvc, "S101", full_name="Bùi Thị Lan", gender="F", user=users.staff
    )
    make_assignment(lan, make_position(units.ccvc), starts_on=dt.date(2020, 1, 1))
    due = dt.date(year, 3, 13)
    make_task(lan, f"T-{year}-03-01", period=f"{year}-03", due_on=due, completed_on=due)
    make_task(
        lan,
        f"T-{year}-03-14",
        period=f"{year}-03",
        due_on=due,
        completed_on=due + dt.timedelta(days=6),
    )
    cycle = svc.open_cycle(unit=units.root, year=year)
    cycle = svc.advance_cycle(cycle=cycle, to_status="self_assessment")
    svc.compute_cycle(cycle=cycle)
    appraisal = Appraisal.objects.get(cycle=cycle, employee=lan)

    # The civil servant writes the self-assessment.
    _log_in(page, live_server.url, users.staff.username, password)
    page.click("#appraisal-menu")
    page.click("#appraisal-menu + .dropdown-menu a[href='/appraisals/me/']")
    expect(page.locator("#explanation")).to_contain_text(f"T-{year}-03-14")
    page.fill("#id_text", "Hoàn thành đầy đủ, đúng hạn các nhiệm vụ được giao.")
    page.click("main form button[type=submit]")
    expect(page.locator("#my-status [data-status=self_assessed]")).to_be_visible()

    # The unit's comment meeting; the cycle moves on to the proposals.
    svc.record_comment_meeting(
        cycle=cycle,
        held_on=timezone.localdate(),
        summoned=9,
        attended=7,
        minutes="Biên bản họp góp ý",
    )
    svc.advance_cycle(cycle=cycle, to_status="comment_meeting")
    svc.advance_cycle(cycle=cycle, to_status="manager_proposal")

    # The manager proposes, with the evidence beside the form.
    _log_in(page, live_server.url, users.manager.username, password)
    page.goto(f"{live_server.url}/appraisals/{appraisal.pk}/propose/")
    evidence = page.locator("#evidence")
    expect(evidence).to_contain_text(f"T-{year}-03-14")
    expect(evidence.locator(f"tr[data-product='T-{year}-03-14']")).to_be_visible()
    expect(page.locator("#self-assessment")).to_contain_text("đúng hạn")
    expect(page.locator("#cap-summary")).to_be_visible()
    for name, value in POINTS.items():
        page.fill(f"#id_crit_{name}", value)
    page.fill("#id_comment", "Hoàn thành tốt; một sản phẩm trễ hạn.")
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/appraisals/{appraisal.pk}/")
    expect(page.locator("#proposal")).to_be_visible()
    appraisal.refresh_from_db()
    assert appraisal.proposed_level == "hoan_thanh_tot"

    # The competent head decides.
    _log_in(page, live_server.url, users.admin.username, password)
    page.goto(f"{live_server.url}/appraisals/{appraisal.pk}/")
    page.click("#decide-link")
    expect(page.locator("#id_level")).to_have_value("hoan_thanh_tot")
    page.fill("#id_note", "Đồng ý với đề xuất")
    page.click("main form button[type=submit]")
    expect(page.locator("#decision")).to_be_visible()
    appraisal.refresh_from_db()
    assert appraisal.status == Appraisal.Status.DECIDED
    assert appraisal.decided_level == "hoan_thanh_tot"

    # The civil servant downloads the form.
    _log_in(page, live_server.url, users.staff.username, password)
    page.goto(live_server.url + "/appraisals/me/")
    expect(page.locator("#snapshot-hash")).to_have_text(appraisal.snapshot_hash)
    with page.expect_download() as download_info:
        page.click("#appraisal-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = _normal(" ".join(p.extract_text() for p in reader.pages))
    assert "PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG CÔNG CHỨC" in text
    assert "Họ và tên: Bùi Thị Lan" in text
    assert "Hoàn thành đầy đủ, đúng hạn các nhiệm vụ được giao." in text
    assert "Xếp loại chất lượng: Hoàn thành tốt nhiệm vụ" in text
