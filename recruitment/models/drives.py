"""Recruitment drives: the notice and its publication proof, the vacancies filled,
and the council with its members' conflict declarations and hints.

Every state change goes through recruitment/services.py, which checks the rules
and writes the audit ledger; these models hold the facts an inspector needs to
reconstruct who decided what, when, on which evidence.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models import JobPosition, OrgUnit
from staff.models import Employee


class LegalBasis(models.TextChoices):
    """The decree a drive runs under, chosen by its announcement date."""

    DECREE_170_2025 = "decree_170_2025", _("Decree 170/2025/NĐ-CP")
    DECREE_138_2020 = "decree_138_2020", _("Decree 138/2020/NĐ-CP")


class RecruitmentDriveQuerySet(models.QuerySet):
    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit__path__startswith=unit.path)

    def announced(self):
        """Drives whose notice is public (nothing from drafts)."""
        return self.exclude(status=RecruitmentDrive.Status.DRAFT).filter(
            published_on__isnull=False
        )

    def with_results(self):
        return self.filter(results_published_on__isnull=False)


class RecruitmentDrive(TimeStampedModel):
    """One recruitment (đợt tuyển dụng) of a recruiting authority."""

    class Method(models.TextChoices):
        EXAM = "exam", _("Exam (thi tuyển)")
        SELECTION = "selection", _("Selection (xét tuyển)")
        RECEIVING = "receiving", _("Receiving experienced people (tiếp nhận)")

    class SelectionGroup(models.TextChoices):
        """Decree 170/2025: the only three groups selection may recruit."""

        VOLUNTEERS = (
            "volunteers",
            _("Volunteers committing 5 years or more in extremely disadvantaged areas"),
        )
        NOMINATED_STUDENTS = (
            "nominated_students",
            _("Nominated students (cử tuyển) returning to their locality"),
        )
        TALENTS = (
            "talents",
            _("Excellent graduates and young talented scientists"),
        )

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ANNOUNCED = "announced", _("Announced")
        APPLICATIONS_CLOSED = "applications_closed", _("Applications closed")
        ROUND_1 = "round_1", _("Round 1")
        ROUND_2 = "round_2", _("Round 2")
        RESULTS = "results", _("Results published")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(_("code"), max_length=50, unique=True)
    title = models.CharField(_("drive title"), max_length=300)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="recruitment_drives",
        verbose_name=_("recruiting authority"),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices, blank=True
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    selection_group = models.CharField(
        _("selection group"),
        max_length=30,
        choices=SelectionGroup.choices,
        blank=True,
    )
    notice_text = models.TextField(_("notice text"), blank=True)
    conditions = models.TextField(_("standards and conditions"), blank=True)
    contact = models.CharField(
        _("where to apply and contact phone"), max_length=300, blank=True
    )
    published_on = models.DateField(_("notice published on"), null=True, blank=True)
    applications_open_on = models.DateField(
        _("applications open on"), null=True, blank=True
    )
    applications_close_on = models.DateField(
        _("applications close on (inclusive)"), null=True, blank=True
    )
    round_1_on = models.DateField(_("round 1 on"), null=True, blank=True)
    round_2_on = models.DateField(_("round 2 on"), null=True, blank=True)
    schedule_note = models.TextField(_("schedule (places, times)"), blank=True)
    # Round 1 on computer cannot be re-marked (Decree 138/2020 Art 14).
    is_round_1_computer_based = models.BooleanField(
        _("round 1 on computer"), default=True
    )
    # Share of the written part in a two-part round 2 (written + interview).
    written_weight = models.DecimalField(
        _("weight of the written part in a two-part round 2"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    results_published_on = models.DateField(
        _("results published on"), null=True, blank=True
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = RecruitmentDriveQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("recruitment drive")
        verbose_name_plural = _("recruitment drives")
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="selection", selection_group__gt="")
                | (~Q(method="selection") & Q(selection_group="")),
                name="recruitment_recruitmentdrive_selection_group",
                violation_error_message=_(
                    "Selection needs one of the three allowed groups; other "
                    "methods have none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(applications_close_on__isnull=True)
                | Q(applications_open_on__isnull=True)
                | Q(applications_close_on__gte=F("applications_open_on")),
                name="recruitment_recruitmentdrive_window_order",
                violation_error_message=_(
                    "Applications cannot close before they open."
                ),
            ),
            models.CheckConstraint(
                condition=Q(written_weight__gte=0, written_weight__lte=1),
                name="recruitment_recruitmentdrive_written_weight_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.title}"

    @property
    def is_public(self) -> bool:
        return self.status != self.Status.DRAFT and self.published_on is not None

    @property
    def has_results(self) -> bool:
        return self.results_published_on is not None


class DriveVacancy(models.Model):
    """A position a drive fills and how many seats (chỉ tiêu)."""

    drive = models.ForeignKey(
        RecruitmentDrive,
        on_delete=models.CASCADE,
        related_name="vacancies",
        verbose_name=_("recruitment drive"),
    )
    position = models.ForeignKey(
        JobPosition,
        on_delete=models.PROTECT,
        related_name="drive_vacancies",
        verbose_name=_("job position"),
    )
    number = models.PositiveSmallIntegerField(_("seats"))
    # The establishment report's free seats on the notice date, kept as evidence.
    vacant_at_announcement = models.PositiveIntegerField(
        _("vacant seats on the notice date"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["drive_id", "position_id"]
        verbose_name = _("drive vacancy")
        verbose_name_plural = _("drive vacancies")
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "position"], name="recruitment_drivevacancy_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="recruitment_drivevacancy_number_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position} × {self.number}"


class NoticeChannel(models.Model):
    """Proof that the notice went out on one required channel."""

    class Channel(models.TextChoices):
        MASS_MEDIA = "mass_media", _("Mass media (newspaper, radio, TV)")
        AGENCY_PORTAL = "agency_portal", _("The agency's website or portal")
        OFFICE_POSTING = "office_posting", _("Posted at the agency's office")

    drive = models.ForeignKey(
        RecruitmentDrive,
        on_delete=models.CASCADE,
        related_name="notice_channels",
        verbose_name=_("recruitment drive"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    evidence = models.TextField(_("evidence"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["drive_id", "channel", "published_on"]
        verbose_name = _("notice publication")
        verbose_name_plural = _("notice publications")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.published_on:%d/%m/%Y}"


class Council(TimeStampedModel):
    """The recruitment council (Hội đồng tuyển dụng) of a drive."""

    drive = models.OneToOneField(
        RecruitmentDrive,
        on_delete=models.CASCADE,
        related_name="council",
        verbose_name=_("recruitment drive"),
    )
    decision_number = models.CharField(_("decision number"), max_length=100)
    decided_on = models.DateField(_("decision date"))
    signer = models.CharField(_("signed by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("recruitment council")
        verbose_name_plural = _("recruitment councils")

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.drive_id})"


class CouncilMemberQuerySet(models.QuerySet):
    def sitting(self):
        """Members not removed from the council."""
        return self.filter(removed_on__isnull=True)


class CouncilMember(models.Model):
    """A seat on the council: an employee or an external person."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice-chair")
        SECRETARY = "secretary", _("Member and secretary")
        MEMBER = "member", _("Member")

    council = models.ForeignKey(
        Council,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("council"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recruitment_council_seats",
        verbose_name=_("employee"),
    )
    external_name = models.CharField(
        _("external person's name"), max_length=200, blank=True
    )
    # Kept for the external person; an employee's comes from the personnel file.
    full_name = models.CharField(_("full name"), max_length=200)
    title = models.CharField(_("position held"), max_length=200, blank=True)
    home_commune = models.CharField(_("home commune"), max_length=200, blank=True)
    appointed_on = models.DateField(_("appointed on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.TextField(_("removal reason"), blank=True)

    objects = CouncilMemberQuerySet.as_manager()

    class Meta:
        ordering = ["council_id", "pk"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        constraints = [
            models.CheckConstraint(
                condition=(Q(employee__isnull=False) & Q(external_name=""))
                | (Q(employee__isnull=True) & ~Q(external_name="")),
                name="recruitment_councilmember_employee_or_external",
                violation_error_message=_(
                    "A member is either an employee or an external person."
                ),
            ),
            models.UniqueConstraint(
                fields=["council", "employee"],
                condition=Q(employee__isnull=False, removed_on__isnull=True),
                name="recruitment_councilmember_one_seat_per_employee",
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | ~Q(removal_reason=""),
                name="recruitment_councilmember_removal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"

    @property
    def person_key(self) -> str:
        """The same person across councils: the employee, or the external name."""
        if self.employee_id:
            return f"employee:{self.employee_id}"
        return f"external:{' '.join(self.external_name.lower().split())}"


class Relation(models.TextChoices):
    """The relatives Decree 170/2025 Art 8 bars from a council, or none."""

    NONE = "none", _("No relation")
    SPOUSE = "spouse", _("Spouse")
    PARENT = "parent", _("Parent")
    PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
    ADOPTIVE_PARENT = "adoptive_parent", _("Adoptive parent")
    CHILD = "child", _("Child (natural or adopted)")
    SIBLING = "sibling", _("Sibling")
    AUNT_UNCLE = "aunt_uncle", _("Aunt or uncle")
    SPOUSE_SIBLING = "spouse_sibling", _("Spouse's sibling")
    SIBLING_SPOUSE = "sibling_spouse", _("Sibling's spouse")


class ConflictDeclaration(models.Model):
    """A member's declared relation to one candidate (none included)."""

    Relation = Relation

    member = models.ForeignKey(
        CouncilMember,
        on_delete=models.CASCADE,
        related_name="declarations",
        verbose_name=_("council member"),
    )
    application = models.ForeignKey(
        "recruitment.Application",
        on_delete=models.CASCADE,
        related_name="conflict_declarations",
        verbose_name=_("application"),
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.NONE
    )
    declared_on = models.DateField(_("declared on"))

    class Meta:
        ordering = ["member_id", "application_id"]
        verbose_name = _("conflict declaration")
        verbose_name_plural = _("conflict declarations")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "application"],
                name="recruitment_conflictdeclaration_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.application_id} · {self.relation}"

    @property
    def is_barred(self) -> bool:
        return self.relation != Relation.NONE


class ConflictHint(models.Model):
    """A possible undeclared relation for the chair to confirm or dismiss."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed: the member is related")
        DISMISSED = "dismissed", _("Dismissed: not related")

    member = models.ForeignKey(
        CouncilMember,
        on_delete=models.CASCADE,
        related_name="hints",
        verbose_name=_("council member"),
    )
    application = models.ForeignKey(
        "recruitment.Application",
        on_delete=models.CASCADE,
        related_name="conflict_hints",
        verbose_name=_("application"),
    )
    code = models.CharField(_("code"), max_length=50)
    message = models.CharField(_("message"), max_length=500)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["member_id", "application_id"]
        verbose_name = _("conflict hint")
        verbose_name_plural = _("conflict hints")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "application", "code"],
                name="recruitment_conflicthint_unique",
            )
        ]

    def __str__(self) -> str:
        return self.message
