"""Reads over the personnel file, and the set-based raise clock."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, Max, Model, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from hrms.rules import Reason, RuleResult
from positions.models import Grade, OrgUnit, SalaryStep
from staff import rules
from staff.discipline import Rulebook, served_disciplines
from staff.discipline_rules import check_bars, form_label
from staff.models import (
    AnnualRating,
    Assignment,
    Commendation,
    DisciplineCase,
    Employee,
    GradeHistory,
)


@dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    # assignment_start, assignment_end, grade, rating, commendation, discipline,
    # discipline_annulled
    kind: str
    text: str
    obj: Model | None = None


# Same-day events read in this order: leave a post, take the next, then the rest.
_KIND_ORDER = {
    "assignment_end": 0,
    "assignment_start": 1,
    "grade": 2,
    "rating": 3,
    "commendation": 4,
    "discipline": 5,
    "discipline_annulled": 6,
}


def _decision(number: str) -> str:
    return _(" (decision %(number)s)") % {"number": number} if number else ""


def employee_timeline(employee: Employee) -> list[TimelineEvent]:
    """Assignments, grade and step changes, ratings, commendations and discipline
    decisions by date.

    Five queries whatever the length of the file. A rating without a decision
    date is placed on 31 December of its year; a discipline on its effective
    date, and its annulment (if any) on the annulment date.
    """
    events: list[TimelineEvent] = []
    assignments = Assignment.objects.filter(employee=employee).select_related(
        "position__unit"
    )
    for a in assignments:
        params = {"position": a.position.title, "code": a.position.code}
        params["unit"] = a.position.unit.name
        text = _("Assigned to %(position)s (%(code)s), %(unit)s") % params
        if a.quota_override_reason:
            text += _(", beyond the quota: %(reason)s") % {
                "reason": a.quota_override_reason
            }
        if a.is_transition_case:
            text += _(", grade transition case")
        events.append(
            TimelineEvent(
                a.starts_on, "assignment_start", text + _decision(a.decision_number), a
            )
        )
        if a.ends_on:
            events.append(
                TimelineEvent(
                    a.ends_on,
                    "assignment_end",
                    _("Left %(position)s (%(code)s)") % params,
                    a,
                )
            )
    history = GradeHistory.objects.filter(employee=employee).select_related("grade")
    for g in history:
        text = _("%(reason)s: %(grade)s, step %(step)s, coefficient %(coef)s") % {
            "reason": g.get_reason_display(),
            "grade": f"{g.grade.code} {g.grade.name}",
            "step": g.salary_step,
            "coef": g.coefficient,
        }
        events.append(
            TimelineEvent(
                g.effective_on, "grade", text + _decision(g.decision_number), g
            )
        )
    for r in AnnualRating.objects.filter(employee=employee):
        on = r.decided_on or dt.date(r.year, 12, 31)
        text = _("Rating %(year)s: %(level)s") % {
            "year": r.year,
            "level": r.get_level_display(),
        }
        events.append(TimelineEvent(on, "rating", text, r))
    for c in Commendation.objects.filter(employee=employee):
        text = _("%(level)s: %(title)s") % {
            "level": c.get_level_display(),
            "title": c.title,
        }
        events.append(
            TimelineEvent(
                c.decided_on, "commendation", text + _decision(c.decision_number), c
            )
        )
    decided = DisciplineCase.objects.filter(
        employee=employee,
        status__in=[DisciplineCase.Status.DECIDED, DisciplineCase.Status.ANNULLED],
    )
    for case in decided:
        text = _("Discipline: %(form)s") % {"form": form_label(case.form)}
        events.append(
            TimelineEvent(
                case.effective_on,
                "discipline",
                text + _decision(case.decision_number),
                case,
            )
        )
        if case.annulled_on:
            text = _("Discipline decision %(number)s annulled: %(reason)s") % {
                "number": case.decision_number or case.reference,
                "reason": case.annulment_reason,
            }
            events.append(
                TimelineEvent(case.annulled_on, "discipline_annulled", text, case)
            )
    events.sort(key=lambda e: (e.on, _KIND_ORDER[e.kind]))
    return events


# The salary-step raise clock (set-based) ----------------------------------------------


@dataclass(frozen=True)
class RaiseDue:
    """An employee's next regular step raise, or seniority-allowance change."""

    employee_id: int
    employee_code: str
    full_name: str
    staff_type: str
    unit_code: str
    unit_name: str
    grade_id: int
    grade_code: str
    scale_code: str
    step: int
    last_step: int
    clock: rules.RaiseClock

    @property
    def kind(self) -> str:
        return self.clock.kind

    @property
    def due_on(self) -> dt.date:
        return self.clock.due_on

    @property
    def step_since(self) -> dt.date:
        return self.clock.step_since

    @property
    def next_step(self) -> int | None:
        return self.step + 1 if self.kind == "step" else None

    @property
    def extension_months(self) -> int:
        return self.clock.extension_months

    @property
    def allowance_percent(self) -> int:
        return self.clock.allowance_percent

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.clock.reasons


