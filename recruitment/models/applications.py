"""Applications: the candidate, round-1 eligibility, scores and their history,
re-marking requests, the head's tie decisions, and the result of each candidate.

Scores change only through recruitment/services.py, which keeps a ScoreChange
row per change; after the results are published only a re-marking may change a
score (the published figures are also kept in the audit ledger, which is what
the red flag compares against).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from recruitment.models.drives import DriveVacancy, RecruitmentDrive
from staff.models import Employee
from staff.rules import validate_citizen_id


class PriorityCategory(models.TextChoices):
    """Decree 170/2025 Art 6 priority groups; points in rules.PRIORITY_POINTS."""

    HERO = "hero", _("Hero of the armed forces or of labour")
    WAR_INVALID = "war_invalid", _("War invalid or equivalent")
    ETHNIC_MINORITY = "ethnic_minority", _("Ethnic minority")
    DEMOBILISED_OFFICER = (
        "demobilised_officer",
        _("Demobilised officer, professional soldier or police officer"),
    )
    CIPHER_STAFF = "cipher_staff", _("Cipher staff transferred out")
    RESERVE_OFFICER = (
        "reserve_officer",
        _("Reserve-officer or commune military commander graduate"),
    )
    MILITARY_SERVICE = (
        "military_service",
        _("Completed military or police service"),
    )
    YOUTH_VOLUNTEER = "youth_volunteer", _("Youth volunteer")


def _score_field(verbose_name):
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, null=True, blank=True
    )


def _score_range(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": 0, f"{field}__lte": 100}),
        name=f"recruitment_application_{field}_0_100",
        violation_error_message=_("A score is between 0 and 100."),
    )


class Application(TimeStampedModel):
    """One candidate's application to one position of a drive."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        POST = "post", _("By post")
        ONLINE = "online", _("Online")

    class Eligibility(models.TextChoices):
        PENDING = "pending", _("Not checked yet")
        ELIGIBLE = "eligible", _("Eligible")
        INELIGIBLE = "ineligible", _("Ineligible")

    class Result(models.TextChoices):
        PENDING = "pending", _("No result yet")
        WINNER = "winner", _("Admitted (trúng tuyển)")
        PASSED = "passed", _("Passed, not within the seats")
        FAILED = "failed", _("Did not pass")
        CANCELLED = "cancelled", _("Admission cancelled")

    drive = models.ForeignKey(
        RecruitmentDrive,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("recruitment drive"),
    )
    vacancy = models.ForeignKey(
        DriveVacancy,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("position applied for"),
    )
    number = models.CharField(_("application number"), max_length=50)
    national_id = models.CharField(
        _("citizen ID"), max_length=12, validators=[validate_citizen_id]
    )
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(
        _("gender"), max_length=1, choices=Employee.Gender.choices
    )
    home_commune = models.CharField(_("home commune"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    channel = models.CharField(
        _("submitted"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.IN_PERSON,
    )
    # Every category the candidate proved; only the highest counts.
    priority_claims = models.JSONField(
        _("priority categories"), default=list, blank=True
    )
    priority_points = models.DecimalField(
        _("priority points"), max_digits=3, decimal_places=1, default=Decimal("0")
    )
    eligibility = models.CharField(
        _("round 1 eligibility"),
        max_length=20,
        choices=Eligibility.choices,
        default=Eligibility.PENDING,
    )
    eligibility_reason = models.TextField(_("eligibility reason"), blank=True)
    round_1_percent = _score_field(_("round 1 (percent correct)"))
    round_2_written = _score_field(_("round 2 written part"))
    round_2_interview = _score_field(_("round 2 interview part"))
    round_2_score = _score_field(_("round 2 score"))
    # Filled when the results are published (and on a revision after re-marking).
    total_score = _score_field(_("total (round 2 + priority)"))
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=20, choices=Result.choices, default=Result.PENDING
    )
    result_reason = models.CharField(_("result reason"), max_length=300, blank=True)
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    dossier_due_on = models.DateField(
        _("dossier to complete by"), null=True, blank=True
    )
    dossier_completed_on = models.DateField(
        _("dossier completed on"), null=True, blank=True
    )
    cancelled_on = models.DateField(_("admission cancelled on"), null=True, blank=True)
    cancellation_reason = models.TextField(_("cancellation reason"), blank=True)
    employee = models.OneToOneField(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recruitment_application",
        verbose_name=_("hired as"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = [
            "drive_id",
            "vacancy_id",
            models.F("rank").asc(nulls_last=True),
            "number",
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["drive", "result"])]
        constraints = [
            models.UniqueConstraint(
                fields=["drive", "national_id"],
                name="recruitment_application_one_per_candidate",
                violation_error_message=_(
                    "This candidate already applied in this drive."
                ),
            ),
            models.UniqueConstraint(
                fields=["drive", "number"],
                name="recruitment_application_number_unique",
            ),
            _score_range("round_1_percent"),
            _score_range("round_2_written"),
            _score_range("round_2_interview"),
            _score_range("round_2_score"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.full_name}"

    @property
    def has_two_parts(self) -> bool:
        return self.round_2_written is not None or self.round_2_interview is not None

    @property
    def is_winner(self) -> bool:
        return self.result == self.Result.WINNER


class ScoreChange(models.Model):
    """One change of one score: who, when, from what to what, and why."""

    class Field(models.TextChoices):
        ROUND_1_PERCENT = "round_1_percent", _("Round 1 (percent correct)")
        ROUND_2_WRITTEN = "round_2_written", _("Round 2 written part")
        ROUND_2_INTERVIEW = "round_2_interview", _("Round 2 interview part")
        ROUND_2_SCORE = "round_2_score", _("Round 2 score")

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="score_changes",
        verbose_name=_("application"),
    )
    field = models.CharField(_("score"), max_length=20, choices=Field.choices)
    old_value = _score_field(_("old value"))
    new_value = _score_field(_("new value"))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    is_after_publication = models.BooleanField(_("after the results"), default=False)
    remark = models.ForeignKey(
        "recruitment.RemarkRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="score_changes",
        verbose_name=_("re-marking"),
    )

    class Meta:
        ordering = ["application_id", "changed_at", "pk"]
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")

    def __str__(self) -> str:
        return (
            f"{self.application_id} {self.field}: {self.old_value} → {self.new_value}"
        )


class RemarkRequest(models.Model):
    """A re-marking request (phúc khảo) and its outcome."""

    class Part(models.TextChoices):
        ROUND_1 = "round_1", _("Round 1 (paper exam)")
        ROUND_2_WRITTEN = "round_2_written", _("Round 2 written exam")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        UNCHANGED = "unchanged", _("Re-marked, score unchanged")
        CHANGED = "changed", _("Re-marked, score changed")
        REJECTED = "rejected", _("Rejected")

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="remark_requests",
        verbose_name=_("application"),
    )
    part = models.CharField(_("part"), max_length=20, choices=Part.choices)
    requested_on = models.DateField(_("requested on"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    old_score = _score_field(_("score before"))
    new_score = _score_field(_("score after"))
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["application_id", "requested_on", "pk"]
        verbose_name = _("re-marking request")
        verbose_name_plural = _("re-marking requests")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="changed") | Q(new_score__isnull=False),
                name="recruitment_remarkrequest_changed_has_score",
            ),
            models.CheckConstraint(
                condition=Q(new_score__isnull=True)
                | Q(new_score__gte=0, new_score__lte=100),
                name="recruitment_remarkrequest_new_score_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.part} · {self.outcome}"


class TieBreakDecision(models.Model):
    """The head's decision ordering candidates still tied after the round-2 score."""

    vacancy = models.ForeignKey(
        DriveVacancy,
        on_delete=models.CASCADE,
        related_name="tie_breaks",
        verbose_name=_("drive vacancy"),
    )
    # Application ids of one tied group, best first.
    ordered_applications = models.JSONField(_("order decided"))
    decided_by = models.CharField(_("decided by (head)"), max_length=200)
    decided_on = models.DateField(_("decided on"))
    note = models.TextField(_("grounds"), blank=True)
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
        ordering = ["vacancy_id", "pk"]
        verbose_name = _("tie decision")
        verbose_name_plural = _("tie decisions")

    def __str__(self) -> str:
        return f"{self.vacancy_id} · {self.decided_on:%d/%m/%Y}"
