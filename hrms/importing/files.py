"""Read CSV/XLSX import files into strings, and write CSV/XLSX exports safely.

Reading keeps every cell a string (a national ID "034186001234" keeps its leading
zero), numbers rows the way a spreadsheet does (the header is line 1, so the first data
row is line 2; blank rows are skipped but still counted) and accepts UTF-8 with or
without a BOM, comma- or semicolon-separated (Excel in a Vietnamese locale writes
semicolons). Writing goes through django-import-export's formats after neutralising
spreadsheet formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import tablib
from django.utils.translation import gettext
from import_export.formats import base_formats

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")

Source = str | Path | IO[bytes] | IO[str]


class ImportFileError(Exception):
    """The file as a whole cannot be imported (exit code 2)."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass
class Table:
    """The cells of an import file: one list of strings per non-blank data row."""

    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    # Rows broken as read (more cells than headers), by line.
    row_errors: dict[int, str] = field(default_factory=dict)

    def as_dataset(self) -> tablib.Dataset:
        return tablib.Dataset(*self.rows, headers=self.headers)


def file_extension(source: Source, filename: str | None = None) -> str:
    name = filename or (
        str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
    )
    return Path(name or "").suffix.lower()


def read_table(source: Source, *, filename: str | None = None) -> Table:
    """Read a .csv or .xlsx file (a path or an open file) into a Table."""
    ext = file_extension(source, filename)
    reader = {".csv": _csv_records, ".xlsx": _xlsx_records}.get(ext)
    if reader is None:
        raise ImportFileError(
            gettext("Unknown file type “%(ext)s”: use a .csv or .xlsx file.")
            % {"ext": ext or "?"}
        )
    data = _read_bytes(source)
    return _build_table(reader(data))


def escape_formula(value: Any) -> Any:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula.

    Plain negative numbers ("-5", "-2.5") are left alone.
    """
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NEGATIVE_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula, so an exported file imports back unchanged."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def dataset_bytes(dataset: tablib.Dataset, ext: str) -> bytes:
    """A dataset as .csv (UTF-8, no BOM) or .xlsx bytes, formulas neutralised."""
    formats = {".csv": base_formats.CSV, ".xlsx": base_formats.XLSX}
    if ext not in formats:
        raise ImportFileError(
            gettext("Unknown file type “%(ext)s”: use a .csv or .xlsx file.")
            % {"ext": ext or "?"}
        )
    safe = tablib.Dataset(
        *([escape_formula(value) for value in row] for row in dataset),
        headers=dataset.headers,
        title=dataset.title or "data",
    )
    content = formats[ext]().export_data(safe)
    return content.encode("utf-8") if isinstance(content, str) else content


def write_table(
    path: str | Path, headers: list[str], rows: Iterable[Iterable[Any]]
) -> None:
    """Write rows to a .csv or .xlsx file chosen by the path's extension."""
    dataset = tablib.Dataset(*(list(row) for row in rows), headers=headers)
    Path(path).write_bytes(dataset_bytes(dataset, file_extension(path)))


# Reading -------------------------------------------------------------------


def _read_bytes(source: Source) -> bytes:
    try:
        if isinstance(source, str | Path):
            return Path(source).read_bytes()
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read()
    except OSError as exc:
        raise ImportFileError(
            gettext("Cannot read the file: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    return data.encode("utf-8") if isinstance(data, str) else data


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            gettext(
                "The file is not UTF-8 text (line %(line)d); save it as "
                "“CSV UTF-8” or as .xlsx."
            )
            % {"line": line}
        ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Line = record number, the row number a spreadsheet shows.
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ImportFileError(
            gettext("The CSV file is malformed: %(error)s") % {"error": exc}
        ) from exc


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl
    from openpyxl.styles.numbers import is_datetime

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise ImportFileError(
            gettext("The file is not a readable .xlsx workbook.")
        ) from exc
    try:
        sheet = book.worksheets[0]
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            yield line, [_cell_text(cell, is_datetime) for cell in cells]
    finally:
        book.close()


def _cell_text(cell, is_datetime) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        kind = is_datetime(getattr(cell, "number_format", None) or "General")
        if kind == "date" or (kind is None and value.time() == dt.time()):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _build_table(records: Iterable[tuple[int, list[str]]]) -> Table:
    table: Table | None = None
    columns: list[int] = []  # positions of the named header cells
    for line, raw in records:
        cells = [unescape_formula(str(cell).strip()) for cell in raw]
        if not any(cells):
            continue
        if table is None:
            table, columns = _header(cells)
            continue
        width = columns[-1] + 1
        cells += [""] * (width - len(cells))
        if any(cells[width:]):
            table.row_errors[line] = gettext(
                "This row has more cells than the header row; check for an "
                "unquoted comma."
            )
        table.rows.append([cells[i] for i in columns])
        table.lines.append(line)
    if table is None:
        raise ImportFileError(gettext("The file is empty: no header row."))
    return table


def _header(cells: list[str]) -> tuple[Table, list[int]]:
    names = [cell.lower() for cell in cells]
    columns = [i for i, name in enumerate(names) if name]
    headers = [names[i] for i in columns]
    repeated = sorted({name for name in headers if headers.count(name) > 1})
    if repeated:
        raise ImportFileError(
            gettext("The header repeats the column(s): %(columns)s.")
            % {"columns": ", ".join(repeated)}
        )
    return Table(headers=headers), columns
