"""Stream an import file row by row, in constant memory.

The same reading rules as hrms.importing.files.read_table — UTF-8 with or without a
BOM, comma or semicolon, cells stripped, formula escapes undone, blank rows skipped
but counted, line = the spreadsheet's row number, a row with more cells than the
header flagged — without holding the file: a CSV is read a line at a time, an XLSX
through openpyxl's read-only mode. The same errors come out as ImportFileError.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.utils.translation import gettext

from hrms.importing.files import (
    ImportFileError,
    _header,
    _xlsx_records,
    unescape_formula,
)

# (line, cells by header position, reason the row is broken or None)
Record = tuple[int, list[str], str | None]


class StreamTable:
    """The header of a file and an iterator over its data rows."""

    def __init__(self, headers: list[str], records: Iterator[Record]) -> None:
        self.headers = headers
        self._records = records

    def __iter__(self) -> Iterator[Record]:
        return self._records


@contextmanager
def open_table(path: str | Path):
    """Open a .csv or .xlsx file as a StreamTable (header read, rows pending)."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise ImportFileError(
            gettext("Unknown file type “%(ext)s”: use a .csv or .xlsx file.")
            % {"ext": ext or "?"}
        )
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise ImportFileError(
            gettext("Cannot read the file: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    with handle:
        if ext == ".csv":
            raw = _csv_records(handle)
        else:
            raw = _xlsx_records(handle.read())
        try:
            yield _table(raw)
        finally:
            raw.close()  # before the file closes


def _csv_records(handle: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
        first_line = first.split("\n", 1)[0]
        delimiter = ";" if ";" in first_line and "," not in first_line else ","
        reader = csv.reader(itertools.chain((first,), text), delimiter=delimiter)
        # Line = record number, the row number a spreadsheet shows.
        yield from enumerate(reader, start=1)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            gettext(
                "The file is not UTF-8 text (line %(line)d); save it as "
                "“CSV UTF-8” or as .xlsx."
            )
            % {"line": _first_bad_line(handle)}
        ) from exc
    except csv.Error as exc:
        raise ImportFileError(
            gettext("The CSV file is malformed: %(error)s") % {"error": exc}
        ) from exc
    finally:
        text.detach()


def _first_bad_line(handle: IO[bytes]) -> int:
    """The line of the first byte that is not UTF-8 (rare: read the file again)."""
    handle.seek(0)
    for number, raw in enumerate(handle, start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 0


def _table(records: Iterator[tuple[int, list[str]]]) -> StreamTable:
    for _line, raw in records:
        cells = _clean(raw)
        if any(cells):
            table, columns = _header(cells)
            return StreamTable(table.headers, _rows(records, columns))
    raise ImportFileError(gettext("The file is empty: no header row."))


def _rows(
    records: Iterator[tuple[int, list[str]]], columns: list[int]
) -> Iterator[Record]:
    width = columns[-1] + 1
    plain = columns == list(range(width))
    too_many = gettext(
        "This row has more cells than the header row; check for an unquoted comma."
    )
    for line, raw in records:
        cells = [cell.strip() for cell in raw]
        if "'" in "\x1f".join(cells):
            cells = _unescape(cells)
        if not any(cells):
            continue
        error = None
        if len(cells) != width:
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            elif any(cells[width:]):
                error = too_many
            if len(cells) > width:
                cells = cells[:width]
        yield line, (cells if plain else [cells[i] for i in columns]), error


def _clean(raw: list) -> list[str]:
    return _unescape([str(cell).strip() for cell in raw])


def _unescape(cells: list[str]) -> list[str]:
    return [unescape_formula(cell) if cell[:1] == "'" else cell for cell in cells]
