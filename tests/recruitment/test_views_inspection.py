"""The inspectors' workspace: the red-flag screen, inspection cases (only their
own), findings, conclusions and the PDF report; reads are logged."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from hrms.models import AccessLog, Role
from hrms.roles import ensure_user, grant_role
from recruitment import services
from recruitment.models import Finding, InspectionCase
from tests.factories import make_appointment_decision, make_drive, make_employee
from tests.recruitment.conftest import NOTICE
from tests.recruitment.test_views_drives import d, log_in, messages_of, url

pytestmark = pytest.mark.django_db

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


@pytest.fixture
def drives(units):
    """A drive with a 15-day window (flagged), a clean one, and one elsewhere."""
    return (
        make_drive(
            units.ccvc,
            "TD-NGAN",
            status="announced",
            published_on=NOTICE,
            window_days=15,
            title="Đợt tuyển có thời hạn ngắn",
        ),
        make_drive(units.ccvc, "TD-CHUAN", status="announced", published_on=NOTICE),
        make_drive(
            units.syt, "TD-SYT", status="announced", published_on=NOTICE, window_days=10
        ),
    )


@pytest.fixture
def case(users, units):
    return services.open_inspection_case(
        inspector=users.inspector,
        unit=units.snv,
        title="Thanh tra công tác tuyển dụng 2026",
        period_from=PERIOD[0],
        period_to=PERIOD[1],
    )


@pytest.fixture
def other_inspector(units):
    user = ensure_user(username="inspector2", password="x")
    grant_role(
        user=user,
        role=Role.INSPECTOR,
        unit=units.snv,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    return user


# Red flags ------------------------------------------------------------------------


def test_the_red_flag_screen_lists_a_tripped_flag_in_scope(client, users, drives):
    short, clean, elsewhere = drives
    page = log_in(client, users.inspector).get(url("red_flag_list"))
    assert page.status_code == 200
    rows = [flag for flag, _title in page.context["page"]]
    flagged = {(f.code, f.object_id) for f in rows}
    assert ("notice.window_short", str(short.pk)) in flagged
    assert all(f.object_id != str(clean.pk) for f in rows)
    assert all(f.object_id != str(elsewhere.pk) for f in rows)  # P01-SYT
    assert "TD-NGAN" in page.text and "Decree" in page.text
    link = reverse(
        "recruitment:record_redirect",
        args=["recruitment.recruitmentdrive", str(short.pk)],
    )
    assert link in page.text
    response = client.get(link)
    assert response.url == url("drive_detail", short.pk)
    client.get(response.url)
    assert AccessLog.objects.filter(
        user=users.inspector, object_id=str(short.pk)
    ).exists()
    assert (
        client.get(
            reverse(
                "recruitment:record_redirect",
                args=["recruitment.recruitmentdrive", str(elsewhere.pk)],
            )
        ).status_code
        == 404
    )


def test_the_flags_filter_by_code_and_unit(client, users, units, drives):
    log_in(client, users.admin)
    page = client.get(url("red_flag_list"), {"code": "notice.window_short"})
    codes = {flag.code for flag, _title in page.context["page"]}
    assert codes == {"notice.window_short"}
    assert len(page.context["page"].object_list) == 2  # CCVC and SYT
    page = client.get(
        url("red_flag_list"), {"code": "notice.window_short", "unit": "P01-SYT"}
    )
    assert [f.object_label for f, _t in page.context["page"]] == [
        "TD-SYT – Tuyển dụng công chức"
    ]
    log_in(client, users.inspector)
    page = client.get(url("red_flag_list"), {"unit": "P01-SYT"})
    assert page.context["form"].errors["unit"]
    assert not page.context["page"].object_list


def test_roles_without_flags_get_403(client, users):
    for user in (users.manager, users.staff, users.counter):
        assert log_in(client, user).get(url("red_flag_list")).status_code == 403


# Inspection cases -----------------------------------------------------------------


def test_only_an_inspector_opens_a_case(client, users, units):
    data = {
        "unit_code": "P01-SNV",
        "title": "Thanh tra tuyển dụng",
        "period_from": d(PERIOD[0]),
        "period_to": d(PERIOD[1]),
    }
    assert (
        log_in(client, users.hr).post(url("inspection_case_create"), data).status_code
        == 403
    )
    log_in(client, users.inspector)
    response = client.post(
        url("inspection_case_create"), {**data, "unit_code": "P01-SYT"}
    )
    assert response.status_code == 200 and not InspectionCase.objects.exists()
    response = client.post(url("inspection_case_create"), data)
    case = InspectionCase.objects.get()
    assert response.url == url("inspection_case_detail", case.pk)
    assert (case.inspector, case.unit) == (users.inspector, units.snv)


def test_the_case_shows_flagged_and_unflagged_records(
    client, users, units, drives, case
):
    decision = make_appointment_decision(
        make_employee(units.ccvc, full_name="Hà Văn Lãnh"),
        decided_on=dt.date(2026, 2, 2),
    )
    page = log_in(client, users.inspector).get(url("inspection_case_detail", case.pk))
    assert page.status_code == 200
    assert 'class="table-danger flagged"' in page.text
    assert 'class="unflagged"' in page.text
    assert "TD-NGAN" in page.text and "TD-CHUAN" in page.text
    assert "TD-SYT" not in page.text
    assert decision.decision_number in page.text
    assert "appointment.vote_below_threshold" in page.text
    assert AccessLog.objects.filter(
        user=users.inspector, object_type="recruitment.inspectioncase"
    ).exists()


def test_an_inspector_writes_only_in_their_own_case(
    client, users, drives, case, other_inspector
):
    short = drives[0]
    finding = {
        "text": "Thời hạn nhận hồ sơ chỉ 15 ngày",
        "severity": "high",
        "record": f"recruitment.recruitmentdrive:{short.pk}",
        "flag_code": "notice.window_short",
    }
    log_in(client, other_inspector)
    assert client.get(url("inspection_case_detail", case.pk)).status_code == 403
    assert client.post(url("finding_create", case.pk), finding).status_code == 403
    log_in(client, users.hr)
    assert client.get(url("inspection_case_detail", case.pk)).status_code == 404
    assert client.post(url("finding_create", case.pk), finding).status_code == 404
    assert not Finding.objects.exists()
    assert client.get(url("inspection_case_list")).status_code == 403

    log_in(client, users.inspector)
    assert client.get(url("finding_create", case.pk)).status_code == 405
    response = client.post(url("finding_create", case.pk), finding)
    assert response.status_code == 302
    row = Finding.objects.get()
    assert (row.record_type, row.record_id, row.flag_code) == (
        "recruitment.recruitmentdrive",
        str(short.pk),
        "notice.window_short",
    )
    response = client.post(
        url("inspection_case_conclude", case.pk),
        {"version": case.version, "conclusions": "", "concluded_on": ""},
        follow=True,
    )
    case.refresh_from_db()
    assert case.is_open and messages_of(response)
    client.post(
        url("inspection_case_conclude", case.pk),
        {
            "version": case.version,
            "conclusions": "Yêu cầu Sở Nội vụ rút kinh nghiệm.",
            "concluded_on": d(dt.date(2026, 7, 15)),
        },
    )
    case.refresh_from_db()
    assert (case.status, case.concluded_on) == ("closed", dt.date(2026, 7, 15))
    response = client.post(url("finding_create", case.pk), finding)
    assert response.status_code == 403  # a concluded case is closed to edits


def test_the_case_list_shows_own_cases_and_all_cases_to_an_admin(
    client, users, case, other_inspector, units
):
    other = services.open_inspection_case(
        inspector=other_inspector,
        unit=units.ccvc,
        title="Vụ việc của người khác",
        period_from=PERIOD[0],
        period_to=PERIOD[1],
    )
    page = log_in(client, users.inspector).get(url("inspection_case_list"))
    assert case.title in page.text and other.title not in page.text
    page = log_in(client, users.admin).get(url("inspection_case_list"))
    assert case.title in page.text and other.title in page.text
    page = client.get(url("inspection_case_detail", case.pk))
    assert page.status_code == 200 and "finding-form" not in page.text


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_the_inspector_downloads_the_pdf_report(client, users, drives, case):
    services.add_finding(
        case=case,
        text="Thông báo tuyển dụng chỉ cho 15 ngày nhận hồ sơ",
        actor=users.inspector,
        severity="high",
        record_type="recruitment.recruitmentdrive",
        record_id=drives[0].pk,
        flag_code="notice.window_short",
    )
    response = log_in(client, users.inspector).get(
        url("inspection_report_pdf", case.pk)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _text(response.content)
    assert "BÁO CÁO" in text
    assert "Kết quả thanh tra" in text
    assert "Thông báo tuyển dụng chỉ cho 15 ngày nhận hồ sơ" in text
    assert "notice.window_short" in text
    assert "Sổ nhật ký toàn vẹn" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in PdfReader(io.BytesIO(response.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Liberation" in font for font in fonts)
    log_in(client, users.hr)
    assert client.get(url("inspection_report_pdf", case.pk)).status_code == 404
