"""A long job (an import, an export, an appraisal run, a batch of PDFs) and its
progress, result file and per-row errors; hrms/jobs/ runs them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Per-row errors kept on the job; the rest are in the rejects file.
ROW_ERRORS_KEPT = 1000


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("owner"),
    )
    # The unit the job works on, for scoping (null: the whole database).
    unit = models.ForeignKey(
        "positions.OrgUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("unit"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    done = models.PositiveBigIntegerField(_("done"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Written every few seconds while running: a stale one means the worker died.
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)
    source = models.FileField(_("input file"), upload_to="jobs/in/%Y/%m/", blank=True)
    result = models.FileField(_("result file"), upload_to="jobs/out/%Y/%m/", blank=True)
    result_name = models.CharField(_("result file name"), max_length=200, blank=True)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    # [{"line": 7, "reason": "…"}], at most ROW_ERRORS_KEPT.
    row_errors = models.JSONField(_("row errors"), default=list, blank=True)
    row_error_count = models.PositiveIntegerField(_("row errors"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Who runs it now (host:pid:token); a late heartbeat from another is ignored.
    claimed_by = models.CharField(_("claimed by"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="hrms_job_owner_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="hrms_job_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    def progress(self, done: int, total: int | None = None, stage: str = "") -> None:
        """Report progress; the runner writes it out, throttled, while the job runs."""
        self.done = done
        if total is not None:
            self.total = total
        if stage:
            self.stage = stage
        reporter = getattr(self, "_reporter", None)
        if reporter is not None:
            reporter.changed()

    def add_row_errors(self, errors: list[dict], count: int | None = None) -> None:
        room = ROW_ERRORS_KEPT - len(self.row_errors)
        self.row_errors.extend(errors[: max(room, 0)])
        self.row_error_count += len(errors) if count is None else count
