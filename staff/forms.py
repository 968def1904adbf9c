"""Input shapes of the staff screens; the services in staff/services.py decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrms import policy
from positions.models import Grade, JobPosition, OrgUnit
from staff.models import (
    AnnualRating,
    Circumstance,
    Commendation,
    CouncilMember,
    DisciplineForm,
    Employee,
    GradeHistory,
    Severity,
    Suspension,
    Violation,
)
from staff.permissions import STAFF_EDITORS

# dd/mm/yyyy whatever the interface language (the English formats read 05/03 as
# 3 May), and ISO for scripts and browsers' date pickers.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    def __init__(self, attrs=None):
        attrs = {"placeholder": _("dd/mm/yyyy"), "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs=attrs, format="%d/%m/%Y")


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = getattr(form, "service_field_names", {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


class StyledForm:
    """Bootstrap classes on the widgets, and `is-invalid` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class EmployeeForm(StyledForm, forms.ModelForm):
    """Create or edit a personnel file; the unit is typed as a code in scope."""

    unit_code = forms.CharField(
        label=_("Unit code"),
        max_length=50,
        help_text=_("The code of a unit you manage, e.g. P01-SNV-CCVC."),
    )
    # The version the user opened; a save from an older one is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    service_field_names = {"unit": "unit_code"}

    class Meta:
        model = Employee
        fields = [
            "employee_code",
            "full_name",
            "date_of_birth",
            "gender",
            "national_id",
            "staff_type",
            "joined_on",
            "email",
            "phone",
            "status",
        ]
        widgets = {"date_of_birth": DateInput(), "joined_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name in ("date_of_birth", "joined_on"):
            self.fields[name].input_formats = DATE_INPUT_FORMATS
        if self.instance.pk:
            self.fields["unit_code"].initial = self.instance.unit.code
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            del self.fields["status"]

    def clean_unit_code(self) -> OrgUnit:
        code = self.cleaned_data["unit_code"].strip()
        units = OrgUnit.objects.filter(code__iexact=code)
        unit = policy.scope(
            self.user, units, roles=STAFF_EDITORS, unit_field=""
        ).first()
        if unit is None:
            raise ValidationError(
                _("No unit with code %(code)s among the units you manage."),
                code="unit.out_of_scope",
                params={"code": code},
            )
        return unit

    def clean_national_id(self) -> str:
        # The database constraint would say it too, but not next to the field.
        value = self.cleaned_data["national_id"].strip()
        others = Employee.objects.exclude(pk=self.instance.pk)
        if value and others.filter(national_id=value).exists():
            raise ValidationError(
                _("Another employee has this citizen ID."), code="unique"
            )
        return value

    def employee_fields(self) -> dict:
        """The cleaned values as the keyword arguments of the services."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields if name in data}
        fields["unit"] = self.cleaned_data["unit_code"]
        return fields


class AssignmentForm(StyledForm, forms.Form):
    position_code = forms.CharField(label=_("Job position code"), max_length=50)
    starts_on = date_field(_("Starts on"))
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, required=False
    )
    decided_on = date_field(_("Decision date"), required=False)
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    is_transition_case = forms.BooleanField(
        label=_("Grade transition case (until 1/7/2027)"), required=False
    )
    override_reason = forms.CharField(
        label=_("Override quota (reason required)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the position is full: the reason is written to the audit "
            "ledger and shown to inspectors."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_position_code(self) -> JobPosition:
        code = self.cleaned_data["position_code"].strip()
        positions = JobPosition.objects.filter(code__iexact=code).select_related(
            "unit", "grade"
        )
        position = policy.scope(self.user, positions, roles=STAFF_EDITORS).first()
        if position is None:
            raise ValidationError(
                _("No job position with code %(code)s in the units you manage."),
                code="position.out_of_scope",
                params={"code": code},
            )
        return position


class GradeStepForm(StyledForm, forms.Form):
    grade = forms.ModelChoiceField(
        label=_("Grade"),
        queryset=Grade.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
    )
    salary_step = forms.IntegerField(label=_("Salary step"), min_value=1)
    effective_on = date_field(_("Effective on"))
    reason = forms.ChoiceField(label=_("Reason"), choices=GradeHistory.Reason.choices)
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, required=False
    )
    decided_on = date_field(_("Decision date"), required=False)


class CommendationForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Commendation
        fields = ["level", "title", "decided_on", "decision_number", "issuer"]
        widgets = {"decided_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].input_formats = DATE_INPUT_FORMATS


class AnnualRatingForm(StyledForm, forms.ModelForm):
    class Meta:
        model = AnnualRating
        fields = ["year", "level", "decided_on", "note"]
        widgets = {"decided_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].input_formats = DATE_INPUT_FORMATS


# Discipline ------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class VersionedForm(StyledForm, forms.Form):
    """A form on a discipline case: carries the version the user opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["version"].initial = case.version


class ViolationFields(forms.Form):
    description = forms.CharField(
        label=_("Violation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    occurred_on = date_field(_("Occurred on"))
    merited_form = forms.ChoiceField(
        label=_("Form it merits (if the council has said)"),
        choices=[("", "—")] + DisciplineForm.choices,
        required=False,
    )
    no_limitation = forms.ChoiceField(
        label=_("No limitation period"),
        choices=[("", "—")] + Violation.NoLimitation.choices,
        required=False,
        help_text=_("Only for the cases the law exempts from the limitation period."),
    )


class DisciplineCaseForm(StyledForm, ViolationFields):
    detected_on = date_field(_("Detected on"))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    explanation_deadline = date_field(
        _("Deadline for the written explanation"), required=False
    )
    party_disciplined_on = date_field(
        _("Party discipline for the same act on"), required=False
    )
    mitigating = forms.CharField(
        label=_("Mitigating circumstances (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aggravating = forms.CharField(
        label=_("Aggravating circumstances (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    field_order = [
        "detected_on",
        "severity",
        "description",
        "occurred_on",
        "merited_form",
        "no_limitation",
        "explanation_deadline",
        "party_disciplined_on",
        "mitigating",
        "aggravating",
    ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kinds = Circumstance.Kind
        return {
            "detected_on": data["detected_on"],
            "severity": data["severity"],
            "violations": [
                {
                    name: data[name]
                    for name in (
                        "description",
                        "occurred_on",
                        "merited_form",
                        "no_limitation",
                    )
                }
            ],
            "circumstances": [(kinds.MITIGATING, t) for t in _lines(data["mitigating"])]
            + [(kinds.AGGRAVATING, t) for t in _lines(data["aggravating"])],
            "explanation_deadline": data["explanation_deadline"],
            "party_disciplined_on": data["party_disciplined_on"],
        }


class ViolationForm(VersionedForm, ViolationFields):
    pass


class CircumstanceForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Circumstance.Kind.choices)
    description = forms.CharField(label=_("Circumstance"), max_length=500)


class ExplanationForm(VersionedForm):
    deadline = date_field(_("Deadline for the written explanation"), required=False)
    submitted_on = date_field(_("Explanation submitted on"), required=False)
    text = forms.CharField(
        label=_("Written explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CouncilForm(VersionedForm):
    """Up to seven members, one line each: name, role and position held."""

    ROWS = 7

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        members = list(case.council_members.all()) if case is not None else []
        roles = [("", "—")] + CouncilMember.Role.choices
        for i in range(self.ROWS):
            member = members[i] if i < len(members) else None
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Member %(n)s: full name") % {"n": i + 1},
                max_length=200,
                required=False,
                initial=member.full_name if member else "",
            )
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("Member %(n)s: role") % {"n": i + 1},
                choices=roles,
                required=False,
                initial=member.role if member else "",
            )
            self.fields[f"title_{i}"] = forms.CharField(
                label=_("Member %(n)s: position held") % {"n": i + 1},
                max_length=200,
                required=False,
                initial=member.title if member else "",
            )
        # StyledForm ran before these fields existed: style them here.
        for name, field in self.fields.items():
            if name[:5] in ("name_", "role_", "title"):
                select = isinstance(field.widget, forms.Select)
                field.widget.attrs["class"] = (
                    "form-select" if select else "form-control"
                )

    def rows(self) -> list[tuple]:
        return [
            (self[f"name_{i}"], self[f"role_{i}"], self[f"title_{i}"])
            for i in range(self.ROWS)
        ]

    def clean(self):
        data = super().clean()
        for i in range(self.ROWS):
            if data.get(f"name_{i}", "").strip() and not data.get(f"role_{i}"):
                self.add_error(f"role_{i}", _("Choose the member's role."))
        return data

    def members(self) -> list[tuple[str, str, str]]:
        data = self.cleaned_data
        return [
            (data[f"name_{i}"], data[f"role_{i}"], data[f"title_{i}"])
            for i in range(self.ROWS)
            if data[f"name_{i}"].strip()
        ]


class DecisionForm(VersionedForm):
    """The decision: the select offers the forms allowed on the date shown; any
    other form is still accepted here so the rule can refuse it with its citation."""

    form = forms.ChoiceField(label=_("Discipline form"), choices=DisciplineForm.choices)
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decided_on = date_field(_("Decision date"))
    effective_on = date_field(_("Takes effect on"))
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    signer_title = forms.CharField(
        label=_("Signer's title"), max_length=200, required=False
    )

    def __init__(self, *args, offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offered is not None:
            self.fields["form"].widget.choices = offered


class NoDisciplineForm(VersionedForm):
    decided_on = date_field(_("Decision date"))
    decision_number = forms.CharField(
        label=_("Decision or minutes number"), max_length=100, required=False
    )
    reason = forms.CharField(
        label=_("Reason for not disciplining"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ExtensionForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason (a complex case needing verification)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    extended_to_days = forms.IntegerField(
        label=_("Extend the handling limit to (days)"),
        min_value=1,
        required=False,
        help_text=_("At most 150 days; the maximum when left blank."),
    )


class SuspensionForm(VersionedForm):
    kind = forms.ChoiceField(
        label=_("Not yet considered because of"), choices=Suspension.Kind.choices
    )
    starts_on = date_field(_("From"))
    ends_on = date_field(_("To (inclusive; blank while it lasts)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class EndSuspensionForm(VersionedForm):
    ends_on = date_field(_("Ended on"))


class AnnulmentForm(VersionedForm):
    annulled_on = date_field(_("Annulled on"))
    decision_number = forms.CharField(
        label=_("Annulling decision number"), max_length=100, required=False
    )
    reason = forms.CharField(
        label=_("Reason for the annulment"), widget=forms.Textarea(attrs={"rows": 3})
    )


# Raises ---------------------------------------------------------------------------


class UnitCodeField(forms.CharField):
    """A unit code typed in (never a <select> of every unit), in the user's scope."""

    def __init__(self, *args, user=None, roles=STAFF_EDITORS, **kwargs):
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)
        self.user, self.roles = user, roles

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        units = OrgUnit.objects.filter(code__iexact=value.strip())
        unit = policy.scope(self.user, units, roles=self.roles, unit_field="").first()
        if unit is None:
            raise ValidationError(
                _("No unit with code %(code)s among the units you manage."),
                code="unit.out_of_scope",
                params={"code": value.strip()},
            )
        return unit


class RaiseDueFilterForm(StyledForm, forms.Form):
    on = date_field(_("Due by"), required=False)
    unit = forms.CharField(label=_("Unit code"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(
            label=_("Unit code"), required=False, user=user
        )
        self.fields["unit"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("e.g. P01-SNV")}
        )


class RaiseRecordForm(StyledForm, forms.Form):
    effective_on = date_field(_("Effective on"))
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, required=False
    )
    decided_on = date_field(_("Decision date"), required=False)


class EarlyRaiseFilterForm(StyledForm, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitCodeField(label=_("Unit code"), user=user)
        self.fields["unit"].widget.attrs.update(
            {"class": "form-control", "placeholder": _("e.g. P01-SNV")}
        )
        self.order_fields(["unit", "year"])


class EarlyRaiseRecordForm(StyledForm, forms.Form):
    commendation = forms.ModelChoiceField(
        label=_("Commendation used"), queryset=Commendation.objects.none()
    )
    effective_on = date_field(_("Effective on"))
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, required=False
    )
    decided_on = date_field(_("Decision date"), required=False)

    def __init__(self, *args, commendations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commendation"].queryset = Commendation.objects.filter(
            pk__in=[c.pk for c in commendations]
        )
