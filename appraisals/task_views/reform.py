"""A unit's annual administrative-reform (CCHC) plans: the list, a plan with its
items (the unit and person answerable, the linked tasks and their completion),
and the forms that draw the plan up."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appraisals import appraisal_services as svc
from appraisals.models import ReformPlan, ReformPlanItem, Task
from appraisals.task_forms import (
    DashboardForm,
    ReformItemForm,
    ReformLinkForm,
    ReformPlanForm,
)
from appraisals.task_permissions import (
    REFORM_EDITORS,
    REFORM_READERS,
    can_create_reform_plans,
    can_edit_reform_plan,
    can_list_reform_plans,
)
from appraisals.task_views.common import PAGE_SIZE, default_year
from hrms import policy
from positions.forms import unit_code_choices
from positions.selectors import unit_in_scope_or_404
from staff.forms import add_service_error


def _completion(rel: str) -> dict:
    """Tasks linked through `rel`: assigned, completed, completed on time."""
    done = Q(**{f"{rel}__completed_on__isnull": False})
    on_time = Q(**{f"{rel}__completed_on__lte": F(f"{rel}__due_on")})
    return {
        "assigned": Count(rel, distinct=True),
        "completed": Count(rel, filter=done, distinct=True),
        "on_time": Count(rel, filter=on_time, distinct=True),
    }


@login_required
@require_GET
def reform_plan_list(request: HttpRequest) -> HttpResponse:
    """The reform plans of the units in scope, by unit (with sub-units) and year."""
    if not can_list_reform_plans(request.user):
        raise PermissionDenied
    form = DashboardForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    plans = policy.scope(
        request.user,
        ReformPlan.objects.select_related("unit").annotate(
            item_count=Count("items", distinct=True),
            **_completion("items__tasks"),
        ),
        roles=REFORM_READERS,
    ).order_by("-year", "unit__path")
    code = (data.get("unit") or "").strip()
    if code:
        unit = unit_in_scope_or_404(request, code, REFORM_READERS)
        plans = plans.filter(unit__path__startswith=unit.path)
    if data.get("year"):
        plans = plans.filter(year=data["year"])
    context = {
        "form": form,
        "page": Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_create": can_create_reform_plans(request.user),
        "unit_codes": unit_code_choices(request.user, REFORM_READERS),
    }
    return render(request, "appraisals/tasks/reform_plan_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reform_plan_create(request: HttpRequest) -> HttpResponse:
    if not can_create_reform_plans(request.user):
        raise PermissionDenied
    form = ReformPlanForm(
        request.POST or None,
        user=request.user,
        initial={"unit": request.GET.get("unit", ""), "year": default_year()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.create_reform_plan(**form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Reform plan created."))
            return redirect("tasks:reform_plan_detail", pk=plan.pk)
    context = {
        "form": form,
        "unit_codes": unit_code_choices(request.user, REFORM_EDITORS),
    }
    return render(request, "appraisals/tasks/reform_plan_form.html", context)


def _readable_plan(request: HttpRequest, pk: int) -> ReformPlan:
    return policy.get_in_scope_or_404(
        request,
        ReformPlan.objects.select_related("unit"),
        roles=REFORM_READERS,
        pk=pk,
    )


def _detail(request: HttpRequest, plan: ReformPlan, **forms) -> HttpResponse:
    tasks = Task.objects.select_related("assignee").order_by("period", "code")
    items = (
        plan.items.select_related("responsible_unit", "responsible_person")
        .annotate(**_completion("tasks"))
        .prefetch_related(Prefetch("tasks", queryset=tasks))
    )
    can_edit = can_edit_reform_plan(request.user, plan)
    if can_edit:
        forms.setdefault("item_form", ReformItemForm(plan=plan))
    context = {
        "plan": plan,
        "items": items,
        "can_edit": can_edit,
        "unit_codes": unit_code_choices(request.user, REFORM_EDITORS)
        if can_edit
        else [],
        **forms,
    }
    return render(request, "appraisals/tasks/reform_plan_detail.html", context)


@login_required
@require_GET
def reform_plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _readable_plan(request, pk))


@login_required
@require_POST
def reform_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a reform task to the plan, with the unit and person answerable."""
    plan = _readable_plan(request, pk)
    if not can_edit_reform_plan(request.user, plan):
        raise PermissionDenied
    form = ReformItemForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            svc.add_reform_plan_item(plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Reform task added to the plan."))
            return redirect("tasks:reform_plan_detail", pk=plan.pk)
    return _detail(request, plan, item_form=form)


@login_required
@require_POST
def reform_task_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a task of the register to an item of the plan."""
    item = policy.get_in_scope_or_404(
        request,
        ReformPlanItem.objects.select_related("plan__unit"),
        roles=REFORM_READERS,
        unit_field="plan__unit",
        pk=pk,
    )
    if not can_edit_reform_plan(request.user, item.plan):
        raise PermissionDenied
    form = ReformLinkForm(request.POST, item=item)
    if form.is_valid():
        try:
            task = svc.link_reform_task(task=form.cleaned_data["task"], item=item)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Task %(code)s linked to the plan.") % {"code": task.code}
            )
            return redirect("tasks:reform_plan_detail", pk=item.plan_id)
    return _detail(request, item.plan, link_form=form, link_item=item)
