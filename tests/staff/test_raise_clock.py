"""The salary-step raise clock: intervals, each extension and their combination,
the same-violation rule, the seniority allowance, early raises and the quota."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from staff import rules, services
from staff.models import AnnualRating, Commendation, Employee, GradeHistory
from staff.selectors import early_raise_candidates, raise_due
from tests.factories import (
    make_decided_case,
    make_discipline_reference_data,
    make_employee,
    make_grade_step,
    make_reference_data,
    make_unit,
)

pytestmark = pytest.mark.django_db
D = dt.date
SINCE = D(2022, 1, 1)  # step 2 of 01.003 (A1, 36 months): due 1/1/2025


@pytest.fixture(autouse=True)
def _reference(db):
    make_reference_data()
    make_discipline_reference_data()


def _employee(unit, code="CC01", *, staff_type="cong_chuc", grade="01.003", step=2):
    employee = make_employee(unit, code, staff_type=staff_type)
    make_grade_step(employee, grade, step, effective_on=SINCE)
    return employee


LATER = D(2026, 6, 1)


def _clock(employee, on=LATER):
    rows = raise_due(on, Employee.objects.filter(pk=employee.pk))
    assert len(rows) == 1
    return rows[0]


def _rating(employee, year, *, case=None, decided_on=None):
    return AnnualRating.objects.create(
        employee=employee,
        year=year,
        level="khong_hoan_thanh",
        decided_on=decided_on,
        discipline_case=case,
    )


@pytest.mark.parametrize(
    ("grade", "step", "due"),
    [
        ("01.003", 2, D(2025, 1, 1)),  # A1: 36 months
        ("01.002", 2, D(2025, 1, 1)),  # A2.1: 36 months
        ("01.005", 2, D(2024, 1, 1)),  # B: 24 months
    ],
)
def test_the_interval_comes_from_the_scale(units, grade, step, due):
    clock = _clock(_employee(units.ccvc, grade=grade, step=step))
    assert (clock.kind, clock.due_on, clock.extension_months) == ("step", due, 0)
    assert clock.reasons[0].code == "raise.interval"
    assert "Circular 08/2013" in clock.reasons[0].citation


@pytest.mark.parametrize(
    ("staff_type", "form", "months"),
    [
        ("cong_chuc", "reprimand", 6),
        ("cong_chuc", "warning", 6),
        ("cong_chuc", "demotion", 12),
        ("cong_chuc", "removal_from_post", 12),
        ("can_bo", "reprimand", 6),
        ("can_bo", "removal_from_post", 12),
        ("vien_chuc", "reprimand", 3),
        ("vien_chuc", "warning", 6),
        ("vien_chuc", "removal_from_post", 12),
    ],
)
def test_each_discipline_extends_by_form_and_staff_type(
    units, staff_type, form, months
):
    employee = _employee(units.ccvc, staff_type=staff_type)
    make_decided_case(employee, form, decided_on=D(2023, 5, 1))
    clock = _clock(employee)
    assert clock.extension_months == months
    assert clock.due_on == rules.add_months(D(2025, 1, 1), months)
    assert any(r.code == "raise.extension.discipline" for r in clock.reasons)


def test_a_not_completed_year_extends_by_six_months(units):
    employee = _employee(units.ccvc)
    _rating(employee, 2023)
    assert _clock(employee).due_on == D(2025, 7, 1)


def test_two_non_consecutive_not_completed_years_add_up(units):
    employee = _employee(units.ccvc)
    _rating(employee, 2022)
    _rating(employee, 2024)
    assert _clock(employee).due_on == D(2026, 1, 1)


def test_a_rating_and_a_discipline_for_different_violations_add_up(units):
    employee = _employee(units.ccvc)
    make_decided_case(employee, "warning", decided_on=D(2023, 5, 1))
    _rating(employee, 2022)
    clock = _clock(employee)
    assert (clock.due_on, clock.extension_months) == (D(2026, 1, 1), 12)


def test_a_rating_caused_by_the_same_violation_counts_once(units):
    employee = _employee(units.ccvc)
    case = make_decided_case(employee, "warning", decided_on=D(2023, 5, 1))
    _rating(employee, 2023, case=case)
    clock = _clock(employee)
    assert (clock.due_on, clock.extension_months) == (D(2025, 7, 1), 6)
    codes = [r.code for r in clock.reasons]
    assert "raise.extension.same_violation" in codes


def test_all_extensions_combined(units):
    employee = _employee(units.ccvc, staff_type="vien_chuc")
    case = make_decided_case(employee, "reprimand", decided_on=D(2022, 6, 1))  # +3
    _rating(employee, 2022, case=case)  # same violation: counted once
    make_decided_case(employee, "warning", decided_on=D(2023, 9, 1))  # +6
    _rating(employee, 2024)  # +6
    clock = _clock(employee)
    assert (clock.extension_months, clock.due_on) == (15, D(2026, 4, 1))


def test_an_extension_can_bring_a_later_event_into_the_period(units):
    employee = _employee(units.ccvc)
    make_decided_case(employee, "reprimand", decided_on=D(2024, 12, 1))  # → 1/7/2025
    _rating(employee, 2025, decided_on=D(2025, 3, 1))  # now inside: → 1/1/2026
    assert _clock(employee).due_on == D(2026, 1, 1)


@pytest.mark.parametrize(
    ("decided_on", "status"),
    [
        (D(2021, 6, 1), "decided"),  # before the current step
        (D(2025, 3, 1), "decided"),  # after the due date
        (D(2023, 5, 1), "annulled"),  # annulled: no effect
    ],
)
def test_disciplines_outside_the_period_or_annulled_do_not_count(
    units, decided_on, status
):
    employee = _employee(units.ccvc)
    make_decided_case(
        employee,
        "warning",
        decided_on=decided_on,
        status=status,
        annulled_on=decided_on if status == "annulled" else None,
    )
    assert _clock(employee).due_on == D(2025, 1, 1)


@pytest.mark.parametrize(
    ("grade", "step", "on", "due", "percent"),
    [
        # A1 last step 9 since 1/1/2022: 5% after 3 years.
        ("01.003", 9, D(2024, 6, 1), D(2025, 1, 1), 5),
        ("01.003", 9, D(2025, 1, 1), D(2025, 1, 1), 5),
        ("01.003", 9, D(2027, 3, 1), D(2027, 1, 1), 7),
        # B last step 12: 5% after 2 years.
        ("01.005", 12, D(2024, 1, 1), D(2024, 1, 1), 5),
        ("01.005", 12, D(2026, 6, 1), D(2026, 1, 1), 7),
    ],
)
def test_the_seniority_allowance_at_the_last_step(units, grade, step, on, due, percent):
    employee = _employee(units.ccvc, grade=grade, step=step)
    clock = _clock(employee, on=on)
    assert (clock.kind, clock.due_on, clock.allowance_percent) == (
        "allowance",
        due,
        percent,
    )
    assert clock.next_step is None


def test_the_seniority_allowance_is_extended_too(units):
    employee = _employee(units.ccvc, step=9)
    make_decided_case(employee, "warning", decided_on=D(2023, 5, 1))
    clock = _clock(employee, on=D(2025, 3, 1))
    assert (clock.due_on, clock.extension_months) == (D(2025, 7, 1), 6)


def test_the_due_only_list_and_record_a_raise(units, users):
    due = _employee(units.ccvc, "CC01")
    later = make_employee(units.ccvc, "CC02")
    make_grade_step(later, "01.003", 2, effective_on=D(2025, 1, 1))
    rows = raise_due(D(2025, 6, 1), due_only=True)
    assert [r.employee_code for r in rows] == ["CC01"]
    with pytest.raises(ValidationError) as exc:
        services.record_regular_raise(employee=later, effective_on=D(2025, 6, 1))
    assert exc.value.code == "raise.not_due"
    row = services.record_regular_raise(employee=due, decision_number="9/QĐ")
    assert (row.salary_step, row.effective_on, row.reason) == (
        3,
        D(2025, 1, 1),
        "regular_raise",
    )


def _population(unit, n, offset=0):
    for i in range(n):
        employee = _employee(unit, f"Q{offset + i:04d}")
        make_decided_case(employee, "reprimand", decided_on=D(2023, 5, 1))
        _rating(employee, 2024)


def test_raise_due_takes_a_fixed_number_of_queries(units):
    _population(units.ccvc, 3)
    with CaptureQueriesContext(connection) as small:
        assert len(raise_due(D(2026, 1, 1))) == 3
    _population(units.ccvc, 30, offset=100)
    with CaptureQueriesContext(connection) as large:
        assert len(raise_due(D(2026, 1, 1))) == 33
    assert len(small) == len(large) == 7


# Early raises -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payroll", "remainder", "carried", "quota"),
    [
        (0, "floor", 0, 0),
        (9, "floor", 0, 0),
        (10, "floor", 0, 1),
        (15, "floor", 0, 1),
        (19, "floor", 0, 1),
        (20, "floor", 0, 2),
        (4, "round", 0, 0),
        (5, "round", 0, 1),
        (14, "round", 0, 1),
        (15, "round", 0, 2),
        (15, "carry_over", 5, 2),
        (15, "carry_over", 4, 1),
    ],
)
def test_the_early_raise_quota(payroll, remainder, carried, quota):
    result = rules.early_raise_quota(
        payroll=payroll, remainder=remainder, threshold=5, carried=carried
    )
    assert result.quota == quota
    assert "Art 3" in result.reason.citation


@pytest.fixture
def team(units):
    """Twelve civil servants of one unit (quota 1), each a different case."""
    unit = make_unit("P01-SNV-TCBC", "Phòng Tổ chức biên chế", parent=units.snv)
    people = {}
    for i in range(12):
        people[i] = make_employee(unit, f"T{i:02d}")
    # 0: eligible — due 1/1/2027 (≤ 12 months after 31/12/2026), commendation.
    # 1: the last raise in the grade was already early.
    # 2: under a discipline on 31/12/2026.
    # 3: the regular raise falls due within 2026.
    # 4: due more than 12 months after 31/12/2026.
    # 5: no commendation.
    starts = {0: D(2024, 1, 1), 1: D(2024, 1, 1), 2: D(2024, 1, 1), 3: D(2023, 6, 1)}
    starts |= {4: D(2025, 6, 1), 5: D(2024, 1, 1)}
    for i, employee in people.items():
        make_grade_step(employee, "01.003", 1, effective_on=D(2015, 1, 1))
        reason = "early_raise" if i == 1 else "regular_raise"
        make_grade_step(
            employee,
            "01.003",
            2,
            effective_on=starts.get(i, D(2024, 1, 1)),
            reason=reason,
        )
        if i != 5:
            Commendation.objects.create(
                employee=employee,
                level="cstd_co_so",
                title="Chiến sĩ thi đua cơ sở 2025",
                decided_on=D(2025, 12, 20),
            )
    make_decided_case(people[2], "reprimand", decided_on=D(2026, 3, 1))
    return unit, people


def test_early_raise_candidates_and_their_reasons(team):
    unit, people = team
    report = early_raise_candidates(unit, 2026)
    assert (report.quota.quota, report.used, report.remaining) == (1, 0, 1)
    by_code = {c.raise_due.employee_code: c for c in report.candidates}
    assert by_code["T00"].eligible
    assert by_code["T00"].earliest_on == D(2026, 1, 1)
    expected = {
        "T01": "early_raise.twice_in_a_row",
        "T02": "early_raise.discipline",
        "T03": "early_raise.regular_due",
        "T04": "early_raise.too_far",
        "T05": "early_raise.no_commendation",
    }
    for code, reason in expected.items():
        assert by_code[code].result.code == reason, code


def test_recording_an_early_raise_uses_the_commendation_and_the_quota(team, users):
    unit, people = team
    commendation = people[0].commendations.get()
    row = services.record_early_raise(
        employee=people[0],
        commendation=commendation,
        year=2026,
        unit=unit,
        effective_on=D(2026, 6, 1),
        decision_number="30/QĐ-SNV",
    )
    assert (row.reason, row.salary_step) == (GradeHistory.Reason.EARLY_RAISE, 3)
    commendation.refresh_from_db()
    assert commendation.is_used_for_early_raise
    report = early_raise_candidates(unit, 2026)
    assert (report.used, report.remaining) == (1, 0)
    # T06 … T11 are eligible too, but the quota is used up.
    with pytest.raises(ValidationError) as exc:
        services.record_early_raise(
            employee=people[6],
            commendation=people[6].commendations.get(),
            year=2026,
            unit=unit,
            effective_on=D(2026, 6, 1),
        )
    assert exc.value.code == "early_raise.quota"
