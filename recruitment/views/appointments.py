"""Appointment decisions: the list, the record form with its eligibility preview,
the decision with the snapshot of the rules evaluated on the day, and the
term-end alerts (re-appointments and rotations due)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrms import policy
from positions.selectors import unit_in_scope
from recruitment import selectors, services
from recruitment.forms import (
    DecisionFilterForm,
    DecisionForm,
    VoteFormSet,
    add_service_error,
)
from recruitment.models import AppointmentDecision
from recruitment.permissions import (
    APPOINTMENT_READERS,
    can_record_appointment,
    can_view_appointments,
    scope_roots,
)

PAGE_SIZE = 50


def _decisions():
    return AppointmentDecision.objects.select_related(
        "employee", "unit", "position_from", "position_to"
    )


@login_required
@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    if not can_view_appointments(request.user):
        raise PermissionDenied
    form = DecisionFilterForm(request.GET or None)
    decisions = _decisions().order_by("-decided_on", "-pk")
    unknown_unit = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["in_force"]:
            decisions = selectors.decisions_in_force()
        if data["kind"]:
            decisions = decisions.filter(kind=data["kind"])
        if data["unit"].strip():
            unit = unit_in_scope(request.user, data["unit"], APPOINTMENT_READERS)
            if unit is None:
                unknown_unit = data["unit"].strip()
                decisions = decisions.none()
            else:
                decisions = decisions.filter(unit__path__startswith=unit.path)
    decisions = policy.scope(request.user, decisions, roles=APPOINTMENT_READERS)
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "unknown_unit": unknown_unit,
        "can_create": can_record_appointment(request.user),
    }
    return render(request, "recruitment/decision_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request: HttpRequest) -> HttpResponse:
    """Preview the eligibility ("preview"), then record ("save"); a refusal shows
    every failed rule with its citation next to the preview."""
    if not can_record_appointment(request.user):
        raise PermissionDenied
    data = request.POST or None
    form = DecisionForm(data, user=request.user)
    votes = VoteFormSet(data, prefix="votes")
    preview = None
    if request.method == "POST" and form.is_valid() and votes.is_valid():
        if not can_record_appointment(request.user, form.unit):
            raise PermissionDenied
        preview = services.evaluate_appointment_eligibility(
            **form.eligibility_kwargs(), votes=votes.specs()
        )
        if "save" in request.POST:
            try:
                decision = services.record_appointment_decision(
                    **form.decision_kwargs(), votes=votes.specs(), actor=request.user
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The decision was recorded."))
                return redirect("recruitment:decision_detail", pk=decision.pk)
    context = {"form": form, "votes": votes, "preview": preview}
    return render(request, "recruitment/decision_form.html", context)


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = policy.get_in_scope_or_404(
        request,
        _decisions().select_related(
            "succession_plan_entry", "previous_decision", "recorded_by", "overridden_by"
        ),
        roles=APPOINTMENT_READERS,
        pk=pk,
    )
    snapshot = decision.eligibility_snapshot or {}
    context = {
        "decision": decision,
        "snapshot": snapshot,
        "evaluated_on": _iso_date(snapshot.get("evaluated_on")),
        "retires_on": _iso_date(snapshot.get("retires_on")),
        "rules": snapshot.get("rules", []),
        "votes": decision.votes.order_by("seq"),
        "following": decision.following_decisions.order_by("effective_on", "pk"),
    }
    return render(request, "recruitment/decision_detail.html", context)


def _iso_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def term_alerts(request: HttpRequest) -> HttpResponse:
    """Re-appointments due within the notice days, rotations due within 90 days."""
    if not can_view_appointments(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    params = selectors.rule_parameters(today)
    reappointments = policy.scope(
        request.user,
        selectors.reappointments_due(
            today, within_days=params.reappointment_notice_days
        ),
        roles=APPOINTMENT_READERS,
    )
    roots = scope_roots(request.user, APPOINTMENT_READERS)
    rotations = sorted(
        (
            row
            for unit in (roots if roots is not None else [None])
            for row in selectors.rotations_due(today, unit=unit)
        ),
        key=lambda row: (row.due_on, row.assignment.pk),
    )
    context = {
        "today": today,
        "notice_days": params.reappointment_notice_days,
        "reappointments": reappointments[:500],
        "rotations": rotations[:500],
    }
    return render(request, "recruitment/term_alerts.html", context)
