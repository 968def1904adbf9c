"""The task register: tasks, objective-cause waivers (never self-approved), the
unit's reform plan, and the register frozen with a decided rating."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from appraisals import appraisal_selectors as sel
from appraisals import appraisal_services as svc
from appraisals.models import Appraisal, ObjectiveCauseWaiver, Task
from hrms.models import LedgerEntry
from tests.factories import (
    make_cycle,
    make_employee,
    make_scoring_rules,
    make_task,
)

D = dt.date


@pytest.fixture
def lan(units, users):
    make_scoring_rules()
    employee = make_employee(units.ccvc, "S101", full_name="Bùi Thị Lan", gender="F")
    employee.user = users.staff
    employee.save()
    return employee


def assign(lan, **fields):
    values = {
        "code": "T-2026-03-14",
        "assignee": lan,
        "period": "2026-03",
        "title": "Báo cáo tình hình tuyển dụng quý I",
        "due_on": D(2026, 3, 13),
    }
    values.update(fields)
    return svc.assign_task(**values)


def test_it_registers_a_task_with_its_defaults(lan, users):
    task = assign(lan, assigned_by=users.manager, weight="1.5")
    assert (task.weight, task.quality_defects, task.completed_on) == (
        Decimal("1.5"),
        0,
        None,
    )
    assert task.year == 2026 and not task.is_late
    task = svc.update_task_progress(task=task, completed_on=D(2026, 3, 19))
    assert task.is_late
    task = svc.review_task(task=task, quality_defects=2, is_above_standard=False)
    assert Task.objects.get(pk=task.pk).quality_defects == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "2026-Q5"}, "period"),
        ({"weight": 0}, "weight"),
        ({"code": ""}, "code"),
    ],
)
def test_it_refuses_a_bad_task(lan, fields, field):
    with pytest.raises(ValidationError) as caught:
        assign(lan, **fields)
    assert field in caught.value.message_dict


def test_a_waiver_by_the_persons_own_account_is_refused(lan, users):
    task = assign(lan)
    with pytest.raises(ValidationError, match="cannot be approved from the account"):
        svc.approve_objective_cause(
            task=task,
            kind="timeliness",
            reason="Tôi bị ốm",
            approved_by=users.staff,  # Lan's own login
        )
    assert not ObjectiveCauseWaiver.objects.exists()


def test_a_waiver_by_someone_else_is_recorded_once_per_kind(lan, users):
    task = assign(lan)
    waiver = svc.approve_objective_cause(
        task=task,
        kind="timeliness",
        reason="Chờ số liệu của Cục Thống kê",
        approved_by=users.manager,
        approved_on=D(2026, 3, 20),
    )
    assert waiver.approved_by == users.manager
    payload = json.loads(LedgerEntry.objects.get(action="task.waive").payload)
    assert payload == {
        "task": "T-2026-03-14",
        "assignee": "S101",
        "kind": "timeliness",
        "reason": "Chờ số liệu của Cục Thống kê",
        "approved_on": "2026-03-20",
    }
    with pytest.raises(ValidationError, match="already waived"):
        svc.approve_objective_cause(
            task=task, kind="timeliness", reason="…", approved_by=users.manager
        )


def test_the_register_is_frozen_once_the_years_rating_is_decided(lan, units, users):
    task = assign(lan)
    cycle = make_cycle(units.root)
    Appraisal.objects.create(
        cycle=cycle,
        employee=lan,
        unit=lan.unit,
        regime="decree_335_2025",
        rule_version="ND335-2025",
        status=Appraisal.Status.DECIDED,
        decided_level="hoan_thanh_tot",
    )
    for attempt in (
        lambda: assign(lan, code="T-NEW"),
        lambda: svc.update_task_progress(task=task, completed_on=D(2026, 3, 12)),
        lambda: svc.review_task(task=task, quality_defects=1),
        lambda: svc.approve_objective_cause(
            task=task, kind="quality", reason="…", approved_by=users.manager
        ),
    ):
        with pytest.raises(ValidationError, match="only through the outcome"):
            attempt()
    assign(lan, code="T-2027", period="2027-01", due_on=D(2027, 1, 20))  # next year


def test_a_reform_plan_attributes_each_task_to_a_unit_and_a_person(lan, units):
    plan = svc.create_reform_plan(
        unit=units.snv, year=2026, title="Kế hoạch CCHC năm 2026"
    )
    item = svc.add_reform_plan_item(
        plan=plan,
        title="Số hóa hồ sơ công chức",
        responsible_unit=units.ccvc,
        responsible_person=lan,
        due_on=D(2026, 6, 30),
    )
    with pytest.raises(ValidationError, match="outside the plan's unit"):
        svc.add_reform_plan_item(plan=plan, title="…", responsible_unit=units.syt)
    task = svc.link_reform_task(task=assign(lan), item=item)
    assert task.is_reform_task and task.reform_item == item
    later = make_task(lan, "T-2027-1", period="2027-01")
    with pytest.raises(ValidationError, match="not in the plan's year"):
        svc.link_reform_task(task=later, item=item)
    make_task(lan, "T-R2", period="2026-04", is_reform_task=True)
    frame = sel.reform_task_completion(units.root, 2026)
    assert frame.loc["P01-SNV-CCVC"].to_dict() == {
        "assigned": 2,
        "completed": 0,
        "on_time": 0,
        "completion_rate": 0.0,
    }


def test_tasks_for_lists_a_persons_or_a_units_tasks(lan, units):
    make_task(lan, "T-1", period="2026-01")
    make_task(lan, "T-2", period="2026-Q2", due_on=D(2026, 6, 1))
    make_task(make_employee(units.syt), "T-3", period="2026-01")
    assert [t.code for t in sel.tasks_for(employee=lan, year=2026)] == ["T-1", "T-2"]
    assert [t.code for t in sel.tasks_for(unit=units.snv, period="2026-01")] == ["T-1"]
