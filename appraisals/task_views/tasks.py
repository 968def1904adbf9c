"""My tasks, my team's tasks, and a task's page with its progress, review and
objective-cause forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from appraisals import appraisal_selectors as sel
from appraisals import appraisal_services as svc
from appraisals.models import ObjectiveCauseWaiver, Task
from appraisals.task_forms import (
    StampedForm,
    TaskAssignForm,
    TaskFilterForm,
    TaskProgressForm,
    TaskReviewForm,
    TeamTaskFilterForm,
    WaiverForm,
)
from appraisals.task_permissions import (
    TASK_READERS,
    can_approve_objective_cause,
    can_assign_task_to,
    can_assign_tasks,
    can_list_team_tasks,
    can_review_task,
    can_update_task_progress,
    is_own_task,
)
from appraisals.task_views.common import PAGE_SIZE, default_year
from hrms import policy
from hrms.calendar import holiday_set, working_days_between_array
from hrms.rules import check_version
from positions.forms import unit_code_choices
from positions.selectors import unit_in_scope_or_404
from staff.forms import add_service_error
from staff.models import Employee

Kind = ObjectiveCauseWaiver.Kind


def annotate_rows(tasks: Iterable[Task]) -> list[Task]:
    """Lateness in working days (completed late, or still open past the due date)
    and the waivers of each task, for a page of rows: one holiday query."""
    tasks = list(tasks)
    today = timezone.localdate()
    ends = {t.pk: t.completed_on or today for t in tasks}
    late = [t for t in tasks if ends[t.pk] > t.due_on]
    days: dict[int, int] = {}
    if late:
        holidays = holiday_set(
            min(t.due_on for t in late), max(ends[t.pk] for t in late)
        )
        counts = working_days_between_array(
            [t.due_on for t in late], [ends[t.pk] for t in late], holidays=holidays
        )
        days = {t.pk: int(n) for t, n in zip(late, counts, strict=True)}
    for task in tasks:
        task.late_days = days.get(task.pk, 0)
        task.is_overdue = task.completed_on is None and task.due_on < today
        task.waived = {waiver.kind for waiver in task.waivers.all()}
    return tasks


def _page(request: HttpRequest, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = annotate_rows(page.object_list)
    return page


@login_required
@require_GET
def task_mine(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own tasks (through Employee.user)."""
    employee = Employee.objects.select_related("unit").filter(user=request.user).first()
    year = default_year()
    form = TaskFilterForm(request.GET or None, default_year=year)
    page = None
    if employee is not None:
        tasks = form.filter(sel.tasks_for(employee=employee), default_year=year)
        page = _page(request, tasks)
    context = {"employee": employee, "form": form, "page": page}
    return render(request, "appraisals/tasks/task_mine.html", context)


