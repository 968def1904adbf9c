"""Hostile import files (issue #9 item 3): size caps, content against extension,
zip bombs, damaged archives and CSV encodings, for import_data and stream_import.

Every refusal is exit code 2 with a message naming the problem; nothing is written.
"""

import io
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from appraisals.ingest import stream_import
from appraisals.ingest.reader import open_table
from hrms.importing import ImportFileError, read_table, run_import
from positions.models import OrgUnit
from staff.models import Employee
from tests.factories import make_reference_data

DATA = Path(__file__).resolve().parent.parent / "data"
UNITS = "code,name,parent_code,kind\nP01,UBND tỉnh Mẫu,,agency\n"
# Names with every kind of Vietnamese letter: breve, circumflex, horn, đ, tones.
NAMES = {
    "S001": "Bùi Thị Lan",
    "S002": "Ngô Văn Hải",
    "S003": "Đinh Thị Thu Trang",
    "S004": "Nguyễn Thị Hương",
    "S005": "Trương Quốc Vượng",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def refused(path: Path, resource: str = "units") -> str:
    """Import through the command and the stream path; both exit 2, same message."""
    code, out, err = run("import_data", resource, path)
    assert code == 2, (out, err)
    assert out.strip().splitlines()[-1] == "imported=0 rejected=0"
    streamed = stream_import(resource, path)
    assert streamed.exit_code == 2
    assert streamed.error == err.strip()
    return err.strip()


def to_cp1258(text: str) -> bytes:
    """Encode as Vietnamese Windows does: base letters (ê, ơ, ă…) precomposed, the
    tone marks as separate combining characters."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        rest = "".join(m for m in marks if m not in tones)
        out += unicodedata.normalize("NFC", base + rest).encode("cp1258")
        out += "".join(tones).encode("cp1258")
    return bytes(out)


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zip_bomb(path: Path, *, inflated: int) -> Path:
    """A workbook-shaped zip whose sheet inflates `inflated` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        bomb.writestr("[Content_Types].xml", "<Types/>")
        bomb.writestr("xl/workbook.xml", "<workbook/>")
        with bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                sheet.write(chunk)
    return path


# Size ---------------------------------------------------------------------------


def test_it_refuses_a_file_over_the_size_limit(db, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "units.csv"
    path.write_text(UNITS + "".join(f"U{i},Đơn vị {i},P01,\n" for i in range(100)))
    code, out, err = run("import_data", "units", path)
    assert code == 2
    assert "The file is too large" in err and "limit is 0" in err
    assert not OrgUnit.objects.exists()


def test_the_stream_path_has_its_own_higher_limit(db, tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = tmp_path / "units.csv"
    path.write_text(UNITS, encoding="utf-8")
    with open_table(path) as table:
        assert table.headers == ["code", "name", "parent_code", "kind"]
    settings.IMPORT_STREAM_MAX_BYTES = 10
    with pytest.raises(ImportFileError, match="too large"):
        with open_table(path):
            pass


def test_an_upload_over_the_limit_is_refused_unread(db, settings):
    settings.IMPORT_MAX_BYTES = 10

    class Upload(io.BytesIO):
        size = 10**9  # what Django's UploadedFile says, before anything is read
        name = "units.csv"

        def read(self, *args):
            raise AssertionError("read before the size was checked")

    report = run_import("units", Upload())
    assert report.exit_code == 2 and "too large" in report.error


# Content against extension -------------------------------------------------------


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.csv", PNG, "named .csv but is not CSV text (it looks like a PNG"),
        ("units.csv", b"%PDF-1.7\n", "looks like a PDF document"),
        ("units.csv", b"code,name\nA\x00,B\n", "looks like a binary file"),
        ("units.csv", "code,name\n".encode("utf-16"), "looks like UTF-16 text"),
        ("units.xlsx", UNITS.encode(), "named .xlsx but is not an Excel workbook"),
        ("units.xlsx", PNG, "(it looks like a PNG image)"),
        ("units.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old Excel"),
        ("units.xlsx", b"", "not an Excel workbook"),
    ],
)
def test_it_refuses_content_that_contradicts_the_extension(
    db, tmp_path, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    assert message in refused(path)


def test_an_xlsx_of_a_csv_file_renamed_says_so(db, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_text(UNITS, encoding="utf-8")
    assert "text, perhaps a CSV file" in refused(path)


def test_a_zip_that_is_not_a_workbook_is_refused(db, tmp_path):
    path = tmp_path / "units.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "a zip archive but not an Excel workbook" in refused(path)


# Zip bombs and damaged archives -------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_inflated(db, tmp_path):
    path = zip_bomb(tmp_path / "units.xlsx", inflated=64 * 1024 * 1024)
    assert path.stat().st_size < 200_000  # > 300 times smaller than it inflates
    assert "zip bomb" in refused(path)


def test_an_archive_inflating_past_the_cap_is_refused(db, tmp_path, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 50_000
    rows = [["code", "name"]] + [[f"U{i}", f"Đơn vị {i}"] for i in range(3000)]
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    assert "would inflate to more than 0 MB" in refused(path)


def test_a_truncated_xlsx_is_refused(db, tmp_path):
    data = xlsx_bytes([["code", "name"], ["P01", "UBND tỉnh Mẫu"]])
    path = tmp_path / "units.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert refused(path) == "The file is not a readable .xlsx workbook."
    assert not OrgUnit.objects.exists()


def test_a_sheet_damaged_inside_the_archive_is_refused(db, tmp_path):
    """The central directory is sound, the sheet's bytes are not (bad CRC)."""
    data = bytearray(xlsx_bytes([["code", "name"], ["P01", "UBND tỉnh Mẫu"]]))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for offset in range(start + 10, start + info.compress_size - 10):
        data[offset] ^= 0x55
    path = tmp_path / "units.xlsx"
    path.write_bytes(bytes(data))
    message = refused(path)
    assert message.startswith(
        ("The .xlsx workbook is damaged", "The file is not a readable .xlsx")
    )
    assert not OrgUnit.objects.exists()


def test_a_genuine_workbook_still_imports(db, tmp_path):
    rows = [["code", "name", "parent_code", "kind"], ["P01", "UBND tỉnh Mẫu", "", ""]]
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    code, out, _err = run("import_data", "units", path)
    assert (code, out.strip().splitlines()[-1]) == (0, "imported=1 rejected=0")


# Encodings ----------------------------------------------------------------------


def staff_rows() -> str:
    header = (
        "employee_code,full_name,date_of_birth,gender,staff_type,unit_code,"
        "national_id\n"
    )
    lines = [
        f"{code},{name},1990-01-0{i},{'F' if 'Thị' in name else 'M'},cong_chuc,"
        "P01-SNV,\n"
        for i, (code, name) in enumerate(NAMES.items(), start=1)
    ]
    return header + "".join(lines)


@pytest.fixture
def establishment(db):
    make_reference_data()
    for resource in ("units", "positions"):
        assert run_import(resource, DATA / f"{resource}.csv").exit_code == 0


def imported_names() -> dict[str, str]:
    return dict(Employee.objects.values_list("employee_code", "full_name"))


def nfc(names: dict[str, str]) -> dict[str, str]:
    return {code: unicodedata.normalize("NFC", name) for code, name in names.items()}


def test_the_cp1258_encoder_of_this_test_writes_combining_tones():
    data = to_cp1258("Nguyễn")
    assert data == b"Nguy\xea\xden"  # ê precomposed, then the tilde (0xDE)
    assert data.decode("cp1258") != "Nguyễn"  # decomposed until normalised


@pytest.mark.parametrize("stream", [False, True], ids=["import_data", "stream"])
def test_a_windows_1258_staff_file_imports_with_nfc_names(
    establishment, tmp_path, stream
):
    path = tmp_path / "staff.csv"
    path.write_bytes(to_cp1258(staff_rows()))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    if stream:
        report = stream_import("staff", path)
        assert (report.exit_code, report.imported) == (0, len(NAMES))
    else:
        code, out, err = run("import_data", "staff", path)
        assert (code, err) == (0, "")
        assert out.strip().splitlines()[-1] == f"imported={len(NAMES)} rejected=0"
    assert imported_names() == nfc(NAMES)
    assert all(unicodedata.is_normalized("NFC", n) for n in imported_names().values())


def test_the_stream_reader_reads_cp1258_as_read_table(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(to_cp1258(staff_rows()))
    table = read_table(path)
    with open_table(path) as streamed:
        rows = [cells for _line, cells, _why in streamed]
    assert rows == table.rows
    assert [row[1] for row in rows] == list(nfc(NAMES).values())


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8-bom"])
def test_utf8_with_or_without_bom_imports(establishment, tmp_path, bom):
    path = tmp_path / "staff.csv"
    path.write_bytes(bom + staff_rows().encode("utf-8"))
    code, out, _err = run("import_data", "staff", path)
    assert code == 0, out
    assert imported_names() == nfc(NAMES)
    assert read_table(path).headers[0] == "employee_code"  # no BOM in the name


def test_decomposed_utf8_is_normalised_to_nfc(establishment, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(unicodedata.normalize("NFD", staff_rows()).encode("utf-8"))
    assert run("import_data", "staff", path)[0] == 0
    assert imported_names() == nfc(NAMES)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        # UTF-8 with one stray byte: cp1258 would read it as mojibake ("Ä‘").
        ("code,name\nP01,Sở Nội vụ\nP02,Đ".encode() + b"\xff\n", 3),
        # TCVN3 (an old Vietnamese font encoding): "Nguyễn Văn" as Ô and ¨.
        (b"code,name\nP01,Nguy\xd4n V\xa8n\n", 2),
        # Western Windows-1252 text is not Vietnamese.
        ("code,name\nP01,Müller Straße\n".encode("cp1252"), 2),
        # A byte cp1258 leaves undefined.
        (b"code,name\nP01,Nguy\xean\x8d\n", 2),
    ],
    ids=["utf-8-stray-byte", "tcvn3", "cp1252", "undefined-byte"],
)
def test_text_in_no_plausible_encoding_is_refused_with_its_line(
    db, tmp_path, content, line
):
    path = tmp_path / "units.csv"
    path.write_bytes(content)
    assert refused(path) == (
        f"The file is not UTF-8 text (line {line}); save it as “CSV UTF-8” or as .xlsx."
    )
    assert not OrgUnit.objects.exists()


def test_a_malformed_csv_is_refused(db, tmp_path, settings):
    path = tmp_path / "units.csv"
    path.write_text('code,name\nP01,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    assert "The CSV file is malformed" in refused(path)


# The web upload path (/jobs/import/) -------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("units.csv", "png", "named .csv but is not CSV text"),
        ("units.xlsx", "bomb", "zip bomb"),
        ("dossiers.xlsx", "bomb", "zip bomb"),  # the streaming fast path
        ("units.csv", "cp1252", "not UTF-8 text (line 2)"),
    ],
)
def test_an_uploaded_hostile_file_fails_its_job(
    users, tmp_path, settings, name, kind, message
):
    from django.core.files.base import ContentFile

    from hrms.jobs import submit
    from hrms.models import Job

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_BROKER_URL = ""
    if kind == "png":
        content = PNG
    elif kind == "bomb":
        content = zip_bomb(tmp_path / "bomb.xlsx", inflated=16 * 1024 * 1024)
        content = content.read_bytes()
    else:
        content = "code,name\nP01,Müller Straße\n".encode("cp1252")
    count = OrgUnit.objects.count()
    job = submit(
        "import",
        users.admin,
        source=ContentFile(content, name=name),
        source_name=name,
        resource=name.split(".")[0],
    )
    assert job.status == Job.Status.FAILED
    assert message in job.error
    assert OrgUnit.objects.count() == count
