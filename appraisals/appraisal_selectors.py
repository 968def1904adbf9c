"""Reads of the annual appraisal: the facts compute_appraisals scores (loaded in a
fixed number of queries whatever the staff count), the explanation of one score
down to the product and the dossier step, the excellence-cap meter, deadline
warnings, and the dashboards (pandas frames over SQL aggregates).

Set-based loading: every query filters on the cycle's scope as a subquery (the
agency's subtree less sub-agencies with their own cycle), never on a list of ids,
and aggregates in SQL where the rows are many (dossier steps, citizen ratings,
conduct incidents). Dossier-step lateness is counted in SQL with the predicate
of appraisals.rules.attribute_lateness: a step is delayed when its dossier is
late (returned after its due time, or still open past it) and the step finished
after its own due time; the explanation of one person calls attribute_lateness
itself, dossier by dossier.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals import rules as one_stop
from appraisals import scoring
from appraisals.models import (
    Appraisal,
    AppraisalCycle,
    CapException,
    CitizenRating,
    CommentMeeting,
    ConductIncident,
    CorruptionFinding,
    Dossier,
    DossierStep,
    ObjectiveCauseWaiver,
    ScoringRuleSet,
    Task,
)
from hrms.calendar import holiday_set, working_days_between_array
from hrms.importing import escape_formula
from hrms.rules import Reason, RuleResult
from positions.models import OrgUnit
from staff import discipline as staff_discipline
from staff import discipline_rules as drules
from staff.models import AnnualRating, Assignment, DisciplineCase, Employee

LEADERSHIP = "leadership"


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def default_as_of(year: int) -> dt.datetime:
    """Now, or the end of the year for a past year."""
    _start, end = year_bounds(year)
    return min(timezone.now(), end - dt.timedelta(microseconds=1))


def load_rulesets() -> list[scoring.RuleSet]:
    return [row.as_rules() for row in ScoringRuleSet.objects.all()]


def ruleset_by_code(code: str) -> scoring.RuleSet:
    return ScoringRuleSet.objects.get(code=code).as_rules()


# The cycle's people ---------------------------------------------------------------


def nested_cycle_paths(cycle: AppraisalCycle) -> list[str]:
    """Sub-units with a cycle of their own that year: their people are theirs."""
    return list(
        AppraisalCycle.objects.filter(
            year=cycle.year, unit__path__startswith=cycle.unit.path
        )
        .exclude(pk=cycle.pk)
        .values_list("unit__path", flat=True)
    )


def scope_q(cycle: AppraisalCycle, nested: list[str], prefix: str = "") -> Q:
    """The active employees a cycle appraises, as a filter (prefix: a relation)."""
    q = Q(**{f"{prefix}unit__path__startswith": cycle.unit.path})
    q &= Q(**{f"{prefix}status": Employee.Status.ACTIVE})
    for path in nested:
        q &= ~Q(**{f"{prefix}unit__path__startswith": path})
    return q


def scope_employees(cycle: AppraisalCycle, nested: list[str] | None = None) -> QuerySet:
    if nested is None:
        nested = nested_cycle_paths(cycle)
    return Employee.objects.filter(scope_q(cycle, nested))


@dataclass
class Person:
    id: int
    code: str
    name: str
    staff_type: str
    unit_id: int
    unit_path: str
    unit_code: str
    joined_on: dt.date | None
    user_id: int | None
    task_group: str = ""
    leader_unit_id: int | None = None
    leader_unit_path: str = ""
    leader_depth: int = 0
    arrival_on: dt.date | None = None
    tasks: list[scoring.TaskFacts] = field(default_factory=list)
    task_periods: list[str] = field(default_factory=list)
    steps: dict[dt.date, scoring.StepCounts] = field(default_factory=dict)
    rated: int = 0
    satisfied: int = 0
    incidents: int = 0
    discipline: RuleResult | None = None
    discipline_case_id: int | None = None
    existing: dict | None = None
    handed: list[dict] = field(default_factory=list)

    @property
    def is_leader(self) -> bool:
        return self.leader_unit_id is not None


@dataclass
class CycleFacts:
    cycle: AppraisalCycle
    as_of: dt.datetime
    rulesets: list[scoring.RuleSet]
    persons: dict[int, Person]
    holidays: frozenset[dt.date]
    corruption: dict[str, list[str]]  # unit path → references
    nested: list[str]

    @property
    def as_of_day(self) -> dt.date:
        return local_day(self.as_of)

    @cached_property
    def step_periods(self) -> dict[dt.date, str]:
        """Each month's first day → the cycle period its steps count in."""
        year, kind = self.cycle.year, self.cycle.period_kind
        return {
            dt.date(year, m, 1): scoring.step_period(dt.date(year, m, 1), kind)
            for m in range(1, 13)
        }


