"""Import and export files through the registered resources (DESIGN.md §4.2).

Used by the import_data/export_data commands and, later, by web uploads:

    report = run_import("units", uploaded_file, dry_run=True)
    report.exit_code, report.imported, report.rejected  # [(line, reason, row), …]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.utils.translation import gettext
from import_export.results import RowResult

from hrms.importing.files import (
    ImportFileError,
    Source,
    dataset_bytes,
    file_extension,
    read_table,
    write_table,
)
from hrms.importing.registry import UnknownResource, get_resource, resource_names
from hrms.importing.resources import ImportResource

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


class Rejection(NamedTuple):
    line: int
    reason: str
    row: dict[str, str]


@dataclass
class ImportReport:
    imported: int
    rejected: list[Rejection]
    exit_code: int
    columns: list[str] = field(default_factory=list)  # the file's, in its order
    ignored_columns: list[str] = field(default_factory=list)  # not the resource's
    valid: int = 0  # rows that passed every check, written or not
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    error: str = ""  # why the file as a whole was refused (exit code 2)

    @property
    def summary(self) -> str:
        return f"imported={self.imported} rejected={len(self.rejected)}"


def run_import(
    resource_name: str,
    source: Source,
    *,
    dry_run: bool = False,
    keep_valid: bool = False,
    filename: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportReport:
    """Import a .csv/.xlsx file: all rows or nothing, unless keep_valid.

    `progress(done, total)` is called as rows are checked (total None: unchanged).
    """
    try:
        resource = _resource(resource_name)
        table = read_table(source, filename=filename)
        missing = resource.missing_columns(table.headers)
        if missing:
            raise ImportFileError(
                gettext("Missing required column(s): %(missing)s. Expected: %(all)s.")
                % {"missing": ", ".join(missing), "all": ", ".join(resource.columns())}
            )
    except ImportFileError as exc:
        return ImportReport(
            imported=0, rejected=[], exit_code=EXIT_UNREADABLE, error=exc.message
        )

    if progress:
        progress(0, len(table.rows))
    result = resource.import_data(
        table.as_dataset(),
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        collect_failed_rows=True,
        # All or nothing: one rejected row rolls the whole file back.
        rollback_on_validation_errors=not keep_valid,
        lines=table.lines,
        row_errors=table.row_errors,
        progress=progress,
    )
    if result.has_errors():
        # Not a bad row but a bug (import-export already rolled back): fail loudly.
        errors = [*result.base_errors]
        errors += [
            error for _number, row_errors in result.row_errors() for error in row_errors
        ]
        raise errors[0].error

    rows_by_line = dict(zip(table.lines, table.rows, strict=True))
    rejected = sorted(
        (
            Rejection(
                line=(line := resource.line_of(invalid.number)),
                reason=resource.rejection_reason(invalid.error),
                row=dict(zip(table.headers, rows_by_line[line], strict=True)),
            )
            for invalid in result.invalid_rows
        ),
        key=lambda rejection: rejection.line,
    )
    totals = result.totals
    valid = sum(
        totals[kind]
        for kind in (
            RowResult.IMPORT_TYPE_NEW,
            RowResult.IMPORT_TYPE_UPDATE,
            RowResult.IMPORT_TYPE_SKIP,
        )
    )
    written = keep_valid or not rejected
    columns = resource.columns()
    if progress:
        progress(len(table.rows), None)
    return ImportReport(
        imported=valid if written else 0,
        rejected=rejected,
        exit_code=EXIT_REJECTED if rejected else EXIT_OK,
        columns=table.headers,
        ignored_columns=[c for c in table.headers if c not in columns],
        valid=valid,
        created=totals[RowResult.IMPORT_TYPE_NEW] if written else 0,
        updated=totals[RowResult.IMPORT_TYPE_UPDATE] if written else 0,
        dry_run=dry_run,
    )


def write_rejects(report: ImportReport, path: str | Path) -> None:
    """The rejected rows as line, reason, then the original columns."""
    write_table(
        path,
        ["line", "reason", *report.columns],
        (
            [rejection.line, rejection.reason, *rejection.row.values()]
            for rejection in report.rejected
        ),
    )


def export_bytes(resource_name: str, ext: str) -> bytes:
    """Every row of the resource as .csv or .xlsx bytes, in the import columns."""
    _check_extension(ext)
    dataset = _resource(resource_name).export_dataset()
    return dataset_bytes(dataset, ext)


def run_export(resource_name: str, path: str | Path) -> int:
    """Write the resource to a .csv or .xlsx file; returns the number of rows."""
    ext = file_extension(path)
    _check_extension(ext)
    dataset = _resource(resource_name).export_dataset()
    Path(path).write_bytes(dataset_bytes(dataset, ext))
    return len(dataset)


def _resource(name: str) -> ImportResource:
    try:
        return get_resource(name)()
    except UnknownResource:
        raise ImportFileError(
            gettext("Unknown resource “%(name)s”; choose one of: %(names)s.")
            % {"name": name, "names": ", ".join(resource_names())}
        ) from None


def _check_extension(ext: str) -> None:
    if ext not in (".csv", ".xlsx"):
        raise ImportFileError(
            gettext("Unknown file type “%(ext)s”: use a .csv or .xlsx file.")
            % {"ext": ext or "?"}
        )
