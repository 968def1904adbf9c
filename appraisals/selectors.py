"""Reads over the one-stop-shop records: service indicators, at-risk and flagged
dossiers, the Decision 766 scorecard.

Province scale is 5 million dossiers and 15 million steps a year, so every figure
is a SQL aggregate: `service_indicators` costs the same handful of queries whatever
the number of rows, units or officers, and the list selectors return lazy,
paginatable querysets.

Definitions (DOMAIN §7; readings in appraisals/rules.py), for a period of local
dates [period_start, period_end]:

* received: received in the period; online: of those, received online.
* resolved: returned in the period; rated / satisfied: of those, with a rating,
  and rated very satisfied or satisfied.
* due: due in the period and by `as_of`, not withdrawn; on_time: of those, returned
  by the due time; late: the others (returned late or still open).
* late_with_slip_in_time: late dossiers whose apology slip was issued at least a
  day before the due time; rescheduled: due dossiers whose date was moved;
  late_slips: due dossiers whose slip came late.
* schedule_errors: late dossiers in which no step overran its own due time.
* late_by_officer: late dossiers in which the officer held an overrunning step.
* verified_incidents: conduct incidents found true, by the day they occurred.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from appraisals import rules
from appraisals.models import (
    ApologySlip,
    CitizenRating,
    ConductIncident,
    Dossier,
    DossierStep,
)
from hrms.calendar import holiday_set
from positions.models import OrgUnit
from staff.models import Employee

GROUPS = ("officer", "unit", "month")


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )


@dataclass
class IndicatorRow:
    key: Any  # officer id, unit id or the first day of the month; None: not known
    label: str = ""
    received: int = 0
    online: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    due: int = 0
    on_time: int = 0
    late: int = 0
    late_with_slip_in_time: int = 0
    rescheduled: int = 0
    late_slips: int = 0
    schedule_errors: int = 0
    verified_incidents: int = 0
    # employee_code → late dossiers in which that officer held an overrunning step
    late_by_officer: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_ratio(self) -> Decimal | None:
        return _ratio(self.on_time, self.due)

    @property
    def apology_compliance(self) -> Decimal | None:
        return _ratio(self.late_with_slip_in_time, self.late)

    @property
    def online_share(self) -> Decimal | None:
        return _ratio(self.online, self.received)

    @property
    def satisfaction_ratio(self) -> Decimal | None:
        return _ratio(self.satisfied, self.rated)

    @property
    def late_responsible(self) -> int:
        """Officer rows: the late dossiers this officer is responsible for."""
        return sum(self.late_by_officer.values())


COUNTS = (
    "received",
    "online",
    "resolved",
    "rated",
    "satisfied",
    "due",
    "on_time",
    "late",
    "late_with_slip_in_time",
    "rescheduled",
    "late_slips",
    "schedule_errors",
    "verified_incidents",
)


@dataclass
class Indicators:
    group_by: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.datetime
    rows: list[IndicatorRow]
    # (employee_code, full_name, late dossiers) across the scope, most first
    late_by_officer: list[tuple[str, str, int]]

    @property
    def totals(self) -> IndicatorRow:
        total = IndicatorRow(key=None, label="")
        for row in self.rows:
            for name in COUNTS:
                setattr(total, name, getattr(total, name) + getattr(row, name))
        total.late_by_officer = {code: n for code, _name, n in self.late_by_officer}
        return total


def _unit_q(units: OrgUnit | QuerySet, prefix: str) -> Q:
    if isinstance(units, OrgUnit):
        return Q(**{f"{prefix}__path__startswith": units.path})
    return Q(**{f"{prefix}__in": units})


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    )


def _overrun_q(prefix: str, as_of: dt.datetime) -> Q:
    """A step that finished after its due time, or is open past it at as_of."""
    return Q(**{f"{prefix}finished_at__gt": F(f"{prefix}due_at")}) | Q(
        **{f"{prefix}finished_at__isnull": True, f"{prefix}due_at__lt": as_of}
    )


def service_indicators(
    units: OrgUnit | QuerySet,
    period_start: dt.date,
    period_end: dt.date,
    group_by: str = "unit",
    *,
    as_of: dt.datetime | None = None,
) -> Indicators:
    """The service indicators of a unit subtree (an OrgUnit) or of a queryset of
    units, grouped by officer, unit or month: seven queries whatever the volume."""
    if group_by not in GROUPS:
        raise ValueError(f"group_by must be one of {GROUPS}")
    as_of = as_of or timezone.now()
    start, end = _bounds(period_start, period_end)
    due_end = min(end, as_of)
    tz = timezone.get_default_timezone()

    def key(date_field: str, officer: str = "receiving_officer", unit: str = "unit"):
        if group_by == "officer":
            return F(officer)
        if group_by == "unit":
            return F(unit)
        if date_field == "occurred_on":  # a date: no time zone to apply
            return TruncMonth(date_field)
        return TruncMonth(date_field, tzinfo=tz)

    dossiers = Dossier.objects.filter(_unit_q(units, "unit"))
    rows: dict[Any, IndicatorRow] = {}

    def add(records, **renames) -> None:
        for record in records:
            group = _month(record.pop("g")) if group_by == "month" else record.pop("g")
            row = rows.setdefault(group, IndicatorRow(key=group))
            for name, value in record.items():
                setattr(row, renames.get(name, name), value)

    add(
        dossiers.filter(received_at__gte=start, received_at__lt=end)
        .values(g=key("received_at"))
        .annotate(
            received=Count("pk"),
            online=Count("pk", filter=Q(channel=Dossier.Channel.ONLINE)),
        )
        .order_by()
    )
    add(
        dossiers.filter(returned_at__gte=start, returned_at__lt=end)
        .values(g=key("returned_at"))
        .annotate(
            resolved=Count("pk"),
            rated=Count("rating"),
            satisfied=Count(
                "rating", filter=Q(rating__level__in=CitizenRating.SATISFIED_LEVELS)
            ),
        )
        .order_by()
    )
    late = Q(returned_at__gt=F("due_at")) | Q(returned_at__isnull=True)
    due = dossiers.filter(due_at__gte=start, due_at__lt=due_end).exclude(
        status=Dossier.Status.WITHDRAWN
    )
    overrun = DossierStep.objects.filter(dossier=OuterRef("pk")).filter(
        _overrun_q("", as_of)
    )
    add(
        due.annotate(has_overrun=Exists(overrun))
        .values(g=key("due_at"))
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(returned_at__lte=F("due_at"))),
            late=Count("pk", filter=late),
            late_with_slip_in_time=Count(
                "pk",
                filter=late
                & Q(apology_slip__isnull=False, apology_slip__is_issued_late=False),
            ),
            rescheduled=Count(
                "pk",
                filter=Q(rescheduled_due_at__isnull=False)
                | Q(apology_slip__isnull=False),
            ),
            late_slips=Count("pk", filter=Q(apology_slip__is_issued_late=True)),
            schedule_errors=Count("pk", filter=late & Q(has_overrun=False)),
        )
        .order_by()
    )
    add(
        ConductIncident.objects.filter(
            _unit_q(units, "unit"),
            is_verified=True,
            occurred_on__gte=period_start,
            occurred_on__lte=period_end,
        )
        .values(g=key("occurred_on", officer="officer"))
        .annotate(verified_incidents=Count("pk"))
        .order_by()
    )
    # Late dossiers by the officers of their overrunning steps.
    late_due = due.filter(late).values("pk")
    step_key = key("dossier__due_at", officer="officer", unit="dossier__unit")
    attributed = (
        DossierStep.objects.filter(dossier__in=late_due)
        .filter(_overrun_q("", as_of))
        # The officer's code and name come with the counts (a join on the
        # grouped rows), not from a second query with tens of thousands of ids.
        .values("officer", "officer__employee_code", "officer__full_name", g=step_key)
        .annotate(n=Count("dossier", distinct=True))
        .order_by()
    )
    per_officer: dict[int, int] = defaultdict(int)
    per_group: list[tuple[Any, int, int]] = []
    officers: dict[int, tuple[str, str]] = {}
    for record in attributed:
        group = _month(record["g"]) if group_by == "month" else record["g"]
        per_group.append((group, record["officer"], record["n"]))
        per_officer[record["officer"]] += record["n"]
        officers[record["officer"]] = (
            record["officer__employee_code"],
            record["officer__full_name"],
        )

    officer_ids = set()
    if group_by == "officer":
        officer_ids |= {k for k in rows if k is not None and k not in officers}
    if officer_ids:
        officers |= {
            pk: (code, name)
            for pk, code, name in Employee.objects.filter(
                pk__in=officer_ids
            ).values_list("pk", "employee_code", "full_name")
        }
    for group, officer_id, n in per_group:
        row = rows.setdefault(group, IndicatorRow(key=group))
        row.late_by_officer[officers[officer_id][0]] = n
    _label(rows, group_by, officers)
    return Indicators(
        group_by=group_by,
        period_start=period_start,
        period_end=period_end,
        as_of=as_of,
        rows=sorted(rows.values(), key=lambda r: (r.key is None, r.label, str(r.key))),
        late_by_officer=sorted(
            ((officers[pk][0], officers[pk][1], n) for pk, n in per_officer.items()),
            key=lambda item: (-item[2], item[0]),
        ),
    )


# A page shows the officers with the most late dossiers; the exports list them all.
# At province scale the full list is tens of thousands of rows (bench/EXPLAIN.md).
LATE_OFFICERS_SHOWN = 50


def late_by_officer(
    units: OrgUnit | QuerySet,
    period_start: dt.date,
    period_end: dt.date,
    *,
    as_of: dt.datetime | None = None,
) -> list[tuple[str, str, int]]:
    """`service_indicators(...).late_by_officer` alone: the late dossiers due in
    the period by the officers of their overrunning steps, as (code, name, n),
    most first. One query, without the other indicators' aggregates."""
    as_of = as_of or timezone.now()
    start, end = _bounds(period_start, period_end)
    late = Q(returned_at__gt=F("due_at")) | Q(returned_at__isnull=True)
    late_due = (
        Dossier.objects.filter(_unit_q(units, "unit"))
        .filter(due_at__gte=start, due_at__lt=min(end, as_of))
        .exclude(status=Dossier.Status.WITHDRAWN)
        .filter(late)
        .values("pk")
    )
    rows = (
        DossierStep.objects.filter(dossier__in=late_due)
        .filter(_overrun_q("", as_of))
        .values("officer", "officer__employee_code", "officer__full_name")
        .annotate(n=Count("dossier", distinct=True))
        .order_by()
        .values_list("officer__employee_code", "officer__full_name", "n")
    )
    return sorted(rows, key=lambda item: (-item[2], item[0]))


