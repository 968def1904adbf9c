"""import_data / export_data with the `positions` resource."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hrms.importing import read_table, run_import
from hrms.models import LedgerEntry
from positions.models import JobPosition
from tests.factories import (
    make_assignment,
    make_employee,
    make_position,
    make_reference_data,
)

DATA = Path(__file__).resolve().parent.parent / "data"
HEADER = "code,unit_code,title,group,grade_code,headcount\n"
GOOD = "P01-SNV-CV,P01-SNV,Chuyên viên tổng hợp,professional,01.003,2\n"


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
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


def csv_file(tmp_path, text: str, name: str = "positions.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def positions() -> list[tuple]:
    return [
        (p.code, p.unit.code, p.title, p.group, p.grade.code, p.headcount)
        for p in JobPosition.objects.select_related("unit", "grade")
    ]


def ledger(action: str) -> list[dict]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(action=action)]


# Good files ----------------------------------------------------------------


def test_it_imports_the_sample_file_after_the_units(db):
    assert run("import_data", "units", DATA / "units.csv")[0] == 0
    code, out, _err = run("import_data", "positions", DATA / "positions.csv")
    assert (code, out.splitlines()[-1]) == (0, "imported=4 rejected=0")
    assert positions() == [
        ("P01-SNV-CCVC-QL", "P01-SNV-CCVC", "Chuyên viên quản lý công chức",
         "professional", "01.003", 3),
        ("P01-SNV-GD", "P01-SNV", "Giám đốc Sở", "leadership", "01.002", 1),
        ("P01-TTHCC-PV", "P01-TTHCC", "Nhân viên phục vụ", "support", "01.005", 1),
        ("P01-TTHCC-TN", "P01-TTHCC", "Công chức tiếp nhận và trả kết quả",
         "professional", "01.003", 4),
    ]  # fmt: skip
    # Each new quota is a decision in the ledger.
    assert sorted(entry["code"] for entry in ledger("position.create")) == [
        "P01-SNV-CCVC-QL",
        "P01-SNV-GD",
        "P01-TTHCC-PV",
        "P01-TTHCC-TN",
    ]


def test_reimporting_changes_nothing_and_adds_no_ledger_entries(units):
    path = DATA / "positions.csv"
    assert run("import_data", "positions", path)[0] == 0
    before = {p.code: (p.pk, p.version) for p in JobPosition.objects.all()}
    entries = LedgerEntry.objects.count()
    code, out, _err = run("import_data", "positions", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=4 rejected=0")
    assert {p.code: (p.pk, p.version) for p in JobPosition.objects.all()} == before
    assert LedgerEntry.objects.count() == entries


def test_a_headcount_change_goes_to_the_ledger(tmp_path, units):
    make_position(units.snv, "P01-SNV-CV", headcount=2, title="Chuyên viên tổng hợp")
    path = csv_file(tmp_path, HEADER + GOOD.replace(",2\n", ",5\n"))
    code, out, _err = run("import_data", "positions", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=1 rejected=0")
    position = JobPosition.objects.get(code="P01-SNV-CV")
    assert (position.headcount, position.version) == (5, 2)
    [entry] = ledger("position.headcount_change")
    assert (entry["old_headcount"], entry["new_headcount"]) == (2, 5)


def test_a_headcount_below_the_holders_is_allowed_like_on_the_edit_page(
    tmp_path, units
):
    """update_position() does not refuse it: the position shows as over quota."""
    position = make_position(units.snv, "P01-SNV-CV", headcount=2)
    for code in ("E1", "E2"):
        make_assignment(make_employee(units.snv, code), position)
    path = csv_file(tmp_path, HEADER + GOOD.replace(",2\n", ",1\n"))
    assert run("import_data", "positions", path)[0] == 0
    position = JobPosition.objects.with_fill().get(code="P01-SNV-CV")
    assert (position.headcount, position.filled, position.over_quota) == (1, 2, 1)
    assert ledger("position.headcount_change")[0]["new_headcount"] == 1


def test_it_reads_the_optional_columns(tmp_path, units):
    path = csv_file(
        tmp_path,
        "code,unit_code,title,group,grade_code,headcount,job_description,"
        "approval_decision_number,approval_decided_on,approval_signer\n"
        'P01-SNV-CV,P01-SNV,Chuyên viên,professional,01.003,2,"Soạn thảo, tổng hợp",'
        "123/QĐ-UBND,15/03/2024,Nguyễn Văn A\n"
        "P01-SNV-DC,P01-SNV,Chuyên viên dùng chung,shared_professional,01.003,1,,"
        "45/QĐ-UBND,2021-06-01,\n",
    )
    code, out, _err = run("import_data", "positions", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    position = JobPosition.objects.get(code="P01-SNV-CV")
    assert (
        position.job_description,
        position.approval_decision_number,
        position.approval_decided_on.isoformat(),
        position.approval_signer,
    ) == ("Soạn thảo, tổng hợp", "123/QĐ-UBND", "2024-03-15", "Nguyễn Văn A")
    # The 2020 fourth group, for a position approved before 1/7/2025.
    assert JobPosition.objects.get(code="P01-SNV-DC").group == "shared_professional"


def test_blank_optional_cells_keep_stored_values(tmp_path, units):
    make_position(units.snv, "P01-SNV-CV", job_description="Mô tả", headcount=2)
    path = csv_file(
        tmp_path,
        "code,unit_code,title,group,grade_code,headcount,job_description\n"
        "P01-SNV-CV,P01-SNV,Chuyên viên,professional,01.003,2,\n",
    )
    assert run("import_data", "positions", path)[0] == 0
    assert JobPosition.objects.get(code="P01-SNV-CV").job_description == "Mô tả"


def test_it_imports_xlsx(tmp_path, units):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "unit_code", "title", "group", "grade_code", "headcount"])
    sheet.append(["P01-SNV-CV", "P01-SNV", "Chuyên viên", "professional", "01.003", 2])
    path = tmp_path / "positions.xlsx"
    book.save(path)
    code, out, _err = run("import_data", "positions", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=1 rejected=0")
    assert positions() == [
        ("P01-SNV-CV", "P01-SNV", "Chuyên viên", "professional", "01.003", 2)
    ]


# Rejections --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "P01-X,NOPE,Chuyên viên,professional,01.003,1",
            "unit_code: Unknown unit “NOPE”.",
        ),
        (
            "P01-X,P01-SNV,Chuyên viên,professional,09.999,1",
            "grade_code: Unknown grade “09.999”.",
        ),
        (
            "P01-X,P01-SNV,Chuyên viên,professional,01.003,-1",
            "headcount: Ensure this value is greater than or equal to 0.",
        ),
        (
            "P01-X,P01-SNV,Chuyên viên,professional,01.003,abc",
            "headcount: “abc” is not a whole number.",
        ),
        (
            "P01-X,P01-SNV,Chuyên viên,professional,01.003,2.5",
            "headcount: “2.5” is not a whole number.",
        ),
        (
            "P01-X,P01-SNV,Chuyên viên,manager,01.003,1",
            "group: “manager” is not one of: leadership, professional, support, "
            "shared_professional.",
        ),
        (
            "P01-X,P01-SNV,Chuyên viên,shared_professional,01.003,1",
            "group: Since 1/7/2025 a job position is leadership, professional or "
            "support;",
        ),
        (
            "P01-X,,Chuyên viên,professional,01.003,1",
            "unit_code: This value is required.",
        ),
        ("P01-X,P01-SNV,,professional,01.003,1", "title: This value is required."),
    ],
)
def test_bad_rows_are_rejected_and_nothing_is_written(tmp_path, units, row, reason):
    path = csv_file(tmp_path, HEADER + GOOD + row + "\n")
    code, out, _err = run("import_data", "positions", path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"line 3: {reason}"), lines[0]
    assert lines[-1] == "imported=0 rejected=1"
    assert not JobPosition.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_row_lists_all_its_problems(tmp_path, units):
    path = csv_file(tmp_path, HEADER + "P01-X,NOPE,,boss,09.999,x\n")
    report = run_import("positions", path)
    assert [r.reason for r in report.rejected] == [
        "unit_code: Unknown unit “NOPE”.; grade_code: Unknown grade “09.999”.; "
        "headcount: “x” is not a whole number.; title: This value is required.; "
        "group: “boss” is not one of: leadership, professional, support, "
        "shared_professional."
    ]


def test_a_code_repeated_in_the_file_rejects_every_copy(tmp_path, units):
    path = csv_file(tmp_path, HEADER + GOOD + GOOD.replace("Chuyên viên", "CV"))
    code, out, _err = run("import_data", "positions", path)
    assert code == 1
    reason = "code “P01-SNV-CV” appears more than once in the file (lines 2, 3)."
    assert out.splitlines()[:2] == [f"line 2: {reason}", f"line 3: {reason}"]
    assert not JobPosition.objects.exists()


def test_a_missing_required_column_exits_2(tmp_path, units):
    path = csv_file(tmp_path, "code,unit_code,title,group,headcount\n")
    code, _out, err = run("import_data", "positions", path)
    assert code == 2
    assert "Missing required column(s): grade_code." in err


# --dry-run and --keep-valid ------------------------------------------------------


def test_dry_run_writes_nothing(units):
    code, out, _err = run(
        "import_data", "positions", DATA / "positions.csv", "--dry-run"
    )
    assert (code, out.splitlines()[-1]) == (0, "imported=4 rejected=0")
    assert not JobPosition.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_keep_valid_writes_the_valid_rows_and_the_rejects(tmp_path, units):
    path = csv_file(
        tmp_path, HEADER + GOOD + "P01-X,NOPE,Chuyên viên,professional,01.003,1\n"
    )
    rejects = tmp_path / "rejects.csv"
    code, out, _err = run(
        "import_data", "positions", path, "--keep-valid", "--rejects", rejects
    )
    assert (code, out.splitlines()[-1]) == (1, "imported=1 rejected=1")
    assert [p[0] for p in positions()] == ["P01-SNV-CV"]
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        "line,reason,code,unit_code,title,group,grade_code,headcount",
        "3,unit_code: Unknown unit “NOPE”.,"
        "P01-X,NOPE,Chuyên viên,professional,01.003,1",
    ]


# Export ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_export_round_trip(tmp_path, units, ext):
    assert run("import_data", "positions", DATA / "positions.csv")[0] == 0
    make_position(
        units.snv,
        "P01-SNV-DC",
        group="shared_professional",
        job_description="Văn thư",
        approval_decision_number="45/QĐ-UBND",
        approval_decided_on="2021-06-01",
        approval_signer="Trần B",
    )
    expected = positions()
    path = tmp_path / f"positions{ext}"
    code, out, _err = run("export_data", "positions", path)
    assert (code, out.strip()) == (0, "exported=5")
    table = read_table(path)
    assert table.headers == [
        "code",
        "unit_code",
        "title",
        "group",
        "grade_code",
        "headcount",
        "job_description",
        "approval_decision_number",
        "approval_decided_on",
        "approval_signer",
    ]
    assert table.rows[1] == [
        "P01-SNV-DC",
        "P01-SNV",
        "Chuyên viên",
        "shared_professional",
        "01.003",
        "1",
        "Văn thư",
        "45/QĐ-UBND",
        "2021-06-01",
        "Trần B",
    ]

    entries = LedgerEntry.objects.count()
    assert run("import_data", "positions", path)[0] == 0  # into the same database
    assert positions() == expected
    assert LedgerEntry.objects.count() == entries
    JobPosition.objects.all().delete()  # into an empty one
    code, out, _err = run("import_data", "positions", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=5 rejected=0")
    assert positions() == expected
    assert JobPosition.objects.get(code="P01-SNV-DC").approval_signer == "Trần B"


def test_export_costs_the_same_queries_whatever_the_row_count(tmp_path, units):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            run("export_data", "positions", tmp_path / "positions.csv")
        return len(context)

    make_position(units.snv)
    few = queries()
    for unit in (units.ccvc, units.syt, units.tthcc, units.xa):
        make_position(unit, grade="01.005")
    assert queries() == few
