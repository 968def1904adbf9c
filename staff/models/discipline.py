"""Discipline cases (kỷ luật): violations, circumstances, the council, the
employee's explanation, suspensions ("not yet considered"), the decision and its
annulment. The rules that decide live in staff/discipline_rules.py; the numbers
they use (forms by staff type and date, durations, effects) in
staff/models/reference.py, editable in the back office.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hrms.models import TimeStampedModel
from staff.models.personnel import Employee


class DisciplineForm(models.TextChoices):
    """Every form any regime has used; which ones apply is data (DisciplineFormRule).

    Records made under an abolished form (a 2024 salary step-down of a civil
    servant) keep their value: the choice list never shrinks.
    """

    REPRIMAND = "reprimand", _("Reprimand (khiển trách)")
    WARNING = "warning", _("Warning (cảnh cáo)")
    SALARY_STEP_DOWN = "salary_step_down", _("Salary step-down (hạ bậc lương)")
    DEMOTION = "demotion", _("Demotion (giáng chức)")
    REMOVAL_FROM_POST = "removal_from_post", _("Removal from post (cách chức)")
    RECALL = "recall", _("Recall (bãi nhiệm)")
    FORCED_TERMINATION = "forced_termination", _("Forced termination (buộc thôi việc)")


class Severity(models.TextChoices):
    """Decree 172/2025: the scale of harm a violation caused."""

    LESS_SERIOUS = "less_serious", _("Less serious")
    SERIOUS = "serious", _("Serious")
    VERY_SERIOUS = "very_serious", _("Very serious")


class DisciplineCaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DisciplineCase.Status.OPEN)

    def decided(self):
        """Decisions in force: decided and not annulled."""
        return self.filter(status=DisciplineCase.Status.DECIDED)


class DisciplineCase(TimeStampedModel):
    """The handling of one or more violations of an employee, to one decision."""

    Form = DisciplineForm
    Severity = Severity

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("discipline case", "Open")
        DECIDED = "decided", _("Disciplined")
        NOT_DISCIPLINED = "not_disciplined", _("Closed without discipline")
        ANNULLED = "annulled", _("Decision annulled")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="discipline_cases",
        verbose_name=_("employee"),
    )
    severity = models.CharField(
        pgettext_lazy("violation", "severity"), max_length=20, choices=Severity.choices
    )
    detected_on = models.DateField(_("detected on"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    # The right to be heard: a decision waits for the explanation or its deadline.
    explanation_deadline = models.DateField(
        _("explanation deadline"), null=True, blank=True
    )
    explanation_text = models.TextField(_("written explanation"), blank=True)
    explanation_submitted_on = models.DateField(
        _("explanation submitted on"), null=True, blank=True
    )
    # A Party discipline for the same act (Decree 48/2023: counted for one year).
    party_disciplined_on = models.DateField(
        _("Party discipline for the same act on"), null=True, blank=True
    )
    # One extension of the handling time limit (90 → at most 150 days).
    extended_to_days = models.PositiveSmallIntegerField(
        _("handling limit extended to (days)"), null=True, blank=True
    )
    extended_on = models.DateField(_("extended on"), null=True, blank=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    # The decision, or the decision not to discipline.
    form = models.CharField(
        _("discipline form"), max_length=30, choices=DisciplineForm.choices, blank=True
    )
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=200, blank=True)
    closure_reason = models.TextField(_("reason for not disciplining"), blank=True)
    annulled_on = models.DateField(_("annulled on"), null=True, blank=True)
    annulment_number = models.CharField(
        _("annulling decision number"), max_length=100, blank=True
    )
    annulment_reason = models.TextField(_("annulment reason"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = DisciplineCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_on", "-pk"]
        verbose_name = _("discipline case")
        verbose_name_plural = _("discipline cases")
        indexes = [
            models.Index(fields=["status", "detected_on"]),
            models.Index(fields=["employee", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="decided")
                | (
                    ~Q(form="")
                    & Q(decided_on__isnull=False)
                    & Q(effective_on__isnull=False)
                ),
                name="staff_disciplinecase_decision_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="annulled") | Q(annulled_on__isnull=False),
                name="staff_disciplinecase_annulment_dated",
            ),
            models.CheckConstraint(
                condition=Q(effective_on__isnull=True)
                | Q(effective_on__gte=F("decided_on")),
                name="staff_disciplinecase_effective_after_decision",
            ),
            models.CheckConstraint(
                condition=Q(extended_to_days__isnull=True) | ~Q(extension_reason=""),
                name="staff_disciplinecase_extension_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.employee_id}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("staff:discipline_case_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        """A stable human reference, e.g. KL-2026-00042."""
        return f"KL-{self.detected_on:%Y}-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_extended(self) -> bool:
        return self.extended_to_days is not None

    @property
    def has_explanation(self) -> bool:
        return self.explanation_submitted_on is not None


class Violation(models.Model):
    """One violation of a case; several are decided together with one form."""

    class NoLimitation(models.TextChoices):
        """DOMAIN.md §6.2: violations no limitation period protects."""

        PARTY_EXPULSION = (
            "party_expulsion",
            _("Party member whose violation merits expulsion"),
        )
        INTERNAL_POLITICAL = (
            "internal_political_protection",
            _("Violation of internal political protection rules"),
        )
        NATIONAL_INTEREST = (
            "national_interest",
            _("Harm to national interests in defence, security or foreign affairs"),
        )
        FAKE_DIPLOMA = (
            "fake_diploma",
            _("Fake or unlawful diplomas or certificates"),
        )

    case = models.ForeignKey(
        DisciplineCase,
        on_delete=models.PROTECT,
        related_name="violations",
        verbose_name=_("discipline case"),
    )
    description = models.TextField(_("violation"))
    occurred_on = models.DateField(_("occurred on"))
    # The form this violation alone merits, when the council has said so.
    merited_form = models.CharField(
        _("form it merits"), max_length=30, choices=DisciplineForm.choices, blank=True
    )
    no_limitation = models.CharField(
        _("no limitation period"),
        max_length=40,
        choices=NoLimitation.choices,
        blank=True,
    )

    class Meta:
        ordering = ["case_id", "occurred_on", "pk"]
        verbose_name = _("violation")
        verbose_name_plural = _("violations")

    def __str__(self) -> str:
        return f"{self.occurred_on:%d/%m/%Y} · {self.description[:60]}"


class Circumstance(models.Model):
    """A mitigating or aggravating circumstance (Decree 172/2025)."""

    class Kind(models.TextChoices):
        MITIGATING = "mitigating", _("Mitigating")
        AGGRAVATING = "aggravating", _("Aggravating")

    case = models.ForeignKey(
        DisciplineCase,
        on_delete=models.PROTECT,
        related_name="circumstances",
        verbose_name=_("discipline case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=500)

    class Meta:
        ordering = ["case_id", "kind", "pk"]
        verbose_name = _("circumstance")
        verbose_name_plural = _("circumstances")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class CouncilMember(models.Model):
    """A member of the discipline council (Decree 112/2020: five members)."""

    class Role(models.TextChoices):
        CHAIR = "chair", pgettext_lazy("discipline council", "Chair")
        UNIT_HEAD = "unit_head", _("Head of the employing unit")
        PARTY = "party", _("Party committee representative")
        UNION = "union", _("Trade union representative")
        SECRETARY = (
            "secretary",
            pgettext_lazy("discipline council", "Member and secretary"),
        )
        MEMBER = "member", pgettext_lazy("discipline council", "Member")

    case = models.ForeignKey(
        DisciplineCase,
        on_delete=models.PROTECT,
        related_name="council_members",
        verbose_name=_("discipline case"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(
        pgettext_lazy("discipline council", "position held"),
        max_length=200,
        blank=True,
    )

    class Meta:
        ordering = ["case_id", "pk"]
        verbose_name = pgettext_lazy("discipline council", "council member")
        verbose_name_plural = pgettext_lazy("discipline council", "council members")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"


class Suspension(models.Model):
    """A period the case is "not yet considered"; it pauses the handling timer."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("Serious illness, in hospital or unaware")
        MATERNITY = (
            "maternity",
            _("Pregnancy, maternity leave or a child under 12 months"),
        )
        PROSECUTION = "prosecution", _("Prosecuted or detained pending conclusion")

    case = models.ForeignKey(
        DisciplineCase,
        on_delete=models.PROTECT,
        related_name="suspensions",
        verbose_name=_("discipline case"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to (inclusive)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["case_id", "starts_on", "pk"]
        verbose_name = _("suspension (not yet considered)")
        verbose_name_plural = _("suspensions (not yet considered)")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="staff_suspension_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        end = f"{self.ends_on:%d/%m/%Y}" if self.ends_on else "…"
        return f"{self.get_kind_display()} {self.starts_on:%d/%m/%Y} → {end}"

    def covers(self, on: dt.date) -> bool:
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)
