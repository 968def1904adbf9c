"""Legal scoring of the annual appraisal (DOMAIN §5): plain, effective-dated
functions over plain data, each answering with its reasons and citation.

Regime A — Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP: cadres and
civil servants through rating year 2025, public employees (viên chức) until their
new rules apply. The level follows percentage tests over the year's tasks.

Regime B — Decree 335/2025/NĐ-CP (in force 1 Jan 2026): civil servants from rating
year 2026. Each month (or quarter) scores out of 100: general criteria out of 30
(Art 12) plus task results out of 70 (Art 14); the year's score is the mean of the
period scores (Art 21) and gives the level (Art 20).

Which regime and which numbers apply is data: the `ScoringRuleSet` row valid on
the last day of the rating year for the person's staff type (`select_ruleset`).
Its `params` keys:

    task_points_max, general_points_max   70 and 30 (B)
    deduction_per_defect, deduction_per_delay   0.25 each (B)
    axis_weights {quantity, quality, timeliness}   how a product's points split
    levels [[min score, level], ...]   best first (B)
    tests {...}   the percentage tests of Regime A
    leader_weights {own, unit_products, unit_results, organising}   (B)
    unit_results {all_completed, any_not_completed}   1.0 / 0.5 (B)
    general_criteria {criterion: max points}   adding up to general_points_max
    service_attitude {criterion, min_ratings, incident_deduction}
    step_weight   a dossier step's conversion weight
    cap {share, base: "good" | "all_rated"} or null
    min_months_worked, absence_cap {from_months, to_months, level or null}
    complaint_days, deadline [month, day], special_deadline [month, day] (next year)

Readings chosen where the text leaves room (the numbers are parameters):

* A product's points are 70 × its conversion weight ÷ the weights of the period's
  products, split over the three axes of Art 14. A product not delivered earns
  none; a delivered one earns its quantity share, its quality share less 25% per
  failed quality check, and its timeliness share less 25% if delivered after its
  due date (one delay per late delivery). An approved objective-cause waiver
  cancels the deductions of its kind. A product neither delivered nor yet due is
  pending and left out of the period.
* One-stop-shop officers: each dossier step they hold is a product of the month its
  due time falls in; it is delayed when its dossier's lateness is attributed to it
  (appraisals.rules.attribute_lateness); steps carry no quality checks.
* A period's score = its task points + the manager's general criteria points; a
  period without products has no score.
* Leaders (B): own products, the unit's products, the unit's results (100% when
  every subordinate reaches "completed", 50% when any does not) and organising
  capacity (the share of the unit's products on time with quality) are weighted
  into the 70 task points; a term without data is left out and the others
  re-weighted.
* Regime A leaves gaps (20–50% of tasks short; a manager's unit between 50% and
  70%): no level is invented; the record is flagged for the competent head.
* The excellence cap is floor(share × base) places plus recorded exceptions; the
  base is the number rated "well completed" (B) or everyone rated (A). Candidates
  are ranked by score; those tied for the last places are "tied" and the head
  chooses among them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hrms.rules import Reason, RuleResult
from staff.discipline_rules import RATING_CITATION
from staff.models.personnel import AnnualRating

Level = AnnualRating.Level
EXCELLENT = Level.EXCELLENT.value
GOOD = Level.GOOD.value
COMPLETED = Level.COMPLETED.value
NOT_COMPLETED = Level.NOT_COMPLETED.value
LEVEL_RANK = {NOT_COMPLETED: 0, COMPLETED: 1, GOOD: 2, EXCELLENT: 3}

REGIME_A = "decree_90_2020"
REGIME_B = "decree_335_2025"
DECREE_335_FROM = dt.date(2026, 1, 1)

AXES = ("quantity", "quality", "timeliness")

_B = "Decree 335/2025/NĐ-CP"
_A = "Decree 90/2020/NĐ-CP"
_A48 = "Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP"
CITATIONS = {
    REGIME_B: {
        "scale": f"{_B} Art 12",
        "tasks": f"{_B} Art 14",
        "leaders": f"{_B} Art 14 (leaders)",
        "levels": f"{_B} Art 20",
        "overrides": f"{_B} Art 20",
        "cap": f"{_B} Art 20(5)",
        "timing": f"{_B} Art 21",
        "time_worked": f"{_B} Art 21",
        "procedure": f"Law 80/2025/QH15; {_B} (procedure)",
    },
    REGIME_A: {
        "scale": _A48,
        "tasks": _A48,
        "leaders": _A48,
        "levels": _A48,
        "overrides": f"{_A} Art 11, Art 15",
        "cap": f"{_A} Art 2(6) as added by Decree 48/2023/NĐ-CP",
        "timing": _A48,
        "time_worked": _A48,
        "procedure": f"{_A} (procedure)",
    },
}
COMPLAINTS = "Law on Complaints No. 02/2011/QH13"
# The articles of Decree 90/2020 setting each level (excellent, good, completed,
# not completed) by staff type; cadres' articles are not verified.
_A_ARTICLES = {"cong_chuc": (8, 9, 10, 11), "vien_chuc": (12, 13, 14, 15)}


def cite(regime: str, topic: str) -> str:
    return CITATIONS[regime][topic]


def cite_level(regime: str, level: str, staff_type: str = "") -> str:
    """The article that sets a level."""
    if regime == REGIME_B:
        return cite(REGIME_B, "levels")
    articles = _A_ARTICLES.get(staff_type)
    if not articles:
        return _A48
    order = (EXCELLENT, GOOD, COMPLETED, NOT_COMPLETED)
    return f"{_A} Art {articles[order.index(level)]}"


def level_label(level: str) -> str:
    return str(Level(level).label) if level else _("not rated")


def fmt_points(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# Rule sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    """One version of a regime's numbers (a ScoringRuleSet row, as plain data)."""

    code: str
    regime: str
    staff_types: tuple[str, ...]
    valid_from: dt.date
    valid_to: dt.date | None
    citation: str
    params: Mapping[str, Any]
    unverified: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    def is_valid_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @property
    def is_b(self) -> bool:
        return self.regime == REGIME_B

    @cached_property
    def task_max(self) -> float:
        return float(self.params["task_points_max"])

    @cached_property
    def step_weight(self) -> float:
        return float(self.params["step_weight"])

    @cached_property
    def shares(self) -> tuple[float, float, float]:
        """The quantity, quality and timeliness shares of a product's points."""
        weights = self.params["axis_weights"]
        total = sum(float(weights[axis]) for axis in AXES)
        return tuple(float(weights[axis]) / total for axis in AXES)


