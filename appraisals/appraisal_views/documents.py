"""The two documents of the cycle, in Vietnamese: one person's appraisal form
(phiếu đánh giá, xếp loại chất lượng) and the agency's summary list."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from appraisals.appraisal_views.common import (
    cycle_appraisals,
    position_title,
    readable_appraisal,
    readable_cycle,
    with_current_level,
)
from appraisals.appraisal_views.explain import explanation_context, level_label
from appraisals.models import Appraisal
from hrms.pdf import pdf_response
from positions.models import OrgUnit
from staff.models import Employee

STAFF_KIND_VI = {
    Employee.StaffType.CAN_BO: "cán bộ",
    Employee.StaffType.CONG_CHUC: "công chức",
    Employee.StaffType.VIEN_CHUC: "viên chức",
}


def _header(unit: OrgUnit, on) -> dict:
    parent = OrgUnit.objects.get_parent(unit) if unit.depth > 1 else None
    return {
        "doc_superior_body": parent.name if parent else "",
        "doc_issuer": unit.name,
        "doc_place": getattr(settings, "DOCUMENT_PLACE", ""),
        "doc_date": on,
    }


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@login_required
@require_GET
def appraisal_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's appraisal form: self-assessment, the manager's comment, the
    score breakdown, the level and the three signatures."""
    appraisal = readable_appraisal(request, pk)
    employee = appraisal.employee
    cycle = appraisal.cycle
    on = appraisal.decided_on or timezone.localdate()
    with translation.override("vi"):
        kind = STAFF_KIND_VI.get(employee.staff_type, "công chức")
        context = {
            **_header(cycle.unit, on),
            **explanation_context(appraisal),
            "appraisal": appraisal,
            "employee": employee,
            "cycle": cycle,
            "position_title": position_title(employee, on),
            "staff_kind": kind,
            "doc_number": f"{appraisal.pk}/PĐG",
            "doc_title": f"Phiếu đánh giá, xếp loại chất lượng {kind}",
            "doc_summary": f"Năm {cycle.year}",
            "computed_level": level_label(appraisal.computed_level),
            "proposed_level": level_label(appraisal.proposed_level),
            "decided_level": level_label(appraisal.decided_level),
            "manager_name": _name(appraisal.proposed_by),
            "head_name": _name(appraisal.decided_by),
        }
        filename = f"Phiếu đánh giá {employee.employee_code} {cycle.year}.pdf"
        return pdf_response(
            "pdf/appraisal_form.html", context, filename=filename, request=request
        )


@login_required
@require_GET
def cycle_summary_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's summary list: numbered rows, counts per level at the end."""
    cycle = readable_cycle(request, pk)
    rows = list(
        with_current_level(cycle_appraisals(request, cycle))
        .exclude(status=Appraisal.Status.LEFT)
        .order_by("unit__path", "employee__full_name", "employee__employee_code")
    )
    on = timezone.localdate()
    titles = dict(
        Employee.objects.filter(pk__in=[r.employee_id for r in rows])
        .with_current_position(on)
        .values_list("pk", "current_position_title")
    )
    with translation.override("vi"):
        entries = []
        for row in rows:
            score = row.decided_score if row.is_decided else None
            score = score if score is not None else row.proposed_score
            score = score if score is not None else row.computed_score
            entries.append(
                {
                    "appraisal": row,
                    "position": titles.get(row.employee_id) or "",
                    "score": score,
                    "level": level_label(row.current),
                    "note": _note(row),
                }
            )
        counts = Counter(row.current for row in rows)
        context = {
            **_header(cycle.unit, on),
            "cycle": cycle,
            "entries": entries,
            "counts": [
                (str(label), counts.get(value, 0))
                for value, label in Appraisal.Level.choices
            ],
            "unrated": counts.get("", 0),
            "total": len(rows),
            "doc_number": f"{cycle.pk}/DSTH",
            "doc_title": "Danh sách tổng hợp kết quả đánh giá, xếp loại",
            "doc_summary": f"chất lượng cán bộ, công chức, viên chức năm {cycle.year}",
        }
        filename = f"Danh sách tổng hợp {cycle.unit.code} {cycle.year}.pdf"
        return pdf_response(
            "pdf/appraisal_summary.html", context, filename=filename, request=request
        )


def _note(appraisal: Appraisal) -> str:
    if appraisal.eligibility == Appraisal.Eligibility.NOT_RATED:
        return "Không xếp loại (công tác dưới 6 tháng)"
    if not appraisal.is_decided:
        return "Chưa quyết định"
    return appraisal.decision_note
