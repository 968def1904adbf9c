"""Drive screens: list, detail, create and edit, seats, notice proof, the
workflow actions and the council, with their permissions."""

import datetime as dt

import pytest
from django.urls import reverse

from hrms.models import AccessLog, LedgerEntry
from recruitment.models import (
    ConflictHint,
    Council,
    CouncilMember,
    NoticeChannel,
    RecruitmentDrive,
)
from tests.factories import (
    make_assignment,
    make_citizen_id,
    make_employee,
    make_position,
)
from tests.recruitment.conftest import NOTICE
from tests.recruitment.test_drives import (
    CLOSES,
    announce,
    apply,
    close,
    draft,
)

pytestmark = pytest.mark.django_db


def log_in(client, user):
    """The client as `user`, with the English interface (messages asserted)."""
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def url(name: str, *args) -> str:
    return reverse(f"recruitment:{name}", args=args)


# Access ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("drive_list", ()),
        ("drive_create", ()),
        ("drive_detail", (1,)),
        ("drive_council", (1,)),
        ("application_list", (1,)),
        ("merit_list", (1,)),
        ("decision_list", ()),
        ("red_flag_list", ()),
        ("inspection_case_list", ()),
    ],
)
def test_anonymous_users_are_sent_to_the_login_page(client, name, args):
    response = client.get(url(name, *args))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_roles_without_recruitment_get_403(client, users):
    for user in (users.staff, users.counter, users.outsider):
        log_in(client, user)
        assert client.get(url("drive_list")).status_code == 403
        assert client.get(url("drive_create")).status_code == 403


def test_the_list_shows_only_drives_in_scope(client, users, units, position):
    mine = draft(units, position)
    other = RecruitmentDrive.objects.create(
        code="TD-SYT", title="Tuyển dụng Sở Y tế", unit=units.syt, method="exam"
    )
    response = log_in(client, users.hr).get(url("drive_list"))
    assert response.status_code == 200
    assert mine.code in response.text and other.code not in response.text
    assert client.get(url("drive_detail", other.pk)).status_code == 404


def test_a_manager_reads_but_may_not_change(client, users, units, position):
    drive = draft(units, position)
    log_in(client, users.manager)
    # The manager's grant is on P01-SNV-CCVC; the drive belongs to P01-SNV.
    assert client.get(url("drive_detail", drive.pk)).status_code == 404
    ccvc_drive = RecruitmentDrive.objects.create(
        code="TD-CCVC", title="Tuyển dụng phòng", unit=units.ccvc, method="exam"
    )
    response = client.get(url("drive_detail", ccvc_drive.pk))
    assert response.status_code == 200
    assert "announce-form" not in response.text
    assert client.get(url("drive_update", ccvc_drive.pk)).status_code == 403
    response = client.post(
        url("drive_announce", ccvc_drive.pk),
        {"version": ccvc_drive.version, "published_on": d(NOTICE)},
    )
    assert response.status_code == 403


def test_an_inspector_reads_drives_logged_and_may_not_act(
    client, users, units, position
):
    drive = draft(units, position)
    log_in(client, users.inspector)
    response = client.get(url("drive_detail", drive.pk))
    assert response.status_code == 200
    log = AccessLog.objects.get(user=users.inspector)
    assert (log.object_type, log.object_id) == (
        "recruitment.recruitmentdrive",
        str(drive.pk),
    )
    for name, data in (
        ("drive_announce", {"version": drive.version, "published_on": d(NOTICE)}),
        ("drive_advance", {"version": drive.version, "to_status": "round_1"}),
        ("drive_cancel", {"version": drive.version, "reason": "x"}),
        ("results_publish", {"version": drive.version, "published_on": d(NOTICE)}),
        ("drive_channels", {"channel": "mass_media"}),
        ("drive_vacancies", {"position_code": position.code, "number": 1}),
        ("drive_council", {"decision_number": "1"}),
    ):
        assert client.post(url(name, drive.pk), data).status_code == 403, name
    assert client.get(url("drive_update", drive.pk)).status_code == 403
    drive.refresh_from_db()
    assert drive.status == "draft"


