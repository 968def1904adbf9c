"""Input shapes of the task register, reform plan and dashboard screens; the
services in appraisals/appraisal_services.py and their rules decide.

People and units are typed as codes (with a datalist of the units in scope),
never picked from a <select> of every employee: a province has 100,000.
Dates are typed dd/mm/yyyy (yyyy-mm-dd is accepted too).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appraisals.models import ObjectiveCauseWaiver, Task
from appraisals.scoring import parse_period
from appraisals.task_permissions import REFORM_EDITORS, TASK_MANAGERS
from hrms import policy
from positions.models import OrgUnit
from staff.forms import DATE_INPUT_FORMATS, DateInput, StyledForm
from staff.models import Employee

MIN_YEAR, MAX_YEAR = 2000, 2100


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )


def year_field(*, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Year"), required=required, min_value=MIN_YEAR, max_value=MAX_YEAR
    )


def period_choices(year: int) -> list[tuple[str, str]]:
    """The months and quarters of a year, as filter choices."""
    months = [(f"{year}-{m:02d}", f"{m:02d}/{year}") for m in range(1, 13)]
    quarters = [
        (f"{year}-Q{q}", gettext("Quarter %(q)s/%(year)s") % {"q": q, "year": year})
        for q in range(1, 5)
    ]
    return [
        ("", gettext("Whole year")),
        (gettext("Months"), months),
        (gettext("Quarters"), quarters),
    ]


def period_q(period: str) -> Q:
    """A month is that period only; a quarter takes in its months too."""
    parsed = parse_period(period)
    if parsed.quarter is None:
        return Q(period=period)
    first = (parsed.quarter - 1) * 3 + 1
    months = [f"{parsed.year}-{m:02d}" for m in range(first, first + 3)]
    return Q(period__in=[period, *months])


def year_q(year: int) -> Q:
    return Q(period__gte=str(year), period__lt=str(year + 1))


def scoped_unit(user, code: str, roles) -> OrgUnit | None:
    """The unit of that code, if the user covers it with one of the roles."""
    units = OrgUnit.objects.filter(code__iexact=code.strip())
    return policy.scope(user, units, roles=roles, unit_field="").first()


def scoped_employee(user, code: str, roles) -> Employee | None:
    employees = Employee.objects.select_related("unit").filter(
        employee_code__iexact=code.strip()
    )
    return policy.scope(user, employees, roles=roles).first()


# Filters -----------------------------------------------------------------------------


class TaskFilterForm(StyledForm, forms.Form):
    """Filters of "my tasks": year, month or quarter, state."""

    STATES = [
        ("", _("Any state")),
        ("open", _("Not completed")),
        ("overdue", _("Overdue")),
        ("completed", _("Completed")),
        ("late", _("Completed late")),
        ("claimed", _("Objective cause claimed")),
    ]

    year = year_field()
    period = forms.ChoiceField(label=_("Month or quarter"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATES)

    def __init__(self, *args, default_year: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        year = default_year
        if self.is_bound:
            try:
                year = int(self.data.get("year") or default_year)
            except ValueError:
                pass
        if not MIN_YEAR <= year <= MAX_YEAR:
            year = default_year
        self.fields["period"].choices = period_choices(year)
        self.fields["year"].widget.attrs["placeholder"] = str(default_year)

    def filter(self, queryset: QuerySet, *, default_year: int) -> QuerySet:
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or default_year
        period = data.get("period")
        queryset = queryset.filter(period_q(period) if period else year_q(year))
        today = timezone.localdate()
        state = data.get("state")
        if state == "open":
            queryset = queryset.filter(completed_on__isnull=True)
        elif state == "overdue":
            queryset = queryset.filter(completed_on__isnull=True, due_on__lt=today)
        elif state == "completed":
            queryset = queryset.filter(completed_on__isnull=False)
        elif state == "late":
            queryset = queryset.filter(completed_on__gt=F("due_on"))
        elif state == "claimed":
            queryset = queryset.filter(has_objective_cause=True)
        return queryset


class TeamTaskFilterForm(TaskFilterForm):
    """Filters of the team's tasks: adds the unit (a code) and a person search."""

    unit = forms.CharField(label=_("Unit (code)"), max_length=50, required=False)
    assignee = forms.CharField(
        label=_("Assignee"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Employee code or name")}),
    )

    field_order = ["unit", "assignee", "year", "period", "state"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["list"] = "unit-codes"

    def filter(self, queryset: QuerySet, *, default_year: int) -> QuerySet:
        queryset = super().filter(queryset, default_year=default_year)
        data = self.cleaned_data if self.is_valid() else {}
        text = (data.get("assignee") or "").strip()
        if text:
            queryset = queryset.filter(
                Q(assignee__employee_code__iexact=text)
                | Q(assignee__full_name__icontains=text)
            )
        return queryset


class DashboardForm(StyledForm, forms.Form):
    unit = forms.CharField(label=_("Unit (code)"), max_length=50, required=False)
    year = year_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["list"] = "unit-codes"


# Tasks -------------------------------------------------------------------------------


class StampedForm(StyledForm, forms.Form):
    """Carries the moment the task was last changed when the page was opened, so a
    save over someone else's change is refused (optimistic locking)."""

    stamp = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def stamp_of(task: Task) -> int:
        """Whole microseconds since the epoch: exact, unlike a float timestamp."""
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return (task.updated_at - epoch) // dt.timedelta(microseconds=1)


class TaskAssignForm(StyledForm, forms.Form):
    """A task or work product for one person of the user's units."""

    assignee = forms.CharField(
        label=_("Assignee (employee code)"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. S001")}),
    )
    code = forms.CharField(label=_("Task code"), max_length=50)
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("A month (YYYY-MM) or a quarter (YYYY-Qn)."),
        widget=forms.TextInput(attrs={"placeholder": "2026-03"}),
    )
    title = forms.CharField(label=_("Title"), max_length=500)
    due_on = date_field(_("Due on"))
    weight = forms.DecimalField(
        label=_("Conversion weight"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        initial=Decimal(1),
        help_text=_("The task counted in standard products (hệ số quy đổi)."),
    )
    is_reform_task = forms.BooleanField(
        label=_("Administrative-reform task"), required=False
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_assignee(self) -> Employee:
        code = self.cleaned_data["assignee"]
        employee = scoped_employee(self.user, code, TASK_MANAGERS)
        if employee is None:
            raise forms.ValidationError(
                gettext("No employee %(code)s in the units you lead.")
                % {"code": code.strip()}
            )
        return employee

    def clean_period(self) -> str:
        value = self.cleaned_data["period"].strip().upper()
        try:
            return str(parse_period(value))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        period, due_on = data.get("period"), data.get("due_on")
        if period and due_on:
            first = parse_period(period).first_day
            if due_on < first:
                self.add_error(
                    "due_on", gettext("The due date is before the task's period.")
                )
        return data


class TaskProgressForm(StampedForm):
    """The assignee reports the task done, and may claim an objective cause."""

    completed_on = date_field(_("Completed on"), required=False)
    has_objective_cause = forms.BooleanField(
        label=_("I claim an objective cause (for my leader to confirm)"),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_completed_on(self) -> dt.date | None:
        value = self.cleaned_data["completed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                gettext("The completion date is in the future.")
            )
        return value


class TaskReviewForm(StampedForm):
    """The leader records the quality checks failed by a major error."""

    quality_defects = forms.IntegerField(
        label=_("Failed quality checks (major errors)"),
        # xgettext:no-python-format
        help_text=_("Each one takes 25% off the product's quality points."),
    )
    is_above_standard = forms.BooleanField(
        label=_("Exceeds the standard"), required=False
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WaiverForm(StyledForm, forms.Form):
    """An objective cause confirmed by the leader: that deduction is cancelled."""

    kind = forms.ChoiceField(
        label=_("Deduction waived"), choices=ObjectiveCauseWaiver.Kind.choices
    )
    reason = forms.CharField(
        label=_("Objective cause"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Reform plans ------------------------------------------------------------------------


class ReformPlanForm(StyledForm, forms.Form):
    unit = forms.CharField(label=_("Unit (code)"), max_length=50)
    year = year_field(required=True)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, required=False
    )
    decided_on = date_field(_("Decision date"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["list"] = "unit-codes"

    def clean_unit(self) -> OrgUnit:
        code = self.cleaned_data["unit"]
        unit = scoped_unit(self.user, code, REFORM_EDITORS)
        if unit is None:
            raise forms.ValidationError(
                gettext("No unit %(code)s among the units you may plan for.")
                % {"code": code.strip()}
            )
        return unit


class ReformItemForm(StyledForm, forms.Form):
    title = forms.CharField(label=_("Reform task"), max_length=500)
    responsible_unit = forms.CharField(
        label=_("Responsible unit (code)"), max_length=50
    )
    responsible_person = forms.CharField(
        label=_("Responsible person (employee code)"), max_length=50, required=False
    )
    due_on = date_field(_("Due on"), required=False)

    def __init__(self, *args, plan, **kwargs) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].widget.attrs["list"] = "unit-codes"

    def clean_responsible_unit(self) -> OrgUnit:
        code = self.cleaned_data["responsible_unit"].strip()
        unit = OrgUnit.objects.filter(code__iexact=code).first()
        if unit is None:
            raise forms.ValidationError(gettext("No unit %(code)s.") % {"code": code})
        return unit

    def clean_responsible_person(self) -> Employee | None:
        code = self.cleaned_data["responsible_person"].strip()
        if not code:
            return None
        employee = Employee.objects.filter(
            employee_code__iexact=code, unit__path__startswith=self.plan.unit.path
        ).first()
        if employee is None:
            raise forms.ValidationError(
                gettext("No employee %(code)s in the plan's unit.") % {"code": code}
            )
        return employee


class ReformLinkForm(StyledForm, forms.Form):
    task = forms.CharField(
        label=_("Task code"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. T-2026-03-14")}),
    )

    def __init__(self, *args, item, **kwargs) -> None:
        self.item = item
        super().__init__(*args, **kwargs)

    def clean_task(self) -> Task:
        code = self.cleaned_data["task"].strip()
        task = (
            Task.objects.select_related("assignee")
            .filter(
                code=code, assignee__unit__path__startswith=self.item.plan.unit.path
            )
            .first()
        )
        if task is None:
            raise forms.ValidationError(
                gettext("No task %(code)s in the plan's unit.") % {"code": code}
            )
        return task
