"""Effective-dated rule tables for discipline and salary-step raises.

The numbers the law sets (which forms apply to whom, how long a case may take,
what a discipline does to the raise clock) are rows here, loaded by a data
migration with their source and confidence (DOMAIN.md tags), and editable in the
back office: a new decree is a new row, not a code change. Every row is valid
from a date to an optional date (both inclusive).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from positions.models import EffectiveRule
from staff.models.discipline import DisciplineForm
from staff.models.personnel import Employee


class DisciplineFormRule(EffectiveRule):
    """A form a staff type may receive in a period, and its place in the order of
    severity used for "the heaviest" and "one level heavier".

    Ranks are on one scale across regimes (reprimand 10 … forced termination 70),
    so a form decided under the old rules compares with today's forms.
    """

    class Condition(models.TextChoices):
        ANY = "any", _("Anyone of the staff type")
        LEADER = "leader", _("Only someone holding a leadership post")
        NON_LEADER = "non_leader", _("Only someone holding no leadership post")

    form = models.CharField(_("form"), max_length=30, choices=DisciplineForm.choices)
    staff_type = models.CharField(
        _("staff type"), max_length=20, choices=Employee.StaffType.choices
    )
    condition = models.CharField(
        _("condition"), max_length=20, choices=Condition.choices, default=Condition.ANY
    )
    rank = models.PositiveSmallIntegerField(_("severity rank (higher is heavier)"))

    class Meta:
        ordering = ["staff_type", "valid_from", "rank"]
        verbose_name = _("discipline form rule")
        verbose_name_plural = _("discipline form rules")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "staff_type", "valid_from"],
                name="staff_disciplineformrule_unique_from",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="staff_disciplineformrule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_type} · {self.form} · {self.valid_from:%d/%m/%Y}"


class DisciplineEffectRule(EffectiveRule):
    """What a form does, chosen by the decision date: the raise-clock extension,
    the months it bars appointment and planning, and whether it forces the year's
    rating to "did not complete duties"."""

    form = models.CharField(_("form"), max_length=30, choices=DisciplineForm.choices)
    staff_type = models.CharField(
        _("staff type"), max_length=20, choices=Employee.StaffType.choices
    )
    raise_extension_months = models.PositiveSmallIntegerField(
        _("raise clock extension (months)")
    )
    bar_months = models.PositiveSmallIntegerField(
        _("months in effect (appointment and planning bar)")
    )
    forces_rating = models.BooleanField(
        _("forces the year's rating to not completed"), default=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["staff_type", "form", "valid_from"]
        verbose_name = _("discipline effect rule")
        verbose_name_plural = _("discipline effect rules")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "staff_type", "valid_from"],
                name="staff_disciplineeffectrule_unique_from",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="staff_disciplineeffectrule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_type} · {self.form} · +{self.raise_extension_months}m"


class DisciplineTimeLimit(EffectiveRule):
    """Handling time limit (from detection, by the detection date) and limitation
    periods (from the violation, by the decision date)."""

    handling_days = models.PositiveSmallIntegerField(_("handling limit (days)"))
    extended_handling_days = models.PositiveSmallIntegerField(
        _("extended handling limit (days)")
    )
    limitation_years_reprimand = models.PositiveSmallIntegerField(
        _("limitation for reprimand-level violations (years)")
    )
    limitation_years_other = models.PositiveSmallIntegerField(
        _("limitation for other violations (years)")
    )

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("discipline time limit")
        verbose_name_plural = _("discipline time limits")
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from"], name="staff_disciplinetimelimit_unique_from"
            ),
            models.CheckConstraint(
                condition=Q(extended_handling_days__gte=F("handling_days")),
                name="staff_disciplinetimelimit_extension_longer",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.valid_from:%d/%m/%Y}: {self.handling_days}/"
            f"{self.extended_handling_days} days, {self.limitation_years_reprimand}/"
            f"{self.limitation_years_other} years"
        )


class RaiseSetting(EffectiveRule):
    """The numbers of the raise clock not held by the salary scales."""

    class Remainder(models.TextChoices):
        FLOOR = "floor", _("Drop the remainder")
        ROUND = "round", _("Round up from a threshold")
        CARRY_OVER = "carry_over", _("Carry the remainder to the next year")

    not_completed_extension_months = models.PositiveSmallIntegerField(
        _("extension per 'did not complete duties' year (months)"), default=6
    )
    early_raise_max_months = models.PositiveSmallIntegerField(
        _("early raise: at most months ahead"), default=12
    )
    early_raise_people_per_raise = models.PositiveSmallIntegerField(
        _("early raise quota: one per this many people on the payroll"), default=10
    )
    early_raise_remainder = models.CharField(
        _("early raise quota: remainder rule"),
        max_length=12,
        choices=Remainder.choices,
        default=Remainder.FLOOR,
    )
    early_raise_remainder_threshold = models.PositiveSmallIntegerField(
        _("early raise quota: remainder that rounds up"), default=5
    )
    seniority_years_college = models.PositiveSmallIntegerField(
        _("seniority allowance: years at the last step (A categories)"), default=3
    )
    seniority_years_other = models.PositiveSmallIntegerField(
        _("seniority allowance: years at the last step (B, C)"), default=2
    )
    seniority_first_percent = models.PositiveSmallIntegerField(
        _("seniority allowance: first percentage"), default=5
    )
    seniority_yearly_percent = models.PositiveSmallIntegerField(
        _("seniority allowance: added each year (percentage points)"), default=1
    )

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("raise clock setting")
        verbose_name_plural = _("raise clock settings")
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from"], name="staff_raisesetting_unique_from"
            ),
            models.CheckConstraint(
                condition=Q(early_raise_people_per_raise__gte=1),
                name="staff_raisesetting_people_per_raise_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%d/%m/%Y}"
