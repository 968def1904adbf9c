"""The raise screens: the due list, its XLSX export, recording a raise, early
raises; and the `raise_due` command in its three formats."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from staff.models import Commendation, GradeHistory
from tests.factories import (
    make_decided_case,
    make_discipline_reference_data,
    make_employee,
    make_grade_step,
    make_reference_data,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _reference(db):
    make_reference_data()
    make_discipline_reference_data()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def staff(units):
    """Two due by 1/1/2026 (one extended by a warning), one not yet, one elsewhere."""
    due = make_employee(units.ccvc, "CC01", full_name="Vũ Thị Hoa")
    make_grade_step(due, "01.003", 2, effective_on=D(2022, 1, 1))
    warned = make_employee(units.ccvc, "CC02", full_name="=cmd|' /C calc'!A0")
    make_grade_step(warned, "01.003", 2, effective_on=D(2022, 1, 1))
    make_decided_case(warned, "warning", decided_on=D(2023, 5, 1))
    later = make_employee(units.ccvc, "CC03", full_name="Đỗ Văn Long")
    make_grade_step(later, "01.003", 2, effective_on=D(2024, 1, 1))
    other = make_employee(units.syt, "YT01", full_name="Ngô Thị Mai")
    make_grade_step(other, "01.003", 2, effective_on=D(2022, 1, 1))
    return {"due": due, "warned": warned, "later": later, "other": other}


def test_the_raise_list_is_for_hr_and_admins(client, users):
    url = reverse("staff:raise_due_list")
    for user, status in [
        (users.manager, 403),
        (users.inspector, 403),
        (users.staff, 403),
        (users.hr, 200),
        (users.admin, 200),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.get(reverse("staff:raise_due_export")).status_code == status
        assert client.get(reverse("staff:early_raise_list")).status_code == status


def test_hr_sees_who_is_due_by_a_date_in_its_units(client, users, staff):
    client.force_login(users.hr)
    response = client.get(reverse("staff:raise_due_list"), {"on": "01/01/2026"})
    rows = list(response.context["page"])
    assert [(r.employee_code, r.due_on) for r in rows] == [
        ("CC01", D(2025, 1, 1)),
        ("CC02", D(2025, 7, 1)),
    ]
    html = response.content.decode()
    assert "Circular 08/2013" in html
    assert "Discipline: Warning" in html


def test_the_export_is_an_xlsx_with_formulas_neutralised(client, users, staff):
    client.force_login(users.hr)
    response = client.get(reverse("staff:raise_due_export"), {"on": "2026-01-01"})
    assert response.status_code == 200
    assert "raise_due_2026-01-01.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("employee_code", "full_name", "unit_code")
    assert [r[0] for r in rows[1:]] == ["CC01", "CC02"]
    assert rows[2][1].startswith("'=")
    assert rows[2][8] == "2025-07-01"


def test_hr_records_the_raise_from_the_list(client, users, staff):
    client.force_login(users.hr)
    url = reverse("staff:raise_record", args=[staff["warned"].pk])
    response = client.get(url, {"on": "2026-01-01"})
    assert response.context["form"]["effective_on"].value() == D(2025, 7, 1)
    response = client.post(
        url + "?on=2026-01-01",
        {"effective_on": "01/07/2025", "decision_number": "40/QĐ-SNV"},
    )
    assert response.status_code == 302
    row = GradeHistory.objects.filter(employee=staff["warned"]).latest("effective_on")
    assert (row.salary_step, row.reason, row.decision_number) == (
        3,
        "regular_raise",
        "40/QĐ-SNV",
    )


def test_a_raise_before_its_due_date_is_refused(client, users, staff):
    client.force_login(users.hr)
    url = reverse("staff:raise_record", args=[staff["warned"].pk])
    response = client.post(url, {"effective_on": "01/01/2025"})
    assert response.status_code == 200
    assert "falls due on 01/07/2025" in response.content.decode()


def test_a_raise_outside_the_scope_is_404(client, users, staff):
    client.force_login(users.hr)
    url = reverse("staff:raise_record", args=[staff["other"].pk])
    assert client.get(url).status_code == 404


def test_the_early_raise_list_shows_the_quota(client, users, units, staff):
    Commendation.objects.create(
        employee=staff["later"],
        level="cstd_co_so",
        title="CSTĐ cơ sở",
        decided_on=D(2025, 12, 1),
    )
    client.force_login(users.hr)
    response = client.get(
        reverse("staff:early_raise_list"), {"unit": "P01-SNV", "year": "2026"}
    )
    report = response.context["report"]
    assert (report.quota.payroll, report.quota.quota) == (3, 0)
    assert "Quota 0" in response.content.decode()
    response = client.get(
        reverse("staff:early_raise_list"), {"unit": "P01-SYT", "year": "2026"}
    )
    assert response.context["report"] is None
    assert "among the units you manage" in response.content.decode()


# The command --------------------------------------------------------------------------


def _run(*args) -> str:
    out = io.StringIO()
    call_command("raise_due", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_text(staff):
    out = _run("--on", "2026-01-01")
    lines = out.splitlines()
    assert lines[-1] == "due=3"
    assert lines[0].startswith("2025-01-01  CC01  Vũ Thị Hoa")
    assert "(+6 months)" in out
    assert "Circular 08/2013" in out


def test_the_command_prints_json(staff):
    records = json.loads(_run("--on", "2026-01-01", "--format", "json"))
    by_code = {r["employee_code"]: r for r in records}
    assert set(by_code) == {"CC01", "CC02", "YT01"}
    assert by_code["CC02"]["due_on"] == "2025-07-01"
    assert by_code["CC02"]["extension_months"] == 6
    assert by_code["CC02"]["next_step"] == 3
    codes = [r["code"] for r in by_code["CC02"]["reasons"]]
    assert codes == ["raise.interval", "raise.extension.discipline"]


def test_the_command_prints_csv_for_a_unit(staff):
    out = _run("--on", "2026-01-01", "--format", "csv", "--unit", "P01-SNV")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["employee_code"] for r in rows] == ["CC01", "CC02"]
    assert rows[1]["due_on"] == "2025-07-01"
    assert "Circular 08/2013" in rows[1]["reasons"]


def test_the_command_rejects_a_bad_date():
    with pytest.raises(CommandError):
        _run("--on", "01/01/2026")


def test_hr_records_an_early_raise_from_the_list(client, users, units):
    people = []
    for i in range(10):
        person = make_employee(units.ccvc, f"ER{i:02d}")
        make_grade_step(person, "01.003", 2, effective_on=D(2024, 3, 1))
        people.append(person)
    commendation = Commendation.objects.create(
        employee=people[0],
        level="cstd_co_so",
        title="Chiến sĩ thi đua cơ sở",
        decided_on=D(2025, 12, 1),
    )
    client.force_login(users.hr)
    listing = client.get(
        reverse("staff:early_raise_list"), {"unit": "P01-SNV", "year": "2026"}
    )
    assert listing.context["report"].quota.quota == 1
    url = reverse("staff:early_raise_record", args=[people[0].pk])
    assert url in listing.content.decode()
    response = client.post(
        url + "?unit=P01-SNV&year=2026",
        {
            "commendation": commendation.pk,
            "effective_on": "01/06/2026",
            "decision_number": "31/QĐ-SNV",
        },
    )
    assert response.status_code == 302
    row = GradeHistory.objects.filter(employee=people[0]).latest("effective_on")
    assert (row.reason, row.salary_step) == ("early_raise", 3)
    commendation.refresh_from_db()
    assert commendation.is_used_for_early_raise
