"""Screens for units, job positions, the establishment report and grade structure.

Every page reads through hrms.policy: records outside the user's scope are 404,
records in scope that the user may not change are 403 (permissions.py decides).
"""

from __future__ import annotations

import datetime as dt

import tablib
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hrms import policy
from hrms.importing.files import dataset_bytes
from hrms.pdf import content_disposition, pdf_response
from positions import selectors, services
from positions.filters import PositionFilter, VacancyFilter
from positions.forms import (
    CompetencyFormSet,
    GradeTargetForm,
    PositionForm,
    ReportForm,
    UnitForm,
    unit_code_choices,
)
from positions.models import Competency, JobPosition, OrgUnit
from positions.permissions import (
    POSITION_EDITORS,
    POSITION_READERS,
    UNIT_EDITORS,
    can_change_position,
    can_change_unit,
    can_create_position,
    can_create_unit,
    can_edit_some_unit,
    can_set_grade_target,
    can_view_positions,
)

PAGE_SIZE = 50
ESTABLISHMENT_UNITS_PER_PAGE = 20  # units (with their positions) per report page
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Units ---------------------------------------------------------------------


@login_required
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    units = policy.scope(request.user, OrgUnit.objects.all(), unit_field="")
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(Q(code__icontains=query) | Q(name__icontains=query))
    page = Paginator(units.order_by("path"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "q": query,
        "can_create": can_edit_some_unit(request.user),
    }
    return render(request, "positions/unit_list.html", context)


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = policy.get_in_scope_or_404(
        request, OrgUnit.objects.all(), unit_field="", pk=pk
    )
    sees_positions = policy.has_role_on(request.user, unit, POSITION_READERS)
    positions = (
        JobPosition.objects.filter(unit=unit).select_related("grade").with_fill()
        if sees_positions
        else JobPosition.objects.none()
    )
    context = {
        "unit": unit,
        "children": OrgUnit.objects.get_children(unit),
        "ancestors": OrgUnit.objects.get_ancestors(unit),
        "positions": positions,
        "sees_positions": sees_positions,
        "can_change": can_change_unit(request.user, unit),
    }
    return render(request, "positions/unit_detail.html", context)


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    if not can_edit_some_unit(request.user):
        raise PermissionDenied
    initial = {"parent_code": request.GET.get("parent", "")}
    form = UnitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not can_create_unit(request.user, form.parent):
            raise PermissionDenied
        unit = form.save()
        messages.success(request, _("Unit %(code)s created.") % {"code": unit.code})
        return redirect(unit)
    return _render_unit_form(request, form, None)


@login_required
def unit_update(request: HttpRequest, pk: int) -> HttpResponse:
    unit = policy.get_in_scope_or_404(
        request, OrgUnit.objects.all(), unit_field="", pk=pk
    )
    if not can_change_unit(request.user, unit):
        raise PermissionDenied
    form = UnitForm(request.POST or None, instance=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = form.save()
        except ValidationError as exc:
            form.add_error("parent_code", exc)
        else:
            messages.success(request, _("Unit %(code)s saved.") % {"code": unit.code})
            return redirect(unit)
    return _render_unit_form(request, form, unit)


def _render_unit_form(request: HttpRequest, form: UnitForm, unit) -> HttpResponse:
    context = {
        "form": form,
        "unit": unit,
        "unit_codes": unit_code_choices(request.user, UNIT_EDITORS),
    }
    return render(request, "positions/unit_form.html", context)


# Job positions -------------------------------------------------------------


def _require_reader(user) -> None:
    if not can_view_positions(user):
        raise PermissionDenied


def _positions_in_scope(user):
    return policy.scope(user, JobPosition.objects.all(), roles=POSITION_READERS)


@login_required
@require_GET
def position_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request.user)
    positions = (
        _positions_in_scope(request.user)
        .select_related("unit", "grade")
        .with_fill()
        .order_by("unit__path", "code")
    )
    filters = PositionFilter(request.GET or None, positions, request=request)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filters,
        "page": page,
        "unit_codes": unit_code_choices(request.user),
        "can_create": can_create_position(request.user),
    }
    return render(request, "positions/position_list.html", context)


@login_required
@require_GET
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = policy.get_in_scope_or_404(
        request,
        JobPosition.objects.select_related("unit", "grade").with_fill(),
        roles=POSITION_READERS,
        pk=pk,
    )
    context = {
        "position": position,
        "holders": _holders(position),
        "competencies": position.competencies.select_related("competency").order_by(
            "competency__name"
        ),
        "can_change": can_change_position(request.user, position),
    }
    return render(request, "positions/position_detail.html", context)


def _holders(position: JobPosition, on: dt.date | None = None):
    """The people holding the position on a date, with the grade in force for them.

    Staff sits above positions in the import graph, so its models are looked up
    by name, as positions.selectors does.
    """
    on = on or timezone.localdate()
    employee = apps.get_model("staff", "Employee")
    assignment = apps.get_model("staff", "Assignment")
    held = assignment.objects.active_on(on).filter(position=position)
    own = held.filter(employee=OuterRef("pk")).order_by("-starts_on", "-pk")
    return (
        employee.objects.filter(pk__in=held.values("employee"))
        .with_current_grade(on)
        .annotate(
            held_since=Subquery(own.values("starts_on")[:1]),
            is_transition_case=Subquery(own.values("is_transition_case")[:1]),
        )
        .order_by("full_name", "employee_code")
    )


