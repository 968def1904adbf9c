"""The establishment report (page, XLSX, PDF) and the grade structure page."""

import datetime as dt
import io
import unicodedata
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertRedirects

from hrms.models import AccessLog
from positions.models import Grade, GradeStructureTarget
from positions.views import XLSX_HEADERS
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2020, 1, 1)
COLUMNS = ("quota", "filled", "vacant", "over_quota", "grade_mismatches")


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


def _holder(unit, position, grade, **assignment):
    employee = make_employee(unit)
    make_grade_step(employee, grade, 1, effective_on=LONG_AGO)
    make_assignment(employee, position, starts_on=LONG_AGO, **assignment)
    return employee


@pytest.fixture
def establishment(units) -> SimpleNamespace:
    """P01-SNV (director) above P01-SNV-CCVC (two positions), and P01-SYT beside.

    Today: SNV-GD 1/1; CCVC-CV quota 3, two holders, one in another grade;
    CCVC-VT quota 1, two holders (over quota), one a transition case.
    """
    director = make_position(
        units.snv, "SNV-GD", grade="01.002", group="leadership", headcount=1
    )
    _holder(units.snv, director, "01.002")
    officers = make_position(units.ccvc, "CCVC-CV", grade="01.003", headcount=3)
    _holder(units.ccvc, officers, "01.003")
    _holder(units.ccvc, officers, "01.004")
    clerks = make_position(units.ccvc, "CCVC-VT", grade="01.003", headcount=1)
    _holder(units.ccvc, clerks, "01.003")
    _holder(units.ccvc, clerks, "01.002", is_transition_case=True)
    other = make_position(units.syt, "SYT-CV", grade="01.003", headcount=2)
    return SimpleNamespace(
        director=director, officers=officers, clerks=clerks, other=other
    )