def _clock_events(
    employee_ids, rulebook: Rulebook, setting
) -> dict[int, list[rules.ClockEvent]]:
    """Disciplines and "did not complete duties" years by employee: two queries."""
    events: dict[int, list[rules.ClockEvent]] = defaultdict(list)
    decided = (
        DisciplineCase.objects.decided()
        .filter(employee_id__in=employee_ids)
        .values_list(
            "pk", "employee_id", "employee__staff_type", "form", "decided_on",
            "effective_on", "decision_number",
        )
    )  # fmt: skip
    for pk, employee_id, staff_type, form, decided_on, effective_on, number in decided:
        effect = rulebook.effect(form, staff_type, decided_on)
        if effect is None or not effect.raise_extension_months:
            continue
        label = _("Discipline: %(form)s") % {"form": form_label(form)}
        if number:
            label += _(" (decision %(number)s)") % {"number": number}
        events[employee_id].append(
            rules.ClockEvent(
                "discipline",
                effective_on,
                effect.raise_extension_months,
                pk,
                label,
                f"{rules.RAISE_EXTENSION_CITATION}; {effect.citation}"
                if effect.citation
                else rules.RAISE_EXTENSION_CITATION,
            )
        )
    months = setting.not_completed_extension_months if setting else 6
    ratings = AnnualRating.objects.filter(
        employee_id__in=employee_ids, level=AnnualRating.Level.NOT_COMPLETED
    ).values_list("employee_id", "year", "decided_on", "discipline_case_id")
    for employee_id, year, decided_on, case_id in ratings:
        events[employee_id].append(
            rules.ClockEvent(
                "rating",
                decided_on or dt.date(year, 12, 31),
                months,
                year,
                _("Rated “did not complete duties” for %(year)s") % {"year": year},
                rules.RAISE_EXTENSION_CITATION,
                case_id,
            )
        )
    return events


def _may_be_due(
    on: dt.date, grades: dict, setting, events: dict
) -> list[tuple[dt.date, list[int]]] | None:
    """Per group of grades, the latest step date whose clock can be due by `on`.

    Extensions only push a due date later, so a clock is due no earlier than
    `add_months(step_since, months)`, where `months` is the scale's interval or,
    at the last step, the allowance's required years. A grade row that took
    effect after `add_months(on, -(months - 1))` cannot be due: it is left out
    in SQL before any clock is computed; exact dates are still computed in
    Python. None when no safe bound exists (a shortening rule, a zero interval).
    """
    if any(e.months < 0 for mine in events.values() for e in mine):
        return None
    by_months = defaultdict(list)
    for grade_id, (_scale, _code, interval, college) in grades.items():
        months = interval
        if setting is not None:
            years = (
                setting.seniority_years_college
                if college
                else setting.seniority_years_other
            )
            months = min(months, years * 12)
        if months < 1:
            return None
        by_months[months].append(grade_id)
    if not by_months:
        return None
    return [
        (rules.add_months(on, -(months - 1)), grade_ids)
        for months, grade_ids in by_months.items()
    ]


