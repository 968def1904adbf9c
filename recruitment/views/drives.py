"""Drives: the list, the drive and its notice (vacancies, publication proof),
the workflow actions, and the council with its declarations and hints.

Every drive comes through hrms.policy: outside the user's scope is a 404 (an
inspector's read is logged), in scope but not allowed is a 403. Writes go
through recruitment/services, whose refusals carry the rule and its citation.
"""

from __future__ import annotations

from copy import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrms import policy
from hrms.actions import form_action, form_errors, refused
from positions.models import OrgUnit
from positions.selectors import vacancies as vacant_positions
from recruitment import rules, selectors, services
from recruitment.forms import (
    ADVANCE_STATUSES,
    AdvanceForm,
    AnnounceForm,
    CancelDriveForm,
    CouncilForm,
    DeclarationForm,
    DriveFilterForm,
    DriveForm,
    HintResolveForm,
    NoticeChannelForm,
    PublishResultsForm,
    ReplaceMemberForm,
    VacancyForm,
    add_service_error,
)
from recruitment.models import (
    ConflictDeclaration,
    ConflictHint,
    CouncilMember,
    RecruitmentDrive,
)
from recruitment.permissions import (
    RECRUITMENT_EDITORS,
    RECRUITMENT_READERS,
    can_change_drive,
    can_create_drive,
    can_view_drives,
)

PAGE_SIZE = 50
DATALIST_LIMIT = 200
Status = RecruitmentDrive.Status


def _drives():
    return RecruitmentDrive.objects.select_related("unit")


def readable_drive(request: HttpRequest, pk: int) -> RecruitmentDrive:
    """A drive in the user's read scope (an inspector's read is logged), or 404."""
    return policy.get_in_scope_or_404(
        request, _drives(), roles=RECRUITMENT_READERS, pk=pk
    )


def editable_drive(request: HttpRequest, pk: int) -> RecruitmentDrive:
    drive = readable_drive(request, pk)
    if not can_change_drive(request.user, drive):
        raise PermissionDenied
    return drive


def unit_codes(user) -> list[tuple[str, str]]:
    """(code, name) of the units the user manages, or [] when there are many."""
    units = policy.scope(
        user,
        OrgUnit.objects.order_by("path"),
        roles=RECRUITMENT_EDITORS,
        unit_field="",
    )
    rows = list(units.values_list("code", "name")[: DATALIST_LIMIT + 1])
    return rows if len(rows) <= DATALIST_LIMIT else []


# List, detail, create, edit -------------------------------------------------


