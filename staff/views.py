"""Staff screens: the list, the personnel file, its forms and its PDF summary.

Every record comes through hrms.policy: outside the user's scope is a 404, in
scope but not allowed is a 403. Writes go through staff/services.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import tablib
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hrms import policy
from hrms.importing.files import dataset_bytes
from hrms.pdf import content_disposition, pdf_response
from hrms.privacy import log_web_export
from positions.models import Grade, OrgUnit
from positions.rules import base_pay, base_salary_on
from staff import discipline_rules as drules
from staff import services
from staff.discipline import (
    Rulebook,
    case_clock,
    discipline_bars,
    employee_violation_dates,
    form_options,
    holds_leadership,
    open_case_rows,
    required_form_for,
)
from staff.filters import EmployeeFilter
from staff.forms import (
    AnnualRatingForm,
    AnnulmentForm,
    AssignmentForm,
    CircumstanceForm,
    CommendationForm,
    CouncilForm,
    DecisionForm,
    DisciplineCaseForm,
    EarlyRaiseFilterForm,
    EarlyRaiseRecordForm,
    EmployeeForm,
    EndSuspensionForm,
    ExplanationForm,
    ExtensionForm,
    GradeStepForm,
    NoDisciplineForm,
    RaiseDueFilterForm,
    RaiseRecordForm,
    SuspensionForm,
    ViolationForm,
    add_service_error,
)
from staff.models import DisciplineCase, Employee
from staff.permissions import (
    DISCIPLINE_READERS,
    RAISE_MANAGERS,
    STAFF_READERS,
    can_change_discipline_case,
    can_change_employee,
    can_create_employee,
    can_list_discipline_cases,
    can_list_employees,
    can_manage_raises,
    can_open_discipline_case,
    is_own_file,
    national_id_for,
)
from staff.rules import add_months
from staff.selectors import early_raise_candidates, employee_timeline, raise_due

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
    see_discipline = is_own_file(request.user, employee) or policy.has_role_on(
        request.user, employee.unit, DISCIPLINE_READERS
    )
    clocks = raise_due(today, Employee.objects.filter(pk=employee.pk))
    return {
        "raise_clock": clocks[0] if clocks else None,
        "discipline_cases": employee.discipline_cases.all() if see_discipline else None,
        "can_open_case": can_open_discipline_case(request.user, employee),
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


# Discipline cases ---------------------------------------------------------------------


def _cases():
    return DisciplineCase.objects.select_related("employee", "employee__unit")


def _readable_case(request: HttpRequest, pk: int) -> DisciplineCase:
    """A case in the user's discipline scope (inspector reads logged), or one of
    their own; 403 for a reader of the employee's file who may not see discipline."""
    try:
        return policy.get_in_scope_or_404(
            request,
            _cases(),
            roles=DISCIPLINE_READERS,
            unit_field="employee__unit",
            pk=pk,
        )
    except Http404:
        case = get_object_or_404(_cases(), pk=pk)
        if is_own_file(request.user, case.employee):
            return case
        if policy.has_role_on(request.user, case.employee.unit, STAFF_READERS):
            raise PermissionDenied from None
        raise


def _editable_case(request: HttpRequest, pk: int) -> DisciplineCase:
    case = _readable_case(request, pk)
    if not can_change_discipline_case(request.user, case):
        raise PermissionDenied
    return case


def _case_context(request: HttpRequest, case: DisciplineCase) -> dict:
    today = timezone.localdate()
    rulebook = Rulebook.load()
    leader = holds_leadership(case.employee, today)
    required, required_why = required_form_for(case, rulebook, on=today, leader=leader)
    limit = rulebook.time_limit(today)
    violations = list(case.violations.all())
    dates = employee_violation_dates(case.employee_id)
    limitation = []
    for v in violations:
        later = [d for d in dates if d > v.occurred_on]
        row = {"violation": v}
        if limit is not None and not v.no_limitation:
            row["reprimand"] = drules.limitation_expiry(
                v.occurred_on, later=later, years=limit.limitation_years_reprimand
            )[0]
            row["other"] = drules.limitation_expiry(
                v.occurred_on, later=later, years=limit.limitation_years_other
            )[0]
        limitation.append(row)
    return {
        "case": case,
        "employee": case.employee,
        "violations": violations,
        "limitation": limitation,
        "time_limit": limit,
        "circumstances": list(case.circumstances.all()),
        "council": list(case.council_members.all()),
        "suspensions": list(case.suspensions.all()),
        "clock": case_clock(case, rulebook, today) if case.is_open else None,
        "explanation": drules.check_explanation(
            submitted_on=case.explanation_submitted_on,
            deadline=case.explanation_deadline,
            on=today,
        ),
        "required_form": required,
        "required_why": required_why,
        "bars": discipline_bars(case.employee, today),
        "can_change": can_change_discipline_case(request.user, case),
        "is_own_case": is_own_file(request.user, case.employee),
        "citations": {
            "handling": drules.HANDLING_CITATION,
            "limitation": drules.LIMITATION_CITATION,
        },
        "today": today,
    }


