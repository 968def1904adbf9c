"""The person's own appraisal: status, self-assessment, score with its
explanation, complaint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appraisals import appraisal_permissions as perms
from appraisals import appraisal_services as svc
from appraisals.appraisal_forms import ComplaintForm, SelfAssessmentForm
from appraisals.appraisal_views.common import employee_of, readable_appraisal
from appraisals.appraisal_views.explain import explanation_context
from appraisals.models import Appraisal, AppraisalCycle
from staff.forms import add_service_error

SELF_STAGES = (
    AppraisalCycle.Status.OPEN,
    AppraisalCycle.Status.SELF_ASSESSMENT,
    AppraisalCycle.Status.COMMENT_MEETING,
)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def my_appraisal(request: HttpRequest) -> HttpResponse:
    """My appraisal of the year, and my self-assessment while it is open."""
    employee = employee_of(request.user)
    year = _year(request)
    appraisal = None
    if employee is not None:
        appraisal = (
            Appraisal.objects.select_related("cycle", "cycle__unit", "unit")
            .filter(employee=employee, cycle__year=year)
            .exclude(status=Appraisal.Status.LEFT)
            .order_by("-pk")
            .first()
        )
    form = None
    if appraisal is not None:
        form = SelfAssessmentForm(
            request.POST or None,
            initial={"text": appraisal.self_assessment, "version": appraisal.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                svc.submit_self_assessment(
                    appraisal=appraisal,
                    text=form.cleaned_data["text"],
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Your self-assessment was submitted."))
                return redirect(f"{request.path}?year={year}")
    elif request.method == "POST":
        raise PermissionDenied
    context = {
        "employee": employee,
        "year": year,
        "appraisal": appraisal,
        "form": form,
        "can_self_assess": appraisal is not None
        and not appraisal.is_decided
        and appraisal.cycle.status in SELF_STAGES,
        "complaint_form": ComplaintForm(),
        **explanation_context(appraisal),
    }
    return render(request, "appraisals/appraisal/my_appraisal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The person complains about their decided rating, within the period."""
    appraisal = readable_appraisal(request, pk)
    if not perms.can_file_complaint(request.user, appraisal):
        raise PermissionDenied
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.file_complaint(
                appraisal=appraisal, text=form.cleaned_data["text"], actor=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your complaint was filed."))
            return redirect("appraisal:my_appraisal")
    context = {"appraisal": appraisal, "form": form}
    return render(request, "appraisals/appraisal/complaint_form.html", context)
