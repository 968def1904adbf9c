"""One appraisal: its evidence, the manager's proposal, the competent head's
decision (optimistic locking through the version the form carries), the notice
and the complaints."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appraisals import appraisal_permissions as perms
from appraisals import appraisal_selectors as sel
from appraisals import appraisal_services as svc
from appraisals.appraisal_forms import (
    ComplaintResolveForm,
    DecisionForm,
    ProposalForm,
)
from appraisals.appraisal_views.common import readable_appraisal
from appraisals.appraisal_views.explain import explanation_context
from appraisals.models import Appraisal, Complaint, Regime
from hrms import policy
from staff.forms import add_service_error


def _rules(appraisal: Appraisal):
    return (
        sel.ruleset_by_code(appraisal.rule_version) if appraisal.rule_version else None
    )


def cap_summary(appraisal: Appraisal) -> list:
    """The cap scopes the appraisal falls in (the agency, its group)."""
    return [
        scope
        for scope in sel.cap_meter(appraisal.cycle)
        if scope.regime == appraisal.regime
        and scope.task_group in ("", appraisal.task_group)
    ]


def _context(request: HttpRequest, appraisal: Appraisal, **extra) -> dict:
    user = request.user
    return {
        "appraisal": appraisal,
        "cycle": appraisal.cycle,
        "meeting": sel.meeting_for(appraisal),
        "can_propose": perms.can_propose_appraisal(user, appraisal),
        "can_decide": perms.can_decide_appraisal(user, appraisal),
        "is_own": perms.is_own_appraisal(user, appraisal),
        **explanation_context(appraisal),
        **extra,
    }


@login_required
@require_GET
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = readable_appraisal(request, pk)
    complaints = list(appraisal.complaints.order_by("filed_on", "pk"))
    context = _context(
        request,
        appraisal,
        complaints=complaints,
        can_resolve=perms.can_decide_appraisal(request.user, appraisal),
    )
    return render(request, "appraisals/appraisal/appraisal_detail.html", context)


def _general_changes(form: ProposalForm, appraisal: Appraisal) -> dict | None:
    """The score_general_criteria arguments when the manager entered some."""
    if form.is_b:
        points = form.points()
        return None if points is None else {"points": points}
    assessment = form.cleaned_data.get("assessment") or ""
    if assessment and assessment != appraisal.general_assessment:
        return {"assessment": assessment}
    return None


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's proposal, with the evidence beside it."""
    appraisal = readable_appraisal(request, pk)
    if not perms.can_propose_appraisal(request.user, appraisal):
        raise PermissionDenied
    rules = _rules(appraisal)
    criteria = rules["general_criteria"] if rules and rules.is_b else {}
    initial = {
        "version": appraisal.version,
        "comment": appraisal.manager_comment,
        "level": appraisal.proposed_level,
        "score": appraisal.proposed_score,
        "assessment": appraisal.general_assessment,
        **{f"crit_{k}": v for k, v in (appraisal.general_criteria or {}).items()},
    }
    form = ProposalForm(
        request.POST or None,
        criteria=criteria,
        regime=appraisal.regime or Regime.DECREE_335,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                version = data["version"]
                general = _general_changes(form, appraisal)
                if general is not None:
                    appraisal = svc.score_general_criteria(
                        appraisal=appraisal,
                        actor=request.user,
                        expected_version=version,
                        **general,
                    )
                    version = appraisal.version
                svc.propose_appraisal(
                    appraisal=appraisal,
                    actor=request.user,
                    expected_version=version,
                    score=data.get("score"),
                    level=data.get("level") or None,
                    comment=data.get("comment") or "",
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The proposal was recorded."))
            return redirect("appraisal:appraisal_detail", pk=appraisal.pk)
        appraisal.refresh_from_db()
    context = _context(request, appraisal, form=form, cap=cap_summary(appraisal))
    return render(request, "appraisals/appraisal/appraisal_propose.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The competent head's decision; a stale version is refused as a conflict."""
    appraisal = readable_appraisal(request, pk)
    if not perms.can_decide_appraisal(request.user, appraisal):
        raise PermissionDenied
    form = DecisionForm(
        request.POST or None,
        initial={"version": appraisal.version, "level": appraisal.proposed_level},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.decide_appraisal(
                appraisal=appraisal,
                level=data["level"],
                actor=request.user,
                expected_version=data["version"],
                decided_on=data["decided_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("appraisal:appraisal_detail", pk=appraisal.pk)
        appraisal.refresh_from_db()
    context = _context(request, appraisal, form=form, cap=cap_summary(appraisal))
    return render(request, "appraisals/appraisal/appraisal_decide.html", context)


@login_required
@require_POST
def appraisal_notify(request: HttpRequest, pk: int) -> HttpResponse:
    """The written notice of the decided level to the person."""
    appraisal = readable_appraisal(request, pk)
    if not perms.can_decide_appraisal(request.user, appraisal):
        raise PermissionDenied
    try:
        svc.notify_appraisal(appraisal=appraisal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The person was notified."))
    return redirect("appraisal:appraisal_detail", pk=appraisal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcome of a complaint: the only way a decided rating changes."""
    complaint = policy.get_in_scope_or_404(
        request,
        Complaint.objects.select_related(
            "appraisal", "appraisal__unit", "appraisal__employee", "appraisal__cycle"
        ),
        roles=perms.CYCLE_READERS,
        unit_field="appraisal__unit",
        pk=pk,
    )
    if not perms.can_resolve_complaint(request.user, complaint):
        raise PermissionDenied
    form = ComplaintResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            svc.resolve_complaint(
                complaint=complaint,
                upheld=data["upheld"],
                new_level=data["new_level"],
                reason=data["reason"],
                decision_number=data["decision_number"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The complaint was resolved."))
            return redirect("appraisal:appraisal_detail", pk=complaint.appraisal_id)
    context = {"complaint": complaint, "appraisal": complaint.appraisal, "form": form}
    return render(request, "appraisals/appraisal/complaint_resolve.html", context)
