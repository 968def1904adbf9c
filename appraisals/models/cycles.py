"""The annual appraisal: the effective-dated scoring rules, the cycle of an agency
and its workflow (self-assessment → comment meeting → manager's proposal → head's
decision → notice → publication → complaints), one appraisal per person, the
excellence-cap exceptions, and the facts that force a level (corruption handled
in a unit, degradation concluded).

A decided appraisal is frozen: its level, its evidence snapshot and the rule
version it was computed with change only through a complaint outcome.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models import Confidence, OrgUnit
from staff.models import AnnualRating, Employee


class Regime(models.TextChoices):
    DECREE_90 = "decree_90_2020", _("Decree 90/2020 as amended by Decree 48/2023")
    DECREE_335 = "decree_335_2025", _("Decree 335/2025")


class ScoringRuleSetQuerySet(models.QuerySet):
    def valid_on(self, on: dt.date):
        return self.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class ScoringRuleSet(models.Model):
    """One version of the numbers of a regime, for some staff types, valid from a
    date to a date (both inclusive). `params` holds the numbers
    (appraisals/scoring.py documents each key); `unverified` names the ones
    DOMAIN.md marks [U] or the decree leaves to the agency."""

    code = models.CharField(_("version"), max_length=50, unique=True)
    regime = models.CharField(_("regime"), max_length=20, choices=Regime.choices)
    staff_types = models.JSONField(_("staff types"), default=list)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to (inclusive)"), null=True, blank=True)
    citation = models.CharField(_("legal basis"), max_length=300)
    confidence = models.CharField(
        _("confidence"),
        max_length=12,
        choices=Confidence.choices,
        default=Confidence.UNVERIFIED,
    )
    params = models.JSONField(_("parameters"), default=dict)
    unverified = models.JSONField(_("unverified parameters"), default=list)
    note = models.TextField(_("note"), blank=True)

    objects = ScoringRuleSetQuerySet.as_manager()

    class Meta:
        ordering = ["regime", "valid_from"]
        verbose_name = _("scoring rule set")
        verbose_name_plural = _("scoring rule sets")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="appraisals_scoringruleset_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def as_rules(self):
        """The plain form the scoring functions take."""
        from appraisals.scoring import RuleSet

        return RuleSet(
            code=self.code,
            regime=self.regime,
            staff_types=tuple(self.staff_types),
            valid_from=self.valid_from,
            valid_to=self.valid_to,
            citation=self.citation,
            params=self.params,
            unverified=tuple(self.unverified),
        )


class AppraisalCycle(TimeStampedModel):
    """The annual appraisal of one agency (its unit subtree, less any sub-unit
    with a cycle of its own)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        COMMENT_MEETING = "comment_meeting", _("Comment meeting")
        MANAGER_PROPOSAL = "manager_proposal", _("Manager's proposal")
        HEAD_DECISION = "head_decision", _("Head's decision")
        NOTIFIED = "notified", _("Notified")
        PUBLISHED = "published", _("Published")
        COMPLAINT_WINDOW = "complaint_window", _("Complaint window")
        CLOSED = "closed", _("Closed")

    # The stages in order: a cycle moves one step forward at a time.
    ORDER = [
        Status.OPEN,
        Status.SELF_ASSESSMENT,
        Status.COMMENT_MEETING,
        Status.MANAGER_PROPOSAL,
        Status.HEAD_DECISION,
        Status.NOTIFIED,
        Status.PUBLISHED,
        Status.COMPLAINT_WINDOW,
        Status.CLOSED,
    ]

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("Monthly")
        QUARTER = "quarter", _("Quarterly")

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="appraisal_cycles",
        verbose_name=_("agency"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("stage"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    period_kind = models.CharField(
        _("scoring periods"),
        max_length=10,
        choices=PeriodKind.choices,
        default=PeriodKind.MONTH,
    )
    # Units whose year ends differently finish by 15 January (Decree 335 Art 21).
    is_special_unit = models.BooleanField(_("special unit"), default=False)
    deadline_on = models.DateField(_("deadline"))
    published_on = models.DateField(_("published on"), null=True, blank=True)
    complaint_window_ends_on = models.DateField(
        _("complaint window ends on"), null=True, blank=True
    )
    computed_at = models.DateTimeField(_("last computed at"), null=True, blank=True)
    # Written by compute_appraisals: counts and the mean scores by unit and period.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-year", "unit_id"]
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="appraisals_appraisalcycle_one_per_unit_year",
                violation_error_message=_("This agency has a cycle for the year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.year}"

    def stage_index(self, status: str | None = None) -> int:
        return self.ORDER.index(status or self.status)


class CommentMeeting(TimeStampedModel):
    """The meeting of a unit that comments on its staff's self-assessments: at
    least two thirds of those summoned attend, and minutes are kept."""

    cycle = models.ForeignKey(
        AppraisalCycle,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("cycle"),
    )
    # Covers this unit's subtree inside the cycle.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="comment_meetings",
        verbose_name=_("unit"),
    )
    held_on = models.DateField(_("held on"))
    summoned = models.PositiveSmallIntegerField(_("summoned"))
    attended = models.PositiveSmallIntegerField(_("attended"))
    minutes = models.TextField(_("minutes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["cycle_id", "held_on"]
        verbose_name = _("comment meeting")
        verbose_name_plural = _("comment meetings")
        constraints = [
            models.CheckConstraint(
                condition=Q(attended__lte=F("summoned")),
                name="appraisals_commentmeeting_attended_le_summoned",
                violation_error_message=_("More people attended than were summoned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.unit_id} · {self.held_on:%d/%m/%Y}"


class Appraisal(TimeStampedModel):
    """One person's appraisal in a cycle: the computed evidence and score, the
    person's self-assessment, the manager's proposal and the head's decision."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting self-assessment")
        SELF_ASSESSED = "self_assessed", _("Self-assessed")
        PROPOSED = "proposed", _("Proposed by the manager")
        DECIDED = "decided", _("Decided")
        NOTIFIED = "notified", _("Notified to the person")
        LEFT = "left", _("Left the agency")

    # compute_appraisals never writes these; services refuse edits to them.
    LOCKED_STATUSES = (Status.DECIDED, Status.NOTIFIED, Status.LEFT)
    DECIDED_STATUSES = (Status.DECIDED, Status.NOTIFIED)

    class Eligibility(models.TextChoices):
        RATED = "rated", _("Rated")
        NOT_RATED = "not_rated", _("Reviewed, not rated (worked under 6 months)")

    class AbsenceReason(models.TextChoices):
        NONE = "", _("No absence")
        MATERNITY = "maternity", _("Maternity leave")
        SICK = "sick", _("Sick leave")
        OTHER = "other", _("Other leave")

    class GeneralAssessment(models.TextChoices):
        """Regime A: how the general criteria (Decree 90/2020 Art 3) are met."""

        NOT_ASSESSED = "", _("Not assessed")
        WELL = "well", _("Met well")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")

    Level = AnnualRating.Level

    # Indexed through (cycle, employee) and (employee, cycle): compute_appraisals
    # writes every row of an agency at once, and each index costs each write.
    cycle = models.ForeignKey(
        AppraisalCycle,
        on_delete=models.PROTECT,
        related_name="appraisals",
        db_index=False,
        verbose_name=_("cycle"),
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="appraisals",
        db_index=False,
        verbose_name=_("employee"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("unit"),
    )
    # Group with similar tasks for the excellence cap: the position's group.
    task_group = models.CharField(_("task group"), max_length=20, blank=True)
    regime = models.CharField(_("regime"), max_length=20, choices=Regime.choices)
    rule_version = models.CharField(_("rule version"), max_length=50)
    is_leader = models.BooleanField(_("leader"), default=False)
    months_employed = models.DecimalField(
        _("months employed in the year"), max_digits=4, decimal_places=1, default=12
    )
    months_absent = models.DecimalField(
        _("months absent"), max_digits=4, decimal_places=1, default=0
    )
    absence_reason = models.CharField(
        _("absence"),
        max_length=10,
        choices=AbsenceReason.choices,
        blank=True,
        default="",
    )
    eligibility = models.CharField(
        _("eligibility"),
        max_length=10,
        choices=Eligibility.choices,
        default=Eligibility.RATED,
    )
    self_assessment = models.TextField(_("self-assessment"), blank=True)
    self_assessed_at = models.DateTimeField(
        _("self-assessed at"), null=True, blank=True
    )
    # Regime B: the manager's points by general criterion (max 30 in all).
    general_criteria = models.JSONField(_("general criteria"), default=dict, blank=True)
    general_points = models.DecimalField(
        _("general criteria points"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    general_assessment = models.CharField(
        _("general criteria (Decree 90)"),
        max_length=10,
        choices=GeneralAssessment.choices,
        blank=True,
        default="",
    )
    degradation_reference = models.CharField(
        _("degradation concluded by (reference)"), max_length=200, blank=True
    )
    # Written by compute_appraisals.
    period_scores = models.JSONField(_("period scores"), default=list, blank=True)
    computed_score = models.DecimalField(
        _("computed score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    computed_level = models.CharField(
        _("computed level"), max_length=20, choices=Level.choices, blank=True
    )
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    # MD5 of the computed columns as last written: a recomputation that finds
    # the same content writes nothing.
    computed_hash = models.CharField(
        _("computed content hash"), max_length=32, blank=True, editable=False
    )
    # The manager's proposal.
    proposed_score = models.DecimalField(
        _("proposed score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    proposed_level = models.CharField(
        _("proposed level"), max_length=20, choices=Level.choices, blank=True
    )
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    # The competent head's decision; blank level with a decision = not rated.
    decided_level = models.CharField(
        _("decided level"), max_length=20, choices=Level.choices, blank=True
    )
    decided_score = models.DecimalField(
        _("decided score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # The explanation and evidence as they stood at the decision.
    snapshot = models.JSONField(_("evidence snapshot"), default=dict, blank=True)
    snapshot_hash = models.CharField(_("snapshot SHA-256"), max_length=64, blank=True)
    rating = models.ForeignKey(
        AnnualRating,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appraisals",
        db_index=False,
        verbose_name=_("annual rating"),
    )
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    # Transfers: the old unit's appraisal whose period scores came along.
    handed_over_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handed_over_to",
        db_index=False,
        verbose_name=_("handed over from"),
    )
    old_unit_opinion = models.TextField(_("old unit's opinion"), blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PENDING
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["cycle_id", "unit_id", "employee_id"]
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        indexes = [
            models.Index(fields=["employee", "cycle"], name="appraisals_appr_employee"),
            models.Index(fields=["cycle", "status"], name="appraisals_appr_status"),
            # A cycle's appraisals unit by unit (the cycle page, the API list).
            models.Index(
                fields=["cycle", "unit", "employee"], name="appraisals_appr_unit"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee"],
                name="appraisals_appraisal_one_per_cycle",
                violation_error_message=_("This person already has an appraisal."),
            ),
            models.CheckConstraint(
                condition=Q(computed_score__isnull=True)
                | Q(computed_score__gte=0, computed_score__lte=100),
                name="appraisals_appraisal_computed_range",
            ),
            models.CheckConstraint(
                condition=Q(proposed_score__isnull=True)
                | Q(proposed_score__gte=0, proposed_score__lte=100),
                name="appraisals_appraisal_proposed_range",
                violation_error_message=_("A score is from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(general_points__isnull=True)
                | Q(general_points__gte=0, general_points__lte=30),
                name="appraisals_appraisal_general_range",
                violation_error_message=_("General criteria are from 0 to 30 points."),
            ),
            models.CheckConstraint(
                condition=Q(months_absent__gte=0, months_absent__lte=12),
                name="appraisals_appraisal_absence_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.employee_id}"

    @property
    def is_decided(self) -> bool:
        return self.status in self.DECIDED_STATUSES

    @property
    def current_level(self) -> str:
        """The decided level, else the proposed one, else the computed one."""
        if self.is_decided:
            return self.decided_level
        return self.proposed_level or self.computed_level


class CapException(TimeStampedModel):
    """The competent level's decision allowing more "excellently completed" ratings
    than the cap, for outstanding results (Decree 335/2025 Art 20(5))."""

    cycle = models.ForeignKey(
        AppraisalCycle,
        on_delete=models.CASCADE,
        related_name="cap_exceptions",
        verbose_name=_("cycle"),
    )
    regime = models.CharField(_("regime"), max_length=20, choices=Regime.choices)
    # Blank: the whole agency; else one group with similar tasks.
    task_group = models.CharField(_("task group"), max_length=20, blank=True)
    places = models.PositiveSmallIntegerField(_("extra places"))
    decided_by_name = models.CharField(_("competent level"), max_length=300)
    decision_number = models.CharField(_("decision number"), max_length=100)
    decided_on = models.DateField(_("decision date"))
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["cycle_id", "decided_on"]
        verbose_name = _("excellence cap exception")
        verbose_name_plural = _("excellence cap exceptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=1), name="appraisals_capexception_places"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} · +{self.places} ({self.decision_number})"


class CorruptionFinding(TimeStampedModel):
    """Corruption or waste in a unit, handled under the law: its leaders are rated
    "did not complete duties" for that year."""

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="corruption_findings",
        verbose_name=_("unit"),
    )
    handled_on = models.DateField(_("handled on"))
    reference = models.CharField(_("reference"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-handled_on"]
        verbose_name = _("corruption finding")
        verbose_name_plural = _("corruption findings")

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.reference}"


class Complaint(TimeStampedModel):
    """A complaint against a decided rating: its outcome is the only way the
    rating changes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    appraisal = models.ForeignKey(
        Appraisal,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("appraisal"),
    )
    filed_on = models.DateField(_("filed on"))
    text = models.TextField(_("complaint"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    previous_level = models.CharField(
        _("level before"), max_length=20, choices=AnnualRating.Level.choices, blank=True
    )
    outcome_level = models.CharField(
        _("level after"), max_length=20, choices=AnnualRating.Level.choices, blank=True
    )
    outcome_reason = models.TextField(_("outcome"), blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        ordering = ["appraisal_id", "filed_on"]
        verbose_name = _("appraisal complaint")
        verbose_name_plural = _("appraisal complaints")

    def __str__(self) -> str:
        return f"{self.appraisal_id} · {self.filed_on:%d/%m/%Y}"
