"""A person from the HR office logs in, finds their units, and switches language."""

import os

import pytest
from playwright.sync_api import expect

# serialized_rollback restores the reference data (grades, scales) the flush removes.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_hr_officer_logs_in_and_switches_to_english(
    browser_page, live_server, users, password, tmp_path
):
    page = browser_page
    failed = []
    page.on(
        "response",
        lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/accounts/login/?next=/")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    page.get_by_label("Tên đăng nhập").fill(users.hr.username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(live_server.url + "/")
    expect(
        page.get_by_role("heading", level=1, name="Trang của cán bộ tổ chức")
    ).to_be_visible()
    units = page.locator("table.units-table")
    expect(units).to_contain_text("P01-SNV")
    expect(units).to_contain_text("Sở Nội vụ")
    expect(units).not_to_contain_text("P01-SYT")
    # The vendored stylesheet and app.css are served and applied.
    navbar_colour = page.locator("nav.app-navbar").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert navbar_colour == "rgb(11, 45, 87)"
    page.screenshot(
        path=os.environ.get("HRMS_SCREENSHOT", str(tmp_path / "home.png")),
        full_page=True,
    )

    page.get_by_role("button", name="English").click()
    expect(
        page.get_by_role("heading", level=1, name="HR officer's page")
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert failed == []