@login_required
def position_create(request: HttpRequest) -> HttpResponse:
    if not can_create_position(request.user):
        raise PermissionDenied
    initial = {"unit_code": request.GET.get("unit", ""), "is_active": True}
    form = PositionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            position = services.create_position(actor=request.user, **form.changes())
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("Position %(code)s created.") % {"code": position.code}
            )
            return redirect("positions:position_detail", pk=position.pk)
    return _render_position_form(request, form, None)


@login_required
def position_update(request: HttpRequest, pk: int) -> HttpResponse:
    position = policy.get_in_scope_or_404(
        request,
        JobPosition.objects.select_related("unit", "grade"),
        roles=POSITION_READERS,
        pk=pk,
    )
    if not can_change_position(request.user, position):
        raise PermissionDenied
    form = PositionForm(request.POST or None, instance=position, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_position(
                position,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                **form.changes(),
            )
        except ValidationError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("Position %(code)s saved.") % {"code": position.code}
            )
            return redirect("positions:position_detail", pk=position.pk)
    return _render_position_form(request, form, position)


def _render_position_form(request: HttpRequest, form, position) -> HttpResponse:
    context = {
        "form": form,
        "position": position,
        "unit_codes": unit_code_choices(request.user, POSITION_EDITORS),
    }
    return render(request, "positions/position_form.html", context)


@login_required
def position_competencies(request: HttpRequest, pk: int) -> HttpResponse:
    position = policy.get_in_scope_or_404(
        request,
        JobPosition.objects.select_related("unit"),
        roles=POSITION_READERS,
        pk=pk,
    )
    if not can_change_position(request.user, position):
        raise PermissionDenied
    current = [
        {"name": row.competency.name, "required_level": row.required_level}
        for row in position.competencies.select_related("competency")
    ]
    formset = CompetencyFormSet(request.POST or None, initial=current)
    if request.method == "POST" and formset.is_valid():
        try:
            services.set_position_competencies(
                position=position, levels=formset.levels()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Competency framework saved."))
            return redirect("positions:position_detail", pk=position.pk)
    context = {
        "position": position,
        "formset": formset,
        "competency_names": Competency.objects.order_by("name").values_list(
            "name", flat=True
        )[:500],
    }
    return render(request, "positions/position_competencies.html", context)


@login_required
@require_GET
def vacancy_list(request: HttpRequest) -> HttpResponse:
    """Active positions with free seats today, for recruitment."""
    _require_reader(request.user)
    positions = (
        _positions_in_scope(request.user)
        .vacant()
        .select_related("unit", "grade")
        .order_by("unit__path", "code")
    )
    filters = VacancyFilter(request.GET or None, positions, request=request)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filters,
        "page": page,
        "unit_codes": unit_code_choices(request.user),
    }
    return render(request, "positions/vacancy_list.html", context)


# Establishment report ------------------------------------------------------


def _report_request(request: HttpRequest) -> tuple[ReportForm, OrgUnit, dt.date]:
    """The unit (in scope, else 404) and the date a report page asks for.

    Without a unit code: the highest unit of the user's scope.
    """
    _require_reader(request.user)
    form = ReportForm(request.GET)
    form.is_valid()
    code = form.cleaned_data.get("unit", "").strip()
    on = form.cleaned_data.get("on") or timezone.localdate()
    units = OrgUnit.objects.all()
    if code:
        unit = policy.get_in_scope_or_404(
            request, units, roles=POSITION_READERS, unit_field="", code=code
        )
    else:
        unit = (
            policy.scope(request.user, units, roles=POSITION_READERS, unit_field="")
            .order_by("depth", "path")
            .first()
        )
        if unit is None:
            raise Http404
    if form.is_valid():  # show what the report was computed for
        form = ReportForm(initial={"unit": unit.code, "on": on})
    return form, unit, on


def _report_query(unit: OrgUnit, on: dt.date) -> str:
    return urlencode({"unit": unit.code, "on": on.strftime("%d/%m/%Y")})


