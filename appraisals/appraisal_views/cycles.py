"""The agencies' cycles: the list, a cycle's stage, deadline warnings and
appraisals, and its actions (next stage, comment meeting, computation,
publication), the excellence-cap meter and its exceptions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appraisals import appraisal_permissions as perms
from appraisals import appraisal_selectors as sel
from appraisals import appraisal_services as svc
from appraisals.appraisal_forms import (
    AppraisalFilter,
    CapExceptionForm,
    CycleFilter,
    CycleOpenForm,
    MeetingForm,
)
from appraisals.appraisal_views.common import (
    PAGE_SIZE,
    cycle_appraisals,
    cycles,
    filter_q,
    readable_cycle,
    with_current_level,
)
from appraisals.models import Appraisal, AppraisalCycle
from hrms import policy
from positions.models import OrgUnit
from staff.forms import add_service_error

Status = AppraisalCycle.Status


def _next_stage(cycle: AppraisalCycle) -> str | None:
    index = cycle.stage_index() + 1
    return AppraisalCycle.ORDER[index] if index < len(AppraisalCycle.ORDER) else None


def _runner_agencies(user):
    return policy.scope(
        user,
        OrgUnit.objects.filter(kind=OrgUnit.Kind.AGENCY),
        roles=perms.CYCLE_RUNNERS,
        unit_field="",
    ).order_by("path")


@login_required
@require_http_methods(["GET", "POST"])
def cycle_list(request: HttpRequest) -> HttpResponse:
    """The cycles of the agencies the user works in, newest year first."""
    if not perms.can_list_cycles(request.user):
        raise PermissionDenied
    agencies = _runner_agencies(request.user)
    open_form = CycleOpenForm(request.POST or None, units=agencies)
    if request.method == "POST":
        if not agencies.exists():
            raise PermissionDenied
        if open_form.is_valid():
            unit = agencies.get(code=open_form.cleaned_data["unit"])
            try:
                cycle = svc.open_cycle(
                    unit=unit,
                    year=open_form.cleaned_data["year"],
                    is_special_unit=open_form.cleaned_data["is_special_unit"],
                )
            except ValidationError as exc:
                add_service_error(open_form, exc)
            else:
                messages.success(request, _("The cycle was opened."))
                return redirect("appraisal:cycle_detail", pk=cycle.pk)
    queryset = cycles().filter(perms.visible_cycles_q(request.user))
    filters = CycleFilter(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["year"]:
            queryset = queryset.filter(year=filters.cleaned_data["year"])
        if filters.cleaned_data["status"]:
            queryset = queryset.filter(status=filters.cleaned_data["status"])
    page = Paginator(queryset.order_by("-year", "unit__path"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "filters": filters,
        "open_form": open_form if agencies.exists() else None,
    }
    return render(request, "appraisals/appraisal/cycle_list.html", context)


@login_required
@require_GET
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A cycle: stage, deadline warnings, meetings, actions and the appraisals."""
    cycle = readable_cycle(request, pk)
    rows = with_current_level(cycle_appraisals(request, cycle))
    filters = AppraisalFilter(request.GET or None)
    if filters.is_valid():
        rows = rows.filter(filter_q(filters.cleaned_data))
    page = Paginator(
        rows.order_by("unit__path", "employee__employee_code"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    user = request.user
    next_stage = _next_stage(cycle)
    context = {
        "cycle": cycle,
        "warnings": sel.cycle_warnings(cycle),
        "meetings": cycle.meetings.select_related("unit").order_by("held_on"),
        "next_stage": next_stage,
        "next_stage_label": Status(next_stage).label if next_stage else "",
        "can_run": perms.can_run_cycle(user, cycle),
        "can_record_meeting": perms.can_record_any_meeting(user, cycle),
        "page": page,
        "filters": filters,
        "level_counts": _level_counts(cycle_appraisals(request, cycle)),
    }
    return render(request, "appraisals/appraisal/cycle_detail.html", context)


def _level_counts(queryset) -> list[tuple[str, int]]:
    # Counted in SQL: a province cycle has 100,000 appraisals.
    counts = dict(
        with_current_level(queryset)
        .exclude(status=Appraisal.Status.LEFT)
        .order_by()
        .values("current")
        .annotate(n=Count("pk"))
        .values_list("current", "n")
    )
    labels = [(value, label) for value, label in Appraisal.Level.choices]
    result = [(label, counts.get(value, 0)) for value, label in labels]
    result.append((_("No level yet"), counts.get("", 0)))
    return result


def _runnable_cycle(request: HttpRequest, pk: int) -> AppraisalCycle:
    cycle = readable_cycle(request, pk)
    if not perms.can_run_cycle(request.user, cycle):
        raise PermissionDenied
    return cycle


@login_required
@require_POST
def cycle_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the cycle to its next stage, when that stage's conditions hold."""
    cycle = _runnable_cycle(request, pk)
    to_status = request.POST.get("to_status") or _next_stage(cycle)
    if to_status not in Status.values:
        raise Http404
    try:
        cycle = svc.advance_cycle(cycle=cycle, to_status=to_status, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("The cycle moved to “%(stage)s”.")
            % {"stage": cycle.get_status_display()},
        )
    return redirect("appraisal:cycle_detail", pk=cycle.pk)


@login_required
@require_POST
def cycle_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Announce the ratings inside the agency."""
    cycle = _runnable_cycle(request, pk)
    try:
        svc.publish_cycle(cycle=cycle, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The results were published in the agency."))
    return redirect("appraisal:cycle_detail", pk=cycle.pk)


@login_required
@require_POST
def cycle_compute(request: HttpRequest, pk: int) -> HttpResponse:
    """Compute the evidence, scores and levels of the whole cycle."""
    cycle = _runnable_cycle(request, pk)
    try:
        report = svc.compute_cycle(cycle=cycle)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _(
                "Computed %(computed)d appraisal(s); %(written)d changed, "
                "%(locked)d decided left as they were."
            )
            % {
                "computed": report.computed,
                "written": report.written,
                "locked": report.locked,
            },
        )
    return redirect("appraisal:cycle_detail", pk=cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a unit's comment meeting: two thirds attend, minutes kept."""
    cycle = readable_cycle(request, pk)
    units = [
        unit
        for unit in OrgUnit.objects.filter(path__startswith=cycle.unit.path).order_by(
            "path"
        )
        if perms.can_record_meeting(request.user, cycle, unit)
    ]
    if not units:
        raise PermissionDenied
    form = MeetingForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.code == data["unit"])
        try:
            svc.record_comment_meeting(
                cycle=cycle,
                unit=unit,
                held_on=data["held_on"],
                summoned=data["summoned"],
                attended=data["attended"],
                minutes=data["minutes"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The comment meeting was recorded."))
            return redirect("appraisal:cycle_detail", pk=cycle.pk)
    context = {"cycle": cycle, "form": form}
    return render(request, "appraisals/appraisal/meeting_form.html", context)


@login_required
@require_GET
def cap_meter(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is within the excellence cap, ties shown, with the exceptions."""
    cycle = readable_cycle(request, pk)
    context = {
        "cycle": cycle,
        "scopes": sel.cap_meter(cycle),
        "exceptions": cycle.cap_exceptions.order_by("decided_on", "pk"),
        "can_run": perms.can_run_cycle(request.user, cycle),
    }
    return render(request, "appraisals/appraisal/cap_meter.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cap_exception_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the competent level's decision allowing more excellent ratings."""
    cycle = _runnable_cycle(request, pk)
    form = CapExceptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.record_cap_exception(
                cycle=cycle, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The cap exception was recorded."))
            return redirect("appraisal:cap_meter", pk=cycle.pk)
    context = {"cycle": cycle, "form": form}
    return render(request, "appraisals/appraisal/cap_exception_form.html", context)
