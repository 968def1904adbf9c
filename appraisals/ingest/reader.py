"""Stream an import file row by row, in constant memory.

The same reading rules as hrms.importing.files.read_table — UTF-8 with or without a
BOM, comma or semicolon, cells stripped, formula escapes undone, blank rows skipped
but counted, line = the spreadsheet's row number, a row with more cells than the
header flagged — without holding the file: a CSV is read a line at a time, an XLSX
through openpyxl's read-only mode. The same errors come out as ImportFileError, and
the same hostile-file checks apply (content against extension, zip bombs, UTF-8 or
plausible Windows-1258), with a higher size cap: IMPORT_STREAM_MAX_BYTES.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext

from hrms.importing.files import (
    ImportFileError,
    _header,
    _xlsx_records,
    check_content,
    check_size,
    encoding_error,
    read_cp1258,
    unescape_formula,
)

SNIFF_BYTES = 1024 * 1024  # enough to tell UTF-8 from cp1258, and text from binary

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
        check_size(os.fstat(handle.fileno()).st_size, settings.IMPORT_STREAM_MAX_BYTES)
        head = handle.read(SNIFF_BYTES)
        handle.seek(0)
    except OSError as exc:
        raise ImportFileError(
            gettext("Cannot read the file: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    with handle:
        check_content(head, ext)
        if ext == ".csv":
            raw = _csv_records(handle, _csv_encoding(handle, head))
        else:
            raw = _xlsx_records(handle.read())
        try:
            yield _table(raw)
        finally:
            raw.close()  # before the file closes


def _csv_encoding(handle: IO[bytes], head: bytes) -> str:
    """utf-8-sig when the file starts as UTF-8, else cp1258 if all of it is plausible.

    A UTF-8 error further down is reported, with its line, as the rows are read.
    """
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    utf8_line, vietnamese = 0, False
    for number, raw in enumerate(handle, start=1):
        if not utf8_line:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                utf8_line = number
        found = read_cp1258(raw)
        if found is None:
            raise encoding_error(utf8_line or number)
        vietnamese = vietnamese or found[1]
    if not vietnamese:
        raise encoding_error(utf8_line)
    handle.seek(0)
    return "cp1258"


def _csv_records(
    handle: IO[bytes], encoding: str = "utf-8-sig"
) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    lines: Iterator[str] = text
    if encoding == "cp1258":  # tone marks come apart: compose them (NFC)
        lines = (unicodedata.normalize("NFC", line) for line in text)
    try:
        first = next(lines, "")
        first_line = first.split("\n", 1)[0]
        delimiter = ";" if ";" in first_line and "," not in first_line else ","
        reader = csv.reader(itertools.chain((first,), lines), delimiter=delimiter)
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
