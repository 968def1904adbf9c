"""The small forms of a personnel file: grade and step, commendation, rating."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from staff.models import AnnualRating, Commendation, GradeHistory
from tests.factories import make_employee, make_grade_step, make_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def employee(units):
    employee = make_employee(units.ccvc, "CCVC01", full_name="Bùi Thị Lan")
    make_grade_step(employee, "01.003", 2, effective_on=dt.date(2020, 1, 1))
    return employee


URL_NAMES = [
    "staff:employee_record_grade",
    "staff:employee_add_commendation",
    "staff:employee_record_rating",
]


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_users_go_to_the_login_page(client, employee, name):
    response = client.get(reverse(name, args=[employee.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", URL_NAMES)
def test_only_hr_and_admins_record(client, users, employee, name):
    url = reverse(name, args=[employee.pk])
    client.force_login(users.manager)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    client.force_login(users.other_manager)
    assert client.get(url).status_code == 404
    client.force_login(users.admin)
    assert client.get(url).status_code == 200
    assert client.delete(url).status_code == 405


def test_hr_records_a_step_raise(client, users, employee):
    client.force_login(users.hr)
    response = client.post(
        reverse("staff:employee_record_grade", args=[employee.pk]),
        {
            "grade": "01.003",
            "salary_step": 3,
            "effective_on": "01/01/2023",
            "reason": "regular_raise",
            "decision_number": "7/QĐ-SNV",
            "decided_on": "15/12/2022",
        },
    )
    assert response.status_code == 302
    row = GradeHistory.objects.filter(employee=employee).latest("effective_on")
    assert (row.salary_step, row.coefficient) == (3, Decimal("3.00"))
    assert row.decision_number == "7/QĐ-SNV"


def test_a_step_beyond_the_scale_is_refused_on_its_field(client, users, employee):
    client.force_login(users.hr)
    response = client.post(
        reverse("staff:employee_record_grade", args=[employee.pk]),
        {
            "grade": "01.003",
            "salary_step": 12,
            "effective_on": "01/01/2023",
            "reason": "grade_change",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["salary_step"] == [
        "Step 12 does not exist for grade 01.003, whose scale has steps 1 to 9."
    ]
    assert GradeHistory.objects.filter(employee=employee).count() == 1


def test_hr_adds_a_commendation(client, users, employee):
    client.force_login(users.hr)
    response = client.post(
        reverse("staff:employee_add_commendation", args=[employee.pk]),
        {
            "level": "giay_khen",
            "title": "Hoàn thành xuất sắc nhiệm vụ năm 2025",
            "decided_on": "20/01/2026",
            "decision_number": "15/QĐ-SNV",
            "issuer": "Giám đốc Sở Nội vụ",
        },
    )
    assert response.status_code == 302
    commendation = Commendation.objects.get(employee=employee)
    assert commendation.decided_on == dt.date(2026, 1, 20)
    assert commendation.title == "Hoàn thành xuất sắc nhiệm vụ năm 2025"


def test_hr_records_an_annual_rating_and_not_a_future_one(client, users, employee):
    client.force_login(users.hr)
    url = reverse("staff:employee_record_rating", args=[employee.pk])
    response = client.post(url, {"year": 2025, "level": "hoan_thanh_tot"})
    assert response.status_code == 302
    rating = AnnualRating.objects.get(employee=employee)
    assert (rating.year, rating.level, rating.source) == (
        2025,
        "hoan_thanh_tot",
        "manual",
    )
    next_year = timezone.localdate().year + 1
    response = client.post(url, {"year": next_year, "level": "hoan_thanh"})
    assert response.context["form"].non_field_errors() == [
        f"{next_year} has not started yet."
    ]
