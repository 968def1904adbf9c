"""The legal rules of recruitment and appointments, as plain functions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from recruitment import rules
from recruitment.rules import ScoreLine

D = dt.date
M = rules.DEFAULT_RETIREMENT["M"]
F = rules.DEFAULT_RETIREMENT["F"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# Retirement roadmap (Decree 135/2020 Annex I) -------------------------------


@pytest.mark.parametrize(
    ("born", "schedule", "retires"),
    [
        (D(1960, 9, 15), M, D(2020, 9, 30)),  # 60 before the roadmap
        (D(1961, 1, 10), M, D(2021, 4, 30)),  # 60y3m in 2021
        (D(1961, 9, 1), M, D(2021, 12, 31)),  # still 60y3m
        (D(1961, 10, 1), M, D(2022, 4, 30)),  # 60y6m in 2022
        (D(1966, 4, 1), M, D(2028, 4, 30)),  # 62 from 2028
        (D(1970, 5, 5), M, D(2032, 5, 31)),  # stays 62
        (D(1965, 12, 1), F, D(2020, 12, 31)),  # 55 before the roadmap
        (D(1966, 1, 1), F, D(2021, 5, 31)),  # 55y4m in 2021
        (D(1966, 9, 1), F, D(2022, 5, 31)),  # 55y8m in 2022
        (D(1980, 3, 3), F, D(2040, 3, 31)),  # 60 from 2035
    ],
)
def test_it_follows_the_retirement_roadmap(born, schedule, retires):
    assert rules.retirement_on(born, schedule) == retires


def test_it_grows_the_age_by_year_up_to_the_cap():
    assert rules.retirement_age_months(2020, M) == 720
    assert rules.retirement_age_months(2021, M) == 723
    assert rules.retirement_age_months(2027, M) == 741
    assert rules.retirement_age_months(2028, M) == 744
    assert rules.retirement_age_months(2040, M) == 744
    assert rules.retirement_age_months(2035, F) == 720
    assert rules.retirement_age_months(2034, F) == 716


# Full term and the extension branch ------------------------------------------


def test_it_needs_a_whole_term_before_retirement():
    ok = rules.check_full_term(effective_on=D(2026, 1, 1), retires_on=D(2030, 12, 31))
    assert ok.ok and ok.citation == rules.FULL_TERM_CITATION
    short = rules.check_full_term(
        effective_on=D(2026, 1, 1), retires_on=D(2030, 12, 30)
    )
    assert (short.ok, short.code) == (False, "eligibility.full_term")


def test_it_ends_a_term_the_day_before_its_fifth_anniversary():
    assert rules.term_end_on(D(2026, 3, 1)) == D(2031, 2, 28)


@pytest.mark.parametrize(
    ("kind", "retires", "code"),
    [
        ("reappointment", D(2027, 12, 31), "eligibility.extension_branch"),
        ("reappointment", D(2028, 1, 1), "eligibility.branch_ok"),
        ("extension_to_retirement", D(2027, 12, 31), "eligibility.branch_ok"),
        ("extension_to_retirement", D(2028, 1, 1), "eligibility.reappointment_branch"),
    ],
)
def test_it_extends_to_retirement_under_two_years(kind, retires, code):
    result = rules.check_extension_branch(
        kind=kind, term_starts_on=D(2026, 1, 2), retires_on=retires
    )
    assert result.code == code
    assert result.ok == code.endswith("branch_ok")


def test_it_needs_the_minimum_tenure_except_for_a_first_appointment():
    assert rules.check_min_tenure(months_held=24).ok
    short = rules.check_min_tenure(months_held=23)
    assert (short.ok, short.code) == (False, "eligibility.tenure")
    assert "Decree 85/2023" in short.citation
    assert rules.check_min_tenure(months_held=None).ok
    assert rules.check_min_tenure(months_held=30, required=36).ok is False


def test_it_needs_the_succession_plan():
    assert rules.check_succession_plan(in_plan=True, post="Trưởng phòng").ok
    refused = rules.check_succession_plan(in_plan=False, post="Trưởng phòng")
    assert refused.code == "eligibility.not_in_succession_plan"


def _facts(**overrides):
    fields = {
        "kind": "appointment",
        "source": "internal",
        "staff_type": "cong_chuc",
        "gender": "M",
        "date_of_birth": D(1980, 1, 1),
        "effective_on": D(2026, 3, 1),
        "post": "Trưởng phòng",
        "in_succession_plan": True,
        "votes": (rules.VoteFacts("final_ballot", 7, 7, 5),),
    }
    fields.update(overrides)
    return rules.AppointmentFacts(**fields)


def test_it_evaluates_every_rule_of_an_appointment():
    eligibility = rules.evaluate_appointment(_facts())
    names = [rule.rule for rule in eligibility.rules]
    assert names == [
        "full_term",
        "discipline",
        "succession_plan",
        "vote:1:final_ballot",
    ]
    assert eligibility.ok
    assert eligibility.term_end_on == D(2031, 2, 28)
    assert eligibility.retires_on == D(2042, 1, 31)


def test_it_applies_tenure_to_promoting_public_employees_only():
    promotion = rules.evaluate_appointment(
        _facts(kind="promotion", staff_type="vien_chuc", months_in_post=12)
    )
    assert [r.code for r in promotion.failures] == ["eligibility.tenure"]
    civil = rules.evaluate_appointment(
        _facts(kind="promotion", staff_type="cong_chuc", months_in_post=12)
    )
    assert civil.ok


def test_it_extends_the_term_to_the_retirement_date():
    eligibility = rules.evaluate_appointment(
        _facts(
            kind="extension_to_retirement",
            date_of_birth=D(1966, 6, 1),
            effective_on=D(2026, 9, 1),
        )
    )
    assert eligibility.ok
    assert eligibility.term_end_on == D(2028, 6, 30)


def test_it_ignores_age_and_votes_for_a_transfer():
    eligibility = rules.evaluate_appointment(
        _facts(kind="transfer", date_of_birth=D(1965, 1, 1), votes=())
    )
    assert [r.rule for r in eligibility.rules] == ["discipline"]
    assert eligibility.term_end_on is None


def test_it_records_a_discipline_bar_in_the_snapshot():
    bar = rules.RuleResult.refuse("discipline_bar.open_case", "Under review", "Law")
    eligibility = rules.evaluate_appointment(_facts(discipline=bar))
    assert not eligibility.ok
    assert eligibility.had_discipline_bar
    assert eligibility.failures[0].as_dict()["code"] == "discipline_bar.open_case"


# Votes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "present", "votes_for", "head", "code", "ok"),
    [
        (7, 7, 4, None, "vote.passed", True),
        (7, 5, 4, None, "vote.passed", True),  # >50% of ALL members
        (9, 7, 4, None, "vote.below_threshold", False),  # 4/7 present but 4/9 total
        (8, 8, 4, None, "vote.tie_undecided", False),  # exactly 50%: head decides
        (8, 8, 4, True, "vote.tie_head_for", True),
        (8, 6, 4, False, "vote.tie_head_against", False),
        (7, 7, 3, True, "vote.below_threshold", False),  # head only at exactly 50%
        (7, 8, 4, None, "vote.inconsistent", False),
    ],
)
def test_it_counts_votes_against_all_members(total, present, votes_for, head, code, ok):
    result = rules.vote_outcome(
        members_total=total, present=present, votes_for=votes_for, head_decision=head
    )
    assert (result.code, result.ok) == (code, ok)
    assert result.citation == rules.VOTE_CITATION


# Notice, window, method -------------------------------------------------------


def test_it_picks_the_legal_basis_by_the_announcement_date():
    assert rules.legal_basis_for(D(2025, 6, 30)) == "decree_138_2020"
    assert rules.legal_basis_for(D(2025, 7, 1)) == "decree_170_2025"


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (D(2026, 1, 5), D(2026, 2, 4), "window.ok"),  # 30 days
        (D(2026, 1, 5), D(2026, 2, 3), "window.too_short"),
        (D(2026, 1, 4), D(2026, 2, 20), "window.opens_before_notice"),
        (None, D(2026, 2, 20), "window.missing"),
    ],
)
def test_it_needs_a_30_day_window(opens, closes, code):
    result = rules.check_application_window(D(2026, 1, 5), opens, closes)
    assert result.code == code
    assert "30 days" in result.citation


def test_it_needs_all_three_channels():
    assert rules.check_notice_channels(rules.NOTICE_CHANNELS).ok
    missing = rules.check_notice_channels(["mass_media", "office_posting"])
    assert missing.code == "notice.channel_missing"
    assert "agency portal" in missing.message


def test_selection_needs_one_of_the_three_groups():
    assert not rules.check_method("selection", "").ok
    assert rules.check_method("selection", "talents").ok
    assert not rules.check_method("exam", "talents").ok


# Council ----------------------------------------------------------------------


@pytest.mark.parametrize(("size", "ok"), [(4, False), (5, True), (6, False), (7, True)])
def test_a_council_has_5_or_7_members(size, ok):
    assert rules.check_council_size(size).ok is ok


def test_it_bars_the_relatives_of_decree_170_art_8():
    for relation in rules.BARRED_RELATIONS:
        assert not rules.check_relation(relation, member="A", candidate="B").ok
    assert rules.check_relation("none", member="A", candidate="B").ok


def test_it_hints_at_the_same_surname_and_home_commune():
    hint = rules.conflict_hint(
        member_name="Nguyễn Văn Hùng",
        member_commune="xã Hòa Bình",
        candidate_name="NGUYỄN Thị Mai",
        candidate_commune="Hòa  Bình",
    )
    assert hint is not None and hint.code == "council.hint_surname_commune"
    other_commune = rules.conflict_hint(
        member_name="Nguyễn Văn Hùng",
        member_commune="Xã An Phú",
        candidate_name="Nguyễn Thị Mai",
        candidate_commune="Xã Hòa Bình",
    )
    other_surname = rules.conflict_hint(
        member_name="Trần Văn Hùng",
        member_commune="Xã Hòa Bình",
        candidate_name="Nguyễn Thị Mai",
        candidate_commune="Xã Hòa Bình",
    )
    assert other_commune is None and other_surname is None


# Scores, priority, pass, merit list ----------------------------------------------


@pytest.mark.parametrize("value", [Decimal("-0.5"), Decimal("100.01"), 101])
def test_it_refuses_a_score_out_of_range(value):
    result = rules.check_score(value, label="Round 2 score")
    assert (result.ok, result.code) == (False, "score.out_of_range")


def test_only_the_highest_priority_counts():
    assert rules.priority_points([]) == 0
    assert rules.priority_points(["military_service", "ethnic_minority"]) == 5
    assert rules.priority_points(["hero", "ethnic_minority", "youth_volunteer"]) == (
        Decimal("7.5")
    )
    assert not rules.check_priority_claims(["lottery_winner"]).ok


def _line(pk, score, **kw):
    return ScoreLine(pk, kw.pop("is_eligible", True), Decimal(str(score)), **kw)


def test_it_passes_two_parts_only_when_each_reaches_half():
    both = _line(1, 60, written=Decimal("70"), interview=Decimal("50"))
    weak = _line(2, 60, written=Decimal("80"), interview=Decimal("40"))
    assert rules.check_pass(both).ok
    assert rules.check_pass(weak).code == "pass.part_below_50"
    assert rules.check_pass(_line(3, Decimal("49.99"))).code == "pass.below_50"
    assert rules.check_pass(_line(4, 90, is_eligible=False)).code == "pass.ineligible"


def test_it_weighs_the_two_parts():
    total = rules.round_2_total(
        Decimal("80"), Decimal("61"), written_weight=Decimal("0.7")
    )
    assert total == Decimal("74.30")
    assert rules.round_2_total(Decimal("80"), None) is None


def test_it_ranks_by_score_plus_priority_then_round_2():
    merit = rules.rank_candidates(
        [
            _line(1, 80),
            _line(2, 76, priority_points=Decimal("5")),  # 81
            _line(3, 78, priority_points=Decimal("2.5")),  # 80.5
            _line(4, Decimal("75.5"), priority_points=Decimal("5")),  # 80.5, lower
            _line(5, 45, priority_points=Decimal("7.5")),  # fails: round 2 < 50
        ],
        quota=2,
    )
    assert [(x.application_id, x.rank) for x in merit.lines] == [
        (2, 1),
        (3, 2),
        (4, 3),
        (1, 4),
        (5, None),
    ]
    assert merit.winners == [2, 3]
    assert merit.line(5).code == "pass.below_50"
    assert not merit.needs_tie_decision


def test_a_tie_across_the_last_seat_needs_the_head():
    lines = [_line(1, 90), _line(2, 80), _line(3, 80), _line(4, 70)]
    merit = rules.rank_candidates(lines, quota=2)
    assert merit.winners == [1]
    assert merit.unresolved_tie == (2, 3)
    assert [x.rank for x in merit.lines] == [1, 2, 2, 4]
    decided = rules.rank_candidates(lines, quota=2, tie_orders=[[3, 2]])
    assert decided.winners == [1, 3]
    assert [x.application_id for x in decided.lines] == [1, 3, 2, 4]
    assert not decided.needs_tie_decision


def test_a_tie_inside_the_seats_needs_no_decision():
    merit = rules.rank_candidates([_line(1, 80), _line(2, 80), _line(3, 60)], quota=2)
    assert merit.winners == [1, 2]
    assert merit.line(1).is_tied and merit.line(1).rank == 2 - 1
    assert not merit.needs_tie_decision


def test_a_cancelled_admission_frees_its_seat():
    merit = rules.rank_candidates(
        [_line(1, 90, is_cancelled=True), _line(2, 80), _line(3, 70)], quota=1
    )
    assert merit.winners == [2]
    assert merit.line(1).rank == 1


def test_a_tie_order_must_name_tied_candidates():
    assert rules.check_tie_order([1, 2], {1, 2}).ok
    assert rules.check_tie_order([1, 3], {1, 2}).code == "tie.not_tied"
    assert rules.check_tie_order([1, 1], {1, 2}).code == "tie.order_invalid"


# Re-marking and dossier ----------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "requested", "computer", "code"),
    [
        ("round_2_written", D(2026, 4, 16), True, "remark.ok"),
        ("round_2_written", D(2026, 4, 17), True, "remark.late"),
        ("round_2_interview", D(2026, 4, 2), True, "remark.interview"),
        ("round_1", D(2026, 4, 2), True, "remark.computer_round_1"),
        ("round_1", D(2026, 4, 2), False, "remark.ok"),
    ],
)
def test_it_limits_remarking(part, requested, computer, code):
    result = rules.check_remark_request(
        part=part,
        requested_on=requested,
        results_published_on=D(2026, 4, 1),
        is_round_1_computer_based=computer,
    )
    assert result.code == code


def test_the_dossier_timer_is_20_days():
    due = rules.dossier_due_on(D(2026, 4, 1))
    assert due == D(2026, 4, 21)
    assert rules.check_dossier(due_on=due, completed_on=None, on=due).ok
    missed = rules.check_dossier(due_on=due, completed_on=None, on=D(2026, 4, 22))
    assert missed.code == "dossier.missed"
    assert "Art 18" in missed.citation
