"""Discipline effects: the API the other apps call, and the loaders behind it.

Stable API (recruitment and appraisals call these; each answer carries its
reasons and legal citations):

``discipline_bars(employee, on) -> RuleResult``
    ``ok`` when nothing bars the employee on ``on`` from appointment, promotion,
    rotation or a succession plan. Refused while a discipline is in effect (12
    months after a reprimand, warning or salary step-down, 24 after demotion or
    removal from post: ``DisciplineEffectRule.bar_months``, by the decision date)
    or while a case is open; ``details`` holds one ``Reason`` per bar (codes
    ``discipline_bar.in_effect``, ``discipline_bar.open_case``). Law 22/2008 Art
    82 as amended in 2019.

``discipline_bars_for(employee_ids, on) -> dict[int, RuleResult]``
    The same for many employees in three queries, whatever their number.

``forced_rating_for_year(employee, year) -> str | None``
    ``"khong_hoan_thanh"`` (``AnnualRating.Level.NOT_COMPLETED``) when a
    discipline decided in ``year`` forces that year's rating, else ``None``.
    Decree 48/2023 exceptions: a case whose violation already caused such a
    rating in an earlier year (``AnnualRating.discipline_case``) is not counted
    again; a Party and an administrative discipline for the same act count in
    the year of the first (``DisciplineCase.party_disciplined_on``).

``explain_forced_rating(employee, year) -> RuleResult``
    The same answer with its reasons: ``ok`` means the rating is forced.

``staff.selectors.raise_due(on, employees=None, due_only=False)``
    The salary-step raise clock of every active employee (see there).

Annulled decisions have no effect anywhere.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hrms.rules import RuleResult
from staff import discipline_rules as drules
from staff.models import (
    AnnualRating,
    Assignment,
    DisciplineCase,
    DisciplineEffectRule,
    DisciplineFormRule,
    DisciplineTimeLimit,
    Employee,
    RaiseSetting,
)
from staff.rules import add_months

NOT_COMPLETED = AnnualRating.Level.NOT_COMPLETED


@dataclass(frozen=True)
class Rulebook:
    """The rule tables, read once (four small queries) and used in memory."""

    forms: tuple[DisciplineFormRule, ...]
    effects: tuple[DisciplineEffectRule, ...]
    time_limits: tuple[DisciplineTimeLimit, ...]
    raise_settings: tuple[RaiseSetting, ...]

    @classmethod
    def load(cls, *, forms=True, effects=True, limits=True, settings=True) -> Rulebook:
        return cls(
            tuple(DisciplineFormRule.objects.all()) if forms else (),
            tuple(DisciplineEffectRule.objects.all()) if effects else (),
            tuple(DisciplineTimeLimit.objects.all()) if limits else (),
            tuple(RaiseSetting.objects.all()) if settings else (),
        )

    def effect(self, form: str, staff_type: str, on: dt.date):
        rows = [
            r
            for r in drules.valid_on(self.effects, on)
            if r.form == form and r.staff_type == staff_type
        ]
        return max(rows, key=lambda r: r.valid_from, default=None)

    def time_limit(self, on: dt.date):
        rows = drules.valid_on(self.time_limits, on)
        return max(rows, key=lambda r: r.valid_from, default=None)

    def raise_setting(self, on: dt.date):
        rows = drules.valid_on(self.raise_settings, on)
        return max(rows, key=lambda r: r.valid_from, default=None)


def served_disciplines(
    employee_ids, rulebook: Rulebook, *, exclude_case: int | None = None
) -> dict[int, list[drules.ServedDiscipline]]:
    """Decisions in force (not annulled) by employee, with how long each bars.

    `employee_ids` may be a list or a subquery; one query.
    """
    rows = (
        DisciplineCase.objects.decided()
        .filter(employee_id__in=employee_ids)
        .exclude(pk=exclude_case)
        .values_list(
            "pk", "employee_id", "employee__staff_type", "form", "decided_on",
            "effective_on",
        )
    )  # fmt: skip
    served: dict[int, list[drules.ServedDiscipline]] = defaultdict(list)
    for pk, employee_id, staff_type, form, decided_on, effective_on in rows:
        effect = rulebook.effect(form, staff_type, decided_on)
        months = effect.bar_months if effect else 0
        served[employee_id].append(
            drules.ServedDiscipline(
                pk,
                form,
                effective_on,
                add_months(effective_on, months),
                drules.rank_of(
                    rulebook.forms, form, staff_type=staff_type, on=decided_on
                ),
            )
        )
    return served


def _open_cases(employee_ids) -> dict[int, list[tuple[int, str, dt.date]]]:
    cases: dict[int, list[tuple[int, str, dt.date]]] = defaultdict(list)
    rows = DisciplineCase.objects.open().filter(employee_id__in=employee_ids)
    for case in rows.only("pk", "employee_id", "detected_on"):
        cases[case.employee_id].append((case.pk, case.reference, case.detected_on))
    return cases


def discipline_bars_for(
    employee_ids: Iterable[int], on: dt.date
) -> dict[int, RuleResult]:
    """`discipline_bars` for many employees: three queries, whatever their number."""
    ids = list(employee_ids)
    rulebook = Rulebook.load(forms=False, effects=True, limits=False, settings=False)
    served = served_disciplines(ids, rulebook)
    open_cases = _open_cases(ids)
    return {
        pk: drules.check_bars(
            served=served.get(pk, ()), open_cases=open_cases.get(pk, ()), on=on
        )
        for pk in ids
    }


def discipline_bars(employee: Employee | int, on: dt.date) -> RuleResult:
    """Whether a discipline bars appointment, promotion, rotation or planning."""
    pk = employee if isinstance(employee, int) else employee.pk
    return discipline_bars_for([pk], on)[pk]


def _rated_disciplines(employee_id: int, rulebook: Rulebook) -> list:
    cases = list(
        DisciplineCase.objects.decided()
        .filter(employee_id=employee_id)
        .select_related("employee")
    )
    earlier: dict[int, list[int]] = defaultdict(list)
    linked = AnnualRating.objects.filter(
        discipline_case__in=[c.pk for c in cases], level=NOT_COMPLETED
    ).values_list("discipline_case_id", "year")
    for case_id, year in linked:
        earlier[case_id].append(year)
    rated = []
    for case in cases:
        effect = rulebook.effect(case.form, case.employee.staff_type, case.decided_on)
        rated.append(
            drules.RatedDiscipline(
                case.pk,
                case.form,
                case.decided_on,
                forces_rating=bool(effect and effect.forces_rating),
                party_disciplined_on=case.party_disciplined_on,
                earlier_rating_years=tuple(earlier.get(case.pk, ())),
            )
        )
    return rated


def explain_forced_rating(employee: Employee | int, year: int) -> RuleResult:
    """Whether a discipline forces the year's rating; `ok` = forced, with reasons."""
    pk = employee if isinstance(employee, int) else employee.pk
    rulebook = Rulebook.load(forms=False, effects=True, limits=False, settings=False)
    return drules.forced_rating(_rated_disciplines(pk, rulebook), year=year)


