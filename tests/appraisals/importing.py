"""Helpers of the import tests: run a command, write files, dump what was stored."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from appraisals.models import ApologySlip, CitizenRating, Dossier, DossierStep
from hrms.importing.files import write_table

DATA = Path(__file__).resolve().parent.parent / "data"
NEVER, ALWAYS = 10**9, 0  # IMPORT_FAST_PATH_MIN_ROWS: framework only, fast only

DOSSIER_HEADER = (
    "code,procedure_code,unit_code,received_at,due_at,returned_at,status,channel,"
    "receiving_officer,apology_issued_at,rescheduled_due_at,rating"
)
STEP_HEADER = "dossier_code,seq,name,officer,started_at,due_at,finished_at"


def run(*args) -> tuple[int, str, str]:
    """Call a command; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def run_path(min_rows: int, *args) -> tuple[int, str, str]:
    with override_settings(IMPORT_FAST_PATH_MIN_ROWS=min_rows):
        return run(*args)


def csv_file(tmp_path: Path, name: str, header: str, *rows: str) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def as_xlsx(csv_path: Path) -> Path:
    """The same table as an .xlsx workbook (every cell text)."""
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines]
    path = csv_path.with_suffix(".xlsx")
    write_table(path, rows[0], rows[1:])
    return path


def _t(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def stored() -> dict:
    """Everything the dossier imports write, without ids and timestamps."""
    return {
        "dossiers": sorted(
            (
                d.code,
                d.procedure.code,
                d.unit.code,
                d.channel,
                _t(d.received_at),
                _t(d.due_at),
                _t(d.returned_at),
                d.status,
                d.receiving_officer.employee_code if d.receiving_officer else None,
                _t(d.rescheduled_due_at),
            )
            for d in Dossier.objects.select_related(
                "procedure", "unit", "receiving_officer"
            )
        ),
        "slips": sorted(
            (
                s.dossier.code,
                _t(s.issued_at),
                _t(s.previous_due_at),
                _t(s.new_due_at),
                s.is_issued_late,
                s.reason,
            )
            for s in ApologySlip.objects.select_related("dossier")
        ),
        "ratings": sorted(
            (r.dossier.code, r.level, r.comment)
            for r in CitizenRating.objects.select_related("dossier")
        ),
        "steps": sorted(
            (
                s.dossier.code,
                s.seq,
                s.name,
                s.officer.employee_code,
                s.unit.code if s.unit else None,
                _t(s.started_at),
                _t(s.due_at),
                _t(s.finished_at),
            )
            for s in DossierStep.objects.select_related("dossier", "officer", "unit")
        ),
    }


def outcome(min_rows: int, *args, rejects: Path | None = None) -> tuple:
    """Run an import with one path, note what it said and stored, then undo it."""
    with transaction.atomic():
        code, out, err = run_path(min_rows, *args)
        result = (
            code,
            out,
            err,
            stored(),
            rejects.read_text(encoding="utf-8") if rejects and rejects.exists() else "",
        )
        transaction.set_rollback(True)
    if rejects and rejects.exists():
        rejects.unlink()
    return result
