"""Legal rules of the one-stop shop: due times over weekends and Tết, lateness
attribution, apology-slip timing and the single reschedule, at-risk dossiers."""

import datetime as dt

import numpy as np
import pytest

from appraisals import rules
from appraisals.rules import StepFacts
from tests.appraisals.conftest import HOLIDAYS_2026, at

HOLIDAYS = frozenset(HOLIDAYS_2026)


def due(received, days):
    return rules.dossier_due_at(received, days, holidays=HOLIDAYS).at


# Due time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "days", "expected"),
    [
        # The sample: Tue 10/3 + 5 working days = Tue 17/3, end of day.
        (at(2026, 3, 10, 8, 30), 5, at(2026, 3, 17, 17)),
        # Friday + 1 skips the weekend.
        (at(2026, 3, 13, 15), 1, at(2026, 3, 16, 17)),
        # Received on a Saturday: the first working day after it is Monday.
        (at(2026, 3, 14, 10), 1, at(2026, 3, 16, 17)),
        # Thu 12/2 + 3 across Tết (Mon 16 – Fri 20 Feb off): Fri 13, Mon 23, Tue 24.
        (at(2026, 2, 12, 9), 3, at(2026, 2, 24, 17)),
        # Received during Tết: counting starts after it.
        (at(2026, 2, 17, 9), 1, at(2026, 2, 23, 17)),
        # Mon 20/4 + 10 across 30/4 – 1/5 (Thu, Fri): Wed 6/5.
        (at(2026, 4, 20, 8), 10, at(2026, 5, 6, 17)),
        # A same-day procedure: due at the end of the day of receipt …
        (at(2026, 3, 10, 9), 0, at(2026, 3, 10, 17)),
        # … or, received after hours, the end of the next working day.
        (at(2026, 3, 13, 18), 0, at(2026, 3, 16, 17)),
        (at(2026, 3, 14, 9), 0, at(2026, 3, 16, 17)),
    ],
)
def test_it_computes_the_due_time_in_working_days(received, days, expected):
    assert due(received, days) == expected


def test_the_due_time_counts_from_the_local_day_of_receipt():
    # 23:30 UTC on 9/3 is 06:30 on 10/3 in Hanoi.
    received = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC)
    assert due(received, 5) == at(2026, 3, 17, 17)


def test_the_vectorised_due_dates_match_the_scalar_rule():
    rng = np.random.default_rng(7)
    days = rng.integers(1, 40, 500)
    offsets = rng.integers(0, 365, 500)
    starts = [dt.date(2026, 1, 1) + dt.timedelta(days=int(o)) for o in offsets]
    vector = rules.dossier_due_dates(
        np.array(starts, dtype="datetime64[D]"), days, holidays=HOLIDAYS
    ).tolist()
    scalar = [
        due(at(s.year, s.month, s.day, 9), int(n)).date()
        for s, n in zip(starts, days, strict=True)
    ]
    assert vector == scalar


def test_the_citation_follows_the_decree_in_force_on_the_day_of_receipt():
    before = rules.dossier_due_at(at(2025, 6, 30, 9), 1, holidays=HOLIDAYS)
    after = rules.dossier_due_at(at(2025, 7, 1, 9), 1, holidays=HOLIDAYS)
    assert "Decree 61/2018/NĐ-CP" in before.reason.citation
    assert "Decree 118/2025/NĐ-CP" in after.reason.citation


# On time or late ---------------------------------------------------------------


def test_it_is_on_time_when_returned_by_the_due_time():
    verdict = rules.check_on_time(
        due_at=at(2026, 3, 17, 17),
        returned_at=at(2026, 3, 17, 17),
        as_of=at(2026, 4, 1),
    )
    assert verdict.ok and verdict.code == "dossier.on_time"


def test_a_rescheduled_dossier_is_still_late():
    verdict = rules.check_on_time(
        due_at=at(2026, 3, 17, 17),
        returned_at=at(2026, 3, 19, 10),
        rescheduled_due_at=at(2026, 3, 20, 17),
        as_of=at(2026, 4, 1),
    )
    assert not verdict.ok and verdict.code == "dossier.late"
    assert [d.code for d in verdict.details] == ["dossier.rescheduled"]


