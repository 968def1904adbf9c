"""Fixtures of the recruitment tests: English messages, the reference tables, a
position with two seats in P01-SNV-CCVC, and a drive at any step built directly.

Dates: the notice of 2026 drives is published on 5 January 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from tests.factories import (
    make_application,
    make_discipline_reference_data,
    make_drive,
    make_drive_vacancy,
    make_position,
    make_reference_data,
)

NOTICE = dt.date(2026, 1, 5)


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
    make_discipline_reference_data()
    with translation.override("en"):
        yield


@pytest.fixture
def position(units):
    return make_position(units.ccvc, "CCVC-CV", headcount=2)


def scored_drive(units, position, scores, *, seats=1, status="round_2", **drive):
    """A drive at round 2 with one application per entry of `scores`.

    An entry is a round-2 score, or a dict of Application fields (round_2_score,
    round_2_written, round_2_interview, priority_points, eligibility, …).
    """
    drive = make_drive(units.ccvc, status=status, published_on=NOTICE, **drive)
    vacancy = make_drive_vacancy(drive, position, seats)
    applications = []
    for entry in scores:
        fields = entry if isinstance(entry, dict) else {"round_2_score": entry}
        fields = {
            "eligibility": "eligible",
            "round_1_percent": Decimal("70"),
            **{
                k: Decimal(str(v)) if isinstance(v, int | float) else v
                for k, v in fields.items()
            },
        }
        applications.append(make_application(drive, vacancy, **fields))
    return drive, vacancy, applications
