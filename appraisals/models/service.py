"""One-stop-shop records (cơ chế một cửa, DOMAIN §7): what happened to each dossier,
step by step, as on the dossier-processing control slip (Circ. 01/2018 form 05).

Dossiers and steps arrive in volume (millions a year) through `import_data` and the
API; the tables carry only the indexes the list filters and indicators use. Legal
judgements about them (late or not, who is responsible, was the apology slip in
time) are in appraisals/rules.py; flags computed at write time are stored so that
indicators aggregate in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models import OrgUnit
from staff.models import Employee


class Procedure(TimeStampedModel):
    """An administrative procedure (thủ tục hành chính) with its legal time limit."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=500)
    field = models.CharField(_("field"), max_length=200, blank=True)
    processing_days = models.PositiveSmallIntegerField(
        _("processing time (working days)")
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("handling unit"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DossierQuerySet(models.QuerySet):
    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit__path__startswith=unit.path)

    def open(self):
        """Not yet returned: still with the administration."""
        return self.filter(returned_at__isnull=True, status__in=Dossier.OPEN_STATUSES)

    def late(self, as_of):
        """Returned after the due time, or still open past it at `as_of`."""
        return self.filter(
            Q(returned_at__gt=F("due_at"))
            | Q(returned_at__isnull=True, due_at__lt=as_of)
        )


class Dossier(TimeStampedModel):
    """A dossier (hồ sơ) received at a counter for one procedure.

    Dossiers and their steps are the volume tables (5 million and 15 million rows
    a year): their foreign keys carry no database constraint
    (`db_constraint=False`), because PostgreSQL checks each one with a trigger
    and a row lock per inserted row — 44 s of a 90 s budget for a million
    dossiers and their steps (bench/RESULTS.md). Their only writers (the import
    paths and the API) resolve every reference in the same transaction, and the
    rows referred to are never deleted (PROTECT, checked by Django).
    """

    class Channel(models.TextChoices):
        DIRECT = "direct", _("In person")
        ONLINE = "online", _("Online")
        POSTAL = "postal", _("Postal")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
        RETURNED = "returned", _("Result returned")
        REJECTED = "rejected", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # A dossier in one of these statuses has left the administration.
    CLOSED_STATUSES = (Status.RETURNED, Status.REJECTED, Status.WITHDRAWN)
    OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT_REQUESTED)

    # Unique through a constraint, not unique=True, which on PostgreSQL adds a
    # second, LIKE-pattern index that every insert would pay for.
    code = models.CharField(_("code"), max_length=50)
    # Not indexed: every index costs each of millions of inserts; add one when a
    # report filters dossiers by procedure.
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
        db_constraint=False,
        verbose_name=_("procedure"),
    )
    # Indexed through (unit, received_at) below.
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="dossiers",
        db_index=False,
        db_constraint=False,
        verbose_name=_("receiving unit"),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.DIRECT
    )
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=25, choices=Status.choices, default=Status.RECEIVED
    )
    receiving_officer = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_dossiers",
        db_index=False,  # indexed through (receiving_officer, received_at)
        db_constraint=False,
        verbose_name=_("receiving officer"),
    )
    # The new return date of the apology slip (form 04); set once at most.
    rescheduled_due_at = models.DateTimeField(
        _("rescheduled to"), null=True, blank=True
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "code"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        indexes = [
            models.Index(
                fields=["unit", "received_at"], name="appraisals_dossier_unit_recv"
            ),
            models.Index(
                fields=["receiving_officer", "received_at"],
                name="appraisals_dossier_offcr_recv",
            ),
            # The register's default order: the first page without sorting the table.
            models.Index(
                fields=["-received_at", "code"], name="appraisals_dossier_recv_code"
            ),
            models.Index(fields=["due_at"], name="appraisals_dossier_due"),
            models.Index(fields=["returned_at"], name="appraisals_dossier_returned"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                name="appraisals_dossier_unique_code",
                violation_error_message=_("A dossier with this code exists."),
            ),
            models.CheckConstraint(
                condition=Q(due_at__gte=F("received_at")),
                name="appraisals_dossier_due_after_receipt",
                violation_error_message=_("The due time precedes the receipt."),
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True)
                | Q(returned_at__gte=F("received_at")),
                name="appraisals_dossier_returned_after_receipt",
                violation_error_message=_("The return precedes the receipt."),
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.returned_at is None and self.status in self.OPEN_STATUSES

    @property
    def effective_due_at(self):
        """The return date in force: the apology slip's new date, else the due time."""
        return self.rescheduled_due_at or self.due_at


class DossierStep(models.Model):
    """One step of a dossier (receive, transfer, process, approve, return…), with
    the officer who held it and its own due time (control slip, form 05)."""

    class Name(models.TextChoices):
        RECEIVE = "receive", _("Receive and check")
        TRANSFER = "transfer", _("Transfer to the handling body")
        PROCESS = "process", _("Process")
        CONSULT = "consult", _("Consult another body")
        APPROVE = "approve", _("Approve and sign")
        SUPPLEMENT = "supplement", _("Request a supplement")
        RETURN = "return", _("Return the result")
        OTHER = "other", _("Other")

    # No database constraints on the foreign keys: see Dossier.
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.CASCADE,
        related_name="steps",
        db_index=False,  # indexed through (dossier, seq)
        db_constraint=False,
        verbose_name=_("dossier"),
    )
    seq = models.PositiveSmallIntegerField(_("step number"))
    name = models.CharField(_("step"), max_length=20, choices=Name.choices)
    officer = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="dossier_steps",
        db_constraint=False,
        verbose_name=_("officer"),
    )
    # The officer's unit when the step was recorded (officers move).
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossier_steps",
        db_index=False,
        db_constraint=False,
        verbose_name=_("unit"),
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["dossier_id", "seq"]
        verbose_name = _("dossier step")
        verbose_name_plural = _("dossier steps")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "seq"], name="appraisals_dossierstep_unique_seq"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="appraisals_dossierstep_finishes_after_start",
                violation_error_message=_("A step cannot finish before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.seq} {self.name}"

    @property
    def is_overrun(self) -> bool:
        return self.finished_at is not None and self.finished_at > self.due_at


class ApologySlip(TimeStampedModel):
    """Form 04 (phiếu xin lỗi và hẹn lại ngày trả kết quả): the apology and the new
    return date. One per dossier: the date may be moved only once."""

    dossier = models.OneToOneField(
        Dossier,
        on_delete=models.PROTECT,
        related_name="apology_slip",
        verbose_name=_("dossier"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    reason = models.TextField(_("reason for the delay"), blank=True)
    # The due time the slip moved, which its timeliness is measured against.
    previous_due_at = models.DateTimeField(_("previous due time"))
    new_due_at = models.DateTimeField(_("new return date"))
    responsible_officers = models.ManyToManyField(
        Employee,
        blank=True,
        related_name="apology_slips",
        verbose_name=_("responsible officers"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    # Computed by rules.check_slip_timing when the slip is recorded; kept and
    # shown, never hidden.
    is_issued_late = models.BooleanField(_("issued late"), default=False)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("apology slip")
        verbose_name_plural = _("apology slips")
        constraints = [
            models.CheckConstraint(
                condition=Q(new_due_at__gt=F("previous_due_at")),
                name="appraisals_apologyslip_moves_later",
                violation_error_message=_(
                    "The new return date must be after the due time it replaces."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.new_due_at:%d/%m/%Y}"


class CitizenRating(TimeStampedModel):
    """The citizen's evaluation of a dossier (Circ. 01/2018 Ch. III): one per
    dossier, a later rating replaces it."""

    class Level(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("Very satisfied")
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Unsatisfied")

    SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)

    # A volume table too (most dossiers are rated): no database constraint.
    dossier = models.OneToOneField(
        Dossier,
        on_delete=models.CASCADE,
        related_name="rating",
        db_constraint=False,
        verbose_name=_("dossier"),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    comment = models.TextField(_("comment"), blank=True)
    # Unknown for ratings imported from the one-stop-shop system.
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        ordering = ["dossier_id"]
        verbose_name = _("citizen rating")
        verbose_name_plural = _("citizen ratings")

    def __str__(self) -> str:
        return f"{self.dossier_id} · {self.level}"


class ConductIncident(TimeStampedModel):
    """A report about a counter officer's conduct; it counts once verified."""

    class Source(models.TextChoices):
        CITIZEN_COMPLAINT = "citizen_complaint", _("Citizen complaint")
        HOTLINE = "hotline", _("Hotline")
        PORTAL = "portal", _("Public service portal feedback")
        INSPECTION = "inspection", _("Inspection")
        CAMERA = "camera", _("Camera")
        SUPERVISOR = "supervisor", _("Supervisor")
        OTHER = "other", _("Other")

    class Conduct(models.TextChoices):
        # The prohibited conduct of Decree 61/2018 (DOMAIN §7).
        OBSTRUCTING_CHANNEL = (
            "obstructing_channel",
            _("Obstructing the choice of submission or return channel"),
        )
        DELAYING = "delaying", _("Refusing or dragging out handling")
        EXTRA_PAPERS = "extra_papers", _("Demanding papers not in the rules")
        BLAME_SHIFTING = "blame_shifting", _("Shifting blame")
        UNFAIRNESS = "unfairness", _("Unfair treatment")
        ATTITUDE = "attitude", _("Attitude")
        OTHER = "other", _("Other")

    officer = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="conduct_incidents",
        db_index=False,  # indexed through (officer, occurred_on)
        verbose_name=_("officer"),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="conduct_incidents",
        db_index=False,  # indexed through (unit, occurred_on)
        verbose_name=_("unit"),
    )
    dossier = models.ForeignKey(
        Dossier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conduct_incidents",
        verbose_name=_("dossier"),
    )
    occurred_on = models.DateField(_("occurred on"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    conduct = models.CharField(
        _("conduct"), max_length=20, choices=Conduct.choices, default=Conduct.OTHER
    )
    description = models.TextField(_("description"))
    # Verified = found true on review; a reviewed, unfounded report keeps False.
    is_verified = models.BooleanField(_("verified"), default=False)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    outcome = models.TextField(_("outcome"), blank=True)
    # The discipline case that followed, by its reference, until staff links it.
    discipline_case_ref = models.CharField(
        _("discipline case"), max_length=50, blank=True
    )

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("conduct incident")
        verbose_name_plural = _("conduct incidents")
        indexes = [
            models.Index(
                fields=["officer", "occurred_on"], name="appraisals_incident_officer"
            ),
            models.Index(
                fields=["unit", "occurred_on"], name="appraisals_incident_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.occurred_on:%d/%m/%Y} · {self.source}"
