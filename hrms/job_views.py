"""Job pages: the user's jobs, one job with its live progress, its result file and
rejected rows, and the forms that start imports, exports, appraisal runs and
batches of apology slips. A user sees their own jobs (an administrator also those
of their units); another's job is a 404 (hrms.jobs.visible_jobs)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrms import policy
from hrms.jobs import all_kinds, broker_configured, submit, visible_jobs
from hrms.jobs.access import (
    COMPUTE_RUNNERS,
    can_compute,
    can_export,
    can_import,
)
from hrms.jobs.forms import (
    ApologySlipBatchForm,
    ComputeJobForm,
    ExportJobForm,
    ImportJobForm,
    ImportMode,
)
from hrms.models import Job

PAGE_SIZE = 50
ROW_ERRORS_SHOWN = 200


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = visible_jobs(request.user)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    for job in page.object_list:
        job.label = _label(job)
    context = {
        "page": page,
        "may_import": can_import(request.user),
        "may_export": can_export(request.user),
        "may_compute": bool(policy.roles_of(request.user) & COMPUTE_RUNNERS),
        "compute_form": ComputeJobForm(),
    }
    return render(request, "jobs/job_list.html", context)


@login_required
@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    context = {
        "job": job,
        "label": _label(job),
        "row_errors": job.row_errors[:ROW_ERRORS_SHOWN],
        "more_errors": max(job.row_error_count - ROW_ERRORS_SHOWN, 0),
    }
    return render(request, "jobs/job_detail.html", context)


def _label(job: Job):
    kind = all_kinds().get(job.kind)
    return kind.label if kind else job.kind


@login_required
@require_GET
def job_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return JsonResponse(status_payload(job))


def status_payload(job: Job) -> dict:
    return {
        "id": job.pk,
        "kind": job.kind,
        "status": job.status,
        "status_label": job.get_status_display(),
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.is_finished,
        "error": job.error,
        "summary": job.outcome.get("summary", ""),
        "row_error_count": job.row_error_count,
        "download_url": (
            reverse("jobs:job_download", args=[job.pk]) if job.result else None
        ),
    }


@login_required
@require_GET
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    if not job.result:
        raise Http404
    name = job.result_name or job.result.name.rsplit("/", 1)[-1]
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=name)


@login_required
@require_http_methods(["GET", "POST"])
def job_import(request: HttpRequest) -> HttpResponse:
    if not can_import(request.user):
        raise PermissionDenied
    form = ImportJobForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        job = submit(
            "import",
            request.user,
            source=upload,
            source_name=upload.name,
            resource=data["resource"],
            dry_run=data["mode"] == ImportMode.CHECK,
            keep_valid=data["mode"] == ImportMode.KEEP_VALID,
            filename=upload.name,
        )
        return _submitted(request, job)
    return render(
        request,
        "jobs/job_form.html",
        {"form": form, "title": _("Import a file"), "multipart": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_export(request: HttpRequest) -> HttpResponse:
    if not can_export(request.user):
        raise PermissionDenied
    form = ExportJobForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = submit(
            "export", request.user, resource=data["resource"], format=data["format"]
        )
        return _submitted(request, job)
    return render(request, "jobs/job_form.html", {"form": form, "title": _("Export")})


@login_required
@require_POST
def job_compute(request: HttpRequest) -> HttpResponse:
    # The role first: a form error would tell a stranger what the form wants.
    if not policy.roles_of(request.user) & COMPUTE_RUNNERS:
        raise PermissionDenied
    form = ComputeJobForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give an agency's unit code and a year."))
        return redirect("jobs:job_list")
    from positions.selectors import unit_in_scope_or_404  # hrms sits below

    unit = unit_in_scope_or_404(request, form.cleaned_data["unit"], policy.ALL_ROLES)
    if not can_compute(request.user, unit):
        raise PermissionDenied
    job = submit(
        "compute_appraisals", request.user, unit=unit, year=form.cleaned_data["year"]
    )
    return _submitted(request, job)


@login_required
@require_POST
def job_apology_slips(request: HttpRequest) -> HttpResponse:
    """Every apology slip of a unit (and its sub-units) issued in a period, as
    one PDF: for the readers of the unit's dossiers."""
    from appraisals.permissions import DOSSIER_READERS

    if not policy.roles_of(request.user) & DOSSIER_READERS:
        raise PermissionDenied
    form = ApologySlipBatchForm(request.POST)
    if not form.is_valid():
        errors = form.errors.get("__all__") or [
            _("Give a unit code and a period (dd/mm/yyyy).")
        ]
        messages.error(request, " ".join(errors))
        return redirect("jobs:job_list")
    data = form.cleaned_data
    from positions.selectors import unit_in_scope_or_404  # hrms sits below

    unit = unit_in_scope_or_404(request, data["unit"], DOSSIER_READERS)
    job = submit(
        "apology_slips",
        request.user,
        unit=unit,
        start=data["start"].isoformat(),
        end=data["end"].isoformat(),
    )
    return _submitted(request, job)


def _submitted(request: HttpRequest, job: Job) -> HttpResponse:
    if broker_configured() and not job.is_finished:
        messages.info(request, _("The job is queued; this page follows its progress."))
    elif job.status == Job.Status.FAILED:
        messages.error(request, _("The job failed: %(error)s") % {"error": job.error})
    else:
        messages.success(request, _("The job is done."))
    return redirect(job)
