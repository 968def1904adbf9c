"""The discipline rules, table-driven: forms by staff type and regime, the
handling clock, the limitation period, the repeat rule, bars and ratings."""

import datetime as dt

import pytest

from staff import discipline_rules as drules
from staff.discipline import Rulebook
from staff.models import DisciplineFormRule
from tests.factories import make_discipline_reference_data

D = dt.date
OLD = D(2024, 6, 1)  # Decree 112/2020 as amended by 71/2023
NEW = D(2025, 9, 1)  # Decree 172/2025 for cadres and civil servants
FORMS = [
    "reprimand",
    "warning",
    "salary_step_down",
    "demotion",
    "removal_from_post",
    "recall",
    "forced_termination",
]
ALLOWED = {
    ("can_bo", OLD): {"reprimand", "warning", "removal_from_post", "recall"},
    ("can_bo", NEW): {"reprimand", "warning", "removal_from_post", "recall"},
    ("cong_chuc", OLD): {
        "reprimand",
        "warning",
        "salary_step_down",
        "demotion",
        "removal_from_post",
        "forced_termination",
    },
    ("cong_chuc", NEW): {
        "reprimand",
        "warning",
        "removal_from_post",
        "forced_termination",
    },
    ("vien_chuc", OLD): {
        "reprimand",
        "warning",
        "removal_from_post",
        "forced_termination",
    },
    ("vien_chuc", NEW): {
        "reprimand",
        "warning",
        "removal_from_post",
        "forced_termination",
    },
    ("contract", OLD): set(),
    ("contract", NEW): set(),
}
LEADER_ONLY = {"removal_from_post", "demotion"}
NON_LEADER_ONLY = {"salary_step_down"}


@pytest.fixture
def form_rules(db):
    make_discipline_reference_data()
    return list(DisciplineFormRule.objects.all())


@pytest.mark.parametrize(
    ("staff_type", "on", "form"),
    [(t, on, f) for (t, on) in ALLOWED for f in FORMS],
    ids=lambda v: v.isoformat() if isinstance(v, dt.date) else v,
)
def test_each_form_by_staff_type_and_regime(form_rules, staff_type, on, form):
    leader = form in LEADER_ONLY
    result = drules.check_form(
        form_rules, form=form, staff_type=staff_type, on=on, holds_leadership=leader
    )
    allowed = form in ALLOWED[(staff_type, on)]
    assert result.ok is allowed, result.message
    if staff_type == "contract":
        assert result.code == "discipline_form.no_table"
    elif not allowed:
        assert result.code == "discipline_form.not_allowed"
        expected = "172/2025" if on == NEW and staff_type != "vien_chuc" else "112/2020"
        assert expected in result.citation


@pytest.mark.parametrize(
    ("staff_type", "on", "form", "leader", "code"),
    [
        ("cong_chuc", NEW, "removal_from_post", False, "needs_leadership_post"),
        ("cong_chuc", OLD, "demotion", False, "needs_leadership_post"),
        ("cong_chuc", OLD, "salary_step_down", True, "needs_no_leadership_post"),
        ("vien_chuc", NEW, "removal_from_post", False, "needs_leadership_post"),
        ("can_bo", NEW, "removal_from_post", False, "needs_leadership_post"),
    ],
)
def test_forms_with_a_post_condition(form_rules, staff_type, on, form, leader, code):
    result = drules.check_form(
        form_rules, form=form, staff_type=staff_type, on=on, holds_leadership=leader
    )
    assert not result.ok
    assert result.code == f"discipline_form.{code}"
    assert result.citation


def test_the_regimes_meet_on_1_july_2025(form_rules):
    def allowed(on):
        return drules.check_form(
            form_rules,
            form="salary_step_down",
            staff_type="cong_chuc",
            on=on,
            holds_leadership=False,
        ).ok

    assert allowed(D(2025, 6, 30))
    assert not allowed(D(2025, 7, 1))


# Handling clock -----------------------------------------------------------------------

DETECTED = D(2026, 1, 1)


@pytest.mark.parametrize(
    ("extended", "suspensions", "on", "deadline", "left", "overdue", "paused"),
    [
        (None, [], D(2026, 3, 1), D(2026, 4, 1), 31, False, 0),
        (None, [], D(2026, 4, 1), D(2026, 4, 1), 0, False, 0),
        (None, [], D(2026, 4, 3), D(2026, 4, 1), -2, True, 0),
        (150, [], D(2026, 4, 3), D(2026, 5, 31), 58, False, 0),
        (150, [], D(2026, 6, 1), D(2026, 5, 31), -1, True, 0),
        # A closed 10-day suspension moves the deadline 10 days.
        (
            None,
            [(D(2026, 2, 1), D(2026, 2, 10))],
            D(2026, 4, 5),
            D(2026, 4, 11),
            6,
            False,
            10,
        ),
        # Overlapping suspensions count once.
        (
            None,
            [(D(2026, 2, 1), D(2026, 2, 10)), (D(2026, 2, 5), D(2026, 2, 14))],
            D(2026, 3, 1),
            D(2026, 4, 15),
            45,
            False,
            14,
        ),
        # A running suspension freezes the countdown: never overdue while it runs.
        (None, [(D(2026, 3, 1), None)], D(2026, 6, 1), D(2026, 7, 3), 32, False, 93),
        # A suspension that has not started yet pauses nothing.
        (None, [(D(2026, 5, 1), None)], D(2026, 3, 1), D(2026, 4, 1), 31, False, 0),
    ],
)
def test_the_handling_clock(extended, suspensions, on, deadline, left, overdue, paused):
    clock = drules.handling_clock(
        detected_on=DETECTED,
        handling_days=90,
        extended_to_days=extended,
        suspensions=suspensions,
        on=on,
    )
    assert (clock.deadline, clock.days_left, clock.is_overdue, clock.paused_days) == (
        deadline,
        left,
        overdue,
        paused,
    )
    assert "Decree 172/2025" in clock.reason.citation