def rating_day(year: int) -> dt.date:
    """The day a year's rules are chosen for: its last day, when rating is done."""
    return dt.date(year, 12, 31)


def select_ruleset(
    rulesets: Iterable[RuleSet], *, staff_type: str, year: int
) -> RuleSet | None:
    """The rules of a staff type's rating year: the latest version in force on the
    last day of the year (None: no rule covers that staff type, e.g. contract
    staff)."""
    on = rating_day(year)
    rows = [r for r in rulesets if staff_type in r.staff_types and r.is_valid_on(on)]
    return max(rows, key=lambda r: r.valid_from, default=None)


# Periods ------------------------------------------------------------------------------

_PERIOD = re.compile(r"(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))")


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None
    quarter: int | None = None

    def __str__(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> dt.date:
        month = self.month or (self.quarter - 1) * 3 + 1
        return dt.date(self.year, month, 1)

    @property
    def last_day(self) -> dt.date:
        month = self.month or self.quarter * 3
        if month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, month + 1, 1) - dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def parse_period(value: str) -> Period:
    """ "YYYY-MM" or "YYYY-Qn"; ValueError otherwise."""
    match = _PERIOD.fullmatch(str(value or "").strip())
    if not match:
        raise ValueError(
            _("“%(value)s” is not a period: use YYYY-MM or YYYY-Qn (n = 1 to 4).")
            % {"value": value}
        )
    year, month, quarter = match.groups()
    if month:
        return Period(int(year), month=int(month))
    return Period(int(year), quarter=int(quarter))


def validate_period(value: str) -> None:
    """Model-field validator for a task period."""
    try:
        parse_period(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="period") from None


def month_of(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def cycle_period(task_period: str, due_on: dt.date, kind: str) -> str:
    """The scoring period of the cycle a product counts in: a month belongs to its
    quarter in a quarterly cycle; a quarter's product belongs, in a monthly
    cycle, to the month of its due date (the quarter's last month when the due
    date falls outside the quarter)."""
    if kind != "quarter" and "Q" not in task_period:
        return task_period  # a month in a monthly cycle
    period = parse_period(task_period)
    if kind == "quarter":
        return quarter_of(period.first_day)
    if period.month:
        return str(period)
    if period.first_day <= due_on <= period.last_day:
        return month_of(due_on)
    return month_of(period.last_day)


def step_period(due_day: dt.date, kind: str) -> str:
    return quarter_of(due_day) if kind == "quarter" else month_of(due_day)


def periods_started(year: int, kind: str, as_of: dt.date) -> list[str]:
    """The periods of the year that have begun by as_of."""
    if kind == "quarter":
        periods = [Period(year, quarter=q) for q in range(1, 5)]
    else:
        periods = [Period(year, month=m) for m in range(1, 13)]
    return [str(p) for p in periods if p.first_day <= as_of]


# Products (Art 14) ----------------------------------------------------------------


@dataclass(frozen=True)
class Waiver:
    kind: str  # "quality" | "timeliness"
    approved_by: str
    approved_on: dt.date
    reason: str = ""


@dataclass(slots=True)
class TaskFacts:
    code: str
    weight: float
    due_on: dt.date
    completed_on: dt.date | None
    quality_defects: int = 0
    # Working days between the due date and the completion (late tasks).
    late_working_days: int = 0
    waivers: tuple[Waiver, ...] = ()
    is_above_standard: bool = False

    def waiver(self, kind: str) -> Waiver | None:
        return next((w for w in self.waivers if w.kind == kind), None)

    def state(self, as_of: dt.date) -> str:
        """done, overdue (not delivered, due date passed) or pending."""
        if self.completed_on is not None:
            return "done"
        return "overdue" if self.due_on < as_of else "pending"


@dataclass(frozen=True)
class StepFacts:
    """A dossier step held by the officer, judged by appraisals.rules."""

    dossier_code: str
    seq: int
    name: str
    is_done: bool
    # The attribution's reasons when its dossier's lateness is attributed to it.
    overrun: Reason | None = None
    working_days_late: int = 0


@dataclass
class Line:
    """One part of a score: what happened, its legal basis and its points."""

    code: str
    message: str
    citation: str = ""
    points: float | None = None

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message, "citation": self.citation}
        if self.points is not None:
            data["points"] = round(self.points, 4)
        return data


@dataclass
class ProductScore:
    kind: str  # "task" | "step"
    ref: str
    weight: float
    max_points: float
    points: float
    parts: dict[str, float]
    state: str
    is_ok: bool  # delivered on time with quality (no deduction left standing)
    lines: list[Line] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "ref": self.ref,
            "weight": self.weight,
            "max": round(self.max_points, 4),
            "points": round(self.points, 4),
            "parts": {k: round(v, 4) for k, v in self.parts.items()},
            "state": self.state,
            "lines": [line.as_dict() for line in self.lines],
        }


def axis_shares(rules: RuleSet) -> dict[str, float]:
    return dict(zip(AXES, rules.shares, strict=True))


def _deduction(count: int, per: float) -> float:
    return min(1.0, count * per)


def task_parts(
    task: TaskFacts, max_points: float, rules: RuleSet
) -> tuple[float, float, float, bool]:
    """A delivered task's (quantity, quality, timeliness) points and whether no
    deduction stands: the one formula behind every task score."""
    share_q, share_ql, share_t = rules.shares
    quantity = max_points * share_q
    quality = max_points * share_ql
    timeliness = max_points * share_t
    is_ok = True
    if task.quality_defects and task.waiver("quality") is None:
        quality *= 1 - _deduction(task.quality_defects, rules["deduction_per_defect"])
        is_ok = False
    if task.completed_on > task.due_on and task.waiver("timeliness") is None:
        timeliness *= 1 - _deduction(1, rules["deduction_per_delay"])
        is_ok = False
    return quantity, quality, timeliness, is_ok


