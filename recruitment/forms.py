"""Input shapes of the recruitment, appointment and inspection screens; the
services in recruitment/services decide.

Units, employees, positions and applications are typed as codes (never a
`<select>` of every row: a province has thousands) and checked against the
user's scope here; the rules are checked by the services, whose refusals the
views show on the form (`add_service_error`).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrms import policy
from positions.models import JobPosition, OrgUnit
from positions.selectors import unit_in_scope
from recruitment import flags as red_flags
from recruitment.models import (
    Application,
    AppointmentDecision,
    CouncilMember,
    DriveVacancy,
    Finding,
    NoticeChannel,
    PriorityCategory,
    RecruitmentDrive,
    Relation,
    RemarkRequest,
    VoteRecord,
)
from recruitment.permissions import (
    APPOINTMENT_EDITORS,
    FLAG_READERS,
    INSPECTORS,
    RECRUITMENT_EDITORS,
)
from recruitment.services import MemberSpec, VoteSpec
from recruitment.services._base import DRAFT_FIELDS, SCHEDULE_FIELDS
from staff.forms import DateInput, StyledForm, add_service_error, date_field
from staff.models import Employee

__all__ = ["add_service_error"]

Status = RecruitmentDrive.Status


def _style(fields) -> None:
    """Bootstrap classes for fields added after StyledForm.__init__ ran."""
    for field in fields:
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def score_field(label) -> forms.DecimalField:
    # No bounds here: the rule refuses an out-of-range score with its citation.
    return forms.DecimalField(
        label=label,
        required=False,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def employee_in_scope(user, code: str, roles) -> Employee | None:
    employees = Employee.objects.filter(employee_code__iexact=code.strip())
    return policy.scope(user, employees.select_related("unit"), roles=roles).first()


def position_in_scope(user, code: str, roles) -> JobPosition | None:
    positions = JobPosition.objects.filter(code__iexact=code.strip())
    return policy.scope(
        user, positions.select_related("unit", "grade"), roles=roles
    ).first()


class VersionForm(StyledForm, forms.Form):
    """An action on a drive: carries the version the user opened."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, drive=None, **kwargs):
        super().__init__(*args, **kwargs)
        if drive is not None:
            self.fields["version"].initial = drive.version


# Drives ----------------------------------------------------------------------