@pytest.mark.parametrize(
    "name",
    [
        "drive_announce",
        "drive_advance",
        "drive_cancel",
        "results_publish",
        "council_declare",
        "dossiers_cancel_missed",
    ],
)
def test_actions_are_post_only(client, users, units, position, name):
    drive = draft(units, position)
    assert log_in(client, users.hr).get(url(name, drive.pk)).status_code == 405


# Create and edit ------------------------------------------------------------------


DRIVE_FORM = {
    "unit_code": "P01-SNV",
    "code": "TD-2026-07",
    "title": "Tuyển dụng công chức Sở Nội vụ đợt 2",
    "method": "exam",
    "notice_text": "Sở Nội vụ thông báo tuyển dụng.",
    "conditions": "Tốt nghiệp đại học",
    "contact": "Phòng Tổ chức, 0203 3825 111",
    "applications_open_on": "05/01/2026",
    "applications_close_on": "05/02/2026",
    "schedule_note": "Vòng 1 trên máy tính",
    "is_round_1_computer_based": "on",
    "written_weight": "0.50",
}


def test_hr_creates_a_draft(client, users, units):
    response = log_in(client, users.hr).post(url("drive_create"), DRIVE_FORM)
    drive = RecruitmentDrive.objects.get(code="TD-2026-07")
    assert response.status_code == 302
    assert response.url == url("drive_detail", drive.pk)
    assert (drive.unit, drive.status, drive.created_by) == (
        units.snv,
        "draft",
        users.hr,
    )
    assert drive.applications_close_on == dt.date(2026, 2, 5)


def test_it_refuses_a_unit_outside_the_officers_scope(client, users, units):
    data = {**DRIVE_FORM, "unit_code": "P01-SYT"}
    response = log_in(client, users.hr).post(url("drive_create"), data)
    assert response.status_code == 200
    assert "P01-SYT" in response.context["form"].errors["unit_code"][0]
    assert not RecruitmentDrive.objects.exists()


