"""Staff screens: the list, the personnel file, its forms and its PDF summary.

Every record comes through hrms.policy: outside the user's scope is a 404, in
scope but not allowed is a 403. Writes go through staff/services.py.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrms import policy
from hrms.pdf import pdf_response
from positions.models import Grade, OrgUnit
from positions.rules import base_pay, base_salary_on
from staff import services
from staff.filters import EmployeeFilter
from staff.forms import (
    AnnualRatingForm,
    AssignmentForm,
    CommendationForm,
    EmployeeForm,
    GradeStepForm,
    add_service_error,
)
from staff.models import Employee
from staff.permissions import (
    STAFF_READERS,
    can_change_employee,
    can_create_employee,
    can_list_employees,
    is_own_file,
    national_id_for,
)
from staff.selectors import employee_timeline

PAGE_SIZE = 50


def _employees():
    """Employees with their unit and current grade and position, one query."""
    return (
        Employee.objects.select_related("unit")
        .with_current_grade()
        .with_current_position()
    )


def _readable_employee(request: HttpRequest, pk: int) -> Employee:
    """An employee in the user's read scope (reads logged) or their own file."""
    try:
        return policy.get_in_scope_or_404(
            request, _employees(), roles=STAFF_READERS, pk=pk
        )
    except Http404:
        return get_object_or_404(_employees(), pk=pk, user_id=request.user.pk)


def _editable_employee(request: HttpRequest, pk: int) -> Employee:
    employee = _readable_employee(request, pk)
    if not can_change_employee(request.user, employee):
        raise PermissionDenied
    return employee


def _file_context(request: HttpRequest, employee: Employee) -> dict:
    """What the personnel file page and its PDF show."""
    today = timezone.localdate()
    grade = None
    if employee.current_grade_id:
        grade = Grade.objects.filter(pk=employee.current_grade_id).first()
    try:
        base_salary = base_salary_on(today)
    except ValidationError:
        base_salary = None
    pay = None
    if base_salary is not None and employee.current_coefficient is not None:
        pay = base_pay(employee.current_coefficient, base_salary)
    return {
        "employee": employee,
        "national_id": national_id_for(request.user, employee),
        "current_grade": grade,
        "base_salary": base_salary,
        "monthly_base_pay": pay,
        "timeline": employee_timeline(employee),
        "can_change": can_change_employee(request.user, employee),
        "is_own_file": is_own_file(request.user, employee),
        "today": today,
    }


@login_required
@require_GET
def employee_list(request: HttpRequest) -> HttpResponse:
    if not can_list_employees(request.user):
        raise PermissionDenied
    employees = policy.scope(request.user, _employees(), roles=STAFF_READERS)
    filterset = EmployeeFilter(request.GET, queryset=employees, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for employee in page:
        employee.national_id_shown = national_id_for(request.user, employee)
    context = {
        "filter": filterset,
        "page": page,
        "can_create": can_create_employee(request.user),
    }
    return render(request, "staff/employee_list.html", context)


@login_required
@require_GET
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _readable_employee(request, pk)
    context = _file_context(request, employee)
    return render(request, "staff/employee_detail.html", context)


@login_required
@require_GET
def my_profile(request: HttpRequest) -> HttpResponse:
    employee = get_object_or_404(_employees(), user_id=request.user.pk)
    context = _file_context(request, employee)
    return render(request, "staff/employee_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request: HttpRequest) -> HttpResponse:
    if not can_create_employee(request.user):
        raise PermissionDenied
    form = EmployeeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.create_employee(
                **form.employee_fields(), actor=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The personnel file was created."))
            return redirect("staff:employee_detail", pk=employee.pk)
    return render(request, "staff/employee_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _editable_employee(request, pk)
    form = EmployeeForm(request.POST or None, instance=employee, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_employee(
                employee,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                **form.employee_fields(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The personnel file was saved."))
            return redirect("staff:employee_detail", pk=employee.pk)
    context = {"form": form, "employee": employee}
    return render(request, "staff/employee_form.html", context)


def _record(
    request: HttpRequest,
    pk: int,
    form: BaseForm,
    perform: Callable[[Employee, dict], object],
    *,
    title: str,
    success: str,
) -> HttpResponse:
    """The shared flow of the small forms on a personnel file."""
    employee = _editable_employee(request, pk)
    if request.method == "POST" and form.is_valid():
        try:
            perform(employee, form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect("staff:employee_detail", pk=employee.pk)
    context = {"employee": employee, "form": form, "title": title}
    return render(request, "staff/employee_record_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def employee_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(employee: Employee, data: dict):
        return services.assign_position(
            employee=employee,
            position=data["position_code"],
            starts_on=data["starts_on"],
            decision_number=data["decision_number"],
            decided_on=data["decided_on"],
            signer=data["signer"],
            is_transition_case=data["is_transition_case"],
            override_reason=data["override_reason"],
            actor=request.user,
        )

    form = AssignmentForm(request.POST or None, user=request.user)
    return _record(
        request,
        pk,
        form,
        perform,
        title=_("Assign to a job position"),
        success=_("The assignment was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_record_grade(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(employee: Employee, data: dict):
        return services.record_grade_step(employee=employee, actor=request.user, **data)

    return _record(
        request,
        pk,
        GradeStepForm(request.POST or None),
        perform,
        title=_("Record a grade or salary step"),
        success=_("The grade and step were recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_add_commendation(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(employee: Employee, data: dict):
        return services.record_commendation(
            employee=employee, actor=request.user, **data
        )

    return _record(
        request,
        pk,
        CommendationForm(request.POST or None),
        perform,
        title=_("Add a commendation"),
        success=_("The commendation was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_record_rating(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(employee: Employee, data: dict):
        return services.record_annual_rating(
            employee=employee, actor=request.user, **data
        )

    return _record(
        request,
        pk,
        AnnualRatingForm(request.POST or None),
        perform,
        title=_("Record an annual rating"),
        success=_("The annual rating was recorded."),
    )


@login_required
@require_GET
def employee_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _readable_employee(request, pk)
    unit = employee.unit
    parent = OrgUnit.objects.get_parent(unit) if unit.depth > 1 else None
    # An official document: in Vietnamese whatever the interface language.
    with translation.override("vi"):
        context = _file_context(request, employee)
        context.update(
            doc_superior_body=parent.name if parent else "",
            doc_issuer=unit.name,
            doc_number=f"{employee.employee_code}/TTHS",
            doc_date=context["today"],
            prepared_by=request.user.get_full_name() or request.user.get_username(),
        )
        filename = f"Tóm tắt hồ sơ {employee.employee_code}.pdf"
        return pdf_response(
            "pdf/personnel_summary.html", context, filename=filename, request=request
        )
