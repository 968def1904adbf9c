"""Candidates and results: applications of a drive, round-1 outcomes and scores,
the merit list per position with the head's tie decisions, re-marking, the
dossier timer and hiring a winner.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrms import policy
from hrms.actions import form_action, refused
from recruitment import selectors, services
from recruitment.forms import (
    AdmitNextForm,
    ApplicationFilterForm,
    ApplicationForm,
    CancelAdmissionForm,
    DossierForm,
    EligibilityForm,
    HireForm,
    PublishResultsForm,
    RemarkDecisionForm,
    RemarkRequestForm,
    ScoresForm,
    TieBreakForm,
    add_service_error,
)
from recruitment.models import (
    Application,
    DriveVacancy,
    PriorityCategory,
    RecruitmentDrive,
    RemarkRequest,
    TieBreakDecision,
)
from recruitment.permissions import (
    RECRUITMENT_READERS,
    can_change_drive,
    can_view_national_id,
)
from recruitment.views.drives import editable_drive, readable_drive

PAGE_SIZE = 50
Status = RecruitmentDrive.Status
SCORING_STATUSES = (Status.ROUND_1, Status.ROUND_2)


def _applications():
    return Application.objects.select_related(
        "drive__unit", "vacancy__position", "employee"
    )


def _readable_application(request: HttpRequest, pk: int) -> Application:
    return policy.get_in_scope_or_404(
        request,
        _applications(),
        roles=RECRUITMENT_READERS,
        unit_field="drive__unit",
        pk=pk,
    )


def _editable_application(request: HttpRequest, pk: int) -> Application:
    application = _readable_application(request, pk)
    if not can_change_drive(request.user, application.drive):
        raise PermissionDenied
    return application


def _back(request: HttpRequest, application: Application) -> HttpResponse:
    """Back to the page the action was posted from: the list row or the detail."""
    if request.POST.get("next") == "list":
        url = reverse("recruitment:application_list", args=[application.drive_id])
        return redirect(f"{url}#application-{application.pk}")
    return redirect("recruitment:application_detail", pk=application.pk)


def _shown_id(user, application: Application) -> str:
    if can_view_national_id(user, application.drive):
        return application.national_id
    return selectors.mask_national_id(application.national_id)


# Applications ---------------------------------------------------------------


@login_required
@require_GET
def application_list(request: HttpRequest, pk: int) -> HttpResponse:
    drive = readable_drive(request, pk)
    applications = drive.applications.select_related("vacancy__position")
    form = ApplicationFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"].strip():
            query = data["q"].strip()
            applications = applications.filter(
                Q(number__icontains=query) | Q(full_name__icontains=query)
            )
        if data["eligibility"]:
            applications = applications.filter(eligibility=data["eligibility"])
        if data["result"]:
            applications = applications.filter(result=data["result"])
    applications = applications.order_by("vacancy__position__code", "number")
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    can_change = can_change_drive(request.user, drive)
    scoring = can_change and drive.status in SCORING_STATUSES
    for application in page:
        application.shown_id = _shown_id(request.user, application)
        if scoring:
            application.scores_form = ScoresForm(
                application=application,
                prefix=f"a{application.pk}",
                form_id=f"scores-{application.pk}",
            )
    context = {
        "drive": drive,
        "tab": "applications",
        "form": form,
        "page": page,
        "can_change": can_change,
        "can_receive": can_change and drive.status == Status.ANNOUNCED,
        "scoring": scoring,
        "round_2": drive.status == Status.ROUND_2,
    }
    return render(request, "recruitment/application_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    form = ApplicationForm(
        request.POST or None,
        drive=drive,
        initial={"submitted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.submit_application(
                drive=drive, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Application %(number)s was received.")
                % {"number": application.number},
            )
            return redirect("recruitment:application_list", pk=drive.pk)
    context = {
        "drive": drive,
        "tab": "applications",
        "form": form,
        "title": _("Receive an application"),
        "back_url": "recruitment:application_list",
    }
    return render(request, "recruitment/drive_action_form.html", context)


@login_required
@require_GET
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _readable_application(request, pk)
    drive = application.drive
    can_change = can_change_drive(request.user, drive)
    today = timezone.localdate()
    context = {
        "application": application,
        "drive": drive,
        "tab": "applications",
        "shown_id": _shown_id(request.user, application),
        "priority_labels": [
            PriorityCategory(code).label
            for code in application.priority_claims
            if code in PriorityCategory.values
        ],
        "score_changes": application.score_changes.select_related(
            "changed_by", "remark"
        ),
        "remarks": application.remark_requests.select_related("decided_by"),
        "can_change": can_change,
        "can_score": can_change
        and drive.status in SCORING_STATUSES
        and not drive.has_results,
        "scores_form": ScoresForm(application=application),
        "eligibility_form": EligibilityForm(
            initial={"is_eligible": "1", "reason": application.eligibility_reason}
        ),
        "remark_form": RemarkRequestForm(initial={"requested_on": today}),
        "dossier_form": DossierForm(initial={"completed_on": today}),
        "cancel_form": CancelAdmissionForm(initial={"on": today}),
    }
    return render(request, "recruitment/application_detail.html", context)


@login_required
@require_POST
def application_eligibility(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    return form_action(
        request,
        EligibilityForm(request.POST),
        lambda data: services.record_eligibility(
            application=application, actor=request.user, **data
        ),
        success=_("Round 1 outcome recorded for %(number)s.")
        % {"number": application.number},
        back=_back(request, application),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter or correct scores; an out-of-range score is refused with the rule.

    The list posts its rows here with a prefix; a refusal is shown on this page.
    """
    application = _editable_application(request, pk)
    prefix = request.POST.get("prefix") or None
    form = ScoresForm(request.POST or None, application=application, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            if form.changes():
                services.record_scores(
                    application=application, actor=request.user, **form.changes()
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("Scores saved for %(number)s.") % {"number": application.number},
            )
            return _back(request, application)
    context = {
        "application": application,
        "drive": application.drive,
        "tab": "applications",
        "form": form,
        "next": request.POST.get("next", ""),
    }
    return render(request, "recruitment/application_scores.html", context)


@login_required
@require_POST
def remark_request_create(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    return form_action(
        request,
        RemarkRequestForm(request.POST),
        lambda data: services.request_remark(
            application=application, actor=request.user, **data
        ),
        success=_("The re-marking request was filed."),
        back=_back(request, application),
    )


@login_required
@require_POST
def application_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    return form_action(
        request,
        DossierForm(request.POST),
        lambda data: services.record_dossier_completion(
            application=application, actor=request.user, **data
        ),
        success=_("The dossier was recorded as complete."),
        back=_back(request, application),
    )


@login_required
@require_POST
def application_cancel_admission(request: HttpRequest, pk: int) -> HttpResponse:
    application = _editable_application(request, pk)
    return form_action(
        request,
        CancelAdmissionForm(request.POST),
        lambda data: services.cancel_admission(
            application=application, actor=request.user, **data
        ),
        success=_("The admission was cancelled."),
        back=_back(request, application),
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_hire(request: HttpRequest, pk: int) -> HttpResponse:
    """A winner with a complete dossier becomes an employee (staff services)."""
    application = _editable_application(request, pk)
    form = HireForm(request.POST or None, initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.hire_winner(
                application=application, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s was hired as %(code)s.")
                % {"name": employee.full_name, "code": employee.employee_code},
            )
            return redirect("recruitment:application_detail", pk=application.pk)
    context = {
        "drive": application.drive,
        "tab": "applications",
        "form": form,
        "title": _("Hire %(name)s") % {"name": application.full_name},
        "back_url": "recruitment:application_list",
    }
    return render(request, "recruitment/drive_action_form.html", context)


# Merit list and results -----------------------------------------------------


@login_required
@require_GET
def merit_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Each position ranked as the rules rank it now, the head's tie decisions and,
    once published, the recorded results."""
    drive = readable_drive(request, pk)
    can_change = can_change_drive(request.user, drive)
    today = timezone.localdate()
    lists = selectors.merit_list(drive)
    tie_forms = {}
    for vacancy_merit in lists:
        tied = vacancy_merit.merit.unresolved_tie
        if tied:
            numbers = ", ".join(vacancy_merit.applications[pk].number for pk in tied)
            tie_forms[vacancy_merit.vacancy.pk] = TieBreakForm(
                vacancy=vacancy_merit.vacancy,
                prefix=f"v{vacancy_merit.vacancy.pk}",
                initial={"order": numbers, "decided_on": today},
            )
    numbers = {
        pk: application.number
        for m in lists
        for pk, application in m.applications.items()
    }
    context = {
        "drive": drive,
        "tab": "merit",
        "lists": [
            (
                m,
                tie_forms.get(m.vacancy.pk),
                any(
                    a.result == Application.Result.CANCELLED
                    for a in m.applications.values()
                ),
            )
            for m in lists
        ],
        "ties": [
            (tie, [numbers.get(pk, str(pk)) for pk in tie.ordered_applications])
            for tie in TieBreakDecision.objects.filter(vacancy__drive=drive)
            .select_related("vacancy__position")
            .order_by("pk")
        ],
        "can_change": can_change,
        "can_publish": can_change and drive.status == Status.ROUND_2,
        "can_decide_ties": can_change
        and drive.status in (Status.ROUND_2, Status.RESULTS),
        "publish_form": PublishResultsForm(
            drive=drive, initial={"published_on": today}
        ),
        "admit_form": AdmitNextForm(initial={"decided_on": today}),
    }
    return render(request, "recruitment/merit_list.html", context)


def _editable_vacancy(request: HttpRequest, pk: int) -> DriveVacancy:
    vacancy = get_object_or_404(DriveVacancy.objects.select_related("position"), pk=pk)
    vacancy.drive = editable_drive(request, vacancy.drive_id)
    return vacancy


@login_required
@require_POST
def tie_break_create(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = _editable_vacancy(request, pk)
    return form_action(
        request,
        TieBreakForm(request.POST, vacancy=vacancy, prefix=f"v{vacancy.pk}"),
        lambda data: services.record_tie_break(
            vacancy=vacancy,
            ordered_applications=data["order"],
            decided_by=data["decided_by"],
            decided_on=data["decided_on"],
            note=data["note"],
            actor=request.user,
        ),
        success=_("The head's tie decision was recorded."),
        back=redirect("recruitment:merit_list", pk=vacancy.drive_id),
    )


@login_required
@require_POST
def admit_next(request: HttpRequest, pk: int) -> HttpResponse:
    vacancy = _editable_vacancy(request, pk)
    return form_action(
        request,
        AdmitNextForm(request.POST),
        lambda data: services.admit_next_ranked(
            vacancy=vacancy, actor=request.user, **data
        ),
        success=lambda admitted: (
            _("Candidates admitted: %(count)s.") % {"count": len(admitted)}
        ),
        back=redirect("recruitment:merit_list", pk=vacancy.drive_id),
    )


@login_required
@require_POST
def dossiers_cancel_missed(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    try:
        missed = services.cancel_missed_dossiers(
            drive=drive, on=timezone.localdate(), actor=request.user
        )
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(
            request,
            _("Admissions cancelled for a missed dossier: %(count)s.")
            % {"count": len(missed)},
        )
    return redirect("recruitment:merit_list", pk=drive.pk)


# Re-marking -----------------------------------------------------------------


@login_required
@require_GET
def remark_list(request: HttpRequest, pk: int) -> HttpResponse:
    drive = readable_drive(request, pk)
    remarks = (
        RemarkRequest.objects.filter(application__drive=drive)
        .select_related("application__vacancy__position", "decided_by")
        .order_by("outcome", "requested_on", "pk")
    )
    context = {
        "drive": drive,
        "tab": "remarks",
        "remarks": remarks,
        "can_change": can_change_drive(request.user, drive),
    }
    return render(request, "recruitment/remark_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def remark_decide(request: HttpRequest, pk: int) -> HttpResponse:
    remark = get_object_or_404(
        RemarkRequest.objects.select_related("application"), pk=pk
    )
    drive = editable_drive(request, remark.application.drive_id)
    form = RemarkDecisionForm(
        request.POST or None, initial={"decided_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_remark(
                remark=remark, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The re-marking outcome was recorded."))
            return redirect("recruitment:remark_list", pk=drive.pk)
    context = {
        "drive": drive,
        "tab": "remarks",
        "form": form,
        "title": _("Re-marking of %(number)s %(name)s (%(part)s)")
        % {
            "number": remark.application.number,
            "name": remark.application.full_name,
            "part": remark.get_part_display(),
        },
        "back_url": "recruitment:remark_list",
    }
    return render(request, "recruitment/drive_action_form.html", context)
