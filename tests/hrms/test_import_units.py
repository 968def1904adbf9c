"""import_data / export_data with the `units` resource, and the framework under it."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from hrms.importing import run_import
from hrms.importing.files import escape_formula, read_table
from positions.models import OrgUnit
from tests.factories import make_unit

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = "code,name,parent_code,kind\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args) -> tuple[int, str, str]:
    """Call a command; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def csv_file(tmp_path, text: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parent_of(code: str) -> str | None:
    parent = OrgUnit.objects.get_parent(OrgUnit.objects.get(code=code))
    return parent.code if parent else None


def tree() -> list[tuple[str, str | None, str, str]]:
    return [
        (unit.code, parent_of(unit.code), unit.name, unit.kind)
        for unit in OrgUnit.objects.order_by("code")
    ]


def assert_tree_is_sound():
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


# Good files ----------------------------------------------------------------


def test_it_imports_the_sample_file(db):
    code, out, _err = run("import_data", "units", DATA / "units.csv")
    assert code == 0
    assert out.splitlines()[-1] == "imported=5 rejected=0"
    assert tree() == [
        ("P01", None, "UBND tỉnh Mẫu", "agency"),
        ("P01-SNV", "P01", "Sở Nội vụ", "department"),
        ("P01-SNV-CCVC", "P01-SNV", "Phòng Công chức viên chức", "department"),
        (
            "P01-TTHCC",
            "P01",
            "Trung tâm Phục vụ hành chính công tỉnh",
            "service_center",
        ),
        ("P01-XA01", "P01", "UBND xã Hòa Bình", "commune"),
    ]
    assert_tree_is_sound()


def test_reimporting_updates_and_creates_no_duplicates(units):
    before = {unit.code: unit.pk for unit in OrgUnit.objects.all()}
    for _ in range(2):
        code, out, _err = run("import_data", "units", DATA / "units.csv")
        assert (code, out.splitlines()[-1]) == (0, "imported=5 rejected=0")
    assert {unit.code: unit.pk for unit in OrgUnit.objects.all()} == before
    assert_tree_is_sound()


def test_parents_may_come_after_their_children(tmp_path, db):
    path = csv_file(
        tmp_path,
        HEADER + "C,Phòng C,B,\nB,Sở B,A,department\nA,UBND tỉnh A,,agency\n",
    )
    assert run("import_data", "units", path)[0] == 0
    assert tree() == [
        ("A", None, "UBND tỉnh A", "agency"),
        ("B", "A", "Sở B", "department"),
        ("C", "B", "Phòng C", "department"),  # blank kind: the model default
    ]
    assert_tree_is_sound()


def test_it_imports_xlsx_with_typed_cells(tmp_path, db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Code", "Name", "Parent_Code", "Kind"])  # header case is ignored
    sheet.append(["007", "Xã 007", 1001, "commune"])  # text code keeps its zero
    sheet.append([])  # a blank row is skipped but keeps the numbering
    sheet.append([1001, "Huyện 1001", None, "agency"])  # numeric code
    path = tmp_path / "units.xlsx"
    book.save(path)

    code, out, _err = run("import_data", "units", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    assert tree() == [
        ("007", "1001", "Xã 007", "commune"),
        ("1001", None, "Huyện 1001", "agency"),
    ]


def test_csv_with_a_bom_and_semicolons_is_read(tmp_path, db):
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffcode;name\nA;Đơn vị A\n".encode())
    assert run("import_data", "units", path)[0] == 0
    assert OrgUnit.objects.get(code="A").name == "Đơn vị A"


def test_unknown_columns_are_ignored_and_named(tmp_path, db):
    path = csv_file(tmp_path, "code,name,parrent_code\nA,Đơn vị A,P01\n")
    code, out, _err = run("import_data", "units", path)
    assert code == 0
    assert out.splitlines()[-2:] == [
        "Ignored column(s): parrent_code.",
        "imported=1 rejected=0",
    ]


def test_blank_optional_cells_keep_stored_values(tmp_path, units):
    path = csv_file(tmp_path, HEADER + "P01-TTHCC,Trung tâm HCC,,\n")
    assert run("import_data", "units", path)[0] == 0
    unit = OrgUnit.objects.get(code="P01-TTHCC")
    assert (unit.name, unit.kind, parent_of(unit.code)) == (
        "Trung tâm HCC",
        "service_center",
        "P01",
    )


# Moves -----------------------------------------------------------------------


def test_a_moved_unit_keeps_its_subtree(tmp_path, units):
    path = csv_file(tmp_path, HEADER + "P01-SNV,Sở Nội vụ,P01-SYT,department\n")
    code, out, _err = run("import_data", "units", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=1 rejected=0")
    assert parent_of("P01-SNV") == "P01-SYT"
    assert parent_of("P01-SNV-CCVC") == "P01-SNV"
    assert OrgUnit.objects.get(code="P01-SNV-CCVC").depth == 4
    syt = OrgUnit.objects.get(code="P01-SYT")
    assert [u.code for u in OrgUnit.objects.get_descendants(syt)] == [
        "P01-SNV",
        "P01-SNV-CCVC",
    ]
    assert_tree_is_sound()


def test_a_parent_and_child_can_swap_places_in_one_file(tmp_path, units):
    # P01 → P01-SNV → P01-SNV-CCVC becomes P01 → P01-SNV-CCVC → P01-SNV.
    path = csv_file(
        tmp_path,
        HEADER
        + "P01-SNV,Sở Nội vụ,P01-SNV-CCVC,\n"
        + "P01-SNV-CCVC,Phòng Công chức viên chức,P01,\n",
    )
    code, out, _err = run("import_data", "units", path)
    assert code == 0, out
    assert parent_of("P01-SNV-CCVC") == "P01"
    assert parent_of("P01-SNV") == "P01-SNV-CCVC"
    assert_tree_is_sound()


# Rejections --------------------------------------------------------------------


def test_an_unknown_parent_is_rejected_and_nothing_is_written(tmp_path, db):
    path = csv_file(tmp_path, HEADER + "A,Đơn vị A,,\nB,Đơn vị B,NOPE,\n")
    code, out, _err = run("import_data", "units", path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "line 3: Unknown parent unit “NOPE”: it is neither in the database nor in "
        "the file."
    )
    assert lines[-1] == "imported=0 rejected=1"
    assert not OrgUnit.objects.exists()


def test_a_cycle_within_the_file_is_rejected(tmp_path, units):
    path = csv_file(tmp_path, HEADER + "A,Đơn vị A,B,\nB,Đơn vị B,A,\nC,C,P01,\n")
    code, out, _err = run("import_data", "units", path)
    assert code == 1
    assert "line 2: parent_code makes a cycle: A → B → A." in out
    assert "line 3: parent_code makes a cycle: B → A → B." in out
    assert out.splitlines()[-1] == "imported=0 rejected=2"
    assert not OrgUnit.objects.filter(code__in=["A", "B", "C"]).exists()


def test_moving_a_unit_under_its_own_descendant_is_a_cycle(tmp_path, units):
    path = csv_file(tmp_path, HEADER + "P01-SNV,Sở Nội vụ,P01-SNV-CCVC,\n")
    code, out, _err = run("import_data", "units", path)
    assert code == 1
    assert "line 2: parent_code makes a cycle: P01-SNV → P01-SNV-CCVC → P01-SNV." in out
    assert parent_of("P01-SNV") == "P01"


def test_a_move_under_a_unit_whose_own_move_was_rejected_is_rejected(tmp_path, units):
    # P01-SNV's move out of the way fails (bad kind), so P01-SNV-CCVC would
    # become the child of its own child.
    path = csv_file(
        tmp_path,
        HEADER
        + "P01-SNV-CCVC,Phòng CCVC,P01,bogus\n"
        + "P01-SNV,Sở Nội vụ,P01-SNV-CCVC,\n",
    )
    report = run_import("units", path, keep_valid=True)
    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [
        (2, "kind"),
        (3, "parent_code"),
    ]
    assert "cannot move under its own descendant" in report.rejected[1].reason
    assert parent_of("P01-SNV") == "P01"
    assert_tree_is_sound()


def test_a_code_repeated_in_the_file_rejects_every_copy(tmp_path, db):
    path = csv_file(tmp_path, HEADER + "A,Một,,\nB,Hai,,\nA,Ba,,\n")
    code, out, _err = run("import_data", "units", path)
    assert code == 1
    reason = "code “A” appears more than once in the file (lines 2, 4)."
    assert f"line 2: {reason}" in out
    assert f"line 4: {reason}" in out
    assert out.splitlines()[-1] == "imported=0 rejected=2"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "A,Đơn vị A,,bogus",
            "kind: “bogus” is not one of: agency, department, service_center, commune.",
        ),
        ("A,,,", "name: This value is required."),
        (",Đơn vị A,,", "code: This value is required."),
        ("A" * 51 + ",Đơn vị,,", "code: Ensure this value has at most 50 characters"),
        ("A,Đơn vị A,,,extra", "more cells than the header row"),
    ],
)
def test_bad_cells_are_rejected_with_a_reason(tmp_path, db, row, reason):
    path = csv_file(tmp_path, HEADER + row + "\n")
    code, out, _err = run("import_data", "units", path)
    assert code == 1
    assert out.startswith("line 2: ")
    assert reason in out.splitlines()[0]
    assert not OrgUnit.objects.exists()


def test_a_child_of_a_rejected_new_parent_is_rejected(tmp_path, db):
    path = csv_file(tmp_path, HEADER + "A,,,\nB,Đơn vị B,A,\n")
    report = run_import("units", path, keep_valid=True)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "name: This value is required."),
        (
            3,
            "parent_code: The parent unit “A” was rejected, so this unit cannot be "
            "placed under it.",
        ),
    ]


