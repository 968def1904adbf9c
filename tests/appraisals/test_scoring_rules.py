"""appraisals.scoring: the legal rules of both regimes as plain functions (no
database): level boundaries, the 25% deductions and waivers, products and
dossier steps, leaders' terms, overrides, time worked, the excellence cap."""

import datetime as dt

import pytest

from appraisals import scoring
from appraisals.scoring import (
    COMPLETED,
    EXCELLENT,
    GOOD,
    NOT_COMPLETED,
    StepCounts,
    StepFacts,
    Tally,
    TaskFacts,
    UnitStats,
    UnitTally,
    Waiver,
)
from hrms.rules import Reason, RuleResult
from tests.factories import scoring_rules

D = dt.date
B = scoring_rules("ND335-2025")
A = scoring_rules("ND90-2020-ND48-2023")
A_VC = scoring_rules("ND90-2020-ND48-2023-VC")
A_2020 = scoring_rules("ND90-2020")
ALL = [A_2020, A, A_VC, B]


# Which rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("staff_type", "year", "code"),
    [
        ("cong_chuc", 2022, "ND90-2020"),
        ("cong_chuc", 2025, "ND90-2020-ND48-2023"),
        ("cong_chuc", 2026, "ND335-2025"),
        ("can_bo", 2026, "ND335-2025"),
        ("vien_chuc", 2025, "ND90-2020-ND48-2023-VC"),
        ("vien_chuc", 2026, "ND90-2020-ND48-2023-VC"),
        ("contract", 2026, None),
        ("cong_chuc", 2019, None),
    ],
)
def test_it_picks_the_rules_in_force_for_the_staff_type_and_year(
    staff_type, year, code
):
    found = scoring.select_ruleset(ALL, staff_type=staff_type, year=year)
    assert (found.code if found else None) == code


def test_the_general_criteria_add_up_to_30_and_the_unverified_are_listed():
    assert sum(B["general_criteria"].values()) == B["general_points_max"] == 30
    assert B["task_points_max"] == 70
    assert "leader_weights" in B.unverified and "levels" not in B.unverified


# Periods ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2026-13", "2026-Q5", "2026-3", "26-03", "", "2026"])
def test_it_refuses_a_bad_period(value):
    with pytest.raises(ValueError, match="is not a period"):
        scoring.parse_period(value)


def test_a_period_knows_its_days_and_its_cycle_period():
    q1 = scoring.parse_period("2026-Q1")
    assert (q1.first_day, q1.last_day) == (D(2026, 1, 1), D(2026, 3, 31))
    assert scoring.parse_period("2026-02").last_day == D(2026, 2, 28)
    assert scoring.cycle_period("2026-02", D(2026, 2, 20), "quarter") == "2026-Q1"
    assert scoring.cycle_period("2026-Q2", D(2026, 5, 10), "month") == "2026-05"
    assert scoring.cycle_period("2026-Q2", D(2026, 7, 10), "month") == "2026-06"
    assert scoring.periods_started(2026, "quarter", D(2026, 4, 1)) == [
        "2026-Q1",
        "2026-Q2",
    ]


# Regime B levels (Art 20) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (100, EXCELLENT),
        (90, EXCELLENT),
        (89.99, GOOD),
        (70, GOOD),
        (69.99, COMPLETED),
        (50, COMPLETED),
        (49.99, NOT_COMPLETED),
        (0, NOT_COMPLETED),
    ],
)
def test_decree_335_levels_follow_the_score(score, level):
    found, reason = scoring.level_for_score(score, B)
    assert found == level
    assert reason.citation == "Decree 335/2025/NĐ-CP Art 20"


@pytest.mark.parametrize("score", [-0.01, 100.01, None])
def test_a_score_outside_its_range_is_refused(score):
    result = scoring.check_score_range(score, 100, "The score")
    assert not result.ok and result.code == "score.out_of_range"
    assert result.citation == "Decree 335/2025/NĐ-CP Art 12"


def test_general_criteria_points_are_checked_one_by_one():
    points = dict.fromkeys(B["general_criteria"], 3)
    total, errors = scoring.check_general_criteria(points, B)
    assert (total, errors) == (24.0, [])
    points["coordination"] = 3.5  # max 3
    del points["innovation"]
    points["charm"] = 1
    _total, errors = scoring.check_general_criteria(points, B)
    codes = sorted(e.code for e in errors)
    assert codes == ["general.missing", "general.unknown", "score.out_of_range"]


