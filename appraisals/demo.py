"""Demo one-stop-shop logs: real procedures and a few months of dossiers at the
provincial service centre and the communes, with their steps, some late (most with
an apology slip), a few at risk today, and citizen ratings.

Dates are relative to the day of seeding, so the counter's "today" and "at risk"
lists have something to show; everything else is fixed by the seed.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from appraisals import demo_appraisals
from appraisals.models import (
    ApologySlip,
    CitizenRating,
    Dossier,
    DossierStep,
    Procedure,
)
from appraisals.rules import dossier_due_at
from hrms.calendar import holiday_set
from staff.models import Employee

PROCEDURES = [
    ("1.000893", "Đăng ký kết hôn", "Hộ tịch", 5),
    ("1.001193", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "Đất đai", 20),
    ("1.004227", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Xây dựng", 15),
    ("2.000908", "Chứng thực bản sao từ bản chính", "Chứng thực", 1),
    ("1.001612", "Đăng ký thành lập hộ kinh doanh", "Đăng ký kinh doanh", 3),
]
UNIT_CODES = ["P01-TTHCC", "P01-XA01", "P01-XA02", "P01-XA03", "P01-PHUONG01"]
CODE_PREFIX = "000.00.34.H01-"


def seed(ctx) -> None:
    _seed_dossiers(ctx)
    demo_appraisals.seed(ctx)


def _seed_dossiers(ctx) -> None:
    if ctx.dossiers <= 0:
        return
    procedures = _procedures()
    _link_counter_user()
    if Dossier.objects.filter(code__startswith=CODE_PREFIX).exists():
        ctx.write(f"dossiers: {Dossier.objects.count()} (already seeded)")
        return
    officers = {
        code: list(Employee.objects.filter(unit__code=code, status="active")[:8])
        for code in UNIT_CODES
    }
    approvers = list(Employee.objects.filter(unit__code="P01-SNV")[:4]) or [
        e for group in officers.values() for e in group
    ]
    units = {u.code: u for u in (ctx.units[c] for c in UNIT_CODES)}
    rng, now = ctx.rng, timezone.now()
    today = timezone.localdate()
    holidays = holiday_set(
        today - dt.timedelta(days=200), today + dt.timedelta(days=90)
    )
    dossiers, steps, ratings, slips = [], [], [], []
    for index in range(1, ctx.dossiers + 1):
        unit_code = rng.choice(UNIT_CODES)
        staff = officers[unit_code] or approvers
        procedure = rng.choice(procedures)
        received_at = _received_at(rng, now)
        due_at = dossier_due_at(
            received_at, procedure.processing_days, holidays=holidays
        ).at
        late = rng.random() < 0.08
        open_ = received_at > now - dt.timedelta(days=2) or rng.random() < 0.03
        returned_at = None
        if not open_:
            returned_at = due_at + (
                dt.timedelta(days=rng.randint(1, 4))
                if late
                else -dt.timedelta(hours=rng.randint(1, 40))
            )
            returned_at = max(returned_at, received_at + dt.timedelta(hours=1))
        if returned_at and returned_at > now:
            returned_at = None
        dossier = Dossier(
            code=f"{CODE_PREFIX}{received_at:%y%m%d}-{index:04d}",
            procedure=procedure,
            unit=units[unit_code],
            channel=rng.choices(["direct", "online", "postal"], [55, 40, 5])[0],
            received_at=received_at,
            due_at=due_at,
            returned_at=returned_at,
            status="returned" if returned_at else "processing",
            receiving_officer=staff[0],
        )
        if late and returned_at and rng.random() < 0.6:
            # Most late dossiers got their apology slip, a few of them too late.
            issued_at = due_at - dt.timedelta(hours=rng.choice([30, 48, 72, 6]))
            dossier.rescheduled_due_at = returned_at + dt.timedelta(hours=2)
            slips.append(
                ApologySlip(
                    dossier=dossier,
                    issued_at=max(issued_at, received_at),
                    reason="Hồ sơ cần xác minh thêm với cơ quan liên quan",
                    previous_due_at=due_at,
                    new_due_at=dossier.rescheduled_due_at,
                    is_issued_late=due_at - issued_at < dt.timedelta(hours=24),
                )
            )
        dossiers.append(dossier)
        steps.append(_steps(rng, dossier, staff, approvers, late))
        if returned_at and rng.random() < 0.6:
            level = (
                "unsatisfied"
                if late and rng.random() < 0.5
                else rng.choice(["very_satisfied", "satisfied", "satisfied"])
            )
            ratings.append((dossier, level))
    Dossier.objects.bulk_create(dossiers, batch_size=1000)
    DossierStep.objects.bulk_create(
        [step for group in steps for step in group], batch_size=2000
    )
    ApologySlip.objects.bulk_create(slips, batch_size=1000)
    CitizenRating.objects.bulk_create(
        [CitizenRating(dossier=d, level=level) for d, level in ratings], batch_size=1000
    )
    ctx.write(f"dossiers: {len(dossiers)} ({len(slips)} apology slips)")


def _procedures() -> list[Procedure]:
    for code, name, field, days in PROCEDURES:
        Procedure.objects.get_or_create(
            code=code, defaults={"name": name, "field": field, "processing_days": days}
        )
    return list(Procedure.objects.filter(code__in=[p[0] for p in PROCEDURES]))


def _received_at(rng, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    day = local.date() - dt.timedelta(days=rng.randint(0, 120))
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    at = dt.datetime.combine(
        day, dt.time(rng.randint(7, 16), rng.choice([0, 15, 30, 45]))
    )
    return min(timezone.make_aware(at), now - dt.timedelta(minutes=5))


def _steps(rng, dossier, staff, approvers, late: bool) -> list[DossierStep]:
    """Receive, process, approve, return: the control slip of form 05."""
    start, end = dossier.received_at, dossier.due_at
    span = end - start
    cuts = [start, start + span * 0.05, start + span * 0.75, start + span * 0.9, end]
    officers = [staff[0], rng.choice(staff), rng.choice(approvers), staff[0]]
    names = ["receive", "process", "approve", "return"]
    late_step = rng.randint(1, 2) if late else None
    steps, finished_until = [], start
    for seq, (name, officer) in enumerate(zip(names, officers, strict=True), start=1):
        due = cuts[seq]
        finished = due - dt.timedelta(minutes=rng.randint(5, 120))
        if seq == late_step:
            finished = due + dt.timedelta(days=rng.randint(1, 3))
        finished = max(finished, finished_until + dt.timedelta(minutes=10))
        if dossier.returned_at is None and finished > timezone.now():
            finished = None
        steps.append(
            DossierStep(
                dossier=dossier,
                seq=seq,
                name=name,
                officer=officer,
                unit=officer.unit,
                started_at=finished_until,
                due_at=due,
                finished_at=finished,
            )
        )
        if finished is None:
            break
        finished_until = finished
    return steps


def _link_counter_user() -> None:
    """The demo 'counter' login is a receiving officer of the service centre."""
    user = get_user_model().objects.filter(username="counter").first()
    if user is None or Employee.objects.filter(user=user).exists():
        return
    officer = (
        Employee.objects.filter(unit__code="P01-TTHCC", user__isnull=True)
        .order_by("employee_code")
        .first()
    )
    if officer:
        Employee.objects.filter(pk=officer.pk).update(user=user)