def forced_rating_for_year(employee: Employee | int, year: int) -> str | None:
    """`"khong_hoan_thanh"` when a discipline forces the year's rating, else None."""
    return NOT_COMPLETED.value if explain_forced_rating(employee, year).ok else None


# Loaders for the case screens and services --------------------------------------------


def holds_leadership(employee: Employee, on: dt.date) -> bool:
    """Whether the employee holds a leadership post on a date (one query)."""
    return (
        Assignment.objects.active_on(on)
        .filter(employee=employee, position__group="leadership")
        .exists()
    )


def employee_violation_dates(employee_id: int) -> list[dt.date]:
    """The violation dates of the employee's open and decided cases: a case closed
    without discipline, or annulled, restarts no limitation period."""
    from staff.models import Violation

    statuses = [DisciplineCase.Status.OPEN, DisciplineCase.Status.DECIDED]
    return list(
        Violation.objects.filter(
            case__employee_id=employee_id, case__status__in=statuses
        ).values_list("occurred_on", flat=True)
    )


def case_clock(
    case: DisciplineCase, rulebook: Rulebook, on: dt.date
) -> drules.HandlingClock | None:
    """The handling clock of a case on a date (None without a time-limit table)."""
    limit = rulebook.time_limit(case.detected_on)
    if limit is None:
        return None
    suspensions = [(s.starts_on, s.ends_on) for s in case.suspensions.all()]
    return drules.handling_clock(
        detected_on=case.detected_on,
        handling_days=limit.handling_days,
        extended_to_days=case.extended_to_days,
        suspensions=suspensions,
        on=on,
    )