# What a recomputation keeps of an appraisal it may rewrite …
EXISTING_FIELDS = (
    "id",
    "employee_id",
    "status",
    "months_absent",
    "absence_reason",
    "general_points",
    "general_assessment",
    "degradation_reference",
    "computed_hash",
)
# … and what it reads of one it must not touch (for the leaders above).
LOCKED_FIELDS = ("period_scores", "decided_level", "computed_level")


def fetch_rows(queryset: QuerySet) -> list[tuple]:
    """A values_list queryset's rows as the database driver returns them,
    without the ORM's per-row conversions: for the large reads of
    compute_appraisals. Dates come as date objects (PostgreSQL) or ISO text
    (SQLite): read them with `as_date`."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def load_cycle_facts(
    cycle: AppraisalCycle, *, as_of: dt.datetime | None = None
) -> CycleFacts:
    """Everything compute_appraisals needs about a cycle, in a fixed number of
    queries (eighteen) whatever the number of people, tasks or dossiers."""
    year = cycle.year
    as_of = as_of or default_as_of(year)
    as_of_day = local_day(as_of)
    nested = nested_cycle_paths(cycle)
    people = scope_employees(cycle, nested)
    sub = people.values("pk")
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)

    persons: dict[int, Person] = {}
    for row in people.values_list(
        "pk",
        "employee_code",
        "full_name",
        "staff_type",
        "unit_id",
        "unit__path",
        "unit__code",
        "joined_on",
        "user_id",
    ):
        persons[row[0]] = Person(*row)

    _load_assignments(persons, sub, cycle, first, last, as_of_day)
    _load_tasks(persons, sub, year)
    _load_steps(persons, sub, year, as_of)
    _load_service(persons, sub, year, as_of)
    _load_discipline(persons, sub, year)
    existing = Appraisal.objects.filter(cycle=cycle, employee__in=sub)
    for row in existing.values(*EXISTING_FIELDS).iterator(chunk_size=5000):
        persons[row["employee_id"]].existing = row
    for row in (
        existing.filter(status__in=Appraisal.LOCKED_STATUSES)
        .values("employee_id", *LOCKED_FIELDS)
        .iterator(chunk_size=5000)
    ):
        persons[row["employee_id"]].existing.update(row)
    for row in (
        Appraisal.objects.filter(cycle__year=year, employee__in=sub)
        .exclude(cycle=cycle)
        .values("id", "employee_id", "status", "period_scores", "cycle__unit__code")
        .iterator(chunk_size=5000)
    ):
        persons[row["employee_id"]].handed.append(row)
    corruption: dict[str, list[str]] = defaultdict(list)
    for path, reference in CorruptionFinding.objects.filter(
        unit__path__startswith=cycle.unit.path, handled_on__year=year
    ).values_list("unit__path", "reference"):
        corruption[path].append(reference)
    return CycleFacts(
        cycle=cycle,
        as_of=as_of,
        rulesets=load_rulesets(),
        persons=persons,
        holidays=holiday_set(first, last),
        corruption=dict(corruption),
        nested=nested,
    )


def _load_assignments(persons, sub, cycle, first, last, as_of_day) -> None:
    rows = (
        Assignment.objects.filter(employee__in=sub, starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .order_by("employee_id", "starts_on", "pk")
        .values_list(
            "employee_id",
            "starts_on",
            "ends_on",
            "position__group",
            "position__unit_id",
            "position__unit__path",
            "position__unit__depth",
        )
    )
    by_person: dict[int, list[tuple]] = defaultdict(list)
    for row in rows.iterator(chunk_size=5000):
        by_person[row[0]].append(row[1:])
    agency = cycle.unit.path
    for pk, assignments in by_person.items():
        person = persons[pk]
        current = [a for a in assignments if a[0] <= as_of_day] or assignments
        held = current[-1]
        starts_on, ends_on, group, unit_id, path, depth = held
        person.task_group = group or ""
        if group == LEADERSHIP:
            person.leader_unit_id, person.leader_unit_path = unit_id, path
            person.leader_depth = depth
        # The first day of the last unbroken run inside the agency, when the
        # year began elsewhere (a transfer in).
        arrival = None
        for a_start, _end, _group, _unit, a_path, _depth in reversed(assignments):
            if a_path.startswith(agency):
                arrival = a_start
            else:
                break
        outside = any(not a[4].startswith(agency) for a in assignments)
        if outside and arrival and arrival > first:
            person.arrival_on = arrival


def _load_tasks(persons, sub, year) -> None:
    waivers: dict[int, list[scoring.Waiver]] = defaultdict(list)
    for task_id, kind, user, on in ObjectiveCauseWaiver.objects.filter(
        task__assignee__in=sub,
        task__period__gte=str(year),
        task__period__lt=str(year + 1),
    ).values_list("task_id", "kind", "approved_by__username", "approved_on"):
        waivers[task_id].append(scoring.Waiver(kind, user, on))
    rows = Task.objects.filter(
        assignee__in=sub, period__gte=str(year), period__lt=str(year + 1)
    ).values_list(
        "pk",
        "code",
        "assignee_id",
        "period",
        "due_on",
        "weight",
        "completed_on",
        "quality_defects",
        "is_above_standard",
    )
    for pk, code, assignee, period, due, weight, done, defects, above in fetch_rows(
        rows
    ):
        person = persons[assignee]
        person.tasks.append(
            scoring.TaskFacts(
                code,
                float(weight),
                as_date(due),
                as_date(done),
                defects,
                0,
                tuple(waivers.get(pk, ())),
                bool(above),
            )
        )
        person.task_periods.append(period)


def step_late_q(as_of: dt.datetime, prefix: str = "") -> Q:
    """A finished step its dossier's lateness is attributed to (the SQL form of
    appraisals.rules.attribute_lateness for finished steps)."""
    dossier_late = Q(
        **{f"{prefix}dossier__returned_at__gt": F(f"{prefix}dossier__due_at")}
    ) | Q(
        **{
            f"{prefix}dossier__returned_at__isnull": True,
            f"{prefix}dossier__due_at__lt": as_of,
        }
    )
    return Q(**{f"{prefix}finished_at__gt": F(f"{prefix}due_at")}) & dossier_late


def counted_steps(year: int, as_of: dt.datetime) -> QuerySet:
    """Dossier steps due in the year that count as products by as_of: finished,
    or due already; steps of withdrawn dossiers do not count."""
    start, end = year_bounds(year)
    withdrawn = Dossier.objects.filter(status=Dossier.Status.WITHDRAWN).values("pk")
    return (
        DossierStep.objects.filter(due_at__gte=start, due_at__lt=end)
        .filter(Q(finished_at__isnull=False) | Q(due_at__lt=as_of))
        .exclude(dossier_id__in=withdrawn)
    )


def local_month_case(field: str, year: int) -> Case:
    """The local month (1-12) of a date-time of the year, as a SQL CASE over the
    month boundaries: no per-row time-zone function (SQLite runs those in
    Python)."""
    tz = timezone.get_default_timezone()
    return Case(
        *(
            When(
                **{
                    f"{field}__lt": dt.datetime(
                        year + month // 12, month % 12 + 1, 1, tzinfo=tz
                    )
                },
                then=Value(month),
            )
            for month in range(1, 13)
        ),
        output_field=IntegerField(),
    )


def _load_steps(persons, sub, year, as_of) -> None:
    """The officers' counted steps by month, in two aggregates: the counts over
    the steps alone, and the delayed ones — the few that finished after their
    own due time — joined to their dossiers."""
    mine = counted_steps(year, as_of).filter(officer__in=sub)
    month = local_month_case("due_at", year)
    counts = (
        mine.annotate(m=month)
        .values_list("officer_id", "m")
        .annotate(
            counted=Count("pk"), done=Count("pk", filter=Q(finished_at__isnull=False))
        )
        .order_by()
    )
    late = (
        mine.filter(step_late_q(as_of))
        .annotate(m=month)
        .values_list("officer_id", "m")
        .annotate(delayed=Count("pk"))
        .order_by()
    )
    delayed = {(officer, m): n for officer, m, n in fetch_rows(late)}
    months = [None, *(dt.date(year, m, 1) for m in range(1, 13))]
    for officer, m, counted, done in fetch_rows(counts):
        persons[officer].steps[months[m]] = scoring.StepCounts(
            counted, done, delayed.get((officer, m), 0)
        )


def _load_service(persons, sub, year, as_of) -> None:
    start, end = year_bounds(year)
    ratings = (
        CitizenRating.objects.filter(
            dossier__receiving_officer__in=sub,
            dossier__returned_at__gte=start,
            dossier__returned_at__lt=min(end, as_of),
        )
        .values("dossier__receiving_officer_id")
        .annotate(
            rated=Count("pk"),
            satisfied=Count("pk", filter=Q(level__in=CitizenRating.SATISFIED_LEVELS)),
        )
        .order_by()
    )
    for row in ratings:
        person = persons[row["dossier__receiving_officer_id"]]
        person.rated, person.satisfied = row["rated"], row["satisfied"]
    incidents = (
        ConductIncident.objects.filter(
            officer__in=sub, is_verified=True, occurred_on__year=year
        )
        .values("officer_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in incidents:
        persons[row["officer_id"]].incidents = row["n"]


def _load_discipline(persons, sub, year) -> None:
    """The rating a discipline forces (staff.discipline_rules.forced_rating) for
    everyone at once: the decided cases counting in the year, their earlier
    rating links and the effect table."""
    cases = (
        DisciplineCase.objects.decided()
        .filter(employee__in=sub)
        .filter(Q(decided_on__year=year) | Q(party_disciplined_on__year=year))
    )
    rows = list(
        cases.values_list(
            "pk",
            "employee_id",
            "employee__staff_type",
            "form",
            "decided_on",
            "party_disciplined_on",
        )
    )
    earlier: dict[int, list[int]] = defaultdict(list)
    for case_id, rating_year in AnnualRating.objects.filter(
        discipline_case__in=cases.values("pk"),
        level=AnnualRating.Level.NOT_COMPLETED,
    ).values_list("discipline_case_id", "year"):
        earlier[case_id].append(rating_year)
    rulebook = staff_discipline.Rulebook.load(
        forms=False, effects=True, limits=False, settings=False
    )
    by_person: dict[int, list] = defaultdict(list)
    for pk, employee_id, staff_type, form, decided_on, party_on in rows:
        effect = rulebook.effect(form, staff_type, decided_on)
        by_person[employee_id].append(
            drules.RatedDiscipline(
                pk,
                form,
                decided_on,
                forces_rating=bool(effect and effect.forces_rating),
                party_disciplined_on=party_on,
                earlier_rating_years=tuple(earlier.get(pk, ())),
            )
        )
    for employee_id, rated in by_person.items():
        result = drules.forced_rating(rated, year=year)
        if result.ok:
            persons[employee_id].discipline = result
            persons[employee_id].discipline_case_id = min(
                (c.case_id for c in rated if c.decided_on.year == year),
                default=None,
            )


# Subtree sums -------------------------------------------------------------------------


class SubtreeIndex:
    """Values kept by unit path, summed over a unit's subtree by bisection of the
    sorted paths (treebeard paths sort in tree order)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._paths: list[str] | None = None

    def slot(self, path: str, factory):
        if path not in self.values:
            self.values[path] = factory()
            self._paths = None
        return self.values[path]

    def paths_under(self, path: str, *, strict: bool = False) -> list[str]:
        if self._paths is None:
            self._paths = sorted(self.values)
        lo = bisect.bisect_left(self._paths, path)
        hi = bisect.bisect_left(self._paths, path + "\uffff")
        found = self._paths[lo:hi]
        return [p for p in found if p != path] if strict else found


