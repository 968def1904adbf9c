"""Fixtures of the one-stop-shop tests: the officers and procedures of the sample
files (../shared/samples), and the 2026 holidays with Tết.

    S001 Bùi Thị Lan          P01-SNV-CCVC   (processes)
    S002 Ngô Văn Hải          P01-SNV        (approves)
    S003 Đinh Thị Thu Trang   P01-TTHCC      (counter officer: receives, returns)
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from appraisals.models import Procedure
from hrms.models import Holiday
from tests.appraisals.importing import (
    DATA,
    DOSSIER_HEADER,
    NEVER,
    STEP_HEADER,
    csv_file,
    run_path,
)
from tests.factories import make_dossier, make_employee, make_procedure

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date

# Tết 2026: Sat 14 – Sun 22 Feb, rows for the weekdays 16–20; 30/4–1/5 Thu–Fri.
TET = [D(2026, 2, day) for day in range(16, 21)]
HOLIDAYS_2026 = [D(2026, 1, 1), *TET, D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 2)]


def at(*args) -> dt.datetime:
    """A local (Asia/Ho_Chi_Minh) aware datetime."""
    return dt.datetime(*args, tzinfo=HCM)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def holidays(db):
    Holiday.objects.bulk_create(
        Holiday(date=day, name="Nghỉ lễ") for day in HOLIDAYS_2026
    )
    return frozenset(HOLIDAYS_2026)


@pytest.fixture
def officers(units) -> SimpleNamespace:
    return SimpleNamespace(
        lan=make_employee(units.ccvc, "S001", full_name="Bùi Thị Lan", gender="F"),
        hai=make_employee(units.snv, "S002", full_name="Ngô Văn Hải"),
        trang=make_employee(
            units.tthcc, "S003", full_name="Đinh Thị Thu Trang", gender="F"
        ),
    )


@pytest.fixture
def procedures(db) -> SimpleNamespace:
    return SimpleNamespace(
        marriage=make_procedure("1.000893", 5, name="Đăng ký kết hôn"),
        land=make_procedure(
            "1.001193", 20, name="Cấp Giấy chứng nhận quyền sử dụng đất lần đầu"
        ),
    )


@pytest.fixture
def one_stop(units, officers, procedures, holidays) -> SimpleNamespace:
    """Everything the sample dossier files refer to."""
    return SimpleNamespace(
        units=units, officers=officers, procedures=procedures, holidays=holidays
    )


# Import files --------------------------------------------------------------------

CODE1 = "000.00.34.H01-260310-0001"
CODE2 = "000.00.34.H01-260310-0002"


@pytest.fixture
def samples(units, officers, holidays):
    """The sample files imported in their order (procedures first)."""
    assert run_path(NEVER, "import_data", "procedures", DATA / "procedures.csv")[0] == 0
    return units


@pytest.fixture
def bad_dossiers(samples, tmp_path):
    """A file with one good row and one rejection of each kind."""
    make_employee(samples.tthcc, "S005", status="retired")
    make_employee(samples.tthcc, "S006", joined_on=dt.date(2026, 6, 1))
    stored_slip = make_dossier(
        Procedure.objects.get(code="1.000893"),
        samples.tthcc,
        "RESCHEDULED",
        received_at=at(2026, 3, 2, 9),
        rescheduled_due_at=at(2026, 3, 12, 17),
    )
    assert stored_slip.due_at == at(2026, 3, 9, 17)
    p, u, r = "1.000893", "P01-TTHCC", "2026-03-10T08:30:00"
    return csv_file(
        tmp_path,
        "bad.csv",
        DOSSIER_HEADER,
        f"GOOD-1,{p},{u},{r},,,,,S003,,,",  # 2
        f"BAD-3,9.999999,{u},{r},,,,,,,,",  # 3 unknown procedure
        f"BAD-4,{p},P99,{r},,,,,,,,",  # 4 unknown unit
        f"BAD-5,{p},{u},{r},,,,,S999,,,",  # 5 unknown officer
        f"BAD-6,{p},{u},{r},,,,,S005,,,",  # 6 retired officer
        f"BAD-7,{p},{u},{r},,,,,S006,,,",  # 7 joined later
        f"BAD-8,{p},{u},2026-13-45T08:00:00,,,,,,,,",  # 8 unreadable
        f"BAD-9,{p},{u},2026-03-10,,,,,,,,",  # 9 a date, not a date-time
        f"BAD-10,{p},{u},{r},,2026-03-09T10:00:00,,,,,,",  # 10 returned before
        f"BAD-11,{p},{u},{r},2026-03-09T17:00:00,,,,,,,",  # 11 due before
        f"BAD-12,{p},{u},{r},,,done,,,,,",  # 12 status
        f"BAD-13,{p},{u},{r},,,,fax,,,,",  # 13 channel
        f"BAD-14,{p},{u},{r},,,,,,,,ok",  # 14 rating
        f"TWICE,{p},{u},{r},,,,,,,,",  # 15 repeated code
        f"TWICE,{p},{u},{r},,,,,,,,",  # 16 repeated code
        f"BAD-17,{p},{u},{r},,,,,,2026-03-16T09:00:00,,",  # 17 slip without date
        f"BAD-18,{p},{u},{r},,,,,,,2026-03-17T09:00:00,",  # 18 not later than due
        f"BAD-19,{p},{u},{r},,2026-03-16T10:00:00,processing,,,,,",  # 19
        "BAD-20,,,2026-03-10T08:30:00,,,,,,,,",  # 20 required cells blank
        f"BAD-21,{p},{u},10/03/2026 25:00,,,,fax,S999,,,",  # 21 several at once
        f"BAD-22,{p},{u},{r},,,,,,,,,extra",  # 22 more cells than the header
        # 23 a second reschedule: this dossier was moved to 12/3 already
        f"RESCHEDULED,{p},{u},2026-03-02T09:00:00,,,,,,2026-03-06T09:00:00,"
        "2026-03-13T17:00:00,",
        f"{'X' * 51},{p},{u},{r},,,,,,,,",  # 24 code too long
        f"GOOD-25,{p},{u},10/03/2026 08:30,,,,,,,,",  # 25
    )


@pytest.fixture
def bad_steps(samples, tmp_path):
    run_path(NEVER, "import_data", "dossiers", DATA / "dossiers.csv")
    make_employee(samples.tthcc, "S005", status="retired")
    d = CODE1
    s, due, done = "2026-03-10T09:00:00", "2026-03-13T17:00:00", "2026-03-13T16:00:00"
    return csv_file(
        tmp_path,
        "bad_steps.csv",
        STEP_HEADER,
        f"{d},1,receive,S003,{s},{due},{done}",  # 2
        f"NOPE,1,receive,S003,{s},{due},{done}",  # 3 unknown dossier
        f"{d},2,process,S001,{s},{due},2026-03-10T08:00:00",  # 4 finishes first
        f"{d},3,process,S001,{s},2026-03-09T17:00:00,",  # 5 due before start
        f"{d},abc,process,S001,{s},{due},",  # 6 seq
        f"{d},0,process,S001,{s},{due},",  # 7 seq 0
        f"{d},4,sign,S001,{s},{due},",  # 8 name
        f"{d},5,process,S999,{s},{due},",  # 9 unknown officer
        f"{d},6,process,S005,{s},{due},",  # 10 retired officer
        f"{d},7,process,S001,,{due},",  # 11 no start
        f"{d},8,process,S001,{s},{due},",  # 12 repeated
        f"{d},08,process,S001,{s},{due},",  # 13 repeated (08 is 8)
        f"NOPE,9,process,S999,{s},{due},2026-03-09T08:00:00",  # 14 several
        f"{d},10,approve,S002,{s},{due},",  # 15
    )