def score_task(
    task: TaskFacts,
    *,
    max_points: float,
    rules: RuleSet,
    as_of: dt.date,
    detail: bool = False,
) -> ProductScore:
    """A task's points out of its share of the period (Art 14), with its lines."""
    shares = axis_shares(rules)
    citation = cite(rules.regime, "tasks")
    state = task.state(as_of)
    lines: list[Line] = []
    if state != "done":
        if detail:
            lines.append(
                Line(
                    "task.not_delivered",
                    _(
                        "task %(code)s not delivered by its due date %(due)s: "
                        "0 of its %(max)s points"
                    )
                    % {
                        "code": task.code,
                        "due": _d(task.due_on),
                        "max": f"{max_points:.2f}",
                    },
                    citation,
                    0.0,
                )
            )
        parts = dict.fromkeys(AXES, 0.0)
        return ProductScore(
            "task", task.code, task.weight, max_points, 0.0, parts, state, False, lines
        )
    quantity, quality, timeliness, is_ok = task_parts(task, max_points, rules)
    if detail:
        quality_max = max_points * shares["quality"]
        time_max = max_points * shares["timeliness"]
        if task.quality_defects:
            waiver = task.waiver("quality")
            if waiver is None:
                lines.append(
                    Line(
                        "task.quality_defects",
                        _(
                            "task %(code)s failed %(n)d quality check(s) for a major "
                            "error: −%(pct)d%% of its quality points"
                        )
                        % {
                            "code": task.code,
                            "n": task.quality_defects,
                            "pct": round((1 - quality / quality_max) * 100),
                        },
                        citation,
                        quality - quality_max,
                    )
                )
            else:
                lines.append(_waived_line(task, waiver, task.quality_defects, citation))
        if task.completed_on > task.due_on:
            waiver = task.waiver("timeliness")
            if waiver is None:
                lines.append(
                    Line(
                        "task.late",
                        _(
                            "task %(code)s delivered %(days)d working day(s) late "
                            "(due %(due)s, delivered %(done)s): −%(pct)d%% of its "
                            "timeliness points"
                        )
                        % {
                            "code": task.code,
                            "days": task.late_working_days,
                            "due": _d(task.due_on),
                            "done": _d(task.completed_on),
                            "pct": round((1 - timeliness / time_max) * 100),
                        },
                        citation,
                        timeliness - time_max,
                    )
                )
            else:
                lines.append(_waived_line(task, waiver, 1, citation))
    points = quantity + quality + timeliness
    if detail:
        lines.insert(
            0,
            Line(
                "task.points",
                _("task %(code)s (weight %(weight)s): %(points)s of %(max)s points")
                % {
                    "code": task.code,
                    "weight": f"{task.weight:g}",
                    "points": f"{points:.2f}",
                    "max": f"{max_points:.2f}",
                },
                citation,
                points,
            ),
        )
    parts = {"quantity": quantity, "quality": quality, "timeliness": timeliness}
    return ProductScore(
        "task", task.code, task.weight, max_points, points, parts, state, is_ok, lines
    )


def _waived_line(task: TaskFacts, waiver: Waiver, count: int, citation: str) -> Line:
    what = (
        _("%(n)d failed quality check(s)") % {"n": count}
        if waiver.kind == "quality"
        else _("the delay")
    )
    return Line(
        "task.waived",
        _(
            "task %(code)s: no deduction for %(what)s — objective cause approved by "
            "%(by)s on %(on)s (%(reason)s)"
        )
        % {
            "code": task.code,
            "what": what,
            "by": waiver.approved_by,
            "on": _d(waiver.approved_on),
            "reason": waiver.reason,
        },
        citation,
        0.0,
    )


def step_points(
    *, is_done: bool, is_late: bool, max_points: float, rules: RuleSet
) -> tuple[float, dict[str, float]]:
    """A dossier step's points: full when done in time, less 25% of its timeliness
    share when its dossier's lateness is attributed to it, none when not done."""
    if not is_done:
        return 0.0, dict.fromkeys(AXES, 0.0)
    shares = axis_shares(rules)
    parts = {axis: max_points * shares[axis] for axis in AXES}
    if is_late:
        parts["timeliness"] *= 1 - _deduction(1, rules["deduction_per_delay"])
    return sum(parts.values()), parts


def score_step(step: StepFacts, *, max_points: float, rules: RuleSet) -> ProductScore:
    """One dossier step as a product, with the lateness attribution behind it."""
    citation = cite(rules.regime, "tasks")
    ref = f"{step.dossier_code}#{step.seq}"
    late = step.overrun is not None
    points, parts = step_points(
        is_done=step.is_done, is_late=late, max_points=max_points, rules=rules
    )
    params = {"ref": ref, "name": step.name, "max": f"{max_points:.2f}"}
    lines = []
    if not step.is_done:
        lines.append(
            Line(
                "step.not_done",
                _("dossier step %(ref)s (%(name)s) not finished: 0 of %(max)s points")
                % params,
                citation,
                0.0,
            )
        )
    elif late:
        cut = parts["timeliness"] - max_points * axis_shares(rules)["timeliness"]
        lines.append(
            Line(
                "step.late",
                _(
                    "dossier step %(ref)s (%(name)s) finished %(days)d working day(s) "
                    "late and the dossier's lateness is attributed to it: −%(pct)d%% "
                    "of its timeliness points"
                )
                % {
                    **params,
                    "days": step.working_days_late,
                    "pct": round(rules["deduction_per_delay"] * 100),
                },
                citation,
                cut,
            )
        )
        lines.append(
            Line("step.attribution", step.overrun.message, step.overrun.citation)
        )
    state = "done" if step.is_done else "overdue"
    return ProductScore(
        "step",
        ref,
        float(rules["step_weight"]),
        max_points,
        points,
        parts,
        state,
        step.is_done and not late,
        lines,
    )


