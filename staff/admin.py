from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from staff.models import (
    AnnualRating,
    Assignment,
    Circumstance,
    Commendation,
    CouncilMember,
    DisciplineCase,
    DisciplineEffectRule,
    DisciplineFormRule,
    DisciplineTimeLimit,
    Employee,
    GradeHistory,
    RaiseSetting,
    Suspension,
    Violation,
)

# Assignments and grade history are written only by staff.services, which check
# the quota, the grade match and the salary scale; the back office may correct
# their decision details.


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = (
        "employee_code",
        "full_name",
        "unit",
        "staff_type",
        "status",
        "date_of_birth",
    )
    list_filter = ("staff_type", "status", "gender")
    list_select_related = ("unit",)
    search_fields = ("employee_code", "full_name", "=national_id", "email")
    raw_id_fields = ("unit", "user")
    readonly_fields = ("version",)
    # A province has 100,000 staff: skip the second, unfiltered COUNT(*).
    show_full_result_count = False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.version += 1  # a form opened elsewhere is now stale
        super().save_model(request, obj, form, change)


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = (
        "employee",
        "position",
        "starts_on",
        "ends_on",
        "decision_number",
        "is_transition_case",
        "is_quota_override",
    )
    list_filter = ("is_transition_case",)
    list_select_related = ("employee", "position")
    search_fields = (
        "employee__employee_code",
        "employee__full_name",
        "position__code",
        "decision_number",
    )
    date_hierarchy = "starts_on"
    readonly_fields = (
        "employee",
        "position",
        "starts_on",
        "is_transition_case",
        "quota_override_reason",
        "overridden_by",
    )
    show_full_result_count = False

    @admin.display(boolean=True, description=_("quota override"))
    def is_quota_override(self, obj: Assignment) -> bool:
        return obj.is_quota_override

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(GradeHistory)
class GradeHistoryAdmin(admin.ModelAdmin):
    list_display = (
        "employee",
        "grade",
        "salary_step",
        "coefficient",
        "effective_on",
        "reason",
        "decision_number",
    )
    list_filter = ("reason", "grade")
    list_select_related = ("employee", "grade")
    search_fields = (
        "employee__employee_code",
        "employee__full_name",
        "decision_number",
    )
    date_hierarchy = "effective_on"
    readonly_fields = (
        "employee",
        "grade",
        "salary_step",
        "coefficient",
        "effective_on",
        "reason",
    )
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(AnnualRating)
class AnnualRatingAdmin(admin.ModelAdmin):
    list_display = ("employee", "year", "level", "source", "decided_on")
    list_filter = ("year", "level", "source")
    list_select_related = ("employee",)
    search_fields = ("employee__employee_code", "employee__full_name")
    autocomplete_fields = ("employee",)
    raw_id_fields = ("discipline_case",)
    show_full_result_count = False


@admin.register(Commendation)
class CommendationAdmin(admin.ModelAdmin):
    list_display = (
        "employee",
        "level",
        "title",
        "decided_on",
        "decision_number",
        "is_used_for_early_raise",
    )
    list_filter = ("level", "is_used_for_early_raise")
    list_select_related = ("employee",)
    search_fields = (
        "employee__employee_code",
        "employee__full_name",
        "title",
        "decision_number",
    )
    autocomplete_fields = ("employee",)
    show_full_result_count = False


# Discipline cases are written by staff.services (rules, ledger); the back office
# reads them and may correct wording, never the decided facts.


class ViolationInline(admin.TabularInline):
    model = Violation
    extra = 0
    readonly_fields = ("occurred_on", "merited_form", "no_limitation")


class CircumstanceInline(admin.TabularInline):
    model = Circumstance
    extra = 0


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    readonly_fields = ("full_name", "role", "title")


class SuspensionInline(admin.TabularInline):
    model = Suspension
    extra = 0
    readonly_fields = ("kind", "starts_on", "ends_on")


@admin.register(DisciplineCase)
class DisciplineCaseAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "employee",
        "severity",
        "detected_on",
        "status",
        "form",
        "decision_number",
        "decided_on",
    )
    list_filter = ("status", "form", "severity")
    list_select_related = ("employee",)
    search_fields = (
        "employee__employee_code",
        "employee__full_name",
        "decision_number",
    )
    date_hierarchy = "detected_on"
    inlines = (
        ViolationInline,
        CircumstanceInline,
        CouncilMemberInline,
        SuspensionInline,
    )
    readonly_fields = (
        "employee",
        "detected_on",
        "status",
        "form",
        "decided_on",
        "effective_on",
        "extended_to_days",
        "extended_on",
        "annulled_on",
        "opened_by",
        "version",
    )
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.version += 1  # a form opened elsewhere is now stale
        super().save_model(request, obj, form, change)


class RuleAdmin(admin.ModelAdmin):
    list_filter = ("confidence",)
    date_hierarchy = "valid_from"


@admin.register(DisciplineFormRule)
class DisciplineFormRuleAdmin(RuleAdmin):
    list_display = (
        "staff_type",
        "form",
        "condition",
        "rank",
        "valid_from",
        "valid_to",
        "confidence",
    )
    list_filter = ("staff_type", "form", "condition", "confidence")
    search_fields = ("citation",)


@admin.register(DisciplineEffectRule)
class DisciplineEffectRuleAdmin(RuleAdmin):
    list_display = (
        "staff_type",
        "form",
        "raise_extension_months",
        "bar_months",
        "forces_rating",
        "valid_from",
        "valid_to",
        "confidence",
    )
    list_filter = ("staff_type", "form", "confidence")
    search_fields = ("citation", "note")


@admin.register(DisciplineTimeLimit)
class DisciplineTimeLimitAdmin(RuleAdmin):
    list_display = (
        "valid_from",
        "valid_to",
        "handling_days",
        "extended_handling_days",
        "limitation_years_reprimand",
        "limitation_years_other",
        "confidence",
    )
    search_fields = ("citation",)


@admin.register(RaiseSetting)
class RaiseSettingAdmin(RuleAdmin):
    list_display = (
        "valid_from",
        "valid_to",
        "not_completed_extension_months",
        "early_raise_people_per_raise",
        "early_raise_remainder",
        "early_raise_remainder_threshold",
        "seniority_first_percent",
        "confidence",
    )
    search_fields = ("citation",)