# Regime A levels (Decree 90/2020 Art 8-15) --------------------------------------------


@pytest.mark.parametrize(
    ("short", "exceeded", "general", "level"),
    [
        (0, 5, "well", EXCELLENT),  # 100% on time, 50% exceed
        (0, 4, "well", GOOD),  # 40% exceed: not excellent
        (0, 10, "met", GOOD),  # excellent needs the general criteria met well
        (2, 0, "met", COMPLETED),  # 20% short: completed
        (3, 0, "met", None),  # 30% short: a gap, the head decides
        (5, 0, "met", None),  # 50% is not "more than half"
        (6, 0, "met", NOT_COMPLETED),  # 60% short
        (0, 0, "not_met", None),
    ],
)
def test_decree_90_levels_follow_the_percentages(short, exceeded, general, level):
    outcome = scoring.regime_a_level(
        tally=Tally(products=10, done=10, short=short, exceeded=exceeded),
        general=general,
        rules=A,
        staff_type="cong_chuc",
    )
    assert outcome.level == level
    assert outcome.is_gap == (level is None)


@pytest.mark.parametrize(
    ("staff_type", "level", "article"),
    [
        ("cong_chuc", EXCELLENT, "Art 8"),
        ("cong_chuc", GOOD, "Art 9"),
        ("cong_chuc", COMPLETED, "Art 10"),
        ("cong_chuc", NOT_COMPLETED, "Art 11"),
        ("vien_chuc", GOOD, "Art 13"),
        ("vien_chuc", NOT_COMPLETED, "Art 15"),
    ],
)
def test_decree_90_cites_the_article_of_the_level(staff_type, level, article):
    assert scoring.cite_level(scoring.REGIME_A, level, staff_type).endswith(article)


@pytest.mark.parametrize(
    ("done", "ok", "exceeded", "completed_plus", "good_plus", "level"),
    [
        (10, 10, 5, 10, 7, EXCELLENT),
        (10, 8, 0, 10, 7, GOOD),
        (10, 7, 0, 10, 7, COMPLETED),  # under 80% on time with quality
        (10, 10, 5, 10, 6, COMPLETED),  # under 70% of people well completed
        (8, 8, 0, 7, 0, COMPLETED),  # more than 70% of targets, 70% ≥ completed
        (7, 7, 0, 10, 10, None),  # 70% exactly: not "more than 70%": a gap
        (6, 6, 0, 10, 10, None),  # 50-70%: a gap
        (4, 4, 0, 10, 10, NOT_COMPLETED),  # under 50%
    ],
)
def test_a_manager_is_also_judged_on_the_unit(
    done, ok, exceeded, completed_plus, good_plus, level
):
    unit = UnitTally(
        products=Tally(products=10, done=done, short=10 - ok, exceeded=exceeded),
        people=10,
        completed_plus=completed_plus,
        good_plus=good_plus,
    )
    own = Tally(products=4, done=4, short=0, exceeded=2)
    outcome = scoring.regime_a_level(
        tally=own, general="well", rules=A, staff_type="cong_chuc", unit=unit
    )
    assert outcome.level == level


# Products and the 25% deductions (Art 14) ---------------------------------------------


def task(**fields) -> TaskFacts:
    values = {
        "code": "T-2026-03-14",
        "weight": 1.0,
        "due_on": D(2026, 3, 14),
        "completed_on": D(2026, 3, 14),
    }
    values.update(fields)
    return TaskFacts(**values)


def points(facts, max_points=21.0, detail=True):
    return scoring.score_task(
        facts, max_points=max_points, rules=B, as_of=D(2026, 4, 30), detail=detail
    )


def test_a_task_delivered_on_time_with_quality_earns_its_share():
    result = points(task())
    assert result.points == pytest.approx(21.0)
    assert result.parts == pytest.approx(
        {"quantity": 7.0, "quality": 7.0, "timeliness": 7.0}
    )
    assert result.is_ok


