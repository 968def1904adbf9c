"""Appointment decisions of leaders and the evidence behind each: the succession
plan, the vote of every step, the documents checked and the eligibility rules as
evaluated on the day (kept as a snapshot, never recomputed)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models import JobPosition, OrgUnit
from staff.models import Employee


class SuccessionPlanEntry(TimeStampedModel):
    """An employee in the succession plan (quy hoạch) for a post over a period."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="succession_plan_entries",
        verbose_name=_("employee"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="succession_plan_entries",
        verbose_name=_("unit"),
    )
    position = models.ForeignKey(
        JobPosition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="succession_plan_entries",
        verbose_name=_("job position"),
    )
    post_title = models.CharField(_("post"), max_length=200, blank=True)
    period_from = models.PositiveSmallIntegerField(_("period from (year)"))
    period_to = models.PositiveSmallIntegerField(_("period to (year)"))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)

    class Meta:
        ordering = ["employee_id", "period_from"]
        verbose_name = _("succession plan entry")
        verbose_name_plural = _("succession plan")
        constraints = [
            models.CheckConstraint(
                condition=Q(position__isnull=False) | ~Q(post_title=""),
                name="recruitment_successionplanentry_position_or_post",
                violation_error_message=_("Give the position or the post."),
            ),
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="recruitment_successionplanentry_period_order",
            ),
        ]

    def __str__(self) -> str:
        post = self.post_title or str(self.position_id)
        return f"{self.employee_id} · {post} · {self.period_from}–{self.period_to}"

    def covers(self, on: dt.date) -> bool:
        return self.period_from <= on.year <= self.period_to


class AppointmentDecisionQuerySet(models.QuerySet):
    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit__path__startswith=unit.path)


class AppointmentDecision(TimeStampedModel):
    """A decision placing, keeping, moving or releasing a leader."""

    class Kind(models.TextChoices):
        APPOINTMENT = "appointment", _("Appointment (bổ nhiệm)")
        REAPPOINTMENT = "reappointment", _("Re-appointment (bổ nhiệm lại)")
        EXTENSION_TO_RETIREMENT = (
            "extension_to_retirement",
            _("Term extended to retirement"),
        )
        PROMOTION = "promotion", _("Promotion to a higher post")
        ROTATION = "rotation", _("Rotation (luân chuyển)")
        TRANSFER = "transfer", _("Transfer (điều động)")
        SECONDMENT = "secondment", _("Secondment (biệt phái)")
        REMOVAL = "removal", _("Removal from post (miễn nhiệm)")
        RESIGNATION_FROM_POST = (
            "resignation_from_post",
            _("Resignation from post (từ chức)"),
        )

    class Source(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="appointment_decisions",
        verbose_name=_("employee"),
    )
    # The unit whose records these are (scope and red flags): the post's unit.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="appointment_decisions",
        verbose_name=_("unit"),
    )
    position_from = models.ForeignKey(
        JobPosition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from position"),
    )
    position_to = models.ForeignKey(
        JobPosition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointment_decisions",
        verbose_name=_("to position"),
    )
    decision_number = models.CharField(_("decision number"), max_length=100)
    decided_on = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=200)
    effective_on = models.DateField(_("effective on"))
    term_end_on = models.DateField(_("term ends on"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.INTERNAL
    )
    succession_plan_entry = models.ForeignKey(
        SuccessionPlanEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("succession plan entry"),
    )
    previous_decision = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="following_decisions",
        verbose_name=_("decision it continues"),
    )
    documents_checked = models.JSONField(
        _("documents checked"), default=list, blank=True
    )
    eligibility_snapshot = models.JSONField(_("eligibility at decision time"))
    is_eligible = models.BooleanField(_("all blocking rules passed"))
    # Denormalised from the snapshot for the inspectors' set-based red flags.
    had_discipline_bar = models.BooleanField(
        _("a discipline bar or open case applied"), default=False
    )
    override_reason = models.TextField(_("override reason"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = AppointmentDecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = _("appointment decision")
        verbose_name_plural = _("appointment decisions")
        indexes = [
            models.Index(fields=["employee", "effective_on"]),
            models.Index(fields=["term_end_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_eligible=True)
                | (~Q(override_reason="") & Q(overridden_by__isnull=False)),
                name="recruitment_appointmentdecision_override_reason",
                violation_error_message=_(
                    "A decision failing a blocking rule needs an override reason."
                ),
            ),
            models.CheckConstraint(
                condition=Q(term_end_on__isnull=True)
                | Q(term_end_on__gte=models.F("effective_on")),
                name="recruitment_appointmentdecision_term_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} · {self.get_kind_display()}"

    @property
    def is_override(self) -> bool:
        return bool(self.override_reason)

    @property
    def failed_rules(self) -> list[dict]:
        rules = (self.eligibility_snapshot or {}).get("rules", [])
        return [rule for rule in rules if not rule.get("ok")]


class VoteRecord(models.Model):
    """The tally of one step of the procedure (secret ballot)."""

    class Step(models.TextChoices):
        PROPOSAL = "proposal", _("Leadership collective proposes the need")
        EXPANDED_NOMINATION = (
            "expanded_nomination",
            _("Expanded leadership meeting nominates"),
        )
        LEADERSHIP_COLLECTIVE = "leadership_collective", _("Leadership collective")
        KEY_OFFICIALS = "key_officials", _("Key officials meeting")
        FINAL_BALLOT = "final_ballot", _("Leadership collective final ballot")
        EXTERNAL_LEADERSHIP = (
            "external_leadership",
            _("Receiving agency's leadership (external source)"),
        )
        REAPPOINTMENT = "reappointment", _("Re-appointment or extension ballot")
        OTHER = "other", _("Other step")

    decision = models.ForeignKey(
        AppointmentDecision,
        on_delete=models.CASCADE,
        related_name="votes",
        verbose_name=_("decision"),
    )
    seq = models.PositiveSmallIntegerField(_("order"))
    step = models.CharField(_("procedure step"), max_length=30, choices=Step.choices)
    step_name = models.CharField(_("step name"), max_length=200, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    members_total = models.PositiveSmallIntegerField(_("members in total"))
    present = models.PositiveSmallIntegerField(_("members present"))
    votes_for = models.PositiveSmallIntegerField(_("votes for"))
    # At exactly half of all members the head decides; the split is recorded.
    head_decision = models.BooleanField(
        _("head's decision when exactly half voted for"), null=True, blank=True
    )
    note = models.TextField(_("minutes note"), blank=True)

    class Meta:
        ordering = ["decision_id", "seq"]
        verbose_name = _("vote record")
        verbose_name_plural = _("vote records")
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "seq"], name="recruitment_voterecord_seq_unique"
            ),
            models.CheckConstraint(
                condition=Q(present__lte=models.F("members_total"))
                & Q(votes_for__lte=models.F("present"))
                & Q(members_total__gte=1),
                name="recruitment_voterecord_tally_consistent",
                violation_error_message=_(
                    "Votes for cannot exceed those present, nor present the total."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.votes_for}/{self.members_total}"