@login_required
@require_GET
def drive_list(request: HttpRequest) -> HttpResponse:
    if not can_view_drives(request.user):
        raise PermissionDenied
    drives = policy.scope(
        request.user,
        _drives().annotate(application_count=Count("applications")),
        roles=RECRUITMENT_READERS,
    )
    form = DriveFilterForm(request.GET or None)
    if form.is_valid():
        query, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
        if query:
            drives = drives.filter(Q(code__icontains=query) | Q(title__icontains=query))
        if status:
            drives = drives.filter(status=status)
    page = Paginator(drives.order_by("-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page": page,
        "can_create": can_create_drive(request.user),
    }
    return render(request, "recruitment/drive_list.html", context)


def _notice_checks(drive: RecruitmentDrive) -> list:
    """What announcing would check now, so the officer sees what is missing."""
    vacancies = list(drive.vacancies.all())
    params = selectors.rule_parameters()
    return [
        rules.check_notice_fields(
            {
                "title": drive.title,
                "notice_text": drive.notice_text,
                "conditions": drive.conditions,
                "contact": drive.contact,
                "vacancies": vacancies,
                "schedule": drive.schedule_note or drive.round_1_on,
            }
        ),
        rules.check_notice_channels(
            drive.notice_channels.values_list("channel", flat=True)
        ),
        rules.check_application_window(
            timezone.localdate(),
            drive.applications_open_on,
            drive.applications_close_on,
            min_days=params.notice_window_days,
        ),
    ]


@login_required
@require_GET
def drive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drive = readable_drive(request, pk)
    can_change = can_change_drive(request.user, drive)
    next_statuses = [
        status
        for status in ADVANCE_STATUSES
        if status in rules.TRANSITIONS.get(drive.status, ())
    ]
    today = timezone.localdate()
    context = {
        "drive": drive,
        "tab": "overview",
        "vacancies": drive.vacancies.select_related("position").order_by(
            "position__code"
        ),
        "channels": drive.notice_channels.order_by("channel", "published_on"),
        "sitting": CouncilMember.objects.sitting()
        .filter(council__drive=drive)
        .order_by("pk"),
        "application_count": drive.applications.count(),
        "can_change": can_change,
        "checks": _notice_checks(drive) if drive.status == Status.DRAFT else [],
        "announce_form": AnnounceForm(drive=drive, initial={"published_on": today}),
        "advance_forms": [
            (
                Status(status).label,
                AdvanceForm(drive=drive, initial={"to_status": status}),
            )
            for status in next_statuses
        ],
        "can_cancel": Status.CANCELLED in rules.TRANSITIONS.get(drive.status, ()),
        "cancel_form": CancelDriveForm(drive=drive),
    }
    return render(request, "recruitment/drive_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def drive_create(request: HttpRequest) -> HttpResponse:
    if not can_create_drive(request.user):
        raise PermissionDenied
    form = DriveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            drive = services.create_drive(
                unit=form.unit,
                code=form.cleaned_data["code"],
                actor=request.user,
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The drive was created as a draft."))
            return redirect("recruitment:drive_detail", pk=drive.pk)
    context = {"form": form, "drive": None, "unit_codes": unit_codes(request.user)}
    return render(request, "recruitment/drive_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def drive_update(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    # The form writes the typed values on its instance: keep the page's copy clean.
    form = DriveForm(request.POST or None, instance=copy(drive), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_drive(
                drive,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                **form.changes(),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The drive was saved."))
            return redirect("recruitment:drive_detail", pk=drive.pk)
    context = {"form": form, "drive": drive, "unit_codes": []}
    return render(request, "recruitment/drive_form.html", context)


# Notice: vacancies and publication proof ------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def drive_vacancies(request: HttpRequest, pk: int) -> HttpResponse:
    drive = readable_drive(request, pk)
    can_change = can_change_drive(request.user, drive)
    form = VacancyForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.set_drive_vacancy(
                    drive=drive,
                    position=form.cleaned_data["position_code"],
                    number=form.cleaned_data["number"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The seats were saved."))
                return redirect("recruitment:drive_vacancies", pk=drive.pk)
    editable = can_change and drive.status == Status.DRAFT
    context = {
        "drive": drive,
        "tab": "vacancies",
        "vacancies": drive.vacancies.select_related("position__unit").order_by(
            "position__code"
        ),
        "form": form,
        "can_change": editable,
        "vacant_positions": vacant_positions(drive.unit)[:DATALIST_LIMIT]
        if editable
        else [],
    }
    return render(request, "recruitment/drive_vacancies.html", context)


@login_required
@require_POST
def drive_vacancy_remove(
    request: HttpRequest, pk: int, vacancy_pk: int
) -> HttpResponse:
    drive = editable_drive(request, pk)
    vacancy = get_object_or_404(drive.vacancies.select_related("drive"), pk=vacancy_pk)
    try:
        services.remove_drive_vacancy(vacancy=vacancy, actor=request.user)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The position was removed from the drive."))
    return redirect("recruitment:drive_vacancies", pk=drive.pk)


@login_required
@require_http_methods(["GET", "POST"])
def drive_channels(request: HttpRequest, pk: int) -> HttpResponse:
    drive = readable_drive(request, pk)
    can_change = can_change_drive(request.user, drive)
    form = NoticeChannelForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_notice_channel(
                    drive=drive, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The publication proof was recorded."))
                return redirect("recruitment:drive_channels", pk=drive.pk)
    channels = drive.notice_channels.select_related("recorded_by").order_by(
        "channel", "published_on"
    )
    context = {
        "drive": drive,
        "tab": "channels",
        "channels": channels,
        "check": rules.check_notice_channels([c.channel for c in channels]),
        "form": form,
        "can_change": can_change and drive.status in (Status.DRAFT, Status.ANNOUNCED),
    }
    return render(request, "recruitment/drive_channels.html", context)


# Workflow actions (POST only) -----------------------------------------------


@login_required
@require_POST
def drive_announce(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    return form_action(
        request,
        AnnounceForm(request.POST),
        lambda data: services.announce_drive(
            drive=drive,
            published_on=data["published_on"],
            expected_version=data["version"],
            actor=request.user,
        ),
        success=_("The notice was published."),
        back=redirect("recruitment:drive_detail", pk=drive.pk),
    )


@login_required
@require_POST
def drive_advance(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    return form_action(
        request,
        AdvanceForm(request.POST),
        lambda data: services.advance_drive(
            drive=drive,
            to_status=data["to_status"],
            expected_version=data["version"],
            on=data["on"],
            actor=request.user,
        ),
        success=lambda moved: (
            _("The drive moved to: %(status)s.")
            % {"status": moved.get_status_display()}
        ),
        back=redirect("recruitment:drive_detail", pk=drive.pk),
    )


@login_required
@require_POST
def drive_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    return form_action(
        request,
        CancelDriveForm(request.POST),
        lambda data: services.cancel_drive(
            drive=drive,
            reason=data["reason"],
            expected_version=data["version"],
            actor=request.user,
        ),
        success=_("The drive was cancelled."),
        back=redirect("recruitment:drive_detail", pk=drive.pk),
    )


@login_required
@require_POST
def results_publish(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    return form_action(
        request,
        PublishResultsForm(request.POST),
        lambda data: services.publish_results(
            drive=drive,
            published_on=data["published_on"],
            expected_version=data["version"],
            actor=request.user,
        ),
        success=_("The results were published."),
        back=redirect("recruitment:merit_list", pk=drive.pk),
    )


# Council --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def drive_council(request: HttpRequest, pk: int) -> HttpResponse:
    """The council with its checks; the appointment form while there is none."""
    drive = readable_drive(request, pk)
    can_change = can_change_drive(request.user, drive)
    council = getattr(drive, "council", None)
    form = CouncilForm(request.POST or None, user=request.user, drive=drive)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.appoint_council(
                    drive=drive,
                    decision_number=form.cleaned_data["decision_number"],
                    decided_on=form.cleaned_data["decided_on"],
                    signer=form.cleaned_data["signer"],
                    members=form.members(),
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The council was appointed."))
                return redirect("recruitment:drive_council", pk=drive.pk)
    members = (
        list(
            CouncilMember.objects.filter(council=council)
            .select_related("employee")
            .annotate(
                declared=Count("declarations"),
                barred=Count("declarations", filter=~Q(declarations__relation="none")),
            )
            .order_by("removed_on", "pk")
        )
        if council
        else []
    )
    context = {
        "drive": drive,
        "tab": "council",
        "council": council,
        "members": members,
        "check": selectors.council_check(drive) if council else None,
        "relations": ConflictDeclaration.objects.filter(member__council=council)
        .exclude(relation="none")
        .select_related("member", "application")
        .order_by("member_id", "application_id")
        if council
        else [],
        "hints": ConflictHint.objects.filter(member__council=council)
        .select_related("member", "application", "resolved_by")
        .order_by("status", "pk")
        if council
        else [],
        "can_change": can_change,
        "can_appoint": can_change
        and council is None
        and drive.status == Status.APPLICATIONS_CLOSED,
        "form": form,
        "declaration_form": DeclarationForm(
            drive=drive, initial={"declared_on": timezone.localdate()}
        )
        if council
        else None,
        "hint_form": HintResolveForm(auto_id=False),
    }
    return render(request, "recruitment/drive_council.html", context)


@login_required
@require_POST
def council_declare(request: HttpRequest, pk: int) -> HttpResponse:
    drive = editable_drive(request, pk)
    form = DeclarationForm(request.POST, drive=drive)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("recruitment:drive_council", pk=drive.pk)
    try:
        declaration = services.declare_relation(
            member=form.cleaned_data["member"],
            application=form.cleaned_data["application_number"],
            relation=form.cleaned_data["relation"],
            declared_on=form.cleaned_data["declared_on"],
            actor=request.user,
        )
    except ValidationError as exc:
        refused(request, exc)
    else:
        if declaration.is_barred:
            messages.warning(
                request,
                _(
                    "The declared relation bars the member: they left the council "
                    "and must be replaced."
                ),
            )
        else:
            messages.success(request, _("The declaration was recorded."))
    return redirect("recruitment:drive_council", pk=drive.pk)


@login_required
@require_http_methods(["GET", "POST"])
def council_member_replace(
    request: HttpRequest, pk: int, member_pk: int
) -> HttpResponse:
    drive = editable_drive(request, pk)
    member = get_object_or_404(
        CouncilMember.objects.filter(council__drive=drive), pk=member_pk
    )
    form = ReplaceMemberForm(
        request.POST or None,
        user=request.user,
        initial={"role": member.role, "on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.replace_council_member(
                member=member,
                replacement=form.spec(),
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The council member was replaced."))
            return redirect("recruitment:drive_council", pk=drive.pk)
    context = {
        "drive": drive,
        "tab": "council",
        "form": form,
        "title": _("Replace %(name)s") % {"name": member.full_name},
        "back_url": "recruitment:drive_council",
    }
    return render(request, "recruitment/drive_action_form.html", context)


@login_required
@require_POST
def hint_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    hint = get_object_or_404(
        ConflictHint.objects.select_related("member__council"), pk=pk
    )
    drive = editable_drive(request, hint.member.council.drive_id)
    return form_action(
        request,
        HintResolveForm(request.POST),
        lambda data: services.resolve_conflict_hint(
            hint=hint,
            is_related=data["is_related"],
            note=data["note"],
            actor=request.user,
        ),
        success=_("The hint was resolved."),
        back=redirect("recruitment:drive_council", pk=drive.pk),
    )