def raise_due(
    on: dt.date, employees: QuerySet | None = None, *, due_only: bool = False
) -> list[RaiseDue]:
    """The raise clock of every active employee with a grade, as of `on`.

    A step raise falls due the scale's interval (36/24/60 months) after the
    current step took effect, extended by each discipline (+3/+6/+12 months by
    form and staff type) and each "did not complete duties" year (+6) in the
    holding period, a rating caused by the same violation as a counted
    discipline counting once. At the last step, the seniority-beyond-frame
    allowance takes its place. `due_only` keeps those due on or before `on`.

    Seven queries whatever the number of employees: the employees with their
    grade, the grades, the last steps, the decisions, the effect rules, the
    ratings and the settings; the rest is computed in memory.
    """
    employees = Employee.objects.all() if employees is None else employees
    employees = employees.filter(status=Employee.Status.ACTIVE)
    grades = {
        pk: (scale_id, code, months, college)
        for pk, scale_id, code, months, college in Grade.objects.values_list(
            "pk",
            "salary_scale_id",
            "salary_scale__code",
            "salary_scale__raise_interval_months",
            "salary_scale__is_college_or_higher",
        )
    }
    last_steps = dict(
        SalaryStep.objects.valid_on(on)
        .values("scale_id")
        .annotate(last=Max("step"))
        .values_list("scale_id", "last")
    )
    rulebook = Rulebook.load(forms=False, effects=True, limits=False, settings=True)
    setting = rulebook.raise_setting(on)
    events = _clock_events(employees.values("pk"), rulebook, setting)
    candidates = employees
    due_filter = _may_be_due(on, grades, setting, events) if due_only else None
    if due_filter is not None:
        # Nobody whose step changed after the latest bound can be due: leave
        # them out with one anti-join before looking for the row in force.
        latest_bound = max(bound for bound, _grade_ids in due_filter)
        candidates = employees.exclude(
            pk__in=GradeHistory.objects.filter(
                effective_on__gt=latest_bound, effective_on__lte=on
            ).values("employee_id")
        )
    # The grade row in force: the one with no later row on or before `on`
    # (an anti-join), instead of one correlated subquery per employee and column.
    later = GradeHistory.objects.filter(
        employee_id=OuterRef("employee_id"), effective_on__lte=on
    ).filter(
        Q(effective_on__gt=OuterRef("effective_on"))
        | Q(effective_on=OuterRef("effective_on"), pk__gt=OuterRef("pk"))
    )
    current = GradeHistory.objects.filter(
        employee__in=candidates.values("pk"), effective_on__lte=on
    ).exclude(Exists(later))
    if due_filter is not None:
        condition = Q()
        for bound, grade_ids in due_filter:
            condition |= Q(grade_id__in=grade_ids, effective_on__lte=bound)
        current = current.filter(condition)
    people = list(
        current.order_by("employee__employee_code").values_list(
            "employee_id", "employee__employee_code", "employee__full_name",
            "employee__staff_type", "employee__unit__code", "employee__unit__name",
            "grade_id", "grade__code", "salary_step", "effective_on",
        )
    )  # fmt: skip
    result = []
    for pk, code, name, staff_type, unit_code, unit_name, grade_id, *rest in people:
        grade_code, step, since = rest
        scale_id, scale_code, interval, college = grades[grade_id]
        last = last_steps.get(scale_id, 0)
        mine = events.get(pk, ())
        if step < last:
            clock = rules.next_step_raise(
                step_since=since,
                interval_months=interval,
                scale_code=scale_code,
                events=mine,
            )
        elif setting is not None:
            clock = rules.seniority_allowance(
                last_step_since=since,
                years_required=setting.seniority_years_college
                if college
                else setting.seniority_years_other,
                first_percent=setting.seniority_first_percent,
                yearly_percent=setting.seniority_yearly_percent,
                events=mine,
                on=on,
            )
        else:
            continue
        if due_only and clock.due_on > on:
            continue
        result.append(
            RaiseDue(
                pk, code, name, staff_type, unit_code, unit_name, grade_id,
                grade_code, scale_code, step, last, clock,
            )
        )  # fmt: skip
    result.sort(key=lambda r: (r.due_on, r.employee_code))
    return result


# Early raises -------------------------------------------------------------------------


@dataclass(frozen=True)
class EarlyRaiseCandidate:
    raise_due: RaiseDue
    commendations: tuple[Commendation, ...]
    result: RuleResult
    earliest_on: dt.date | None

    @property
    def eligible(self) -> bool:
        return self.result.ok


@dataclass(frozen=True)
class EarlyRaiseReport:
    unit: OrgUnit
    year: int
    quota: rules.EarlyRaiseQuota
    used: int
    candidates: tuple[EarlyRaiseCandidate, ...]

    @property
    def remaining(self) -> int:
        return max(self.quota.quota - self.used, 0)


