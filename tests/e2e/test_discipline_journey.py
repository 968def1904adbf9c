"""An HR officer records a discipline case from detection to decision and sees
the employee's next step raise move back by the warning's six months.

Fields are found by their ids, so the journey holds whatever the interface
language and its catalogue."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from staff.models import DisciplineCase
from staff.rules import add_months
from tests.factories import (
    make_discipline_reference_data,
    make_employee,
    make_grade_step,
    make_reference_data,
)

# serialized_rollback restores the reference data (grades, rules) the flush removes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_hr_records_a_case_to_decision_and_the_raise_date_moves(
    browser_page, live_server, units, users, password
):
    make_reference_data()
    make_discipline_reference_data()
    today = timezone.localdate()
    since = add_months(today, -12)
    employee = make_employee(units.ccvc, "CCVC21", full_name="Trịnh Văn Quang")
    make_grade_step(employee, "01.003", 2, effective_on=since)
    due = add_months(since, 36)

    page = browser_page
    failed = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill(users.hr.username)
    page.locator("#id_password").fill(password)
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")

    file_url = f"{live_server.url}/staff/{employee.pk}/"
    page.goto(file_url)
    expect(page.locator("#next-raise-date")).to_have_text(_d(due))

    # Detection: open the case.
    page.locator(f"a[href='/staff/{employee.pk}/discipline/new/']").click()
    page.locator("#id_detected_on").fill(_d(today - dt.timedelta(days=30)))
    page.locator("#id_severity").select_option("less_serious")
    page.locator("#id_description").fill("Tự ý nghỉ việc 3 ngày không có lý do")
    page.locator("#id_occurred_on").fill(_d(today - dt.timedelta(days=40)))
    page.locator("#id_mitigating").fill("Tự giác báo cáo")
    page.locator("main form[method=post] button[type=submit]").click()
    case = DisciplineCase.objects.get(employee=employee)
    expect(page).to_have_url(f"{live_server.url}/staff/discipline/{case.pk}/")
    expect(page.locator("#case-countdown")).to_contain_text("60")

    # A decision before the explanation is refused, citing the rule.
    page.goto(f"{live_server.url}/staff/discipline/{case.pk}/decision/")
    page.locator("#id_form").select_option("warning")
    page.locator("#id_decision_number").fill("25/QĐ-SNV")
    page.locator("#id_signer").fill("Nguyễn Văn Hùng")
    page.locator("#id_signer_title").fill("Giám đốc Sở Nội vụ")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("#form-errors")).to_contain_text("Decree 112/2020")

    # The right to be heard: the written explanation.
    page.goto(f"{live_server.url}/staff/discipline/{case.pk}/explanation/")
    page.locator("#id_submitted_on").fill(_d(today - dt.timedelta(days=5)))
    page.locator("#id_text").fill("Tôi xin nhận khuyết điểm và cam kết sửa chữa.")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/staff/discipline/{case.pk}/")

    # The council.
    page.goto(f"{live_server.url}/staff/discipline/{case.pk}/council/")
    page.locator("#id_name_0").fill("Trần Minh An")
    page.locator("#id_role_0").select_option("chair")
    page.locator("#id_name_1").fill("Lê Thị Bình")
    page.locator("#id_role_1").select_option("secretary")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/staff/discipline/{case.pk}/")

    # The decision: a warning, from today.
    page.goto(f"{live_server.url}/staff/discipline/{case.pk}/decision/")
    expect(page.locator("#id_form option[value=salary_step_down]")).to_have_count(0)
    page.locator("#id_form").select_option("warning")
    page.locator("#id_decision_number").fill("25/QĐ-SNV")
    page.locator("#id_signer").fill("Nguyễn Văn Hùng")
    page.locator("#id_signer_title").fill("Giám đốc Sở Nội vụ")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/staff/discipline/{case.pk}/")
    expect(page.locator("#case-decision")).to_contain_text("25/QĐ-SNV")

    # The next raise moved back six months.
    page.goto(file_url)
    expect(page.locator("#next-raise-date")).to_have_text(_d(add_months(due, 6)))
    expect(page.locator("#discipline-cases")).to_contain_text(case.reference)
    assert failed == [], failed
