"""Reads over positions: the establishment report, vacancies, the grade structure.

Each runs a fixed number of queries whatever the number of units, positions or
staff: counts are aggregated in SQL and rolled up the tree in Python. Assignments
and grade history belong to the staff app, which depends on this one, so their
models are looked up by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from hrms import policy
from positions.models import Grade, GradeStructureTarget, JobPosition, OrgUnit

# Staff types whose grade must match their position; mirrors
# staff.rules.GRADED_STAFF_TYPES (the staff app cannot be imported from here).
GRADED_STAFF_TYPES = ("cong_chuc",)


@dataclass
class Figures:
    """Establishment figures of a position, a unit or a subtree."""

    positions: int = 0
    quota: int = 0
    filled: int = 0
    vacant: int = 0
    over_quota: int = 0
    grade_mismatches: int = 0
    transition_cases: int = 0

    def add(self, other: Figures) -> None:
        self.positions += other.positions
        self.quota += other.quota
        self.filled += other.filled
        self.vacant += other.vacant
        self.over_quota += other.over_quota
        self.grade_mismatches += other.grade_mismatches
        self.transition_cases += other.transition_cases


@dataclass
class PositionFigures(Figures):
    position: JobPosition | None = None
    position_id: int | None = None


@dataclass
class UnitFigures:
    unit: OrgUnit
    positions: list[PositionFigures] = field(default_factory=list)
    own: Figures = field(default_factory=Figures)  # the unit's own positions
    subtree: Figures = field(default_factory=Figures)  # the unit and all below it


@dataclass
class EstablishmentReport:
    root: OrgUnit
    on: dt.date
    units: list[UnitFigures]  # in tree order, root first
    total: Figures

    def unit(self, code: str) -> UnitFigures:
        return next(row for row in self.units if row.unit.code == code)

    @property
    def position_rows(self) -> list[PositionFigures]:
        return [row for unit in self.units for row in unit.positions]


def _models():
    return apps.get_model("staff", "Assignment"), apps.get_model(
        "staff", "GradeHistory"
    )


def _grade_on(on: dt.date, employee_ref: str = "employee"):
    """Subquery: the grade in force on a date for the row's employee."""
    _assignment, grade_history = _models()
    return Subquery(
        grade_history.objects.latest_on(on)
        .filter(employee=OuterRef(employee_ref))
        .values("grade")[:1]
    )


def _current_grade_rows(on: dt.date):
    """Grade-history rows in force on a date, one per employee, set-based.

    A row is in force when no row of the same employee took effect after it on
    or before `on` (ties broken by id, as `latest_on` orders them): one hash
    anti-join instead of one correlated subquery per employee.
    """
    _assignment, grade_history = _models()
    later = grade_history.objects.filter(
        employee_id=OuterRef("employee_id"), effective_on__lte=on
    ).filter(
        Q(effective_on__gt=OuterRef("effective_on"))
        | Q(effective_on=OuterRef("effective_on"), pk__gt=OuterRef("pk"))
    )
    return grade_history.objects.filter(effective_on__lte=on).exclude(Exists(later))


def establishment_report(
    unit_subtree_root: OrgUnit,
    *,
    on: dt.date | None = None,
    load_positions: bool = True,
) -> EstablishmentReport:
    """Quota, filled, vacant, over-quota and grade mismatches per position and unit.

    A grade mismatch is a civil servant holding a position whose grade differs
    from theirs on that date (transition cases included and also counted apart).
    Three queries: units, positions with their fill, mismatches per position.

    With `load_positions=False` the figures of every position, unit and subtree
    are computed from plain rows (four queries: the fill is counted in one
    grouped query) and each `PositionFigures.position` is left None; a screen
    that shows one page of units then calls `load_positions` for those units.
    """
    on = on or timezone.localdate()
    root = unit_subtree_root
    assignment, _grade_history = _models()
    units = list(root.subtree().order_by("path"))
    active = JobPosition.objects.in_subtree(root).filter(is_active=True)
    if load_positions:
        positions = list(active.select_related("grade").with_fill(on).order_by("code"))
        plain = [(p.pk, p.unit_id, p.headcount, p.filled, p) for p in positions]
    else:
        fill = dict(
            assignment.objects.active_on(on)
            .filter(
                position__is_active=True,
                position__unit__path__startswith=root.path,
            )
            .order_by()
            .values("position")
            .annotate(n=Count("pk"))
            .values_list("position", "n")
        )
        plain = [
            (pk, unit_id, headcount, fill.get(pk, 0), None)
            for pk, unit_id, headcount in active.order_by("code").values_list(
                "pk", "unit_id", "headcount"
            )
        ]
    mismatches = {
        row["position"]: row
        for row in assignment.objects.active_on(on)
        .filter(
            position__is_active=True,
            position__unit__path__startswith=root.path,
            employee__staff_type__in=GRADED_STAFF_TYPES,
            # The grade row in force, found set-based and joined once.
            employee__grade_history__in=_current_grade_rows(on),
        )
        .annotate(grade_now=F("employee__grade_history__grade"))
        .exclude(grade_now=F("position__grade"))
        .order_by()
        .values("position")
        .annotate(
            n=Count("pk"), transition=Count("pk", filter=Q(is_transition_case=True))
        )
    }

    rows = {unit.pk: UnitFigures(unit=unit) for unit in units}
    for pk, unit_id, headcount, filled, position in plain:
        unit_row = rows[unit_id]
        if position is not None:
            position.unit = unit_row.unit
        mismatch = mismatches.get(pk, {})
        figures = PositionFigures(
            position=position,
            positions=1,
            quota=headcount,
            filled=filled,
            vacant=max(headcount - filled, 0),
            over_quota=max(filled - headcount, 0),
            grade_mismatches=mismatch.get("n", 0),
            transition_cases=mismatch.get("transition", 0),
            position_id=pk,
        )
        unit_row.positions.append(figures)
        unit_row.own.add(figures)

    by_path = {row.unit.path: row for row in rows.values()}
    steplen = OrgUnit.steplen
    for row in rows.values():
        path = row.unit.path
        for end in range(len(root.path), len(path) + 1, steplen):
            ancestor = by_path.get(path[:end])
            if ancestor is not None:
                ancestor.subtree.add(row.own)
    ordered = [rows[unit.pk] for unit in units]
    return EstablishmentReport(
        root=root, on=on, units=ordered, total=rows[root.pk].subtree
    )