def test_a_late_task_loses_25_percent_of_its_timeliness_points():
    result = points(task(completed_on=D(2026, 3, 19), late_working_days=3))
    assert result.parts["timeliness"] == pytest.approx(5.25)
    assert result.points == pytest.approx(19.25)
    line = next(line for line in result.lines if line.code == "task.late")
    assert line.message.startswith("task T-2026-03-14 delivered 3 working day(s) late")
    assert "−25% of its timeliness points" in line.message
    assert line.citation == "Decree 335/2025/NĐ-CP Art 14"
    assert line.points == pytest.approx(-1.75)


@pytest.mark.parametrize(("defects", "quality"), [(1, 5.25), (2, 3.5), (4, 0), (6, 0)])
def test_each_failed_quality_check_costs_25_percent_of_the_quality_points(
    defects, quality
):
    result = points(task(quality_defects=defects))
    assert result.parts["quality"] == pytest.approx(quality)
    assert not result.is_ok


def test_an_approved_objective_cause_cancels_the_deduction_of_its_kind():
    waiver = Waiver("timeliness", "manager1", D(2026, 3, 20), "Mất điện diện rộng")
    result = points(
        task(completed_on=D(2026, 3, 19), quality_defects=1, waivers=(waiver,))
    )
    assert result.parts["timeliness"] == pytest.approx(7.0)
    assert result.parts["quality"] == pytest.approx(5.25)  # not waived
    waived = next(line for line in result.lines if line.code == "task.waived")
    assert "objective cause approved by manager1" in waived.message


def test_a_task_not_delivered_earns_nothing_and_a_pending_one_is_left_out():
    overdue = task(code="T-LATE", completed_on=None, due_on=D(2026, 3, 10))
    pending = task(code="T-WAIT", completed_on=None, due_on=D(2026, 3, 31))
    done = task(code="T-DONE", weight=3.0)
    result = scoring.score_period(
        "2026-03", tasks=[overdue, pending, done], rules=B, as_of=D(2026, 3, 20)
    )
    # Weights counted: 1 (overdue) + 3 (done) = 4; 70 × 3/4 = 52.5 earned.
    assert result.task_points == 52.5
    assert (result.products, result.done, result.ok) == (2, 1, 1)
    assert result.axes["quantity"] == pytest.approx(0.75)


def test_a_period_without_products_has_no_score():
    result = scoring.score_period("2026-03", tasks=[], rules=B, as_of=D(2026, 4, 1))
    assert result.task_points is None


def test_dossier_steps_score_the_same_counted_or_one_by_one():
    late = Reason("step.overrun", "Step 2 (process) finished 1 d late.", "Decree 118")
    steps = [
        StepFacts("D1", 1, "receive", True),
        StepFacts("D1", 2, "process", True, late, 2),
        StepFacts("D2", 1, "receive", False),
        StepFacts("D3", 1, "receive", True),
    ]
    one_by_one = scoring.score_period(
        "2026-03",
        tasks=[task()],
        steps=steps,
        rules=B,
        as_of=D(2026, 4, 1),
        detail=True,
    )
    counted = scoring.score_period(
        "2026-03",
        tasks=[task()],
        steps=StepCounts(counted=4, done=3, done_late=1),
        rules=B,
        as_of=D(2026, 4, 1),
    )
    assert one_by_one.task_points == counted.task_points
    assert (one_by_one.late, one_by_one.ok) == (counted.late, counted.ok) == (1, 3)
    step = next(item for item in one_by_one.items if item.ref == "D1#2")
    messages = [line.message for line in step.lines]
    assert "D1#2 (process) finished 2 working day(s) late" in messages[0]
    assert messages[1] == "Step 2 (process) finished 1 d late."


# Leaders ------------------------------------------------------------------------------


def test_a_leaders_unit_results_count_100_or_50_percent():
    unit = UnitStats(
        people=4,
        task_share_sum=3.2,
        with_total=4,
        below_completed=0,
        products=20,
        ok=20,
    )
    points_all, terms, _ = scoring.score_leader(own_share=0.9, unit=unit, rules=B)
    assert terms == {
        "own": 0.9,
        "unit_products": pytest.approx(0.8),
        "unit_results": 1.0,
        "organising": 1.0,
    }
    # 70 × (0.4×0.9 + 0.3×0.8 + 0.15×1 + 0.15×1) = 63.0
    assert points_all == pytest.approx(63.0)
    unit.below_completed = 1
    unit.ok = 18
    points_one, terms, lines = scoring.score_leader(
        own_share=0.9, unit=unit, rules=B, detail=True
    )
    assert terms["unit_results"] == 0.5
    assert terms["organising"] == pytest.approx(0.9)
    # 70 × (0.36 + 0.24 + 0.075 + 0.135) = 56.7
    assert points_one == pytest.approx(56.7)
    assert any("the unit's results count 50.0%" in line.message for line in lines)