@dataclass(slots=True)
class StepCounts:
    """A month's dossier steps of one officer, counted in SQL: counted (done, or
    due by the as-of time), done, and done but delayed by attribution."""

    counted: int = 0
    done: int = 0
    done_late: int = 0

    def __add__(self, other: StepCounts) -> StepCounts:
        return StepCounts(
            self.counted + other.counted,
            self.done + other.done,
            self.done_late + other.done_late,
        )


@dataclass
class PeriodResult:
    period: str
    task_points: float | None
    axes: dict[str, float | None]
    products: int
    done: int
    ok: int
    late: int
    defects: int
    exceeded: int
    weight: float
    # Task points as a share of the task maximum (unrounded).
    share: float | None = None
    items: list[ProductScore] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def summary(self) -> dict:
        """The period as stored with the appraisal (compact: counts that are
        zero are left out)."""
        axes = self.axes
        data = {
            "period": self.period,
            "task_points": self.task_points,
            "quantity": None
            if axes["quantity"] is None
            else round(axes["quantity"], 4),
            "quality": None if axes["quality"] is None else round(axes["quality"], 4),
            "timeliness": None
            if axes["timeliness"] is None
            else round(axes["timeliness"], 4),
            "products": self.products,
            "done": self.done,
            "ok": self.ok,
        }
        for key in ("late", "defects", "exceeded"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value + 0.0, digits)


def score_period(
    period: str,
    *,
    tasks: Sequence[TaskFacts],
    steps: StepCounts | Sequence[StepFacts] = (),
    rules: RuleSet,
    as_of: dt.date,
    detail: bool = False,
) -> PeriodResult:
    """The task results of one period (Art 14): the delivered converted products
    against those assigned, on quantity, quality and timeliness.

    `steps` is either the counts of the officer's dossier steps (the set-based
    computation) or the steps one by one (the explanation); both score the same.
    """
    total_max = rules.task_max
    step_weight = rules.step_weight
    # Pending (neither delivered nor yet due) products are left out.
    counted = [t for t in tasks if t.completed_on is not None or t.due_on < as_of]
    step_list = list(steps) if not isinstance(steps, StepCounts) else None
    counts = steps if isinstance(steps, StepCounts) else None
    n_steps = len(step_list) if step_list is not None else counts.counted
    weight = sum(t.weight for t in counted) + step_weight * n_steps
    if not weight:
        return PeriodResult(period, None, dict.fromkeys(AXES), 0, 0, 0, 0, 0, 0, 0.0)
    shares = dict(zip(AXES, rules.shares, strict=True))
    earned = dict.fromkeys(AXES, 0.0)
    items: list[ProductScore] = []
    done = ok = late = defects = exceeded = 0
    for task in counted:
        defects += task.quality_defects
        max_points = total_max * task.weight / weight
        if detail:
            product = score_task(
                task, max_points=max_points, rules=rules, as_of=as_of, detail=True
            )
            items.append(product)
        if task.completed_on is None:
            continue
        quantity, quality, timeliness, is_ok = task_parts(task, max_points, rules)
        earned["quantity"] += quantity
        earned["quality"] += quality
        earned["timeliness"] += timeliness
        done += 1
        ok += is_ok
        late += task.completed_on > task.due_on
        exceeded += task.is_above_standard
    step_max = total_max * step_weight / weight
    if step_list is not None:
        for step in step_list:
            product = score_step(step, max_points=step_max, rules=rules)
            for axis in AXES:
                earned[axis] += product.parts[axis]
            done += step.is_done
            late += step.is_done and step.overrun is not None
            ok += product.is_ok
            if detail:
                items.append(product)
    elif counts.counted:
        # step_points, for the whole month's counts at once.
        kept = 1 - _deduction(1, rules["deduction_per_delay"])
        share_q, share_ql, share_t = rules.shares
        in_time = counts.done - counts.done_late
        earned["quantity"] += counts.done * step_max * share_q
        earned["quality"] += counts.done * step_max * share_ql
        earned["timeliness"] += (in_time + counts.done_late * kept) * step_max * share_t
        done += counts.done
        late += counts.done_late
        ok += in_time
    points = sum(earned.values())
    axes = {
        axis: earned[axis] / (total_max * shares[axis]) if shares[axis] else None
        for axis in AXES
    }
    result = PeriodResult(
        period,
        round(points, 2),
        axes,
        len(counted) + n_steps,
        done,
        ok,
        late,
        defects,
        exceeded,
        weight,
        points / total_max,
        items,
    )
    if detail:
        result.lines.append(
            Line(
                "period.tasks",
                _(
                    "%(period)s: %(n)d product(s), converted weight %(weight)s; "
                    "quantity %(q)s%%, quality %(ql)s%%, timeliness %(t)s%%: "
                    "%(points)s of %(max)s task points"
                )
                % {
                    "period": period,
                    "n": result.products,
                    "weight": f"{weight:g}",
                    "q": _pct(axes["quantity"]),
                    "ql": _pct(axes["quality"]),
                    "t": _pct(axes["timeliness"]),
                    "points": f"{points:.2f}",
                    "max": f"{total_max:g}",
                },
                cite(rules.regime, "tasks"),
                points,
            )
        )
    return result


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}"


# Leaders (Regime B) -------------------------------------------------------------------


@dataclass
class UnitStats:
    """What a leader's terms read from the people under them, for one period."""

    people: int = 0
    task_share_sum: float = 0.0  # Σ task points ÷ 70
    with_total: int = 0  # people with a period score
    below_completed: int = 0  # of those, scoring under the "completed" threshold
    products: int = 0
    ok: int = 0

    def add(self, other: UnitStats) -> None:
        self.people += other.people
        self.task_share_sum += other.task_share_sum
        self.with_total += other.with_total
        self.below_completed += other.below_completed
        self.products += other.products
        self.ok += other.ok


def completed_threshold(rules: RuleSet) -> float:
    return float(next(m for m, level in rules["levels"] if level == COMPLETED))


