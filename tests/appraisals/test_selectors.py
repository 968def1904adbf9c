"""Service indicators and lists on a small data set whose figures are worked out by
hand below (March 2026, counted on 10/4/2026 at noon).

    dossier unit  channel received  due        returned   notes
    D1      TTHCC direct  Mon 02/03 Mon 09/03  Fri 06/03  on time; very satisfied
    D2      TTHCC online  Mon 02/03 Mon 09/03  Tue 10/03  late: S001's step overran;
                                                          slip 06/03 (in time) → 11/03;
                                                          satisfied
    D3      TTHCC online  Tue 03/03 Tue 10/03  Wed 11/03  late, all steps on time:
                                                          schedule error; unsatisfied
    D4      TTHCC direct  Mon 16/03 Mon 23/03  Mon 23/03  on time
    D5      TTHCC direct  Fri 20/03 Fri 27/03  —          overdue: S001's step open;
                                                          slip 27/03 (late) → 03/04
    D6      XA01  online  Wed 25/03 22/04      —          not due yet
    D7      TTHCC direct  Fri 27/02 Fri 06/03  Thu 05/03  on time; very satisfied
    D8      TTHCC direct  Wed 04/03 Wed 11/03  —          withdrawn

TTHCC in March: received 6 (D1–D5, D8), 2 online; resolved 5 (D1–D4, D7), 4 rated,
3 satisfied; due 6 (D1–D5, D7; D8 withdrawn, D6 not due), 3 on time, 3 late (D2, D3,
D5); 1 late with a slip in time (D2); 2 rescheduled (D2, D5); 1 late slip (D5);
1 schedule error (D3); S001 responsible for 2 (D2, D5); 1 verified incident.
"""

import datetime as dt
from decimal import Decimal

import pytest

from appraisals import selectors
from appraisals.models import ApologySlip, CitizenRating, ConductIncident, Dossier
from positions.models import OrgUnit
from tests.appraisals.conftest import at
from tests.factories import make_dossier, make_employee, make_step

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
AS_OF = at(2026, 4, 10, 12)