class DriveForm(StyledForm, forms.ModelForm):
    """A new drive, or the edit of one: any field of a draft, then only the
    schedule (the notice is public once announced)."""

    unit_code = forms.CharField(
        label=_("Recruiting authority (unit code)"),
        max_length=50,
        help_text=_("The code of a unit you manage, e.g. P01-SNV."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    service_field_names = {"unit": "unit_code"}

    class Meta:
        model = RecruitmentDrive
        fields = [
            "code",
            "title",
            "method",
            "selection_group",
            "notice_text",
            "conditions",
            "contact",
            "applications_open_on",
            "applications_close_on",
            "round_1_on",
            "round_2_on",
            "schedule_note",
            "is_round_1_computer_based",
            "written_weight",
        ]
        widgets = {
            "notice_text": forms.Textarea(attrs={"rows": 6}),
            "conditions": forms.Textarea(attrs={"rows": 4}),
            "schedule_note": forms.Textarea(attrs={"rows": 3}),
            "applications_open_on": DateInput(),
            "applications_close_on": DateInput(),
            "round_1_on": DateInput(),
            "round_2_on": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        drive = self.instance
        for name in (
            "applications_open_on",
            "applications_close_on",
            "round_1_on",
            "round_2_on",
        ):
            self.fields[name].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
        if drive.pk:
            del self.fields["unit_code"]
            del self.fields["code"]
            self.fields["version"].initial = drive.version
            editable = DRAFT_FIELDS | SCHEDULE_FIELDS
            if drive.status != Status.DRAFT:
                editable = SCHEDULE_FIELDS
            for name in list(self.fields):
                if name in self._meta.fields and name not in editable:
                    del self.fields[name]
        else:
            del self.fields["version"]
            self.fields["unit_code"].widget.attrs["list"] = "unit-codes"
            self.order_fields(["unit_code", "code"])

    def clean_unit_code(self) -> OrgUnit:
        code = self.cleaned_data["unit_code"].strip()
        unit = unit_in_scope(self.user, code, RECRUITMENT_EDITORS)
        if unit is None:
            raise ValidationError(
                _("No unit with code %(code)s among the units you manage."),
                code="unit.out_of_scope",
                params={"code": code},
            )
        return unit

    @property
    def unit(self) -> OrgUnit | None:
        return self.cleaned_data.get("unit_code")

    def changes(self) -> dict:
        """The cleaned values named as the services take them (no unit, code)."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name in self.fields and name != "code"
        }


class VacancyForm(StyledForm, forms.Form):
    position_code = forms.CharField(label=_("Job position (code)"), max_length=50)
    number = forms.IntegerField(label=_("Seats"), min_value=1, max_value=32767)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["position_code"].widget.attrs["list"] = "vacant-positions"

    def clean_position_code(self) -> JobPosition:
        code = self.cleaned_data["position_code"].strip()
        position = position_in_scope(self.user, code, RECRUITMENT_EDITORS)
        if position is None:
            raise ValidationError(
                _("No job position with code %(code)s in the units you manage."),
                code="position.out_of_scope",
                params={"code": code},
            )
        return position


class NoticeChannelForm(StyledForm, forms.ModelForm):
    url = forms.URLField(
        label=_("Link"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = NoticeChannel
        fields = ["channel", "published_on", "evidence", "url"]
        widgets = {
            "published_on": DateInput(),
            "evidence": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "evidence": _(
                "The newspaper issue, the portal page or the posting record that "
                "proves the publication."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_on"].input_formats = ["%d/%m/%Y", "%Y-%m-%d"]


class AnnounceForm(VersionForm):
    published_on = date_field(_("Notice published on"))


# Steps `advance_drive` takes; announcing, publishing and cancelling have theirs.
ADVANCE_STATUSES = (
    Status.APPLICATIONS_CLOSED,
    Status.ROUND_1,
    Status.ROUND_2,
    Status.COMPLETED,
)


class AdvanceForm(VersionForm):
    to_status = forms.ChoiceField(
        label=_("Move to"),
        choices=[(s.value, s.label) for s in ADVANCE_STATUSES],
    )
    on = date_field(_("On"), required=False)


class CancelDriveForm(VersionForm):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PublishResultsForm(VersionForm):
    published_on = date_field(_("Results published on"))


# Council ---------------------------------------------------------------------


class CouncilForm(StyledForm, forms.Form):
    """Five or seven members, one row each: an employee (by code) or an external
    person, the role, and a relation the member declares to a candidate."""

    ROWS = 7

    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decided_on = date_field(_("Decision date"))
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)

    def __init__(self, *args, user, drive, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.drive = user, drive
        roles = [("", "—"), *CouncilMember.Role.choices]
        before = set(self.fields)
        for i in range(self.ROWS):
            n = {"n": i + 1}
            self.fields[f"role_{i}"] = forms.ChoiceField(
                label=_("Member %(n)s: role") % n, choices=roles, required=False
            )
            self.fields[f"employee_{i}"] = forms.CharField(
                label=_("Member %(n)s: employee code") % n,
                max_length=30,
                required=False,
            )
            self.fields[f"external_{i}"] = forms.CharField(
                label=_("Member %(n)s: or external person's name") % n,
                max_length=200,
                required=False,
            )
            self.fields[f"title_{i}"] = forms.CharField(
                label=_("Member %(n)s: position held") % n,
                max_length=200,
                required=False,
            )
            self.fields[f"commune_{i}"] = forms.CharField(
                label=_("Member %(n)s: home commune") % n,
                max_length=200,
                required=False,
            )
            self.fields[f"related_{i}"] = forms.CharField(
                label=_("Member %(n)s: related candidate (application number)") % n,
                max_length=50,
                required=False,
            )
            self.fields[f"relation_{i}"] = forms.ChoiceField(
                label=_("Member %(n)s: relation") % n,
                choices=Relation.choices,
                initial=Relation.NONE,
                required=False,
            )
        added = [field for name, field in self.fields.items() if name not in before]
        _style(added)
        for field in added:  # shown in a table, under column headings
            field.widget.attrs["aria-label"] = field.label
        self._specs: list[MemberSpec] = []

    ROW_FIELDS = ("role", "employee", "external", "title", "commune", "related")

    def rows(self) -> list[list]:
        return [
            [self[f"{name}_{i}"] for name in (*self.ROW_FIELDS, "relation")]
            for i in range(self.ROWS)
        ]

    def clean(self):
        data = super().clean()
        applications = {
            number.casefold(): pk
            for pk, number in Application.objects.filter(drive=self.drive).values_list(
                "pk", "number"
            )
        }
        specs = []
        for i in range(self.ROWS):
            values = {name: (data.get(f"{name}_{i}") or "") for name in self.ROW_FIELDS}
            values = {k: v.strip() for k, v in values.items()}
            if not (values["role"] or values["employee"] or values["external"]):
                continue
            if not values["role"]:
                self.add_error(f"role_{i}", _("Choose the member's role."))
                continue
            if bool(values["employee"]) == bool(values["external"]):
                self.add_error(
                    f"employee_{i}",
                    _("Give an employee code or an external person's name."),
                )
                continue
            employee = None
            if values["employee"]:
                employee = employee_in_scope(
                    self.user, values["employee"], RECRUITMENT_EDITORS
                )
                if employee is None:
                    self.add_error(
                        f"employee_{i}",
                        _("No employee with code %(code)s in the units you manage.")
                        % {"code": values["employee"]},
                    )
                    continue
            relations = {}
            relation = data.get(f"relation_{i}") or Relation.NONE
            if values["related"]:
                pk = applications.get(values["related"].casefold())
                if pk is None:
                    self.add_error(
                        f"related_{i}",
                        _("No application %(number)s in this drive.")
                        % {"number": values["related"]},
                    )
                    continue
                relations[pk] = relation
            elif relation != Relation.NONE:
                self.add_error(
                    f"related_{i}", _("Give the application number of the candidate.")
                )
                continue
            specs.append(
                MemberSpec(
                    role=values["role"],
                    employee=employee,
                    external_name=values["external"],
                    title=values["title"],
                    home_commune=values["commune"],
                    relations=relations,
                )
            )
        self._specs = specs
        return data

    def members(self) -> list[MemberSpec]:
        return self._specs


class ReplaceMemberForm(StyledForm, forms.Form):
    """A new seat for a removed or replaced member (same checks as appointing)."""

    role = forms.ChoiceField(label=_("Role"), choices=CouncilMember.Role.choices)
    employee_code = forms.CharField(
        label=_("Employee code"), max_length=30, required=False
    )
    external_name = forms.CharField(
        label=_("Or external person's name"), max_length=200, required=False
    )
    title = forms.CharField(label=_("Position held"), max_length=200, required=False)
    home_commune = forms.CharField(
        label=_("Home commune"), max_length=200, required=False
    )
    on = date_field(_("Replaced on"))
    reason = forms.CharField(
        label=_("Reason for the replacement"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        code = (data.get("employee_code") or "").strip()
        name = (data.get("external_name") or "").strip()
        if bool(code) == bool(name):
            raise ValidationError(
                _("Give an employee code or an external person's name.")
            )
        data["employee"] = None
        if code:
            data["employee"] = employee_in_scope(self.user, code, RECRUITMENT_EDITORS)
            if data["employee"] is None:
                self.add_error(
                    "employee_code",
                    _("No employee with code %(code)s in the units you manage.")
                    % {"code": code},
                )
        return data

    def spec(self) -> MemberSpec:
        data = self.cleaned_data
        return MemberSpec(
            role=data["role"],
            employee=data["employee"],
            external_name=data["external_name"],
            title=data["title"],
            home_commune=data["home_commune"],
        )


class DeclarationForm(StyledForm, forms.Form):
    """A member's later declaration of a relation to one candidate."""

    member = forms.ModelChoiceField(
        label=_("Council member"), queryset=CouncilMember.objects.none()
    )
    application_number = forms.CharField(
        label=_("Candidate (application number)"), max_length=50
    )
    relation = forms.ChoiceField(label=_("Relation"), choices=Relation.choices)
    declared_on = date_field(_("Declared on"))

    def __init__(self, *args, drive, **kwargs):
        super().__init__(*args, **kwargs)
        self.drive = drive
        self.fields["member"].queryset = (
            CouncilMember.objects.sitting().filter(council__drive=drive).order_by("pk")
        )

    def clean_application_number(self) -> Application:
        number = self.cleaned_data["application_number"].strip()
        application = Application.objects.filter(
            drive=self.drive, number__iexact=number
        ).first()
        if application is None:
            raise ValidationError(
                _("No application %(number)s in this drive."),
                params={"number": number},
            )
        return application


class HintResolveForm(StyledForm, forms.Form):
    is_related = forms.TypedChoiceField(
        label=_("The chair's decision"),
        choices=[
            ("0", _("Dismiss: not related")),
            ("1", _("Confirm: related (the member leaves the council)")),
        ],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(
        label=_("Grounds"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# Applications and scores -----------------------------------------------------


class ApplicationForm(StyledForm, forms.Form):
    vacancy = forms.ModelChoiceField(
        label=_("Position applied for"), queryset=DriveVacancy.objects.none()
    )
    number = forms.CharField(label=_("Application number"), max_length=50)
    national_id = forms.CharField(label=_("Citizen ID"), max_length=12)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    date_of_birth = date_field(_("Date of birth"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Employee.Gender.choices)
    home_commune = forms.CharField(label=_("Home commune"), max_length=200)
    submitted_on = date_field(_("Submitted on"))
    channel = forms.ChoiceField(
        label=_("Submitted"), choices=Application.Channel.choices
    )
    priority_claims = forms.MultipleChoiceField(
        label=_("Priority categories proved"),
        choices=PriorityCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)

    def __init__(self, *args, drive, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vacancy"].queryset = drive.vacancies.select_related(
            "position"
        ).order_by("position__code")
        self.fields["priority_claims"].widget.attrs = {"class": "form-check-input"}


class EligibilityForm(StyledForm, forms.Form):
    is_eligible = forms.TypedChoiceField(
        label=_("Round 1: conditions met"),
        choices=[("1", _("Eligible")), ("0", _("Ineligible"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


SCORE_LABELS = {
    "round_1_percent": _("Round 1 (percent correct)"),
    "round_2_written": _("Round 2 written part"),
    "round_2_interview": _("Round 2 interview part"),
    "round_2_score": _("Round 2 score"),
}


class ScoresForm(StyledForm, forms.Form):
    """The scores the drive's step allows; only the changed ones are sent."""

    def __init__(self, *args, application: Application, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        names = ["round_1_percent"]
        if application.drive.status == Status.ROUND_2:
            names += ["round_2_written", "round_2_interview", "round_2_score"]
        for name in names:
            self.fields[name] = score_field(SCORE_LABELS[name])
            self.fields[name].initial = getattr(application, name)
        _style(self.fields.values())
        if form_id:  # inputs of a table row, tied to the row's <form>
            for name, field in self.fields.items():
                field.widget.attrs.update(
                    {
                        "form": form_id,
                        "aria-label": SCORE_LABELS[name],
                        "class": "form-control form-control-sm score-input",
                    }
                )

    def changes(self) -> dict[str, Decimal | None]:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if value != getattr(self.application, name)
        }


class RemarkRequestForm(StyledForm, forms.Form):
    part = forms.ChoiceField(label=_("Part"), choices=RemarkRequest.Part.choices)
    requested_on = date_field(_("Requested on"))


class RemarkDecisionForm(StyledForm, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            c
            for c in RemarkRequest.Outcome.choices
            if c[0] != RemarkRequest.Outcome.PENDING
        ],
    )
    decided_on = date_field(_("Decided on"))
    new_score = score_field(_("Score after re-marking"))
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DossierForm(StyledForm, forms.Form):
    completed_on = date_field(_("Dossier completed on"))


class CancelAdmissionForm(StyledForm, forms.Form):
    on = date_field(_("Cancelled on"))
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class HireForm(StyledForm, forms.Form):
    employee_code = forms.CharField(label=_("New employee code"), max_length=30)
    starts_on = date_field(_("Starts on"))
    staff_type = forms.ChoiceField(
        label=_("Staff type"),
        choices=Employee.StaffType.choices,
        initial=Employee.StaffType.CONG_CHUC,
    )
    salary_step = forms.IntegerField(label=_("Salary step"), min_value=1, initial=1)
    decision_number = forms.CharField(
        label=_("Recruitment decision number"), max_length=100, required=False
    )
    decided_on = date_field(_("Decision date"), required=False)
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)


class TieBreakForm(StyledForm, forms.Form):
    order = forms.CharField(
        label=_("Order decided (application numbers, best first)"),
        max_length=500,
        help_text=_("Separate the numbers with commas, e.g. HS001, HS004."),
    )
    decided_by = forms.CharField(label=_("Decided by (head)"), max_length=200)
    decided_on = date_field(_("Decided on"))
    note = forms.CharField(
        label=_("Grounds"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, vacancy, **kwargs):
        super().__init__(*args, **kwargs)
        self.vacancy = vacancy

    def clean_order(self) -> list[int]:
        numbers = [n.strip() for n in self.cleaned_data["order"].split(",")]
        numbers = [n for n in numbers if n]
        found = dict(
            Application.objects.filter(
                vacancy=self.vacancy, number__in=numbers
            ).values_list("number", "pk")
        )
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValidationError(
                _("No application %(number)s for this position."),
                params={"number": ", ".join(missing)},
            )
        return [found[n] for n in numbers]


class AdmitNextForm(StyledForm, forms.Form):
    decided_on = date_field(_("Decided on"))


class DriveFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Code or title"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Status.choices], required=False
    )


class ApplicationFilterForm(StyledForm, forms.Form):
    q = forms.CharField(label=_("Number or name"), required=False)
    eligibility = forms.ChoiceField(
        label=_("Round 1"),
        choices=[("", _("All")), *Application.Eligibility.choices],
        required=False,
    )
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("", _("All")), *Application.Result.choices],
        required=False,
    )


# Appointment decisions -------------------------------------------------------


class DecisionForm(StyledForm, forms.Form):
    """An appointment decision; the eligibility is previewed before it is saved."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AppointmentDecision.Kind.choices)
    employee_code = forms.CharField(label=_("Employee (code)"), max_length=30)
    position_from_code = forms.CharField(
        label=_("From position (code)"), max_length=50, required=False
    )
    position_to_code = forms.CharField(
        label=_("To position (code)"), max_length=50, required=False
    )
    post_title = forms.CharField(
        label=_("Post (when it is not a job position)"),
        max_length=200,
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=AppointmentDecision.Source.choices
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decided_on = date_field(_("Decision date"))
    signer = forms.CharField(label=_("Signed by"), max_length=200)
    effective_on = date_field(_("Effective on"))
    ends_on = date_field(_("Planned end (secondment, rotation)"), required=False)
    documents_checked = forms.CharField(
        label=_("Documents checked (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_reason = forms.CharField(
        label=_("Override reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only to record a decision that fails a blocking rule: the reason is "
            "written to the audit ledger and shown to inspectors as a red flag."
        ),
    )

    service_field_names = {
        "employee": "employee_code",
        "position_from": "position_from_code",
        "position_to": "position_to_code",
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_employee_code(self) -> Employee:
        code = self.cleaned_data["employee_code"].strip()
        employee = employee_in_scope(self.user, code, APPOINTMENT_EDITORS)
        if employee is None:
            raise ValidationError(
                _("No employee with code %(code)s in the units you manage."),
                params={"code": code},
            )
        return employee

    def _position(self, name: str) -> JobPosition | None:
        code = self.cleaned_data[name].strip()
        if not code:
            return None
        position = position_in_scope(self.user, code, APPOINTMENT_EDITORS)
        if position is None:
            raise ValidationError(
                _("No job position with code %(code)s in the units you manage."),
                params={"code": code},
            )
        return position

    def clean_position_from_code(self) -> JobPosition | None:
        return self._position("position_from_code")

    def clean_position_to_code(self) -> JobPosition | None:
        return self._position("position_to_code")

    @property
    def unit(self) -> OrgUnit:
        data = self.cleaned_data
        holder = (
            data["position_to_code"]
            or data["position_from_code"]
            or data["employee_code"]
        )
        return holder.unit

    def eligibility_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "employee": data["employee_code"],
            "effective_on": data["effective_on"],
            "decided_on": data["decided_on"],
            "position_from": data["position_from_code"],
            "position_to": data["position_to_code"],
            "source": data["source"],
            "post_title": data["post_title"].strip(),
            "ends_on": data["ends_on"],
        }

    def decision_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = self.eligibility_kwargs()
        kwargs.update(
            decision_number=data["decision_number"],
            signer=data["signer"],
            documents_checked=_lines(data["documents_checked"]),
            override_reason=data["override_reason"],
        )
        return kwargs


class VoteForm(StyledForm, forms.Form):
    step = forms.ChoiceField(
        label=_("Procedure step"),
        choices=[("", "—"), *VoteRecord.Step.choices],
        required=False,
    )
    held_on = date_field(_("Held on"), required=False)
    members_total = forms.IntegerField(
        label=_("Members in total"), min_value=1, required=False
    )
    present = forms.IntegerField(label=_("Present"), min_value=0, required=False)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    head_decision = forms.NullBooleanField(
        label=_("Head at half"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", "—"), ("true", _("For")), ("false", _("Against"))]
        ),
    )

    def clean(self):
        data = super().clean()
        if data.get("step"):
            for name in ("members_total", "present", "votes_for"):
                if data.get(name) is None:
                    self.add_error(name, _("Enter the tally of this step."))
        return data

    def spec(self) -> VoteSpec | None:
        data = self.cleaned_data
        if not data.get("step"):
            return None
        return VoteSpec(
            step=data["step"],
            members_total=data["members_total"],
            present=data["present"],
            votes_for=data["votes_for"],
            head_decision=data["head_decision"],
            held_on=data["held_on"],
        )


class BaseVoteFormSet(forms.BaseFormSet):
    def specs(self) -> list[VoteSpec]:
        return [spec for form in self.forms if (spec := form.spec()) is not None]


VoteFormSet = forms.formset_factory(
    VoteForm, formset=BaseVoteFormSet, extra=3, max_num=10
)


class DecisionFilterForm(StyledForm, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All")), *AppointmentDecision.Kind.choices],
        required=False,
    )
    unit = forms.CharField(label=_("Unit code"), max_length=50, required=False)
    in_force = forms.BooleanField(label=_("In force today"), required=False)


# Red flags and inspection ----------------------------------------------------


class FlagFilterForm(StyledForm, forms.Form):
    code = forms.ChoiceField(label=_("Red flag"), required=False)
    unit = forms.CharField(label=_("Unit code"), max_length=50, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["code"].choices = [("", _("All")), *flag_choices()]

    def clean_unit(self) -> OrgUnit | None:
        code = self.cleaned_data["unit"].strip()
        if not code:
            return None
        unit = unit_in_scope(self.user, code, FLAG_READERS)
        if unit is None:
            raise ValidationError(
                _("No unit with code %(code)s in your scope."), params={"code": code}
            )
        return unit


def flag_choices() -> list[tuple[str, str]]:
    return [(rule.code, f"{rule.code} · {rule.title}") for rule in red_flags.RULES]


class InspectionCaseForm(StyledForm, forms.Form):
    unit_code = forms.CharField(label=_("Unit inspected (code)"), max_length=50)
    title = forms.CharField(label=_("Case title"), max_length=300)
    period_from = date_field(_("Period from"))
    period_to = date_field(_("Period to (inclusive)"))

    service_field_names = {"unit": "unit_code"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit_code"].widget.attrs["list"] = "unit-codes"

    def clean_unit_code(self) -> OrgUnit:
        code = self.cleaned_data["unit_code"].strip()
        unit = unit_in_scope(self.user, code, INSPECTORS)
        if unit is None:
            raise ValidationError(
                _("No unit with code %(code)s in the units you inspect."),
                params={"code": code},
            )
        return unit

    def case_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "unit": data["unit_code"],
            "title": data["title"],
            "period_from": data["period_from"],
            "period_to": data["period_to"],
        }


class FindingForm(StyledForm, forms.Form):
    text = forms.CharField(label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Finding.Severity.choices,
        initial=Finding.Severity.MEDIUM,
    )
    record = forms.ChoiceField(label=_("About the record"), required=False)
    flag_code = forms.ChoiceField(label=_("Red flag"), required=False)

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "—")] + [
            (f"{r.object_type}:{r.object_id}", r.label) for r in records
        ]
        self.fields["flag_code"].choices = [("", "—"), *flag_choices()]

    def finding_kwargs(self) -> dict:
        data = self.cleaned_data
        record_type, _sep, record_id = (data["record"] or "").partition(":")
        return {
            "text": data["text"],
            "severity": data["severity"],
            "record_type": record_type,
            "record_id": record_id,
            "flag_code": data["flag_code"],
        }


class ConcludeForm(StyledForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    conclusions = forms.CharField(
        label=_("Conclusions"), widget=forms.Textarea(attrs={"rows": 4})
    )
    concluded_on = date_field(_("Concluded on"), required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["version"].initial = case.version