def score_leader(
    *,
    own_share: float | None,
    unit: UnitStats,
    rules: RuleSet,
    detail: bool = False,
) -> tuple[float | None, dict[str, float | None], list[Line]]:
    """A leader's task points of a period: own products, the unit's products, the
    unit's results and organising capacity, weighted."""
    params = rules["unit_results"]
    terms: dict[str, float | None] = {
        "own": own_share,
        "unit_products": unit.task_share_sum / unit.people if unit.people else None,
        "unit_results": (
            None
            if not unit.with_total
            else float(params["any_not_completed"])
            if unit.below_completed
            else float(params["all_completed"])
        ),
        "organising": unit.ok / unit.products if unit.products else None,
    }
    weights = rules["leader_weights"]
    used = {k: float(weights[k]) for k, v in terms.items() if v is not None}
    if not used or not sum(used.values()):
        return None, terms, []
    total = sum(used.values())
    share = sum(used[k] * terms[k] for k in used) / total
    points = round(share * float(rules["task_points_max"]), 2)
    lines = []
    if detail:
        citation = cite(rules.regime, "leaders")
        labels = {
            "own": _("own products"),
            "unit_products": _("the unit's products"),
            "unit_results": _("the unit's results"),
            "organising": _("organising capacity"),
        }
        for key, value in terms.items():
            if value is None:
                message = _("%(term)s: no data, left out") % {"term": labels[key]}
            else:
                message = _("%(term)s: %(pct)s%% (weight %(w)s)") % {
                    "term": labels[key],
                    "pct": _pct(value),
                    "w": f"{float(weights[key]):g}",
                }
            lines.append(Line(f"leader.{key}", message, citation))
        if terms["unit_results"] is not None:
            lines.append(
                Line(
                    "leader.unit_results_rule",
                    _(
                        "%(below)d of %(n)d people under the leader scored under "
                        "“completed”: the unit's results count %(pct)s%%"
                    )
                    % {
                        "below": unit.below_completed,
                        "n": unit.with_total,
                        "pct": _pct(terms["unit_results"]),
                    },
                    citation,
                )
            )
    return points, terms, lines


# Year and level -----------------------------------------------------------------------


def annual_score(totals: Sequence[float]) -> float | None:
    """The year's score: the mean of the period scores (Art 21)."""
    if not totals:
        return None
    return round(sum(totals) / len(totals), 2)


def level_for_score(score: float, rules: RuleSet) -> tuple[str, Reason]:
    """The level a Regime B score gives (Art 20): ≥90, 70–<90, 50–<70, <50."""
    level = next(
        (lv for minimum, lv in rules["levels"] if score >= float(minimum)),
        NOT_COMPLETED,
    )
    return level, Reason(
        f"level.{level}",
        _("%(score)s points: %(level)s")
        % {"score": f"{score:.2f}", "level": level_label(level)},
        cite(rules.regime, "levels"),
    )


def check_score_range(value: float | None, maximum: float, label: str) -> RuleResult:
    if value is None or not 0 <= float(value) <= float(maximum):
        return RuleResult.refuse(
            "score.out_of_range",
            _("%(label)s must be from 0 to %(max)s (got %(value)s).")
            % {"label": label, "max": f"{maximum:g}", "value": value},
            cite(REGIME_B, "scale"),
        )
    return RuleResult.allow("score.in_range", _("Within range."))


def check_general_criteria(
    points: Mapping[str, Any], rules: RuleSet
) -> tuple[float, list[Reason]]:
    """The manager's general criteria points: each within its maximum, all given.
    Returns the total and the refusals (empty when valid)."""
    maxima = rules["general_criteria"]
    errors = []
    citation = cite(rules.regime, "scale")
    unknown = sorted(set(points) - set(maxima))
    if unknown:
        errors.append(
            Reason(
                "general.unknown",
                _("Unknown criteria: %(names)s.") % {"names": ", ".join(unknown)},
                citation,
            )
        )
    total = 0.0
    for name, maximum in maxima.items():
        value = points.get(name)
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors.append(
                Reason(
                    "general.missing",
                    _("Give the points of “%(name)s”.") % {"name": name},
                    citation,
                )
            )
            continue
        if not 0 <= number <= float(maximum) or math.isnan(number):
            errors.append(
                Reason(
                    "score.out_of_range",
                    _("“%(name)s” must be from 0 to %(max)s (got %(value)s).")
                    % {"name": name, "max": f"{float(maximum):g}", "value": value},
                    citation,
                )
            )
            continue
        total += number
    return round(total, 2), errors


def suggest_service_attitude(
    *, rated: int, satisfied: int, incidents: int, rules: RuleSet, detail: bool = True
) -> dict:
    """What the citizens' ratings and verified conduct incidents suggest for the
    service-attitude criterion; the manager decides the points. Without
    `detail`, the numbers only."""
    params = rules["service_attitude"]
    name = params["criterion"]
    maximum = float(rules["general_criteria"][name])
    enough = rated >= int(params["min_ratings"])
    base = maximum * satisfied / rated if enough else maximum
    cut = float(params["incident_deduction"]) * incidents
    points = max(0.0, round(base - cut, 2))
    numbers = {
        "rated": rated,
        "satisfied": satisfied,
        "incidents": incidents,
        "suggested": points,
    }
    if not detail:
        return numbers
    if enough:
        basis = _("%(sat)d of %(n)d ratings satisfied") % {"sat": satisfied, "n": rated}
    else:
        basis = _("fewer than %(min)d citizen ratings") % {"min": params["min_ratings"]}
    message = _(
        "%(criterion)s: %(points)s of %(max)s suggested (%(basis)s; %(n)d verified "
        "conduct incident(s), −%(per)s each)"
    ) % {
        "criterion": name,
        "points": f"{points:g}",
        "max": f"{maximum:g}",
        "basis": basis,
        "n": incidents,
        "per": f"{float(params['incident_deduction']):g}",
    }
    return {
        **numbers,
        "criterion": name,
        "max": maximum,
        "message": message,
        "citation": cite(rules.regime, "scale"),
    }


# Regime A -----------------------------------------------------------------------------