@login_required
@require_GET
def task_team(request: HttpRequest) -> HttpResponse:
    """Tasks of the people in the units the user leads (or reads, for HR and
    inspectors), filtered by unit, person, period and state."""
    if not can_list_team_tasks(request.user):
        raise PermissionDenied
    year = default_year()
    form = TeamTaskFilterForm(request.GET or None, default_year=year)
    code = request.GET.get("unit", "").strip()
    unit = unit_in_scope_or_404(request, code, TASK_READERS) if code else None
    tasks = policy.scope(
        request.user,
        sel.tasks_for(unit=unit).select_related("assignee__unit"),
        roles=TASK_READERS,
        unit_field="assignee__unit",
    )
    context = {
        "form": form,
        "unit": unit,
        "page": _page(request, form.filter(tasks, default_year=year)),
        "can_assign": can_assign_tasks(request.user),
        "unit_codes": unit_code_choices(request.user, TASK_READERS),
    }
    return render(request, "appraisals/tasks/task_team.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    """Assign a task to a person of the user's units."""
    if not can_assign_tasks(request.user):
        raise PermissionDenied
    form = TaskAssignForm(
        request.POST or None,
        user=request.user,
        initial={"assignee": request.GET.get("assignee", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not can_assign_task_to(request.user, data["assignee"]):
            raise PermissionDenied
        try:
            task = svc.assign_task(
                assigner=Employee.objects.filter(user=request.user).first(),
                assigned_by=request.user,
                **data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Task %(code)s assigned.") % {"code": task.code}
            )
            return redirect("tasks:task_detail", pk=task.pk)
    return render(request, "appraisals/tasks/task_form.html", {"form": form})


def _tasks():
    return Task.objects.select_related(
        "assignee__unit", "assigner", "reform_item__plan"
    ).prefetch_related("waivers__approved_by")


def readable_task(request: HttpRequest, pk: int) -> Task:
    """The assignee's own task, or one in the readers' scope (else 404)."""
    task = _tasks().filter(pk=pk).first()
    if task is None:
        raise Http404
    if is_own_task(request.user, task):
        return task
    return policy.get_in_scope_or_404(
        request, _tasks(), roles=TASK_READERS, unit_field="assignee__unit", pk=pk
    )


def _detail(request: HttpRequest, task: Task, **forms) -> HttpResponse:
    user = request.user
    stamp = {"stamp": StampedForm.stamp_of(task)}
    can_progress = can_update_task_progress(user, task)
    can_review = can_review_task(user, task)
    can_waive = can_approve_objective_cause(user, task)
    if can_progress and "progress_form" not in forms:
        forms["progress_form"] = TaskProgressForm(
            initial={
                **stamp,
                "completed_on": task.completed_on,
                "has_objective_cause": task.has_objective_cause,
                "note": task.note,
            }
        )
    if can_review and "review_form" not in forms:
        forms["review_form"] = TaskReviewForm(
            initial={
                **stamp,
                "quality_defects": task.quality_defects,
                "is_above_standard": task.is_above_standard,
                "note": task.note,
            }
        )
    if can_waive and "waiver_form" not in forms:
        forms["waiver_form"] = WaiverForm(
            initial={"kind": Kind.TIMELINESS if task.is_late else Kind.QUALITY}
        )
    context = {
        "task": annotate_rows([task])[0],
        "can_progress": can_progress,
        "can_review": can_review,
        "can_waive": can_waive,
        **forms,
    }
    return render(request, "appraisals/tasks/task_detail.html", context)


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, readable_task(request, pk))


def _stamped_save(task: Task, stamp: int | None, save: Callable[[], Task]) -> Task:
    """Run the service only when the task is as the user opened it (optimistic
    locking on its last change), holding the row lock the service takes."""
    with transaction.atomic():
        current = Task.objects.select_for_update().get(pk=task.pk)
        if stamp is not None:
            check_version(StampedForm.stamp_of(current), stamp).raise_if_refused()
        return save()


def _post_task_form(
    request: HttpRequest,
    pk: int,
    *,
    allowed: Callable,
    form_class,
    form_name: str,
    save: Callable,
    done: str,
) -> HttpResponse:
    task = readable_task(request, pk)
    if not allowed(request.user, task):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(task, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("tasks:task_detail", pk=task.pk)
    task.refresh_from_db()
    return _detail(request, task, **{form_name: form})


@login_required
@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The assignee reports the completion date, an objective-cause claim, a note."""

    def save(task: Task, data: dict) -> Task:
        return _stamped_save(
            task,
            data.get("stamp"),
            lambda: svc.update_task_progress(
                task=task,
                completed_on=data["completed_on"],
                has_objective_cause=data["has_objective_cause"],
                note=data["note"],
            ),
        )

    return _post_task_form(
        request,
        pk,
        allowed=can_update_task_progress,
        form_class=TaskProgressForm,
        form_name="progress_form",
        save=save,
        done=_("Progress saved."),
    )


@login_required
@require_POST
def task_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader records the failed quality checks and accepts the product."""

    def save(task: Task, data: dict) -> Task:
        return _stamped_save(
            task,
            data.get("stamp"),
            lambda: svc.review_task(
                task=task,
                quality_defects=data["quality_defects"],
                is_above_standard=data["is_above_standard"],
                note=data["note"],
            ),
        )

    return _post_task_form(
        request,
        pk,
        allowed=can_review_task,
        form_class=TaskReviewForm,
        form_name="review_form",
        save=save,
        done=_("Review saved."),
    )


@login_required
@require_POST
def task_waive(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader confirms an objective cause (never on their own task: the rule
    refuses it with its citation)."""

    def save(task: Task, data: dict) -> ObjectiveCauseWaiver:
        return svc.approve_objective_cause(
            task=task,
            kind=data["kind"],
            reason=data["reason"],
            approved_by=request.user,
            approved_on=timezone.localdate(),
        )

    return _post_task_form(
        request,
        pk,
        allowed=can_approve_objective_cause,
        form_class=WaiverForm,
        form_name="waiver_form",
        save=save,
        done=_("Objective cause approved: the deduction is waived."),
    )