class _FigureRows(HTMLParser):
    """Reads the report table: {row key: {column: text}} from data-* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._row: dict[str, str] | None = None
        self._col: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and ("data-position" in attrs or "data-total-of" in attrs):
            key = attrs.get("data-position") or (
                f"{attrs['data-total-of']}:{attrs['data-scope']}"
            )
            self._row = self.rows.setdefault(key, {})
        elif tag == "td" and self._row is not None and "data-col" in attrs:
            self._col = attrs["data-col"]
            self._row[self._col] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._col = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._row is not None and self._col:
            self._row[self._col] += data.strip()


def _figures(response) -> dict[str, tuple]:
    parser = _FigureRows()
    parser.feed(response.content.decode())
    return {
        key: tuple(cells[column] for column in COLUMNS)
        for key, cells in parser.rows.items()
    }


def _url(name: str, **params) -> str:
    from django.utils.http import urlencode

    return reverse(f"positions:{name}") + ("?" + urlencode(params) if params else "")


# Page ----------------------------------------------------------------------


def test_report_sends_anonymous_visitors_to_login(client):
    url = _url("establishment_report")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_report_is_403_for_a_counter_officer(client, users):
    client.force_login(users.counter)
    response = client.get(_url("establishment_report", unit="P01-TTHCC"))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name", ["establishment_report", "establishment_xlsx", "establishment_pdf"]
)
def test_report_and_exports_are_404_outside_the_scope(client, users, name):
    client.force_login(users.other_manager)
    assert client.get(_url(name, unit="P01-SNV")).status_code == 404
    assert client.get(_url(name, unit="NO-SUCH-UNIT")).status_code == 404


@pytest.mark.parametrize(
    "name", ["establishment_report", "establishment_xlsx", "establishment_pdf"]
)
def test_report_and_exports_refuse_post(client, users, name):
    client.force_login(users.hr)
    assert client.post(_url(name, unit="P01-SNV")).status_code == 405


def test_report_shows_the_figures_of_a_nested_tree(client, users, establishment):
    client.force_login(users.hr)
    response = client.get(_url("establishment_report", unit="P01-SNV"))
    figures = _figures(response)
    assert figures["SNV-GD"] == ("1", "1", "0", "0", "0")
    assert figures["CCVC-CV"] == ("3", "2", "1", "0", "1")
    assert figures["CCVC-VT"] == ("1", "2", "0", "1", "1 (1)")
    assert figures["P01-SNV:own"] == ("1", "1", "0", "0", "0")
    assert figures["P01-SNV-CCVC:own"] == ("4", "4", "1", "1", "2 (1)")
    assert figures["P01-SNV:subtree"] == ("5", "5", "1", "1", "2 (1)")
    assert figures["P01-SNV:report"] == ("5", "5", "1", "1", "2 (1)")
    assert "SYT-CV" not in figures
    # Over quota and mismatches are highlighted.
    assertContains(response, '<tr data-position="CCVC-VT" class="table-danger">')
    assertContains(response, "table-warning fw-bold", count=2)


def test_report_defaults_to_the_top_of_the_scope(client, users, establishment):
    client.force_login(users.hr)
    response = client.get(_url("establishment_report"))
    assert response.context["report"].root.code == "P01-SNV"
    assert response.context["report"].total.quota == 5


def test_report_is_computed_on_the_date_asked(client, users, establishment):
    client.force_login(users.hr)
    response = client.get(_url("establishment_report", unit="P01-SNV", on="31/12/2019"))
    assert response.context["report"].on == dt.date(2019, 12, 31)
    assert _figures(response)["P01-SNV:report"] == ("5", "0", "5", "0", "0")


def test_report_for_a_manager_covers_their_unit(client, users, establishment):
    client.force_login(users.manager)
    response = client.get(_url("establishment_report"))
    assert response.context["report"].root.code == "P01-SNV-CCVC"
    figures = _figures(response)
    assert figures["P01-SNV-CCVC:report"] == ("4", "4", "1", "1", "2 (1)")
    assert "SNV-GD" not in figures


def test_report_logs_an_inspector_read(client, users, establishment):
    client.force_login(users.inspector)
    assert client.get(_url("establishment_report", unit="P01-SNV")).status_code == 200
    assert AccessLog.objects.filter(
        user=users.inspector, object_type="positions.orgunit"
    ).exists()


# XLSX ----------------------------------------------------------------------


def test_xlsx_export_reads_back_with_the_figures(client, users, establishment):
    client.force_login(users.hr)
    response = client.get(_url("establishment_xlsx", unit="P01-SNV", on="05/03/2026"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "05-03-2026.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == XLSX_HEADERS
    assert rows[0][5] == "Biên chế được giao"
    by_position = {row[2]: row for row in rows[1:] if row[2]}
    assert by_position["CCVC-VT"][5:10] == (1, 2, 0, 1, 1)
    assert by_position["CCVC-VT"][10] == 1  # of which transition cases
    assert by_position["CCVC-CV"][5:10] == (3, 2, 1, 0, 1)
    assert by_position["SNV-GD"][1] == "Sở Nội vụ"
    assert all(isinstance(value, int) for value in by_position["CCVC-CV"][5:])
    totals = {(row[0], row[3]): row[5:10] for row in rows[1:] if not row[2]}
    assert totals[("P01-SNV-CCVC", "Cộng đơn vị")] == (4, 4, 1, 1, 2)
    assert totals[("P01-SNV", "TỔNG CỘNG")] == (5, 5, 1, 1, 2)
    assert "SYT-CV" not in by_position


def test_xlsx_export_neutralises_formulas(client, users, units):
    make_position(units.snv, "SNV-X", title="=HYPERLINK(1)")
    client.force_login(users.hr)
    response = client.get(_url("establishment_xlsx", unit="P01-SNV"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = [row[3] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(1)" in titles


# PDF -----------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_pdf_export_is_a_vietnamese_document(client, users, establishment):
    client.force_login(users.hr)
    response = client.get(_url("establishment_pdf", unit="P01-SNV", on="05/03/2026"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    for expected in (
        "BÁO CÁO TÌNH HÌNH SỬ DỤNG BIÊN CHẾ",
        "SỞ NỘI VỤ",  # the issuer, the unit itself
        "UBND TỈNH MẪU",  # its superior body
        "Tính đến ngày 05/03/2026",
        "Phòng Công chức viên chức",
        "CCVC-VT",
        "TỔNG CỘNG",
    ):
        assert expected in text, expected
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert "LiberationSerif" in fonts


# Grade structure -------------------------------------------------------------


def _structure_url(unit) -> str:
    return reverse("positions:unit_grade_structure", args=[unit.pk])


def _target_url(unit) -> str:
    return reverse("positions:grade_target_set", args=[unit.pk])


def _grade(code: str) -> Grade:
    return Grade.objects.get(code=code)


def test_grade_structure_sends_anonymous_visitors_to_login(client, units):
    url = _structure_url(units.snv)
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_grade_structure_is_404_outside_the_scope(client, users, units):
    client.force_login(users.other_manager)
    assert client.get(_structure_url(units.snv)).status_code == 404
    response = client.post(
        _target_url(units.snv),
        {"grade": _grade("01.003").pk, "target_ratio": "50"},
    )
    assert response.status_code == 404


def test_grade_structure_shows_shares_without_leaders(client, users, establishment):
    client.force_login(users.manager)
    response = client.get(_structure_url(establishment.officers.unit))
    structure = response.context["structure"]
    assert structure.counted == 4
    assert structure.row("01.003").count == 2
    assert structure.row("01.003").share == Decimal("50.00")
    assertContains(response, "13/2022/TT-BNV")
    assert response.context["target_form"] is None  # managers only read


def test_grade_structure_excludes_leaders(client, users, establishment, units):
    client.force_login(users.hr)
    response = client.get(_structure_url(units.snv))
    structure = response.context["structure"]
    assert structure.leaders_excluded == 1
    assert structure.counted == 4


def test_grade_target_set_is_post_only(client, users, units):
    client.force_login(users.hr)
    assert client.get(_target_url(units.snv)).status_code == 405


def test_grade_target_set_is_403_for_a_manager(client, users, units):
    client.force_login(users.manager)
    response = client.post(
        _target_url(units.ccvc), {"grade": _grade("01.003").pk, "target_ratio": "50"}
    )
    assert response.status_code == 403
    assert not GradeStructureTarget.objects.exists()


def test_grade_target_set_records_the_target(client, users, establishment, units):
    client.force_login(users.hr)
    response = client.post(
        _target_url(units.ccvc),
        {"grade": _grade("01.003").pk, "target_ratio": "60"},
    )
    assertRedirects(response, _structure_url(units.ccvc))
    target = GradeStructureTarget.objects.get(unit=units.ccvc)
    assert (target.grade.code, target.target_ratio) == ("01.003", Decimal("60.00"))
    page = client.get(_structure_url(units.ccvc))
    row = page.context["structure"].row("01.003")
    assert (row.share, row.target_ratio, row.gap) == (
        Decimal("50.00"),
        Decimal("60.00"),
        Decimal("-10.00"),
    )


def test_grade_target_set_shows_the_services_refusal(client, users, units):
    client.force_login(users.hr)
    client.post(
        _target_url(units.ccvc), {"grade": _grade("01.003").pk, "target_ratio": "70"}
    )
    response = client.post(
        _target_url(units.ccvc),
        {"grade": _grade("01.004").pk, "target_ratio": "40"},
        follow=True,
    )
    assertContains(response, "110")
    assert GradeStructureTarget.objects.filter(unit=units.ccvc).count() == 1


def test_grade_target_set_refuses_a_ratio_over_100(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        _target_url(units.ccvc),
        {"grade": _grade("01.003").pk, "target_ratio": "120"},
        follow=True,
    )
    assert response.status_code == 200
    assert not GradeStructureTarget.objects.exists()
    assert list(response.context["messages"])