@dataclass
class Tally:
    """A year's products for Regime A's percentage tests."""

    products: int = 0
    done: int = 0
    short: int = 0  # not delivered, late, or below quality (no waiver)
    exceeded: int = 0

    def add(self, other: Tally) -> None:
        self.products += other.products
        self.done += other.done
        self.short += other.short
        self.exceeded += other.exceeded

    @property
    def ok(self) -> int:
        return self.products - self.short


@dataclass
class UnitTally:
    """A manager's unit for Regime A: its products and its people's levels."""

    products: Tally = field(default_factory=Tally)
    people: int = 0
    completed_plus: int = 0
    good_plus: int = 0

    def add(self, other: UnitTally) -> None:
        self.products.add(other.products)
        self.people += other.people
        self.completed_plus += other.completed_plus
        self.good_plus += other.good_plus


@dataclass
class LevelOutcome:
    level: str | None  # None: a gap the competent head decides
    reasons: list[Reason]

    @property
    def is_gap(self) -> bool:
        return self.level is None


def regime_a_level(
    *,
    tally: Tally,
    general: str,
    rules: RuleSet,
    staff_type: str,
    unit: UnitTally | None = None,
) -> LevelOutcome:
    """Decree 90/2020 (as amended by 48/2023) Art 8-15: the level the task
    percentages support; a manager also passes the unit tests."""
    tests = rules["tests"]
    reasons: list[Reason] = []
    level = _a_individual(tally, general, tests, rules, staff_type, reasons)
    if unit is not None:
        managed = _a_manager(unit, tests, rules, staff_type, reasons)
        level = _lower(level, managed)
    return LevelOutcome(level, reasons)


def _lower(a: str | None, b: str | None) -> str | None:
    if NOT_COMPLETED in (a, b):
        return NOT_COMPLETED
    if a is None or b is None:
        return None
    return a if LEVEL_RANK[a] <= LEVEL_RANK[b] else b


def _a_individual(tally, general, tests, rules, staff_type, reasons) -> str | None:
    regime = rules.regime
    if not tally.products:
        reasons.append(
            Reason(
                "a.no_tasks",
                _("No tasks registered for the year: the competent head decides."),
                cite(regime, "levels"),
            )
        )
        return None
    short = tally.short / tally.products
    exceeded = tally.exceeded / tally.products
    params = {
        "short": _pct(short),
        "n": tally.short,
        "total": tally.products,
        "exceeded": _pct(exceeded),
    }
    general_text = {
        "well": _("general criteria met well"),
        "met": _("general criteria met"),
        "not_met": _("general criteria not met"),
        "": _("general criteria not yet assessed (taken as met)"),
    }[general]
    if short > float(tests["not_completed_short_over"]):
        level = NOT_COMPLETED
        message = _(
            "%(n)d of %(total)d tasks (%(short)s%%) late, below quality or not "
            "delivered: more than half"
        )
    elif general == "not_met":
        level = None
        message = _(
            "%(n)d of %(total)d tasks short (%(short)s%%), but the general criteria "
            "are not met: no level fits; the competent head decides"
        )
    elif tally.short == 0:
        if general == "well" and exceeded >= float(tests["excellent_exceeded_min"]):
            level = EXCELLENT
            message = _(
                "every task on time with quality, %(exceeded)s%% above the standard"
            )
        else:
            level = GOOD
            message = _(
                "every task on time with quality (%(exceeded)s%% above the standard)"
            )
    elif short <= float(tests["completed_short_max"]):
        level = COMPLETED
        message = _("%(n)d of %(total)d tasks (%(short)s%%) short: no more than 20%%")
    else:
        level = None
        message = _(
            "%(n)d of %(total)d tasks (%(short)s%%) short: between 20%% and 50%%, "
            "which no level of the decree covers; the competent head decides"
        )
    citation = (
        cite_level(rules.regime, level, staff_type) if level else cite(regime, "levels")
    )
    reasons.append(
        Reason(
            f"a.{level or 'gap'}",
            f"{message % params}; {general_text}",
            citation,
        )
    )
    return level


def _a_manager(unit: UnitTally, tests, rules, staff_type, reasons) -> str | None:
    regime = rules.regime
    products = unit.products
    done = products.done / products.products if products.products else None
    ok = products.ok / products.products if products.products else None
    exceeded = products.exceeded / products.products if products.products else None
    completed_plus = unit.completed_plus / unit.people if unit.people else 1.0
    good_plus = unit.good_plus / unit.people if unit.people else 1.0
    params = {
        "done": _pct(done),
        "ok": _pct(ok),
        "exc": _pct(exceeded),
        "c": _pct(completed_plus),
        "g": _pct(good_plus),
    }
    if done is None:
        reasons.append(
            Reason(
                "a.unit_no_tasks",
                _("The unit has no registered tasks: the competent head decides."),
                cite(regime, "leaders"),
            )
        )
        return None
    staff_ok = completed_plus >= 1.0 and good_plus >= float(
        tests["unit_good_share_min"]
    )
    if done < float(tests["unit_not_completed_under"]):
        level = NOT_COMPLETED
    elif done >= 1.0 and staff_ok and exceeded >= float(tests["unit_exceeded_min"]):
        level = EXCELLENT
    elif done >= 1.0 and staff_ok and ok >= float(tests["unit_good_ok_min"]):
        level = GOOD
    elif done > float(tests["unit_completed_over"]) and completed_plus >= float(
        tests["unit_completed_share_min"]
    ):
        level = COMPLETED
    else:
        level = None
    message = (
        _(
            "the unit completed %(done)s%% of its tasks, %(ok)s%% on time with "
            "quality, %(exc)s%% above the standard; %(c)s%% of its people at "
            "least “completed”, %(g)s%% at least “well completed”"
        )
        % params
    )
    if level is None:
        message += "; " + _(
            "no level of the decree covers this: the competent head decides"
        )
    reasons.append(
        Reason(
            f"a.unit.{level or 'gap'}",
            message,
            cite_level(regime, level, staff_type) if level else cite(regime, "leaders"),
        )
    )
    return level


# Overrides and time worked ------------------------------------------------------------


