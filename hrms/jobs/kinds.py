"""The job kinds: import a file, export a resource, compute a cycle's appraisals,
print a unit's apology slips as one PDF.

Each wraps the service the commands and pages already use; the appraisals ones
import it when they run (hrms sits below appraisals).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hrms import policy, privacy
from hrms.importing import ImportFileError, get_resource, run_import, write_rejects
from hrms.importing.files import dataset_bytes
from hrms.importing.registry import UnknownResource
from hrms.importing.service import EXIT_REJECTED, EXIT_UNREADABLE
from hrms.jobs.access import IMPORTERS, UNIT_COLUMN, is_global_admin
from hrms.jobs.progress import count_rows
from hrms.jobs.registry import JobRejected, job_kind
from hrms.models import Job

# Rows of the unit-scope check looked up at a time.
SCOPE_CHUNK = 5000


# Import ---------------------------------------------------------------------------


@job_kind("import", label=_("Import"), atomic=True)
def import_file(job: Job) -> None:
    """params: resource, dry_run, keep_valid. Resources with a fast path
    (dossiers, dossier_steps) stream the file; the others read it whole."""
    from appraisals.ingest import stream_import
    from appraisals.ingest.fastpath import SPECS

    params = job.params
    resource, path = params["resource"], job.source.path
    dry_run, keep_valid = bool(params.get("dry_run")), bool(params.get("keep_valid"))
    _check_unit_scope(job, resource, path)

    def progress(done: int, total: int | None) -> None:
        job.progress(min(done, job.total or done), total, stage=gettext("Importing"))

    if resource in SPECS:
        job.progress(0, count_rows(path), stage=gettext("Importing"))
        report = stream_import(
            resource, path, dry_run=dry_run, keep_valid=keep_valid, progress=progress
        )
    else:
        report = run_import(
            resource, path, dry_run=dry_run, keep_valid=keep_valid, progress=progress
        )
    job.outcome = {
        "summary": report.summary,
        "exit_code": report.exit_code,
        "imported": report.imported,
        "rejected": len(report.rejected),
        "valid": report.valid,
        "created": report.created,
        "updated": report.updated,
        "dry_run": report.dry_run,
        "ignored_columns": report.ignored_columns,
    }
    if report.exit_code == EXIT_UNREADABLE:
        raise JobRejected(report.error)
    job.add_row_errors([{"line": r.line, "reason": r.reason} for r in report.rejected])
    if report.rejected:
        _save_rejects(job, report)
    if report.exit_code == EXIT_REJECTED and not (keep_valid or dry_run):
        job.status = Job.Status.FAILED
        job.error = gettext(
            "%(rejected)d row(s) rejected: nothing was written. Fix them, or import "
            "the valid rows only."
        ) % {"rejected": len(report.rejected)}


def _save_rejects(job: Job, report) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rejects.csv"
        write_rejects(report, path)
        name = f"{job.params['resource']}-rejects-{job.pk}.csv"
        job.result.save(name, ContentFile(path.read_bytes()), save=False)
        job.result_name = name


def _check_unit_scope(job: Job, resource: str, path: str) -> None:
    """Refuse the file when a row names a unit outside the owner's import scope
    (global administrators import anything)."""
    from appraisals.ingest.reader import open_table
    from positions.models import OrgUnit

    if is_global_admin(job.owner):
        return
    try:
        with open_table(path) as table:
            if UNIT_COLUMN not in table.headers:
                raise JobRejected(
                    gettext("Only an administrator may import “%(resource)s”.")
                    % {"resource": resource}
                )
            index = table.headers.index(UNIT_COLUMN)
            lines_by_code: dict[str, list[int]] = {}
            for line, cells, _broken in table:
                code = cells[index].strip() if index < len(cells) else ""
                if code:
                    lines_by_code.setdefault(code, []).append(line)
    except ImportFileError as exc:
        raise JobRejected(exc.message) from None
    codes = list(lines_by_code)
    outside = []
    for start in range(0, len(codes), SCOPE_CHUNK):
        chunk = codes[start : start + SCOPE_CHUNK]
        known = set(
            OrgUnit.objects.filter(code__in=chunk).values_list("code", flat=True)
        )
        covered = set(
            policy.scope(
                job.owner,
                OrgUnit.objects.filter(code__in=known),
                roles=IMPORTERS,
                unit_field="",
            ).values_list("code", flat=True)
        )
        outside += sorted(known - covered)
    if outside:
        errors = sorted(
            (
                {
                    "line": line,
                    "reason": gettext(
                        "%(column)s: unit “%(code)s” is outside your units."
                    )
                    % {"column": UNIT_COLUMN, "code": code},
                }
                for code in outside
                for line in lines_by_code[code]
            ),
            key=lambda error: error["line"],
        )
        job.add_row_errors(errors)
        raise JobRejected(
            gettext("%(count)d row(s) name units outside yours: nothing was written.")
            % {"count": len(errors)}
        )


# Export ---------------------------------------------------------------------------


@job_kind("export", label=_("Export"))
def export_file(job: Job) -> None:
    """params: resource, format (csv or xlsx)."""
    resource, ext = job.params["resource"], job.params.get("format", "xlsx")
    if ext not in ("csv", "xlsx"):
        raise JobRejected(gettext("Choose a .csv or .xlsx file."))
    try:
        resource_class = get_resource(resource)
    except UnknownResource:
        raise JobRejected(
            gettext("Unknown resource “%(name)s”.") % {"name": resource}
        ) from None
    job.progress(0, 2, stage=gettext("Reading"))
    dataset = resource_class().export_dataset()
    job.progress(1, 2, stage=gettext("Writing"))
    name = f"{resource}-{timezone.localdate():%Y%m%d}.{ext}"
    job.result.save(name, ContentFile(dataset_bytes(dataset, f".{ext}")), save=False)
    job.result_name = name
    if privacy.holds_personal_data(resource_class._meta.model):
        privacy.log_export(
            user=job.owner,
            role=privacy.strongest_role(job.owner),
            name=resource,
            rows=len(dataset),
            where=f"job {job.pk}: {name}",
        )
    job.outcome = {"summary": f"exported={len(dataset)}", "exported": len(dataset)}
    job.progress(2, 2)


# Appraisals -----------------------------------------------------------------------


@job_kind("compute_appraisals", label=_("Compute appraisals"), atomic=True)
def compute(job: Job) -> None:
    """params: year; the agency is job.unit."""
    from appraisals.appraisal_services import compute_appraisals

    def progress(done: int, total: int) -> None:
        job.progress(done, total, stage=gettext("Computing"))

    reports = compute_appraisals(
        year=int(job.params["year"]), unit=job.unit, progress=progress
    )
    job.outcome = {
        "summary": "; ".join(
            f"{report.cycle.unit.code} {report.cycle.year}: {report.summary}"
            for report in reports
        ),
        "cycles": [report.cycle.pk for report in reports],
    }


# Apology slips --------------------------------------------------------------------


# Above this many slips the batch is a ZIP of one PDF per slip, written as they
# render: a merged PDF is held whole in memory (about 0.6 MB per slip).
MERGE_MAX_SLIPS = 2000


@job_kind("apology_slips", label=_("Apology slips (PDF)"))
def apology_slips(job: Job) -> None:
    """params: start, end (ISO dates, by issue date), optional format ("pdf" or
    "zip"); the unit (and its sub-units) is job.unit. One PDF, a slip after
    another, or a ZIP of one PDF per slip."""
    from appraisals.models import ApologySlip
    from appraisals.views import APOLOGY_SLIP_TEMPLATE, apology_slip_context
    from hrms.pdf import render_pdf

    start = dt.date.fromisoformat(job.params["start"])
    end = dt.date.fromisoformat(job.params["end"])
    slips = (
        ApologySlip.objects.filter(
            dossier__unit__path__startswith=job.unit.path,
            issued_at__gte=_day_start(start),
            issued_at__lt=_day_start(end + dt.timedelta(days=1)),
        )
        .select_related("dossier__procedure__unit", "dossier__unit")
        .prefetch_related("responsible_officers")
        .order_by("issued_at", "pk")
    )
    total = slips.count()
    if not total:
        raise JobRejected(gettext("No apology slip was issued in this period."))
    as_zip = job.params.get("format") == "zip" or total > MERGE_MAX_SLIPS
    job.progress(0, total, stage=gettext("Rendering"))
    parents: dict = {}

    def rendered():
        with translation.override("vi"):
            for done, slip in enumerate(slips.iterator(chunk_size=200), start=1):
                context = apology_slip_context(slip.dossier, slip, parents)
                yield slip, render_pdf(APOLOGY_SLIP_TEMPLATE, context)
                job.progress(done)

    stem = f"Phiếu xin lỗi {job.unit.code} {start:%Y%m%d}-{end:%Y%m%d}"
    with tempfile.TemporaryFile() as output:
        if as_zip:
            with zipfile.ZipFile(output, "w") as archive:
                for slip, data in rendered():
                    archive.writestr(f"{slip.dossier.code}.pdf", data)
            ext = "zip"
        else:
            from pypdf import PdfWriter

            writer = PdfWriter()
            for _slip, data in rendered():
                writer.append(io.BytesIO(data))
            job.progress(total, stage=gettext("Saving"))
            writer.write(output)
            ext = "pdf"
        output.seek(0)
        job.result.save(f"apology-slips-{job.pk}.{ext}", File(output), save=False)
    job.result_name = f"{stem}.{ext}"
    job.outcome = {"summary": f"slips={total}", "slips": total}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_default_timezone())
