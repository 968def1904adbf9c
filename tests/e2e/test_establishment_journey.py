"""An HR officer creates a position, assigns someone to it, and watches the
establishment report change (issue: positions and the personnel file)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from staff.models import Assignment
from tests.factories import make_employee, make_grade_step

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    expect(page).to_have_url(base_url + "/")


def _total(page, name: str) -> int:
    return int(page.locator(f"[data-total={name}]").inner_text())


def test_hr_creates_a_position_assigns_and_sees_the_report_change(
    browser_page, live_server, users, units, password
):
    page = browser_page
    employee = make_employee(
        units.ccvc,
        "S900",
        full_name="Đinh Thị Thu Trang",
        joined_on=dt.date(2020, 9, 1),
    )
    make_grade_step(employee, grade="01.003", step=2, effective_on=dt.date(2024, 9, 1))
    _log_in(page, live_server.url, users.hr.username, password)

    report_url = f"{live_server.url}/org/establishment/?unit=P01-SNV"
    page.goto(report_url)
    quota_before, filled_before = _total(page, "quota"), _total(page, "filled")

    page.goto(live_server.url + "/org/positions/new/")
    page.fill("input[name=unit_code]", "P01-SNV-CCVC")
    page.fill("input[name=code]", "P01-SNV-CCVC-TN")
    page.fill("input[name=title]", "Chuyên viên tiếp nhận hồ sơ công chức")
    page.select_option("select[name=group]", "professional")
    page.select_option("select[name=grade]", label=_grade_label(page, "01.003"))
    page.fill("input[name=headcount]", "2")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text("P01-SNV-CCVC-TN")

    page.goto(report_url)
    assert _total(page, "quota") == quota_before + 2
    assert _total(page, "filled") == filled_before
    expect(page.locator("#establishment")).to_contain_text("P01-SNV-CCVC-TN")

    page.goto(f"{live_server.url}/staff/{employee.pk}/assign/")
    page.fill("input[name=position_code]", "P01-SNV-CCVC-TN")
    page.fill("input[name=starts_on]", "01/10/2026")
    page.fill("input[name=decision_number]", "88/QĐ-SNV")
    page.click("main form button[type=submit]")
    expect(page.locator("main")).to_contain_text(
        "Chuyên viên tiếp nhận hồ sơ công chức"
    )
    assert Assignment.objects.filter(
        employee=employee, position__code="P01-SNV-CCVC-TN"
    ).exists()

    page.goto(report_url)
    assert _total(page, "quota") == quota_before + 2
    assert _total(page, "filled") == filled_before + 1
    row = page.locator("#establishment tr", has_text="P01-SNV-CCVC-TN")
    expect(row).to_contain_text("1")


def _grade_label(page, code: str) -> str:
    options = page.locator("select[name=grade] option").all_inner_texts()
    return next(text for text in options if code in text)
