import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

URL = reverse("staff:employee_list")


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


@pytest.fixture
def staff(units):
    """Three files in three units: two in HR's subtree, one outside it."""
    lan = make_employee(
        units.ccvc,
        "CCVC01",
        full_name="Bùi Thị Lan",
        gender="F",
        date_of_birth=dt.date(1986, 3, 21),
        national_id="034186001234",
    )
    make_grade_step(lan, "01.003", 3)
    position = make_position(units.ccvc, "CCVC-VT01", title="Chuyên viên tổ chức")
    make_assignment(lan, position, starts_on=dt.date(2020, 1, 1))
    binh = make_employee(
        units.snv,
        "SNV01",
        full_name="Trần Văn Bình",
        staff_type="vien_chuc",
        status="retired",
    )
    make_grade_step(binh, "01.002", 1)
    yte = make_employee(units.syt, "SYT01", full_name="Lê Thị Hoa", gender="F")
    return lan, binh, yte


def _codes(response) -> list[str]:
    return [e.employee_code for e in response.context["page"]]


def test_it_sends_anonymous_users_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["staff", "counter", "outsider"])
def test_it_refuses_roles_without_a_staff_list(client, users, who):
    client.force_login(getattr(users, who))
    assert client.get(URL).status_code == 403


def test_it_accepts_only_get(client, users):
    client.force_login(users.hr)
    assert client.post(URL).status_code == 405


def test_it_lists_the_files_of_the_hr_officers_subtree(client, users, staff):
    client.force_login(users.hr)
    response = client.get(URL)
    assert response.status_code == 200
    assert _codes(response) == ["CCVC01", "SNV01"]
    html = response.content.decode()
    assert "Bùi Thị Lan" in html
    assert "CCVC-VT01" in html  # current position
    assert "01.003" in html  # current grade
    assert "Lê Thị Hoa" not in html


def test_a_manager_sees_only_their_units_staff(client, users, staff):
    client.force_login(users.manager)
    assert _codes(client.get(URL)) == ["CCVC01"]
    client.force_login(users.other_manager)
    assert _codes(client.get(URL)) == ["SYT01"]


def test_it_searches_by_code_and_name(client, users, staff):
    client.force_login(users.admin)
    assert _codes(client.get(URL, {"q": "thị"})) == ["CCVC01", "SYT01"]
    assert _codes(client.get(URL, {"q": "snv0"})) == ["SNV01"]
    assert _codes(client.get(URL, {"q": "Văn Bình"})) == ["SNV01"]


@pytest.mark.parametrize("typed", ["tran van binh", "TRẦN VĂN", "van binh", "văn bình"])
def test_names_are_found_without_case_or_diacritics(client, users, staff, typed):
    client.force_login(users.admin)
    assert _codes(client.get(URL, {"q": typed})) == ["SNV01"]


def test_d_with_stroke_is_found_as_d(client, users, units):
    make_employee(units.ccvc, "CCVC09", full_name="Đinh Thị Đào")
    client.force_login(users.admin)
    assert _codes(client.get(URL, {"q": "dinh thi dao"})) == ["CCVC09"]
    assert _codes(client.get(URL, {"q": "đinh"})) == ["CCVC09"]
    assert _codes(client.get(URL, {"q": "ĐÀO"})) == ["CCVC09"]


def test_only_roles_seeing_full_ids_can_search_by_them(client, users, staff):
    client.force_login(users.hr)
    assert _codes(client.get(URL, {"q": "186001"})) == ["CCVC01"]
    client.force_login(users.manager)
    assert _codes(client.get(URL, {"q": "186001"})) == []


def test_the_unit_filter_takes_a_code_and_covers_its_subtree(client, users, staff):
    client.force_login(users.admin)
    assert _codes(client.get(URL, {"unit": "P01-SNV"})) == ["CCVC01", "SNV01"]
    assert _codes(client.get(URL, {"unit": "p01-snv-ccvc"})) == ["CCVC01"]
    assert _codes(client.get(URL, {"unit": "NOPE"})) == []
    # The filter is a text box, not a <select> of every unit.
    assert '<input type="text" name="unit"' in client.get(URL).content.decode()


def test_it_filters_by_grade_staff_type_and_status(client, users, staff):
    client.force_login(users.admin)
    assert _codes(client.get(URL, {"grade": "01.003"})) == ["CCVC01"]
    assert _codes(client.get(URL, {"staff_type": "vien_chuc"})) == ["SNV01"]
    assert _codes(client.get(URL, {"status": "retired"})) == ["SNV01"]
    assert _codes(client.get(URL, {"status": "active", "unit": "P01-SNV"})) == [
        "CCVC01"
    ]


def test_citizen_ids_are_masked_for_a_manager_and_full_for_hr(client, users, staff):
    client.force_login(users.manager)
    html = client.get(URL).content.decode()
    assert "•••••••••234" in html
    assert "034186001234" not in html
    client.force_login(users.hr)
    html = client.get(URL).content.decode()
    assert "034186001234" in html


def _populate(units, count: int) -> None:
    position = make_position(units.ccvc, f"CCVC-P{count}", headcount=1000)
    for number in range(count):
        employee = make_employee(units.ccvc, f"Q{count:03d}-{number:03d}")
        make_grade_step(employee, "01.003", 1 + number % 9)
        make_assignment(employee, position)


def _queries_for_list(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_a_fixed_number_of_queries(client, users, units):
    client.force_login(users.hr)
    _populate(units, 5)
    small = _queries_for_list(client)
    small_filtered = _queries_for_list(client, {"unit": "P01-SNV", "grade": "01.003"})
    _populate(units, 60)
    large = _queries_for_list(client)
    large_filtered = _queries_for_list(client, {"unit": "P01-SNV", "grade": "01.003"})
    assert small == large
    assert small_filtered == large_filtered
    assert large_filtered <= 20  # DESIGN.md §5


def test_pages_keep_the_filters(client, users, units):
    _populate(units, 60)
    client.force_login(users.hr)
    response = client.get(URL, {"grade": "01.003"})
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list)) == (60, 50)
    assert "?grade=01.003&amp;page=2" in response.content.decode()
    second = client.get(URL, {"grade": "01.003", "page": 2})
    assert len(second.context["page"].object_list) == 10
