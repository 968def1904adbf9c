"""Read CSV/XLSX import files into strings, and write CSV/XLSX exports safely.

Reading keeps every cell a string (a national ID "034186001234" keeps its leading
zero), numbers rows the way a spreadsheet does (the header is line 1, so the first data
row is line 2; blank rows are skipped but still counted), comma- or
semicolon-separated (Excel in a Vietnamese locale writes semicolons). Writing goes
through django-import-export's formats after neutralising spreadsheet formulas.

Files are untrusted, so reading refuses, with an ImportFileError (exit code 2):

- a file over settings.IMPORT_MAX_BYTES;
- a file whose content contradicts its extension: an .xlsx must be a zip archive
  holding a workbook (an old .xls, a PNG or a CSV renamed are named as such), a
  .csv must be text (no NUL bytes, no image, archive or PDF signature);
- an .xlsx archive that would inflate past settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
  or one of whose members inflates more than MAX_COMPRESSION_RATIO times (a zip
  bomb), checked on the central directory before openpyxl opens anything; zipfile
  never inflates a member past its declared size, so the declared sizes bind;
- a CSV that is neither UTF-8 (with or without a BOM) nor plausible Windows-1258.

CSV encodings: strict UTF-8 first; failing that, Windows-1258 (cp1258, what
Vietnamese Windows writes as "ANSI"), accepted only when every decoded character
is one a Vietnamese file holds (ASCII, letters with Vietnamese diacritics, usual
punctuation) and some word holds a Vietnamese letter (ă ơ ư đ or a tone mark: a
lone "Ă(" is a broken UTF-8 byte, not Vietnamese); anything else (UTF-8 with a stray
byte, TCVN3, Western text, a binary file) is refused naming the first line that is
not UTF-8. cp1258 writes tone marks as combining characters, so the text is
normalised to NFC: "Nguyễn" compares equal whatever wrote it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import tablib
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:[.,]\d+)?")

Source = str | Path | IO[bytes] | IO[str]

# A member of an .xlsx inflating more than this is a zip bomb (Apache POI's limit).
MAX_COMPRESSION_RATIO = 100
# Below this size a member's ratio says nothing (an empty sheet compresses well).
RATIO_MIN_BYTES = 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
# What a file starts with, for the message naming what it really is.
ZIP_MAGIC = b"PK\x03\x04"
SIGNATURES = (
    (ZIP_MAGIC, _("a zip archive")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", _("an old Excel .xls or an encrypted file")),
    (b"\x89PNG\r\n\x1a\n", _("a PNG image")),
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"GIF8", _("a GIF image")),
    (b"%PDF", _("a PDF document")),
    (b"\x1f\x8b", _("a gzip archive")),
    (b"Rar!", _("a RAR archive")),
    (b"7z\xbc\xaf", _("a 7-Zip archive")),
    (b"\xff\xfe", _("UTF-16 text")),
    (b"\xfe\xff", _("UTF-16 text")),
)
# Windows-1258 plausibility: the diacritics of Vietnamese letters (tones, then
# circumflex, breve, horn), those that mark a word as Vietnamese, and the
# non-letters a Vietnamese CSV holds.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_VIETNAMESE_MARKS = frozenset(_TONE_MARKS + "\u0302\u0306\u031b")
_VIETNAMESE_ONLY = frozenset(_TONE_MARKS + "\u0306\u031bđĐ")  # in NFD
_WORD = re.compile(r"[^\W\d_]{2,}")
_PLAUSIBLE_SYMBOLS = frozenset("\u00a0\u00b0\u00b7\u00ab\u00bb\u00a7\u00d7“”‘’–—…•€₫№")


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
    data = _read_bytes(source, settings.IMPORT_MAX_BYTES)
    check_content(data, ext)
    return _build_table(reader(data))


def check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ImportFileError(
            gettext(
                "The file is too large: %(size)s MB, the limit is %(limit)s MB. "
                "Split it, or ask an administrator."
            )
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )


def check_content(head: bytes, ext: str) -> None:
    """Refuse a file whose first bytes contradict its extension."""
    magic, kind = next(
        ((magic, kind) for magic, kind in SIGNATURES if head.startswith(magic)),
        (None, None),
    )
    if ext == ".xlsx":
        if magic != ZIP_MAGIC:
            raise ImportFileError(
                gettext(
                    "The file is named .xlsx but is not an Excel workbook (it looks "
                    "like %(kind)s); save it as .xlsx (Excel 2007 or later)."
                )
                % {"kind": kind or _text_or_binary(head)}
            )
    elif kind or b"\x00" in head[:65536]:
        raise ImportFileError(
            gettext(
                "The file is named .csv but is not CSV text (it looks like "
                "%(kind)s); save it as “CSV UTF-8” or as .xlsx."
            )
            % {"kind": kind or gettext("a binary file")}
        )


def check_xlsx_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a zip bomb or a zip that holds no workbook, before inflating it."""
    members = archive.infolist()
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError(
            gettext(
                "The file is a zip archive but not an Excel workbook; save it as .xlsx."
            )
        )
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise _bomb()
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_MIN_BYTES and (
            member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)
        ):
            raise _bomb()
    if total > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise _bomb()


