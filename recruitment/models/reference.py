"""Effective-dated numbers the recruitment and appointment rules read.

The law sets them (a 30-day application window, a 5-year term, the retirement
roadmap) but some are unverified or change by decree, so they are rows loaded by
a data migration with their source and confidence, editable in the back office:
a new decree is a new row, not a code change. Rules in recruitment/rules.py take
the numbers as arguments; `recruitment.selectors.rule_parameters(on)` reads the
row in force, falling back to the defaults in rules.py when the table is empty.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from positions.models import EffectiveRule, JobPosition


class RecruitmentSetting(EffectiveRule):
    """The numbers of recruitment, appointment and the inspectors' red flags."""

    notice_window_days = models.PositiveSmallIntegerField(
        _("application window: minimum days from the notice"), default=30
    )
    remark_window_days = models.PositiveSmallIntegerField(
        _("re-marking requests: days from the results"), default=15
    )
    dossier_completion_days = models.PositiveSmallIntegerField(
        _("winner's dossier completion: days from the results"), default=20
    )
    term_years = models.PositiveSmallIntegerField(
        _("term of a leadership appointment (years)"), default=5
    )
    extension_branch_years = models.PositiveSmallIntegerField(
        _("extend to retirement when fewer years than this remain"), default=2
    )
    reappointment_notice_days = models.PositiveSmallIntegerField(
        _("re-appointment alert: days before the term ends"), default=90
    )
    min_tenure_months = models.PositiveSmallIntegerField(
        _("minimum months in the current post before promotion"), default=24
    )
    secondment_max_years = models.PositiveSmallIntegerField(
        _("secondment: usual maximum (years)"), default=3
    )
    council_repeat_drives = models.PositiveSmallIntegerField(
        _("red flag: same council member in this many drives of a unit"), default=3
    )
    council_repeat_months = models.PositiveSmallIntegerField(
        _("red flag: … within this many months"), default=24
    )
    single_applicant_drives = models.PositiveSmallIntegerField(
        _("red flag: this many single-applicant drives of a unit"), default=2
    )
    single_applicant_months = models.PositiveSmallIntegerField(
        _("red flag: … within this many months"), default=12
    )

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("recruitment setting")
        verbose_name_plural = _("recruitment settings")
        constraints = [
            models.UniqueConstraint(
                fields=["valid_from"], name="recruitment_recruitmentsetting_unique_from"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="recruitment_recruitmentsetting_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_from:%d/%m/%Y}"


class RetirementAgeRule(EffectiveRule):
    """The retirement-age roadmap of one gender (Labour Code 2019 Art 169).

    The age for people reaching retirement in `start_year` is `start_age_months`;
    it grows by `step_months` each later year up to `final_age_months`. Before
    `start_year` the age was `before_age_months`.
    """

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    start_year = models.PositiveSmallIntegerField(_("roadmap starts in year"))
    before_age_months = models.PositiveSmallIntegerField(
        _("age before the roadmap (months)")
    )
    start_age_months = models.PositiveSmallIntegerField(
        _("age in the first year (months)")
    )
    step_months = models.PositiveSmallIntegerField(_("added each year (months)"))
    final_age_months = models.PositiveSmallIntegerField(_("final age (months)"))

    class Meta:
        ordering = ["gender", "valid_from"]
        verbose_name = _("retirement age rule")
        verbose_name_plural = _("retirement age rules")
        constraints = [
            models.UniqueConstraint(
                fields=["gender", "valid_from"],
                name="recruitment_retirementagerule_unique_from",
            ),
            models.CheckConstraint(
                condition=Q(final_age_months__gte=F("start_age_months")),
                name="recruitment_retirementagerule_final_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_gender_display()} · {self.valid_from:%d/%m/%Y}"


class RotationPolicy(models.Model):
    """A post under periodic rotation for corruption prevention (Decree 59/2019)."""

    position = models.OneToOneField(
        JobPosition,
        on_delete=models.CASCADE,
        related_name="rotation_policy",
        verbose_name=_("job position"),
    )
    period_years = models.PositiveSmallIntegerField(_("rotate every (years)"))
    citation = models.CharField(
        _("legal basis"),
        max_length=300,
        default="Decree 59/2019/NĐ-CP Art 25–26 (periodic rotation, 2–5 years)",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["position_id"]
        verbose_name = _("rotation policy")
        verbose_name_plural = _("rotation policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_years__gte=2, period_years__lte=5),
                name="recruitment_rotationpolicy_period_2_5",
                violation_error_message=_("A rotation period is 2 to 5 years."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.position_id} · {self.period_years}"