# Explanation --------------------------------------------------------------------------


def explain_appraisal(
    appraisal: Appraisal, *, as_of: dt.datetime | None = None
) -> dict:
    """Every part of the appraisal's score, down to the product and the dossier
    step, with the rule version and the evidence; a decided appraisal answers
    with the snapshot frozen at its decision."""
    if appraisal.is_decided and appraisal.snapshot:
        return appraisal.snapshot
    return build_explanation(appraisal, as_of=as_of)


def build_explanation(
    appraisal: Appraisal, *, as_of: dt.datetime | None = None
) -> dict:
    """The live explanation: products rescored one by one with the same rules as
    compute_appraisals, and dossier steps judged by attribute_lateness."""
    cycle = appraisal.cycle
    employee = appraisal.employee
    year = cycle.year
    as_of = as_of or default_as_of(year)
    as_of_day = local_day(as_of)
    rules = ruleset_by_code(appraisal.rule_version)
    holidays = holiday_set(dt.date(year, 1, 1), max(as_of_day, dt.date(year, 12, 31)))
    kind = cycle.period_kind

    tasks_by_period: dict[str, list[scoring.TaskFacts]] = defaultdict(list)
    titles = {}
    task_rows = list(
        Task.objects.filter(
            assignee=employee, period__gte=str(year), period__lt=str(year + 1)
        ).prefetch_related("waivers__approved_by")
    )
    late_days = _late_working_days(task_rows, holidays)
    for task in task_rows:
        facts = scoring.TaskFacts(
            task.code,
            float(task.weight),
            task.due_on,
            task.completed_on,
            task.quality_defects,
            late_days.get(task.pk, 0),
            tuple(
                scoring.Waiver(
                    w.kind,
                    w.approved_by.get_full_name() or w.approved_by.get_username(),
                    w.approved_on,
                    w.reason,
                )
                for w in task.waivers.all()
            ),
            task.is_above_standard,
        )
        tasks_by_period[scoring.cycle_period(task.period, task.due_on, kind)].append(
            facts
        )
        titles[task.code] = task.title
    steps_by_period = _explained_steps(employee, year, as_of, holidays, kind)

    stored = {entry["period"]: entry for entry in appraisal.period_scores}
    periods = []
    for period in scoring.periods_started(year, kind, as_of_day):
        entry = stored.get(period)
        if entry and entry.get("source") == "handed_over":
            periods.append(
                {
                    **entry,
                    "lines": [
                        {
                            "code": "period.handed_over",
                            "message": _(
                                "%(period)s scored by the previous unit %(unit)s: "
                                "%(total)s points"
                            )
                            % {
                                "period": period,
                                "unit": entry.get("from_unit", ""),
                                "total": scoring.fmt_points(entry.get("total")),
                            },
                            "citation": scoring.cite(rules.regime, "timing"),
                        }
                    ],
                    "products": [],
                }
            )
            continue
        result = scoring.score_period(
            period,
            tasks=tasks_by_period.get(period, ()),
            steps=steps_by_period.get(period, ()),
            rules=rules,
            as_of=as_of_day,
            detail=True,
        )
        if result.task_points is None and not entry:
            continue
        data = {
            **result.summary(),
            "source": "computed",
            "lines": [line.as_dict() for line in result.lines],
            "products": [
                {**item.as_dict(), "title": titles.get(item.ref, "")}
                for item in result.items
            ],
        }
        if entry:
            for key in ("general_points", "total", "terms", "own_task_points"):
                if key in entry:
                    data[key] = entry[key]
            if "terms" in entry:
                data["task_points"] = entry.get("task_points")
                data["lines"].append(_leader_line(entry, rules))
        periods.append(data)

    evidence = appraisal.evidence or {}
    return {
        "employee": employee.employee_code,
        "full_name": employee.full_name,
        "agency": cycle.unit.code,
        "year": year,
        "regime": appraisal.regime,
        "rule_version": appraisal.rule_version,
        "rule_citation": rules.citation,
        "unverified_parameters": list(rules.unverified),
        "as_of": as_of.isoformat(),
        "periods": periods,
        "annual": {
            "score": _num(appraisal.computed_score),
            "level": appraisal.computed_level,
            "lines": evidence.get("level_reasons", []),
        },
        "eligibility": evidence.get("eligibility", []),
        "overrides": evidence.get("overrides", []),
        "general_criteria": {
            "points": appraisal.general_criteria,
            "total": _num(appraisal.general_points),
            "assessment": appraisal.general_assessment,
            "citation": scoring.cite(rules.regime, "scale"),
        },
        "service_attitude": _service_attitude(evidence, rules),
        "evidence": evidence,
        "computed_at": appraisal.computed_at.isoformat()
        if appraisal.computed_at
        else None,
    }