def test_it_refuses_selection_outside_the_three_groups(client, users, units):
    data = {**DRIVE_FORM, "method": "selection"}
    response = log_in(client, users.hr).post(url("drive_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not RecruitmentDrive.objects.exists()


def test_hr_edits_a_draft_with_the_version_it_opened(client, users, units, position):
    drive = draft(units, position)
    log_in(client, users.hr)
    data = {**DRIVE_FORM, "title": "Tên mới của đợt tuyển", "version": drive.version}
    data.pop("unit_code"), data.pop("code")
    response = client.post(url("drive_update", drive.pk), data)
    assert response.status_code == 302
    drive.refresh_from_db()
    assert drive.title == "Tên mới của đợt tuyển"
    # A second save from the same (now stale) version is refused.
    response = client.post(url("drive_update", drive.pk), {**data, "title": "Khác"})
    assert response.status_code == 200
    assert "changed by someone else" in response.text
    drive.refresh_from_db()
    assert drive.title == "Tên mới của đợt tuyển"


def test_after_the_notice_only_the_schedule_is_editable(client, users, units, position):
    drive = announce(draft(units, position))
    log_in(client, users.hr)
    form = client.get(url("drive_update", drive.pk)).context["form"]
    assert set(form.fields) == {"round_1_on", "round_2_on", "schedule_note", "version"}
    response = client.post(
        url("drive_update", drive.pk),
        {"version": drive.version, "round_1_on": "20/03/2026", "schedule_note": "Mới"},
    )
    assert response.status_code == 302
    drive.refresh_from_db()
    assert (drive.round_1_on, drive.schedule_note) == (dt.date(2026, 3, 20), "Mới")


# Seats and notice proof -----------------------------------------------------------


def test_hr_sets_and_removes_seats_of_a_draft(client, users, units, position):
    drive = draft(units, position)
    other = make_position(units.ccvc, "CCVC-KT", headcount=1)
    log_in(client, users.hr)
    response = client.post(
        url("drive_vacancies", drive.pk), {"position_code": "ccvc-kt", "number": 1}
    )
    assert response.status_code == 302
    vacancy = drive.vacancies.get(position=other)
    response = client.post(url("drive_vacancy_remove", drive.pk, vacancy.pk))
    assert response.status_code == 302
    assert list(drive.vacancies.values_list("position__code", flat=True)) == [
        position.code
    ]


def test_seats_beyond_the_vacant_ones_are_refused_at_the_notice(
    client, users, units, position
):
    for code in ("E1", "E2"):
        make_assignment(make_employee(units.ccvc, code), position)
    drive = draft(units, position)
    response = log_in(client, users.hr).post(
        url("drive_announce", drive.pk),
        {"version": drive.version, "published_on": d(NOTICE)},
        follow=True,
    )
    assert any("0 vacant seats" in m for m in messages_of(response))
    drive.refresh_from_db()
    assert drive.status == "draft"


def test_hr_records_the_proof_of_a_channel(client, users, units, position):
    drive = draft(units, position, channels=("mass_media",))
    response = log_in(client, users.hr).post(
        url("drive_channels", drive.pk),
        {
            "channel": "agency_portal",
            "published_on": d(NOTICE),
            "evidence": "Trang thông tin điện tử Sở Nội vụ",
            "url": "https://snv.example.gov.vn/tb",
        },
    )
    assert response.status_code == 302
    row = NoticeChannel.objects.get(drive=drive, channel="agency_portal")
    assert (row.recorded_by, row.published_on) == (users.hr, NOTICE)


def test_the_notice_is_refused_without_every_channel(client, users, units, position):
    drive = draft(units, position, channels=("mass_media", "office_posting"))
    log_in(client, users.hr)
    detail = client.get(url("drive_detail", drive.pk))
    assert "agency portal" in detail.text  # the check before publishing
    response = client.post(
        url("drive_announce", drive.pk),
        {"version": drive.version, "published_on": d(NOTICE)},
        follow=True,
    )
    assert any("Decree 138/2020/NĐ-CP Art 13" in m for m in messages_of(response))
    drive.refresh_from_db()
    assert (drive.status, drive.published_on) == ("draft", None)
    assert not LedgerEntry.objects.filter(action="recruitment.drive_announce").exists()


def test_hr_publishes_the_notice_and_advances(client, users, units, position):
    drive = draft(units, position)
    log_in(client, users.hr)
    response = client.post(
        url("drive_announce", drive.pk),
        {"version": drive.version, "published_on": d(NOTICE)},
    )
    assert response.status_code == 302
    drive.refresh_from_db()
    assert (drive.status, drive.published_on) == ("announced", NOTICE)
    assert LedgerEntry.objects.filter(action="recruitment.drive_announce").exists()
    apply(drive)
    # The window is still open on its last day.
    response = client.post(
        url("drive_advance", drive.pk),
        {"version": drive.version, "to_status": "applications_closed", "on": d(CLOSES)},
        follow=True,
    )
    assert any("Applications are received until" in m for m in messages_of(response))
    drive.refresh_from_db()
    assert drive.status == "announced"
    response = client.post(
        url("drive_advance", drive.pk),
        {
            "version": drive.version,
            "to_status": "applications_closed",
            "on": d(CLOSES + dt.timedelta(days=1)),
        },
    )
    drive.refresh_from_db()
    assert drive.status == "applications_closed"


def test_hr_cancels_a_drive_with_a_reason(client, users, units, position):
    drive = announce(draft(units, position))
    log_in(client, users.hr)
    response = client.post(
        url("drive_cancel", drive.pk), {"version": drive.version, "reason": ""}
    )
    drive.refresh_from_db()
    assert drive.status == "announced"
    response = client.post(
        url("drive_cancel", drive.pk),
        {"version": drive.version, "reason": "Không còn chỉ tiêu"},
    )
    assert response.status_code == 302
    drive.refresh_from_db()
    assert (drive.status, drive.cancellation_reason) == (
        "cancelled",
        "Không còn chỉ tiêu",
    )


# Council --------------------------------------------------------------------------


@pytest.fixture
def closed_drive(units, position):
    drive = announce(draft(units, position))
    candidates = [
        apply(drive, "Phạm Văn Minh"),
        apply(
            drive,
            "Trần Thị Hoa",
            commune="Xã Hòa Bình",
            gender="F",
            national_id=make_citizen_id("F", 1996),
        ),
    ]
    return close(drive), candidates


def council_form(rows, **overrides):
    data = {
        "decision_number": "15/QĐ-SNV",
        "decided_on": d(CLOSES + dt.timedelta(days=3)),
        "signer": "Giám đốc Sở Nội vụ",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{key}_{i}"] = value
    data.update(overrides)
    return data


def five(**first):
    rows = [
        {"role": "chair", "external": "Đỗ Văn Chủ Tịch"},
        {"role": "vice_chair", "external": "Lê Thị Phó"},
        {"role": "secretary", "external": "Vũ Văn Thư"},
        {"role": "member", "external": "Chuyên gia Một"},
        {"role": "member", "external": "Chuyên gia Hai"},
    ]
    rows[0].update(first)
    return rows


def test_hr_appoints_a_council_of_five(client, users, closed_drive):
    drive, candidates = closed_drive
    log_in(client, users.hr)
    response = client.post(url("drive_council", drive.pk), council_form(five()))
    assert response.status_code == 302
    council = Council.objects.get(drive=drive)
    assert council.members.count() == 5
    page = client.get(url("drive_council", drive.pk))
    assert "Đỗ Văn Chủ Tịch" in page.text
    assert "council-form" not in page.text


def test_a_council_of_four_is_refused_with_the_rule(client, users, closed_drive):
    drive, _candidates = closed_drive
    response = log_in(client, users.hr).post(
        url("drive_council", drive.pk), council_form(five()[:4])
    )
    assert response.status_code == 200
    assert "Decree 170/2025/NĐ-CP Art 8" in response.text
    assert not Council.objects.exists()


def test_a_member_related_to_a_candidate_is_refused(client, users, closed_drive):
    drive, candidates = closed_drive
    rows = five(related=candidates[0].number, relation="parent")
    response = log_in(client, users.hr).post(
        url("drive_council", drive.pk), council_form(rows)
    )
    assert response.status_code == 200
    assert "Phạm Văn Minh" in response.text
    assert not CouncilMember.objects.exists()


def test_an_employee_member_is_typed_by_code_in_scope(
    client, users, units, closed_drive
):
    drive, _candidates = closed_drive
    make_employee(units.snv, "SNV-01", full_name="Trần Quốc Chủ")
    make_employee(units.syt, "SYT-01", full_name="Ngoài Phạm Vi")
    log_in(client, users.hr)
    rows = five(external="", employee="SYT-01")
    response = client.post(url("drive_council", drive.pk), council_form(rows))
    assert response.status_code == 200 and not Council.objects.exists()
    rows = five(external="", employee="snv-01")
    client.post(url("drive_council", drive.pk), council_form(rows))
    assert Council.objects.get().members.get(role="chair").full_name == "Trần Quốc Chủ"


def test_the_chair_dismisses_a_hint_and_a_declaration_removes_a_member(
    client, users, closed_drive
):
    drive, candidates = closed_drive
    log_in(client, users.hr)
    rows = five()
    rows[3] = {"role": "member", "external": "Trần Văn Lân", "commune": "xã Hòa Bình"}
    client.post(url("drive_council", drive.pk), council_form(rows))
    hint = ConflictHint.objects.get()
    page = client.get(url("drive_council", drive.pk))
    assert hint.message in page.text
    client.post(url("hint_resolve", hint.pk), {"is_related": "0", "note": ""})
    hint.refresh_from_db()
    assert hint.status == "open"  # dismissing needs grounds
    client.post(url("hint_resolve", hint.pk), {"is_related": "0", "note": "Khác họ"})
    hint.refresh_from_db()
    assert (hint.status, hint.resolved_by) == ("dismissed", users.hr)

    member = CouncilMember.objects.get(external_name="Chuyên gia Hai")
    client.post(
        url("council_declare", drive.pk),
        {
            "member": member.pk,
            "application_number": candidates[1].number,
            "relation": "sibling",
            "declared_on": d(CLOSES + dt.timedelta(days=4)),
        },
    )
    member.refresh_from_db()
    assert member.removed_on is not None
    response = client.post(
        url("council_member_replace", drive.pk, member.pk),
        {
            "role": "member",
            "external_name": "Chuyên gia Thay",
            "on": d(CLOSES + dt.timedelta(days=5)),
            "reason": "Có quan hệ với thí sinh",
        },
    )
    assert response.status_code == 302
    assert CouncilMember.objects.sitting().count() == 5
