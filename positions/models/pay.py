"""Grades (ngạch), salary scales and steps (Decree 204/2004), the base salary.

These are effective-dated reference tables loaded by data migrations; each row
says where its numbers come from and how sure that source is (DOMAIN.md tags).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    """How well a reference value is sourced (DOMAIN.md "How to read this")."""

    VERIFIED = "verified", _("Verified against the legal text")
    SECONDARY = "secondary", _("Secondary source only")
    UNVERIFIED = "unverified", _("Unverified: confirm before relying on it")


class SalaryScale(models.Model):
    """A salary category of Decree 204/2004 (A3.1 … C3) or the senior-expert table.

    Not the legal classification of civil servants (loại A–D): see
    `Grade.civil_service_class`.
    """

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    raise_interval_months = models.PositiveSmallIntegerField(
        _("months between regular step raises"),
        help_text=_("36 for A categories, 24 for B and C, 60 for senior experts."),
    )
    is_college_or_higher = models.BooleanField(
        _("requires a college degree or higher"), default=False
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("salary scale")
        verbose_name_plural = _("salary scales")

    def __str__(self) -> str:
        return self.code

    def steps_on(self, on: dt.date):
        """The steps of this scale in force on a date, lowest first."""
        return self.steps.valid_on(on).order_by("step")


class EffectiveQuerySet(models.QuerySet):
    """Rows of an effective-dated table."""

    def valid_on(self, on: dt.date):
        return self.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


SalaryStepQuerySet = EffectiveQuerySet


class EffectiveRule(models.Model):
    """A row of a rule table: in force over a date range, with its legal basis
    and how sure that source is. Old records stay under the row of their date."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (inclusive)"), null=True, blank=True)
    citation = models.CharField(_("legal basis"), max_length=300)
    confidence = models.CharField(
        _("confidence"),
        max_length=12,
        choices=Confidence.choices,
        default=Confidence.UNVERIFIED,
    )

    objects = EffectiveQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_valid_on(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class SalaryStep(models.Model):
    """One step (bậc) of a scale and its coefficient, valid over a date range."""

    scale = models.ForeignKey(
        SalaryScale,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("salary scale"),
    )
    step = models.PositiveSmallIntegerField(_("step"))
    coefficient = models.DecimalField(_("coefficient"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (inclusive)"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    confidence = models.CharField(
        _("confidence"),
        max_length=12,
        choices=Confidence.choices,
        default=Confidence.UNVERIFIED,
    )

    objects = SalaryStepQuerySet.as_manager()

    class Meta:
        ordering = ["scale_id", "step", "valid_from"]
        verbose_name = _("salary step")
        verbose_name_plural = _("salary steps")
        constraints = [
            models.UniqueConstraint(
                fields=["scale", "step", "valid_from"],
                name="positions_salarystep_unique_from",
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1), name="positions_salarystep_step_from_1"
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gt=0),
                name="positions_salarystep_coefficient_positive",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="positions_salarystep_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scale.code} · {self.step} · {self.coefficient}"


class Grade(models.Model):
    """A civil-servant grade (ngạch), e.g. 01.003 chuyên viên, on one salary scale."""

    class CivilServiceClass(models.TextChoices):
        """Law 22/2008 Art 34 (as amended 2019): loại A–D; not the salary category."""

        A = "A", _("Class A (senior specialist and equivalent)")
        B = "B", _("Class B (principal specialist and equivalent)")
        C = "C", _("Class C (specialist and equivalent)")
        D = "D", _("Class D (officer, employee)")

    class LadderLevel(models.IntegerChoices):
        """Law 80/2025/QH15 Art 24: the grade ladder by professional level."""

        EMPLOYEE = 1, _("Employee (nhân viên)")
        OFFICER = 2, _("Officer (cán sự) and equivalent")
        SPECIALIST = 3, _("Specialist (chuyên viên) and equivalent")
        PRINCIPAL_SPECIALIST = 4, _("Principal specialist (chuyên viên chính)")
        SENIOR_SPECIALIST = 5, _("Senior specialist (chuyên viên cao cấp)")
        SENIOR_EXPERT = 6, _("Senior expert (chuyên gia cao cấp)")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    salary_scale = models.ForeignKey(
        SalaryScale,
        on_delete=models.PROTECT,
        related_name="grades",
        verbose_name=_("salary scale"),
    )
    civil_service_class = models.CharField(
        _("civil-service class"),
        max_length=1,
        choices=CivilServiceClass.choices,
        blank=True,
    )
    ladder_level = models.PositiveSmallIntegerField(
        _("ladder level"), choices=LadderLevel.choices
    )
    source = models.CharField(_("source"), max_length=300)
    confidence = models.CharField(
        _("confidence"),
        max_length=12,
        choices=Confidence.choices,
        default=Confidence.UNVERIFIED,
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("grade")
        verbose_name_plural = _("grades")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BaseSalary(models.Model):
    """The base salary (lương cơ sở) in force from a date until the next row."""

    amount = models.PositiveIntegerField(_("amount (VND per month)"))
    valid_from = models.DateField(_("valid from"), unique=True)
    decree = models.CharField(_("legal basis"), max_length=200)
    confidence = models.CharField(
        _("confidence"),
        max_length=12,
        choices=Confidence.choices,
        default=Confidence.UNVERIFIED,
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("base salary")
        verbose_name_plural = _("base salaries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="positions_basesalary_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount:,} VND · {self.valid_from:%d/%m/%Y}".replace(",", ".")
