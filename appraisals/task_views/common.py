"""Helpers shared by the task register screens."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone

from hrms import policy
from positions.models import OrgUnit

PAGE_SIZE = 50


def default_year() -> int:
    return timezone.localdate().year


def unit_in_scope(request: HttpRequest, code: str, roles) -> OrgUnit:
    """The unit of that code inside the scope (404 outside it, and an inspector's
    read is logged); without a code, the highest unit of the user's scope."""
    units = OrgUnit.objects.all()
    if code:
        return policy.get_in_scope_or_404(
            request, units, roles=roles, unit_field="", code__iexact=code
        )
    unit = (
        policy.scope(request.user, units, roles=roles, unit_field="")
        .order_by("depth", "path")
        .first()
    )
    if unit is None:
        raise Http404
    return unit
