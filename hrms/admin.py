from django.contrib import admin

from hrms.models import AccessLog, Holiday, Job, LedgerEntry, RoleGrant


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable in the back office, never written there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id")
    ordering = ("-seq",)
    search_fields = ("action", "object_type", "=object_id", "actor_name")
    # The ledger grows to millions of rows: skip the second, unfiltered COUNT(*).
    show_full_result_count = False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "role", "object_type", "object_id", "object_repr")
    list_filter = ("role",)
    list_select_related = ("user",)
    search_fields = ("user__username", "object_type", "=object_id", "object_repr")
    show_full_result_count = False


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    """Grants change only through `grant_role`, so that the ledger records them."""

    list_display = ("user", "role", "unit", "valid_until", "revoked_at")
    list_filter = ("role",)
    list_select_related = ("user", "unit")
    search_fields = ("user__username", "unit__code", "unit__name")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
    search_fields = ("name",)
    date_hierarchy = "date"


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "owner", "unit", "status", "done", "total"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username", "unit__code", "error"]
    raw_id_fields = ["owner", "unit"]
    readonly_fields = ["heartbeat_at", "claimed_by", "attempts"]
