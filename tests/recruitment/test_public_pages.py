"""Public disclosure pages (DESIGN.md §4.4): no login, only published facts,
masked citizen IDs, printable, and a fixed number of queries."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recruitment.models import Application, AppointmentDecision
from tests.factories import (
    make_application,
    make_appointment_decision,
    make_drive,
    make_drive_vacancy,
    make_employee,
    make_position,
)
from tests.recruitment.conftest import NOTICE

pytestmark = pytest.mark.django_db

TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
RESULTS = dt.date(2026, 4, 1)


def public(name: str, *args) -> str:
    return reverse(f"public:{name}", args=args)


def published_drive(unit, position, code, *, candidates=2, results=True, title=None):
    """An announced drive at round 2 or with published results."""
    drive = make_drive(
        unit,
        code,
        status="results" if results else "round_2",
        published_on=NOTICE,
        title=title or f"Tuyển dụng công khai {code}",
        results_published_on=RESULTS if results else None,
    )
    vacancy = make_drive_vacancy(drive, position, 1)
    for rank in range(1, candidates + 1):
        make_application(
            drive,
            vacancy,
            full_name=f"Thí Sinh {code} Số {rank}",
            eligibility="eligible",
            round_1_percent=Decimal("70"),
            round_2_score=Decimal(90 - rank),
            total_score=Decimal(90 - rank) if results else None,
            rank=rank if results else None,
            result=("winner" if rank == 1 else "passed") if results else "pending",
        )
    return drive


@pytest.fixture
def drives(units, position):
    secret = make_drive(
        units.ccvc, "TD-NHAP", title="Đợt tuyển nháp bí mật", status="draft"
    )
    vacancy = make_drive_vacancy(secret, position, 1)
    make_application(secret, vacancy, full_name="Ứng Viên Nháp Bí Mật")
    pending = published_drive(
        units.ccvc, position, "TD-CHO", results=False, title="Đợt tuyển chưa có kết quả"
    )
    done = published_drive(units.ccvc, position, "TD-XONG", title="Đợt tuyển đã xong")
    return secret, pending, done


def all_public_html(client, drives) -> str:
    pages = [public("drive_list"), public("appointment_list")]
    pages += [public("drive_detail", d.pk) for d in drives if d.status != "draft"]
    return "\n".join(client.get(page).text for page in pages)


def test_public_pages_need_no_login(client, drives):
    for page in (public("drive_list"), public("appointment_list")):
        response = client.get(page)
        assert response.status_code == 200
        assert "Log out" not in response.text and "logout" not in response.text
        assert "@media print" in response.text
    assert client.get(public("drive_detail", drives[2].pk)).status_code == 200


def test_drafts_never_appear(client, drives):
    secret, _pending, _done = drives
    html = all_public_html(client, drives)
    assert "Đợt tuyển nháp bí mật" not in html and "TD-NHAP" not in html
    assert "Ứng Viên Nháp Bí Mật" not in html
    assert client.get(public("drive_detail", secret.pk)).status_code == 404
    assert client.get(public("drive_detail", 999999)).status_code == 404


def test_results_appear_only_after_publication(client, drives):
    _secret, pending, done = drives
    page = client.get(public("drive_detail", pending.pk))
    assert "Đợt tuyển chưa có kết quả" in page.text
    assert 'id="no-results"' in page.text
    assert "Thí Sinh TD-CHO" not in page.text
    page = client.get(public("drive_detail", done.pk))
    assert "Thí Sinh TD-XONG Số 1" in page.text and "Thí Sinh TD-XONG Số 2" in page.text
    assert 'id="no-results"' not in page.text
    listing = client.get(public("drive_list"))
    assert (
        "Đợt tuyển đã xong" in listing.text
        and "Đợt tuyển chưa có kết quả" in listing.text
    )


def test_no_unmasked_citizen_id_appears_anywhere(client, drives):
    html = all_public_html(client, drives)
    assert not TWELVE_DIGITS.search(html)
    for application in Application.objects.filter(drive=drives[2]):
        assert application.national_id not in html
        assert "•" * 9 + application.national_id[-3:] in html


def test_appointments_in_force_only(client, units):
    today = timezone.localdate()
    leader = make_employee(units.ccvc, "LD-1", full_name="Trưởng Phòng Đương Nhiệm")
    make_appointment_decision(
        leader,
        decision_number="5/QĐ-HIEULUC",
        decided_on=today - dt.timedelta(days=100),
        term_end_on=today + dt.timedelta(days=1000),
    )
    future = make_employee(units.ccvc, "LD-2", full_name="Người Sắp Nhậm Chức")
    make_appointment_decision(
        future,
        decision_number="6/QĐ-TUONGLAI",
        decided_on=today,
        effective_on=today + dt.timedelta(days=10),
    )
    removed = make_employee(units.ccvc, "LD-3", full_name="Người Đã Miễn Nhiệm")
    make_appointment_decision(
        removed, decision_number="7/QĐ-CU", decided_on=today - dt.timedelta(days=400)
    )
    make_appointment_decision(
        removed,
        kind="removal",
        decision_number="8/QĐ-MIEN",
        decided_on=today - dt.timedelta(days=20),
    )
    page = client.get(public("appointment_list"))
    assert "5/QĐ-HIEULUC" in page.text and "Trưởng Phòng Đương Nhiệm" in page.text
    assert "6/QĐ-TUONGLAI" not in page.text
    assert "7/QĐ-CU" not in page.text and "8/QĐ-MIEN" not in page.text
    assert AppointmentDecision.objects.count() == 4


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_public_pages_run_a_fixed_number_of_queries(client, units, position):
    first = published_drive(units.ccvc, position, "TD-Q1", candidates=1)
    leader = make_employee(units.ccvc, "LD-Q1")
    make_appointment_decision(leader, decided_on=timezone.localdate())
    small = {
        "list": _queries(client, public("drive_list")),
        "detail": _queries(client, public("drive_detail", first.pk)),
        "appointments": _queries(client, public("appointment_list")),
    }
    other = make_position(units.ccvc, "CCVC-Q2", headcount=5)
    for n in range(2, 7):
        drive = published_drive(units.ccvc, position, f"TD-Q{n}", candidates=6)
        vacancy = make_drive_vacancy(drive, other, 2)
        for _ in range(4):
            make_application(drive, vacancy, result="failed", round_2_score=Decimal(30))
    extra = make_drive_vacancy(first, other, 3)
    for _ in range(8):
        make_application(first, extra, result="passed", rank=2)
    for n in range(2, 12):
        make_appointment_decision(
            make_employee(units.ccvc, f"LD-Q{n}"), decided_on=timezone.localdate()
        )
    large = {
        "list": _queries(client, public("drive_list")),
        "detail": _queries(client, public("drive_detail", first.pk)),
        "appointments": _queries(client, public("appointment_list")),
    }
    assert small == large
    assert small == {"list": 4, "detail": 4, "appointments": 2}