def _service_attitude(evidence: dict, rules: scoring.RuleSet) -> dict | None:
    stored = evidence.get("service_attitude")
    if not stored or not rules.is_b:
        return None
    return scoring.suggest_service_attitude(
        rated=stored["rated"],
        satisfied=stored["satisfied"],
        incidents=stored["incidents"],
        rules=rules,
    )


def _leader_line(entry: dict, rules: scoring.RuleSet) -> dict:
    terms = entry.get("terms") or {}
    parts = ", ".join(f"{key} {scoring._pct(value)}%" for key, value in terms.items())
    return {
        "code": "period.leader",
        "message": _(
            "leader's task points %(points)s of %(max)s from own products "
            "(%(own)s) and the unit's terms: %(parts)s"
        )
        % {
            "points": scoring.fmt_points(entry.get("task_points")),
            "max": f"{float(rules['task_points_max']):g}",
            "own": scoring.fmt_points(entry.get("own_task_points")),
            "parts": parts,
        },
        "citation": scoring.cite(rules.regime, "leaders"),
    }


def _num(value) -> float | None:
    return None if value is None else float(value)


def _late_working_days(tasks: list[Task], holidays) -> dict[int, int]:
    late = [t for t in tasks if t.completed_on and t.completed_on > t.due_on]
    if not late:
        return {}
    days = working_days_between_array(
        [t.due_on for t in late], [t.completed_on for t in late], holidays=holidays
    )
    return {t.pk: int(n) for t, n in zip(late, days, strict=True)}