@dataclass(frozen=True)
class FormOption:
    """A form as the decision screen offers it: allowed or refused, with why."""

    form: str
    label: str
    result: RuleResult


def form_options(
    rulebook: Rulebook, *, employee: Employee, on: dt.date, leader: bool
) -> list[FormOption]:
    """Every form, each checked for the employee's staff type and post on a date."""
    from staff.models import DisciplineForm

    options = []
    for value, label in DisciplineForm.choices:
        result = drules.check_form(
            rulebook.forms,
            form=value,
            staff_type=employee.staff_type,
            on=on,
            holds_leadership=leader,
        )
        options.append(FormOption(value, str(label), result))
    return options


def required_form_for(
    case: DisciplineCase, rulebook: Rulebook, *, on: dt.date, leader: bool
) -> tuple[str | None, RuleResult]:
    """The lightest form the decision may take: the heaviest merited, or one level
    above a discipline in effect when a violation happened (the repeat rule)."""
    employee = case.employee
    ladder = drules.form_ladder(
        rulebook.forms, staff_type=employee.staff_type, on=on, holds_leadership=leader
    )
    violations = list(case.violations.all())
    merited = [
        (
            v.merited_form,
            drules.rank_of(
                rulebook.forms, v.merited_form, staff_type=employee.staff_type, on=on
            ),
        )
        for v in violations
        if v.merited_form
    ]
    served = served_disciplines([employee.pk], rulebook, exclude_case=case.pk)
    latest = max((v.occurred_on for v in violations), default=None)
    return drules.required_form(
        ladder=ladder,
        merited=merited,
        served=served.get(employee.pk, ()),
        latest_violation_on=latest,
    )


def limitation_preview(
    case: DisciplineCase, rulebook: Rulebook, *, form: str, on: dt.date
) -> RuleResult | None:
    """The limitation check a decision of `form` on `on` would meet."""
    limit = rulebook.time_limit(on)
    if limit is None:
        return None
    facts = [
        drules.ViolationFacts(
            v.pk,
            v.description,
            v.occurred_on,
            v.no_limitation,
            v.get_no_limitation_display() if v.no_limitation else "",
        )
        for v in case.violations.all()
    ]
    return drules.check_limitation(
        facts,
        employee_violation_dates=employee_violation_dates(case.employee_id),
        form=form,
        years_reprimand=limit.limitation_years_reprimand,
        years_other=limit.limitation_years_other,
        on=on,
    )


def open_case_rows(cases, rulebook: Rulebook, on: dt.date) -> list[dict]:
    """Open cases with their clocks, overdue first, then the nearest deadline.

    `cases` should prefetch `suspensions` and select `employee`.
    """
    rows = []
    for case in cases:
        clock = case_clock(case, rulebook, on)
        rows.append({"case": case, "clock": clock})
    rows.sort(
        key=lambda r: (
            not (r["clock"] and r["clock"].is_overdue),
            r["clock"].days_left if r["clock"] else 0,
            r["case"].pk,
        )
    )
    return rows


def missing_rules_message(on: dt.date) -> str:
    return _("No discipline time-limit table applies on %(date)s.") % {
        "date": on.strftime("%d/%m/%Y")
    }


__all__ = [
    "Rulebook",
    "discipline_bars",
    "discipline_bars_for",
    "explain_forced_rating",
    "forced_rating_for_year",
]
