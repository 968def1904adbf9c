"""One-stop-shop screens: the counter officer's dossiers of the day, the at-risk
list and the apology slip (form 04, with its PDF); the dossier register and a
dossier's control slip (form 05); the unit's service indicators with their
monthly trend, and the monthly report as XLSX and PDF.

Every record comes through hrms.policy: outside the user's scope is a 404, in
scope but not allowed is a 403 (appraisals/permissions.py decides); inspectors
only read, and each record they open is logged. Writes go through
appraisals/services.py; the figures come from appraisals/selectors.py and the
judgements, with their reasons, from appraisals/rules.py.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from appraisals import charts, rules, selectors, services
from appraisals.forms import (
    ApologySlipForm,
    DossierFilter,
    IndicatorReportForm,
    late_q,
    local_bounds,
)
from appraisals.models import (
    CitizenRating,
    ConductIncident,
    Dossier,
    DossierStep,
)
from appraisals.permissions import (
    DOSSIER_READERS,
    INDICATOR_READERS,
    can_issue_apology_slip,
    can_list_dossiers,
    can_view_indicators,
)
from hrms import policy
from hrms.calendar import holiday_set
from hrms.importing.files import escape_formula
from hrms.pdf import content_disposition, pdf_response
from hrms.privacy import log_web_export
from positions.forms import unit_code_choices
from positions.models import OrgUnit
from positions.selectors import unit_in_scope_or_404
from staff.forms import add_service_error
from staff.models import Employee

PAGE_SIZE = 50
LATE_NO_SLIP_DAYS = 30  # the at-risk page also lists dossiers overdue this recently
LATE_NO_SLIP_SHOWN = 20
LATE_ROWS_SHOWN = 50
RATINGS_SHOWN = 20
INCIDENTS_SHOWN = 50
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dossiers() -> QuerySet:
    return Dossier.objects.select_related(
        "procedure", "unit", "receiving_officer", "apology_slip", "rating"
    )


def _promised(queryset: QuerySet) -> QuerySet:
    """The return date in force: the apology slip's new date, else the due time."""
    return queryset.annotate(promised_at=Coalesce("rescheduled_due_at", "due_at"))


