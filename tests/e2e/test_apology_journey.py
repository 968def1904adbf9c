"""A counter officer sees an at-risk dossier, issues its apology slip (form 04) and
downloads the slip as a PDF (issue: one-stop-shop conduct logs).

The dossier is due two hours from now, so it is at risk whatever the day, and a
slip issued now comes less than a day before the due time: recorded, and flagged.
Fields are found by their ids, so the journey holds whatever the interface
language."""

import datetime as dt
import io
import unicodedata

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from appraisals.models import ApologySlip
from tests.factories import make_dossier, make_employee, make_procedure, make_step

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CODE = "000.00.34.H01-E2E-0001"


def _log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(base_url + "/")


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_counter_officer_issues_an_apology_slip_and_downloads_it(
    browser_page, live_server, units, users, password
):
    page = browser_page
    trang = make_employee(
        units.tthcc, "S003", full_name="Đinh Thị Thu Trang", gender="F"
    )
    trang.user = users.counter
    trang.save()
    lan = make_employee(units.ccvc, "S001", full_name="Bùi Thị Lan", gender="F")
    marriage = make_procedure("1.000893", 5, name="Đăng ký kết hôn")
    now = timezone.now()
    dossier = make_dossier(
        marriage,
        units.tthcc,
        CODE,
        received_at=now - dt.timedelta(days=3),
        due_at=now + dt.timedelta(hours=2),
        receiving_officer=trang,
        status="processing",
    )
    make_step(
        dossier,
        1,
        lan,
        started_at=now - dt.timedelta(days=2),
        due_at=now - dt.timedelta(hours=1),
    )
    new_due = timezone.localtime(now + dt.timedelta(days=3)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )

    _log_in(page, live_server.url, users.counter.username, password)
    page.goto(live_server.url + "/one-stop/at-risk/")
    row = page.locator(f"#at-risk tr[data-dossier='{CODE}']")
    expect(row).to_contain_text("Đăng ký kết hôn")
    row.locator("a[href$='/apology-slip/']").click()

    expect(page.locator("#timing-warning")).to_be_visible()
    expect(page.locator("#id_responsible_officers")).to_have_value("S001")
    page.fill("#id_reason", "Chờ ý kiến thẩm định của Sở Tư pháp")
    page.fill("#id_new_due_at", new_due.strftime("%Y-%m-%dT%H:%M"))
    page.click("main form button[type=submit]")

    expect(page).to_have_url(f"{live_server.url}/one-stop/dossiers/{dossier.pk}/")
    expect(page.locator("#slip-flag")).to_be_visible()
    slip = ApologySlip.objects.get(dossier=dossier)
    assert slip.is_issued_late
    assert slip.new_due_at == new_due

    with page.expect_download() as download_info:
        page.click("#slip-pdf")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = _normal(" ".join(p.extract_text() for p in reader.pages))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Mã số hồ sơ: {CODE}" in text
    assert "Lý do: Chờ ý kiến thẩm định của Sở Tư pháp" in text
    assert "Mong nhận được sự thông cảm của ông/bà/tổ chức vì sự chậm trễ này" in text
    month = new_due.month if new_due.month >= 3 else f"{new_due.month:02d}"
    assert (
        f"17 giờ 00 phút, ngày {new_due.day:02d} tháng {month} năm {new_due.year}"
        in text
    )