def test_a_running_suspension_keeps_the_days_left_still():
    def left(on):
        return drules.handling_clock(
            detected_on=DETECTED,
            handling_days=90,
            extended_to_days=None,
            suspensions=[(D(2026, 2, 1), None)],
            on=on,
        )

    assert left(D(2026, 2, 1)).days_left == left(D(2026, 3, 20)).days_left == 60
    assert left(D(2026, 3, 20)).is_suspended


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "extension.ok"),
        ({"is_extended": True}, "extension.once"),
        ({"reason": " "}, "extension.reason"),
        ({"extended_to_days": 151}, "extension.days"),
        ({"extended_to_days": 90}, "extension.days"),
        ({"is_open": False}, "extension.closed"),
        ({"on": D(2026, 4, 2)}, "extension.overdue"),
    ],
)
def test_the_extension_rule(kwargs, code):
    on = kwargs.pop("on", D(2026, 3, 1))
    clock = drules.handling_clock(
        detected_on=DETECTED,
        handling_days=90,
        extended_to_days=None,
        suspensions=[],
        on=on,
    )
    arguments = {
        "is_open": True,
        "is_extended": False,
        "reason": "Cần xác minh thêm tại đơn vị khác",
        "extended_to_days": 150,
        "handling_days": 90,
        "max_days": 150,
        "clock": clock,
        **kwargs,
    }
    assert drules.check_extension(**arguments).code == code


# Limitation period --------------------------------------------------------------------


def _facts(occurred_on, no_limitation=""):
    return drules.ViolationFacts(1, "Vi phạm", occurred_on, no_limitation, "x")


@pytest.mark.parametrize(
    ("form", "occurred", "others", "decided", "ok"),
    [
        # 5 years for a reprimand, counted from the violation.
        ("reprimand", D(2020, 1, 10), [], D(2025, 1, 10), True),
        ("reprimand", D(2020, 1, 10), [], D(2025, 1, 11), False),
        # 10 years otherwise.
        ("warning", D(2015, 3, 1), [], D(2025, 3, 1), True),
        ("warning", D(2015, 3, 1), [], D(2025, 3, 2), False),
        ("removal_from_post", D(2016, 3, 1), [], D(2025, 3, 2), True),
        # A new violation within the period restarts it.
        ("reprimand", D(2019, 1, 1), [D(2023, 6, 1)], D(2026, 1, 1), True),
        (
            "reprimand",
            D(2015, 1, 1),
            [D(2019, 6, 1), D(2023, 1, 1)],
            D(2027, 12, 31),
            True,
        ),
        # A new violation after the period ran out restarts nothing.
        ("reprimand", D(2018, 1, 1), [D(2024, 1, 2)], D(2025, 1, 1), False),
        # An earlier violation does not extend a later one.
        ("reprimand", D(2019, 1, 1), [D(2018, 1, 1)], D(2024, 1, 2), False),
    ],
)
def test_the_limitation_period(form, occurred, others, decided, ok):
    result = drules.check_limitation(
        [_facts(occurred)],
        employee_violation_dates=[occurred, *others],
        form=form,
        years_reprimand=5,
        years_other=10,
        on=decided,
    )
    assert result.ok is ok
    assert "Decree 112/2020" in result.citation
    if not ok:
        assert result.code == "limitation.expired"


@pytest.mark.parametrize(
    "category",
    [
        "party_expulsion",
        "internal_political_protection",
        "national_interest",
        "fake_diploma",
    ],
)
def test_no_limitation_cases(category):
    result = drules.check_limitation(
        [_facts(D(2001, 5, 1), category)],
        employee_violation_dates=[D(2001, 5, 1)],
        form="warning",
        years_reprimand=5,
        years_other=10,
        on=D(2026, 1, 1),
    )
    assert result.ok
    assert result.details[0].code == "limitation.none"


# One form and the repeat rule ---------------------------------------------------------

NON_LEADER_NEW = [("reprimand", 10), ("warning", 20), ("forced_termination", 70)]
LEADER_NEW = [
    ("reprimand", 10),
    ("warning", 20),
    ("removal_from_post", 50),
    ("forced_termination", 70),
]