# Whole-file errors: exit code 2 ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.csv", None, "Cannot read the file"),
        ("units.csv", b"code,name\nA,\xc4\x90\xff\n", "not UTF-8 text (line 2)"),
        ("units.xlsx", b"PK\x03\x04 not a zip", "not a readable .xlsx"),
        ("units.txt", b"code,name\n", "Unknown file type “.txt”"),
        ("units.csv", b"", "The file is empty"),
        ("units.csv", b"code,name,code\n", "repeats the column(s): code"),
    ],
)
def test_an_unreadable_file_exits_2(tmp_path, db, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run("import_data", "units", path)
    assert code == 2
    assert message in err
    assert out.splitlines()[-1] == "imported=0 rejected=0"


def test_a_missing_required_column_exits_2(tmp_path, db):
    path = csv_file(tmp_path, "code,parent_code\nA,\n")
    code, _out, err = run("import_data", "units", path)
    assert code == 2
    assert "Missing required column(s): name." in err
    assert not OrgUnit.objects.exists()


def test_an_unknown_resource_exits_2(db):
    code, _out, err = run("import_data", "nope", DATA / "units.csv")
    assert code == 2
    assert "Unknown resource “nope”; choose one of:" in err
    assert "units" in err


# --dry-run and --keep-valid ------------------------------------------------------


def test_dry_run_writes_nothing_and_reports_the_same(tmp_path, db):
    code, out, _err = run("import_data", "units", DATA / "units.csv", "--dry-run")
    assert (code, out.splitlines()[-1]) == (0, "imported=5 rejected=0")
    assert not OrgUnit.objects.exists()

    path = csv_file(tmp_path, HEADER + "A,Đơn vị A,,\nB,Đơn vị B,NOPE,\n")
    dry = run("import_data", "units", path, "--dry-run")
    real = run("import_data", "units", path)
    assert dry[0] == real[0] == 1
    assert dry[1].splitlines()[0] == real[1].splitlines()[0]
    assert (
        dry[1].splitlines()[-1] == real[1].splitlines()[-1] == "imported=0 rejected=1"
    )
    assert not OrgUnit.objects.exists()


def test_keep_valid_writes_the_valid_rows_and_the_rejects(tmp_path, db):
    path = csv_file(
        tmp_path,
        HEADER + "A,Đơn vị A,,agency\n\nB,Đơn vị B,NOPE,\nC,Đơn vị C,A,\nD,,A,\n",
    )
    rejects = tmp_path / "rejects.csv"
    code, out, _err = run(
        "import_data", "units", path, "--keep-valid", "--rejects", rejects
    )
    assert code == 1
    assert out.splitlines()[-1] == "imported=2 rejected=2"
    assert tree() == [
        ("A", None, "Đơn vị A", "agency"),
        ("C", "A", "Đơn vị C", "department"),
    ]
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "line,reason,code,name,parent_code,kind",
        # The blank line 3 still counts.
        "4,Unknown parent unit “NOPE”: it is neither in the database nor in the file.,"
        "B,Đơn vị B,NOPE,",
        "6,name: This value is required.,D,,A,",
    ]


