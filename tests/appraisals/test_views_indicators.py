"""The unit's service indicators page, and its monthly report as XLSX and PDF, on a
small data set worked out by hand (P01-TTHCC, March–April 2026, counted on Fri
10/4/2026 at noon).

    dossier channel received  due        returned   notes
    D1      direct  Mon 02/03 Mon 09/03  Fri 06/03  on time; very satisfied
    D2      online  Mon 02/03 Mon 09/03  Tue 10/03  late: S001's step overran; slip
                                                    06/03 (in time) → 11/03; satisfied
    D3      online  Tue 03/03 Tue 10/03  Wed 11/03  late, every step on time: schedule
                                                    error; unsatisfied
    D4      direct  Fri 20/03 Fri 27/03  —          overdue: S001's step still open;
                                                    slip 27/03 (late) → 03/04
    D5      direct  Thu 02/04 Thu 09/04  Wed 08/04  on time

March: received 4 (2 online), returned 3, rated 3 (2 satisfied), due 4: on time 1,
late 3 (D2, D3, D4), late with a slip in time 1 (D2), rescheduled 2, late slips 1,
schedule errors 1, verified incidents 1 (a second report is not verified).
April: received 1, returned 1, due 1, on time 1.
Period: received 5, online 2 (40 %), due 5, on time 2 (40 %), slips in time 1 of 3
(33 %), satisfied 2 of 3 (67 %); S001 responsible for 2 late dossiers.
Decision 766: timeliness 20 × 0.4 = 8.00, online 22 × 0.4 = 8.80, satisfaction
18 × 0.6667 = 12.00; publicity and digitisation: no data; 28.80 of 60.
"""

import datetime as dt
import io
import unicodedata
from html.parser import HTMLParser

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appraisals.models import ApologySlip, CitizenRating, ConductIncident
from hrms.models import AccessLog
from hrms.roles import grant_role
from tests.appraisals.conftest import at
from tests.factories import make_dossier, make_employee, make_step

pytestmark = pytest.mark.django_db

AS_OF = at(2026, 4, 10, 12)
PERIOD = {"unit": "P01-TTHCC", "start": "01/03/2026", "end": "30/04/2026"}


@pytest.fixture
def leader(users, units):
    """A unit leader of the service centre."""
    grant_role(user=users.manager, role="manager", unit=units.tthcc)
    return users.manager


@pytest.fixture
def data(one_stop):
    tthcc, marriage = one_stop.units.tthcc, one_stop.procedures.marriage
    trang, lan = one_stop.officers.trang, one_stop.officers.lan

    def dossier(code, received, **fields):
        fields.setdefault("receiving_officer", trang)
        return make_dossier(marriage, tthcc, code, received_at=received, **fields)

    def slip(d, issued, new_due, late):
        ApologySlip.objects.create(
            dossier=d,
            issued_at=issued,
            previous_due_at=d.due_at,
            new_due_at=new_due,
            is_issued_late=late,
            reason="Chờ kết quả xác minh",
        )
        d.rescheduled_due_at = new_due
        d.save()

    d1 = dossier("D1", at(2026, 3, 2, 8), returned_at=at(2026, 3, 6, 10))
    d2 = dossier(
        "D2", at(2026, 3, 2, 9), returned_at=at(2026, 3, 10, 9), channel="online"
    )
    make_step(
        d2,
        1,
        trang,
        name="receive",
        started_at=at(2026, 3, 2, 9),
        due_at=at(2026, 3, 2, 17),
        finished_at=at(2026, 3, 2, 9, 30),
    )
    make_step(
        d2,
        2,
        lan,
        started_at=at(2026, 3, 3, 8),
        due_at=at(2026, 3, 5, 17),
        finished_at=at(2026, 3, 9, 16),
    )
    slip(d2, at(2026, 3, 6, 10), at(2026, 3, 11, 17), late=False)
    d3 = dossier(
        "D3", at(2026, 3, 3, 8), returned_at=at(2026, 3, 11, 8), channel="online"
    )
    make_step(
        d3,
        1,
        lan,
        started_at=at(2026, 3, 3, 9),
        due_at=at(2026, 3, 12, 17),
        finished_at=at(2026, 3, 11, 7, 30),
    )
    d4 = dossier("D4", at(2026, 3, 20, 8), status="processing")
    make_step(d4, 1, lan, started_at=at(2026, 3, 20, 9), due_at=at(2026, 3, 26, 17))
    slip(d4, at(2026, 3, 27, 9), at(2026, 4, 3, 17), late=True)
    dossier("D5", at(2026, 4, 2, 9), returned_at=at(2026, 4, 8, 10))
    for d, level, comment in (
        (d1, "very_satisfied", ""),
        (d2, "satisfied", ""),
        (d3, "unsatisfied", "Chờ quá lâu"),
    ):
        CitizenRating.objects.create(dossier=d, level=level, comment=comment)
    for day, verified in ((dt.date(2026, 3, 12), True), (dt.date(2026, 3, 13), False)):
        ConductIncident.objects.create(
            officer=trang,
            unit=tthcc,
            occurred_on=day,
            source="hotline",
            conduct="attitude",
            description="Thái độ chưa đúng mực",
            is_verified=verified,
        )
    return one_stop