@login_required
@require_GET
def discipline_case_list(request: HttpRequest) -> HttpResponse:
    """Open cases overdue first, then by days left; or every case of a status."""
    if not can_list_discipline_cases(request.user):
        raise PermissionDenied
    cases = policy.scope(
        request.user,
        _cases().prefetch_related("suspensions"),
        roles=DISCIPLINE_READERS,
        unit_field="employee__unit",
    )
    status = request.GET.get("status") or DisciplineCase.Status.OPEN
    if status not in DisciplineCase.Status.values:
        status = DisciplineCase.Status.OPEN
    today = timezone.localdate()
    number = request.GET.get("page")
    if status == DisciplineCase.Status.OPEN:
        # Sorted by computed deadline, so in memory; open cases are few.
        rows = open_case_rows(cases.open(), Rulebook.load(), today)
        page = Paginator(rows, PAGE_SIZE).get_page(number)
    else:
        page = Paginator(cases.filter(status=status), PAGE_SIZE).get_page(number)
        page.object_list = [{"case": c, "clock": None} for c in page.object_list]
    context = {
        "page": page,
        "status": status,
        "statuses": DisciplineCase.Status.choices,
        "today": today,
        "can_manage_raises": can_manage_raises(request.user),
    }
    return render(request, "staff/discipline_case_list.html", context)