def _explained_steps(
    employee: Employee, year: int, as_of: dt.datetime, holidays, kind: str
) -> dict[str, list[scoring.StepFacts]]:
    """The officer's counted steps by period, each judged by attribute_lateness
    over all the steps of its dossier."""
    mine = counted_steps(year, as_of).filter(officer=employee)
    rows = (
        DossierStep.objects.filter(dossier__in=mine.values("dossier_id"))
        .order_by("dossier_id", "seq")
        .values_list(
            "dossier_id",
            "dossier__code",
            "dossier__due_at",
            "dossier__returned_at",
            "seq",
            "name",
            "officer_id",
            "due_at",
            "finished_at",
        )
    )
    counted = set(mine.values_list("dossier_id", "seq"))
    dossiers: dict[int, dict] = {}
    for dossier_id, code, due, returned, seq, name, officer, s_due, s_done in rows:
        info = dossiers.setdefault(
            dossier_id, {"code": code, "due": due, "returned": returned, "steps": []}
        )
        info["steps"].append(one_stop.StepFacts(seq, name, officer, s_due, s_done))
    by_period: dict[str, list[scoring.StepFacts]] = defaultdict(list)
    for dossier_id, info in dossiers.items():
        attribution = one_stop.attribute_lateness(
            due_at=info["due"],
            returned_at=info["returned"],
            steps=info["steps"],
            as_of=as_of,
            holidays=holidays,
        )
        reasons = {}
        for overrun, reason in zip(
            attribution.responsible, attribution.reasons[1:], strict=False
        ):
            reasons[overrun.seq] = (reason, overrun.working_days)
        for step in info["steps"]:
            if step.officer_id != employee.pk or (dossier_id, step.seq) not in counted:
                continue
            late = reasons.get(step.seq) if step.finished_at is not None else None
            by_period[scoring.step_period(local_day(step.due_at), kind)].append(
                scoring.StepFacts(
                    info["code"],
                    step.seq,
                    step.name,
                    step.finished_at is not None,
                    late[0] if late else None,
                    late[1] if late else 0,
                )
            )
    return by_period


