"""Job positions (vị trí việc làm): headcount quotas, competencies, grade targets."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models.pay import Grade
from positions.models.units import OrgUnit


class JobPositionQuerySet(models.QuerySet):
    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit__path__startswith=unit.path)

    def leadership(self):
        return self.filter(group=JobPosition.Group.LEADERSHIP)

    def with_fill(self, on: dt.date | None = None):
        """Annotate `filled`, `vacant` and `over_quota` on a date, set-based.

        `filled` counts the assignments in force on that date. Assignments live in
        the staff app, which depends on this one, so the model is looked up by name.
        """
        on = on or timezone.localdate()
        assignment = apps.get_model("staff", "Assignment")
        held = (
            assignment.objects.active_on(on)
            .filter(position=OuterRef("pk"))
            .order_by()
            .values("position")
            .annotate(n=Count("pk"))
            .values("n")
        )
        filled = Coalesce(Subquery(held, output_field=IntegerField()), Value(0))
        return self.annotate(filled=filled).annotate(
            vacant=Greatest(
                F("headcount") - F("filled"), Value(0), output_field=IntegerField()
            ),
            over_quota=Greatest(
                F("filled") - F("headcount"), Value(0), output_field=IntegerField()
            ),
        )

    def vacant(self, on: dt.date | None = None):
        """Active positions with at least one free seat on the date."""
        return self.filter(is_active=True).with_fill(on).filter(vacant__gt=0)


class JobPosition(TimeStampedModel):
    """A job position of a unit, its corresponding grade and its headcount quota."""

    class Group(models.TextChoices):
        # Law 80/2025/QH15 Art 23: three groups.
        LEADERSHIP = "leadership", _("Leadership and management")
        PROFESSIONAL = "professional", _("Professional")
        SUPPORT = "support", _("Support and service")
        # Decree 62/2020's fourth group, kept for positions approved before the law.
        SHARED_PROFESSIONAL = (
            "shared_professional",
            _("Shared professional (Decree 62/2020, historic)"),
        )

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("unit"),
    )
    code = models.CharField(_("code"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=255)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("corresponding grade"),
    )
    headcount = models.PositiveIntegerField(_("headcount quota"))
    job_description = models.TextField(_("job description"), blank=True)
    approval_decision_number = models.CharField(
        _("approving decision number"), max_length=100, blank=True
    )
    approval_decided_on = models.DateField(
        _("approving decision date"), null=True, blank=True
    )
    approval_signer = models.CharField(_("signed by"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = JobPositionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("job position")
        verbose_name_plural = _("job positions")
        indexes = [models.Index(fields=["unit", "is_active"])]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"

    @property
    def is_leadership(self) -> bool:
        return self.group == self.Group.LEADERSHIP


class Competency(models.Model):
    """A competency of the framework (khung năng lực), e.g. drafting documents."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self) -> str:
        return self.name


class PositionCompetency(models.Model):
    """The level (1–5) of a competency that a position requires."""

    position = models.ForeignKey(
        JobPosition,
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("job position"),
    )
    competency = models.ForeignKey(
        Competency,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("competency"),
    )
    required_level = models.PositiveSmallIntegerField(_("required level (1–5)"))

    class Meta:
        ordering = ["position_id", "competency_id"]
        verbose_name = _("required competency")
        verbose_name_plural = _("required competencies")
        constraints = [
            models.UniqueConstraint(
                fields=["position", "competency"],
                name="positions_positioncompetency_unique",
            ),
            models.CheckConstraint(
                condition=Q(required_level__gte=1, required_level__lte=5),
                name="positions_positioncompetency_level_1_5",
                violation_error_message=_("The required level must be from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} ≥ {self.required_level}"


class GradeStructureTarget(TimeStampedModel):
    """The share of a unit's non-leaders that should hold a grade (Circ. 13/2022)."""

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="grade_targets",
        verbose_name=_("unit"),
    )
    grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        related_name="structure_targets",
        verbose_name=_("grade"),
    )
    target_ratio = models.DecimalField(
        _("target share (%)"), max_digits=5, decimal_places=2
    )

    class Meta:
        ordering = ["unit_id", "grade_id"]
        verbose_name = _("grade structure target")
        verbose_name_plural = _("grade structure targets")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "grade"], name="positions_gradestructuretarget_unique"
            ),
            models.CheckConstraint(
                condition=Q(target_ratio__gte=0, target_ratio__lte=100),
                name="positions_gradestructuretarget_ratio_0_100",
                violation_error_message=_("A target share is between 0 and 100%."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.grade_id} · {self.target_ratio}%"
