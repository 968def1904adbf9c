"""Input shapes of the one-stop-shop screens and API filters; the services and
rules decide.

`DossierFilter` serves the dossier list page and `GET /api/v1/dossiers/` alike, so
both filter by the same parameters: unit (a code, with its sub-units, inside the
user's scope), officer (an employee code: the receiving officer or the officer of
any step), received_from / received_to (local dates of receipt) and late.
"""

from __future__ import annotations

import datetime as dt
import re

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from appraisals.models import Dossier, DossierStep
from appraisals.permissions import DOSSIER_READERS
from hrms import policy
from positions.models import OrgUnit
from staff.forms import DATE_INPUT_FORMATS, DateInput, StyledForm
from staff.models import Employee

# Periods longer than this make charts unreadable and reports slow.
MAX_REPORT_MONTHS = 36


def late_q(as_of: dt.datetime) -> Q:
    """Returned after the due time, or still open past it (withdrawn ones aside)."""
    return (
        Q(returned_at__gt=F("due_at")) | Q(returned_at__isnull=True, due_at__lt=as_of)
    ) & ~Q(status=Dossier.Status.WITHDRAWN)


def local_bounds(start: dt.date | None, end: dt.date | None):
    """Aware datetimes [start 00:00, end + 1 day 00:00) in local time."""
    tz = timezone.get_default_timezone()
    low = dt.datetime.combine(start, dt.time(), tzinfo=tz) if start else None
    high = (
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        if end
        else None
    )
    return low, high


class DossierFilter(django_filters.FilterSet):
    """Filters of the dossier list and the dossier API; pass `request`."""

    # A code typed in, never a <select> of every unit: a province has thousands.
    unit = django_filters.CharFilter(
        method="in_unit_subtree",
        label=_("Unit code (with its sub-units)"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. P01-TTHCC")}),
    )
    officer = django_filters.CharFilter(
        method="with_officer",
        label=_("Officer (employee code)"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. S003")}),
    )
    received_from = django_filters.DateFilter(
        method="received_since",
        label=_("Received from"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )
    received_to = django_filters.DateFilter(
        method="received_until",
        label=_("Received to"),
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )
    late = django_filters.BooleanFilter(
        method="late_only",
        label=_("Late only"),
        widget=forms.CheckboxInput(),
    )

    class Meta:
        model = Dossier
        fields = ["unit", "officer", "received_from", "received_to", "late"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            else:
                field.widget.attrs.setdefault("class", "form-control")
        self.form.fields["unit"].widget.attrs["list"] = "unit-codes"

    def in_unit_subtree(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        if not code:
            return queryset
        unit = policy.scope(
            getattr(self.request, "user", None),
            OrgUnit.objects.filter(code=code),
            roles=DOSSIER_READERS,
            unit_field="",
        ).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def with_officer(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        if not code:
            return queryset
        officer_id = (
            Employee.objects.filter(employee_code=code)
            .values_list("pk", flat=True)
            .first()
        )
        if officer_id is None:
            return queryset.none()
        held_a_step = DossierStep.objects.filter(
            dossier=OuterRef("pk"), officer_id=officer_id
        )
        return queryset.filter(Q(receiving_officer_id=officer_id) | Exists(held_a_step))

    def received_since(self, queryset: QuerySet, name: str, value) -> QuerySet:
        low, _high = local_bounds(value, None)
        return queryset.filter(received_at__gte=low) if value else queryset

    def received_until(self, queryset: QuerySet, name: str, value) -> QuerySet:
        _low, high = local_bounds(None, value)
        return queryset.filter(received_at__lt=high) if value else queryset

    def late_only(self, queryset: QuerySet, name: str, value) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(late_q(timezone.now()))


class ApologySlipForm(StyledForm, forms.Form):
    """Form 04: the reason, who is responsible, and the new return date."""

    reason = forms.CharField(
        label=_("Reason for the delay"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsible_officers = forms.CharField(
        label=_("Responsible officer(s)"),
        max_length=500,
        help_text=_("Employee codes, separated by commas, e.g. S001, S002."),
    )
    new_due_at = forms.DateTimeField(
        label=_("New return date and time"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("The return date may be moved only once."),
    )

    def clean_responsible_officers(self) -> list[Employee]:
        codes = list(
            dict.fromkeys(
                code
                for code in re.split(
                    r"[\s,;]+", self.cleaned_data["responsible_officers"]
                )
                if code
            )
        )
        if not codes:
            raise forms.ValidationError(gettext("Name the responsible officer(s)."))
        found = {
            e.employee_code: e for e in Employee.objects.filter(employee_code__in=codes)
        }
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown employee code(s): %(codes)s.")
                % {"codes": ", ".join(unknown)}
            )
        return [found[code] for code in codes]


class IndicatorReportForm(StyledForm, forms.Form):
    """The unit (by code) and the period of the indicators and the monthly report."""

    unit = forms.CharField(label=_("Unit (code)"), max_length=50, required=False)
    start = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["list"] = "unit-codes"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", gettext("The end precedes the start."))
            elif (end.year - start.year) * 12 + end.month - start.month >= (
                MAX_REPORT_MONTHS
            ):
                self.add_error(
                    "end",
                    gettext("At most %(months)d months at a time.")
                    % {"months": MAX_REPORT_MONTHS},
                )
        return data