# The excellence cap -------------------------------------------------------------------


@dataclass
class CapRow:
    appraisal_id: int
    employee_code: str
    full_name: str
    score: float
    level: str
    status: str  # appraisal status
    rank: int = 0
    cap_status: str = ""  # within | tied | beyond


@dataclass
class CapScope:
    regime: str
    task_group: str  # "" = the whole agency
    base: int
    share: float
    extra: int
    places: int
    taken: int  # proposed or decided "excellently completed"
    decided: int  # of those, decided
    rows: list[CapRow]

    @property
    def label(self) -> str:
        if self.task_group:
            return _("group “%(group)s”") % {"group": self.task_group}
        return _("the agency")

    @property
    def is_over(self) -> bool:
        return self.taken > self.places


def _rank_score(row: dict) -> float:
    for key in ("decided_score", "proposed_score", "computed_score"):
        if row[key] is not None:
            return float(row[key])
    tally = (row["evidence"] or {}).get("tally") or {}
    products = tally.get("products") or 0
    return round(100 * tally.get("exceeded", 0) / products, 2) if products else 0.0


def _current(row: dict) -> str:
    if row["status"] in Appraisal.DECIDED_STATUSES:
        return row["decided_level"]
    return row["proposed_level"] or row["computed_level"]


def cap_rows(cycle: AppraisalCycle) -> list[dict]:
    return list(
        Appraisal.objects.filter(cycle=cycle, eligibility=Appraisal.Eligibility.RATED)
        .exclude(status=Appraisal.Status.LEFT)
        .values(
            "id",
            "employee__employee_code",
            "employee__full_name",
            "regime",
            "rule_version",
            "task_group",
            "status",
            "computed_score",
            "proposed_score",
            "decided_score",
            "computed_level",
            "proposed_level",
            "decided_level",
            "evidence",
        )
    )


def cap_meter(
    cycle: AppraisalCycle,
    *,
    rows: list[dict] | None = None,
    override: tuple[int, str, float] | None = None,
) -> list[CapScope]:
    """The cap of the agency and of each group with similar tasks, per regime:
    its base, its places (with recorded exceptions), how many are taken, and the
    candidates ranked by score. Four queries.

    `override` = (appraisal id, level, score) shows the meter as if that
    appraisal had that level (used to check a proposal or a decision)."""
    rows = cap_rows(cycle) if rows is None else rows
    versions = {r["rule_version"] for r in rows}
    rulesets = {
        r.code: r.as_rules() for r in ScoringRuleSet.objects.filter(code__in=versions)
    }
    exceptions: dict[tuple[str, str], int] = defaultdict(int)
    for regime, group, places in CapException.objects.filter(cycle=cycle).values_list(
        "regime", "task_group", "places"
    ):
        exceptions[(regime, group)] += places
    scopes: dict[tuple[str, str], list[dict]] = defaultdict(list)
    shares: dict[str, dict] = {}
    for row in rows:
        row = dict(row)
        row["level"] = _current(row)
        row["score"] = _rank_score(row)
        is_excellent = row["level"] == scoring.EXCELLENT
        row["is_taken"] = is_excellent and row["status"] in (
            *Appraisal.DECIDED_STATUSES,
            Appraisal.Status.PROPOSED,
        )
        row["is_decided"] = is_excellent and row["status"] in (
            Appraisal.DECIDED_STATUSES
        )
        if override and row["id"] == override[0]:
            row["level"], row["score"] = override[1], override[2]
            row["is_taken"] = row["is_decided"] = False
        cap = rulesets[row["rule_version"]].get("cap")
        if not cap:
            continue
        shares[row["regime"]] = cap
        scopes[(row["regime"], "")].append(row)
        scopes[(row["regime"], row["task_group"])].append(row)
    result = []
    for (regime, group), members in sorted(scopes.items()):
        cap = shares[regime]
        if cap["base"] == "good":
            base = sum(1 for m in members if m["level"] == scoring.GOOD)
        else:
            base = sum(1 for m in members if m["level"])
        extra = exceptions.get((regime, group), 0)
        places = scoring.cap_places(base=base, share=float(cap["share"]), extra=extra)
        candidates = [m for m in members if m["level"] == scoring.EXCELLENT]
        ranking = {
            r.key: r
            for r in scoring.rank_for_cap(
                [(m["id"], m["score"]) for m in candidates], places
            )
        }
        cap_list = [
            CapRow(
                m["id"],
                m["employee__employee_code"],
                m["employee__full_name"],
                m["score"],
                m["level"],
                m["status"],
                ranking[m["id"]].rank,
                ranking[m["id"]].status,
            )
            for m in candidates
        ]
        cap_list.sort(key=lambda r: (r.rank, r.employee_code))
        result.append(
            CapScope(
                regime,
                group,
                base,
                float(cap["share"]),
                extra,
                places,
                sum(1 for m in members if m["is_taken"]),
                sum(1 for m in members if m["is_decided"]),
                cap_list,
            )
        )
    return result


