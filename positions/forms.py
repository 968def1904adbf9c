"""Input shapes of the positions screens.

Units are chosen by code in a text field checked against the user's scope, never
by a `<select>` of every unit (a province has thousands); pages may add a
`<datalist>` of the codes when the scope is small (`unit_code_choices`).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.exceptions import InvalidMoveToDescendant

from hrms import policy
from positions.models import Grade, JobPosition, OrgUnit
from positions.permissions import POSITION_EDITORS, POSITION_READERS, UNIT_EDITORS
from positions.selectors import unit_in_scope

# Above this many units in scope, pages offer no list of codes to pick from.
DATALIST_LIMIT = 200
DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)


def unit_code_choices(user, roles=POSITION_READERS) -> list[tuple[str, str]]:
    """(code, name) of the units in scope, or [] when there are too many to list."""
    units = policy.scope(
        user, OrgUnit.objects.order_by("path"), roles=roles, unit_field=""
    )
    rows = list(units.values_list("code", "name")[: DATALIST_LIMIT + 1])
    return rows if len(rows) <= DATALIST_LIMIT else []


class BoundField(forms.BoundField):
    """Marks a field with errors for Bootstrap (`is-invalid`)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.form.is_bound and self.errors:
            widget = widget or self.field.widget
            css = attrs.get("class") or widget.attrs.get("class", "")
            attrs["class"] = f"{css} is-invalid".strip()
        return attrs


def _bootstrap(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


class UnitForm(forms.ModelForm):
    """Create or edit a unit; a new parent code moves it with its whole subtree."""

    bound_field_class = BoundField

    parent_code = forms.CharField(
        label=_("Parent unit (code)"),
        max_length=50,
        required=False,
        help_text=_("The code of a unit you manage, e.g. P01-SNV."),
    )

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.current_parent = None
        self.parent = None
        if self.instance.pk:
            self.current_parent = OrgUnit.objects.get_parent(self.instance)
            if self.current_parent is not None:
                self.fields["parent_code"].initial = self.current_parent.code
        self.fields["parent_code"].widget.attrs["list"] = "unit-codes"
        _bootstrap(self)

    def clean_parent_code(self) -> str:
        code = self.cleaned_data["parent_code"].strip()
        current = self.current_parent
        if not code:
            if self.instance.pk and current is None:
                return code  # a root stays a root
            if not self.instance.pk and self.user.is_superuser:
                return code  # a superuser may start a new tree
            raise ValidationError(_("Enter the code of the parent unit."))
        if current is not None and code == current.code:
            self.parent = current
            return code
        parent = unit_in_scope(self.user, code, UNIT_EDITORS)
        if parent is None:
            raise ValidationError(
                _("No unit with code “%(code)s” is in the units you manage."),
                params={"code": code},
            )
        if self.instance.pk and parent.path.startswith(self.instance.path):
            raise ValidationError(
                _("A unit cannot be moved under itself or one of its sub-units.")
            )
        self.parent = parent
        return code

    @property
    def moves(self) -> bool:
        return bool(
            self.instance.pk and self.parent and self.parent != self.current_parent
        )

    @transaction.atomic
    def save(self, commit: bool = True) -> OrgUnit:
        """Insert the unit in the tree (sorted by code) or move it; plain tree CRUD."""
        unit = self.instance
        if not unit.pk:
            if self.parent is not None:
                self.parent.refresh_from_db()  # treebeard needs a current numchild
                return OrgUnit.objects.add_child(self.parent, instance=unit)
            return OrgUnit.objects.add_root(instance=unit)
        unit.save(update_fields=["code", "name", "kind", "updated_at"])
        if self.moves:
            unit.refresh_from_db()
            self.parent.refresh_from_db()
            try:
                OrgUnit.objects.move(unit, self.parent, pos="sorted-child")
            except InvalidMoveToDescendant as exc:  # the tree changed meanwhile
                raise ValidationError(
                    _("A unit cannot be moved under itself or one of its sub-units.")
                ) from exc
            unit.refresh_from_db()
        return unit


class PositionForm(forms.ModelForm):
    """A job position; on edit it carries the version it was opened at."""

    bound_field_class = BoundField

    unit_code = forms.CharField(label=_("Unit (code)"), max_length=50)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = JobPosition
        fields = [
            "code",
            "title",
            "group",
            "grade",
            "headcount",
            "job_description",
            "approval_decision_number",
            "approval_decided_on",
            "approval_signer",
            "is_active",
        ]
        widgets = {
            "approval_decided_on": DATE_WIDGET,
            "job_description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        position = self.instance
        grades = Q(is_active=True)
        if position.pk:
            grades |= Q(pk=position.grade_id)
            self.fields["unit_code"].initial = position.unit.code
            self.fields["version"].initial = position.version
            self.fields["version"].required = True
        self.fields["grade"].queryset = Grade.objects.filter(grades).order_by("code")
        self.fields["unit_code"].widget.attrs["list"] = "unit-codes"
        self.fields["approval_decided_on"].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
        _bootstrap(self)

    def clean_unit_code(self) -> OrgUnit:
        code = self.cleaned_data["unit_code"].strip()
        unit = unit_in_scope(self.user, code, POSITION_EDITORS)
        if unit is None:
            raise ValidationError(
                _("No unit with code “%(code)s” is in the units you manage."),
                params={"code": code},
            )
        return unit

    def changes(self) -> dict:
        """The cleaned values, named as the services take them."""
        values = {name: self.cleaned_data[name] for name in self._meta.fields}
        values["unit"] = self.cleaned_data["unit_code"]
        return values

    def add_service_error(self, exc: ValidationError) -> None:
        """Show a service's refusal on the field it names, else above the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            name = "unit_code" if field == "unit" else field
            self.add_error(name if name in self.fields else None, errors)


class CompetencyRowForm(forms.Form):
    bound_field_class = BoundField

    name = forms.CharField(label=_("Competency"), max_length=200, required=False)
    required_level = forms.TypedChoiceField(
        label=_("Required level"),
        choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["list"] = "competency-names"
        _bootstrap(self)

    def clean(self) -> dict:
        data = super().clean()
        name = (data.get("name") or "").strip()
        data["name"] = name
        if name and not data.get("required_level"):
            self.add_error("required_level", _("Choose a level from 1 to 5."))
        return data


class BaseCompetencyFormSet(forms.BaseFormSet):
    """Rows with a blank name are ignored: clearing a name removes the competency."""

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data.get("name", "")
            if name and name.casefold() in seen:
                raise ValidationError(
                    _("“%(name)s” is listed twice."), params={"name": name}
                )
            seen.add(name.casefold())

    def levels(self) -> dict[str, int]:
        return {
            form.cleaned_data["name"]: form.cleaned_data["required_level"]
            for form in self.forms
            if form.cleaned_data.get("name")
        }


CompetencyFormSet = forms.formset_factory(
    CompetencyRowForm, formset=BaseCompetencyFormSet, extra=3, max_num=60
)


class GradeTargetForm(forms.Form):
    bound_field_class = BoundField

    grade = forms.ModelChoiceField(
        label=_("Grade"), queryset=Grade.objects.filter(is_active=True)
    )
    target_ratio = forms.DecimalField(
        label=_("Target share (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ReportForm(forms.Form):
    """The unit (by code) and the date a report is computed for."""

    bound_field_class = BoundField

    unit = forms.CharField(label=_("Unit (code)"), max_length=50, required=False)
    on = forms.DateField(
        label=_("On"),
        required=False,
        widget=DATE_WIDGET,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.attrs["list"] = "unit-codes"
        _bootstrap(self)
