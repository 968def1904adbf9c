import datetime as dt

import pytest
from django.urls import reverse

from staff.models import Employee
from tests.factories import make_employee, make_reference_data

pytestmark = pytest.mark.django_db

CREATE_URL = reverse("staff:employee_create")
STALE = (
    "This record was changed by someone else since you opened it; reload and try again."
)


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


@pytest.fixture
def client(client):
    """English messages, to compare with the services' source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def employee(units):
    return make_employee(
        units.ccvc,
        "CCVC01",
        full_name="Bùi Thị Lan",
        gender="F",
        date_of_birth=dt.date(1986, 3, 21),
        national_id="034186001234",
    )


def _edit_url(employee) -> str:
    return reverse("staff:employee_edit", args=[employee.pk])


def _data(**overrides) -> dict:
    data = {
        "employee_code": "CCVC02",
        "full_name": "Đinh Thị Thu Trang",
        "date_of_birth": "21/03/1986",
        "gender": "F",
        "national_id": "001186004321",
        "staff_type": "cong_chuc",
        "unit_code": "P01-SNV-CCVC",
        "joined_on": "01/08/2010",
        "email": "trang.dtt@example.vn",
        "phone": "0912345678",
    }
    data.update(overrides)
    return data


def _form_data(response) -> dict:
    """What the browser would post back from a rendered edit form, unchanged."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        data[name] = "" if value is None else value
    return data


def test_it_sends_anonymous_users_to_the_login_page(client, employee):
    for url in (CREATE_URL, _edit_url(employee)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_it_refuses_other_methods(client, users, employee):
    client.force_login(users.hr)
    assert client.delete(_edit_url(employee)).status_code == 405
    assert client.put(CREATE_URL).status_code == 405


def test_a_manager_may_read_but_not_edit_their_staff(client, users, employee):
    client.force_login(users.manager)
    assert client.get(_edit_url(employee)).status_code == 403
    response = client.post(_edit_url(employee), _data(version=1))
    assert response.status_code == 403
    employee.refresh_from_db()
    assert (employee.full_name, employee.version) == ("Bùi Thị Lan", 1)


def test_outside_the_scope_the_file_does_not_exist(client, users, employee):
    client.force_login(users.other_manager)
    assert client.post(_edit_url(employee), _data(version=1)).status_code == 404


@pytest.mark.parametrize("who", ["manager", "inspector", "staff", "outsider"])
def test_only_hr_and_admins_create_files(client, users, who):
    client.force_login(getattr(users, who))
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, _data()).status_code == 403
    assert not Employee.objects.exists()


def test_hr_creates_a_file_in_a_unit_of_its_scope(client, users, units):
    client.force_login(users.hr)
    assert client.get(CREATE_URL).status_code == 200
    response = client.post(CREATE_URL, _data())
    employee = Employee.objects.get(employee_code="CCVC02")
    assert response.status_code == 302
    assert response.url == reverse("staff:employee_detail", args=[employee.pk])
    assert employee.full_name == "Đinh Thị Thu Trang"
    assert employee.date_of_birth == dt.date(1986, 3, 21)
    assert employee.unit == units.ccvc
    assert employee.phone == "0912345678"
    assert (employee.status, employee.version) == ("active", 1)


def test_it_accepts_iso_dates_too(client, users):
    client.force_login(users.hr)
    client.post(CREATE_URL, _data(date_of_birth="1986-03-21", joined_on="2010-08-01"))
    employee = Employee.objects.get(employee_code="CCVC02")
    assert employee.joined_on == dt.date(2010, 8, 1)


def test_a_unit_outside_the_scope_is_refused(client, users):
    client.force_login(users.hr)
    response = client.post(CREATE_URL, _data(unit_code="P01-SYT"))
    assert response.status_code == 200
    assert response.context["form"].errors["unit_code"] == [
        "No unit with code P01-SYT among the units you manage."
    ]
    assert not Employee.objects.exists()


def test_bad_input_is_refused_with_the_rules_messages(client, users, employee):
    client.force_login(users.hr)
    response = client.post(
        CREATE_URL,
        _data(national_id="034186001234", joined_on="01/08/2000"),
    )
    errors = response.context["form"].errors
    assert errors["national_id"] == ["Another employee has this citizen ID."]
    assert "staff must be at least 18" in errors["joined_on"][0]
    assert Employee.objects.count() == 1


def test_hr_edits_a_file(client, users, units, employee):
    client.force_login(users.hr)
    form = _form_data(client.get(_edit_url(employee)))
    assert (form["version"], form["unit_code"]) == (1, "P01-SNV-CCVC")
    form.update(full_name="Bùi Thị Lan Anh", unit_code="P01-SNV", status="retired")
    response = client.post(_edit_url(employee), form)
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.full_name == "Bùi Thị Lan Anh"
    assert (employee.unit, employee.status, employee.version) == (
        units.snv,
        "retired",
        2,
    )


def test_the_second_of_two_tabs_is_refused_and_keeps_its_input(client, users, employee):
    client.force_login(users.hr)
    first_tab = _form_data(client.get(_edit_url(employee)))
    second_tab = _form_data(client.get(_edit_url(employee)))

    first_tab["full_name"] = "Bùi Thị Lan (tab 1)"
    assert client.post(_edit_url(employee), first_tab).status_code == 302

    second_tab["full_name"] = "Bùi Thị Lan (tab 2)"
    second_tab["phone"] = "0987654321"
    response = client.post(_edit_url(employee), second_tab)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [STALE]
    assert STALE in response.content.decode()
    # What the user typed is still in the form.
    assert form["full_name"].value() == "Bùi Thị Lan (tab 2)"
    assert form["phone"].value() == "0987654321"

    employee.refresh_from_db()
    assert (employee.full_name, employee.phone, employee.version) == (
        "Bùi Thị Lan (tab 1)",
        "",
        2,
    )
