"""Sign-in security: lockout, password rules and flows, sessions, headers, CSP."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    validate_password,
)
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e import conftest as e2e

STRONG = "Xuân-Hạ-Thu-Đông-2026"
TEMPLATES = Path(django_settings.BASE_DIR) / "templates"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, username, password, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, **extra
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# Lockout ------------------------------------------------------------------


def test_it_locks_an_account_after_repeated_failures(client, users, password):
    for _ in range(2):
        assert _login(client, "hr1", "wrong password").status_code == 200
    response = _login(client, "hr1", "wrong password", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Account locked" in page
    assert "3 failed login attempts in a row" in page
    assert "try again in 30 minutes" in page

    # Now even the right password is refused, and nobody is signed in.
    response = _login(client, "hr1", password)
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_lockout_page_is_in_vietnamese_by_default(client, users):
    for _ in range(3):
        response = _login(client, "hr1", "wrong password")
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="vi">' in page
    assert 'id="lockout-message"' in page
    assert reverse("password_reset") in page


def test_a_lockout_is_per_username(client, users, password):
    for _ in range(3):
        _login(client, "hr1", "wrong password")
    response = _login(client, "manager1", password)
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_success_resets_the_count_of_failures(client, users, password):
    for _ in range(2):
        _login(client, "hr1", "wrong password")
    assert _login(client, "hr1", password).status_code == 302
    client.logout()
    for _ in range(2):
        _login(client, "hr1", "wrong password")
    assert _login(client, "hr1", password).status_code == 302


def test_the_command_unlocks_an_account(client, users, password):
    for _ in range(3):
        _login(client, "hr1", "wrong password")
    assert AccessAttempt.objects.filter(username="hr1").exists()

    call_command("axes_reset_username", "hr1", verbosity=0)

    assert _login(client, "hr1", password).status_code == 302
    assert _signed_in(client)


def test_the_lock_ends_after_the_cool_off(client, users, password):
    for _ in range(3):
        _login(client, "hr1", "wrong password")
    with time_machine.travel(timezone.now() + django_settings.AXES_COOLOFF_TIME):
        assert _login(client, "hr1", password).status_code == 302


def test_an_administrator_unlocks_from_the_back_office(client, users, password):
    for _ in range(3):
        _login(client, "hr1", "wrong password")
    attempt = AccessAttempt.objects.get(username="hr1")
    admin_user = get_user_model().objects.create_superuser(
        "root", "root@example.gov.vn", STRONG
    )
    client.force_login(admin_user)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client.logout()

    assert _login(client, "hr1", password).status_code == 302


# Passwords ----------------------------------------------------------------


def test_the_password_validators_are_djangos_four_with_twelve_characters():
    validators = {type(v).__name__: v for v in get_default_password_validators()}
    assert sorted(validators) == [
        "CommonPasswordValidator",
        "MinimumLengthValidator",
        "NumericPasswordValidator",
        "UserAttributeSimilarityValidator",
    ]
    assert validators["MinimumLengthValidator"].min_length == 12


@pytest.mark.parametrize(
    "weak",
    ["Ngắn-1", "password1234", "202612345678", "thanh.nguyen@example.gov"],
    ids=["short", "common", "numeric", "like-the-email"],
)
def test_it_rejects_weak_passwords(users, weak):
    users.hr.email = "thanh.nguyen@example.gov.vn"
    with pytest.raises(ValidationError):
        validate_password(weak, user=users.hr)


def test_it_accepts_a_long_passphrase(users):
    validate_password(STRONG, user=users.hr)


def test_it_changes_the_password(client, users, password):
    client.force_login(users.hr)
    url = reverse("password_change")
    response = client.get(url)
    assert response.status_code == 200
    assert 'autocomplete="new-password"' in response.content.decode()

    response = client.post(
        url,
        {"old_password": password, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    users.hr.refresh_from_db()
    assert users.hr.check_password(STRONG)
    # Still signed in on this browser.
    assert client.get("/").status_code == 200


def test_the_password_change_refuses_a_weak_password(client, users, password):
    client.force_login(users.hr)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "abc", "new_password2": "abc"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()
    users.hr.refresh_from_db()
    assert users.hr.check_password(password)


def test_the_password_change_needs_a_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_resets_a_forgotten_password_by_email(client, users):
    users.hr.email = "hr1@example.gov.vn"
    users.hr.save()
    response = client.post(reverse("password_reset"), {"email": "hr1@example.gov.vn"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hr1@example.gov.vn"]
    assert "HRMS" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body)[1]

    response = client.get(link)  # swaps the token for a session marker
    assert response.status_code == 302
    form_url = response.url
    assert client.get(form_url).context["validlink"]
    response = client.post(form_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.url == reverse("password_reset_complete")
    assert _login(client, "hr1", STRONG).status_code == 302
    # The link worked once.
    assert not client.get(link, follow=True).context["validlink"]


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "ai@example.gov.vn"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_login_page_links_to_the_password_reset(client, db):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page


def test_the_user_menu_links_to_the_account_pages(client, users):
    client.force_login(users.staff)
    page = client.get("/").content.decode()
    assert f'href="{reverse("account:account_detail")}"' in page
    assert f'href="{reverse("password_change")}"' in page


# Sessions -----------------------------------------------------------------


def test_a_session_lasts_eight_hours_and_ends_with_the_browser(client, users, password):
    assert django_settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = _login(client, "hr1", password)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"]
    assert client.session.get_expiry_age() == 8 * 60 * 60

    with time_machine.travel(timezone.now() + timezone.timedelta(hours=8, minutes=1)):
        assert client.get("/").status_code == 302


def test_the_session_cookie_can_outlive_the_browser(client, users, password, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = False
    response = _login(client, "hr1", password)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 8 * 60 * 60


def test_production_settings_come_from_the_environment():
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECURE_COOKIES": "True",
        "SESSION_COOKIE_AGE": "3600",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": "False",
        "EMAIL_URL": "smtp+tls://mailer:secret@mail.example.gov.vn:587",
        "DEFAULT_FROM_EMAIL": "hrms@example.gov.vn",
        "OTP_REQUIRED_ROLES": "admin,hr",
        "AXES_FAILURE_LIMIT": "7",
        "AXES_COOLOFF_MINUTES": "0",
        "PASSWORD_MIN_LENGTH": "14",
        "DJANGO_SETTINGS_MODULE": "hrms.settings",
    }
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
        "EMAIL_HOST_USER",
        "DEFAULT_FROM_EMAIL",
        "OTP_REQUIRED_ROLES",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_TIME",
    ]
    script = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}, default=str)); "
        "print(s.AUTH_PASSWORD_VALIDATORS[1]['OPTIONS']['min_length'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    values = json.loads(out[0])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_AGE": 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.gov.vn",
        "EMAIL_PORT": 587,
        "EMAIL_USE_TLS": True,
        "EMAIL_HOST_USER": "mailer",
        "DEFAULT_FROM_EMAIL": "hrms@example.gov.vn",
        "OTP_REQUIRED_ROLES": ["admin", "hr"],
        "AXES_FAILURE_LIMIT": 7,
        "AXES_COOLOFF_TIME": None,
    }
    assert out[1] == "14"


# Headers and CSP ----------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part)
    }


def test_pages_carry_the_security_headers(client, db):
    response = client.get(reverse("login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["style-src"] == ["'self'"]  # no <style> on this page, so no nonce


def test_hsts_is_sent_over_https_when_configured(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_style_element_carries_the_nonce_of_the_policy(client, db):
    response = client.get(reverse("public:drive_list"))
    assert response.status_code == 200
    nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode())[1]
    assert f"'nonce-{nonce}'" in _csp(response)["style-src"]


def test_the_swagger_ui_runs_without_inline_scripts(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert len(scripts) == 3
    assert all(" src=" in tag for tag in scripts)
    nonce = re.search(r'<style nonce="([^"]+)">', page)[1]
    assert f"'nonce-{nonce}'" in _csp(response)["style-src"]
    assert _csp(response)["script-src"] == ["'self'"]

    init = re.search(r'<script src="([^"]*script=[^"]*)"', page)[1]
    response = client.get(init.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


_TAG = re.compile(r"<[a-zA-Z][^>]*>", re.DOTALL)
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/json)")
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        if _INLINE_SCRIPT.search(text):
            offenders.append(f"{name}: <script> without src")
        for tag in _TAG.findall(text):
            if _HANDLER.search(tag):
                offenders.append(f"{name}: {tag[:60]}")
    assert offenders == []


# In a browser -------------------------------------------------------------

# Chromium through Playwright, as the journeys in tests/e2e drive it.
browser_page = e2e.browser_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pages_work_under_the_policy_in_a_browser(
    browser_page, live_server, users, password
):
    page = browser_page
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else 0,
    )
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill("admin1")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/")

    # Bootstrap's script runs: the user menu opens.
    page.locator("#user-menu").click()
    expect(page.locator('.user-menu a[href="/account/"]')).to_be_visible()

    for name in (
        "positions:unit_list",
        "positions:establishment_report",
        "account:account_detail",
        "password_change",
        "public:drive_list",
    ):
        page.goto(live_server.url + reverse(name))
        expect(page.locator("h1").first).to_be_visible()
    # The public pages' print button works through static/js/print.js.
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.locator("[data-print]").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")

    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("hrms API")
    assert refused == []