def _served(form, rank, start, months=12):
    from staff.rules import add_months

    return drules.ServedDiscipline(1, form, start, add_months(start, months), rank)


@pytest.mark.parametrize(
    ("ladder", "merited", "served", "violation_on", "expected", "code"),
    [
        # Violations considered together: the heaviest they merit.
        (
            NON_LEADER_NEW,
            [("reprimand", 10), ("warning", 20)],
            [],
            D(2026, 1, 1),
            "warning",
            "heaviest",
        ),
        # A new violation while a reprimand is served: one level heavier.
        (
            NON_LEADER_NEW,
            [("reprimand", 10)],
            [("reprimand", 10)],
            D(2025, 8, 1),
            "warning",
            "repeat",
        ),
        # ... than the heavier of the two (the new one merits a warning).
        (
            LEADER_NEW,
            [("warning", 20)],
            [("reprimand", 10)],
            D(2025, 8, 1),
            "removal_from_post",
            "repeat",
        ),
        # A non-leader already warned re-offends: forced termination.
        (
            NON_LEADER_NEW,
            [],
            [("warning", 20)],
            D(2025, 8, 1),
            "forced_termination",
            "repeat",
        ),
        # A leader already removed re-offends: forced termination.
        (
            LEADER_NEW,
            [],
            [("removal_from_post", 50)],
            D(2025, 8, 1),
            "forced_termination",
            "repeat",
        ),
        # Once the served discipline ran out, no repeat.
        (
            NON_LEADER_NEW,
            [("reprimand", 10)],
            [("warning", 20)],
            D(2026, 3, 2),
            "reprimand",
            "heaviest",
        ),
        (NON_LEADER_NEW, [], [], D(2026, 1, 1), None, "none"),
    ],
)
def test_one_form_and_the_repeat_rule(
    ladder, merited, served, violation_on, expected, code
):
    served = [_served(f, r, D(2025, 3, 1)) for f, r in served]
    form, why = drules.required_form(
        ladder=ladder, merited=merited, served=served, latest_violation_on=violation_on
    )
    assert form == expected
    assert why.code == f"discipline_required.{code}"


# Bars and ratings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "months", "on", "barred"),
    [
        ("reprimand", 12, D(2025, 3, 1), True),
        ("reprimand", 12, D(2026, 2, 28), True),
        ("reprimand", 12, D(2026, 3, 1), False),
        ("warning", 12, D(2025, 2, 28), False),
        ("removal_from_post", 24, D(2027, 2, 28), True),
        ("removal_from_post", 24, D(2027, 3, 1), False),
    ],
)
def test_a_discipline_bars_for_its_months(form, months, on, barred):
    served = [_served(form, 10, D(2025, 3, 1), months)]
    result = drules.check_bars(served=served, open_cases=[], on=on)
    assert result.ok is not barred
    assert "Art 82" in result.citation


def test_an_open_case_bars_too():
    result = drules.check_bars(
        served=[], open_cases=[(7, "KL-2026-00007", D(2026, 1, 5))], on=D(2026, 2, 1)
    )
    assert not result.ok
    assert result.code == "discipline_bar.open_case"
    assert "KL-2026-00007" in result.message


def _rated(decided_on, forces=True, party=None, earlier=()):
    return drules.RatedDiscipline(1, "reprimand", decided_on, forces, party, earlier)


@pytest.mark.parametrize(
    ("cases", "year", "forced"),
    [
        ([_rated(D(2025, 5, 1))], 2025, True),
        ([_rated(D(2025, 5, 1))], 2024, False),
        ([_rated(D(2025, 5, 1))], 2026, False),
        # Its violation already made 2024 "did not complete": not counted again.
        ([_rated(D(2025, 5, 1), earlier=(2024,))], 2025, False),
        # A Party discipline in 2024 for the same act: counted in 2024 only.
        ([_rated(D(2025, 5, 1), party=D(2024, 11, 1))], 2025, False),
        ([_rated(D(2025, 5, 1), party=D(2024, 11, 1))], 2024, True),
        # A form that forces no rating (recall, forced termination).
        ([_rated(D(2025, 5, 1), forces=False)], 2025, False),
    ],
)
def test_the_forced_rating(cases, year, forced):
    result = drules.forced_rating(cases, year=year)
    assert result.ok is forced
    assert "48/2023" in result.citation


def test_the_rulebook_picks_the_rows_of_the_date(form_rules):
    rulebook = Rulebook.load()
    assert (
        rulebook.effect("reprimand", "vien_chuc", D(2025, 1, 1)).raise_extension_months
        == 3
    )
    assert (
        rulebook.effect("reprimand", "cong_chuc", D(2025, 1, 1)).raise_extension_months
        == 6
    )
    assert (
        rulebook.effect("removal_from_post", "can_bo", D(2025, 1, 1)).bar_months == 24
    )
    limit = rulebook.time_limit(D(2026, 1, 1))
    assert (limit.handling_days, limit.extended_handling_days) == (90, 150)
    assert (limit.limitation_years_reprimand, limit.limitation_years_other) == (5, 10)
