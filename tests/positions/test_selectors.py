import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from positions.models import Grade, GradeStructureTarget, JobPosition
from positions.selectors import establishment_report, grade_structure, vacancies
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 1)
LONG_AGO = dt.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


def _holder(unit, position, grade=None, *, staff_type="cong_chuc", **assignment):
    employee = make_employee(unit, staff_type=staff_type)
    if grade:
        make_grade_step(employee, grade, 1, effective_on=LONG_AGO)
    make_assignment(employee, position, starts_on=LONG_AGO, **assignment)
    return employee


@pytest.fixture
def establishment(units) -> SimpleNamespace:
    """Positions over the nested tree, filled on ON as the comments say."""
    director = make_position(
        units.snv, "SNV-GD", grade="01.002", group="leadership", headcount=1
    )
    _holder(units.snv, director, "01.002")

    managers = make_position(units.ccvc, "CCVC-QL", grade="01.003", headcount=3)
    _holder(units.ccvc, managers, "01.003")
    _holder(units.ccvc, managers, "01.004", is_transition_case=True)  # mismatch

    clerks = make_position(units.ccvc, "CCVC-VT", grade="02.007", headcount=1)
    _holder(units.ccvc, clerks, "02.007")
    _holder(units.ccvc, clerks)  # over quota, no grade recorded yet

    counter = make_position(units.tthcc, "TTHCC-TN", grade="01.003", headcount=4)
    promoted = _holder(units.tthcc, counter, "01.003")
    # Grade changes on 1/1/2026: a mismatch from then on.
    make_grade_step(
        promoted, "01.002", 1, effective_on=dt.date(2026, 1, 1), reason="grade_change"
    )

    service = make_position(
        units.tthcc, "TTHCC-PV", grade="01.005", group="support", headcount=1
    )
    _holder(units.tthcc, service, staff_type="contract")
    _holder(units.tthcc, service, "01.005", ends_on=dt.date(2025, 12, 31))  # left
    later = make_employee(units.tthcc)
    make_assignment(later, service, starts_on=dt.date(2026, 6, 1))  # not yet

    closed = make_position(units.syt, "SYT-OLD", headcount=2, is_active=False)
    return SimpleNamespace(
        director=director,
        managers=managers,
        clerks=clerks,
        counter=counter,
        service=service,
        closed=closed,
    )


def _figures(figures) -> tuple:
    return (
        figures.quota,
        figures.filled,
        figures.vacant,
        figures.over_quota,
        figures.grade_mismatches,
        figures.transition_cases,
    )


def test_it_reports_each_position(units, establishment):
    report = establishment_report(units.root, on=ON)
    rows = {row.position.code: _figures(row) for row in report.position_rows}
    assert rows == {
        # quota, filled, vacant, over, mismatches, transition
        "SNV-GD": (1, 1, 0, 0, 0, 0),
        "CCVC-QL": (3, 2, 1, 0, 1, 1),
        "CCVC-VT": (1, 2, 0, 1, 0, 0),
        "TTHCC-TN": (4, 1, 3, 0, 1, 0),
        "TTHCC-PV": (1, 1, 0, 0, 0, 0),
    }


def test_it_totals_each_unit_and_its_subtree(units, establishment):
    report = establishment_report(units.root, on=ON)
    assert [row.unit.code for row in report.units] == [
        "P01",
        "P01-SNV",
        "P01-SNV-CCVC",
        "P01-SYT",
        "P01-TTHCC",
        "P01-XA01",
    ]
    snv = report.unit("P01-SNV")
    assert _figures(snv.own) == (1, 1, 0, 0, 0, 0)
    assert _figures(snv.subtree) == (5, 5, 1, 1, 1, 1)
    assert _figures(report.unit("P01-SNV-CCVC").own) == (4, 4, 1, 1, 1, 1)
    assert _figures(report.unit("P01-TTHCC").subtree) == (5, 2, 3, 0, 1, 0)
    assert _figures(report.unit("P01-XA01").subtree) == (0, 0, 0, 0, 0, 0)
    assert _figures(report.unit("P01").own) == (0, 0, 0, 0, 0, 0)
    assert _figures(report.total) == (10, 7, 4, 1, 2, 1)
    assert report.total.positions == 5