@login_required
@require_GET
def establishment_report(request: HttpRequest) -> HttpResponse:
    form, unit, on = _report_request(request)
    # Figures for the whole subtree (totals in SQL), positions drawn for one page
    # of units only: a province has thousands of units. A unit is never split
    # across pages; the exports stay complete.
    report = selectors.establishment_report(unit, on=on, load_positions=False)
    page = Paginator(
        [row for row in report.units if row.subtree.positions],
        ESTABLISHMENT_UNITS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    selectors.load_positions(page.object_list)
    context = {
        "form": form,
        "report": report,
        "page": page,
        "units": page.object_list,
        "query": _report_query(unit, on),
        "depth_offset": 1 - unit.depth,  # the report's root is drawn at depth 1
        "unit_codes": unit_code_choices(request.user),
    }
    return render(request, "positions/establishment_report.html", context)


# The exported report is an official document: Vietnamese whatever the UI language.
XLSX_HEADERS = [
    "Mã đơn vị",
    "Tên đơn vị",
    "Mã vị trí",
    "Vị trí việc làm",
    "Ngạch tương ứng",
    "Biên chế được giao",
    "Đã bố trí",
    "Còn trống",
    "Vượt biên chế",
    "Không đúng ngạch",
    "Trong đó: chuyển tiếp",
]


def _figure_cells(figures) -> list[int]:
    return [
        figures.quota,
        figures.filled,
        figures.vacant,
        figures.over_quota,
        figures.grade_mismatches,
        figures.transition_cases,
    ]


def _establishment_rows(report: selectors.EstablishmentReport) -> list[list]:
    rows = []
    for unit_row in report.units:
        unit = unit_row.unit
        for figures in unit_row.positions:
            position = figures.position
            rows.append(
                [unit.code, unit.name, position.code, position.title]
                + [f"{position.grade.code} {position.grade.name}"]
                + _figure_cells(figures)
            )
        if unit_row.positions:
            rows.append(
                [unit.code, unit.name, "", "Cộng đơn vị", ""]
                + _figure_cells(unit_row.own)
            )
        if unit != report.root and unit_row.subtree.positions > unit_row.own.positions:
            rows.append(
                [unit.code, unit.name, "", "Cộng cả đơn vị trực thuộc", ""]
                + _figure_cells(unit_row.subtree)
            )
    root = report.root
    rows.append(
        [root.code, root.name, "", "TỔNG CỘNG", ""] + _figure_cells(report.total)
    )
    return rows


@login_required
@require_GET
def establishment_xlsx(request: HttpRequest) -> HttpResponse:
    _form, unit, on = _report_request(request)
    report = selectors.establishment_report(unit, on=on)
    dataset = tablib.Dataset(
        *_establishment_rows(report), headers=XLSX_HEADERS, title="Biên chế"
    )
    response = HttpResponse(dataset_bytes(dataset, ".xlsx"), content_type=XLSX_TYPE)
    filename = f"Báo cáo biên chế {unit.code} {on:%d-%m-%Y}.xlsx"
    response["Content-Disposition"] = content_disposition(filename)
    return response


@login_required
@require_GET
def establishment_pdf(request: HttpRequest) -> HttpResponse:
    _form, unit, on = _report_request(request)
    report = selectors.establishment_report(unit, on=on)
    parent = OrgUnit.objects.get_parent(unit)
    context = {
        "report": report,
        "units": [row for row in report.units if row.subtree.positions],
        "doc_superior_body": parent.name if parent else "",
        "doc_issuer": unit.name,
        "doc_number": "      /BC",
        "doc_place": getattr(settings, "DOCUMENT_PLACE", ""),
        "doc_date": timezone.localdate(),
        "doc_title": "Báo cáo tình hình sử dụng biên chế",
        "doc_summary": f"Tính đến ngày {on:%d/%m/%Y}",
        "signer_title": "Thủ trưởng đơn vị",
        "signer_name": "",
        "recipients": ["Lưu: VT"],
    }
    filename = f"Báo cáo biên chế {unit.code} {on:%d-%m-%Y}.pdf"
    return pdf_response(
        "pdf/establishment_report.html", context, filename=filename, request=request
    )


# Grade structure -----------------------------------------------------------


@login_required
@require_GET
def unit_grade_structure(request: HttpRequest, pk: int) -> HttpResponse:
    """Share of each grade among non-leaders vs the target (Circular 13/2022)."""
    unit = policy.get_in_scope_or_404(
        request, OrgUnit.objects.all(), roles=POSITION_READERS, unit_field="", pk=pk
    )
    form = ReportForm(request.GET)
    form.is_valid()
    on = form.cleaned_data.get("on") or timezone.localdate()
    if form.is_valid():
        form = ReportForm(initial={"on": on})
    can_set = can_set_grade_target(request.user, unit)
    context = {
        "unit": unit,
        "form": form,
        "structure": selectors.grade_structure(unit, on=on),
        "target_form": GradeTargetForm() if can_set else None,
    }
    return render(request, "positions/unit_grade_structure.html", context)


@login_required
@require_POST
def grade_target_set(request: HttpRequest, pk: int) -> HttpResponse:
    unit = policy.get_in_scope_or_404(
        request, OrgUnit.objects.all(), roles=POSITION_READERS, unit_field="", pk=pk
    )
    if not can_set_grade_target(request.user, unit):
        raise PermissionDenied
    form = GradeTargetForm(request.POST)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(request, " ".join(errors))
        return redirect("positions:unit_grade_structure", pk=unit.pk)
    grade, ratio = form.cleaned_data["grade"], form.cleaned_data["target_ratio"]
    try:
        services.set_grade_structure_target(
            unit=unit, grade=grade, target_ratio=ratio, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Target for %(grade)s set to %(ratio)s%%.")
            % {"grade": grade.code, "ratio": ratio},
        )
    return redirect("positions:unit_grade_structure", pk=unit.pk)
