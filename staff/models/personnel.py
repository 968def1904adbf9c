"""The personnel file (hồ sơ): employees, their assignments, grade history,
annual ratings and commendations. Current grade, step and position are derived
from the history rows, never stored twice."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrms.models import TimeStampedModel
from positions.models import Grade, JobPosition, OrgUnit
from staff import rules


class EmployeeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Employee.Status.ACTIVE)

    def in_subtree(self, unit: OrgUnit):
        return self.filter(unit__path__startswith=unit.path)

    def with_current_grade(self, on: dt.date | None = None):
        """Annotate the grade, step and coefficient in force on a date (default today).

        `current_grade_id`, `current_grade_code`, `current_step`,
        `current_coefficient`, `current_step_since`: one correlated subquery each,
        so a list page costs the same number of queries whatever its length.
        """
        on = on or timezone.localdate()
        latest = GradeHistory.objects.latest_on(on).filter(employee=OuterRef("pk"))
        return self.annotate(
            current_grade_id=Subquery(latest.values("grade")[:1]),
            current_grade_code=Subquery(latest.values("grade__code")[:1]),
            current_step=Subquery(latest.values("salary_step")[:1]),
            current_coefficient=Subquery(latest.values("coefficient")[:1]),
            current_step_since=Subquery(latest.values("effective_on")[:1]),
        )

    def with_current_position(self, on: dt.date | None = None):
        """Annotate the position held on a date: id, code and title."""
        on = on or timezone.localdate()
        held = (
            Assignment.objects.active_on(on)
            .filter(employee=OuterRef("pk"))
            .order_by("-starts_on", "-pk")
        )
        return self.annotate(
            current_position_id=Subquery(held.values("position")[:1]),
            current_position_code=Subquery(held.values("position__code")[:1]),
            current_position_title=Subquery(held.values("position__title")[:1]),
        )


class Employee(TimeStampedModel):
    """A person on the payroll of a unit."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class StaffType(models.TextChoices):
        CAN_BO = "can_bo", _("Cadre (cán bộ)")
        CONG_CHUC = "cong_chuc", _("Civil servant (công chức)")
        VIEN_CHUC = "vien_chuc", _("Public employee (viên chức)")
        CONTRACT = "contract", _("Contract staff")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        RESIGNED = "resigned", _("Resigned")
        DISMISSED = "dismissed", _("Dismissed")

    employee_code = models.CharField(_("employee code"), max_length=30, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    national_id = models.CharField(
        _("citizen ID"),
        max_length=12,
        blank=True,
        validators=[rules.validate_citizen_id],
    )
    staff_type = models.CharField(
        _("staff type"), max_length=20, choices=StaffType.choices
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("unit"),
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Text, not a number: Vietnamese numbers start with 0.
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("login"),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["employee_code"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["national_id"],
                condition=~Q(national_id=""),
                name="staff_employee_national_id_unique",
                violation_error_message=_("Another employee has this citizen ID."),
            ),
            models.CheckConstraint(
                condition=Q(joined_on__isnull=True)
                | Q(joined_on__gt=F("date_of_birth")),
                name="staff_employee_joined_after_birth",
                violation_error_message=_("The joining date precedes the birth date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_code} {self.full_name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.date_of_birth:
            today = timezone.localdate()
            born = rules.check_date_of_birth(self.date_of_birth, today=today)
            if not born:
                errors["date_of_birth"] = born.message
            elif self.joined_on:
                adult = rules.check_minimum_age(self.date_of_birth, on=self.joined_on)
                if not adult:
                    errors["joined_on"] = adult.message
        if self.national_id:
            cid = rules.check_citizen_id(
                self.national_id, gender=self.gender, date_of_birth=self.date_of_birth
            )
            # Format errors come from the field validator already.
            if not cid and cid.code not in rules.CITIZEN_ID_FORMAT_CODES:
                errors["national_id"] = cid.message
        if errors:
            raise ValidationError(errors)


class AssignmentQuerySet(models.QuerySet):
    def active_on(self, on: dt.date):
        """Assignments in force on a date (both ends inclusive)."""
        return self.filter(starts_on__lte=on).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=on)
        )


class Assignment(TimeStampedModel):
    """An employee holds a job position from a date to a date, by a decision."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("employee"),
    )
    position = models.ForeignKey(
        JobPosition,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("job position"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on (inclusive)"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    is_transition_case = models.BooleanField(
        _("transition case"),
        default=False,
        help_text=_("The grade may differ from the position's until 1/7/2027."),
    )
    quota_override_reason = models.TextField(_("quota override reason"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quota overridden by"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["employee_id", "starts_on", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["position", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="staff_assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(quota_override_reason="", overridden_by__isnull=True)
                | (~Q(quota_override_reason="") & Q(overridden_by__isnull=False)),
                name="staff_assignment_override_has_reason_and_actor",
            ),
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(ends_on__isnull=True),
                name="staff_assignment_one_open_per_employee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} → {self.position_id} ({self.starts_on:%d/%m/%Y})"

    @property
    def is_quota_override(self) -> bool:
        return bool(self.quota_override_reason)


class GradeHistoryQuerySet(models.QuerySet):
    def latest_on(self, on: dt.date):
        """Rows in force on a date, the one in force first (per employee)."""
        return self.filter(effective_on__lte=on).order_by("-effective_on", "-pk")


class GradeHistory(TimeStampedModel):
    """A grade, step and coefficient taking effect on a date, by a decision."""

    class Reason(models.TextChoices):
        APPOINTMENT = "appointment", _("Recruitment or appointment into the grade")
        REGULAR_RAISE = "regular_raise", _("Regular step raise")
        EARLY_RAISE = "early_raise", _("Early step raise")
        GRADE_CHANGE = "grade_change", _("Change of grade")
        CORRECTION = "correction", _("Correction")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="grade_history",
        verbose_name=_("employee"),
    )
    grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grade"),
    )
    salary_step = models.PositiveSmallIntegerField(_("salary step"))
    # Copied from the scale step in force on effective_on by the service.
    coefficient = models.DecimalField(
        _("coefficient"), max_digits=5, decimal_places=2, editable=False
    )
    effective_on = models.DateField(_("effective on"))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)

    objects = GradeHistoryQuerySet.as_manager()

    class Meta:
        ordering = ["employee_id", "effective_on", "pk"]
        verbose_name = _("grade and step change")
        verbose_name_plural = _("grade and step history")
        indexes = [models.Index(fields=["employee", "effective_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(salary_step__gte=1),
                name="staff_gradehistory_step_from_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.grade_id} bậc {self.salary_step}"


class AnnualRating(TimeStampedModel):
    """The quality rating of a year (đánh giá, xếp loại chất lượng)."""

    class Level(models.TextChoices):
        EXCELLENT = "hoan_thanh_xuat_sac", _("Excellently completed duties")
        GOOD = "hoan_thanh_tot", _("Well completed duties")
        COMPLETED = "hoan_thanh", _("Completed duties")
        NOT_COMPLETED = "khong_hoan_thanh", _("Did not complete duties")

    class Source(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        MANUAL = "manual", _("Entered by hand")
        COMPUTED = "computed", _("Computed by the appraisal")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="annual_ratings",
        verbose_name=_("employee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Set when the rating was caused by the violation of this discipline case
    # (Decree 48/2023): the raise clock then counts the discipline only once,
    # and a later decision on it does not force another year's rating.
    discipline_case = models.ForeignKey(
        "staff.DisciplineCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name=_("caused by discipline case"),
    )

    class Meta:
        ordering = ["employee_id", "year"]
        verbose_name = _("annual rating")
        verbose_name_plural = _("annual ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "year"], name="staff_annualrating_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945, year__lte=2200),
                name="staff_annualrating_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.year} · {self.get_level_display()}"


class Commendation(TimeStampedModel):
    """A commendation (khen thưởng); one may be used once for an early raise."""

    class Level(models.TextChoices):
        ADVANCED_WORKER = "lao_dong_tien_tien", _("Advanced worker")
        GRASSROOTS_FIGHTER = "cstd_co_so", _("Grassroots emulation fighter")
        PROVINCIAL_FIGHTER = (
            "cstd_tinh",
            _("Provincial or ministerial emulation fighter"),
        )
        NATIONAL_FIGHTER = "cstd_toan_quoc", _("National emulation fighter")
        CERTIFICATE = "giay_khen", _("Certificate of merit (giấy khen)")
        PROVINCIAL_MERIT = (
            "bang_khen_tinh",
            _("Certificate of merit of the provincial chairman"),
        )
        MINISTERIAL_MERIT = "bang_khen_bo", _("Certificate of merit of a minister")
        PRIME_MINISTER_MERIT = (
            "bang_khen_ttg",
            _("Certificate of merit of the Prime Minister"),
        )
        LABOUR_MEDAL = "huan_chuong_lao_dong", _("Labour medal")
        OTHER = "other", _("Other")

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="commendations",
        verbose_name=_("employee"),
    )
    level = models.CharField(_("level"), max_length=30, choices=Level.choices)
    title = models.CharField(_("title"), max_length=300)
    decided_on = models.DateField(_("decided on"))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    is_used_for_early_raise = models.BooleanField(
        _("used for an early raise"), default=False
    )

    class Meta:
        ordering = ["employee_id", "decided_on", "pk"]
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")

    def __str__(self) -> str:
        return f"{self.employee_id} · {self.title} ({self.decided_on:%d/%m/%Y})"
