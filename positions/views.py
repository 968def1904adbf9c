from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hrms import policy
from positions.models import OrgUnit
from positions.permissions import can_change_unit


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = policy.scope(request.user, OrgUnit.objects.all(), unit_field="")
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(Q(code__icontains=query) | Q(name__icontains=query))
    page = Paginator(units.order_by("path"), 50).get_page(request.GET.get("page"))
    return render(request, "positions/unit_list.html", {"page": page, "q": query})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = policy.get_in_scope_or_404(
        request, OrgUnit.objects.all(), unit_field="", pk=pk
    )
    children = OrgUnit.objects.get_children(unit)
    ancestors = OrgUnit.objects.get_ancestors(unit)
    context = {
        "unit": unit,
        "children": children,
        "ancestors": ancestors,
        "can_change": can_change_unit(request.user, unit),
    }
    return render(request, "positions/unit_detail.html", context)
