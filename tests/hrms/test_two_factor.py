"""Two-step verification with TOTP: enrolment, the code step of the login, the
roles that may or must use it. Codes are computed from the device key."""

import base64
import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hrms.auth import services
from tests.e2e import conftest as e2e

# Chromium through Playwright, as the journeys in tests/e2e drive it.
browser_page = e2e.browser_page

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock(request):
    if request.node.get_closest_marker("browser"):
        yield None  # the browser and the live server run on the real clock
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _code(device: TOTPDevice) -> str:
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{token:0{device.digits}d}"


def _wrong(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 1) % 10**6:06d}"


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _login(client, username, password, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


# Enrolment ----------------------------------------------------------------


def test_the_account_page_offers_two_step_verification_to_hr(client, users):
    client.force_login(users.hr)
    response = client.get(reverse("account:account_detail"))
    assert response.status_code == 200
    assert reverse("account:totp_enrol") in response.content.decode()


def test_the_account_page_does_not_offer_it_to_other_roles(client, users):
    client.force_login(users.staff)
    response = client.get(reverse("account:account_detail"))
    assert response.status_code == 200
    assert reverse("account:totp_enrol") not in response.content.decode()
    response = client.get(reverse("account:totp_enrol"))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=users.staff).exists()


def test_the_account_pages_need_a_login(client, db):
    for name in ("account:account_detail", "account:totp_enrol"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_it_enrols_a_device_with_a_qr_code_and_a_code(client, users, _clock):
    client.force_login(users.inspector)
    url = reverse("account:totp_enrol")
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    device = TOTPDevice.objects.get(user=users.inspector)
    assert not device.confirmed
    assert '<svg width="220" height="220" role="img"' in page
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page)[1]
    assert secret.replace(" ", "") == services.totp_secret(device).replace(" ", "")
    assert "issuer=HRMS" in device.config_url
    # Reloading the page keeps the same secret until it is confirmed.
    client.get(url)
    assert TOTPDevice.objects.filter(user=users.inspector).count() == 1

    response = client.post(url, {"code": _wrong(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The code is wrong or has expired" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    _clock.shift(5)  # past django-otp's one-second back-off after a failure
    response = client.post(url, {"code": _code(device)})
    assert response.status_code == 302
    assert response.url == reverse("account:account_detail")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_the_code_field_takes_six_digits(client, users):
    client.force_login(users.hr)
    response = client.post(
        reverse("account:totp_enrol"), {"code": "12ab"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Enter the 6 digits the app shows." in response.content.decode()


# Login with a code --------------------------------------------------------


def test_an_enrolled_user_gives_a_code_after_the_password(
    client, users, password, _clock
):
    device = _enrolled(users.hr)
    response = _login(client, "hr1", password)
    assert response.status_code == 302
    assert response.url == reverse("account:login_verify")
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # not in yet

    verify = reverse("account:login_verify")
    response = client.get(verify)
    assert response.status_code == 200
    assert 'autocomplete="one-time-code"' in response.content.decode()

    response = client.post(verify, {"code": _wrong(device)})
    assert response.status_code == 200
    assert not _signed_in(client)

    _clock.shift(5)
    response = client.post(verify, {"code": _code(device)})
    assert response.status_code == 302
    assert response.url == "/"
    assert _signed_in(client)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200


def test_a_used_code_cannot_be_used_again(client, users, password):
    device = _enrolled(users.hr)
    code = _code(device)
    _login(client, "hr1", password)
    assert client.post(reverse("account:login_verify"), {"code": code}).status_code
    client.logout()
    _login(client, "hr1", password)
    client.post(reverse("account:login_verify"), {"code": code})
    assert not _signed_in(client)


def test_the_code_step_keeps_the_page_asked_for(client, users, password):
    device = _enrolled(users.hr)
    target = reverse("positions:unit_list")
    _login(client, "hr1", password, next_url=target)
    response = client.post(reverse("account:login_verify"), {"code": _code(device)})
    assert response.url == target


def test_users_without_a_device_log_in_with_the_password_alone(client, users, password):
    response = _login(client, "hr1", password)
    assert response.url == "/"
    assert _signed_in(client)


def test_the_password_step_expires(client, users, password, _clock):
    device = _enrolled(users.hr)
    _login(client, "hr1", password)
    _clock.shift(6 * 60)
    response = client.post(reverse("account:login_verify"), {"code": _code(device)})
    assert response.url == reverse("login")
    assert not _signed_in(client)


def test_the_code_step_without_a_password_step_goes_to_the_login(client, db):
    response = client.get(reverse("account:login_verify"))
    assert response.url == reverse("login")


def test_wrong_codes_count_towards_the_lockout(
    client, users, password, settings, _clock
):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    device = _enrolled(users.hr)
    _login(client, "hr1", password)
    verify = reverse("account:login_verify")
    statuses = []
    for _ in range(3):
        _clock.shift(60)
        statuses.append(client.post(verify, {"code": _wrong(device)}).status_code)
    assert statuses == [200, 200, 429]
    _clock.shift(60)
    # Locked: the password step is refused too, and the code step is gone.
    assert _login(client, "hr1", password).status_code == 429
    response = client.post(verify, {"code": _code(device)})
    assert response.url == reverse("login")
    assert not _signed_in(client)


# Turning it off -----------------------------------------------------------


def test_it_turns_two_step_verification_off_with_a_code(client, users, _clock):
    device = _enrolled(users.hr)
    client.force_login(users.hr)
    url = reverse("account:totp_disable")
    assert client.get(url).status_code == 405

    client.post(url, {"code": _wrong(device)})
    assert TOTPDevice.objects.filter(user=users.hr).exists()

    _clock.shift(5)
    response = client.post(url, {"code": _code(device)})
    assert response.url == reverse("account:account_detail")
    assert not TOTPDevice.objects.filter(user=users.hr).exists()


# Mandatory for some roles -------------------------------------------------


def test_a_required_role_is_sent_to_enrolment(client, users, settings):
    settings.OTP_REQUIRED_ROLES = ["hr"]
    client.force_login(users.hr)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("account:totp_enrol")
    assert client.get(reverse("account:totp_enrol")).status_code == 200
    # Other roles are not concerned.
    client.force_login(users.manager)
    assert client.get("/").status_code == 200


def test_a_required_role_with_a_device_must_verify_the_session(client, users, settings):
    settings.OTP_REQUIRED_ROLES = ["hr"]
    device = _enrolled(users.hr)
    client.force_login(users.hr)
    response = client.get("/")
    assert response.url == f"{reverse('account:login_verify')}?next=%2F"
    response = client.post(response.url, {"code": _code(device)})
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_a_required_role_cannot_turn_it_off(client, users, settings):
    settings.OTP_REQUIRED_ROLES = ["hr"]
    device = _enrolled(users.hr)
    client.force_login(users.hr)
    client.post(reverse("account:login_verify"), {"code": _code(device)})
    response = client.post(
        reverse("account:totp_disable"), {"code": _code(device)}, follow=True
    )
    assert TOTPDevice.objects.filter(user=users.hr).exists()
    assert response.status_code == 200


def test_the_login_with_a_required_role_ends_verified(
    client, users, password, settings
):
    settings.OTP_REQUIRED_ROLES = ["hr"]
    device = _enrolled(users.hr)
    _login(client, "hr1", password)
    client.post(reverse("account:login_verify"), {"code": _code(device)})
    assert client.get("/").status_code == 200


# In a browser -------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_hr_officer_sets_up_the_app_and_logs_in_with_a_code(
    browser_page, live_server, users, password
):
    page = browser_page
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Tên đăng nhập").fill("hr1")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("#user-menu").click()
    page.locator(f'a[href="{reverse("account:account_detail")}"]').click()
    page.locator(f'a[href="{reverse("account:totp_enrol")}"]').click()
    assert page.locator(".totp-qr svg").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("#id_code").fill(f"{totp(key):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + reverse("account:account_detail"))
    assert TOTPDevice.objects.get(user=users.hr).confirmed

    page.locator("form[action='/accounts/logout/'] button").click()
    page.get_by_label("Tên đăng nhập").fill("hr1")
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + reverse("account:login_verify"))
    # The next time step's code: the current one was spent on the enrolment.
    page.locator("#id_code").fill(f"{totp(key, t0=-30):06d}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "Trang của cán bộ tổ chức"