def check_overrides(
    *,
    rules: RuleSet,
    discipline: RuleResult | None = None,
    degradation_reference: str = "",
    corruption_references: Sequence[str] = (),
    is_leader: bool = False,
) -> list[Reason]:
    """The facts that make the level "did not complete duties" whatever the score:
    degradation concluded, a discipline in the year, corruption handled in a unit
    the leader manages."""
    reasons = []
    citation = cite(rules.regime, "overrides")
    if degradation_reference:
        reasons.append(
            Reason(
                "override.degradation",
                _(
                    "Political, ethical or lifestyle degradation concluded by a "
                    "competent body (%(ref)s)"
                )
                % {"ref": degradation_reference},
                citation,
            )
        )
    if discipline is not None and discipline.ok:
        basis = RATING_CITATION
        if rules.is_b:
            basis = f"{citation}; {RATING_CITATION}"
        reasons.append(Reason("override.discipline", discipline.message, basis))
    if is_leader and corruption_references:
        reasons.append(
            Reason(
                "override.corruption",
                _(
                    "Corruption or waste handled under the law in the unit the "
                    "leader manages (%(refs)s)"
                )
                % {"refs": ", ".join(corruption_references)},
                citation,
            )
        )
    return reasons


@dataclass
class Eligibility:
    is_rated: bool
    cap_level: str | None
    months_worked: float
    reasons: list[Reason]


def months_employed(joined_on: dt.date | None, year: int) -> float:
    """Months on the payroll in the year (from joining, or 1 January)."""
    start = max(joined_on or dt.date(year, 1, 1), dt.date(year, 1, 1))
    end = dt.date(year, 12, 31)
    if start > end:
        return 0.0
    days_in_year = (end - dt.date(year, 1, 1)).days + 1
    return round(((end - start).days + 1) * 12 / days_in_year, 1)


def check_time_worked(
    *,
    months_employed: float,
    months_absent: float,
    absence_reason: str,
    rules: RuleSet,
) -> Eligibility:
    """Worked under 6 months: reviewed, not rated (maternity excepted); absent 3 to
    under 6 months: rated, with the level capped where the regime says so."""
    citation = cite(rules.regime, "time_worked")
    worked = round(max(0.0, months_employed - months_absent), 1)
    params = {
        "worked": f"{worked:g}",
        "absent": f"{months_absent:g}",
        "min": rules["min_months_worked"],
    }
    reasons = []
    maternity = absence_reason == "maternity"
    if worked < float(rules["min_months_worked"]):
        if maternity:
            reasons.append(
                Reason(
                    "time.maternity",
                    _(
                        "Worked %(worked)s months (maternity leave): rated on the "
                        "period actually worked"
                    )
                    % params,
                    citation,
                )
            )
            return Eligibility(True, None, worked, reasons)
        reasons.append(
            Reason(
                "time.short_service",
                _(
                    "Worked %(worked)s months in the year, under %(min)s: reviewed "
                    "but not rated"
                )
                % params,
                citation,
            )
        )
        return Eligibility(False, None, worked, reasons)
    cap = rules["absence_cap"]
    if not maternity and float(cap["from_months"]) <= months_absent < float(
        cap["to_months"]
    ):
        if cap.get("level"):
            reasons.append(
                Reason(
                    "time.absence_cap",
                    _("Absent %(absent)s months: rated, at most “%(level)s”")
                    % {**params, "level": level_label(cap["level"])},
                    citation,
                )
            )
            return Eligibility(True, cap["level"], worked, reasons)
        reasons.append(
            Reason(
                "time.absence_periods",
                _(
                    "Absent %(absent)s months: rated on the scores of the periods "
                    "actually worked"
                )
                % params,
                citation,
            )
        )
    return Eligibility(True, None, worked, reasons)


def final_level(
    *,
    base: str | None,
    overrides: Sequence[Reason],
    eligibility: Eligibility,
) -> str | None:
    """The level after the overrides and the absence cap; "" = not rated, None =
    a gap the head decides."""
    if not eligibility.is_rated:
        return ""
    if overrides:
        return NOT_COMPLETED
    if base is None:
        return None
    if eligibility.cap_level and LEVEL_RANK[base] > LEVEL_RANK[eligibility.cap_level]:
        return eligibility.cap_level
    return base


def check_level_allowed(
    *,
    level: str,
    supported: str | None,
    overrides: Sequence[Reason],
    rules: RuleSet,
    staff_type: str = "",
) -> RuleResult:
    """A proposal or decision may not rate above what the evidence supports; a
    forced "did not complete duties" is not negotiable; a gap is free."""
    if overrides and level != NOT_COMPLETED:
        first = overrides[0]
        return RuleResult.refuse(
            "level.forced",
            _("The level must be “%(level)s”: %(why)s.")
            % {"level": level_label(NOT_COMPLETED), "why": first.message},
            first.citation,
        )
    if supported is None or not level:
        return RuleResult.allow("level.free", _("The competent head decides."))
    if LEVEL_RANK[level] > LEVEL_RANK[supported]:
        return RuleResult.refuse(
            "level.above_evidence",
            _("“%(level)s” is above what the evidence supports (“%(supported)s”).")
            % {"level": level_label(level), "supported": level_label(supported)},
            cite_level(rules.regime, supported, staff_type),
        )
    return RuleResult.allow("level.supported", _("Supported by the evidence."))


# The excellence cap -------------------------------------------------------------------


@dataclass(frozen=True)
class CapRank:
    key: Any
    rank: int  # 1 = best; equal scores share a rank
    score: float
    status: str  # within | tied | beyond


def cap_places(*, base: int, share: float, extra: int = 0) -> int:
    """floor(share × base) places, plus those recorded by the competent level."""
    return math.floor(base * share + 1e-9) + extra


