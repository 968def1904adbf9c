"""Ingestion of one-stop-shop logs at volume (DESIGN.md §5, issue 6).

    report = stream_import("dossiers", "dossiers.csv", dry_run=False)

reads the file a chunk at a time (constant memory) and answers the same
ImportReport as hrms.importing.run_import: same exit codes, reasons and counts.
`import_data dossiers FILE` itself takes the fast path for files of more than
IMPORT_FAST_PATH_MIN_ROWS rows (see appraisals.resources), but reads the whole file
first, as every resource does; `stream_import` (and the command of that name)
streams it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext

from appraisals.ingest.fastpath import CHUNK_SIZE, SPECS, FastOutcome, fast_import
from appraisals.ingest.reader import open_table
from hrms.importing import (
    ImportFileError,
    ImportReport,
    Rejection,
    get_resource,
    resource_names,
    run_import,
)
from hrms.importing.registry import UnknownResource
from hrms.importing.service import EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE

__all__ = ["CHUNK_SIZE", "FastOutcome", "fast_import", "stream_import"]


def stream_import(
    resource_name: str,
    path: str | Path,
    *,
    dry_run: bool = False,
    keep_valid: bool = False,
    using: str = "default",
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Import a .csv/.xlsx file through the fast path, streaming it.

    Resources without a fast path go through run_import unchanged. `progress(done,
    None)` is called after each chunk of rows.
    """
    if resource_name not in SPECS:
        return run_import(
            resource_name,
            path,
            dry_run=dry_run,
            keep_valid=keep_valid,
            progress=progress,
        )
    try:
        resource = _resource(resource_name)
        with open_table(path) as table:
            headers = table.headers
            missing = resource.missing_columns(headers)
            if missing:
                raise ImportFileError(
                    gettext(
                        "Missing required column(s): %(missing)s. Expected: %(all)s."
                    )
                    % {
                        "missing": ", ".join(missing),
                        "all": ", ".join(resource.columns()),
                    }
                )
            outcome = fast_import(
                resource,
                headers,
                table,
                dry_run=dry_run,
                keep_valid=keep_valid,
                using=using,
                chunk_size=chunk_size,
                reread=lambda lines: _reread(path, lines),
                progress=progress,
            )
    except ImportFileError as exc:
        return ImportReport(
            imported=0, rejected=[], exit_code=EXIT_UNREADABLE, error=exc.message
        )
    written = keep_valid or not outcome.rejections
    columns = resource.columns()
    report = ImportReport(
        imported=outcome.valid if written else 0,
        rejected=[
            Rejection(line, reason, dict(zip(headers, cells, strict=False)))
            for line, reason, cells in outcome.rejections
        ],
        exit_code=EXIT_REJECTED if outcome.rejections else EXIT_OK,
        columns=headers,
        ignored_columns=[c for c in headers if c not in columns],
        valid=outcome.valid,
        created=outcome.created if written else 0,
        updated=outcome.updated if written else 0,
        dry_run=dry_run,
    )
    report.timings = dict(outcome.timings)  # seconds by phase, for benchmarks
    return report


def _resource(name: str):
    try:
        return get_resource(name)()
    except UnknownResource:
        raise ImportFileError(
            gettext("Unknown resource “%(name)s”; choose one of: %(names)s.")
            % {"name": name, "names": ", ".join(resource_names())}
        ) from None


def _reread(path: str | Path, lines: set[int]) -> dict[int, list[str]]:
    """The cells of a few lines, read again."""
    found = {}
    with open_table(path) as table:
        for line, cells, _broken in table:
            if line in lines:
                found[line] = cells
    return found