def load_positions(unit_rows: list[UnitFigures]) -> None:
    """Attach the positions (with their grade and unit) to some unit rows of a
    report built with `load_positions=False`: one query whatever their number."""
    wanted = {
        figures.position_id: (row, figures)
        for row in unit_rows
        for figures in row.positions
        if figures.position is None
    }
    if not wanted:
        return
    for position in JobPosition.objects.filter(pk__in=wanted).select_related("grade"):
        row, figures = wanted[position.pk]
        position.unit = row.unit
        position.filled = figures.filled
        position.vacant = figures.vacant
        position.over_quota = figures.over_quota
        figures.position = position


def vacancies(unit_root: OrgUnit, *, on: dt.date | None = None) -> QuerySet:
    """Active positions of a subtree with free seats on a date, for recruitment.

    Each carries `filled`, `vacant` and `over_quota` annotations.
    """
    return (
        JobPosition.objects.in_subtree(unit_root)
        .vacant(on)
        .select_related("unit", "grade")
        .order_by("unit__path", "code")
    )


@dataclass
class GradeShare:
    grade: Grade
    count: int
    share: Decimal  # percent of the counted staff
    target_ratio: Decimal | None
    gap: Decimal | None  # share minus target, in percentage points


@dataclass
class GradeStructure:
    unit: OrgUnit
    on: dt.date
    counted: int  # non-leaders holding a grade
    leaders_excluded: int
    ungraded: int  # non-leaders without a grade on that date
    rows: list[GradeShare]

    def row(self, grade_code: str) -> GradeShare:
        return next(row for row in self.rows if row.grade.code == grade_code)


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part * 100) / Decimal(whole)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def grade_structure(unit_root: OrgUnit, *, on: dt.date | None = None) -> GradeStructure:
    """Share of staff in each grade, leaders excluded (Circ. 13/2022/TT-BNV).

    Staff are the people holding a position of the subtree on that date; each
    counts under the grade in force for them that day. Compared with the targets
    set on `unit_root`. Three queries.
    """
    on = on or timezone.localdate()
    assignment, _grade_history = _models()
    leader = Q(position__group=JobPosition.Group.LEADERSHIP)
    counts = list(
        assignment.objects.active_on(on)
        .filter(position__unit__path__startswith=unit_root.path)
        .annotate(grade_now=_grade_on(on))
        .order_by()
        .values("grade_now")
        .annotate(
            staff=Count("employee", filter=~leader, distinct=True),
            leaders=Count("employee", filter=leader, distinct=True),
        )
    )
    targets = {
        t.grade_id: t.target_ratio
        for t in GradeStructureTarget.objects.filter(unit=unit_root)
    }
    by_grade = {
        row["grade_now"]: row["staff"]
        for row in counts
        if row["grade_now"] and row["staff"]
    }
    grades = Grade.objects.in_bulk(set(by_grade) | set(targets))
    counted = sum(by_grade.values())
    rows = []
    for grade in sorted(grades.values(), key=lambda g: g.code):
        count = by_grade.get(grade.pk, 0)
        share = _percent(count, counted)
        target = targets.get(grade.pk)
        rows.append(
            GradeShare(
                grade=grade,
                count=count,
                share=share,
                target_ratio=target,
                gap=None if target is None else share - target,
            )
        )
    return GradeStructure(
        unit=unit_root,
        on=on,
        counted=counted,
        leaders_excluded=sum(row["leaders"] for row in counts),
        ungraded=sum(row["staff"] for row in counts if not row["grade_now"]),
        rows=rows,
    )


# Units named in forms and query strings ----------------------------------------


def unit_in_scope(user, code: str, roles) -> OrgUnit | None:
    """The unit with this code (any case) when the user holds one of `roles` over
    it; None otherwise. For forms, which report an unknown code as a field error."""
    code = (code or "").strip()
    if not code:
        return None
    units = OrgUnit.objects.filter(code__iexact=code)
    return policy.scope(user, units, roles=roles, unit_field="").first()


def unit_in_scope_or_404(request, code: str, roles) -> OrgUnit:
    """The unit with this code inside the scope (404 outside it; an inspector's
    read is logged); without a code, the highest unit of the user's scope."""
    code = (code or "").strip()
    units = OrgUnit.objects.all()
    if code:
        return policy.get_in_scope_or_404(
            request, units, roles=roles, unit_field="", code__iexact=code
        )
    unit = (
        policy.scope(request.user, units, roles=roles, unit_field="")
        .order_by("depth", "path")
        .first()
    )
    if unit is None:
        raise Http404
    return unit
