"""Demo task register and appraisals for 2026, the first year under Decree 335/2025:

- two tasks a month (January to the month of seeding) for every active person,
  a few delivered late, a few with a failed quality check, a few late for an
  objective cause that the unit's leader approved;
- the Department of Home Affairs' 2026 administrative-reform plan, its items
  carried by tasks of the people responsible;
- the province's 2026 cycle, computed and at the self-assessment stage: the
  general criteria of the demo manager's team are scored and some colleagues have
  written their self-assessment (the demo "staff" login has not yet: it can);
- the Department of Health's 2026 cycle taken to the end: comment meeting,
  proposals, decisions within the 20% cap, notified and published, so the decided
  forms, the summary list and the cap meter have something to show.

Everything goes through the services, so the demo obeys the rules it shows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from appraisals import appraisal_services as svc
from appraisals.models import (
    Appraisal,
    AppraisalCycle,
    ObjectiveCauseWaiver,
    Regime,
    Task,
)
from appraisals.scoring import EXCELLENT, GOOD
from positions.models import OrgUnit
from staff.models import Employee

TASKS_PER_MONTH = 2
TITLES = [
    "Tham mưu văn bản hướng dẫn nghiệp vụ",
    "Tổng hợp báo cáo tháng",
    "Thẩm định hồ sơ trình lãnh đạo",
    "Rà soát thủ tục hành chính",
    "Cập nhật cơ sở dữ liệu cán bộ, công chức",
    "Chuẩn bị nội dung họp giao ban",
]
REFORM_ITEMS = [
    "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực nội vụ",
    "Số hóa hồ sơ cán bộ, công chức",
    "Khảo sát sự hài lòng của người dân, doanh nghiệp",
]
CRITERIA = [
    "political_ethics",
    "culture",
    "discipline",
    "competence",
    "responsibility",
    "service_attitude",
    "coordination",
    "innovation",
]
CRITERIA_MAX = [4, 4, 4, 4, 4, 4, 3, 3]
FINISHED_CYCLE_UNIT = "P01-SYT"
TEAM_UNIT = "P01-SNV-CCVC"
# A comment meeting of fewer people would not make a meaningful example.
MIN_FINISHED_TEAM = 3


def seed(ctx) -> None:
    year = timezone.localdate().year
    if Task.objects.filter(code__startswith=f"NV-{year}-").exists():
        ctx.write(f"tasks: {Task.objects.count()} (already seeded)")
        return
    people = list(
        Employee.objects.filter(status=Employee.Status.ACTIVE)
        .select_related("unit")
        .order_by("employee_code")
    )
    leaders = _leaders_by_unit(people)
    tasks = _tasks(ctx.rng, people, leaders, year)
    _reform_plan(ctx, year, people)
    cycles = _cycles(ctx, year)
    ctx.write(f"tasks: {tasks}; appraisal cycles: {cycles}")


def _leaders_by_unit(people: list[Employee]) -> dict[int, Employee]:
    leading = Employee.objects.filter(
        pk__in=[p.pk for p in people],
        assignments__ends_on__isnull=True,
        assignments__position__group="leadership",
    ).select_related("unit")
    return {leader.unit_id: leader for leader in leading}


def _tasks(rng, people, leaders, year: int) -> int:
    today = timezone.localdate()
    rows = []
    for person in people:
        # Some people are punctual, some often late: the levels spread out.
        late_share = rng.choice([0.0, 0.03, 0.08, 0.15, 0.3])
        for month in range(1, today.month + 1):
            for number in range(1, TASKS_PER_MONTH + 1):
                due_on = dt.date(year, month, min(10 * number + 5, 28))
                if due_on >= today:
                    continue
                roll = rng.random()
                late_days = rng.randint(1, 6) if roll < late_share else 0
                rows.append(
                    Task(
                        code=f"NV-{year}-{person.employee_code}-{month:02d}{number}",
                        assignee=person,
                        assigner=leaders.get(person.unit_id),
                        period=f"{year}-{month:02d}",
                        title=rng.choice(TITLES),
                        due_on=due_on,
                        weight=Decimal(rng.choice(["1", "1", "1", "1.5", "2"])),
                        completed_on=due_on
                        + dt.timedelta(days=late_days or -rng.randint(0, 3)),
                        quality_defects=1
                        if late_share <= roll < late_share + 0.04
                        else 0,
                        has_objective_cause=late_days > 0 and rng.random() < 0.3,
                    )
                )
    Task.objects.bulk_create(rows, batch_size=2000)
    _approve_waivers()
    return len(rows)


def _approve_waivers() -> None:
    """The head approves the objective causes claimed for delays."""
    from django.contrib.auth import get_user_model

    head = get_user_model().objects.filter(username="admin").first()
    for task in Task.objects.filter(
        has_objective_cause=True, completed_on__gt=F("due_on")
    ):
        svc.approve_objective_cause(
            task=task,
            kind=ObjectiveCauseWaiver.Kind.TIMELINESS,
            reason="Chờ ý kiến phối hợp của cơ quan khác quá thời hạn",
            approved_by=head,
        )


def _reform_plan(ctx, year: int, people: list[Employee]) -> None:
    unit = OrgUnit.objects.filter(code="P01-SNV").first()
    if unit is None:
        return
    plan = svc.create_reform_plan(
        unit=unit, year=year, title=f"Kế hoạch cải cách hành chính năm {year}"
    )
    in_unit = [p for p in people if p.unit.path.startswith(unit.path)]
    for number, title in enumerate(REFORM_ITEMS, start=1):
        person = in_unit[number % len(in_unit)] if in_unit else None
        item = svc.add_reform_plan_item(
            plan=plan,
            title=title,
            responsible_unit=person.unit if person else unit,
            responsible_person=person,
            due_on=dt.date(year, 11, 30),
        )
        task = (
            Task.objects.filter(assignee=person, period__startswith=str(year))
            .order_by("due_on")
            .first()
            if person
            else None
        )
        if task:
            svc.link_reform_task(task=task, item=item)


def _cycles(ctx, year: int) -> int:
    as_of = timezone.now()
    # Fresh rows: the tree's paths moved as the demo added units in code order.
    units = {
        u.code: u for u in OrgUnit.objects.filter(code__in=["P01", FINISHED_CYCLE_UNIT])
    }
    province = units["P01"]
    finished = units.get(FINISHED_CYCLE_UNIT)
    count = 0
    if (
        finished is not None
        and Employee.objects.filter(
            unit__path__startswith=finished.path, status=Employee.Status.ACTIVE
        ).count()
        >= MIN_FINISHED_TEAM
    ):
        _finished_cycle(ctx, svc.open_cycle(unit=finished, year=year), as_of)
        count += 1
    cycle = svc.open_cycle(unit=province, year=year)
    svc.compute_cycle(cycle=cycle, as_of=as_of)
    cycle = svc.advance_cycle(
        cycle=cycle, to_status=AppraisalCycle.Status.SELF_ASSESSMENT
    )
    team = Appraisal.objects.filter(cycle=cycle, unit__code=TEAM_UNIT).select_related(
        "employee"
    )
    for appraisal in team:
        appraisal = _score(ctx.rng, appraisal)
        if appraisal.employee.user_id is None and ctx.rng.random() < 0.5:
            svc.submit_self_assessment(
                appraisal=appraisal,
                text="Hoàn thành các nhiệm vụ được giao đúng tiến độ, "
                "chấp hành tốt kỷ luật, kỷ cương hành chính.",
                expected_version=appraisal.version,
            )
    return count + 1


def _score(rng, appraisal: Appraisal) -> Appraisal:
    if appraisal.regime != Regime.DECREE_335 or not (appraisal.evidence or {}).get(
        "is_rated", True
    ):
        return appraisal
    # Most people lose a point or two somewhere; a few lose more.
    slack = rng.choice([1, 2, 3, 4, 6, 8, 10, 13])
    points = dict(zip(CRITERIA, CRITERIA_MAX, strict=True))
    for _ in range(slack):
        name = rng.choice(CRITERIA)
        points[name] = max(points[name] - 1, 0)
    try:
        return svc.score_general_criteria(
            appraisal=appraisal, points=points, expected_version=appraisal.version
        )
    except ValidationError:
        return appraisal


def _finished_cycle(ctx, cycle: AppraisalCycle, as_of) -> None:
    """A cycle taken through every stage to publication."""
    from django.contrib.auth import get_user_model

    head = get_user_model().objects.filter(username="admin").first()
    svc.compute_cycle(cycle=cycle, as_of=as_of)
    Status = AppraisalCycle.Status
    cycle = svc.advance_cycle(cycle=cycle, to_status=Status.SELF_ASSESSMENT)
    cycle = svc.advance_cycle(cycle=cycle, to_status=Status.COMMENT_MEETING)
    summoned = Appraisal.objects.filter(cycle=cycle).count()
    svc.record_comment_meeting(
        cycle=cycle,
        held_on=timezone.localdate() - dt.timedelta(days=3),
        summoned=summoned,
        attended=max(summoned - 1, 1),
        minutes="Biên bản họp nhận xét, đánh giá công chức năm "
        f"{cycle.year}: tập thể thống nhất mức xếp loại đề xuất.",
    )
    cycle = svc.advance_cycle(cycle=cycle, to_status=Status.MANAGER_PROPOSAL)
    appraisals = list(
        Appraisal.objects.filter(cycle=cycle).select_related("cycle", "employee")
    )
    for appraisal in appraisals:
        appraisal = _score(ctx.rng, appraisal)
        _propose(appraisal, head)
    cycle = svc.advance_cycle(cycle=cycle, to_status=Status.HEAD_DECISION)
    for appraisal in Appraisal.objects.filter(
        cycle=cycle, status=Appraisal.Status.PROPOSED
    ).select_related("cycle", "employee"):
        _decide(appraisal, head)
    for appraisal in Appraisal.objects.filter(
        cycle=cycle, status=Appraisal.Status.DECIDED
    ):
        svc.notify_appraisal(appraisal=appraisal, actor=head)
    try:
        cycle = svc.advance_cycle(cycle=cycle, to_status=Status.NOTIFIED)
        svc.publish_cycle(cycle=cycle, actor=head)
    except ValidationError:
        pass  # someone was left undecided: the cycle waits at the decision stage


def _propose(appraisal: Appraisal, actor) -> None:
    """Propose the supported level; one below when the cap is full."""
    for level in (None, GOOD):
        try:
            svc.propose_appraisal(
                appraisal=appraisal,
                actor=actor,
                expected_version=appraisal.version,
                level=level,
                comment="" if level is None else "Trong giới hạn tỷ lệ 20%.",
            )
            return
        except ValidationError:
            appraisal.refresh_from_db()
            if appraisal.computed_level != EXCELLENT:
                return


def _decide(appraisal: Appraisal, actor) -> None:
    try:
        svc.decide_appraisal(
            appraisal=appraisal,
            level=appraisal.proposed_level,
            actor=actor,
            expected_version=appraisal.version,
            decided_on=timezone.localdate() - dt.timedelta(days=1),
        )
    except ValidationError:
        pass
