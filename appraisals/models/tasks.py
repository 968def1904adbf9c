"""The task register (Decree 335/2025/NĐ-CP Art 14): the work products assigned to
each person per month or quarter, with what is needed to score them — conversion
weight, completion date, failed quality checks, objective-cause waivers — and the
unit's administrative-reform (CCHC) plan that reform tasks come from.

Scoring is in appraisals/scoring.py; state changes in appraisals/appraisal_services.py.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from appraisals.scoring import validate_period
from hrms.models import TimeStampedModel
from positions.models import OrgUnit
from staff.models import Employee


class ReformPlan(TimeStampedModel):
    """A unit's annual administrative-reform plan (kế hoạch cải cách hành chính)."""

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="reform_plans",
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "unit_id"]
        verbose_name = _("reform plan")
        verbose_name_plural = _("reform plans")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="appraisals_reformplan_one_per_unit_year",
                violation_error_message=_("This unit has a reform plan for the year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.year}"


class ReformPlanItem(TimeStampedModel):
    """One reform task of the plan, attributable to a unit and a person."""

    plan = models.ForeignKey(
        ReformPlan,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("reform plan"),
    )
    title = models.CharField(_("title"), max_length=500)
    responsible_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="reform_items",
        verbose_name=_("responsible unit"),
    )
    responsible_person = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reform_items",
        verbose_name=_("responsible person"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "pk"]
        verbose_name = _("reform plan item")
        verbose_name_plural = _("reform plan items")

    def __str__(self) -> str:
        return self.title


class Task(TimeStampedModel):
    """A task or work product assigned to one person for a month or a quarter."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    assignee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="tasks",
        db_index=False,  # indexed through (assignee, period)
        verbose_name=_("assignee"),
    )
    assigner = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assigned by (employee)"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by (user)"),
    )
    # "YYYY-MM" or "YYYY-Qn": compares as text in calendar order within a year.
    period = models.CharField(_("period"), max_length=7, validators=[validate_period])
    title = models.CharField(_("title"), max_length=500)
    due_on = models.DateField(_("due on"))
    # Conversion factor to standard products (hệ số quy đổi).
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # Quality checks failed because of a major error.
    quality_defects = models.PositiveSmallIntegerField(
        _("failed quality checks"), default=0
    )
    # Regime A's "exceeds the standard" (Decree 90/2020 Art 8).
    is_above_standard = models.BooleanField(_("above the standard"), default=False)
    # The person claims an objective cause; only an approved waiver counts.
    has_objective_cause = models.BooleanField(
        _("objective cause claimed"), default=False
    )
    is_reform_task = models.BooleanField(_("administrative-reform task"), default=False)
    reform_item = models.ForeignKey(
        ReformPlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("reform plan item"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["period", "code"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(
                fields=["assignee", "period"], name="appraisals_task_assignee"
            ),
            # The team list's order within a year's periods.
            models.Index(fields=["period", "code"], name="appraisals_task_period_code"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="appraisals_task_weight_positive",
                violation_error_message=_("The weight must be above zero."),
            ),
            models.CheckConstraint(
                condition=Q(reform_item__isnull=True) | Q(is_reform_task=True),
                name="appraisals_task_reform_item_is_reform",
                violation_error_message=_(
                    "A task linked to a reform plan item is a reform task."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None

    @property
    def is_late(self) -> bool:
        return self.completed_on is not None and self.completed_on > self.due_on


class ObjectiveCauseWaiver(TimeStampedModel):
    """An approved objective cause: the deductions of its kind on the task are
    cancelled (Decree 335/2025/NĐ-CP Art 14). Never approved by the assignee."""

    class Kind(models.TextChoices):
        QUALITY = "quality", _("Failed quality checks")
        TIMELINESS = "timeliness", _("Delay")

    task = models.ForeignKey(
        Task,
        on_delete=models.CASCADE,
        related_name="waivers",
        verbose_name=_("task"),
    )
    kind = models.CharField(_("deduction waived"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("objective cause"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved on"))

    class Meta:
        ordering = ["task_id", "kind"]
        verbose_name = _("objective-cause waiver")
        verbose_name_plural = _("objective-cause waivers")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind"],
                name="appraisals_waiver_one_per_kind",
                violation_error_message=_(
                    "This deduction of the task is already waived."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.kind}"