@pytest.fixture
def data(one_stop):
    units, officers = one_stop.units, one_stop.officers
    marriage, land = one_stop.procedures.marriage, one_stop.procedures.land
    trang, lan = officers.trang, officers.lan
    xa_officer = make_employee(units.xa, "S004", full_name="Lê Văn Bình")

    def dossier(name, received, *, unit=units.tthcc, procedure=marriage, **fields):
        fields.setdefault("receiving_officer", trang)
        return make_dossier(procedure, unit, name, received_at=received, **fields)

    def slip(d, issued, new_due, late):
        ApologySlip.objects.create(
            dossier=d,
            issued_at=issued,
            previous_due_at=d.due_at,
            new_due_at=new_due,
            is_issued_late=late,
        )
        d.rescheduled_due_at = new_due
        d.save()

    d1 = dossier("D1", at(2026, 3, 2, 8), returned_at=at(2026, 3, 6, 10))
    make_step(
        d1,
        1,
        trang,
        started_at=d1.received_at,
        due_at=at(2026, 3, 2, 17),
        finished_at=at(2026, 3, 2, 8, 30),
        name="receive",
    )
    d2 = dossier(
        "D2", at(2026, 3, 2, 9), returned_at=at(2026, 3, 10, 9), channel="online"
    )
    make_step(
        d2,
        1,
        trang,
        started_at=d2.received_at,
        due_at=at(2026, 3, 2, 17),
        finished_at=at(2026, 3, 2, 9, 30),
        name="receive",
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
    dossier("D4", at(2026, 3, 16, 8), returned_at=at(2026, 3, 23, 16))
    d5 = dossier("D5", at(2026, 3, 20, 8), status="processing")
    make_step(d5, 1, lan, started_at=at(2026, 3, 20, 9), due_at=at(2026, 3, 26, 17))
    slip(d5, at(2026, 3, 27, 9), at(2026, 4, 3, 17), late=True)
    dossier(
        "D6",
        at(2026, 3, 25, 8),
        unit=units.xa,
        procedure=land,
        receiving_officer=xa_officer,
        channel="online",
    )
    d7 = dossier("D7", at(2026, 2, 27, 10), returned_at=at(2026, 3, 5, 15))
    dossier("D8", at(2026, 3, 4, 8), status="withdrawn")
    for d, level in (
        (d1, "very_satisfied"),
        (d2, "satisfied"),
        (d3, "unsatisfied"),
        (d7, "very_satisfied"),
    ):
        CitizenRating.objects.create(dossier=d, level=level)
    for officer, unit, day, verified in (
        (trang, units.tthcc, dt.date(2026, 3, 12), True),
        (trang, units.tthcc, dt.date(2026, 3, 13), False),
        (trang, units.tthcc, dt.date(2026, 4, 2), True),
        (xa_officer, units.xa, dt.date(2026, 3, 20), True),
    ):
        ConductIncident.objects.create(
            officer=officer,
            unit=unit,
            occurred_on=day,
            source="hotline",
            description="…",
            is_verified=verified,
        )
    return one_stop


def counts(row) -> dict:
    return {name: getattr(row, name) for name in selectors.COUNTS}


TTHCC_MARCH = {
    "received": 6,
    "online": 2,
    "resolved": 5,
    "rated": 4,
    "satisfied": 3,
    "due": 6,
    "on_time": 3,
    "late": 3,
    "late_with_slip_in_time": 1,
    "rescheduled": 2,
    "late_slips": 1,
    "schedule_errors": 1,
    "verified_incidents": 1,
}


def test_each_indicator_of_a_unit(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        result = selectors.service_indicators(
            data.units.tthcc, *MARCH, "unit", as_of=AS_OF
        )
    (row,) = result.rows
    assert row.key == data.units.tthcc.pk and row.label == "P01-TTHCC"
    assert counts(row) == TTHCC_MARCH
    assert row.on_time_ratio == Decimal("0.5000")
    assert row.apology_compliance == Decimal("0.3333")
    assert row.online_share == Decimal("0.3333")
    assert row.satisfaction_ratio == Decimal("0.7500")
    assert row.late_by_officer == {"S001": 2}
    assert result.late_by_officer == [("S001", "Bùi Thị Lan", 2)]


def test_the_indicators_of_a_subtree_by_unit(data):
    result = selectors.service_indicators(data.units.root, *MARCH, as_of=AS_OF)
    by_label = {row.label: counts(row) for row in result.rows}
    assert by_label["P01-TTHCC"] == TTHCC_MARCH
    assert by_label["P01-XA01"] == {
        **dict.fromkeys(TTHCC_MARCH, 0),
        "received": 1,
        "online": 1,
        "verified_incidents": 1,
    }
    totals = result.totals
    assert (totals.received, totals.online, totals.due, totals.on_time) == (7, 3, 6, 3)
    assert totals.online_share == Decimal("0.4286")


def test_the_indicators_of_a_queryset_of_units(data):
    units = OrgUnit.objects.filter(code__in=["P01-TTHCC", "P01-SNV"])
    result = selectors.service_indicators(units, *MARCH, as_of=AS_OF)
    assert [counts(row) for row in result.rows] == [TTHCC_MARCH]


def test_the_indicators_by_officer(data):
    result = selectors.service_indicators(
        data.units.tthcc, *MARCH, "officer", as_of=AS_OF
    )
    rows = {row.label: row for row in result.rows}
    assert set(rows) == {"S003 Đinh Thị Thu Trang", "S001 Bùi Thị Lan"}
    counter = rows["S003 Đinh Thị Thu Trang"]
    assert counts(counter) == TTHCC_MARCH
    assert counter.late_responsible == 0
    processor = rows["S001 Bùi Thị Lan"]
    assert processor.received == 0 and processor.late_responsible == 2


def test_the_indicators_by_month(data):
    result = selectors.service_indicators(
        data.units.tthcc,
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 31),
        "month",
        as_of=AS_OF,
    )
    assert [row.label for row in result.rows] == ["02/2026", "03/2026"]
    february, march = result.rows
    assert counts(february) == {**dict.fromkeys(TTHCC_MARCH, 0), "received": 1}
    assert counts(march) == TTHCC_MARCH
    assert march.key == dt.date(2026, 3, 1)


def test_the_query_count_does_not_grow_with_the_rows(
    data, django_assert_max_num_queries
):
    for i in range(30):
        make_dossier(
            data.procedures.marriage,
            data.units.xa,
            f"X{i}",
            received_at=at(2026, 3, 2 + i % 20, 9),
            receiving_officer=make_employee(data.units.xa, f"X{i:03d}"),
        )
    with django_assert_max_num_queries(7):
        selectors.service_indicators(data.units.root, *MARCH, "officer", as_of=AS_OF)


def test_the_766_scorecard_of_a_unit(data):
    card, totals = selectors.unit_scorecard(data.units.tthcc, *MARCH, as_of=AS_OF)
    points = {group.code: group.points for group in card.groups}
    assert points == {
        "publicity": None,
        "timeliness": Decimal("10.00"),  # 20 × 0.5
        "digitisation": None,
        "online": Decimal("7.33"),  # 22 × 0.3333
        "satisfaction": Decimal("13.50"),  # 18 × 0.75
    }
    assert card.points == Decimal("30.83") and card.covered_max == 60
    timeliness = card.groups[1]
    assert timeliness.basis.startswith("20 × 0.5000 on-time ratio")
    assert card.groups[0].basis == "No data: not recorded in this system."
    assert totals.due == 6


def test_late_dossiers_without_a_slip(data):
    late = selectors.late_without_slip(
        data.units.tthcc, as_of=AS_OF, period_start=MARCH[0], period_end=MARCH[1]
    )
    assert [d.code for d in late] == ["D3"]
    # A date moved without a slip is still a late dossier without one.
    Dossier.objects.filter(code="D3").update(rescheduled_due_at=at(2026, 3, 12, 17))
    assert [d.code for d in selectors.late_without_slip(data.units.tthcc)] == ["D3"]


def test_slips_issued_late_and_missed_new_dates(data):
    assert [s.dossier.code for s in selectors.late_slips(data.units.root)] == ["D5"]
    missed = selectors.missed_reschedules(data.units.root, as_of=AS_OF)
    assert [d.code for d in missed] == ["D5"]


def test_who_made_a_dossier_late(data):
    attribution = selectors.lateness_of(Dossier.objects.get(code="D2"), as_of=AS_OF)
    assert attribution.officer_ids == [data.officers.lan.pk]
    schedule = selectors.lateness_of(Dossier.objects.get(code="D3"), as_of=AS_OF)
    assert schedule.is_schedule_error


def test_the_at_risk_list(one_stop, django_assert_num_queries):
    tthcc, marriage = one_stop.units.tthcc, one_stop.procedures.marriage
    # Received Tue 10/3: due Tue 17/3 17:00.
    due_tomorrow = make_dossier(marriage, tthcc, "A1", received_at=at(2026, 3, 10, 9))
    make_dossier(  # returned: not at risk
        marriage,
        tthcc,
        "A2",
        received_at=at(2026, 3, 10, 9),
        returned_at=at(2026, 3, 16, 9),
        status="returned",
    )
    make_dossier(marriage, tthcc, "A3", received_at=at(2026, 3, 12, 9))  # due 19/3
    make_dossier(  # rescheduled to 20/3: not at risk any more
        marriage,
        tthcc,
        "A4",
        received_at=at(2026, 3, 10, 9),
        rescheduled_due_at=at(2026, 3, 20, 17),
    )
    make_dossier(  # another unit
        marriage, one_stop.units.xa, "A5", received_at=at(2026, 3, 10, 9)
    )
    with django_assert_num_queries(2):  # holidays, then the list
        risky = list(selectors.at_risk_dossiers(tthcc, now=at(2026, 3, 16, 18)))
    assert risky == [due_tomorrow]
    assert risky[0].promised_at == at(2026, 3, 17, 17)
    # Monday morning, the horizon is Tuesday morning: not yet.
    assert not selectors.at_risk_dossiers(tthcc, now=at(2026, 3, 16, 9)).exists()