def payroll(unit: OrgUnit, on: dt.date) -> QuerySet:
    """The unit's payroll list on a date: active staff of its subtree who joined."""
    return (
        Employee.objects.in_subtree(unit)
        .filter(status=Employee.Status.ACTIVE)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=on))
    )


def _grade_runs(employee_ids, year_end: dt.date) -> dict[int, tuple[dt.date, bool]]:
    """(start of the current grade, whether its last raise was early) by employee."""
    runs: dict[int, tuple[int, dt.date, bool]] = {}
    rows = (
        GradeHistory.objects.filter(employee_id__in=employee_ids)
        .filter(effective_on__lte=year_end)
        .order_by("employee_id", "effective_on", "pk")
        .values_list("employee_id", "grade_id", "effective_on", "reason")
    )
    for employee_id, grade_id, effective_on, reason in rows:
        current = runs.get(employee_id)
        if current is None or current[0] != grade_id:
            current = (grade_id, effective_on, False)
        if reason in (
            GradeHistory.Reason.REGULAR_RAISE,
            GradeHistory.Reason.EARLY_RAISE,
        ):
            current = (grade_id, current[1], reason == GradeHistory.Reason.EARLY_RAISE)
        runs[employee_id] = current
    return {pk: (start, early) for pk, (_grade, start, early) in runs.items()}


def early_raise_candidates(unit: OrgUnit, year: int) -> EarlyRaiseReport:
    """Who in a unit's payroll may get an early step raise in a year, the quota.

    As of 31 December: an unused commendation earned in the current grade, the
    regular raise due within the following 12 months (not within the year), the
    last raise in the grade not already early, no discipline in effect. The
    quota is one per 10 people on the payroll list, with the remainder rule of
    the settings, less the early raises already recorded in the year. A fixed
    number of queries whatever the unit's size.
    """
    year_end = dt.date(year, 12, 31)
    people = payroll(unit, year_end)
    ids = people.values("pk")
    clocks = raise_due(year_end, people)
    rulebook = Rulebook.load(forms=False, effects=True, limits=False, settings=True)
    setting = rulebook.raise_setting(year_end)
    head = people.count()
    carried = 0
    if setting and setting.early_raise_remainder == "carry_over":
        previous = payroll(unit, dt.date(year - 1, 12, 31)).count()
        carried = previous % setting.early_raise_people_per_raise
    quota = rules.early_raise_quota(
        payroll=head,
        people_per_raise=setting.early_raise_people_per_raise if setting else 10,
        remainder=setting.early_raise_remainder if setting else "floor",
        threshold=setting.early_raise_remainder_threshold if setting else 5,
        carried=carried,
    )
    used = GradeHistory.objects.filter(
        employee_id__in=ids,
        reason=GradeHistory.Reason.EARLY_RAISE,
        effective_on__year=year,
    ).count()
    runs = _grade_runs(ids, year_end)
    commendations: dict[int, list[Commendation]] = defaultdict(list)
    unused = Commendation.objects.filter(
        employee_id__in=ids, is_used_for_early_raise=False, decided_on__lte=year_end
    ).order_by("-decided_on", "-pk")
    for commendation in unused:
        commendations[commendation.employee_id].append(commendation)
    served = served_disciplines(ids, rulebook)
    max_months = setting.early_raise_max_months if setting else 12
    candidates = []
    for row in clocks:
        start, last_early = runs.get(row.employee_id, (row.step_since, False))
        earned = tuple(
            c for c in commendations.get(row.employee_id, ()) if c.decided_on >= start
        )
        bar = check_bars(
            served=served.get(row.employee_id, ()), open_cases=(), on=year_end
        )
        at_last = row.kind != "step"
        result = rules.check_early_raise(
            year=year,
            due_on=None if at_last else row.due_on,
            at_last_step=at_last,
            max_months=max_months,
            has_commendation=bool(earned),
            last_raise_was_early=last_early,
            discipline_bar=bar,
        )
        earliest = None if at_last else rules.add_months(row.due_on, -max_months)
        candidates.append(EarlyRaiseCandidate(row, earned, result, earliest))
    candidates.sort(key=lambda c: (not c.eligible, c.raise_due.due_on))
    return EarlyRaiseReport(unit, year, quota, used, tuple(candidates))
