from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from positions.models import OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ["name", "code", "kind"]  # the tree indents the first column
    list_filter = ["kind"]
    search_fields = ["code", "name"]


# Grades, pay and job positions -----------------------------------------------
# Quota facts (a position's unit, code, group, grade, headcount, whether it is
# open; grade-structure targets) change only through positions.services, so
# that the audit ledger records them; the back office edits the rest.

from positions.models import (  # noqa: E402 (appended below the unit admin)
    BaseSalary,
    Competency,
    Grade,
    GradeStructureTarget,
    JobPosition,
    PositionCompetency,
    SalaryScale,
    SalaryStep,
)


class SalaryStepInline(admin.TabularInline):
    model = SalaryStep
    extra = 0
    fields = ("step", "coefficient", "valid_from", "valid_to", "confidence", "source")


@admin.register(SalaryScale)
class SalaryScaleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "raise_interval_months", "is_college_or_higher")
    list_filter = ("is_college_or_higher", "raise_interval_months")
    search_fields = ("code", "name")
    inlines = [SalaryStepInline]


@admin.register(SalaryStep)
class SalaryStepAdmin(admin.ModelAdmin):
    list_display = (
        "scale",
        "step",
        "coefficient",
        "valid_from",
        "valid_to",
        "confidence",
    )
    list_filter = ("scale", "confidence")
    list_select_related = ("scale",)
    search_fields = ("scale__code", "source")


@admin.register(Grade)
class GradeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "salary_scale",
        "civil_service_class",
        "ladder_level",
        "confidence",
        "is_active",
    )
    list_filter = (
        "civil_service_class",
        "ladder_level",
        "confidence",
        "is_active",
        "salary_scale",
    )
    list_select_related = ("salary_scale",)
    search_fields = ("code", "name")


@admin.register(BaseSalary)
class BaseSalaryAdmin(admin.ModelAdmin):
    list_display = ("valid_from", "amount", "decree", "confidence")
    list_filter = ("confidence",)
    search_fields = ("decree",)


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


class PositionCompetencyInline(admin.TabularInline):
    model = PositionCompetency
    extra = 0
    autocomplete_fields = ("competency",)


@admin.register(JobPosition)
class JobPositionAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title",
        "unit",
        "group",
        "grade",
        "headcount",
        "is_active",
    )
    list_filter = ("group", "is_active", "grade")
    list_select_related = ("unit", "grade")
    search_fields = ("code", "title", "unit__code", "unit__name")
    readonly_fields = (
        "unit",
        "code",
        "group",
        "grade",
        "headcount",
        "is_active",
        "version",
    )
    inlines = [PositionCompetencyInline]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        obj.version += 1  # a form opened elsewhere is now stale
        super().save_model(request, obj, form, change)


@admin.register(PositionCompetency)
class PositionCompetencyAdmin(admin.ModelAdmin):
    list_display = ("position", "competency", "required_level")
    list_filter = ("required_level", "competency")
    list_select_related = ("position", "competency")
    search_fields = ("position__code", "position__title", "competency__name")
    autocomplete_fields = ("position", "competency")


@admin.register(GradeStructureTarget)
class GradeStructureTargetAdmin(admin.ModelAdmin):
    list_display = ("unit", "grade", "target_ratio", "updated_at")
    list_filter = ("grade",)
    list_select_related = ("unit", "grade")
    search_fields = ("unit__code", "unit__name", "grade__code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