def rank_for_cap(candidates: Sequence[tuple[Any, float]], places: int) -> list[CapRank]:
    """Rank the candidates for "excellently completed" by score: within the cap,
    tied for its last places, or beyond it."""
    ordered = sorted(candidates, key=lambda c: (-c[1], str(c[0])))
    ranks: list[CapRank] = []
    boundary = ordered[places - 1][1] if 0 < places <= len(ordered) else None
    above = sum(1 for _k, s in ordered if boundary is not None and s > boundary)
    at = sum(1 for _k, s in ordered if boundary is not None and s == boundary)
    for key, score in ordered:
        rank = 1 + sum(1 for _k, s in ordered if s > score)
        if places >= len(ordered):
            status = "within"
        elif boundary is None or score < boundary:
            status = "beyond"
        elif score > boundary or above + at <= places:
            status = "within"
        else:
            status = "tied"
        ranks.append(CapRank(key, rank, score, status))
    return ranks


def check_cap(
    *,
    key: Any,
    candidates: Sequence[tuple[Any, float]],
    places: int,
    taken: int,
    scope: str,
    rules: RuleSet,
) -> RuleResult:
    """Whether one more "excellently completed" fits the cap of a scope: `taken`
    is the number already proposed or decided so, `candidates` everyone ranked."""
    cap = rules.get("cap")
    if not cap:
        return RuleResult.allow("cap.none", _("No numeric cap applies."))
    citation = cite(rules.regime, "cap")
    params = {"scope": scope, "places": places, "taken": taken}
    if taken + 1 > places:
        return RuleResult.refuse(
            "cap.full",
            _(
                "The excellence cap of %(scope)s is %(places)d place(s) and "
                "%(taken)d are taken: a further one needs an exception recorded by "
                "the competent level."
            )
            % params,
            citation,
        )
    ranking = {r.key: r for r in rank_for_cap(candidates, places)}
    mine = ranking.get(key)
    if mine is not None and mine.status == "beyond":
        within = [r for r in ranking.values() if r.status != "beyond"]
        return RuleResult.refuse(
            "cap.ranked_beyond",
            _(
                "Ranked %(rank)d by score in %(scope)s, where the cap allows "
                "%(places)d place(s): %(n)d candidate(s) rank higher. An exception "
                "recorded by the competent level is needed."
            )
            % {**params, "rank": mine.rank, "n": len(within)},
            citation,
        )
    if mine is not None and mine.status == "tied":
        return RuleResult.allow(
            "cap.tied",
            _(
                "Tied on score for the last place(s) of the cap of %(scope)s: the "
                "competent head chooses among the tied candidates."
            )
            % params,
            citation,
        )
    return RuleResult.allow(
        "cap.within",
        _("Within the excellence cap of %(scope)s (%(places)d place(s)).") % params,
        citation,
    )


# Workflow rules -----------------------------------------------------------------------


def check_meeting_quorum(*, summoned: int, attended: int, regime: str) -> RuleResult:
    """A comment meeting counts when at least two thirds of those summoned attend."""
    citation = cite(regime, "procedure")
    params = {"attended": attended, "summoned": summoned}
    if summoned < 1 or attended > summoned:
        return RuleResult.refuse(
            "meeting.counts",
            _("Attendance %(attended)d of %(summoned)d summoned is not possible.")
            % params,
            citation,
        )
    if attended * 3 < summoned * 2:
        return RuleResult.refuse(
            "meeting.no_quorum",
            _(
                "%(attended)d of %(summoned)d summoned attended: under two thirds, "
                "the meeting does not count."
            )
            % params,
            citation,
        )
    return RuleResult.allow(
        "meeting.quorum",
        _("%(attended)d of %(summoned)d summoned attended (at least two thirds).")
        % params,
        citation,
    )


def appraisal_deadline(year: int, *, is_special: bool, rules: RuleSet) -> dt.date:
    """15 December; 15 January of the next year for special units (Art 21)."""
    if is_special:
        month, day = rules["special_deadline"]
        return dt.date(year + 1, month, day)
    month, day = rules["deadline"]
    return dt.date(year, month, day)


def check_deadline(
    *,
    deadline: dt.date,
    today: dt.date,
    undecided: int,
    regime: str,
    warn_days: int = 14,
) -> RuleResult:
    """ok unless undecided appraisals are overdue or due within `warn_days`."""
    citation = cite(regime, "timing")
    params = {"date": _d(deadline), "n": undecided, "days": (deadline - today).days}
    if not undecided:
        return RuleResult.allow(
            "deadline.done", _("Every appraisal is decided."), citation
        )
    if today > deadline:
        return RuleResult.refuse(
            "deadline.overdue",
            _(
                "Overdue: the deadline was %(date)s and %(n)d appraisal(s) are "
                "undecided."
            )
            % params,
            citation,
        )
    if (deadline - today).days <= warn_days:
        return RuleResult.refuse(
            "deadline.soon",
            _("Due %(date)s, in %(days)d day(s): %(n)d appraisal(s) undecided.")
            % params,
            citation,
        )
    return RuleResult.allow(
        "deadline.ok",
        _("Due %(date)s; %(n)d appraisal(s) undecided.") % params,
        citation,
    )


def check_waiver_approver(
    *, approver_id: int | None, assignee_user_id: int | None
) -> RuleResult:
    """An objective cause is confirmed by someone else than the person."""
    citation = cite(REGIME_B, "tasks")
    if approver_id is None:
        return RuleResult.refuse(
            "waiver.no_approver", _("Name who approves the objective cause."), citation
        )
    if assignee_user_id is not None and approver_id == assignee_user_id:
        return RuleResult.refuse(
            "waiver.self_approved",
            _(
                "An objective cause cannot be approved from the account of the person "
                "whose task it is."
            ),
            citation,
        )
    return RuleResult.allow(
        "waiver.approver", _("Approved by another person."), citation
    )


def check_not_decided(*, is_decided: bool) -> RuleResult:
    """A decided rating changes only through a complaint outcome."""
    if is_decided:
        return RuleResult.refuse(
            "appraisal.decided",
            _(
                "The rating is decided: it can change only through the outcome of a "
                "complaint."
            ),
            COMPLAINTS,
        )
    return RuleResult.allow("appraisal.open", _("Not decided yet."))


def complaint_deadline(notified_on: dt.date, rules: RuleSet) -> dt.date:
    return notified_on + dt.timedelta(days=int(rules["complaint_days"]))