def test_a_leader_term_without_data_is_left_out_and_the_others_reweighted():
    points_own, terms, _ = scoring.score_leader(
        own_share=0.8, unit=UnitStats(), rules=B
    )
    assert terms["unit_products"] is None and terms["unit_results"] is None
    assert points_own == pytest.approx(56.0)
    assert scoring.score_leader(own_share=None, unit=UnitStats(), rules=B)[0] is None


# Overrides and time worked ------------------------------------------------------------

DISCIPLINED = RuleResult.allow(
    "forced_rating.disciplined",
    "Disciplined in 2026 (reprimand, 10/05/2026): did not complete duties.",
    "Decree 90/2020/NĐ-CP Art 2(5) as added by Decree 48/2023/NĐ-CP",
)


def rated(**overrides) -> scoring.Eligibility:
    values = {
        "months_employed": 12,
        "months_absent": 0,
        "absence_reason": "",
        "rules": B,
    }
    values.update(overrides)
    return scoring.check_time_worked(**values)


def test_a_discipline_in_the_year_forces_not_completed_whatever_the_score():
    reasons = scoring.check_overrides(rules=B, discipline=DISCIPLINED)
    assert [r.code for r in reasons] == ["override.discipline"]
    assert reasons[0].citation.startswith("Decree 335/2025/NĐ-CP Art 20")
    level = scoring.final_level(base=EXCELLENT, overrides=reasons, eligibility=rated())
    assert level == NOT_COMPLETED


def test_degradation_and_corruption_force_not_completed_corruption_only_leaders():
    assert [
        r.code
        for r in scoring.check_overrides(
            rules=B, degradation_reference="KL 12/UBKT", corruption_references=["X"]
        )
    ] == ["override.degradation"]
    leader = scoring.check_overrides(
        rules=B, corruption_references=["KL-TT 5/2026"], is_leader=True
    )
    assert [r.code for r in leader] == ["override.corruption"]
    assert "KL-TT 5/2026" in leader[0].message


def test_the_forced_level_cannot_be_proposed_otherwise():
    reasons = scoring.check_overrides(rules=B, discipline=DISCIPLINED)
    result = scoring.check_level_allowed(
        level=GOOD, supported=GOOD, overrides=reasons, rules=B
    )
    assert not result.ok and result.code == "level.forced"
    result = scoring.check_level_allowed(
        level=EXCELLENT, supported=GOOD, overrides=[], rules=B
    )
    assert result.code == "level.above_evidence"
    assert scoring.check_level_allowed(
        level=COMPLETED, supported=GOOD, overrides=[], rules=B
    ).ok


@pytest.mark.parametrize("rules", [A, B])
def test_under_6_months_worked_is_reviewed_not_rated(rules):
    joined = scoring.months_employed(D(2026, 7, 5), 2026)
    assert joined == pytest.approx(5.9, abs=0.1)
    eligibility = rated(months_employed=joined, rules=rules)
    assert not eligibility.is_rated
    assert eligibility.reasons[0].code == "time.short_service"
    assert scoring.final_level(base=GOOD, overrides=[], eligibility=eligibility) == ""


def test_maternity_is_rated_on_the_period_worked():
    eligibility = rated(months_absent=7, absence_reason="maternity")
    assert eligibility.is_rated and eligibility.cap_level is None
    assert eligibility.reasons[0].code == "time.maternity"


def test_sick_leave_leaving_under_6_months_worked_is_not_rated():
    assert not rated(months_absent=6.5, absence_reason="sick").is_rated


def test_decree_90_caps_3_to_6_months_absence_below_well_completed():
    eligibility = rated(months_absent=4, absence_reason="sick", rules=A)
    assert eligibility.cap_level == COMPLETED
    assert scoring.final_level(
        base=EXCELLENT, overrides=[], eligibility=eligibility
    ) == (COMPLETED)
    assert rated(months_absent=2.9, absence_reason="sick", rules=A).cap_level is None


