"""Input shapes of the staff screens; the services in staff/services.py decide."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrms import policy
from positions.models import Grade, JobPosition, OrgUnit
from staff.models import AnnualRating, Commendation, Employee, GradeHistory
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
