"""Personal data (issue #9 item 8): one citizen-ID mask everywhere, exports of
personal data in the access log, and public pages that show published facts only.
"""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from hrms import privacy
from hrms.models import AccessLog
from recruitment import selectors
from staff import permissions as staff_permissions
from tests.factories import (
    make_application,
    make_appointment_decision,
    make_drive,
    make_drive_vacancy,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{9,12}(?!\d)")
# What a code, an application number or a decision number looks like on a page.
CODE = re.compile(r"\b(?:TD|HS|PV|QĐ|LD)[-\w/.]*|\b\d+/QĐ[-\w]*", re.UNICODE)


def test_one_mask_serves_staff_recruitment_and_the_public_pages():
    assert staff_permissions.mask_national_id is privacy.mask_national_id
    assert selectors.mask_national_id is privacy.mask_national_id
    assert privacy.mask_national_id("034186001234") == "•••••••••234"
    assert privacy.mask_national_id("123456") == "••••••"
    assert privacy.mask_national_id("") == ""


# Exports in the access log ---------------------------------------------------------


def test_export_data_of_staff_is_logged(units, users, tmp_path):
    make_reference_data()
    make_employee(units.snv, "S1", national_id="034186001234")
    out = io.StringIO()
    call_command(
        "export_data", "staff", tmp_path / "s.csv", "--user", "hr1", stdout=out
    )
    entry = AccessLog.objects.get()
    assert (entry.user, entry.object_type, entry.role) == (
        users.hr,
        "export:staff",
        "command",
    )
    assert entry.object_repr == "staff: 1 rows"
    assert str(tmp_path / "s.csv") in entry.path


def test_export_data_without_a_user_logs_the_system_account(units, tmp_path):
    make_reference_data()
    make_employee(units.snv, "S1")
    call_command("export_data", "ratings", tmp_path / "r.xlsx", stdout=io.StringIO())
    entry = AccessLog.objects.get()
    assert entry.object_type == "export:ratings"
    assert entry.user.username == privacy.SYSTEM_USERNAME
    assert not entry.user.is_active and not entry.user.has_usable_password()


def test_an_unknown_user_is_refused_before_writing(units, tmp_path):
    with pytest.raises(CommandError, match="unknown user 'nobody'") as refused:
        call_command("export_data", "staff", tmp_path / "s.csv", "--user", "nobody")
    assert refused.value.returncode == 2
    assert not (tmp_path / "s.csv").exists()


def test_exports_without_personal_data_are_not_logged(db, tmp_path):
    for name in ("holidays", "units", "procedures", "positions"):
        call_command(
            "export_data", name, tmp_path / f"{name}.csv", stdout=io.StringIO()
        )
    assert not AccessLog.objects.exists()


def test_personal_resources_are_found_by_their_model():
    from hrms.importing import get_resource

    personal = {
        name
        for name in ("staff", "ratings", "tasks", "units", "holidays", "procedures")
        if privacy.holds_personal_data(get_resource(name)._meta.model)
    }
    assert personal == {"staff", "ratings", "tasks"}


def test_the_raise_due_download_is_logged(client, units, users):
    make_reference_data()
    due = make_employee(units.ccvc, "CC01", full_name="Vũ Thị Hoa")
    make_grade_step(due, "01.003", 2, effective_on=dt.date(2022, 1, 1))
    client.force_login(users.hr)
    response = client.get(reverse("staff:raise_due_export"), {"on": "2026-01-01"})
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.user, entry.role, entry.object_type) == (
        users.hr,
        "hr",
        "export:raise_due",
    )
    assert entry.object_repr == "raise_due: 1 rows"
    assert entry.path.startswith("/") and "on=2026-01-01" in entry.path


# Public pages: published facts only ------------------------------------------------


def _drive(units, position, code, *, status, results=False, published=True):
    drive = make_drive(
        units.ccvc,
        code,
        status=status,
        title=f"Đợt tuyển {code}",
        published_on=dt.date(2026, 2, 1) if published else None,
        results_published_on=dt.date(2026, 4, 1) if results else None,
    )
    vacancy = make_drive_vacancy(drive, position, 1)
    applications = [
        make_application(
            drive,
            vacancy,
            number=f"HS-{code}-{rank}",
            full_name=f"Thí Sinh {code} {rank}",
            eligibility="eligible",
            round_2_score=Decimal(90 - rank),
            total_score=Decimal(90 - rank) if results else None,
            rank=rank if results else None,
            result=("winner" if rank == 1 else "passed") if results else "pending",
        )
        for rank in (1, 2)
    ]
    return drive, applications