def check_excellence_cap(
    appraisal: Appraisal,
    *,
    score: float | None,
    rules: scoring.RuleSet,
    deciding: bool = False,
) -> RuleResult:
    """Whether rating this appraisal "excellently completed" fits the cap of the
    agency and of its group (the first refusal, else the last answer). A proposal
    counts the places proposed or decided; a decision the places decided, so the
    head decides in the order of the ranking."""
    rows = cap_rows(appraisal.cycle)
    own = next((r for r in rows if r["id"] == appraisal.pk), None)
    rank_score = score if score is not None else (_rank_score(own) if own else 0.0)
    meter = cap_meter(
        appraisal.cycle,
        rows=rows,
        override=(appraisal.pk, scoring.EXCELLENT, rank_score),
    )
    answer = RuleResult.allow("cap.none", _("No numeric cap applies."))
    for scope in meter:
        if scope.regime != appraisal.regime or scope.task_group not in (
            "",
            appraisal.task_group,
        ):
            continue
        answer = scoring.check_cap(
            key=appraisal.pk,
            candidates=[(r.appraisal_id, r.score) for r in scope.rows],
            places=scope.places,
            taken=scope.decided if deciding else scope.taken,
            scope=str(scope.label),
            rules=rules,
        )
        if not answer.ok:
            return answer
    return answer


# Workflow reads -----------------------------------------------------------------------


def meeting_for(appraisal: Appraisal) -> CommentMeeting | None:
    """The comment meeting covering the appraisal's unit, if one was held."""
    paths = [appraisal.unit.path[:i] for i in range(4, len(appraisal.unit.path) + 1, 4)]
    return (
        CommentMeeting.objects.filter(cycle=appraisal.cycle, unit__path__in=paths)
        .order_by("-held_on")
        .first()
    )


def cycle_warnings(
    cycle: AppraisalCycle, *, today: dt.date | None = None
) -> list[RuleResult]:
    """What needs attention: the deadline, missing meetings, appraisals the head
    must decide without a level from the rules, missing general criteria."""
    today = today or timezone.localdate()
    counts = (
        Appraisal.objects.filter(cycle=cycle)
        .exclude(status=Appraisal.Status.LEFT)
        .aggregate(
            undecided=Count("pk", filter=~Q(status__in=Appraisal.DECIDED_STATUSES)),
            missing_general=Count(
                "pk",
                filter=Q(
                    regime=scoring.REGIME_B,
                    general_points__isnull=True,
                    eligibility=Appraisal.Eligibility.RATED,
                )
                & ~Q(status__in=Appraisal.DECIDED_STATUSES),
            ),
            gaps=Count(
                "pk",
                filter=Q(
                    computed_level="",
                    eligibility=Appraisal.Eligibility.RATED,
                    evidence__gap=True,
                ),
            ),
        )
    )
    civil = scoring.select_ruleset(
        load_rulesets(), staff_type="cong_chuc", year=cycle.year
    )
    regime = civil.regime if civil else scoring.REGIME_A
    warnings = []
    deadline = scoring.check_deadline(
        deadline=cycle.deadline_on,
        today=today,
        undecided=counts["undecided"],
        regime=regime,
    )
    if not deadline.ok:
        warnings.append(deadline)
    if counts["undecided"] and not cycle.meetings.exists():
        warnings.append(
            RuleResult.refuse(
                "cycle.no_meeting",
                _("No comment meeting is recorded yet."),
                scoring.cite(regime, "procedure"),
            )
        )
    if counts["missing_general"]:
        warnings.append(
            RuleResult.refuse(
                "cycle.general_missing",
                _("%(n)d appraisal(s) await the manager's general criteria points.")
                % {"n": counts["missing_general"]},
                scoring.cite(scoring.REGIME_B, "scale"),
            )
        )
    if counts["gaps"]:
        warnings.append(
            RuleResult.refuse(
                "cycle.gaps",
                _(
                    "%(n)d appraisal(s) match no level of Decree 90/2020: the "
                    "competent head decides them."
                )
                % {"n": counts["gaps"]},
                scoring.cite(scoring.REGIME_A, "levels"),
            )
        )
    return warnings


