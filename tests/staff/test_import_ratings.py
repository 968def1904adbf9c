"""import_data / export_data with the `ratings` resource (historic annual ratings)."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from hrms.importing import read_table, run_import
from staff.models import AnnualRating
from tests.factories import make_employee, make_reference_data

HEADER = "employee_code,year,level,note\n"


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
    with translation.override("en"):
        yield


@pytest.fixture
def staff(units):
    return [make_employee(units.snv, code) for code in ("S001", "S002")]


def run(*args) -> tuple[int, str, str]:
    """Call a command; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def csv_file(tmp_path, text: str, name: str = "ratings.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def ratings() -> list[tuple]:
    return [
        (r.employee.employee_code, r.year, r.level, r.source, r.note)
        for r in AnnualRating.objects.select_related("employee").order_by(
            "employee__employee_code", "year"
        )
    ]


GOOD = (
    HEADER
    + "S001,2023,hoan_thanh_tot,\n"
    + "S001,2024,hoan_thanh_xuat_sac,Chiến sĩ thi đua cơ sở\n"
    + "S002,2024,hoan_thanh,\n"
)


def test_it_imports_historic_ratings_as_imported(tmp_path, staff):
    code, out, _err = run("import_data", "ratings", csv_file(tmp_path, GOOD))
    assert (code, out.splitlines()[-1]) == (0, "imported=3 rejected=0")
    assert ratings() == [
        ("S001", 2023, "hoan_thanh_tot", "imported", ""),
        ("S001", 2024, "hoan_thanh_xuat_sac", "imported", "Chiến sĩ thi đua cơ sở"),
        ("S002", 2024, "hoan_thanh", "imported", ""),
    ]


def test_it_imports_xlsx(tmp_path, staff):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["employee_code", "year", "level"])
    sheet.append(["S001", 2024, "hoan_thanh_tot"])  # a number cell for the year
    path = tmp_path / "ratings.xlsx"
    book.save(path)
    assert run("import_data", "ratings", path)[0] == 0
    assert ratings() == [("S001", 2024, "hoan_thanh_tot", "imported", "")]


def test_reimporting_is_keyed_by_employee_and_year(tmp_path, staff):
    path = csv_file(tmp_path, GOOD)
    assert run("import_data", "ratings", path)[0] == 0
    stamps = list(AnnualRating.objects.values_list("pk", "updated_at"))
    code, out, _err = run("import_data", "ratings", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=3 rejected=0")
    assert list(AnnualRating.objects.values_list("pk", "updated_at")) == stamps

    path = csv_file(tmp_path, HEADER + "S002,2024,hoan_thanh_tot,Phúc khảo\n")
    assert run("import_data", "ratings", path)[0] == 0
    assert ratings()[-1] == ("S002", 2024, "hoan_thanh_tot", "imported", "Phúc khảo")
    assert AnnualRating.objects.count() == 3


def test_a_manual_rating_is_replaced_but_a_computed_one_is_not(tmp_path, staff):
    for employee, source in zip(staff, ("manual", "computed"), strict=True):
        AnnualRating.objects.create(
            employee=employee, year=2024, level="hoan_thanh", source=source
        )
    path = csv_file(
        tmp_path,
        HEADER + "S001,2024,hoan_thanh_tot,\nS002,2024,hoan_thanh_tot,\n",
    )
    report = run_import("ratings", path, keep_valid=True)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (
            3,
            "year: The 2024 rating of S002 was computed by the appraisal; an import "
            "does not replace it.",
        )
    ]
    assert ratings() == [
        ("S001", 2024, "hoan_thanh_tot", "imported", ""),
        ("S002", 2024, "hoan_thanh", "computed", ""),
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("S404,2024,hoan_thanh", "employee_code: Unknown employee “S404”."),
        (
            "S002,2024,xuat_sac",
            "level: “xuat_sac” is not one of: hoan_thanh_xuat_sac, hoan_thanh_tot, "
            "hoan_thanh, khong_hoan_thanh.",
        ),
        ("S002,1900,hoan_thanh", "year: 1900 is not a year from 1945 to"),
        (
            f"S002,{timezone.localdate().year + 1},hoan_thanh",
            f"year: {timezone.localdate().year + 1} is not a year from 1945 to",
        ),
        ("S002,năm 2024,hoan_thanh", "year: “năm 2024” is not a whole number."),
        ("S002,2024,", "level: This value is required."),
    ],
)
def test_bad_rows_are_rejected_and_nothing_is_written(tmp_path, staff, row, reason):
    path = csv_file(tmp_path, HEADER + "S001,2024,hoan_thanh,\n" + row + "\n")
    code, out, _err = run("import_data", "ratings", path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"line 3: {reason}"), lines[0]
    assert lines[-1] == "imported=0 rejected=1"
    assert not AnnualRating.objects.exists()


def test_a_year_repeated_for_an_employee_rejects_every_copy(tmp_path, staff):
    path = csv_file(
        tmp_path, HEADER + "S001,2024,hoan_thanh,\nS001,2024,hoan_thanh_tot,\n"
    )
    report = run_import("ratings", path)
    assert [r.line for r in report.rejected] == [2, 3]
    assert "appears more than once in the file (lines 2, 3)" in (
        report.rejected[0].reason
    )
    assert not AnnualRating.objects.exists()


def test_a_missing_required_column_exits_2(tmp_path, staff):
    code, _out, err = run(
        "import_data", "ratings", csv_file(tmp_path, "employee_code,level\n")
    )
    assert code == 2
    assert "Missing required column(s): year." in err


def test_dry_run_writes_nothing(tmp_path, staff):
    code, out, _err = run(
        "import_data", "ratings", csv_file(tmp_path, GOOD), "--dry-run"
    )
    assert (code, out.splitlines()[-1]) == (0, "imported=3 rejected=0")
    assert not AnnualRating.objects.exists()


def test_keep_valid_writes_the_valid_rows_and_the_rejects(tmp_path, staff):
    path = csv_file(tmp_path, GOOD + "S404,2024,hoan_thanh,\n")
    rejects = tmp_path / "rejects.csv"
    code, out, _err = run(
        "import_data", "ratings", path, "--keep-valid", "--rejects", rejects
    )
    assert (code, out.splitlines()[-1]) == (1, "imported=3 rejected=1")
    assert len(ratings()) == 3
    assert rejects.read_text(encoding="utf-8").splitlines()[1] == (
        "5,employee_code: Unknown employee “S404”.,S404,2024,hoan_thanh,"
    )


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_export_round_trip(tmp_path, staff, ext):
    assert run("import_data", "ratings", csv_file(tmp_path, GOOD))[0] == 0
    expected = ratings()
    path = tmp_path / f"export{ext}"
    code, out, _err = run("export_data", "ratings", path)
    assert (code, out.strip()) == (0, "exported=3")
    table = read_table(path)
    assert table.headers == ["employee_code", "year", "level", "note"]
    assert table.rows[0] == ["S001", "2023", "hoan_thanh_tot", ""]
    assert run("import_data", "ratings", path)[0] == 0
    assert ratings() == expected
    AnnualRating.objects.all().delete()
    assert run("import_data", "ratings", path)[0] == 0
    assert ratings() == expected
