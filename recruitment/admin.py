from django.contrib import admin

from recruitment.models import (
    Application,
    AppointmentDecision,
    ConflictDeclaration,
    ConflictHint,
    Council,
    CouncilMember,
    DriveVacancy,
    Finding,
    InspectionCase,
    NoticeChannel,
    RecruitmentDrive,
    RecruitmentSetting,
    RemarkRequest,
    RetirementAgeRule,
    RotationPolicy,
    ScoreChange,
    SuccessionPlanEntry,
    TieBreakDecision,
    VoteRecord,
)

# Decisions (status changes, councils, scores, results, appointments) change only
# through recruitment.services, which check the rules and write the audit ledger;
# the back office shows them read-only. Editing a score here would also raise the
# "score changed after publication" red flag. Rule tables are editable.


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class DriveVacancyInline(ReadOnlyInline):
    model = DriveVacancy
    fields = ("position", "number", "vacant_at_announcement")


class NoticeChannelInline(ReadOnlyInline):
    model = NoticeChannel
    fields = ("channel", "published_on", "url", "evidence")


@admin.register(RecruitmentDrive)
class RecruitmentDriveAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "title",
        "unit",
        "method",
        "status",
        "published_on",
        "applications_close_on",
        "results_published_on",
    )
    list_filter = ("status", "method", "legal_basis")
    list_select_related = ("unit",)
    search_fields = ("code", "title", "unit__code")
    date_hierarchy = "published_on"
    inlines = [DriveVacancyInline, NoticeChannelInline]


@admin.register(DriveVacancy)
class DriveVacancyAdmin(ReadOnlyAdmin):
    list_display = ("drive", "position", "number", "vacant_at_announcement")
    list_select_related = ("drive", "position")
    search_fields = ("drive__code", "position__code")


@admin.register(NoticeChannel)
class NoticeChannelAdmin(ReadOnlyAdmin):
    list_display = ("drive", "channel", "published_on", "url")
    list_filter = ("channel",)
    list_select_related = ("drive",)
    search_fields = ("drive__code", "evidence", "url")


class CouncilMemberInline(ReadOnlyInline):
    model = CouncilMember
    fields = ("full_name", "role", "employee", "title", "removed_on", "removal_reason")
    raw_id_fields = ("employee",)


@admin.register(Council)
class CouncilAdmin(ReadOnlyAdmin):
    list_display = ("drive", "decision_number", "decided_on", "signer")
    list_select_related = ("drive",)
    search_fields = ("drive__code", "decision_number")
    inlines = [CouncilMemberInline]


@admin.register(CouncilMember)
class CouncilMemberAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "role", "council", "appointed_on", "removed_on")
    list_filter = ("role",)
    list_select_related = ("council__drive",)
    search_fields = ("full_name", "employee__employee_code", "council__drive__code")


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ("member", "application", "relation", "declared_on")
    list_filter = ("relation",)
    list_select_related = ("member", "application")
    search_fields = ("member__full_name", "application__full_name")


@admin.register(ConflictHint)
class ConflictHintAdmin(ReadOnlyAdmin):
    list_display = ("member", "application", "status", "resolved_at")
    list_filter = ("status",)
    list_select_related = ("member", "application")
    search_fields = ("member__full_name", "application__full_name")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "full_name",
        "drive",
        "vacancy",
        "eligibility",
        "round_2_score",
        "total_score",
        "rank",
        "result",
    )
    list_filter = ("result", "eligibility")
    list_select_related = ("drive", "vacancy__position")
    search_fields = ("number", "full_name", "=national_id", "drive__code")


@admin.register(ScoreChange)
class ScoreChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "application",
        "field",
        "old_value",
        "new_value",
        "changed_at",
        "changed_by",
        "is_after_publication",
        "remark",
    )
    list_filter = ("field", "is_after_publication")
    list_select_related = ("application", "changed_by")
    search_fields = ("application__number", "application__full_name")


@admin.register(RemarkRequest)
class RemarkRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "application",
        "part",
        "requested_on",
        "outcome",
        "old_score",
        "new_score",
    )
    list_filter = ("part", "outcome")
    list_select_related = ("application",)
    search_fields = ("application__number", "application__full_name")


@admin.register(TieBreakDecision)
class TieBreakDecisionAdmin(ReadOnlyAdmin):
    list_display = ("vacancy", "decided_by", "decided_on", "ordered_applications")
    list_select_related = ("vacancy__position",)
    search_fields = ("vacancy__drive__code", "decided_by")


@admin.register(SuccessionPlanEntry)
class SuccessionPlanEntryAdmin(admin.ModelAdmin):
    list_display = (
        "employee",
        "unit",
        "position",
        "post_title",
        "period_from",
        "period_to",
    )
    list_select_related = ("employee", "unit", "position")
    search_fields = ("employee__employee_code", "employee__full_name", "post_title")
    raw_id_fields = ("employee", "unit", "position")
    show_full_result_count = False


class VoteRecordInline(ReadOnlyInline):
    model = VoteRecord
    fields = ("seq", "step", "members_total", "present", "votes_for", "head_decision")


@admin.register(AppointmentDecision)
class AppointmentDecisionAdmin(ReadOnlyAdmin):
    list_display = (
        "decision_number",
        "kind",
        "employee",
        "unit",
        "decided_on",
        "effective_on",
        "term_end_on",
        "is_eligible",
    )
    list_filter = ("kind", "source", "is_eligible", "had_discipline_bar")
    list_select_related = ("employee", "unit")
    search_fields = (
        "decision_number",
        "employee__employee_code",
        "employee__full_name",
    )
    date_hierarchy = "decided_on"
    inlines = [VoteRecordInline]


@admin.register(VoteRecord)
class VoteRecordAdmin(ReadOnlyAdmin):
    list_display = ("decision", "seq", "step", "members_total", "present", "votes_for")
    list_filter = ("step",)
    list_select_related = ("decision",)
    search_fields = ("decision__decision_number",)


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ("severity", "text", "record_type", "record_id", "flag_code")


@admin.register(InspectionCase)
class InspectionCaseAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "inspector", "period_from", "period_to", "status")
    list_filter = ("status",)
    list_select_related = ("unit", "inspector")
    search_fields = ("title", "unit__code", "inspector__username")
    inlines = [FindingInline]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("case", "severity", "text", "record_type", "record_id", "flag_code")
    list_filter = ("severity",)
    list_select_related = ("case",)
    search_fields = ("text", "flag_code")


@admin.register(RecruitmentSetting)
class RecruitmentSettingAdmin(admin.ModelAdmin):
    list_display = (
        "valid_from",
        "valid_to",
        "notice_window_days",
        "remark_window_days",
        "dossier_completion_days",
        "term_years",
        "min_tenure_months",
        "confidence",
    )


@admin.register(RetirementAgeRule)
class RetirementAgeRuleAdmin(admin.ModelAdmin):
    list_display = (
        "gender",
        "valid_from",
        "valid_to",
        "start_year",
        "start_age_months",
        "step_months",
        "final_age_months",
        "confidence",
    )
    list_filter = ("gender",)


@admin.register(RotationPolicy)
class RotationPolicyAdmin(admin.ModelAdmin):
    list_display = ("position", "period_years", "note")
    list_select_related = ("position",)
    search_fields = ("position__code", "position__title")
    raw_id_fields = ("position",)
