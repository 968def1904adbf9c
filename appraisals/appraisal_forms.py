"""Input shapes of the appraisal screens. Ranges and workflow rules are the
services' (their refusals carry the rule's message and citation), so the forms
only parse; every write form carries the version the user opened."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appraisals.models import Appraisal, AppraisalCycle, Regime
from staff.forms import StyledForm

LEVEL_CHOICES = Appraisal.Level.choices
# Decree 335/2025 Art 12: the general criteria, as the rule sets name them.
CRITERIA_LABELS = {
    "political_ethics": _("Political qualities and ethics"),
    "culture": _("Public-service culture"),
    "discipline": _("Discipline and order"),
    "competence": _("Competence for the position"),
    "responsibility": _("Responsibility"),
    "service_attitude": _("Service attitude to people and businesses"),
    "coordination": _("Coordination"),
    "innovation": _("Innovation and willingness to take responsibility"),
}


def criterion_label(name: str) -> str:
    return str(CRITERIA_LABELS.get(name, name))


class VersionedForm(StyledForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SelfAssessmentForm(VersionedForm):
    text = forms.CharField(
        label=_("Self-assessment"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Your results against the general criteria and your tasks in the year, "
            "and the level you consider yourself to deserve."
        ),
        required=False,
    )


class ProposalForm(VersionedForm):
    """The manager's general criteria and proposal in one submission."""

    score = forms.DecimalField(
        label=_("Proposed score"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("Leave blank to propose the computed score."),
    )
    level = forms.ChoiceField(
        label=_("Proposed level"),
        choices=[("", _("As the evidence supports"))] + LEVEL_CHOICES,
        required=False,
    )
    comment = forms.CharField(
        label=_("Manager's comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )

    def __init__(self, *args, criteria: dict | None = None, regime: str = "", **kw):
        super().__init__(*args, **kw)
        self.criteria = criteria or {}
        self.is_b = regime == Regime.DECREE_335
        if self.is_b:
            for name, maximum in self.criteria.items():
                self.fields[f"crit_{name}"] = forms.DecimalField(
                    label=f"{criterion_label(name)} (0–{float(maximum):g})",
                    max_digits=5,
                    decimal_places=2,
                    required=False,
                    widget=forms.NumberInput(
                        attrs={
                            "class": "form-control",
                            "step": "0.5",
                            "min": "0",
                            "max": f"{float(maximum):g}",
                        }
                    ),
                )
            self.order_fields(
                ["version", *(f"crit_{n}" for n in self.criteria), "score", "level"]
            )
        else:
            del self.fields["score"]
            self.fields["assessment"] = forms.ChoiceField(
                label=_("General criteria (Decree 90/2020 Art 3)"),
                choices=Appraisal.GeneralAssessment.choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.order_fields(["version", "assessment", "level"])

    def criteria_fields(self):
        return [self[f"crit_{name}"] for name in self.criteria]

    def points(self) -> dict | None:
        """The criteria points entered, or None when none was entered."""
        values = {name: self.cleaned_data.get(f"crit_{name}") for name in self.criteria}
        if all(v is None for v in values.values()):
            return None
        return {k: v for k, v in values.items() if v is not None}


class DecisionForm(VersionedForm):
    level = forms.ChoiceField(
        label=_("Decided level"),
        choices=[("", _("Not rated (reviewed only)"))] + LEVEL_CHOICES,
        required=False,
    )
    decided_on = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    note = forms.CharField(
        label=_("Decision note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class MeetingForm(StyledForm, forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    held_on = forms.DateField(
        label=_("Held on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    summoned = forms.IntegerField(label=_("Summoned"), min_value=0)
    attended = forms.IntegerField(label=_("Attended"), min_value=0)
    minutes = forms.CharField(
        label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.code} · {u.name}") for u in units]


class CapExceptionForm(StyledForm, forms.Form):
    regime = forms.ChoiceField(label=_("Regime"), choices=Regime.choices)
    task_group = forms.CharField(
        label=_("Group with similar tasks"),
        required=False,
        max_length=20,
        help_text=_("Blank: the whole agency."),
    )
    places = forms.IntegerField(label=_("Extra places"), min_value=1)
    decided_by_name = forms.CharField(label=_("Competent level"), max_length=300)
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decided_on = forms.DateField(
        label=_("Decision date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintForm(StyledForm, forms.Form):
    text = forms.CharField(
        label=_("Complaint"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )


class ComplaintResolveForm(StyledForm, forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("0", _("Rejected")), ("1", _("Upheld"))],
        coerce=lambda v: v == "1",
    )
    new_level = forms.ChoiceField(
        label=_("Level after the complaint"),
        choices=[("", _("Unchanged"))] + LEVEL_CHOICES,
        required=False,
    )
    reason = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    decision_number = forms.CharField(
        label=_("Decision number"), max_length=100, required=False
    )

    service_field_names = {"reason": "reason"}


class CycleOpenForm(StyledForm, forms.Form):
    unit = forms.ChoiceField(label=_("Agency"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    is_special_unit = forms.BooleanField(
        label=_("Special unit (finishes by 15 January)"), required=False
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.code, f"{u.code} · {u.name}") for u in units]


class AppraisalFilter(StyledForm, forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("Any level")), *LEVEL_CHOICES, ("none", _("No level yet"))],
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Appraisal.Status.choices],
        required=False,
    )


class CycleFilter(StyledForm, forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False)
    status = forms.ChoiceField(
        label=_("Stage"),
        choices=[("", _("Any stage")), *AppraisalCycle.Status.choices],
        required=False,
    )