@login_required
@require_GET
def my_discipline_cases(request: HttpRequest) -> HttpResponse:
    employee = get_object_or_404(Employee, user_id=request.user.pk)
    cases = employee.discipline_cases.all()
    context = {"employee": employee, "cases": cases}
    return render(request, "staff/discipline_my_cases.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_create(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _readable_employee(request, pk)
    if not can_open_discipline_case(request.user, employee):
        raise PermissionDenied
    form = DisciplineCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_discipline_case(
                employee=employee, actor=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The discipline case was opened."))
            return redirect(case)
    context = {
        "employee": employee,
        "form": form,
        "title": _("Open a discipline case"),
    }
    return render(request, "staff/discipline_case_form.html", context)


@login_required
@require_GET
def discipline_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _readable_case(request, pk)
    return render(
        request, "staff/discipline_case_detail.html", _case_context(request, case)
    )


def _case_action(
    request: HttpRequest,
    case: DisciplineCase,
    form: BaseForm,
    perform: Callable[[dict], object],
    *,
    title: str,
    success: str,
    template: str = "staff/discipline_case_form.html",
    extra: dict | None = None,
) -> HttpResponse:
    """The shared flow of the forms on a case: parse, call one service, redirect."""
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, success)
            return redirect(case)
    context = {"case": case, "employee": case.employee, "form": form, "title": title}
    context.update(extra or {})
    return render(request, template, context)


def _versioned(data: dict) -> dict:
    """The cleaned data as service keywords: `version` becomes `expected_version`."""
    data = dict(data)
    data["expected_version"] = data.pop("version")
    return data


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_add_violation(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return _case_action(
        request,
        case,
        ViolationForm(request.POST or None, case=case),
        lambda data: services.add_violation(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Add a violation"),
        success=_("The violation was added."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_add_circumstance(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return _case_action(
        request,
        case,
        CircumstanceForm(request.POST or None, case=case),
        lambda data: services.add_circumstance(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Add a circumstance"),
        success=_("The circumstance was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_explanation(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    form = ExplanationForm(
        request.POST or None,
        case=case,
        initial={
            "deadline": case.explanation_deadline,
            "submitted_on": case.explanation_submitted_on,
            "text": case.explanation_text,
        },
    )
    return _case_action(
        request,
        case,
        form,
        lambda data: services.record_explanation(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("The employee's written explanation"),
        success=_("The explanation was recorded."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_council(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    form = CouncilForm(request.POST or None, case=case)
    return _case_action(
        request,
        case,
        form,
        lambda data: services.set_discipline_council(
            case=case,
            members=form.members(),
            expected_version=data["version"],
            actor=request.user,
        ),
        title=_("The discipline council"),
        success=_("The council was recorded."),
        template="staff/discipline_council_form.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return _case_action(
        request,
        case,
        ExtensionForm(request.POST or None, case=case),
        lambda data: services.extend_discipline_case(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Extend the handling time limit"),
        success=_("The handling time limit was extended."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_suspend(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return _case_action(
        request,
        case,
        SuspensionForm(request.POST or None, case=case),
        lambda data: services.suspend_discipline_case(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Not yet considered (suspension)"),
        success=_("The suspension was recorded; the handling clock is paused."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_end_suspension(
    request: HttpRequest, pk: int, suspension_pk: int
) -> HttpResponse:
    case = _editable_case(request, pk)
    suspension = get_object_or_404(case.suspensions, pk=suspension_pk)
    return _case_action(
        request,
        case,
        EndSuspensionForm(request.POST or None, case=case),
        lambda data: services.end_suspension(
            suspension=suspension, actor=request.user, **_versioned(data)
        ),
        title=_("End the suspension"),
        success=_("The suspension ended; the handling clock runs again."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision; the forms offered are those allowed on the date shown."""
    case = _editable_case(request, pk)
    on = _date_param(request.GET.get("on")) or timezone.localdate()
    rulebook = Rulebook.load()
    leader = holds_leadership(case.employee, on)
    options = form_options(rulebook, employee=case.employee, on=on, leader=leader)
    required, required_why = required_form_for(case, rulebook, on=on, leader=leader)
    offered = [(o.form, o.label) for o in options if o.result.ok]
    form = DecisionForm(
        request.POST or None,
        case=case,
        offered=offered,
        initial={"decided_on": on, "effective_on": on, "form": required},
    )
    return _case_action(
        request,
        case,
        form,
        lambda data: services.decide_discipline(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Record the discipline decision"),
        success=_("The discipline decision was recorded."),
        template="staff/discipline_decision_form.html",
        extra={
            "on": on,
            "options": options,
            "required_form": required,
            "required_why": required_why,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return _case_action(
        request,
        case,
        NoDisciplineForm(request.POST or None, case=case),
        lambda data: services.close_without_discipline(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Decide not to discipline"),
        success=_("The case was closed without discipline."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def discipline_case_annul(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return _case_action(
        request,
        case,
        AnnulmentForm(request.POST or None, case=case),
        lambda data: services.annul_discipline(
            case=case, actor=request.user, **_versioned(data)
        ),
        title=_("Annul the discipline decision"),
        success=_("The discipline decision was annulled."),
    )


@login_required
@require_GET
def discipline_case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    case = _readable_case(request, pk)
    if case.status not in (
        DisciplineCase.Status.DECIDED,
        DisciplineCase.Status.ANNULLED,
    ):
        raise Http404
    employee = case.employee
    unit = employee.unit
    parent = OrgUnit.objects.get_parent(unit) if unit.depth > 1 else None
    rulebook = Rulebook.load(forms=False, limits=False, settings=False)
    effect = rulebook.effect(case.form, employee.staff_type, case.decided_on)
    held = (
        Employee.objects.filter(pk=employee.pk)
        .with_current_position(case.decided_on)
        .values_list("current_position_title", flat=True)
        .first()
    )
    with translation.override("vi"):
        context = {
            "case": case,
            "employee": employee,
            "violations": list(case.violations.all()),
            "circumstances": list(case.circumstances.all()),
            "form_name": drules.FORM_NAMES_VI.get(case.form, case.form),
            "honorific": "Bà" if employee.gender == Employee.Gender.FEMALE else "Ông",
            "position_title": held or "",
            "legal_bases": drules.document_bases_vi(
                employee.staff_type, case.decided_on
            ),
            "effect": effect,
            "bar_until": (
                add_months(case.effective_on, effect.bar_months) - dt.timedelta(days=1)
                if effect and effect.bar_months
                else None
            ),
            "raise_extension_months": effect.raise_extension_months if effect else 0,
            "doc_superior_body": parent.name if parent else "",
            "doc_issuer": unit.name,
            "doc_number": case.decision_number,
            "doc_place": getattr(settings, "DOCUMENT_PLACE", ""),
            "doc_date": case.decided_on,
            "doc_title": "Quyết định",
            "signer_title": case.signer_title or "Thủ trưởng đơn vị",
            "signer_name": case.signer,
            "recipients": [f"{employee.full_name}", "Lưu: VT, TCCB"],
        }
        filename = f"Quyết định kỷ luật {employee.employee_code}.pdf"
        return pdf_response(
            "pdf/discipline_decision.html", context, filename=filename, request=request
        )


# Raises -------------------------------------------------------------------------------

RAISE_EXPORT_COLUMNS = [
    "employee_code",
    "full_name",
    "unit_code",
    "grade_code",
    "step",
    "next_step",
    "kind",
    "step_since",
    "due_on",
    "extension_months",
    "allowance_percent",
    "reasons",
]


def _date_param(value: str | None):
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def raise_export_row(row) -> list:
    """One raise-clock row as the export columns (the CLI's csv uses the same)."""
    return [
        row.employee_code,
        row.full_name,
        row.unit_code,
        row.grade_code,
        row.step,
        row.next_step if row.next_step is not None else "",
        row.kind,
        row.step_since.isoformat(),
        row.due_on.isoformat(),
        row.extension_months,
        row.allowance_percent if row.kind == "allowance" else "",
        " | ".join(str(r) for r in row.reasons),
    ]


def _raise_rows(request: HttpRequest):
    on, unit = timezone.localdate(), None
    form = RaiseDueFilterForm(
        request.GET or None, user=request.user, initial={"on": on}
    )
    if form.is_bound and form.is_valid():
        on = form.cleaned_data["on"] or on
        unit = form.cleaned_data["unit"]
    employees = policy.scope(request.user, Employee.objects.all(), roles=RAISE_MANAGERS)
    if unit is not None:
        employees = employees.in_subtree(unit)
    return form, on, unit, raise_due(on, employees, due_only=True)


@login_required
@require_GET
def raise_due_list(request: HttpRequest) -> HttpResponse:
    if not can_manage_raises(request.user):
        raise PermissionDenied
    form, on, unit, rows = _raise_rows(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter_form": form, "on": on, "unit": unit, "page": page}
    return render(request, "staff/raise_due_list.html", context)


@login_required
@require_GET
def raise_due_export(request: HttpRequest) -> HttpResponse:
    if not can_manage_raises(request.user):
        raise PermissionDenied
    _form, on, _unit, rows = _raise_rows(request)
    dataset = tablib.Dataset(
        *(raise_export_row(r) for r in rows),
        headers=RAISE_EXPORT_COLUMNS,
        title="raise_due",
    )
    response = HttpResponse(
        dataset_bytes(dataset, ".xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition(
        f"raise_due_{on.isoformat()}.xlsx"
    )
    log_web_export(request, name="raise_due", rows=len(dataset))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def raise_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a regular step raise the clock says is due."""
    employee = _editable_employee(request, pk)
    on = _date_param(request.GET.get("on")) or timezone.localdate()
    clocks = raise_due(on, Employee.objects.filter(pk=employee.pk))
    clock = clocks[0] if clocks else None
    form = RaiseRecordForm(
        request.POST or None,
        initial={"effective_on": clock.due_on if clock else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_regular_raise(
                employee=employee, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The step raise was recorded."))
            return redirect(f"{reverse('staff:raise_due_list')}?on={on.isoformat()}")
    context = {"employee": employee, "form": form, "clock": clock, "on": on}
    return render(request, "staff/raise_record_form.html", context)


@login_required
@require_GET
def early_raise_list(request: HttpRequest) -> HttpResponse:
    if not can_manage_raises(request.user):
        raise PermissionDenied
    params = request.GET.copy()
    params.setdefault("year", str(timezone.localdate().year))
    form = EarlyRaiseFilterForm(
        params if "unit" in request.GET else None, user=request.user
    )
    form.initial = {"year": params["year"]}
    report = None
    if form.is_bound and form.is_valid():
        report = early_raise_candidates(
            form.cleaned_data["unit"], form.cleaned_data["year"]
        )
    context = {"filter_form": form, "report": report}
    return render(request, "staff/raise_early_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def early_raise_record(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _editable_employee(request, pk)
    year = _int_param(request.GET.get("year")) or timezone.localdate().year
    unit = policy.scope(
        request.user,
        OrgUnit.objects.filter(code=request.GET.get("unit") or employee.unit.code),
        roles=RAISE_MANAGERS,
        unit_field="",
    ).first()
    if unit is None:
        raise Http404
    commendations = employee.commendations.filter(is_used_for_early_raise=False)
    form = EarlyRaiseRecordForm(request.POST or None, commendations=commendations)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_early_raise(
                employee=employee,
                year=year,
                unit=unit,
                actor=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The early step raise was recorded."))
            query = f"?unit={unit.code}&year={year}"
            return redirect(reverse("staff:early_raise_list") + query)
    context = {"employee": employee, "form": form, "year": year, "unit": unit}
    return render(request, "staff/raise_early_form.html", context)


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None
