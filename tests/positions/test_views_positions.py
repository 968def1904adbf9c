"""Job position screens: list, detail, create, edit (optimistic lock), competencies,
vacancies."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from hrms.models import AccessLog, LedgerEntry
from hrms.rules import check_version
from positions import services
from positions.models import Competency, JobPosition, PositionCompetency
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def _reference_data(db):
    make_reference_data()


def _holder(unit, position, grade="01.003", name="Nguyễn Văn An", **assignment):
    employee = make_employee(unit, full_name=name)
    make_grade_step(employee, grade, 2, effective_on=LONG_AGO)
    make_assignment(employee, position, starts_on=LONG_AGO, **assignment)
    return employee


def _form_data(position: JobPosition | None = None, **overrides) -> dict:
    data = {
        "unit_code": "P01-SNV-CCVC",
        "code": "CCVC-CV01",
        "title": "Chuyên viên quản lý công chức",
        "group": "professional",
        "grade": "",
        "headcount": "3",
        "job_description": "Theo dõi hồ sơ công chức.",
        "approval_decision_number": "15/QĐ-UBND",
        "approval_decided_on": "05/03/2026",
        "approval_signer": "Lê Văn Bình",
        "is_active": "on",
    }
    if position is not None:
        data |= {
            "unit_code": position.unit.code,
            "code": position.code,
            "title": position.title,
            "group": position.group,
            "grade": str(position.grade_id),
            "headcount": str(position.headcount),
            "version": str(position.version),
        }
    return data | overrides


def _grade_id(code: str) -> str:
    from positions.models import Grade

    return str(Grade.objects.get(code=code).pk)


# List ----------------------------------------------------------------------


def test_position_list_sends_anonymous_visitors_to_login(client):
    url = reverse("positions:position_list")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_position_list_is_403_for_a_counter_officer(client, users):
    client.force_login(users.counter)
    assert client.get(reverse("positions:position_list")).status_code == 403


def test_position_list_refuses_post(client, users):
    client.force_login(users.hr)
    assert client.post(reverse("positions:position_list")).status_code == 405


def test_position_list_shows_only_the_scope(client, users, units):
    make_position(units.snv, "SNV-CV", title="Chuyên viên tổ chức")
    make_position(units.syt, "SYT-CV", title="Chuyên viên y tế")
    client.force_login(users.hr)
    response = client.get(reverse("positions:position_list"))
    assertContains(response, "SNV-CV")
    assertNotContains(response, "SYT-CV")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "văn thư"}, {"CCVC-VT"}),
        ({"q": "VAN THU"}, {"CCVC-VT"}),
        ({"q": "chuyen vien to"}, {"SNV-CV"}),
        ({"q": "snv-"}, {"SNV-CV"}),
        ({"unit": "P01-SNV"}, {"SNV-CV", "CCVC-VT", "CCVC-OLD"}),
        ({"unit": "P01-SNV-CCVC"}, {"CCVC-VT", "CCVC-OLD"}),
        ({"group": "support"}, {"CCVC-VT"}),
        ({"grade": "01.005"}, {"CCVC-VT"}),
        ({"is_active": "0"}, {"CCVC-OLD"}),
        ({"is_active": "1", "unit": "P01-SNV-CCVC"}, {"CCVC-VT"}),
        ({"unit": "P01-SYT"}, set()),
    ],
)
def test_position_list_searches_and_filters(client, users, units, query, expected):
    make_position(units.snv, "SNV-CV", title="Chuyên viên tổ chức")
    make_position(
        units.ccvc, "CCVC-VT", title="Văn thư", grade="01.005", group="support"
    )
    make_position(units.ccvc, "CCVC-OLD", title="Vị trí cũ", is_active=False)
    make_position(units.syt, "SYT-CV", title="Chuyên viên y tế")
    client.force_login(users.hr)
    response = client.get(reverse("positions:position_list"), query)
    shown = {position.code for position in response.context["page"]}
    assert shown == expected


def test_position_list_says_when_a_unit_code_is_not_in_scope(client, users, units):
    client.force_login(users.hr)
    response = client.get(reverse("positions:position_list"), {"unit": "P01-SYT"})
    assert response.context["filter"].unknown_unit == "P01-SYT"


def test_position_list_shows_fill_figures(client, users, units):
    position = make_position(units.ccvc, "CCVC-CV", headcount=1)
    _holder(units.ccvc, position)
    _holder(units.ccvc, position)
    client.force_login(users.hr)
    response = client.get(reverse("positions:position_list"))
    row = response.context["page"][0]
    assert (row.headcount, row.filled, row.vacant, row.over_quota) == (1, 2, 0, 1)
    assertContains(response, 'class="table-danger"')


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("positions:position_list", {}),
        ("positions:position_list", {"unit": "P01-SNV", "grade": "01.003"}),
        ("positions:vacancy_list", {}),
        ("positions:vacancy_list", {"unit": "P01-SNV-CCVC", "q": "CCVC"}),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(
    client, users, units, url_name, params
):
    def add_positions(count: int, start: int) -> None:
        for n in range(start, start + count):
            position = make_position(units.ccvc, f"CCVC-{n:03d}", headcount=3)
            _holder(units.ccvc, position)

    url = reverse(url_name)
    client.force_login(users.hr)
    add_positions(3, 0)
    small = _count_queries(client, url, params)
    add_positions(40, 3)
    large = _count_queries(client, url, params)
    assert small == large, (small, large)
    assert large <= 20, large


# Detail --------------------------------------------------------------------


@pytest.fixture
def position(units) -> JobPosition:
    position = make_position(
        units.ccvc,
        "CCVC-CV",
        title="Chuyên viên quản lý công chức",
        headcount=3,
        job_description="Theo dõi, quản lý hồ sơ công chức của tỉnh.",
        approval_decision_number="15/QĐ-UBND",
        approval_decided_on=dt.date(2026, 3, 5),
        approval_signer="Lê Văn Bình",
    )
    _holder(units.ccvc, position, "01.003", name="Trần Thị Thuỷ")
    _holder(
        units.ccvc, position, "01.004", name="Phạm Đức Thắng", is_transition_case=True
    )
    services.set_position_competencies(
        position=position, levels={"Soạn thảo văn bản": 4, "Tin học": 3}
    )
    return position


def test_position_detail_sends_anonymous_visitors_to_login(client, position):
    url = reverse("positions:position_detail", args=[position.pk])
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_position_detail_is_404_outside_the_scope(client, users, position):
    client.force_login(users.other_manager)
    url = reverse("positions:position_detail", args=[position.pk])
    assert client.get(url).status_code == 404


def test_position_detail_is_404_for_a_staff_member(client, users, position):
    client.force_login(users.staff)
    url = reverse("positions:position_detail", args=[position.pk])
    assert client.get(url).status_code == 404


def test_position_detail_shows_the_whole_position(client, users, position):
    client.force_login(users.hr)
    response = client.get(reverse("positions:position_detail", args=[position.pk]))
    page = response.content.decode()
    assert response.context["position"].filled == 2
    assert response.context["position"].vacant == 1
    for text in (
        "Chuyên viên quản lý công chức",
        "Trần Thị Thuỷ",
        "Phạm Đức Thắng",
        "01.004",
        "Soạn thảo văn bản",
        "4/5",
        "Tin học",
        "3/5",
        "15/QĐ-UBND",
        "05/03/2026",
        "Lê Văn Bình",
        "Theo dõi, quản lý hồ sơ công chức của tỉnh.",
    ):
        assert text in page, text
    holders = {h.full_name: h for h in response.context["holders"]}
    assert holders["Phạm Đức Thắng"].current_grade_code == "01.004"
    assert holders["Phạm Đức Thắng"].is_transition_case is True
    assert holders["Trần Thị Thuỷ"].current_step == 2
    assertContains(response, reverse("positions:position_update", args=[position.pk]))


def test_position_detail_is_read_only_for_a_manager(client, users, position):
    client.force_login(users.manager)
    response = client.get(reverse("positions:position_detail", args=[position.pk]))
    assert response.status_code == 200
    assertNotContains(
        response, reverse("positions:position_update", args=[position.pk])
    )
    assertNotContains(
        response, reverse("positions:position_competencies", args=[position.pk])
    )


def test_position_detail_logs_an_inspector_read(client, users, position):
    client.force_login(users.inspector)
    url = reverse("positions:position_detail", args=[position.pk])
    assert client.get(url).status_code == 200
    entry = AccessLog.objects.get(user=users.inspector)
    assert entry.object_type == "positions.jobposition"
    assert entry.object_id == str(position.pk)
    assert entry.path == url


def test_position_detail_logs_no_read_for_hr(client, users, position):
    client.force_login(users.hr)
    client.get(reverse("positions:position_detail", args=[position.pk]))
    assert not AccessLog.objects.exists()


# Create --------------------------------------------------------------------


def test_position_create_sends_anonymous_visitors_to_login(client, db):
    url = reverse("positions:position_create")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_position_create_is_403_for_a_manager(client, users, units):
    client.force_login(users.manager)
    url = reverse("positions:position_create")
    assert client.get(url).status_code == 403
    assert client.post(url, _form_data(grade=_grade_id("01.003"))).status_code == 403
    assert not JobPosition.objects.exists()


def test_position_create_creates_a_position(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:position_create"), _form_data(grade=_grade_id("01.003"))
    )
    position = JobPosition.objects.get(code="CCVC-CV01")
    assertRedirects(response, reverse("positions:position_detail", args=[position.pk]))
    assert position.unit == units.ccvc
    assert position.grade.code == "01.003"
    assert position.headcount == 3
    assert position.approval_decided_on == dt.date(2026, 3, 5)
    assert position.version == 1
    assert LedgerEntry.objects.filter(action="position.create").count() == 1


def test_position_create_refuses_a_unit_outside_the_scope(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:position_create"),
        _form_data(unit_code="P01-SYT", grade=_grade_id("01.003")),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit_code"]
    assert not JobPosition.objects.exists()


def test_position_create_shows_a_rule_refusal_on_its_field(client, users, units):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:position_create"),
        _form_data(group="shared_professional", grade=_grade_id("01.003")),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["group"]
    assert not JobPosition.objects.exists()


# Update --------------------------------------------------------------------


def test_position_update_sends_anonymous_visitors_to_login(client, position):
    url = reverse("positions:position_update", args=[position.pk])
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_position_update_is_403_for_a_manager(client, users, position):
    client.force_login(users.manager)
    url = reverse("positions:position_update", args=[position.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, _form_data(position, headcount="9"))
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.headcount == 3


def test_position_update_is_404_outside_the_scope(client, users, position):
    client.force_login(users.other_manager)
    url = reverse("positions:position_update", args=[position.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form_data(position)).status_code == 404


def test_position_update_form_carries_the_version(client, users, position):
    client.force_login(users.hr)
    response = client.get(reverse("positions:position_update", args=[position.pk]))
    assertContains(
        response, '<input type="hidden" name="version" value="1"', html=False
    )


def test_position_update_saves_with_the_version(client, users, position):
    client.force_login(users.hr)
    response = client.post(
        reverse("positions:position_update", args=[position.pk]),
        _form_data(position, headcount="4", title="Chuyên viên chính"),
    )
    assertRedirects(response, reverse("positions:position_detail", args=[position.pk]))
    position.refresh_from_db()
    assert (position.headcount, position.title, position.version) == (
        4,
        "Chuyên viên chính",
        2,
    )
    change = LedgerEntry.objects.get(action="position.headcount_change")
    assert json.loads(change.payload)["new_headcount"] == 4


def test_position_update_refuses_a_stale_version(client, users, position):
    client.force_login(users.hr)
    url = reverse("positions:position_update", args=[position.pk])
    opened = _form_data(position)  # the form as the user opened it, version 1
    services.update_position(position, expected_version=1, headcount=5)
    response = client.post(url, opened | {"title": "Tên tôi vừa gõ"})
    assert response.status_code == 200
    with translation.override("vi"):
        message = check_version(2, 1).message
    assertContains(response, escape(message))
    assertContains(response, 'value="Tên tôi vừa gõ"')
    position.refresh_from_db()
    assert (position.title, position.headcount, position.version) == (
        "Chuyên viên quản lý công chức",
        5,
        2,
    )


# Competencies --------------------------------------------------------------


def _competency_data(rows: list[tuple[str, str]], total: int = 4) -> dict:
    data = {"form-TOTAL_FORMS": str(total), "form-INITIAL_FORMS": "0"}
    for i in range(total):
        name, level = rows[i] if i < len(rows) else ("", "")
        data[f"form-{i}-name"] = name
        data[f"form-{i}-required_level"] = level
    return data


def test_position_competencies_sends_anonymous_visitors_to_login(client, position):
    url = reverse("positions:position_competencies", args=[position.pk])
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_position_competencies_is_403_for_a_manager(client, users, position):
    client.force_login(users.manager)
    url = reverse("positions:position_competencies", args=[position.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, _competency_data([("Ngoại ngữ", "2")]))
    assert response.status_code == 403
    assert position.competencies.count() == 2


def test_position_competencies_is_404_outside_the_scope(client, users, position):
    client.force_login(users.other_manager)
    url = reverse("positions:position_competencies", args=[position.pk])
    assert client.get(url).status_code == 404


def test_position_competencies_replaces_the_framework(client, users, position):
    client.force_login(users.hr)
    url = reverse("positions:position_competencies", args=[position.pk])
    page = client.get(url).content.decode()
    assert 'value="Soạn thảo văn bản"' in page
    response = client.post(
        url, _competency_data([("Soạn thảo văn bản", "5"), ("Ngoại ngữ", "2")])
    )
    assertRedirects(response, reverse("positions:position_detail", args=[position.pk]))
    levels = dict(
        PositionCompetency.objects.filter(position=position).values_list(
            "competency__name", "required_level"
        )
    )
    assert levels == {"Soạn thảo văn bản": 5, "Ngoại ngữ": 2}
    assert Competency.objects.filter(name="Ngoại ngữ").exists()


@pytest.mark.parametrize(
    "rows",
    [
        [("Ngoại ngữ", "")],  # no level
        [("Ngoại ngữ", "6")],  # beyond 5
        [("Ngoại ngữ", "2"), ("ngoại ngữ", "3")],  # twice
    ],
)
def test_position_competencies_refuses_bad_rows(client, users, position, rows):
    client.force_login(users.hr)
    url = reverse("positions:position_competencies", args=[position.pk])
    response = client.post(url, _competency_data(rows))
    assert response.status_code == 200
    assert not response.context["formset"].is_valid()
    assert position.competencies.count() == 2


# Vacancies -----------------------------------------------------------------


def test_vacancy_list_sends_anonymous_visitors_to_login(client):
    url = reverse("positions:vacancy_list")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")


def test_vacancy_list_is_403_for_a_staff_member(client, users):
    client.force_login(users.staff)
    assert client.get(reverse("positions:vacancy_list")).status_code == 403


def test_vacancy_list_refuses_post(client, users):
    client.force_login(users.hr)
    assert client.post(reverse("positions:vacancy_list")).status_code == 405


def test_vacancy_list_lists_free_seats_in_scope(client, users, units):
    free = make_position(units.ccvc, "CCVC-FREE", headcount=3)
    _holder(units.ccvc, free)
    full = make_position(units.ccvc, "CCVC-FULL", headcount=1)
    _holder(units.ccvc, full)
    make_position(units.ccvc, "CCVC-CLOSED", headcount=2, is_active=False)
    make_position(units.syt, "SYT-FREE", headcount=2)
    client.force_login(users.hr)
    response = client.get(reverse("positions:vacancy_list"))
    rows = {p.code: p.vacant for p in response.context["page"]}
    assert rows == {"CCVC-FREE": 2}