def tasks_for(
    *,
    employee: Employee | None = None,
    unit: OrgUnit | None = None,
    year: int | None = None,
    period: str | None = None,
) -> QuerySet:
    """Tasks of a person or of a unit subtree, by year or period, with the
    assignee, waivers and reform item ready for a list."""
    queryset = Task.objects.select_related("assignee", "reform_item")
    if employee is not None:
        queryset = queryset.filter(assignee=employee)
    if unit is not None:
        queryset = queryset.filter(assignee__unit__path__startswith=unit.path)
    if year is not None:
        queryset = queryset.filter(period__gte=str(year), period__lt=str(year + 1))
    if period is not None:
        queryset = queryset.filter(period=period)
    return queryset.prefetch_related("waivers").order_by("period", "code")


# Dashboards (pandas) ------------------------------------------------------------------

LEVEL_COLUMNS = [
    scoring.EXCELLENT,
    scoring.GOOD,
    scoring.COMPLETED,
    scoring.NOT_COMPLETED,
    "not_rated",
    "undecided",
]


def level_distribution(cycle: AppraisalCycle) -> pd.DataFrame:
    """People by unit and level (decided levels; the others as undecided or not
    rated): one aggregate query."""
    rows = (
        Appraisal.objects.filter(cycle=cycle)
        .exclude(status=Appraisal.Status.LEFT)
        .values("unit__code", "status", "decided_level", "eligibility")
        .annotate(n=Count("pk"))
        .order_by()
    )
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=["unit__code", "status", "decided_level", "eligibility", "n"],
    )
    if frame.empty:
        return pd.DataFrame(columns=LEVEL_COLUMNS, dtype="int64")
    decided = frame["status"].isin(list(Appraisal.DECIDED_STATUSES))
    frame["column"] = frame["decided_level"].where(decided, "undecided")
    frame.loc[decided & (frame["decided_level"] == ""), "column"] = "not_rated"
    table = frame.pivot_table(
        index="unit__code", columns="column", values="n", aggfunc="sum", fill_value=0
    )
    table = table.reindex(columns=LEVEL_COLUMNS, fill_value=0)
    table.index.name = "unit"
    return table.astype("int64")


def scores_by_period(cycle: AppraisalCycle) -> pd.DataFrame:
    """Mean period scores by unit (rows) and period (columns), as the last
    compute_appraisals left them in the cycle summary."""
    records = (cycle.summary or {}).get("scores", [])
    frame = pd.DataFrame.from_records(
        records, columns=["unit", "period", "mean", "people"]
    )
    if frame.empty:
        return frame
    return frame.pivot_table(index="unit", columns="period", values="mean")


def reform_task_completion(unit: OrgUnit, year: int) -> pd.DataFrame:
    """Reform (CCHC) tasks by the assignee's unit: assigned, completed, on time."""
    rows = (
        Task.objects.filter(
            is_reform_task=True,
            assignee__unit__path__startswith=unit.path,
            period__gte=str(year),
            period__lt=str(year + 1),
        )
        .values("assignee__unit__code")
        .annotate(
            assigned=Count("pk"),
            completed=Count("pk", filter=Q(completed_on__isnull=False)),
            on_time=Count("pk", filter=Q(completed_on__lte=F("due_on"))),
        )
        .order_by("assignee__unit__code")
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["assignee__unit__code", "assigned", "completed", "on_time"]
    ).rename(columns={"assignee__unit__code": "unit"})
    frame = frame.set_index("unit")
    frame["completion_rate"] = (frame["completed"] / frame["assigned"]).round(4)
    return frame


def late_dossiers_by_person(
    unit: OrgUnit, year: int, *, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """Late dossiers attributed to each officer (appraisals.selectors)."""
    from appraisals.selectors import late_by_officer

    rows = late_by_officer(
        unit,
        dt.date(year, 1, 1),
        dt.date(year, 12, 31),
        as_of=as_of or default_as_of(year),
    )
    return pd.DataFrame.from_records(
        rows, columns=["employee_code", "full_name", "late"]
    )


def dashboard_workbook(cycle: AppraisalCycle) -> bytes:
    """The agency dashboards as an XLSX workbook, one sheet per frame."""
    frames = {
        "levels": level_distribution(cycle),
        "scores": scores_by_period(cycle),
        "reform_tasks": reform_task_completion(cycle.unit, cycle.year),
        "late_dossiers": late_dossiers_by_person(cycle.unit, cycle.year),
    }
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in frames.items():
            # Names come from users: a "=…" cell must not become a formula.
            frame = frame.map(escape_formula)
            frame.index = frame.index.map(escape_formula)
            frame.to_excel(writer, sheet_name=name)
    return buffer.getvalue()


__all__ = [
    "CapScope",
    "Reason",
    "cap_meter",
    "check_excellence_cap",
    "cycle_warnings",
    "dashboard_workbook",
    "explain_appraisal",
    "late_dossiers_by_person",
    "level_distribution",
    "load_cycle_facts",
    "reform_task_completion",
    "scores_by_period",
    "tasks_for",
]