def test_decree_335_rates_absence_on_the_periods_worked_without_a_cap():
    eligibility = rated(months_absent=4, absence_reason="sick", rules=B)
    assert eligibility.is_rated and eligibility.cap_level is None
    assert eligibility.reasons[0].code == "time.absence_periods"


# The excellence cap -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "places"), [(0, 0), (4, 0), (5, 1), (9, 1), (10, 2), (24, 4)]
)
def test_the_cap_is_20_percent_of_the_base_rounded_down(base, places):
    assert scoring.cap_places(base=base, share=0.2) == places


def test_the_ranking_marks_ties_for_the_last_places():
    candidates = [("a", 95), ("b", 93), ("c", 93), ("d", 91)]
    status = {r.key: r.status for r in scoring.rank_for_cap(candidates, 2)}
    assert status == {"a": "within", "b": "tied", "c": "tied", "d": "beyond"}
    ranks = {r.key: r.rank for r in scoring.rank_for_cap(candidates, 2)}
    assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4}
    status = {r.key: r.status for r in scoring.rank_for_cap(candidates, 3)}
    assert status == {"a": "within", "b": "within", "c": "within", "d": "beyond"}
    assert {r.status for r in scoring.rank_for_cap(candidates, 0)} == {"beyond"}
    assert {r.status for r in scoring.rank_for_cap(candidates, 4)} == {"within"}


def test_the_cap_refuses_a_full_scope_or_a_candidate_ranked_beyond():
    candidates = [("a", 95), ("b", 93), ("c", 93), ("d", 91)]
    full = scoring.check_cap(
        key="b", candidates=candidates, places=2, taken=2, scope="the agency", rules=B
    )
    assert not full.ok and full.code == "cap.full"
    assert full.citation == "Decree 335/2025/NĐ-CP Art 20(5)"
    beyond = scoring.check_cap(
        key="d", candidates=candidates, places=2, taken=0, scope="the agency", rules=B
    )
    assert not beyond.ok and beyond.code == "cap.ranked_beyond"
    tied = scoring.check_cap(
        key="c", candidates=candidates, places=2, taken=1, scope="the agency", rules=B
    )
    assert tied.ok and tied.code == "cap.tied"
    assert scoring.check_cap(
        key="d", candidates=candidates, places=2, taken=0, scope="x", rules=A_2020
    ).ok  # the original Decree 90 had no numeric cap


# Workflow rules -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summoned", "attended", "ok"),
    [(9, 6, True), (9, 5, False), (10, 7, True), (10, 6, False), (3, 2, True)],
)
def test_a_comment_meeting_needs_two_thirds(summoned, attended, ok):
    result = scoring.check_meeting_quorum(
        summoned=summoned, attended=attended, regime=scoring.REGIME_B
    )
    assert result.ok is ok


def test_the_deadlines_are_15_december_and_15_january_for_special_units():
    assert scoring.appraisal_deadline(2026, is_special=False, rules=B) == D(
        2026, 12, 15
    )
    assert scoring.appraisal_deadline(2026, is_special=True, rules=B) == D(2027, 1, 15)
    soon = scoring.check_deadline(
        deadline=D(2026, 12, 15),
        today=D(2026, 12, 5),
        undecided=3,
        regime=scoring.REGIME_B,
    )
    assert soon.code == "deadline.soon"
    late = scoring.check_deadline(
        deadline=D(2026, 12, 15),
        today=D(2026, 12, 16),
        undecided=3,
        regime=scoring.REGIME_B,
    )
    assert late.code == "deadline.overdue"
    assert scoring.check_deadline(
        deadline=D(2026, 12, 15),
        today=D(2026, 12, 16),
        undecided=0,
        regime=scoring.REGIME_B,
    ).ok


def test_a_waiver_from_the_persons_own_account_is_refused():
    own = scoring.check_waiver_approver(approver_id=7, assignee_user_id=7)
    assert not own.ok and own.code == "waiver.self_approved"
    assert scoring.check_waiver_approver(approver_id=8, assignee_user_id=7).ok