def decode_csv(data: bytes) -> str:
    """CSV bytes as NFC text: UTF-8 (BOM or not), else plausible Windows-1258."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_line = data[: exc.start].count(b"\n") + 1
        found = read_cp1258(data)
        if found is None or not found[1]:
            raise encoding_error(utf8_line) from exc
        return found[0]
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def read_cp1258(data: bytes) -> tuple[str, bool] | None:
    """The bytes as Windows-1258 text in NFC, and whether a word holds a letter only
    Vietnamese writes (ă ơ ư đ, a tone mark); None when a character is implausible.
    """
    try:
        raw = data.decode("cp1258")
    except UnicodeDecodeError:
        return None
    text = unicodedata.normalize("NFC", raw)
    if not all(map(_plausible, set(text))):
        return None
    vietnamese = any(
        not _VIETNAMESE_ONLY.isdisjoint(unicodedata.normalize("NFD", word))
        for word in _WORD.findall(text)
        if not word.isascii()
    )
    return text, vietnamese


def _plausible(char: str) -> bool:
    if char < "\x7f":
        return char >= " " or char in "\t\r\n"
    if char in _PLAUSIBLE_SYMBOLS or char in "đĐ":
        return True
    # A Vietnamese letter: an ASCII letter with Vietnamese diacritics only (no ÿ,
    # no stray tone mark, no ¨ © µ as TCVN3 text decodes to).
    base, *marks = unicodedata.normalize("NFD", char)
    return base.isascii() and base.isalpha() and _VIETNAMESE_MARKS.issuperset(marks)


def encoding_error(utf8_line: int) -> ImportFileError:
    return ImportFileError(
        gettext(
            "The file is not UTF-8 text (line %(line)d); save it as "
            "“CSV UTF-8” or as .xlsx."
        )
        % {"line": utf8_line}
    )


def _bomb() -> ImportFileError:
    return ImportFileError(
        gettext(
            "The .xlsx file would inflate to more than %(limit)s MB or is compressed "
            "suspiciously well (a zip bomb?); it was not opened."
        )
        % {"limit": _megabytes(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)}
    )


def _text_or_binary(head: bytes) -> str:
    if b"\x00" in head[:65536]:
        return gettext("a binary file")
    return gettext("text, perhaps a CSV file")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def escape_formula(value: Any) -> Any:
    """Prefix an apostrophe to a cell a spreadsheet would run as a formula.

    Plain negative numbers ("-5", "-2.5") are left alone, as are non-strings (a
    number stays a number). Every CSV/XLSX that leaves the system goes through this.
    """
    if isinstance(value, Promise):  # a lazy translation is a string once written
        value = str(value)
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _NEGATIVE_NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo escape_formula, so an exported file imports back unchanged.

    Cells are read stripped, so an escaped tab or CR is stripped too.
    """
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:].strip()
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


def _read_bytes(source: Source, limit: int) -> bytes:
    """The whole file, refused unread when over the limit."""
    try:
        if isinstance(source, str | Path):
            path = Path(source)
            check_size(path.stat().st_size, limit)
            with path.open("rb") as handle:
                data = handle.read(limit + 1)
        else:
            size = getattr(source, "size", None)  # Django's UploadedFile
            if isinstance(size, int):
                check_size(size, limit)
            if hasattr(source, "seek"):
                source.seek(0)
            data = source.read(limit + 1)
    except OSError as exc:
        raise ImportFileError(
            gettext("Cannot read the file: %(error)s") % {"error": exc.strerror or exc}
        ) from exc
    data = data.encode("utf-8") if isinstance(data, str) else data
    check_size(len(data), limit)
    return data


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_csv(data)
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

    unreadable = gettext("The file is not a readable .xlsx workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_xlsx_archive(archive)
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise ImportFileError(unreadable) from exc
    try:
        sheet = book.worksheets[0]
        rows = enumerate(sheet.iter_rows(), start=1)
        while True:
            try:
                line, cells = next(rows)
                values = [_cell_text(cell, is_datetime) for cell in cells]
            except StopIteration:
                return
            except Exception as exc:  # a damaged sheet: bad CRC, broken XML, …
                raise ImportFileError(
                    gettext("The .xlsx workbook is damaged: %(error)s") % {"error": exc}
                ) from exc
            yield line, values
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