def test_keep_valid_needs_a_rejects_file(db):
    with pytest.raises(CommandError, match="--rejects"):
        call_command("import_data", "units", DATA / "units.csv", "--keep-valid")


def test_run_import_takes_an_open_file(db):
    upload = io.BytesIO((HEADER + "A,Đơn vị A,,\n").encode())
    upload.name = "upload.csv"
    report = run_import("units", upload, dry_run=True)
    assert (report.exit_code, report.imported, report.rejected) == (0, 1, [])
    assert not OrgUnit.objects.exists()


# Export ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_export_round_trip(tmp_path, units, ext):
    make_unit("P01-SYT-01", '=HYPERLINK("http://x")', parent=units.syt)
    expected = tree()
    path = tmp_path / f"units{ext}"
    code, out, _err = run("export_data", "units", path)
    assert (code, out.strip()) == (0, "exported=7")

    table = read_table(path)
    assert table.headers == ["code", "name", "parent_code", "kind"]
    assert table.rows[0] == ["P01", "UBND tỉnh Mẫu", "", "agency"]  # tree order

    # Into the same database: nothing changes.
    assert run("import_data", "units", path)[0] == 0
    assert tree() == expected
    # Into an empty one: the same tree.
    OrgUnit.objects.all().delete()
    code, out, _err = run("import_data", "units", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=7 rejected=0")
    assert tree() == expected
    assert_tree_is_sound()


def test_export_writes_plain_utf8_and_neutralises_formulas(tmp_path, units):
    make_unit("P01-SYT-01", "=1+1", parent=units.syt)
    path = tmp_path / "units.csv"
    run("export_data", "units", path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert "P01-SYT-01,'=1+1,P01-SYT,department" in raw.decode("utf-8")


def test_export_to_xlsx_writes_strings_not_formulas(tmp_path, units):
    make_unit("007", "@SUM(A1)", parent=units.syt)
    path = tmp_path / "units.xlsx"
    run("export_data", "units", path)
    sheet = openpyxl.load_workbook(path).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["007"][1] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd", "'=cmd"),
        ("+84912345678", "'+84912345678"),
        ("-x", "'-x"),
        ("@A1", "'@A1"),
        ("-5", "-5"),
        ("-2.5", "-2.5"),
        ("Sở Nội vụ", "Sở Nội vụ"),
        (5, 5),
    ],
)
def test_formula_escaping(value, expected):
    assert escape_formula(value) == expected


def test_export_refuses_an_unknown_resource_or_extension(tmp_path, db):
    assert run("export_data", "nope", tmp_path / "x.csv")[0] == 2
    code, _out, err = run("export_data", "units", tmp_path / "x.json")
    assert code == 2
    assert "Unknown file type" in err
