"""The task register screens: my tasks, my team's tasks, a task's progress,
review and objective-cause forms, and the reform (CCHC) plans.

    S101 Bùi Thị Lan     P01-SNV-CCVC  staff1's personnel file
    S102 Ngô Văn Hải     P01-SNV-CCVC  a colleague (no account)
    S103 Trần Minh Đức   P01-SNV-CCVC  manager1's own personnel file
    S201 Lê Thu Hà       P01-SYT       another department (manager2's)

T-LATE is due Fri 13/03/2026 and was done Thu 19/03: four working days late
(16, 17, 18, 19 March).
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appraisals.models import ObjectiveCauseWaiver, ReformPlan, Task
from hrms.models import AccessLog, LedgerEntry
from tests.factories import make_employee, make_scoring_rules, make_task

pytestmark = pytest.mark.django_db

D = dt.date
CITATION = "Decree 335/2025/NĐ-CP Art 14"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def people(units, users):
    make_scoring_rules()
    lan = make_employee(
        units.ccvc, "S101", full_name="Bùi Thị Lan", gender="F", user=users.staff
    )
    hai = make_employee(units.ccvc, "S102", full_name="Ngô Văn Hải")
    duc = make_employee(
        units.ccvc, "S103", full_name="Trần Minh Đức", user=users.manager
    )
    ha = make_employee(units.syt, "S201", full_name="Lê Thu Hà", gender="F")
    return type("People", (), {"lan": lan, "hai": hai, "duc": duc, "ha": ha})


@pytest.fixture
def tasks(people):
    late = make_task(
        people.lan,
        "T-LATE",
        title="Báo cáo tuyển dụng quý I",
        due_on=D(2026, 3, 13),
        completed_on=D(2026, 3, 19),
        quality_defects=1,
        has_objective_cause=True,
    )
    make_task(people.lan, "T-Q2", period="2026-Q2", due_on=D(2026, 6, 15))
    make_task(people.lan, "T-APR", period="2026-04", due_on=D(2026, 4, 20))
    make_task(people.hai, "T-HAI", title="Rà soát hồ sơ")
    make_task(people.duc, "T-DUC", title="Chủ trì họp giao ban")
    make_task(people.ha, "T-HA", title="Kế hoạch y tế")
    return late


def login(client, user):
    client.force_login(user)
    return client


def codes(response) -> list[str]:
    return [task.code for task in response.context["page"]]


# My tasks ----------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client):
    url = reverse("tasks:task_mine")
    assertRedirects(client.get(url), f"{reverse('login')}?next={url}")


def test_staff_see_only_their_own_tasks(client, users, tasks):
    response = login(client, users.staff).get(
        reverse("tasks:task_mine"), {"year": 2026}
    )
    assert codes(response) == ["T-LATE", "T-APR", "T-Q2"]
    row = response.context["page"][0]
    assert (row.late_days, row.quality_defects, row.waived) == (4, 1, set())
    assertContains(response, "13/03/2026")
    assertContains(response, "claimed, awaiting approval")
    assertNotContains(response, "T-HAI")


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-03", ["T-LATE"]),
        ("2026-Q2", ["T-APR", "T-Q2"]),
        ("", ["T-LATE", "T-APR", "T-Q2"]),
    ],
)
def test_my_tasks_filter_by_month_or_quarter(client, users, tasks, period, expected):
    response = login(client, users.staff).get(
        reverse("tasks:task_mine"), {"year": 2026, "period": period}
    )
    assert codes(response) == expected


def test_my_tasks_filter_by_state(client, users, tasks):
    response = login(client, users.staff).get(
        reverse("tasks:task_mine"), {"year": 2026, "state": "late"}
    )
    assert codes(response) == ["T-LATE"]


def test_a_user_without_a_personnel_file_is_told_so(client, users):
    response = login(client, users.hr).get(reverse("tasks:task_mine"))
    assertContains(response, "not linked to a personnel file")


def test_staff_cannot_open_a_colleagues_task_or_the_team_list(client, users, tasks):
    login(client, users.staff)
    hai_task = Task.objects.get(code="T-HAI")
    assert (
        client.get(reverse("tasks:task_detail", args=[hai_task.pk])).status_code == 404
    )
    assert client.get(reverse("tasks:task_team")).status_code == 403
    response = client.post(
        reverse("tasks:task_progress", args=[hai_task.pk]),
        {"completed_on": "10/03/2026"},
    )
    assert response.status_code == 404


def test_the_assignee_reports_progress_with_a_dd_mm_yyyy_date(client, users, tasks):
    task = Task.objects.get(code="T-APR")
    login(client, users.staff)
    page = client.get(reverse("tasks:task_detail", args=[task.pk]))
    stamp = page.context["progress_form"].initial["stamp"]
    assert "review_form" not in page.context and "waiver_form" not in page.context
    response = client.post(
        reverse("tasks:task_progress", args=[task.pk]),
        {
            "stamp": stamp,
            "completed_on": "22/04/2026",
            "has_objective_cause": "on",
            "note": "Chờ số liệu của Sở Tài chính",
        },
    )
    assertRedirects(response, reverse("tasks:task_detail", args=[task.pk]))
    task.refresh_from_db()
    assert (task.completed_on, task.has_objective_cause, task.note) == (
        D(2026, 4, 22),
        True,
        "Chờ số liệu của Sở Tài chính",
    )
    response = client.get(reverse("tasks:task_detail", args=[task.pk]))
    assert response.context["task"].late_days == 2  # Tue 21, Wed 22


def test_progress_over_someone_elses_change_is_refused(client, users, tasks):
    task = Task.objects.get(code="T-APR")
    login(client, users.staff)
    page = client.get(reverse("tasks:task_detail", args=[task.pk]))
    stamp = page.context["progress_form"].initial["stamp"]
    task.note = "changed meanwhile"
    task.save()
    response = client.post(
        reverse("tasks:task_progress", args=[task.pk]),
        {"stamp": stamp, "completed_on": "20/04/2026"},
    )
    assert response.status_code == 200
    assertContains(response, "changed by someone else since you opened it")
    task.refresh_from_db()
    assert task.completed_on is None


def test_a_completion_date_in_a_bad_format_is_refused(client, users, tasks):
    task = Task.objects.get(code="T-APR")
    response = login(client, users.staff).post(
        reverse("tasks:task_progress", args=[task.pk]), {"completed_on": "2026/20/04"}
    )
    assert response.context["progress_form"].errors["completed_on"] == [
        "Enter a valid date."
    ]


def test_a_manager_cannot_report_someone_elses_progress(client, users, tasks):
    task = Task.objects.get(code="T-HAI")
    response = login(client, users.manager).post(
        reverse("tasks:task_progress", args=[task.pk]), {"completed_on": "10/03/2026"}
    )
    assert response.status_code == 403


# My team's tasks ---------------------------------------------------------------------


def test_a_manager_sees_the_tasks_of_the_units_they_lead(client, users, tasks):
    response = login(client, users.manager).get(
        reverse("tasks:task_team"), {"year": 2026}
    )
    assert sorted(codes(response)) == ["T-APR", "T-DUC", "T-HAI", "T-LATE", "T-Q2"]
    assert response.context["can_assign"]
    assertContains(response, 'id="tasks-menu"')


def test_the_team_list_searches_by_person_and_unit(client, users, tasks):
    login(client, users.admin)
    url = reverse("tasks:task_team")
    assert codes(client.get(url, {"year": 2026, "assignee": "thu hà"})) == ["T-HA"]
    assert codes(client.get(url, {"year": 2026, "assignee": "s102"})) == ["T-HAI"]
    response = client.get(url, {"year": 2026, "unit": "P01-SYT"})
    assert codes(response) == ["T-HA"]


def test_a_unit_outside_the_scope_is_not_found(client, users, tasks):
    login(client, users.other_manager)
    assert (
        client.get(reverse("tasks:task_team"), {"unit": "P01-SNV-CCVC"}).status_code
        == 404
    )
    task = Task.objects.get(code="T-HAI")
    assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 404
    assert client.post(reverse("tasks:task_review", args=[task.pk])).status_code == 404


def test_the_team_list_is_paginated(client, users, people):
    Task.objects.bulk_create(
        Task(
            code=f"T-{n:03d}",
            assignee=people.hai,
            period="2026-05",
            title="Việc",
            due_on=D(2026, 5, 20),
        )
        for n in range(55)
    )
    response = login(client, users.manager).get(
        reverse("tasks:task_team"), {"year": 2026, "page": 2}
    )
    assert codes(response) == [f"T-{n:03d}" for n in range(50, 55)]
    assertContains(response, "Page 2 of 2")


def test_an_inspector_reads_the_team_tasks_but_cannot_change_them(client, users, tasks):
    login(client, users.inspector)
    task = Task.objects.get(code="T-HAI")
    assert client.get(reverse("tasks:task_team")).status_code == 200
    response = client.get(reverse("tasks:task_detail", args=[task.pk]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        user=users.inspector, object_id=str(task.pk)
    ).exists()
    for name in ("task_review", "task_waive"):
        assert client.post(reverse(f"tasks:{name}", args=[task.pk])).status_code == 403
    assert client.post(reverse("tasks:task_create"), {}).status_code == 403


# Assigning ---------------------------------------------------------------------------

GOOD_TASK = {
    "assignee": "S102",
    "code": "T-2026-05-01",
    "period": "2026-05",
    "title": "Tổng hợp báo cáo biên chế",
    "due_on": "29/05/2026",
    "weight": "1.5",
}


def test_a_manager_assigns_a_task(client, users, people):
    response = login(client, users.manager).post(
        reverse("tasks:task_create"), GOOD_TASK
    )
    task = Task.objects.get(code="T-2026-05-01")
    assertRedirects(response, reverse("tasks:task_detail", args=[task.pk]))
    assert (task.assignee, task.due_on, str(task.weight), task.assigner) == (
        people.hai,
        D(2026, 5, 29),
        "1.50",
        people.duc,
    )
    assert task.assigned_by == users.manager


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"weight": "0"}, "weight", "greater than or equal to 0.01"),
        (
            {"weight": "10000"},
            "weight",
            "no more than 4 digits before the decimal point",
        ),
        ({"weight": "-1"}, "weight", "greater than or equal to 0.01"),
        ({"due_on": "2026-05-29"}, None, None),  # ISO is accepted too
        ({"due_on": "29-05-2026"}, "due_on", "Enter a valid date."),
        ({"due_on": "30/04/2026"}, "due_on", "before the task's period"),
        ({"period": "2026-13"}, "period", "is not a period"),
        ({"assignee": "S201"}, "assignee", "No employee S201 in the units you lead."),
    ],
)
def test_the_assign_form_refuses_bad_input(
    client, users, people, change, field, message
):
    response = login(client, users.manager).post(
        reverse("tasks:task_create"), {**GOOD_TASK, **change}
    )
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Task.objects.filter(code="T-2026-05-01").exists()


def test_a_duplicate_task_code_is_refused(client, users, tasks):
    response = login(client, users.manager).post(
        reverse("tasks:task_create"), {**GOOD_TASK, "code": "T-HAI"}
    )
    assert "code" in response.context["form"].errors


# Review and waivers ------------------------------------------------------------------


def test_a_manager_reviews_a_task(client, users, tasks):
    task = Task.objects.get(code="T-HAI")
    login(client, users.manager)
    page = client.get(reverse("tasks:task_detail", args=[task.pk]))
    stamp = page.context["review_form"].initial["stamp"]
    response = client.post(
        reverse("tasks:task_review", args=[task.pk]),
        {
            "stamp": stamp,
            "quality_defects": "2",
            "is_above_standard": "on",
            "note": "Sai số liệu",
        },
    )
    assertRedirects(response, reverse("tasks:task_detail", args=[task.pk]))
    task.refresh_from_db()
    assert (task.quality_defects, task.is_above_standard, task.note) == (
        2,
        True,
        "Sai số liệu",
    )


def test_a_negative_defect_count_is_refused_with_the_rule(client, users, tasks):
    task = Task.objects.get(code="T-HAI")
    response = login(client, users.manager).post(
        reverse("tasks:task_review", args=[task.pk]), {"quality_defects": "-1"}
    )
    assert response.context["review_form"].errors["quality_defects"] == [
        "Failed quality checks cannot be negative."
    ]


def test_a_manager_approves_an_objective_cause(client, users, tasks):
    response = login(client, users.manager).post(
        reverse("tasks:task_waive", args=[tasks.pk]),
        {"kind": "timeliness", "reason": "Chờ ý kiến của Bộ Nội vụ"},
    )
    assertRedirects(response, reverse("tasks:task_detail", args=[tasks.pk]))
    waiver = ObjectiveCauseWaiver.objects.get(task=tasks)
    assert (waiver.kind, waiver.approved_by) == ("timeliness", users.manager)
    assert LedgerEntry.objects.filter(action="task.waive").count() == 1
    response = login(client, users.staff).get(
        reverse("tasks:task_mine"), {"year": 2026}
    )
    assert response.context["page"][0].waived == {"timeliness"}
    assertContains(response, "delay waived")


def test_a_waiver_on_ones_own_task_is_refused_with_its_citation(client, users, tasks):
    own = Task.objects.get(code="T-DUC")
    response = login(client, users.manager).post(
        reverse("tasks:task_waive", args=[own.pk]),
        {"kind": "quality", "reason": "Lý do khách quan"},
    )
    assert response.status_code == 200
    assertContains(response, "cannot be approved from the account of the person")
    assertContains(response, CITATION)
    assert not ObjectiveCauseWaiver.objects.exists()


def test_a_waiver_needs_a_reason_and_is_given_once(client, users, tasks):
    login(client, users.manager)
    url = reverse("tasks:task_waive", args=[tasks.pk])
    response = client.post(url, {"kind": "quality", "reason": ""})
    assert "reason" in response.context["waiver_form"].errors
    client.post(url, {"kind": "quality", "reason": "Mất điện"})
    response = client.post(url, {"kind": "quality", "reason": "Mất điện"})
    assertContains(response, "already waived")
    assert ObjectiveCauseWaiver.objects.count() == 1


def test_hr_reads_tasks_but_cannot_waive(client, users, tasks):
    login(client, users.hr)
    assert client.get(reverse("tasks:task_detail", args=[tasks.pk])).status_code == 200
    response = client.post(
        reverse("tasks:task_waive", args=[tasks.pk]), {"kind": "quality", "reason": "x"}
    )
    assert response.status_code == 403


# Reform plans ------------------------------------------------------------------------


@pytest.fixture
def plan(client, users, units):
    login(client, users.manager)
    response = client.post(
        reverse("tasks:reform_plan_create"),
        {
            "unit": "P01-SNV-CCVC",
            "year": "2026",
            "title": "Kế hoạch CCHC năm 2026",
            "decision_number": "12/QĐ-CCVC",
            "decided_on": "15/01/2026",
        },
    )
    plan = ReformPlan.objects.get()
    assertRedirects(response, reverse("tasks:reform_plan_detail", args=[plan.pk]))
    assert plan.decided_on == D(2026, 1, 15)
    return plan


def test_a_second_plan_for_the_year_is_refused(client, users, plan):
    response = client.post(
        reverse("tasks:reform_plan_create"), {"unit": "P01-SNV-CCVC", "year": "2026"}
    )
    assertContains(response, "This unit has a reform plan for the year.")


def test_a_plan_outside_the_scope_is_refused_or_not_found(client, users, plan):
    response = client.post(
        reverse("tasks:reform_plan_create"), {"unit": "P01-SYT", "year": "2026"}
    )
    assertContains(response, "No unit P01-SYT among the units you may plan for.")
    login(client, users.other_manager)
    url = reverse("tasks:reform_plan_detail", args=[plan.pk])
    assert client.get(url).status_code == 404
    login(client, users.staff)
    assert client.get(reverse("tasks:reform_plan_list")).status_code == 403


def test_a_plan_gets_items_and_linked_tasks(client, users, people, tasks, plan):
    url = reverse("tasks:reform_item_create", args=[plan.pk])
    response = client.post(
        url,
        {
            "title": "Số hóa hồ sơ công chức",
            "responsible_unit": "P01-SNV-CCVC",
            "responsible_person": "S101",
            "due_on": "30/06/2026",
        },
    )
    assertRedirects(response, reverse("tasks:reform_plan_detail", args=[plan.pk]))
    item = plan.items.get()
    assert (item.responsible_person, item.due_on) == (people.lan, D(2026, 6, 30))
    response = client.post(url, {"title": "…", "responsible_unit": "P01-SYT"})
    assertContains(response, "The responsible unit is outside the plan&#x27;s unit.")

    link = reverse("tasks:reform_task_link", args=[item.pk])
    assertRedirects(
        client.post(link, {"task": "T-LATE"}),
        reverse("tasks:reform_plan_detail", args=[plan.pk]),
    )
    make_task(people.lan, "T-2027", period="2027-01")
    assertContains(client.post(link, {"task": "T-2027"}), "not in the plan&#x27;s year")
    assertContains(
        client.post(link, {"task": "T-HA"}), "No task T-HA in the plan&#x27;s unit."
    )

    response = client.get(reverse("tasks:reform_plan_detail", args=[plan.pk]))
    [row] = response.context["items"]
    assert (row.assigned, row.completed, row.on_time) == (1, 1, 0)
    assertContains(response, "completed late")
    response = client.get(reverse("tasks:reform_plan_list"), {"year": 2026})
    [listed] = response.context["page"]
    assert (listed.item_count, listed.assigned, listed.completed) == (1, 1, 1)


def test_an_inspector_reads_plans_but_cannot_change_them(client, users, plan):
    login(client, users.inspector)
    assert client.get(reverse("tasks:reform_plan_list")).status_code == 200
    url = reverse("tasks:reform_plan_detail", args=[plan.pk])
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(object_type="appraisals.reformplan").exists()
    response = client.post(
        reverse("tasks:reform_item_create", args=[plan.pk]),
        {"title": "x", "responsible_unit": "P01-SNV-CCVC"},
    )
    assert response.status_code == 403
    assert client.get(reverse("tasks:reform_plan_create")).status_code == 403


def test_the_team_list_costs_the_same_queries_for_more_rows(
    client, users, units, people, django_assert_max_num_queries
):
    login(client, users.manager)
    url, query = reverse("tasks:task_team"), {"year": 2026}

    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            person = make_employee(units.ccvc)
            task = make_task(person, f"T-{i:03d}", completed_on=D(2026, 3, 25))
            ObjectiveCauseWaiver.objects.create(
                task=task,
                kind="timeliness",
                reason="Mất điện",
                approved_by=users.admin,
                approved_on=D(2026, 3, 26),
            )

    add(2, 0)
    client.get(url, query)
    with CaptureQueriesContext(connection) as small:
        client.get(url, query)
    add(30, 2)
    with django_assert_max_num_queries(len(small)):
        response = client.get(url, query)
    assert len(response.context["page"]) == 32
    assert all(row.waived == {"timeliness"} for row in response.context["page"])


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("task_team", []),
        ("task_create", []),
        ("task_detail", [1]),
        ("reform_plan_list", []),
        ("reform_plan_create", []),
        ("reform_plan_detail", [1]),
        ("dashboard", []),
        ("dashboard_xlsx", []),
    ],
)
def test_every_screen_needs_a_login(client, name, args):
    url = reverse(f"tasks:{name}", args=args)
    assertRedirects(client.get(url), f"{reverse('login')}?next={url}")


@pytest.mark.parametrize(
    "name", ["task_progress", "task_review", "task_waive", "reform_item_create"]
)
def test_the_forms_take_posts_only(client, users, tasks, name):
    response = login(client, users.admin).get(reverse(f"tasks:{name}", args=[tasks.pk]))
    assert response.status_code == 405


def test_the_menu_shows_staff_their_tasks_only(client, users, people):
    response = login(client, users.staff).get(reverse("tasks:task_mine"))
    assertContains(response, 'id="tasks-menu"')
    assertContains(response, reverse("tasks:task_mine"))
    assertNotContains(response, reverse("tasks:task_team"))
    assertNotContains(response, reverse("tasks:dashboard"))