def test_it_reports_a_subtree_only(units, establishment):
    report = establishment_report(units.snv, on=ON)
    assert [row.unit.code for row in report.units] == ["P01-SNV", "P01-SNV-CCVC"]
    assert _figures(report.total) == (5, 5, 1, 1, 1, 1)


def test_it_uses_the_facts_in_force_on_the_date(units, establishment):
    report = establishment_report(units.root, on=dt.date(2025, 12, 1))
    rows = {row.position.code: _figures(row) for row in report.position_rows}
    assert rows["TTHCC-TN"] == (4, 1, 3, 0, 0, 0)  # grade changed later
    assert rows["TTHCC-PV"] == (1, 2, 0, 1, 0, 0)  # the leaver was still there
    later = establishment_report(units.root, on=dt.date(2026, 6, 1))
    rows = {row.position.code: _figures(row) for row in later.position_rows}
    assert rows["TTHCC-PV"] == (1, 2, 0, 1, 0, 0)  # the newcomer arrived


def _grow(units, n: int) -> None:
    for unit in (units.ccvc, units.syt, units.xa):
        for _ in range(n):
            position = make_position(unit, headcount=2)
            _holder(unit, position, "01.004")


def test_it_runs_a_fixed_number_of_queries(units, establishment):
    with CaptureQueriesContext(connection) as small:
        establishment_report(units.root, on=ON)
    _grow(units, 8)
    with CaptureQueriesContext(connection) as large:
        report = establishment_report(units.root, on=ON)
        for row in report.position_rows:  # what a template would touch
            str(row.position.unit), str(row.position.grade)
    assert len(small) == len(large) <= 3
    assert report.total.positions == 5 + 24
    assert report.total.grade_mismatches == 2 + 24


def test_it_lists_vacancies(units, establishment):
    rows = list(vacancies(units.root, on=ON))
    assert [(p.code, p.vacant) for p in rows] == [("CCVC-QL", 1), ("TTHCC-TN", 3)]
    assert [p.code for p in vacancies(units.tthcc, on=ON)] == ["TTHCC-TN"]


def test_it_annotates_fill_on_any_queryset(units, establishment):
    filled = dict(JobPosition.objects.with_fill(ON).values_list("code", "filled"))
    assert filled["CCVC-VT"] == 2
    assert filled["SYT-OLD"] == 0


def test_it_computes_the_grade_structure_without_leaders(units, establishment):
    GradeStructureTarget.objects.create(
        unit=units.root, grade=Grade.objects.get(code="01.003"), target_ratio=40
    )
    GradeStructureTarget.objects.create(
        unit=units.root, grade=Grade.objects.get(code="01.001"), target_ratio=10
    )
    structure = grade_structure(units.root, on=ON)
    # Non-leaders with a grade: 01.003, 01.004, 02.007, 01.002 (the promoted one).
    assert structure.counted == 4
    assert structure.leaders_excluded == 1
    assert structure.ungraded == 2
    shares = {r.grade.code: (r.count, r.share, r.target_ratio) for r in structure.rows}
    assert shares == {
        "01.001": (0, Decimal("0.00"), Decimal("10.00")),
        "01.002": (1, Decimal("25.00"), None),
        "01.003": (1, Decimal("25.00"), Decimal("40.00")),
        "01.004": (1, Decimal("25.00"), None),
        "02.007": (1, Decimal("25.00"), None),
    }
    assert structure.row("01.003").gap == Decimal("-15.00")


def test_it_counts_a_leader_under_no_grade(units, establishment):
    # The director holds 01.002 in a leadership post: no 01.002 row at all.
    structure = grade_structure(units.snv, on=ON)
    assert structure.leaders_excluded == 1
    assert {r.grade.code: r.count for r in structure.rows} == {
        "01.003": 1,
        "01.004": 1,
        "02.007": 1,
    }
