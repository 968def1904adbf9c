"""What the job pages ask for before they submit a job."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hrms.importing import get_resource, resource_names
from hrms.jobs.access import can_import_resource, is_global_admin

MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class ImportMode:
    CHECK = "check"
    ALL = "all"
    KEEP_VALID = "keep_valid"
    CHOICES = [
        (CHECK, _("Check only: write nothing, list the rejected rows")),
        (ALL, _("All or nothing: write only when every row is valid")),
        (KEEP_VALID, _("Keep valid rows: write them, reject the others")),
    ]


def importable_resources(user) -> list[str]:
    return [
        name
        for name in resource_names()
        if can_import_resource(user, get_resource(name)().columns())
    ]


class ImportJobForm(forms.Form):
    resource = forms.ChoiceField(label=_("Data"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .csv (UTF-8) or .xlsx file whose first row names the columns."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx", "class": "form-control"}
        ),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=ImportMode.CHOICES,
        initial=ImportMode.CHECK,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = importable_resources(user)
        self.fields["resource"].choices = [(name, name) for name in names]
        self.fields["resource"].widget.attrs["class"] = "form-select"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > getattr(settings, "JOB_MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES):
            raise forms.ValidationError(_("The file is too large."))
        return upload


class ExportJobForm(forms.Form):
    resource = forms.ChoiceField(label=_("Data"))
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")]
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = resource_names() if is_global_admin(user) else []
        self.fields["resource"].choices = [(name, name) for name in names]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class ComputeJobForm(forms.Form):
    unit = forms.CharField(label=_("Agency (unit code)"), max_length=50)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class ApologySlipBatchForm(forms.Form):
    unit = forms.CharField(label=_("Unit code"), max_length=50)
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end comes before the start."))
            if end - start > dt.timedelta(days=366):
                raise forms.ValidationError(_("Choose a period of at most a year."))
        return data
