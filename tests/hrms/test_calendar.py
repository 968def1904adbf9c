import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from hrms import calendar
from hrms.calendar import (
    add_working_days,
    add_working_days_array,
    due_at,
    holiday_set,
    working_days_between,
    working_days_between_array,
)
from hrms.models import Holiday

D = dt.date
HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# Test data for 2026: Tết is Sat 14 – Sun 22 Feb (rows for the weekdays 16–20),
# 30/4–1/5 is Thu–Fri, National Day is Tue 1 – Wed 2 Sep.
TET = [D(2026, 2, day) for day in range(16, 21)]
HOLIDAYS_2026 = frozenset(
    [D(2026, 1, 1), *TET, D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 1), D(2026, 9, 2)]
)


@pytest.fixture
def holidays(db):
    Holiday.objects.bulk_create(
        Holiday(date=day, name="Nghỉ lễ") for day in HOLIDAYS_2026
    )
    return HOLIDAYS_2026


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 3, 9), 1, D(2026, 3, 10)),  # Mon → Tue
        (D(2026, 3, 6), 1, D(2026, 3, 9)),  # Fri → Mon
        (D(2026, 3, 7), 1, D(2026, 3, 9)),  # Sat → Mon
        (D(2026, 3, 6), 5, D(2026, 3, 13)),  # a whole week
        (D(2026, 2, 13), 1, D(2026, 2, 23)),  # Fri before Tết → Mon after
        (D(2026, 2, 12), 2, D(2026, 2, 23)),
        (D(2026, 2, 17), 1, D(2026, 2, 23)),  # received during Tết
        (D(2026, 2, 10), 5, D(2026, 2, 24)),
        (D(2026, 4, 29), 1, D(2026, 5, 4)),  # Wed before 30/4–1/5 → Mon
        (D(2026, 8, 31), 1, D(2026, 9, 3)),  # Mon before 1–2/9 → Thu
        (D(2026, 8, 28), 3, D(2026, 9, 4)),
    ],
)
def test_it_skips_weekends_and_holidays(start, n, expected):
    assert add_working_days(start, n, holidays=HOLIDAYS_2026) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 3, 9), D(2026, 3, 9)),  # a working day is its own day 0
        (D(2026, 3, 7), D(2026, 3, 9)),  # Sat → Mon
        (D(2026, 2, 16), D(2026, 2, 23)),  # Tết → the first day back
    ],
)
def test_zero_days_is_the_day_itself_or_the_next_working_day(start, expected):
    assert add_working_days(start, 0, holidays=HOLIDAYS_2026) == expected


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 9), -1, holidays=HOLIDAYS_2026)


def test_working_days_between_is_the_inverse_of_add_working_days():
    starts = [D(2026, 1, 1) + dt.timedelta(days=i) for i in range(0, 300, 3)]
    for start in starts:
        for n in (1, 2, 5, 7, 15, 19, 20, 21, 22, 30, 45, 60):
            end = add_working_days(start, n, holidays=HOLIDAYS_2026)
            assert working_days_between(start, end, holidays=HOLIDAYS_2026) == n
            assert working_days_between(end, start, holidays=HOLIDAYS_2026) == -n


def test_the_loop_and_numpy_paths_agree():
    start = D(2026, 2, 2)
    limit = calendar._LOOP_LIMIT
    for n in range(limit - 3, limit + 4):
        stepped = add_working_days(
            add_working_days(start, limit - 3, holidays=HOLIDAYS_2026),
            n - (limit - 3),
            holidays=HOLIDAYS_2026,
        )
        assert add_working_days(start, n, holidays=HOLIDAYS_2026) == stepped


def test_working_days_between_counts_the_half_open_interval():
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 9), holidays=set()) == 0
    assert working_days_between(D(2026, 3, 6), D(2026, 3, 9), holidays=set()) == 1
    # Tết week: Fri 13/2 → Mon 23/2 is one working day.
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 23), holidays=TET) == 1
    assert working_days_between(D(2026, 2, 23), D(2026, 2, 13), holidays=TET) == -1
    assert working_days_between(D(2026, 3, 9), D(2026, 3, 2), holidays=set()) == -5


def test_holiday_set_is_one_query(holidays, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = holiday_set(D(2026, 2, 1), D(2026, 2, 28))
    assert found == frozenset(TET)


def test_without_a_holiday_set_it_reads_the_table(holidays, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    with django_assert_num_queries(1):
        assert working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1


def test_with_a_holiday_set_it_makes_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        for i in range(1000):
            add_working_days(
                D(2026, 1, 1) + dt.timedelta(days=i % 365), 5, holidays=HOLIDAYS_2026
            )


@pytest.mark.parametrize(
    ("received_at", "days", "expected"),
    [
        (
            dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM),
            5,
            dt.datetime(2026, 3, 17, 17, tzinfo=HCM),
        ),
        # 23:30 UTC on Monday is 06:30 on Tuesday in Hà Nội: counted from Tuesday.
        (
            dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC),
            1,
            dt.datetime(2026, 3, 11, 17, tzinfo=HCM),
        ),
        # Received on a Saturday: the 1st working day after it is Monday.
        (
            dt.datetime(2026, 3, 7, 9, 0, tzinfo=HCM),
            1,
            dt.datetime(2026, 3, 9, 17, tzinfo=HCM),
        ),
        (
            dt.datetime(2026, 2, 12, 16, 0, tzinfo=HCM),
            3,
            dt.datetime(2026, 2, 24, 17, tzinfo=HCM),
        ),
        (
            dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM),
            0,
            dt.datetime(2026, 3, 10, 17, tzinfo=HCM),
        ),
    ],
)
def test_due_at_is_the_end_of_the_nth_working_day(received_at, days, expected):
    result = due_at(received_at, days, holidays=HOLIDAYS_2026)
    assert result == expected
    assert result.utcoffset() == dt.timedelta(hours=7)


def test_due_at_follows_the_workday_end_setting(settings):
    settings.WORKDAY_END_HOUR = 16
    received = dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM)
    assert due_at(received, 1, holidays=set()) == dt.datetime(
        2026, 3, 11, 16, tzinfo=HCM
    )


def test_due_at_refuses_a_naive_datetime():
    with pytest.raises(ValueError):
        due_at(dt.datetime(2026, 3, 10, 8, 30), 1, holidays=set())  # noqa: DTZ001


def test_due_at_reads_the_holiday_table(holidays):
    received = dt.datetime(2026, 4, 29, 10, 0, tzinfo=HCM)
    assert due_at(received, 1) == dt.datetime(2026, 5, 4, 17, tzinfo=HCM)


def test_the_array_versions_match_the_scalar_ones():
    rng = np.random.default_rng(7)
    starts = np.datetime64("2026-01-01") + rng.integers(0, 360, 2000)
    days = rng.integers(0, 40, 2000)
    result = add_working_days_array(starts, days, holidays=HOLIDAYS_2026)
    for start, n, got in zip(
        starts.tolist(), days.tolist(), result.tolist(), strict=True
    ):
        assert got == add_working_days(start, n, holidays=HOLIDAYS_2026)
    counts = working_days_between_array(starts, result, holidays=HOLIDAYS_2026)
    for start, n, got, count in zip(
        starts.tolist(), days.tolist(), result.tolist(), counts.tolist(), strict=True
    ):
        assert count == working_days_between(start, got, holidays=HOLIDAYS_2026)
        if n:
            assert count == n