def _month(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _label(rows: dict[Any, IndicatorRow], group_by: str, officers) -> None:
    if group_by == "officer":
        for key, row in rows.items():
            row.label = " ".join(officers[key]) if key in officers else "—"
    elif group_by == "unit":
        names = dict(
            OrgUnit.objects.filter(
                pk__in=[k for k in rows if k is not None]
            ).values_list("pk", "code")
        )
        for key, row in rows.items():
            row.label = names.get(key, "—")
    else:
        for key, row in rows.items():
            row.label = key.strftime("%m/%Y") if key else "—"


# Scorecard ------------------------------------------------------------------------


def unit_scorecard(
    unit: OrgUnit,
    period_start: dt.date,
    period_end: dt.date,
    *,
    as_of: dt.datetime | None = None,
) -> tuple[rules.Scorecard, IndicatorRow]:
    """The Decision 766/QĐ-TTg groups covered by the unit subtree's dossiers, and
    the totals they were scaled from."""
    totals = service_indicators(
        unit, period_start, period_end, "unit", as_of=as_of
    ).totals
    card = rules.scorecard_766(
        on_time_ratio=totals.on_time_ratio,
        online_share=totals.online_share,
        satisfaction_ratio=totals.satisfaction_ratio,
        on=period_end,
    )
    return card, totals


# Lists ---------------------------------------------------------------------------


def _with_promise(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        promised_at=Coalesce("rescheduled_due_at", "due_at"),
    ).select_related("procedure", "unit", "receiving_officer")


def at_risk_dossiers(unit_root: OrgUnit, now: dt.datetime | None = None) -> QuerySet:
    """Open dossiers due — by the date promised, rescheduled or not — within one
    working day of now and not yet past it (rules.check_at_risk), soonest first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = rules.at_risk_horizon(
        now, holidays=holiday_set(today, today + dt.timedelta(days=31))
    )
    return (
        _with_promise(Dossier.objects.in_subtree(unit_root).open())
        .filter(promised_at__gt=now, promised_at__lte=horizon)
        .order_by("promised_at", "code")
    )


def late_without_slip(
    unit_root: OrgUnit,
    *,
    as_of: dt.datetime | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> QuerySet:
    """Late dossiers (returned late, or open past the due time) with no apology
    slip, optionally those due in a period; most overdue first."""
    as_of = as_of or timezone.now()
    queryset = (
        Dossier.objects.in_subtree(unit_root)
        .late(as_of)
        .exclude(status=Dossier.Status.WITHDRAWN)
        # A date moved without a slip (an imported rescheduled_due_at) counts.
        .filter(apology_slip__isnull=True)
    )
    if period_start and period_end:
        start, end = _bounds(period_start, period_end)
        queryset = queryset.filter(due_at__gte=start, due_at__lt=end)
    return _with_promise(queryset).order_by("due_at", "code")


def late_slips(
    unit_root: OrgUnit,
    *,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> QuerySet:
    """Apology slips issued less than a day before the due time, or after it."""
    queryset = ApologySlip.objects.filter(
        dossier__unit__path__startswith=unit_root.path, is_issued_late=True
    )
    if period_start and period_end:
        start, end = _bounds(period_start, period_end)
        queryset = queryset.filter(issued_at__gte=start, issued_at__lt=end)
    return queryset.select_related("dossier", "issued_by").order_by("-issued_at")


def missed_reschedules(unit_root: OrgUnit, *, as_of: dt.datetime | None = None):
    """Rescheduled dossiers that missed their new date too: a second delay, which
    the law does not allow (the date moves once)."""
    as_of = as_of or timezone.now()
    return _with_promise(
        Dossier.objects.in_subtree(unit_root)
        .filter(rescheduled_due_at__isnull=False)
        .filter(
            Q(returned_at__gt=F("rescheduled_due_at"))
            | Q(returned_at__isnull=True, rescheduled_due_at__lt=as_of)
        )
    ).order_by("rescheduled_due_at", "code")


def lateness_of(dossier: Dossier, *, as_of: dt.datetime | None = None):
    """rules.attribute_lateness for one dossier: who made it late (one query for
    its steps, one for the holidays)."""
    as_of = as_of or timezone.now()
    steps = [
        rules.StepFacts(seq, name, officer_id, due_at, finished_at)
        for seq, name, officer_id, due_at, finished_at in dossier.steps.values_list(
            "seq", "name", "officer_id", "due_at", "finished_at"
        )
    ]
    first = timezone.localdate(dossier.received_at)
    last = timezone.localdate(max(as_of, dossier.returned_at or as_of))
    return rules.attribute_lateness(
        due_at=dossier.due_at,
        returned_at=dossier.returned_at,
        steps=steps,
        as_of=as_of,
        holidays=holiday_set(first, last),
    )
