"""The shell pages: login, the home page of each role, errors, access log, logout."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertRedirects, assertTemplateUsed

from hrms.models import AccessLog
from tests.factories import make_employee, make_reference_data

HEADINGS = {
    "admin": "Trang quản trị hệ thống",
    "hr": "Trang của cán bộ tổ chức",
    "manager": "Trang của lãnh đạo đơn vị",
    "inspector": "Trang của thanh tra",
    "counter": "Trang của cán bộ một cửa",
    "staff": "Trang của công chức, viên chức",
}


def _text(response) -> str:
    return response.content.decode()


def test_it_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get("/")
    assertRedirects(response, "/accounts/login/?next=/")


def test_it_shows_the_login_page_in_vietnamese_by_default(client, db):
    response = client.get(reverse("login"))
    page = _text(response)
    assert response.status_code == 200
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Tên đăng nhập" in page
    assert 'autocomplete="current-password"' in page


def test_it_switches_the_login_page_to_english(client, db):
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("login")},
        follow=True,
    )
    page = _text(response)
    assert '<html lang="en">' in page
    assert "Log in" in page
    assert "Đăng nhập" not in page


def test_it_shows_why_a_login_failed(client, users):
    response = client.post(
        reverse("login"), {"username": "hr1", "password": "not the password"}
    )
    page = _text(response)
    assert response.status_code == 200
    assert 'class="alert alert-danger"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="hr1"' in page


def test_it_logs_in_and_lands_on_the_role_home_page(client, users, password):
    response = client.post(
        reverse("login"), {"username": "hr1", "password": password}, follow=True
    )
    assert response.redirect_chain == [("/", 302)]
    assertTemplateUsed(response, "home/hr.html")
    assert HEADINGS["hr"] in _text(response)


@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_each_role_lands_on_its_own_home_page(client, users, role):
    client.force_login(getattr(users, role))
    response = client.get("/")
    page = _text(response)
    assertTemplateUsed(response, f"home/{role}.html")
    assert HEADINGS[role] in page
    for other, heading in HEADINGS.items():
        if other != role:
            assert heading not in page


@pytest.mark.parametrize(
    "role", ["admin", "hr", "manager", "inspector", "counter", "staff"]
)
def test_every_card_of_a_home_page_leads_to_a_working_screen(
    client, users, units, role
):
    # As the demo has them: the administrator enters the back office, the staff
    # member has a personnel file.
    User.objects.filter(pk=users.admin.pk).update(is_staff=True)
    make_reference_data()
    make_employee(units.ccvc, "S900", user=users.staff)
    client.force_login(getattr(users, role))
    html = client.get("/").content.decode()
    cards = re.findall(r'class="btn btn-sm btn-primary[^"]*" href="([^"]+)"', html)
    assert cards, "each home page offers its screens"
    for url in cards:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_every_menu_entry_of_a_role_opens(client, users, units, role):
    User.objects.filter(pk=users.admin.pk).update(is_staff=True)
    make_reference_data()
    make_employee(units.ccvc, "S900", user=users.staff)
    client.force_login(getattr(users, role))
    html = client.get("/").content.decode()
    menu = html[html.index('id="main-menu"') : html.index("</nav>")]
    links = set(
        re.findall(r'class="(?:dropdown-item|nav-link)[^"]*" href="(/[^"]*)"', menu)
    )
    assert links, "the menu offers the role's screens"
    for url in sorted(links):
        assert client.get(url).status_code == 200, url


def test_the_home_page_follows_the_chosen_language(client, users):
    client.force_login(users.hr)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = _text(client.get("/"))
    assert "HR officer's page" in page
    assert HEADINGS["hr"] not in page


def test_the_home_page_lists_the_units_in_scope(client, users):
    client.force_login(users.hr)
    page = _text(client.get("/"))
    assert "P01-SNV-CCVC" in page
    assert "Phòng Công chức viên chức" in page
    assert "Đơn vị chuyên môn" in page  # the unit's kind, translated
    assert "P01-SYT" not in page


def test_the_home_page_shows_when_an_inspector_grant_ends(client, users):
    client.force_login(users.inspector)
    page = _text(client.get("/"))
    until = timezone.localdate() + dt.timedelta(days=90)
    assert f"Đến hết ngày {until:%d/%m/%Y}" in page
    assert "nhật ký truy cập" in page


def test_an_outsider_gets_the_no_role_page(client, users):
    client.force_login(users.outsider)
    response = client.get("/")
    assertTemplateUsed(response, "home/no_role.html")
    assert "Tài khoản chưa được phân quyền" in _text(response)


def test_the_menu_offers_back_office_links_to_administrators_only(client, users):
    client.force_login(users.admin)
    page = _text(client.get("/"))
    assert f'href="{reverse("admin:index")}"' in page
    assert f'href="{reverse("access_log")}"' in page

    client.force_login(users.hr)
    page = _text(client.get("/"))
    assert f'href="{reverse("admin:index")}"' not in page
    assert f'href="{reverse("access_log")}"' not in page


def test_an_unknown_url_gets_the_404_page(client, users, settings):
    settings.DEBUG = False
    client.force_login(users.hr)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assertTemplateUsed(response, "404.html")
    assert "Không tìm thấy trang" in _text(response)


def test_the_access_log_is_refused_to_hr(client, users):
    client.force_login(users.hr)
    response = client.get(reverse("access_log"))
    assert response.status_code == 403
    assertTemplateUsed(response, "403.html")
    assert "Không có quyền truy cập" in _text(response)


def test_the_access_log_shows_reads_with_dd_mm_yyyy_dates(client, users, units):
    entry = AccessLog.objects.create(
        user=users.inspector,
        role="inspector",
        object_type="positions.orgunit",
        object_id=str(units.snv.pk),
        object_repr=str(units.snv),
        path=f"/org/units/{units.snv.pk}/",
    )
    # 07:30 UTC is 14:30 in Asia/Ho_Chi_Minh.
    at = dt.datetime(2026, 3, 5, 7, 30, tzinfo=dt.UTC)
    AccessLog.objects.filter(pk=entry.pk).update(at=at)
    client.force_login(users.admin)
    response = client.get(reverse("access_log"))
    page = _text(response)
    assert response.status_code == 200
    assertTemplateUsed(response, "hrms/access_log.html")
    assert "05/03/2026 14:30" in page
    assert "inspector1" in page
    assert "Thanh tra" in page
    assert "Sở Nội vụ" in page


def test_logout_is_a_post(client, users):
    client.force_login(users.hr)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assertRedirects(response, reverse("login"))
    assertRedirects(client.get("/"), "/accounts/login/?next=/")


def test_the_500_page_needs_no_database_and_no_request():
    # No django_db mark: pytest-django makes any query here raise.
    with translation.override("vi"):
        page = loader.get_template("500.html").render()
    assert "Lỗi máy chủ" in page
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in page
