"""Legal rules about pay and job positions: effective-dated, each with its citation.

Pay: monthly base pay = coefficient × base salary (lương cơ sở), Decree 204/2004
table 2 and the base-salary decree in force (Decree 73/2024 from 1 Jul 2024). The
numbers live in reference tables (SalaryStep, BaseSalary) so a new decree is a new
row, not a code change; these functions read the row in force on a date.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hrms.rules import RuleResult
from positions.models import BaseSalary, Grade, JobPosition, SalaryScale, SalaryStep

PAY_CITATION = "Decree 204/2004/NĐ-CP table 2; Decree 73/2024/NĐ-CP (base salary)"
STEP_CITATION = "Decree 204/2004/NĐ-CP table 2"
# Law 80/2025/QH15 (in force 1 Jul 2025) Art 23 has three position groups; the
# four groups of Decree 62/2020 remain valid for positions approved before it.
THREE_GROUPS_FROM = dt.date(2025, 7, 1)
GROUP_CITATION = "Law 80/2025/QH15 Art 23; Decree 62/2020/NĐ-CP (before 1 Jul 2025)"


def base_salary_on(on: dt.date) -> int:
    """The base salary in VND per month in force on a date (latest `valid_from`)."""
    row = (
        BaseSalary.objects.filter(valid_from__lte=on)
        .order_by("-valid_from")
        .values_list("amount", flat=True)
        .first()
    )
    if row is None:
        raise ValidationError(
            _("No base salary is recorded for %(date)s."),
            code="base_salary.missing",
            params={"date": on.strftime("%d/%m/%Y")},
        )
    return row


def base_pay(coefficient: Decimal, base_salary: int) -> Decimal:
    """Coefficient × base salary, rounded half-up to whole VND."""
    amount = Decimal(coefficient) * Decimal(base_salary)
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def monthly_base_pay(coefficient: Decimal, on: dt.date) -> Decimal:
    """Monthly base pay in VND on a date (PAY_CITATION)."""
    return base_pay(coefficient, base_salary_on(on))


def scale_steps_on(scale: SalaryScale | int, on: dt.date) -> dict[int, Decimal]:
    """{step: coefficient} of a scale in force on a date."""
    scale_id = scale if isinstance(scale, int) else scale.pk
    rows = SalaryStep.objects.valid_on(on).filter(scale_id=scale_id)
    return dict(rows.values_list("step", "coefficient"))


def last_step(scale: SalaryScale | int, on: dt.date) -> int:
    """The highest step of a scale in force on a date (0 when it has none)."""
    return max(scale_steps_on(scale, on), default=0)


def coefficient_for(grade: Grade, step: int, on: dt.date) -> Decimal:
    """The coefficient of a grade's step on a date; a ValidationError when none."""
    steps = scale_steps_on(grade.salary_scale_id, on)
    if step not in steps:
        raise ValidationError(
            _(
                "Grade %(grade)s has no step %(step)s on %(date)s "
                "(its scale has steps 1 to %(last)s)."
            ),
            code="step.beyond_scale",
            params={
                "grade": grade.code,
                "step": step,
                "date": on.strftime("%d/%m/%Y"),
                "last": max(steps, default=0),
            },
        )
    return steps[step]


def check_position_group(group: str, approved_on: dt.date | None) -> RuleResult:
    """Decree 62/2020's fourth group only for positions approved before 1/7/2025."""
    if group != JobPosition.Group.SHARED_PROFESSIONAL:
        return RuleResult.allow("position_group.ok", _("The group is valid."))
    if approved_on is not None and approved_on < THREE_GROUPS_FROM:
        return RuleResult.allow(
            "position_group.historic",
            _("A Decree 62/2020 group, valid for a position approved before 1/7/2025."),
            GROUP_CITATION,
        )
    return RuleResult.refuse(
        "position_group.abolished",
        _(
            "Since 1/7/2025 a job position is leadership, professional or support; "
            "the shared-professional group is kept only for positions approved "
            "before that date."
        ),
        GROUP_CITATION,
    )
