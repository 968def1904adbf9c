import datetime as dt

import pytest
from django.urls import reverse

from hrms.models import AccessLog
from staff.services import record_annual_rating, record_commendation
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


@pytest.fixture
def trang(units, users):
    """A civil servant of P01-SNV-CCVC with a history, linked to the staff login."""
    employee = make_employee(
        units.ccvc,
        "CCVC07",
        full_name="Đinh Thị Thu Trang",
        gender="F",
        date_of_birth=dt.date(1986, 3, 21),
        national_id="034186001234",
        joined_on=dt.date(2010, 8, 1),
        email="trang.dtt@example.vn",
        phone="0912345678",
        user=users.staff,
    )
    make_grade_step(employee, "01.003", 1, effective_on=dt.date(2010, 8, 1))
    make_grade_step(
        employee,
        "01.003",
        2,
        effective_on=dt.date(2013, 8, 1),
        reason="regular_raise",
    )
    position = make_position(units.ccvc, "CCVC-VT07", title="Chuyên viên tổ chức")
    make_assignment(employee, position, starts_on=dt.date(2012, 1, 1))
    record_commendation(
        employee=employee,
        level="giay_khen",
        title="Hoàn thành xuất sắc nhiệm vụ năm 2014",
        decided_on=dt.date(2015, 1, 20),
        decision_number="15/QĐ-SNV",
    )
    record_annual_rating(
        employee=employee,
        year=2016,
        level="hoan_thanh_tot",
        decided_on=dt.date(2016, 12, 20),
    )
    return employee


@pytest.fixture
def yte(units):
    return make_employee(units.syt, "SYT01", full_name="Lê Thị Hoa", gender="F")


def _url(employee) -> str:
    return reverse("staff:employee_detail", args=[employee.pk])


def test_it_sends_anonymous_users_to_the_login_page(client, trang):
    response = client.get(_url(trang))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    response = client.get(reverse("staff:my_profile"))
    assert response.url.startswith(reverse("login"))


def test_it_accepts_only_get(client, users, trang):
    client.force_login(users.hr)
    assert client.post(_url(trang)).status_code == 405


def test_a_manager_cannot_open_another_units_employee(client, users, trang, yte):
    client.force_login(users.manager)
    assert client.get(_url(yte)).status_code == 404
    client.force_login(users.other_manager)
    assert client.get(_url(trang)).status_code == 404
    assert client.get(_url(yte)).status_code == 200


def test_hr_sees_the_whole_file_with_pay_timeline_and_actions(client, users, trang):
    client.force_login(users.hr)
    response = client.get(_url(trang), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Đinh Thị Thu Trang",
        "21/03/1986",
        "034186001234",
        "0912345678",
        "Phòng Công chức viên chức",
        "Chuyên viên tổ chức",
        "01.003 Chuyên viên",
        "2.67",  # A1 step 2
        "2.340.000 đ",
        "6.247.800 đ",  # 2.67 × 2,340,000
        reverse("staff:employee_edit", args=[trang.pk]),
        reverse("staff:employee_assign", args=[trang.pk]),
        reverse("staff:employee_record_grade", args=[trang.pk]),
        reverse("staff:employee_add_commendation", args=[trang.pk]),
        reverse("staff:employee_record_rating", args=[trang.pk]),
        reverse("staff:employee_pdf", args=[trang.pk]),
    ):
        assert expected in html, expected
    dates = [e.on for e in response.context["timeline"]]
    assert dates == sorted(dates)
    assert [e.kind for e in response.context["timeline"]] == [
        "grade",
        "assignment_start",
        "grade",
        "commendation",
        "rating",
    ]


def test_the_page_is_in_vietnamese_by_default(client, users, trang):
    client.force_login(users.hr)
    html = client.get(_url(trang)).content.decode()
    assert "Đang công tác" in html  # status "active"
    assert "Được phân công vào vị trí Chuyên viên tổ chức" in html
    assert "2,67" in html  # a decimal comma


def test_a_manager_reads_their_units_file_without_the_full_id(client, users, trang):
    client.force_login(users.manager)
    response = client.get(_url(trang))
    assert response.status_code == 200
    html = response.content.decode()
    assert "•••••••••234" in html
    assert "034186001234" not in html
    assert reverse("staff:employee_edit", args=[trang.pk]) not in html
    assert not AccessLog.objects.exists()


def test_an_inspectors_read_is_logged(client, users, trang):
    client.force_login(users.inspector)
    response = client.get(_url(trang))
    assert response.status_code == 200
    assert "•••••••••234" in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.role) == (users.inspector, "inspector")
    assert (log.object_type, log.object_id) == ("staff.employee", str(trang.pk))
    assert log.path == _url(trang)


def test_staff_see_their_own_file_and_no_other(client, users, units, trang):
    colleague = make_employee(units.ccvc, "CCVC08", full_name="Phạm Văn Đức")
    client.force_login(users.staff)
    response = client.get(reverse("staff:my_profile"))
    assert response.status_code == 200
    assert response.context["employee"] == trang
    # Their own file shows in full, at its own address too.
    assert "034186001234" in response.content.decode()
    assert client.get(_url(trang)).status_code == 200
    assert client.get(_url(colleague)).status_code == 404
    assert reverse("staff:employee_edit", args=[trang.pk]) not in (
        response.content.decode()
    )


def test_my_profile_is_404_without_a_linked_file(client, users, trang):
    client.force_login(users.hr)
    assert client.get(reverse("staff:my_profile")).status_code == 404


def test_a_counter_officer_sees_their_own_file(client, users, units, trang):
    mine = make_employee(units.tthcc, "TTHCC01", user=users.counter)
    client.force_login(users.counter)
    response = client.get(reverse("staff:my_profile"))
    assert response.context["employee"] == mine
    assert client.get(_url(trang)).status_code == 404


def test_a_file_without_grade_or_post_still_renders(client, users, units):
    employee = make_employee(units.snv, "SNV09", full_name="Võ Minh Tâm")
    client.force_login(users.hr)
    response = client.get(_url(employee), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "No grade recorded yet." in response.content.decode()
    assert response.context["monthly_base_pay"] is None
