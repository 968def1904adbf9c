"""Inspection cases: an inspector's review of a unit over a period, its findings
and conclusions. The inspector reads everything in scope and writes only here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models import OrgUnit


class InspectionCase(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Concluded")

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_cases",
        verbose_name=_("inspector"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="inspection_cases",
        verbose_name=_("unit inspected"),
    )
    title = models.CharField(_("case title"), max_length=300)
    period_from = models.DateField(_("period from"))
    period_to = models.DateField(_("period to (inclusive)"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    conclusions = models.TextField(_("conclusions"), blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inspection case")
        verbose_name_plural = _("inspection cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=F("period_from")),
                name="recruitment_inspectioncase_period_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (~Q(conclusions="") & Q(concluded_on__isnull=False)),
                name="recruitment_inspectioncase_closed_has_conclusions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_from:%d/%m/%Y}–{self.period_to:%d/%m/%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Finding(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    case = models.ForeignKey(
        InspectionCase,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("inspection case"),
    )
    text = models.TextField(_("finding"))
    # The record it is about, as in the audit ledger ("recruitment.application", 42).
    record_type = models.CharField(_("record type"), max_length=100, blank=True)
    record_id = models.CharField(_("record id"), max_length=64, blank=True)
    flag_code = models.CharField(_("red flag"), max_length=60, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=Q(record_type="", record_id="")
                | (~Q(record_type="") & ~Q(record_id="")),
                name="recruitment_finding_record_type_and_id",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]
