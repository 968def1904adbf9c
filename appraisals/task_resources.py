"""The `tasks` import/export resource (DESIGN.md §4.3): the task register.

Columns: code, assignee, period (YYYY-MM or YYYY-Qn), title, due_on, [weight,
default 1], [completed_on], [quality_defects, default 0], [objective_cause: 0|1],
[reform_task: 0|1]; keyed by code, so re-importing a file updates, never
duplicates. A row is rejected, with its reason, when the assignee is unknown, the
period or a date is unreadable, the due date precedes the period, the completion
is in the future, a number is out of range, a flag is not 0 or 1, or the
assignee's rating for that year is already decided (the register is frozen with
it).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import widgets
from import_export.fields import Field

from appraisals import scoring
from appraisals.models import Appraisal, Task
from hrms.importing import ImportResource, register
from positions.resources import CodeWidget
from staff.models import Employee

CHUNK = 5000  # below SQLite's limit on query parameters


class ZeroOneWidget(widgets.Widget):
    """A flag written 0 or 1 (blank: the default)."""

    def clean(self, value, row=None, **kwargs) -> bool | None:
        text = "" if value is None else str(value).strip()
        if text == "":
            return None
        if text not in ("0", "1"):
            raise ValueError(gettext("“%(value)s” is not 0 or 1.") % {"value": text})
        return text == "1"

    def render(self, value, obj=None, **kwargs) -> str:
        return "1" if value else "0"


@register("tasks")
class TaskResource(ImportResource):
    """The task register, one row per task or work product, keyed by code."""

    assignee = Field(
        attribute="assignee",
        column_name="assignee",
        widget=CodeWidget(
            Employee, _("Unknown employee “%(code)s”."), field="employee_code"
        ),
    )
    objective_cause = Field(
        attribute="has_objective_cause",
        column_name="objective_cause",
        widget=ZeroOneWidget(),
        default=False,
    )
    reform_task = Field(
        attribute="is_reform_task",
        column_name="reform_task",
        widget=ZeroOneWidget(),
        default=False,
    )

    required_columns = ("code", "assignee", "period", "title", "due_on")
    # Reported once by the code widget (unknown) or as required (blank).
    clean_exclude = ("assignee",)

    class Meta:
        model = Task
        fields = (
            "code",
            "assignee",
            "period",
            "title",
            "due_on",
            "weight",
            "completed_on",
            "quality_defects",
            "objective_cause",
            "reform_task",
        )
        import_id_fields = ("code",)

    def get_queryset(self):
        return Task.objects.select_related("assignee").order_by("period", "code")

    def before_import(self, dataset, **kwargs) -> None:
        codes = sorted(
            {str(code).strip() for code in dataset["assignee"]} - {""}
            if "assignee" in dataset.headers
            else set()
        )
        employees = []
        for start in range(0, len(codes), CHUNK):
            chunk = codes[start : start + CHUNK]
            employees += Employee.objects.filter(employee_code__in=chunk)
        self.fields["assignee"].widget.load(employees)
        self._decided: set[tuple[int, int]] = set()
        for start in range(0, len(employees), CHUNK):
            chunk = employees[start : start + CHUNK]
            self._decided.update(
                Appraisal.objects.filter(
                    employee__in=chunk, status__in=Appraisal.DECIDED_STATUSES
                ).values_list("employee_id", "cycle__year")
            )
        super().before_import(dataset, **kwargs)

    def clean_row(self, instance: Task, row: dict[str, str]) -> dict[str, str]:
        errors = {}
        try:
            period = scoring.parse_period(instance.period)
        except ValueError:
            return errors  # reported by the field's validator
        if instance.due_on and instance.due_on < period.first_day:
            errors["due_on"] = gettext(
                "The due date %(due)s precedes the period %(period)s."
            ) % {"due": instance.due_on.strftime("%d/%m/%Y"), "period": period}
        today = timezone.localdate()
        if instance.completed_on and instance.completed_on > today:
            errors["completed_on"] = gettext(
                "The completion date %(date)s is in the future."
            ) % {"date": instance.completed_on.strftime("%d/%m/%Y")}
        assignee_id = instance.assignee_id
        if assignee_id and (assignee_id, period.year) in self._decided:
            errors["period"] = gettext(
                "The %(year)s rating of %(employee)s is decided: its tasks can no "
                "longer change."
            ) % {"year": period.year, "employee": instance.assignee.employee_code}
        return errors