@pytest.fixture
def facts(units):
    """Draft and published drives and decisions; the facts each may show."""
    make_reference_data()
    position = make_position(units.ccvc, "PV-CCVC", title="Chuyên viên nhân sự")
    secret_position = make_position(units.ccvc, "PV-MAT", title="Vị trí chưa công bố")
    shown, hidden = set(), set()

    done, winners = _drive(units, position, "TD-XONG", status="results", results=True)
    pending, waiting = _drive(units, position, "TD-CHO", status="round_2")
    draft, drafted = _drive(
        units, secret_position, "TD-NHAP", status="draft", published=False
    )
    # A drive whose results date is set while it is still a draft: still hidden.
    early, early_apps = _drive(
        units, secret_position, "TD-SOM", status="draft", results=True
    )
    for drive in (done, pending):
        shown |= {drive.code, drive.title}
    shown |= {position.code, position.title}
    for application in winners:
        shown |= {application.number, application.full_name}
    for drive in (draft, early):
        hidden |= {drive.code, drive.title}
    hidden |= {secret_position.code, secret_position.title}
    for application in waiting + drafted + early_apps:
        hidden |= {application.number, application.full_name}
    ids = [a.national_id for a in winners + waiting + drafted + early_apps]

    today = timezone.localdate()
    in_force = make_employee(units.ccvc, "LD-1", full_name="Trưởng Phòng Đương Nhiệm")
    decision = make_appointment_decision(
        in_force,
        decision_number="5/QĐ-HIEULUC",
        decided_on=today - dt.timedelta(days=100),
        term_end_on=today + dt.timedelta(days=1000),
    )
    shown |= {decision.decision_number, in_force.full_name}
    future = make_employee(units.ccvc, "LD-2", full_name="Người Sắp Nhậm Chức")
    make_appointment_decision(
        future,
        decision_number="6/QĐ-TUONGLAI",
        decided_on=today,
        effective_on=today + dt.timedelta(days=10),
    )
    expired = make_employee(units.ccvc, "LD-3", full_name="Người Hết Nhiệm Kỳ")
    make_appointment_decision(
        expired,
        decision_number="7/QĐ-HETHAN",
        decided_on=today - dt.timedelta(days=2000),
        term_end_on=today - dt.timedelta(days=1),
    )
    removed = make_employee(units.ccvc, "LD-4", full_name="Người Đã Miễn Nhiệm")
    make_appointment_decision(
        removed,
        decision_number="8/QĐ-BONHIEM",
        decided_on=today - dt.timedelta(days=300),
    )
    make_appointment_decision(
        removed,
        kind="removal",
        decision_number="9/QĐ-MIENNHIEM",
        decided_on=today - dt.timedelta(days=30),
    )
    hidden |= {"6/QĐ-TUONGLAI", "7/QĐ-HETHAN", "8/QĐ-BONHIEM", "9/QĐ-MIENNHIEM"}
    hidden |= {future.full_name, expired.full_name, removed.full_name}
    return {
        "shown": shown,
        "hidden": hidden,
        "ids": ids,
        "drives": {"shown": [done, pending], "hidden": [draft, early]},
    }


def public_html(client, facts) -> str:
    pages = [reverse("public:drive_list"), reverse("public:appointment_list")]
    pages += [
        reverse("public:drive_detail", args=[d.pk]) for d in facts["drives"]["shown"]
    ]
    responses = [client.get(page) for page in pages]
    assert [r.status_code for r in responses] == [200] * len(pages)
    return "\n".join(r.content.decode() for r in responses)


def test_public_pages_show_published_facts_and_nothing_else(client, facts):
    html = public_html(client, facts)
    on_page = {fact for fact in facts["shown"] | facts["hidden"] if fact in html}
    assert on_page == facts["shown"]  # all published facts, no others
    # Every code-like token on the pages is a published fact (or its unit's code).
    tokens = set(CODE.findall(html))
    assert len(tokens) >= 6 and tokens <= facts["shown"], tokens - facts["shown"]
    for drive in facts["drives"]["hidden"]:
        url = reverse("public:drive_detail", args=[drive.pk])
        assert client.get(url).status_code == 404


def test_no_full_citizen_id_is_on_a_public_page(client, facts):
    html = public_html(client, facts)
    assert not TWELVE_DIGITS.search(html)
    for national_id in facts["ids"]:
        assert national_id not in html
    for national_id in facts["ids"][:2]:  # the published winners
        assert privacy.mask_national_id(national_id) in html


def test_a_web_export_job_of_staff_is_logged(units, users, settings, tmp_path):
    from hrms.jobs import submit

    settings.MEDIA_ROOT = tmp_path
    make_reference_data()
    make_employee(units.snv, "S1")
    job = submit("export", users.admin, resource="staff", format="xlsx")
    assert job.outcome["exported"] == 1
    entry = AccessLog.objects.get()
    assert (entry.user, entry.role, entry.object_type) == (
        users.admin,
        "admin",
        "export:staff",
    )
    assert entry.path.startswith(f"job {job.pk}: ")