def _url(name: str = "indicator_report", **params) -> str:
    query = {**PERIOD, **params}
    return reverse(f"appraisals:{name}") + "?" + urlencode(query)


def _get(client, url):
    with time_machine.travel(AS_OF, tick=False):
        return client.get(url)


class _Cells(HTMLParser):
    """{row key: {column: text}} from data-* attributes, and the totals."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.totals: dict[str, str] = {}
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("data-month", "data-officer", "data-group"):
            if tag == "tr" and key in attrs:
                self._row = self.rows.setdefault(attrs[key], {})
        if "data-col" in attrs and self._row is not None:
            self._cell = (self._row, attrs["data-col"], tag)
            self._row[attrs["data-col"]] = ""
        elif "data-total" in attrs:
            self._cell = (self.totals, attrs["data-total"], tag)
            self.totals[attrs["data-total"]] = ""

    def handle_endtag(self, tag):
        if self._cell is not None and tag == self._cell[2]:
            self._cell = None
        if tag == "tr":
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            target, key, _tag = self._cell
            target[key] = " ".join((target[key] + " " + data).split())


def _cells(response) -> _Cells:
    parser = _Cells()
    parser.feed(response.content.decode())
    return parser


# Access ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["indicator_report", "indicator_report_xlsx", "indicator_report_pdf"]
)
def test_anonymous_visitors_go_to_login(client, name):
    url = reverse(f"appraisals:{name}")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


@pytest.mark.parametrize(
    "name", ["indicator_report", "indicator_report_xlsx", "indicator_report_pdf"]
)
def test_counter_officers_and_staff_get_403(client, users, name):
    for user in (users.counter, users.staff, users.outsider):
        client.force_login(user)
        assert client.get(_url(name)).status_code == 403


@pytest.mark.parametrize(
    "name", ["indicator_report", "indicator_report_xlsx", "indicator_report_pdf"]
)
def test_a_unit_outside_the_scope_is_404(client, users, name):
    client.force_login(users.other_manager)
    assert client.get(_url(name)).status_code == 404
    assert client.get(_url(name, unit="NO-SUCH")).status_code == 404


@pytest.mark.parametrize(
    "name", ["indicator_report", "indicator_report_xlsx", "indicator_report_pdf"]
)
def test_the_report_refuses_post(client, leader, name):
    client.force_login(leader)
    assert client.post(_url(name)).status_code == 405


def test_the_page_defaults_to_the_top_of_the_scope_and_six_months(client, leader, data):
    client.force_login(leader)
    response = _get(client, reverse("appraisals:indicator_report"))
    report = response.context["report"]
    assert report.unit.code == "P01-TTHCC"  # the highest unit of the scope
    assert (report.start, report.end) == (dt.date(2025, 11, 1), dt.date(2026, 4, 30))
    assert [row.label for row in report.months][0] == "11/2025"
    assert len(report.months) == 6
    response = _get(
        client, reverse("appraisals:indicator_report") + "?start=01/03/2026"
    )
    report = response.context["report"]
    assert (report.start, report.end) == (dt.date(2026, 3, 1), dt.date(2026, 8, 31))
    response = _get(client, reverse("appraisals:indicator_report") + "?end=31/01/2026")
    report = response.context["report"]
    assert (report.start, report.end) == (dt.date(2025, 8, 1), dt.date(2026, 1, 31))


def test_a_bad_period_is_shown_and_the_default_used(client, leader, data):
    client.force_login(leader)
    url = reverse("appraisals:indicator_report") + "?start=01/04/2026&end=01/03/2026"
    response = _get(client, url)
    assert response.status_code == 200
    assert "end" in response.context["form"].errors
    assert response.context["report"].end == dt.date(2026, 4, 30)


def test_an_inspector_read_is_logged(client, users, data):
    grant_role(
        user=users.inspector,
        role="inspector",
        unit=data.units.tthcc,
        valid_until=dt.date(2027, 12, 31),
    )
    client.force_login(users.inspector)
    assert _get(client, _url()).status_code == 200
    log = AccessLog.objects.get(user=users.inspector)
    assert (log.object_type, log.object_repr) == (
        "positions.orgunit",
        str(data.units.tthcc),
    )


# The figures ---------------------------------------------------------------------


def test_the_page_shows_the_hand_checked_figures(client, leader, data):
    client.force_login(leader)
    response = _get(client, _url())
    assert response.status_code == 200
    cells = _cells(response)
    assert cells.totals == {
        "received": "5",
        "online_share": "40 %",
        "resolved": "4",
        "on_time_ratio": "40 %",
        "late": "3",
        "schedule_errors": "1",
        "apology_compliance": "33 %",
        "rescheduled": "2",
        "late_slips": "1",
        "satisfaction_ratio": "67 %",
        "verified_incidents": "1",
    }
    march, april = cells.rows["03/2026"], cells.rows["04/2026"]
    assert march == {
        "received": "4",
        "online": "2",
        "resolved": "3",
        "due": "4",
        "on_time": "1",
        "late": "3",
        "on_time_ratio": "25 %",
        "late_with_slip_in_time": "1",
        "rated": "3",
        "satisfied": "2",
        "verified_incidents": "1",
    }
    assert (april["received"], april["due"], april["on_time_ratio"]) == (
        "1",
        "1",
        "100 %",
    )
    # Late dossiers by responsible officer, the schedule error as such.
    assert cells.rows["S001"] == {"late": "2"}
    assert cells.rows["schedule-error"] == {"late": "1"}
    # Decision 766: each group's points (Vietnamese number format), "no data"
    # shown as such.
    assert cells.rows["timeliness"]["points"] == "8.00 / 20"
    assert cells.rows["online"]["points"] == "8.80 / 22"
    assert cells.rows["satisfaction"]["points"] == "12.00 / 18"
    assert cells.rows["publicity"]["points"] == "no data / 18"
    assert cells.rows["digitisation"]["points"] == "no data / 22"
    assert cells.rows["total"]["points"] == "28.80 / 60"
    assertContains(response, "20 × 0.4000")


def test_the_page_lists_late_dossiers_with_their_reasons(client, leader, data):
    client.force_login(leader)
    report = _get(client, _url()).context["report"]
    rows = {row.dossier.code: row for row in report.late_rows}
    assert set(rows) == {"D2", "D3", "D4"}
    assert [e.employee_code for e, _o in rows["D2"].responsible] == ["S001"]
    assert rows["D3"].is_schedule_error
    assert any("schedule error" in r.message for r in rows["D3"].reasons)
    assert [e.employee_code for e, _o in rows["D4"].responsible] == ["S001"]
    assert report.rating_counts == {
        "very_satisfied": 1,
        "satisfied": 1,
        "unsatisfied": 1,
    }
    assert report.ratings[0].level == "unsatisfied"  # the unsatisfied first
    assert [i.is_verified for i in report.incidents] == [False, True]


def test_the_chart_is_inline_svg(client, leader, data):
    client.force_login(leader)
    response = _get(client, _url())
    html = response.content.decode()
    assert '<svg role="img"' in html
    assert "<script" not in html.split('<svg role="img"')[1].split("</svg>")[0]
    assert "03/2026" in html.split('<svg role="img"')[1].split("</svg>")[0]


def test_the_page_has_a_fixed_number_of_queries(
    client, leader, data, django_assert_max_num_queries
):
    client.force_login(leader)
    url = _url()
    _get(client, url)
    with time_machine.travel(AS_OF, tick=False):
        with CaptureQueriesContext(connection) as small:
            client.get(url)
    for i in range(20):
        officer = make_employee(data.units.tthcc, f"X{i:03d}")
        d = make_dossier(
            data.procedures.marriage,
            data.units.tthcc,
            f"X{i}",
            received_at=at(2026, 3, 2 + i % 20, 9),
            receiving_officer=officer,
            channel="online",
        )
        make_step(d, 1, officer, started_at=d.received_at, due_at=d.received_at)
        CitizenRating.objects.create(dossier=d, level="satisfied")
    with time_machine.travel(AS_OF, tick=False):
        with CaptureQueriesContext(connection) as large:
            response = client.get(url)
    assert response.context["report"].totals.received == 25
    assert len(large) == len(small)
    assert len(small) <= 20


# The monthly report ----------------------------------------------------------------


def test_the_xlsx_report_reads_back(client, leader, data):
    client.force_login(leader)
    response = _get(client, _url("indicator_report_xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Chỉ số theo tháng",
        "Trễ hạn theo cán bộ",
        "Hồ sơ trễ hạn",
        "Bộ chỉ số 766",
        "Đánh giá",
        "Sự cố",
    ]
    months = book["Chỉ số theo tháng"]
    rows = [
        [cell.value for cell in row]
        for row in months.iter_rows()
        if row[0].value is not None
    ]
    header = rows[0]
    assert header[:8] == [
        "Tháng",
        "Tiếp nhận",
        "Trong đó trực tuyến",
        "Đã trả kết quả",
        "Đến hạn",
        "Đúng hạn",
        "Trễ hạn",
        "Tỷ lệ đúng hạn",
    ]
    by_month = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_month["03/2026"]["Tiếp nhận"] == 4
    assert by_month["03/2026"]["Trễ hạn"] == 3
    assert by_month["03/2026"]["Tỷ lệ đúng hạn"] == 0.25
    assert by_month["Cộng"]["Đến hạn"] == 5
    assert by_month["Cộng"]["Tỷ lệ đúng hạn"] == 0.4
    assert by_month["Cộng"]["Tỷ lệ hài lòng"] == pytest.approx(0.6667)
    assert len(months._images) == 1  # the chart
    officers = list(book["Trễ hạn theo cán bộ"].values)
    assert officers[1] == ("S001", "Bùi Thị Lan", 2)
    assert officers[-1][2] == 1  # schedule errors
    groups = [row[1:3] for row in list(book["Bộ chỉ số 766"].values)[1:]]
    assert groups == [
        (18, "Không có dữ liệu"),
        (20, 8.0),
        (22, "Không có dữ liệu"),
        (22, 8.8),
        (18, 12.0),
        (60, 28.8),
    ]
    late = {row[0]: row for row in book["Hồ sơ trễ hạn"].values}
    assert late["D3"][4] == "Lỗi lập lịch"
    assert late["D2"][4] == "S001 Bùi Thị Lan"


def test_the_xlsx_report_neutralises_formulas(client, leader, data):
    rating = CitizenRating.objects.get(dossier__code="D3")
    rating.comment = '=HYPERLINK("http://example.invalid")'
    rating.save()
    client.force_login(leader)
    response = _get(client, _url("indicator_report_xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    comments = [row[4] for row in book["Đánh giá"].values]
    assert '\'=HYPERLINK("http://example.invalid")' in comments


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_pdf_report_has_the_figures_and_the_chart(client, leader, data):
    client.force_login(leader)
    response = _get(client, _url("indicator_report_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = _normal(" ".join(page.extract_text() for page in reader.pages))
    assert "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text
    assert "Từ ngày 01/03/2026 đến ngày 30/04/2026" in text
    assert "Bộ chỉ số phục vụ người dân, doanh nghiệp" in text
    assert "Có 5 hồ sơ đến hạn, trong đó 2 hồ sơ đúng hạn (tỷ lệ 40%)" in text
    assert "Bùi Thị Lan" in text
    assert "Lỗi lập lịch" in text
    images = [
        name
        for page in reader.pages
        for name, obj in (page["/Resources"].get("/XObject") or {}).items()
        if obj.get_object()["/Subtype"] == "/Image"
    ]
    assert images, "the chart image is embedded"


@pytest.fixture(autouse=True)
def _english_ui(settings):
    """These tests read the English source messages; the Vietnamese UI has its own
    catalogue test (tests/hrms/test_i18n.py)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_the_late_officer_table_is_capped_and_says_so(
    client, leader, data, monkeypatch
):
    """At province scale the table would list tens of thousands of officers: the
    page shows those with the most late dossiers and points to the export."""
    from appraisals import selectors

    client.force_login(leader)
    response = _get(client, _url())
    assert response.context["late_officers"] == [("S001", "Bùi Thị Lan", 2)]
    assertNotContains(response, 'id="late-officers-cut"')
    monkeypatch.setattr(selectors, "LATE_OFFICERS_SHOWN", 0)
    response = _get(client, _url())
    assert response.context["late_officers"] == []
    assert response.context["late_officer_count"] == 1
    assertContains(response, 'id="late-officers-cut"')
