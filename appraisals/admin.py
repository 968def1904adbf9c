from django.contrib import admin

from appraisals.models import (
    ApologySlip,
    Appraisal,
    AppraisalCycle,
    CapException,
    CitizenRating,
    CommentMeeting,
    Complaint,
    ConductIncident,
    CorruptionFinding,
    Dossier,
    DossierStep,
    ObjectiveCauseWaiver,
    Procedure,
    ReformPlan,
    ReformPlanItem,
    ScoringRuleSet,
    Task,
)

# Dossiers and steps come by the million from imports and the API: lists filter on
# indexed columns, skip the unfiltered COUNT(*) and pick related rows by id.
# Apology slips and incident reviews change through appraisals.services, which
# apply the rules and write the audit ledger; here they are read-only.


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "processing_days", "unit")
    list_filter = ("processing_days",)
    list_select_related = ("unit",)
    search_fields = ("code", "name", "field")
    raw_id_fields = ("unit",)


class DossierStepInline(admin.TabularInline):
    model = DossierStep
    extra = 0
    fields = ("seq", "name", "officer", "unit", "started_at", "due_at", "finished_at")
    raw_id_fields = ("officer", "unit")


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "procedure",
        "unit",
        "channel",
        "received_at",
        "due_at",
        "returned_at",
        "status",
    )
    list_filter = ("status", "channel")
    list_select_related = ("procedure", "unit")
    search_fields = ("=code",)
    raw_id_fields = ("procedure", "unit", "receiving_officer")
    readonly_fields = ("rescheduled_due_at",)
    show_full_result_count = False
    inlines = [DossierStepInline]


@admin.register(DossierStep)
class DossierStepAdmin(admin.ModelAdmin):
    list_display = ("dossier", "seq", "name", "officer", "due_at", "finished_at")
    list_filter = ("name",)
    list_select_related = ("dossier", "officer")
    search_fields = ("=dossier__code", "=officer__employee_code")
    raw_id_fields = ("dossier", "officer", "unit")
    show_full_result_count = False


@admin.register(ApologySlip)
class ApologySlipAdmin(admin.ModelAdmin):
    list_display = (
        "dossier",
        "issued_at",
        "previous_due_at",
        "new_due_at",
        "is_issued_late",
    )
    list_filter = ("is_issued_late",)
    list_select_related = ("dossier",)
    search_fields = ("=dossier__code",)
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CitizenRating)
class CitizenRatingAdmin(admin.ModelAdmin):
    list_display = ("dossier", "level", "rated_at")
    list_filter = ("level",)
    list_select_related = ("dossier",)
    search_fields = ("=dossier__code",)
    raw_id_fields = ("dossier",)
    show_full_result_count = False


@admin.register(ConductIncident)
class ConductIncidentAdmin(admin.ModelAdmin):
    list_display = (
        "officer",
        "unit",
        "occurred_on",
        "source",
        "conduct",
        "is_verified",
        "discipline_case_ref",
    )
    list_filter = ("source", "conduct", "is_verified")
    list_select_related = ("officer", "unit")
    search_fields = ("=officer__employee_code", "officer__full_name")
    raw_id_fields = ("officer", "unit", "dossier")
    readonly_fields = (
        "is_verified",
        "reviewed_at",
        "reviewed_by",
        "outcome",
        "discipline_case_ref",
    )


# Task register and appraisal cycles (Decree 335/2025; Decree 90/2020 + 48/2023).
# Decisions, proposals and complaints go through appraisals.appraisal_services so
# the ledger and the personnel file follow; the admin only reads them.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("code", "assignee", "period", "title", "due_on", "completed_on")
    list_filter = ("period", "is_reform_task")
    search_fields = ("code", "title", "assignee__employee_code", "assignee__full_name")
    list_select_related = ("assignee",)


@admin.register(ReformPlan)
class ReformPlanAdmin(admin.ModelAdmin):
    list_display = ("unit", "year")
    search_fields = ("unit__code", "unit__name")
    list_select_related = ("unit",)


@admin.register(ReformPlanItem, ObjectiveCauseWaiver, CommentMeeting, CapException)
class AppraisalRecordAdmin(ReadOnlyAdmin):
    pass


@admin.register(ScoringRuleSet)
class ScoringRuleSetAdmin(admin.ModelAdmin):
    """Rule versions are data: unverified numbers are corrected here, dated."""

    list_display = ("__str__",)


@admin.register(AppraisalCycle)
class AppraisalCycleAdmin(ReadOnlyAdmin):
    list_display = ("unit", "year", "status")
    list_filter = ("year", "status")
    list_select_related = ("unit",)


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ("employee", "cycle", "decided_level")
    search_fields = ("employee__employee_code", "employee__full_name")
    list_select_related = ("employee", "cycle")


@admin.register(Complaint, CorruptionFinding)
class AppraisalOutcomeAdmin(ReadOnlyAdmin):
    pass
