"""The appraisal dashboards of a unit and a year: levels by unit, mean scores by
period, reform-task completion, late dossiers by person, the charts, the XLSX
export, who may read them, and a query count that does not grow with the rows.

The 2026 cycle is the province's (P01). Decided: two well-completed people and
one excellent in P01-SNV-CCVC, one completed in P01-SYT; one still undecided in
P01-SNV-CCVC. Scores (the last computation): P01-SNV-CCVC 87.08 in 2026-03,
P01-SYT 64.5. Reform tasks in P01-SNV-CCVC: two, one done on time. A marriage
dossier of P01-TTHCC came back late because S001's step overran.
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from appraisals import scoring
from appraisals.models import Appraisal
from hrms.models import AccessLog
from tests.appraisals.conftest import at
from tests.factories import (
    make_cycle,
    make_dossier,
    make_employee,
    make_scoring_rules,
    make_step,
    make_task,
    make_unit,
)

pytestmark = pytest.mark.django_db

D = dt.date
URL = "tasks:dashboard"
QUERY = {"unit": "P01", "year": 2026}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def appraise(cycle, unit, level: str, *, status: str = "decided") -> Appraisal:
    return Appraisal.objects.create(
        cycle=cycle,
        employee=make_employee(unit),
        unit=unit,
        regime=scoring.REGIME_B,
        rule_version="ND335-2025",
        status=status,
        decided_level=level if status == "decided" else "",
        computed_at=timezone.now(),
    )


@pytest.fixture
def cycle(units):
    make_scoring_rules()
    cycle = make_cycle(
        units.root,
        summary={
            "scores": [
                ["P01-SNV-CCVC", "2026-03", 87.08, 4],
                ["P01-SYT", "2026-03", 64.5, 1],
            ]
        },
    )
    for level in (scoring.GOOD, scoring.GOOD, scoring.EXCELLENT):
        appraise(cycle, units.ccvc, level)
    appraise(cycle, units.ccvc, "", status="proposed")
    appraise(cycle, units.syt, scoring.COMPLETED)
    return cycle


@pytest.fixture
def reform(units):
    lan = make_employee(units.ccvc, "S101")
    make_task(lan, "R-1", is_reform_task=True, completed_on=D(2026, 3, 10))
    make_task(lan, "R-2", period="2026-04", is_reform_task=True)
    make_task(lan, "T-1")  # not a reform task


@pytest.fixture
def late_dossier(one_stop):
    marriage = one_stop.procedures.marriage
    trang, lan = one_stop.officers.trang, one_stop.officers.lan
    dossier = make_dossier(
        marriage,
        one_stop.units.tthcc,
        "L1",
        received_at=at(2026, 3, 2, 9),
        returned_at=at(2026, 3, 12, 9),
        receiving_officer=trang,
    )
    make_step(
        dossier,
        1,
        lan,
        started_at=at(2026, 3, 3, 8),
        due_at=at(2026, 3, 5, 17),
        finished_at=at(2026, 3, 10, 16),
    )
    return dossier


@pytest.fixture
def data(cycle, reform, late_dossier):
    return cycle


def test_the_dashboards_show_the_frames_of_the_unit(client, users, data):
    client.force_login(users.admin)
    response = client.get(reverse(URL), QUERY)
    assert response.status_code == 200
    context = response.context
    rows = {code: (counts, total) for code, counts, total in context["level_rows"]}
    # excellent, good, completed, not completed, not rated, undecided
    assert rows["P01-SNV-CCVC"] == ([1, 2, 0, 0, 0, 1], 4)
    assert rows["P01-SYT"] == ([0, 0, 1, 0, 0, 0], 1)
    assert context["periods"] == ["2026-03"]
    assert dict(context["score_rows"]) == {"P01-SNV-CCVC": [87.08], "P01-SYT": [64.5]}
    assert context["reform_rows"] == [("P01-SNV-CCVC", 2, 1, 1, 0.5)]
    assert context["late_rows"] == [("S001", "Bùi Thị Lan", 1)]
    assertContains(response, "<svg", count=2)
    assertContains(response, 'aria-label="People by rating level and unit"')
    assertContains(response, "Well completed duties")
    assertContains(response, "50%")
    assertContains(response, 'href="/tasks/dashboard/xlsx/?unit=P01&amp;year=2026"')


def test_a_leader_sees_only_their_units_rows(client, users, data):
    client.force_login(users.manager)
    response = client.get(reverse(URL), {"year": 2026})  # defaults to P01-SNV-CCVC
    assert response.context["unit"].code == "P01-SNV-CCVC"
    assert [row[0] for row in response.context["level_rows"]] == ["P01-SNV-CCVC"]
    assert dict(response.context["score_rows"]) == {"P01-SNV-CCVC": [87.08]}
    assertNotContains(response, "P01-SYT</th>")


def test_without_a_cycle_the_levels_are_empty(client, users, reform):
    client.force_login(users.admin)
    response = client.get(reverse(URL), QUERY)
    assert response.context["level_rows"] == []
    assertContains(response, "No appraisal cycle covers this unit in this year")
    assert response.context["reform_rows"] == [("P01-SNV-CCVC", 2, 1, 1, 0.5)]


def test_the_xlsx_export_has_the_four_sheets(client, users, data):
    client.force_login(users.admin)
    response = client.get(reverse("tasks:dashboard_xlsx"), QUERY)
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert 'filename="dashboard-P01-2026.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["levels", "scores", "reform_tasks", "late_dossiers"]
    levels = list(book["levels"].iter_rows(values_only=True))
    assert levels[0][0] == "unit"
    assert {row[0]: row[1:] for row in levels[1:]}["P01-SNV-CCVC"] == (1, 2, 0, 0, 0, 1)
    reform = list(book["reform_tasks"].iter_rows(values_only=True))
    assert reform[1] == ("P01-SNV-CCVC", 2, 1, 1, 0.5)
    late = list(book["late_dossiers"].iter_rows(values_only=True))
    assert late[1][1:] == ("S001", "Bùi Thị Lan", 1)


def test_a_sub_units_export_is_narrowed_to_it(client, users, data):
    client.force_login(users.manager)
    response = client.get(
        reverse("tasks:dashboard_xlsx"), {"unit": "P01-SNV-CCVC", "year": 2026}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    units = [row[0] for row in book["levels"].iter_rows(min_row=2, values_only=True)]
    assert units == ["P01-SNV-CCVC"]
    scores = [row[0] for row in book["scores"].iter_rows(min_row=2, values_only=True)]
    assert "P01-SYT" not in scores


def test_an_inspector_reads_the_dashboards_and_the_read_is_logged(client, users, data):
    client.force_login(users.inspector)
    response = client.get(reverse(URL), {"unit": "P01-SNV", "year": 2026})
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        user=users.inspector, object_type="positions.orgunit"
    ).exists()
    assert (
        client.get(reverse("tasks:dashboard_xlsx"), {"unit": "P01-SNV"}).status_code
        == 200
    )
    assert client.post(reverse(URL), QUERY).status_code == 405


@pytest.mark.parametrize(
    ("who", "query", "status"),
    [
        ("staff", {}, 403),
        ("counter", {}, 403),
        ("outsider", {}, 403),
        ("other_manager", {"unit": "P01-SNV-CCVC"}, 404),
        ("hr", {"unit": "P01"}, 404),
        ("hr", {"unit": "P01-SNV"}, 200),
    ],
)
def test_who_may_read_the_dashboards(client, users, cycle, who, query, status):
    client.force_login(getattr(users, who))
    assert client.get(reverse(URL), query).status_code == status
    assert client.get(reverse("tasks:dashboard_xlsx"), query).status_code == status


def _grow(units, cycle, one_stop, n: int) -> None:
    """n more units, each with people at every level, reform tasks and a late
    dossier."""
    for i in range(n):
        unit = make_unit(f"P01-X{i:02d}", parent=units.root)
        for level in (scoring.EXCELLENT, scoring.GOOD, scoring.COMPLETED, ""):
            appraise(cycle, unit, level)
        officer = make_employee(unit)
        make_task(officer, is_reform_task=True, completed_on=D(2026, 3, 5))
        make_task(officer, is_reform_task=True, period="2026-Q2")
        dossier = make_dossier(
            one_stop.procedures.marriage,
            unit,
            received_at=at(2026, 3, 2, 9),
            returned_at=at(2026, 3, 12, 9),
        )
        make_step(
            dossier,
            1,
            officer,
            started_at=at(2026, 3, 3, 8),
            due_at=at(2026, 3, 5, 17),
            finished_at=at(2026, 3, 10, 16),
        )
    cycle.summary["scores"] += [
        [f"P01-X{i:02d}", f"2026-{m:02d}", 70 + m, 4] for i in range(n) for m in (3, 4)
    ]
    cycle.save()


def _count(client, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(URL), query)
    assert response.status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows(
    client, users, units, data, one_stop, django_assert_max_num_queries
):
    client.force_login(users.admin)
    client.get(reverse(URL), QUERY)  # warm the session and the grants
    small = _count(client, QUERY)
    _grow(units, data, one_stop, 12)
    with django_assert_max_num_queries(small):
        response = client.get(reverse(URL), QUERY)
    assert len(response.context["level_rows"]) == 14
    assert len(response.context["late_rows"]) == 13
    assert _count(client, QUERY) == small <= 20


def test_the_late_table_is_capped_and_says_so(client, users, data, monkeypatch):
    from appraisals.task_views import dashboards

    client.force_login(users.admin)
    assertNotContains(client.get(reverse(URL), QUERY), 'id="late-officers-cut"')
    monkeypatch.setattr(dashboards, "LATE_OFFICERS_SHOWN", 0)
    response = client.get(reverse(URL), QUERY)
    assert (response.context["late_rows"], response.context["late_count"]) == ([], 1)
    assertContains(response, 'id="late-officers-cut"')
