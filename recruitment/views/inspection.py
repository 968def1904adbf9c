"""The inspectors' workspace: red flags in their scope, and inspection cases
(records in scope with their flags, findings, conclusions, the PDF report).

Inspectors write nothing but their own cases; every record they open from here
goes through hrms.policy, which logs the read.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrms import policy
from hrms.actions import form_action
from hrms.models import Role
from hrms.pdf import pdf_response
from positions.models import OrgUnit
from recruitment import flags as red_flags
from recruitment import selectors, services
from recruitment.forms import (
    ConcludeForm,
    FindingForm,
    FlagFilterForm,
    InspectionCaseForm,
    add_service_error,
)
from recruitment.models import (
    Application,
    AppointmentDecision,
    CouncilMember,
    DriveVacancy,
    InspectionCase,
    RecruitmentDrive,
)
from recruitment.permissions import (
    FLAG_READERS,
    INSPECTION_READERS,
    INSPECTORS,
    RECRUITMENT_READERS,
    can_change_inspection_case,
    can_list_inspection_cases,
    can_open_inspection_case,
    can_view_inspection_case,
    can_view_red_flags,
    scope_roots,
)
from staff.models import Assignment

FLAGS_PER_PAGE = 100


# Red flags ------------------------------------------------------------------


def flags_in(roots: list[OrgUnit] | None, codes=None) -> list[red_flags.Flag]:
    """Every flag under these units (all units for None), each once."""
    seen, flags = set(), []
    for unit in roots if roots is not None else [None]:
        for flag in red_flags.all_flags(unit, codes=codes):
            key = (flag.code, flag.object_type, flag.object_id)
            if key not in seen:
                seen.add(key)
                flags.append(flag)
    return flags


def rule_titles() -> dict[str, str]:
    return {rule.code: rule.title for rule in red_flags.RULES}


@login_required
@require_GET
def red_flag_list(request: HttpRequest) -> HttpResponse:
    if not can_view_red_flags(request.user):
        raise PermissionDenied
    form = FlagFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if form.is_bound else True
    code = form.cleaned_data["code"] or None if form.is_bound and valid else None
    unit = form.cleaned_data["unit"] if form.is_bound and valid else None
    if not valid:
        roots = []  # an unknown unit code shows nothing, not everything
    else:
        roots = [unit] if unit else scope_roots(request.user, FLAG_READERS)
    flags = flags_in(roots, codes=[code] if code else None)
    flags.sort(key=lambda f: (f.unit_code, f.code, f.on or timezone.localdate()))
    titles = rule_titles()
    rows = [(flag, titles.get(flag.code, "")) for flag in flags]
    page = Paginator(rows, FLAGS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "counts": red_flags.summary(flags).most_common(),
    }
    return render(request, "recruitment/red_flag_list.html", context)


# Where a flagged record is shown: (model, path to its unit, page, its pk field).
RECORD_PAGES = {
    "recruitment.recruitmentdrive": (
        RecruitmentDrive,
        "unit",
        "recruitment:drive_detail",
        "pk",
    ),
    "recruitment.application": (
        Application,
        "drive__unit",
        "recruitment:application_detail",
        "pk",
    ),
    "recruitment.councilmember": (
        CouncilMember,
        "council__drive__unit",
        "recruitment:drive_council",
        "council__drive_id",
    ),
    "recruitment.drivevacancy": (
        DriveVacancy,
        "drive__unit",
        "recruitment:merit_list",
        "drive_id",
    ),
    "recruitment.appointmentdecision": (
        AppointmentDecision,
        "unit",
        "recruitment:decision_detail",
        "pk",
    ),
    "staff.assignment": (
        Assignment,
        "position__unit",
        "staff:employee_detail",
        "employee_id",
    ),
}


@login_required
@require_GET
def record_redirect(
    request: HttpRequest, object_type: str, object_id: str
) -> HttpResponse:
    """The page of a flagged or inspected record, if it is in the user's scope;
    that page logs the read."""
    target = RECORD_PAGES.get(object_type)
    if target is None or not object_id.isdigit():
        raise Http404
    model, unit_field, url_name, key = target
    rows = policy.scope(
        request.user,
        model.objects.filter(pk=int(object_id)),
        roles=RECRUITMENT_READERS,
        unit_field=unit_field,
    ).values_list(key, flat=True)
    pk = rows.first()
    if pk is None:
        raise Http404
    return redirect(reverse(url_name, args=[pk]))


# Inspection cases -----------------------------------------------------------


def _cases():
    return InspectionCase.objects.select_related("unit", "inspector")


def _readable_case(request: HttpRequest, pk: int) -> InspectionCase:
    case = policy.get_in_scope_or_404(
        request, _cases(), roles=INSPECTION_READERS, pk=pk
    )
    if not can_view_inspection_case(request.user, case):
        raise PermissionDenied
    return case


def _editable_case(request: HttpRequest, pk: int) -> InspectionCase:
    case = _readable_case(request, pk)
    if not can_change_inspection_case(request.user, case):
        raise PermissionDenied
    return case


@login_required
@require_GET
def inspection_case_list(request: HttpRequest) -> HttpResponse:
    """An inspector's own cases; an administrator's: every case of the units."""
    if not can_list_inspection_cases(request.user):
        raise PermissionDenied
    user = request.user
    own = Q(inspector=user) & policy.unit_q(user, roles=INSPECTORS, unit_field="unit")
    administered = policy.unit_q(user, roles={Role.ADMIN}, unit_field="unit")
    cases = _cases().filter(own | administered).order_by("-created_at", "-pk")
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    context = {"page": page, "can_create": can_open_inspection_case(user)}
    return render(request, "recruitment/inspection_case_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def inspection_case_create(request: HttpRequest) -> HttpResponse:
    if not can_open_inspection_case(request.user):
        raise PermissionDenied
    form = InspectionCaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_inspection_case(
                inspector=request.user, **form.case_kwargs()
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The inspection case was opened."))
            return redirect("recruitment:inspection_case_detail", pk=case.pk)
    units = policy.scope(
        request.user, OrgUnit.objects.order_by("path"), roles=INSPECTORS, unit_field=""
    ).values_list("code", "name")[:200]
    context = {"form": form, "unit_codes": units}
    return render(request, "recruitment/inspection_case_form.html", context)


def _with_titles(records, titles: dict[str, str]) -> list[tuple]:
    """(record, [(flag, rule title), ...]) for the templates."""
    return [
        (record, [(flag, titles.get(flag.code, "")) for flag in record.flags])
        for record in records
    ]


@login_required
@require_GET
def inspection_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _readable_case(request, pk)
    scope = selectors.records_in_scope(case)
    titles = rule_titles()
    context = {
        "case": case,
        "scope": scope,
        "drives": _with_titles(scope.drives, titles),
        "decisions": _with_titles(scope.decisions, titles),
        "other_flags": [(f, titles.get(f.code, "")) for f in scope.other_flags],
        "findings": case.findings.order_by("pk"),
        "can_change": can_change_inspection_case(request.user, case),
        "finding_form": FindingForm(records=scope.records),
        "conclude_form": ConcludeForm(
            case=case, initial={"concluded_on": timezone.localdate()}
        ),
    }
    return render(request, "recruitment/inspection_case_detail.html", context)


@login_required
@require_POST
def finding_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    form = FindingForm(request.POST, records=selectors.records_in_scope(case).records)
    return form_action(
        request,
        form,
        lambda data: services.add_finding(
            case=case, actor=request.user, **form.finding_kwargs()
        ),
        success=_("The finding was recorded."),
        back=redirect("recruitment:inspection_case_detail", pk=case.pk),
    )


@login_required
@require_POST
def inspection_case_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    case = _editable_case(request, pk)
    return form_action(
        request,
        ConcludeForm(request.POST),
        lambda data: services.conclude_inspection_case(
            case=case,
            conclusions=data["conclusions"],
            concluded_on=data["concluded_on"],
            expected_version=data["version"],
            actor=request.user,
        ),
        success=_("The inspection case was concluded."),
        back=redirect("recruitment:inspection_case_detail", pk=case.pk),
    )


@login_required
@require_GET
def inspection_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The inspection report: findings, evidence list, flags, ledger check."""
    case = _readable_case(request, pk)
    # An official document: in Vietnamese whatever the interface language.
    with translation.override("vi"):
        report = selectors.inspection_report(case)
        root = OrgUnit.objects.get_root(case.unit)
        titles = rule_titles()
        labels = {(r.object_type, r.object_id): r.label for r in report.scope.records}
        context = {
            "report": report,
            "case": case,
            "findings": [
                (
                    f,
                    labels.get((f.record_type, f.record_id))
                    or " #".join(filter(None, (f.record_type, f.record_id))),
                )
                for f in report.findings
            ],
            "records": _with_titles(report.scope.records, titles),
            "other_flags": [
                (f, titles.get(f.code, "")) for f in report.scope.other_flags
            ],
            "doc_superior_body": root.name if root and root != case.unit else "",
            "doc_number": f"{case.pk}/BC-TTr",
            "doc_date": timezone.localdate(),
            "signer_name": case.inspector.get_full_name()
            or case.inspector.get_username(),
        }
        return pdf_response(
            "pdf/inspection_report.html",
            context,
            filename=f"Báo cáo thanh tra {case.pk}.pdf",
            request=request,
        )