def test_an_open_dossier_is_overdue_after_the_due_time_only():
    args = {"due_at": at(2026, 3, 17, 17), "returned_at": None}
    assert rules.check_on_time(**args, as_of=at(2026, 3, 17, 16)).code == (
        "dossier.not_due"
    )
    assert rules.check_on_time(**args, as_of=at(2026, 3, 18, 9)).code == (
        "dossier.overdue"
    )


# Lateness attribution ------------------------------------------------------------


def steps(*rows):
    return [
        StepFacts(seq, name, officer, due_at, done)
        for seq, name, officer, due_at, done in rows
    ]


def test_lateness_goes_to_each_step_that_overran_its_own_due_time():
    attribution = rules.attribute_lateness(
        due_at=at(2026, 3, 17, 17),
        returned_at=at(2026, 3, 18, 10),
        steps=steps(
            (1, "receive", 3, at(2026, 3, 10, 17), at(2026, 3, 10, 8, 45)),
            # Due Fri 13/3 17:00, done Mon 16/3 11:00: 1 working day late.
            (2, "process", 1, at(2026, 3, 13, 17), at(2026, 3, 16, 11)),
            (3, "approve", 2, at(2026, 3, 16, 17), at(2026, 3, 16, 16)),
            # Due Tue 17/3 17:00, done Wed 18/3 10:00: 17 hours late.
            (4, "return", 3, at(2026, 3, 17, 17), at(2026, 3, 18, 10)),
        ),
        as_of=at(2026, 4, 1),
        holidays=HOLIDAYS,
    )
    assert attribution.is_late and not attribution.is_schedule_error
    assert [(o.seq, o.officer_id) for o in attribution.responsible] == [(2, 1), (4, 3)]
    process, give_back = attribution.responsible
    assert process.overrun == dt.timedelta(days=2, hours=18)
    assert process.working_days == 1
    assert give_back.hours == 17.0 and give_back.working_days == 1
    assert attribution.officer_ids == [1, 3]
    assert [r.code for r in attribution.reasons] == [
        "dossier.late",
        "step.overrun",
        "step.overrun",
    ]


def test_a_late_dossier_with_every_step_on_time_is_a_schedule_error():
    attribution = rules.attribute_lateness(
        due_at=at(2026, 3, 17, 17),
        returned_at=at(2026, 3, 18, 9),
        steps=steps(
            (1, "receive", 3, at(2026, 3, 10, 17), at(2026, 3, 10, 9)),
            # The step deadlines run past the dossier's own.
            (2, "process", 1, at(2026, 3, 18, 17), at(2026, 3, 18, 8)),
        ),
        as_of=at(2026, 4, 1),
        holidays=HOLIDAYS,
    )
    assert attribution.is_schedule_error
    assert attribution.reasons[-1].code == "dossier.schedule_error"


def test_an_open_step_past_its_due_time_is_responsible():
    attribution = rules.attribute_lateness(
        due_at=at(2026, 3, 17, 17),
        returned_at=None,
        steps=steps((1, "process", 7, at(2026, 3, 16, 17), None)),
        as_of=at(2026, 3, 19, 17),
        holidays=HOLIDAYS,
    )
    (overrun,) = attribution.responsible
    assert overrun.officer_id == 7 and overrun.working_days == 3


def test_an_on_time_dossier_blames_nobody():
    attribution = rules.attribute_lateness(
        due_at=at(2026, 3, 17, 17),
        returned_at=at(2026, 3, 17, 9),
        steps=steps((1, "process", 1, at(2026, 3, 13, 17), at(2026, 3, 16, 11))),
        as_of=at(2026, 4, 1),
        holidays=HOLIDAYS,
    )
    assert not attribution.is_late and attribution.responsible == ()


# Apology slip ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issued", "code"),
    [
        (at(2026, 3, 16, 10), "apology.in_time"),
        (at(2026, 3, 16, 17), "apology.in_time"),  # exactly one day before
        (at(2026, 3, 16, 17, 1), "apology.late"),
        (at(2026, 3, 17, 18), "apology.after_due"),
    ],
)
def test_a_slip_is_in_time_at_least_one_day_before_the_due_time(issued, code):
    verdict = rules.check_slip_timing(issued_at=issued, due_at=at(2026, 3, 17, 17))
    assert verdict.code == code
    assert verdict.ok is (code == "apology.in_time")
    assert verdict.citation == "Decree 118/2025/NĐ-CP (apology slip)"