def _with_lateness(queryset: QuerySet, as_of: dt.datetime) -> QuerySet:
    return queryset.annotate(
        is_late=Case(
            When(late_q(as_of), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _readable_dossier(request: HttpRequest, pk: int) -> Dossier:
    """A dossier in the user's read scope (an inspector's read is logged)."""
    return policy.get_in_scope_or_404(
        request, _dossiers(), roles=DOSSIER_READERS, pk=pk
    )


def _at_risk_horizon(now: dt.datetime) -> dt.datetime:
    today = timezone.localdate(now)
    return rules.at_risk_horizon(
        now, holidays=holiday_set(today, today + dt.timedelta(days=31))
    )


# Counter officer ----------------------------------------------------------------


@login_required
@require_GET
def dossier_today(request: HttpRequest) -> HttpResponse:
    """The dossiers the user received or holds a step of, received or due today."""
    if not can_list_dossiers(request.user):
        raise PermissionDenied
    officer = Employee.objects.filter(user_id=request.user.pk).first()
    now = timezone.now()
    today = timezone.localdate(now)
    start, end = local_bounds(today, today)
    dossiers = Dossier.objects.none()
    if officer is not None:
        held = DossierStep.objects.filter(dossier=OuterRef("pk"), officer=officer)
        dossiers = (
            policy.scope(request.user, _promised(_dossiers()), roles=DOSSIER_READERS)
            .filter(Q(receiving_officer=officer) | Exists(held))
            .filter(
                Q(received_at__gte=start, received_at__lt=end)
                | Q(promised_at__gte=start, promised_at__lt=end)
            )
            .order_by("promised_at", "code")
        )
    page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
    horizon = _at_risk_horizon(now)
    for dossier in page:
        dossier.is_at_risk = dossier.is_open and now < dossier.promised_at <= horizon
        dossier.is_overdue = dossier.is_open and dossier.promised_at <= now
        dossier.can_issue = can_issue_apology_slip(request.user, dossier)
    context = {"officer": officer, "page": page, "today": today, "now": now}
    return render(request, "appraisals/dossier_today.html", context)


@login_required
@require_GET
def dossier_at_risk(request: HttpRequest) -> HttpResponse:
    """Open dossiers due within one working day, and those recently overdue with
    no apology slip."""
    if not can_list_dossiers(request.user):
        raise PermissionDenied
    unit = unit_in_scope_or_404(
        request, request.GET.get("unit", "").strip(), DOSSIER_READERS
    )
    now = timezone.now()
    today = timezone.localdate(now)
    risky = policy.scope(
        request.user,
        selectors.at_risk_dossiers(unit, now).select_related("apology_slip"),
        roles=DOSSIER_READERS,
    )
    page = Paginator(risky, PAGE_SIZE).get_page(request.GET.get("page"))
    for dossier in page:
        dossier.can_issue = can_issue_apology_slip(request.user, dossier)
    overdue = selectors.late_without_slip(
        unit,
        as_of=now,
        period_start=today - dt.timedelta(days=LATE_NO_SLIP_DAYS),
        period_end=today,
    ).filter(returned_at__isnull=True)
    context = {
        "unit": unit,
        "page": page,
        "now": now,
        "overdue": list(overdue[:LATE_NO_SLIP_SHOWN]),
        "overdue_count": overdue.count(),
        "overdue_days": LATE_NO_SLIP_DAYS,
        "unit_codes": unit_code_choices(request.user, DOSSIER_READERS),
        "late_list_query": urlencode({"unit": unit.code, "late": "on"}),
    }
    return render(request, "appraisals/dossier_at_risk.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apology_slip_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the apology slip (form 04) of a dossier: once, and flagged when late."""
    dossier = _readable_dossier(request, pk)
    if not can_issue_apology_slip(request.user, dossier):
        raise PermissionDenied
    open_steps = dossier.steps.filter(finished_at__isnull=True).values_list(
        "officer__employee_code", flat=True
    )
    form = ApologySlipForm(
        request.POST or None,
        initial={"responsible_officers": ", ".join(dict.fromkeys(open_steps))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            slip = services.issue_apology_slip(
                dossier=dossier,
                reason=form.cleaned_data["reason"],
                new_due_at=form.cleaned_data["new_due_at"],
                responsible_officers=form.cleaned_data["responsible_officers"],
                issued_by=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if slip.is_issued_late:
                messages.warning(
                    request,
                    _(
                        "The apology slip was recorded, and flagged: it was issued "
                        "less than one day before the due time."
                    ),
                )
            else:
                messages.success(request, _("The apology slip was recorded."))
            return redirect("appraisals:dossier_detail", pk=dossier.pk)
    now = timezone.now()
    context = {
        "dossier": dossier,
        "form": form,
        "reschedule": _earlier_reschedule(dossier),
        "timing": rules.check_slip_timing(issued_at=now, due_at=dossier.due_at),
    }
    return render(request, "appraisals/apology_slip_form.html", context)


def _earlier_reschedule(dossier: Dossier):
    """The rule's reason to refuse a slip when the return date was already moved,
    else None."""
    slip = getattr(dossier, "apology_slip", None)
    earlier = dossier.rescheduled_due_at or (slip.new_due_at if slip else None)
    if earlier is None:
        return None
    verdict = rules.check_reschedule(
        due_at=dossier.due_at,
        new_due_at=earlier + dt.timedelta(days=1),
        rescheduled_to=earlier,
        on=timezone.localdate(),
    )
    return None if verdict else verdict.reason


@login_required
@require_GET
def apology_slip_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Form 04 of Circ. 01/2018/TT-VPCP as a PDF, in Vietnamese."""
    dossier = _readable_dossier(request, pk)
    slip = getattr(dossier, "apology_slip", None)
    if slip is None:
        raise Http404
    with translation.override("vi"):
        context = apology_slip_context(dossier, slip)
        filename = f"Phiếu xin lỗi {dossier.code}.pdf"
        return pdf_response(
            APOLOGY_SLIP_TEMPLATE, context, filename=filename, request=request
        )


APOLOGY_SLIP_TEMPLATE = "pdf/apology_slip.html"


def apology_slip_context(dossier: Dossier, slip, parents: dict | None = None) -> dict:
    """What form 04 shows (also rendered in batches by the jobs in hrms/jobs/).

    `parents` caches the issuing units' parents across a batch.
    """
    issuer = dossier.procedure.unit or dossier.unit
    if parents is None or issuer.pk not in parents:
        parent = OrgUnit.objects.get_parent(issuer) if issuer.depth > 1 else None
        if parents is not None:
            parents[issuer.pk] = parent
    else:
        parent = parents[issuer.pk]
    return {
        "dossier": dossier,
        "slip": slip,
        "responsible": sorted(
            slip.responsible_officers.all(), key=lambda e: e.employee_code
        ),
        "issuer": issuer,
        "doc_superior_body": parent.name if parent else "",
        "doc_issuer": issuer.name,
        "doc_number": f"{slip.pk}/PXL",
        "doc_place": getattr(settings, "DOCUMENT_PLACE", ""),
        "doc_date": slip.issued_at,
        "doc_title": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "signer_title": "Thủ trưởng cơ quan, đơn vị",
        "signer_name": "",
    }


# Dossiers -----------------------------------------------------------------------


@login_required
@require_GET
def dossier_list(request: HttpRequest) -> HttpResponse:
    if not can_list_dossiers(request.user):
        raise PermissionDenied
    dossiers = policy.scope(
        request.user,
        _with_lateness(_promised(_dossiers()), timezone.now()),
        roles=DOSSIER_READERS,
    )
    filterset = DossierFilter(request.GET or None, queryset=dossiers, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "unit_codes": unit_code_choices(request.user, DOSSIER_READERS),
    }
    return render(request, "appraisals/dossier_list.html", context)


@dataclass
class StepRow:
    step: DossierStep
    overrun: rules.Overrun | None  # None: finished (or still running) in time


@login_required
@require_GET
def dossier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The dossier as on the control slip (form 05): each step's due time, finish
    and overrun, who made it late, its apology slip and rating."""
    dossier = _readable_dossier(request, pk)
    now = timezone.now()
    steps = list(dossier.steps.select_related("officer", "unit").order_by("seq"))
    attribution = selectors.lateness_of(dossier, as_of=now)
    overruns = {overrun.seq: overrun for overrun in attribution.responsible}
    officers = {step.officer_id: step.officer for step in steps}
    slip = getattr(dossier, "apology_slip", None)
    context = {
        "dossier": dossier,
        "steps": [StepRow(step, overruns.get(step.seq)) for step in steps],
        "attribution": attribution,
        "responsible": [officers[pk] for pk in attribution.officer_ids],
        "verdict": rules.check_on_time(
            due_at=dossier.due_at,
            returned_at=dossier.returned_at,
            as_of=now,
            rescheduled_due_at=dossier.rescheduled_due_at,
        ),
        "slip": slip,
        "slip_officers": list(slip.responsible_officers.all()) if slip else [],
        "slip_timing": (
            rules.check_slip_timing(
                issued_at=slip.issued_at, due_at=slip.previous_due_at
            )
            if slip
            else None
        ),
        "rating": getattr(dossier, "rating", None),
        "incidents": dossier.conduct_incidents.select_related("officer"),
        "can_issue": (
            slip is None
            and dossier.is_open
            and can_issue_apology_slip(request.user, dossier)
        ),
    }
    return render(request, "appraisals/dossier_detail.html", context)


# Indicators and the monthly report -----------------------------------------------


@dataclass
class LateRow:
    dossier: Dossier
    responsible: list[tuple[Employee, rules.Overrun]]
    is_schedule_error: bool
    reasons: list


@dataclass
class ServiceReport:
    """What the indicators page, its XLSX and its PDF show: the same figures."""

    unit: OrgUnit
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    indicators: selectors.Indicators
    months: list[selectors.IndicatorRow]
    totals: selectors.IndicatorRow
    scorecard: rules.Scorecard
    late_rows: list[LateRow]
    rating_counts: dict[str, int]
    ratings: list[CitizenRating]
    incidents: list[ConductIncident]
    incident_count: int = 0
    late_by_officer: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def unsatisfied(self) -> int:
        return self.rating_counts.get(CitizenRating.Level.UNSATISFIED, 0)


def _month_rows(indicators: selectors.Indicators, start: dt.date, end: dt.date):
    """One row per month of the period, empty months included."""
    by_month = {row.key: row for row in indicators.rows if row.key is not None}
    rows, month = [], start.replace(day=1)
    while month <= end:
        rows.append(
            by_month.get(month)
            or selectors.IndicatorRow(key=month, label=month.strftime("%m/%Y"))
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return rows


def _late_rows(unit: OrgUnit, start: dt.date, end: dt.date, as_of: dt.datetime):
    """The latest late dossiers due in the period, each with the officers whose
    steps overran (rules.attribute_lateness), or a schedule error: three queries."""
    low, high = local_bounds(start, end)
    dossiers = list(
        Dossier.objects.in_subtree(unit)
        .filter(due_at__gte=low, due_at__lt=min(high, as_of))
        .filter(late_q(as_of))
        .select_related("procedure", "receiving_officer", "apology_slip")
        .order_by("-due_at", "code")[:LATE_ROWS_SHOWN]
    )
    steps: dict[int, list[DossierStep]] = defaultdict(list)
    for step in DossierStep.objects.filter(
        dossier_id__in=[d.pk for d in dossiers]
    ).select_related("officer"):
        steps[step.dossier_id].append(step)
    holidays = holiday_set(start - dt.timedelta(days=366), timezone.localdate(as_of))
    rows = []
    for dossier in dossiers:
        own = steps[dossier.pk]
        attribution = rules.attribute_lateness(
            due_at=dossier.due_at,
            returned_at=dossier.returned_at,
            steps=[
                rules.StepFacts(s.seq, s.name, s.officer_id, s.due_at, s.finished_at)
                for s in own
            ],
            as_of=as_of,
            holidays=holidays,
        )
        officers = {s.officer_id: s.officer for s in own}
        rows.append(
            LateRow(
                dossier=dossier,
                responsible=[
                    (officers[o.officer_id], o) for o in attribution.responsible
                ],
                is_schedule_error=attribution.is_schedule_error,
                reasons=list(attribution.reasons[1:]),
            )
        )
    return rows


def _service_report(
    unit: OrgUnit, start: dt.date, end: dt.date, as_of: dt.datetime
) -> ServiceReport:
    indicators = selectors.service_indicators(unit, start, end, "month", as_of=as_of)
    totals = indicators.totals
    low, high = local_bounds(start, end)
    ratings = CitizenRating.objects.filter(
        dossier__unit__path__startswith=unit.path,
        dossier__returned_at__gte=low,
        dossier__returned_at__lt=high,
    )
    incidents = list(
        ConductIncident.objects.filter(
            unit__path__startswith=unit.path, occurred_on__range=(start, end)
        ).select_related("officer", "unit", "dossier")[:INCIDENTS_SHOWN]
    )
    return ServiceReport(
        unit=unit,
        start=start,
        end=end,
        as_of=as_of,
        indicators=indicators,
        months=_month_rows(indicators, start, end),
        totals=totals,
        # The Decision 766 groups from the same totals (selectors.unit_scorecard
        # would count them all over again).
        scorecard=rules.scorecard_766(
            on_time_ratio=totals.on_time_ratio,
            online_share=totals.online_share,
            satisfaction_ratio=totals.satisfaction_ratio,
            on=end,
        ),
        late_rows=_late_rows(unit, start, end, as_of),
        rating_counts=dict(
            ratings.values_list("level").annotate(n=Count("pk")).order_by()
        ),
        ratings=_latest_ratings(ratings),
        incidents=incidents,
        late_by_officer=indicators.late_by_officer,
    )


def _latest_ratings(ratings) -> list[CitizenRating]:
    """The unsatisfied ratings first, then the latest returned: the page's
    RATINGS_SHOWN rows. The order is found over narrow rows (ids only), then
    only those rows are read with their dossier and officer: sorting the whole
    period's wide joined rows took about a second at province scale."""
    pks = list(
        ratings.order_by(
            Case(When(level=CitizenRating.Level.UNSATISFIED, then=0), default=1),
            "-dossier__returned_at",
        ).values_list("pk", flat=True)[:RATINGS_SHOWN]
    )
    if not pks:
        return []
    found = CitizenRating.objects.select_related(
        "dossier", "dossier__receiving_officer"
    ).in_bulk(pks)
    return [found[pk] for pk in pks]


def _month_start(day: dt.date, months: int = 0) -> dt.date:
    """The first day of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _report_request(request: HttpRequest):
    """The form, unit (in scope, else 404) and period an indicators page asks
    for. Defaults: the highest unit of the scope; six whole months, ending with
    the current one (or around the one date given)."""
    if not can_view_indicators(request.user):
        raise PermissionDenied
    form = IndicatorReportForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    start, end = data.get("start"), data.get("end")
    if start is None:
        start = _month_start(end or timezone.localdate(), -5)
    if end is None:
        end = _month_start(start, 6) - dt.timedelta(days=1)
    code = (data.get("unit") or request.GET.get("unit", "")).strip()
    unit = unit_in_scope_or_404(request, code, INDICATOR_READERS)
    if not form.is_bound or form.is_valid():
        form = IndicatorReportForm(
            initial={"unit": unit.code, "start": start, "end": end}
        )
    return form, unit, start, end


def _report_query(report: ServiceReport) -> str:
    return urlencode(
        {
            "unit": report.unit.code,
            "start": report.start.strftime("%d/%m/%Y"),
            "end": report.end.strftime("%d/%m/%Y"),
        }
    )


@login_required
@require_GET
def indicator_report(request: HttpRequest) -> HttpResponse:
    """The unit's service indicators for a period, with the trend by month."""
    form, unit, start, end = _report_request(request)
    report = _service_report(unit, start, end, timezone.now())
    context = {
        "form": form,
        "report": report,
        "chart": mark_safe(charts.trend_svg(report.months)),  # noqa: S308 (our SVG)
        "late_officers": report.late_by_officer[: selectors.LATE_OFFICERS_SHOWN],
        "late_officer_count": len(report.late_by_officer),
        "query": _report_query(report),
        "unit_codes": unit_code_choices(request.user, INDICATOR_READERS),
    }
    return render(request, "appraisals/indicator_report.html", context)


# The monthly report is an official document: Vietnamese whatever the UI language.
MONTH_HEADERS = [
    "Tháng",
    "Tiếp nhận",
    "Trong đó trực tuyến",
    "Đã trả kết quả",
    "Đến hạn",
    "Đúng hạn",
    "Trễ hạn",
    "Tỷ lệ đúng hạn",
    "Trễ hạn có phiếu xin lỗi đúng thời hạn",
    "Hẹn lại ngày trả",
    "Phiếu xin lỗi muộn",
    "Lỗi lập lịch",
    "Được đánh giá",
    "Hài lòng",
    "Tỷ lệ hài lòng",
    "Tỷ lệ trực tuyến",
    "Sự cố đã xác minh",
]


# The group names of Decision 766/QĐ-TTg as the decision words them.
GROUPS_766_VI = {
    "publicity": "Công khai, minh bạch",
    "timeliness": "Tiến độ, kết quả giải quyết",
    "digitisation": "Số hóa hồ sơ",
    "online": "Cung cấp dịch vụ trực tuyến",
    "satisfaction": "Mức độ hài lòng",
}


def _groups_vi(report: ServiceReport) -> list[tuple[str, rules.GroupScore]]:
    return [
        (GROUPS_766_VI.get(group.code, group.label), group)
        for group in report.scorecard.groups
    ]


def _ratio_cell(value):
    return float(value) if value is not None else None


def _month_cells(label: str, row: selectors.IndicatorRow) -> list:
    return [
        label,
        row.received,
        row.online,
        row.resolved,
        row.due,
        row.on_time,
        row.late,
        _ratio_cell(row.on_time_ratio),
        row.late_with_slip_in_time,
        row.rescheduled,
        row.late_slips,
        row.schedule_errors,
        row.rated,
        row.satisfied,
        _ratio_cell(row.satisfaction_ratio),
        _ratio_cell(row.online_share),
        row.verified_incidents,
    ]


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _report_sheets(report: ServiceReport) -> list[tuple[str, list, list[list]]]:
    """(title, headers, rows) of each sheet of the XLSX report."""
    months = [_month_cells(row.label, row) for row in report.months]
    months.append(_month_cells("Cộng", report.totals))
    officers = [[code, name, n] for code, name, n in report.late_by_officer]
    officers.append(
        ["", "Lỗi lập lịch (không bước nào quá hạn)", report.totals.schedule_errors]
    )
    late = [
        [
            row.dossier.code,
            row.dossier.procedure.name,
            _fmt(row.dossier.due_at),
            _fmt(row.dossier.returned_at),
            ", ".join(f"{e.employee_code} {e.full_name}" for e, _o in row.responsible)
            or "Lỗi lập lịch",
            " ".join(str(reason.message) for reason in row.reasons),
            "có" if getattr(row.dossier, "apology_slip", None) else "không",
        ]
        for row in report.late_rows
    ]
    groups = [
        [
            name,
            group.max_points,
            float(group.points) if group.points is not None else "Không có dữ liệu",
            group.basis,
        ]
        for name, group in _groups_vi(report)
    ]
    groups.append(
        [
            "Cộng (các nhóm có dữ liệu)",
            report.scorecard.covered_max,
            float(report.scorecard.points),
            report.scorecard.citation,
        ]
    )
    ratings = [
        [
            r.dossier.code,
            r.get_level_display(),
            _fmt(r.dossier.returned_at),
            r.dossier.receiving_officer.employee_code
            if r.dossier.receiving_officer
            else "",
            r.comment,
        ]
        for r in report.ratings
    ]
    incidents = [
        [
            i.occurred_on.strftime("%d/%m/%Y"),
            f"{i.officer.employee_code} {i.officer.full_name}",
            i.get_source_display(),
            i.get_conduct_display(),
            "đã xác minh" if i.is_verified else "chưa xác minh",
            i.description,
            i.outcome,
        ]
        for i in report.incidents
    ]
    return [
        ("Chỉ số theo tháng", MONTH_HEADERS, months),
        (
            "Trễ hạn theo cán bộ",
            ["Mã cán bộ", "Họ và tên", "Số hồ sơ trễ hạn"],
            officers,
        ),
        (
            "Hồ sơ trễ hạn",
            [
                "Mã hồ sơ",
                "Thủ tục",
                "Hạn trả",
                "Ngày trả",
                "Cán bộ chịu trách nhiệm",
                "Lý do",
                "Phiếu xin lỗi",
            ],
            late,
        ),
        ("Bộ chỉ số 766", ["Nhóm", "Điểm tối đa", "Điểm", "Cách tính"], groups),
        (
            "Đánh giá",
            ["Mã hồ sơ", "Mức độ", "Ngày trả", "Cán bộ tiếp nhận", "Ý kiến"],
            ratings,
        ),
        (
            "Sự cố",
            ["Ngày", "Cán bộ", "Nguồn", "Hành vi", "Xác minh", "Nội dung", "Kết quả"],
            incidents,
        ),
    ]


def report_xlsx_bytes(report: ServiceReport, chart_png: bytes) -> bytes:
    """The monthly report as a workbook: one sheet per table, header on row 1,
    formulas neutralised (hrms.importing.files.escape_formula), the chart beside
    the monthly figures."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, headers, rows in _report_sheets(report):
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append([escape_formula(value) for value in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    months = book["Chỉ số theo tháng"]
    for column in ("H", "O", "P"):
        for cell in months[column][1:]:
            cell.number_format = "0.00%"
    image = Image(io.BytesIO(chart_png))
    image.width, image.height = image.width // 2, image.height // 2
    months.add_image(image, f"A{len(report.months) + 5}")
    properties = book.properties
    properties.title = f"Báo cáo chỉ số phục vụ {report.unit.code}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _report_filename(report: ServiceReport, ext: str) -> str:
    return (
        f"Báo cáo một cửa {report.unit.code} "
        f"{report.start:%d-%m-%Y} đến {report.end:%d-%m-%Y}.{ext}"
    )


@login_required
@require_GET
def indicator_report_xlsx(request: HttpRequest) -> HttpResponse:
    _form, unit, start, end = _report_request(request)
    with translation.override("vi"):
        report = _service_report(unit, start, end, timezone.now())
        data = report_xlsx_bytes(report, charts.trend_png(report.months))
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(
        _report_filename(report, "xlsx")
    )
    # Ratings and incidents name officers: personal data.
    rows = len(report.ratings) + len(report.incidents)
    log_web_export(request, name="indicator_report", rows=rows)
    return response


@login_required
@require_GET
def indicator_report_pdf(request: HttpRequest) -> HttpResponse:
    _form, unit, start, end = _report_request(request)
    parent = OrgUnit.objects.get_parent(unit) if unit.depth > 1 else None
    with translation.override("vi"):
        report = _service_report(unit, start, end, timezone.now())
        png = charts.trend_png(report.months)
        context = {
            "report": report,
            "chart_src": "data:image/png;base64," + base64.b64encode(png).decode(),
            "groups": _groups_vi(report),
            "doc_superior_body": parent.name if parent else "",
            "doc_issuer": unit.name,
            "doc_number": "      /BC",
            "doc_place": getattr(settings, "DOCUMENT_PLACE", ""),
            "doc_date": timezone.localdate(),
            "doc_title": "Báo cáo kết quả giải quyết thủ tục hành chính",
            "doc_summary": (
                f"Từ ngày {report.start:%d/%m/%Y} đến ngày {report.end:%d/%m/%Y}"
            ),
            "signer_title": "Thủ trưởng đơn vị",
            "signer_name": "",
            "recipients": ["Lưu: VT"],
        }
        return pdf_response(
            "pdf/service_report.html",
            context,
            filename=_report_filename(report, "pdf"),
            request=request,
        )
