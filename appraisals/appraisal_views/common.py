"""Fetching cycles and appraisals inside the user's scope."""

from __future__ import annotations

from django.db.models import Case, F, Q, QuerySet, When
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from appraisals import appraisal_permissions as perms
from appraisals.models import Appraisal, AppraisalCycle
from hrms import policy
from staff.models import Employee

PAGE_SIZE = 50


def cycles() -> QuerySet:
    return AppraisalCycle.objects.select_related("unit")


def appraisals() -> QuerySet:
    return Appraisal.objects.select_related(
        "cycle", "cycle__unit", "employee", "unit", "proposed_by", "decided_by"
    )


def with_current_level(queryset: QuerySet) -> QuerySet:
    """Annotate `current`: the decided level, else the proposed, else computed."""
    return queryset.annotate(
        current=Case(
            When(status__in=Appraisal.DECIDED_STATUSES, then=F("decided_level")),
            When(~Q(proposed_level=""), then=F("proposed_level")),
            default=F("computed_level"),
        )
    )


def readable_cycle(request: HttpRequest, pk: int) -> AppraisalCycle:
    """A cycle the user may read (404 otherwise); an inspector's read is logged."""
    if not perms.can_list_cycles(request.user):
        raise Http404
    cycle = get_object_or_404(
        cycles().filter(perms.visible_cycles_q(request.user)), pk=pk
    )
    policy.log_read(request, cycle, perms.reader_unit(request.user, cycle))
    return cycle


def cycle_appraisals(request: HttpRequest, cycle: AppraisalCycle) -> QuerySet:
    """The cycle's appraisals of the units the user reads."""
    return policy.scope(
        request.user,
        appraisals().filter(cycle=cycle),
        roles=perms.CYCLE_READERS,
    )


def readable_appraisal(request: HttpRequest, pk: int) -> Appraisal:
    """The user's own appraisal, or one in their reading scope (404 otherwise;
    an inspector's read is logged)."""
    own = appraisals().filter(pk=pk, employee__user=request.user).first()
    if own is not None:
        return own
    return policy.get_in_scope_or_404(
        request, appraisals(), roles=perms.CYCLE_READERS, pk=pk
    )


def employee_of(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Employee.objects.select_related("unit").filter(user=user).first()


def position_title(employee: Employee, on=None) -> str:
    return (
        Employee.objects.filter(pk=employee.pk)
        .with_current_position(on)
        .values_list("current_position_title", flat=True)
        .first()
        or ""
    )


def filter_q(data: dict) -> Q:
    """The appraisal table's filters (cleaned AppraisalFilter data)."""
    condition = Q()
    if data.get("q"):
        condition &= Q(employee__full_name__icontains=data["q"]) | Q(
            employee__employee_code__iexact=data["q"]
        )
    if data.get("status"):
        condition &= Q(status=data["status"])
    if data.get("level") == "none":
        condition &= Q(current="")
    elif data.get("level"):
        condition &= Q(current=data["level"])
    return condition