def test_the_return_date_moves_once_and_only_later():
    due_at, new = at(2026, 3, 17, 17), at(2026, 3, 20, 17)
    on = dt.date(2026, 3, 16)
    first = rules.check_reschedule(
        due_at=due_at, new_due_at=new, rescheduled_to=None, on=on
    )
    assert first.ok
    earlier = rules.check_reschedule(
        due_at=due_at, new_due_at=at(2026, 3, 17, 9), rescheduled_to=None, on=on
    )
    assert earlier.code == "apology.not_later"
    second = rules.check_reschedule(
        due_at=due_at, new_due_at=at(2026, 3, 24, 17), rescheduled_to=new, on=on
    )
    assert second.code == "apology.second_reschedule"
    assert second.citation == "Decree 118/2025/NĐ-CP (apology slip)"
    # Recording the same reschedule again (a re-imported file) is not a second.
    again = rules.check_reschedule(
        due_at=due_at, new_due_at=new, rescheduled_to=new, on=on, repeat_is_same=True
    )
    assert again.ok


def test_the_slip_rules_cite_decree_61_until_june_2025():
    verdict = rules.check_reschedule(
        due_at=at(2025, 6, 10, 17),
        new_due_at=at(2025, 6, 13, 17),
        rescheduled_to=at(2025, 6, 12, 17),
        on=dt.date(2025, 6, 9),
    )
    assert verdict.citation == "Decree 61/2018/NĐ-CP; Circ. 01/2018/TT-VPCP form 04"


# At risk --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due_at", "is_open", "at_risk"),
    [
        # Monday 10:00: due before Tuesday 10:00 is at risk.
        (at(2026, 3, 16, 10), at(2026, 3, 17, 9), True, True),
        (at(2026, 3, 16, 10), at(2026, 3, 17, 17), True, False),
        (at(2026, 3, 16, 10), at(2026, 3, 16, 9), True, False),  # already late
        (at(2026, 3, 16, 10), at(2026, 3, 17, 9), False, False),  # returned
        # Friday 15:00: one working day reaches Monday 15:00.
        (at(2026, 3, 13, 15), at(2026, 3, 16, 9), True, True),
        # The Friday before Tết: one working day reaches Monday 23/2.
        (at(2026, 2, 13, 10), at(2026, 2, 23, 9), True, True),
    ],
)
def test_it_flags_open_dossiers_due_within_one_working_day(
    now, due_at, is_open, at_risk
):
    verdict = rules.check_at_risk(
        due_at=due_at, is_open=is_open, now=now, holidays=HOLIDAYS
    )
    assert verdict.ok is at_risk


# Officers and the scorecard --------------------------------------------------------


def test_an_officer_must_be_active_and_have_joined():
    on = dt.date(2026, 3, 10)
    assert rules.check_officer_on_duty(
        code="S1", status="active", joined_on=dt.date(2020, 1, 1), on=on
    )
    assert (
        rules.check_officer_on_duty(code="S1", status="retired", joined_on=None, on=on)
    ).code == "officer.not_active"
    assert (
        rules.check_officer_on_duty(
            code="S1", status="active", joined_on=dt.date(2026, 4, 1), on=on
        )
    ).code == "officer.not_joined"


def test_the_766_scorecard_scales_the_covered_groups():
    card = rules.scorecard_766(
        on_time_ratio=rules.Decimal("0.5"),
        online_share=rules.Decimal("0.3333"),
        satisfaction_ratio=None,
        on=dt.date(2026, 3, 31),
    )
    points = {group.code: group.points for group in card.groups}
    assert points == {
        "publicity": None,
        "timeliness": rules.Decimal("10.00"),
        "digitisation": None,
        "online": rules.Decimal("7.33"),
        "satisfaction": None,
    }
    assert card.points == rules.Decimal("17.33")
    assert card.covered_max == 42 and card.max_points == 100
    assert not card.is_complete
