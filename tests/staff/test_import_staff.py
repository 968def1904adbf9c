"""import_data / export_data with the `staff` resource (DESIGN.md §4.3)."""

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from hrms.importing import read_table, run_import
from hrms.models import LedgerEntry
from positions.models import JobPosition
from staff.models import Assignment, Employee, GradeHistory
from staff.services import record_grade_step
from tests.factories import make_reference_data

DATA = Path(__file__).resolve().parent.parent / "data"
COLUMNS = [
    "employee_code",
    "full_name",
    "date_of_birth",
    "gender",
    "staff_type",
    "unit_code",
    "position_code",
    "grade_code",
    "salary_step",
    "step_since",
    "national_id",
    "joined_on",
    "email",
]
# A valid row not in the sample file: a man born 1990 (ID: Hà Nội, 1900s male).
MINH = {
    "employee_code": "S009",
    "full_name": "Lê Văn Minh",
    "date_of_birth": "1990-04-15",
    "gender": "M",
    "staff_type": "cong_chuc",
    "unit_code": "P01-TTHCC",
    "position_code": "P01-TTHCC-TN",
    "grade_code": "01.003",
    "salary_step": "3",
    "step_since": "2023-01-01",
    "national_id": "001090012345",
    "joined_on": "2015-03-01",
    "email": "",
}


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
    with translation.override("en"):
        yield


@pytest.fixture
def establishment(db):
    """The sample units and positions, imported from their files."""
    for resource in ("units", "positions"):
        assert run_import(resource, DATA / f"{resource}.csv").exit_code == 0


def run(*args) -> tuple[int, str, str]:
    """Call a command; return its exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def staff_file(tmp_path, *rows: dict, name: str = "staff.csv") -> Path:
    """A staff CSV with the given rows (dicts of cells; missing cells are blank)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def sample_rows() -> list[dict]:
    with open(DATA / "staff.csv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def counts() -> tuple[int, int, int, int]:
    return (
        Employee.objects.count(),
        Assignment.objects.count(),
        GradeHistory.objects.count(),
        LedgerEntry.objects.count(),
    )


def personnel() -> list[tuple]:
    """Each employee with the current position, grade, step and step_since."""
    return [
        (
            e.employee_code,
            e.full_name,
            e.date_of_birth.isoformat(),
            e.gender,
            e.staff_type,
            e.unit.code,
            e.current_position_code,
            e.current_grade_code,
            e.current_step,
            str(e.current_step_since),
            e.national_id,
            e.joined_on.isoformat() if e.joined_on else None,
            e.email,
        )
        for e in Employee.objects.select_related("unit")
        .with_current_position()
        .with_current_grade()
        .order_by("employee_code")
    ]


# Good files ----------------------------------------------------------------


def test_it_imports_the_samples_in_order(db):
    for resource, rows in (("units", 5), ("positions", 4), ("staff", 3)):
        code, out, _err = run("import_data", resource, DATA / f"{resource}.csv")
        assert (code, out.splitlines()[-1]) == (0, f"imported={rows} rejected=0")

    lan = Employee.objects.get(employee_code="S001")
    assert (lan.full_name, lan.gender, lan.staff_type, lan.unit.code) == (
        "Bùi Thị Lan",
        "F",
        "cong_chuc",
        "P01-SNV-CCVC",
    )
    assert lan.national_id == "034186001234"  # the leading zero kept
    assert (lan.date_of_birth, lan.joined_on) == (
        dt.date(1986, 3, 21),
        dt.date(2010, 8, 1),
    )
    assert lan.email == "lan.bt@example.vn"
    # dd/mm/yyyy is read as a date.
    assert Employee.objects.get(employee_code="S002").date_of_birth == dt.date(
        1971, 9, 5
    )

    # The assignment starts on joined_on, through assign_position().
    assert [
        (a.employee.employee_code, a.position.code, a.starts_on, a.ends_on)
        for a in Assignment.objects.select_related("employee", "position")
    ] == [
        ("S001", "P01-SNV-CCVC-QL", dt.date(2010, 8, 1), None),
        ("S002", "P01-SNV-GD", dt.date(1996, 1, 10), None),
        ("S003", "P01-TTHCC-TN", dt.date(2020, 9, 1), None),
    ]
    # The grade row takes effect on step_since; the service set the coefficient.
    assert [
        (
            g.employee.employee_code,
            g.grade.code,
            g.salary_step,
            g.coefficient,
            g.effective_on,
            g.reason,
        )
        for g in GradeHistory.objects.select_related("employee", "grade")
    ] == [
        ("S001", "01.003", 4, Decimal("3.33"), dt.date(2024, 2, 1), "appointment"),
        ("S002", "01.002", 6, Decimal("6.10"), dt.date(2023, 5, 1), "appointment"),
        ("S003", "01.003", 2, Decimal("2.67"), dt.date(2024, 9, 1), "appointment"),
    ]
    # Creating staff is not a ledger decision (only the four new quotas are).
    assert LedgerEntry.objects.count() == 4


def test_it_imports_xlsx_with_a_text_national_id(tmp_path, establishment):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    sheet.append(
        [
            "S009",
            "Lê Văn Minh",
            dt.date(1990, 4, 15),  # a real date cell
            "M",
            "cong_chuc",
            "P01-TTHCC",
            "P01-TTHCC-TN",
            "01.003",
            3,  # a number cell
            dt.date(2023, 1, 1),
            "001090012345",  # a text cell keeps its leading zeros
            "01/03/2015",
            None,
        ]
    )
    path = tmp_path / "staff.xlsx"
    book.save(path)
    code, out, _err = run("import_data", "staff", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=1 rejected=0")
    assert personnel() == [
        ("S009", "Lê Văn Minh", "1990-04-15", "M", "cong_chuc", "P01-TTHCC",
         "P01-TTHCC-TN", "01.003", 3, "2023-01-01", "001090012345", "2015-03-01",
         ""),
    ]  # fmt: skip


def test_optional_columns_may_be_absent(tmp_path, establishment):
    path = tmp_path / "staff.csv"
    path.write_text(
        "employee_code,full_name,date_of_birth,gender,staff_type,unit_code\n"
        "S009,Lê Văn Minh,1990-04-15,M,contract,P01-TTHCC\n",
        encoding="utf-8",
    )
    assert run("import_data", "staff", path)[0] == 0
    assert counts()[:3] == (1, 0, 0)
    assert Employee.objects.get().national_id == ""


def test_reimporting_the_same_file_writes_nothing_new(establishment):
    path = DATA / "staff.csv"
    assert run("import_data", "staff", path)[0] == 0
    before = counts(), personnel(), list(Employee.objects.values_list("version"))
    for _ in range(2):
        code, out, _err = run("import_data", "staff", path)
        assert (code, out.splitlines()[-1]) == (0, "imported=3 rejected=0")
    after = counts(), personnel(), list(Employee.objects.values_list("version"))
    assert after == before


def test_reimporting_records_changes_through_the_services(tmp_path, establishment):
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    rows = sample_rows()
    rows[0].update(
        full_name="Bùi Thị Lan Anh", salary_step="5", step_since="2027-02-01"
    )
    path = staff_file(tmp_path, rows[0])
    assert run("import_data", "staff", path)[0] == 0

    lan = Employee.objects.get(employee_code="S001")
    assert (lan.full_name, lan.version) == ("Bùi Thị Lan Anh", 2)
    assert [
        (g.salary_step, g.coefficient, g.effective_on, g.reason)
        for g in lan.grade_history.all()
    ] == [
        (4, Decimal("3.33"), dt.date(2024, 2, 1), "appointment"),
        (5, Decimal("3.66"), dt.date(2027, 2, 1), "regular_raise"),
    ]
    assert lan.assignments.count() == 1


def test_an_older_file_after_a_raise_recorded_since_writes_nothing(establishment):
    """record_grade_step() finds the file's row already in the history."""
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    lan = Employee.objects.get(employee_code="S001")
    record_grade_step(
        employee=lan,
        grade=lan.grade_history.get().grade,
        salary_step=5,
        effective_on=dt.date(2025, 2, 1),
        reason="regular_raise",
    )
    before = counts()
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    assert counts() == before
    assert personnel()[0][7:10] == ("01.003", 5, "2025-02-01")


def test_blank_optional_cells_keep_what_is_stored(tmp_path, establishment):
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    row = sample_rows()[0]
    for column in COLUMNS[6:]:
        row[column] = ""
    assert run("import_data", "staff", staff_file(tmp_path, row))[0] == 0
    lan = personnel()[0]
    assert lan[6:] == (
        "P01-SNV-CCVC-QL", "01.003", 4, "2024-02-01", "034186001234", "2010-08-01",
        "lan.bt@example.vn",
    )  # fmt: skip
    assert Employee.objects.get(employee_code="S001").version == 1


# Rejections --------------------------------------------------------------------


def future(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


BAD_ROWS = [
    ({"unit_code": "NOPE"}, "unit_code: Unknown unit “NOPE”."),
    ({"position_code": "NOPE"}, "position_code: Unknown position “NOPE”."),
    ({"grade_code": "09.999"}, "grade_code: Unknown grade “09.999”."),
    (
        {"national_id": "0010900123AB"},
        "national_id: A citizen ID has exactly 12 digits.",
    ),
    (
        {"national_id": "003090012345"},
        "national_id: 003 is not a province code of a citizen ID.",
    ),
    (
        {"national_id": "001190012345"},
        "national_id: The 4th digit of the citizen ID does not match the gender.",
    ),
    (
        {"national_id": "001091012345"},
        "national_id: Digits 5–6 of the citizen ID do not match the year of birth.",
    ),
    (
        {"national_id": "01090012345"},
        "national_id: “01090012345” has 11 digits: a spreadsheet probably dropped "
        "the leading 0. Format the national_id column as text",
    ),
    (
        # Bùi Thị Lan's, already in the database.
        {"national_id": "034186001234", "gender": "F", "date_of_birth": "1986-03-21"},
        "national_id: Employee S001 already has this citizen ID.",
    ),
    (
        {"date_of_birth": future(), "national_id": "", "joined_on": ""},
        "date_of_birth: The date of birth is in the future.",
    ),
    (
        {"date_of_birth": "1990-04-15", "joined_on": "2008-04-14"},
        "joined_on: The employee was 17 on the joining date 14/04/2008; staff must "
        "be at least 18.",
    ),
    (
        {"salary_step": "10"},
        "salary_step: Step 10 does not exist for grade 01.003, whose scale has steps "
        "1 to 9.",
    ),
    ({"salary_step": "x"}, "salary_step: “x” is not a whole number."),
    (
        {"step_since": "31/02/2023"},
        "step_since: “31/02/2023” is not a date; write YYYY-MM-DD or dd/mm/yyyy.",
    ),
    ({"gender": "X"}, "gender: “X” is not one of: M, F."),
    (
        {"staff_type": "intern"},
        "staff_type: “intern” is not one of: can_bo, cong_chuc, vien_chuc, contract.",
    ),
    (
        {"position_code": "P01-SNV-CCVC-QL"},
        "position_code: Position P01-SNV-CCVC-QL belongs to unit P01-SNV-CCVC, not "
        "to P01-TTHCC (unit_code).",
    ),
    (
        {"grade_code": ""},
        "grade_code: grade_code and salary_step go together: give both.",
    ),
    (
        {"grade_code": "", "salary_step": ""},
        "step_since: step_since is the date of grade_code and salary_step, which "
        "are blank.",
    ),
    (
        {"position_code": "P01-TTHCC-PV"},  # a support post, grade 01.005
        "grade_code: Grade 01.003 does not match grade 01.005 of position "
        "P01-TTHCC-PV;",
    ),
    ({"full_name": ""}, "full_name: This value is required."),
]


@pytest.mark.parametrize(("changes", "reason"), BAD_ROWS)
def test_a_bad_row_is_rejected_with_its_line_and_nothing_is_written(
    tmp_path, establishment, changes, reason
):
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    before = counts()
    new = {**MINH, "employee_code": "S010", "national_id": ""}
    path = staff_file(tmp_path, new, {**MINH, **changes})
    code, out, _err = run("import_data", "staff", path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"line 3: {reason}"), lines[0]
    assert lines[-1] == "imported=0 rejected=1"
    assert counts() == before


def test_an_over_quota_assignment_is_rejected_not_overridden(tmp_path, establishment):
    rows = [*sample_rows(), {**MINH, "position_code": "P01-TTHCC-PV"}]
    rows[-1].update(grade_code="01.005", unit_code="P01-TTHCC")
    rows.append({**MINH, "employee_code": "S010", "national_id": ""})
    rows[-1].update(position_code="P01-TTHCC-PV", grade_code="01.005")
    code, out, _err = run("import_data", "staff", staff_file(tmp_path, *rows))
    assert code == 1
    assert out.splitlines()[0] == (
        "line 6: position_code: Position P01-TTHCC-PV has a quota of 1 and 1 already "
        "hold it from 01/03/2015: another assignment would exceed the quota."
    )
    assert counts()[:3] == (0, 0, 0)


def test_a_row_refused_by_a_service_leaves_nothing_behind_with_keep_valid(
    tmp_path, establishment
):
    """The employee is created before its assignment or grade is refused: each
    row's writes are one savepoint, so the refused row is undone as a whole."""
    over_quota = {**MINH, "employee_code": "S010", "national_id": ""}
    over_quota.update(
        unit_code="P01-SNV", position_code="P01-SNV-GD", grade_code="01.002"
    )
    # Assigned first (joined 2015), then the grade (2023) does not match the post.
    mismatch = {
        **MINH,
        "employee_code": "S011",
        "national_id": "",
        "grade_code": "01.002",
    }
    rows = [*sample_rows(), over_quota, mismatch, MINH]
    rejects = tmp_path / "rejects.csv"
    code, out, _err = run(
        "import_data",
        "staff",
        staff_file(tmp_path, *rows),
        "--keep-valid",
        "--rejects",
        rejects,
    )
    assert code == 1
    assert out.splitlines()[-1] == "imported=4 rejected=2"
    assert sorted(Employee.objects.values_list("employee_code", flat=True)) == [
        "S001",
        "S002",
        "S003",
        "S009",
    ]
    assert counts()[:3] == (4, 4, 4)
    with open(rejects, encoding="utf-8", newline="") as file:
        written = list(csv.DictReader(file))
    assert [(r["line"], r["employee_code"]) for r in written] == [
        ("5", "S010"),
        ("6", "S011"),
    ]
    assert written[0]["reason"].startswith(
        "position_code: Position P01-SNV-GD has a quota of 1"
    )
    assert written[1]["reason"].startswith(
        "grade_code: Grade 01.002 does not match grade 01.003 of position P01-TTHCC-TN"
    )


def test_a_national_id_repeated_in_the_file_rejects_every_copy(tmp_path, establishment):
    twin = {**MINH, "employee_code": "S010", "full_name": "Lê Văn Mạnh"}
    code, out, _err = run("import_data", "staff", staff_file(tmp_path, MINH, twin))
    assert code == 1
    reason = (
        "national_id “001090012345” appears more than once in the file (lines 2, 3)."
    )
    assert out.splitlines()[:2] == [f"line 2: {reason}", f"line 3: {reason}"]
    assert counts()[:3] == (0, 0, 0)


def test_an_employee_code_repeated_in_the_file_rejects_every_copy(
    tmp_path, establishment
):
    twin = {**MINH, "national_id": ""}
    code, out, _err = run("import_data", "staff", staff_file(tmp_path, MINH, twin))
    assert code == 1
    reason = "employee_code “S009” appears more than once in the file (lines 2, 3)."
    assert out.splitlines()[:2] == [f"line 2: {reason}", f"line 3: {reason}"]
    assert counts()[:3] == (0, 0, 0)


def test_an_xlsx_national_id_that_lost_its_leading_zero_is_rejected(
    tmp_path, establishment
):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(COLUMNS)
    sheet.append([MINH[c] for c in COLUMNS[:10]] + [1090012345, "2015-03-01", ""])
    sheet.append(
        ["S010", "Bùi Thị Lan", "1986-03-21", "F", "cong_chuc", "P01-TTHCC"]
        + [""] * 4
        + [34186001234, "2010-08-01", ""]  # a number cell: the 0 is gone
    )
    path = tmp_path / "staff.xlsx"
    book.save(path)
    code, out, _err = run("import_data", "staff", path)
    assert code == 1
    assert out.splitlines()[:2] == [
        "line 2: national_id: A citizen ID has exactly 12 digits.",
        "line 3: national_id: “34186001234” has 11 digits: a spreadsheet probably "
        "dropped the leading 0. Format the national_id column as text and enter the "
        "12 digits again.",
    ]
    assert counts()[:3] == (0, 0, 0)


def test_a_transfer_is_not_recorded_by_import(tmp_path, establishment):
    """The file has no assignment date: a different post is refused, with why."""
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    row = sample_rows()[2]
    row["position_code"] = "P01-TTHCC-PV"
    row["grade_code"] = row["salary_step"] = row["step_since"] = ""
    report = run_import("staff", staff_file(tmp_path, row))
    assert [(r.line, r.reason) for r in report.rejected] == [
        (
            2,
            "position_code: The current assignment started on 01/09/2020; a new one "
            "must start after it.",
        )
    ]


def test_a_different_date_for_the_current_step_is_refused(tmp_path, establishment):
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    row = {**sample_rows()[0], "step_since": "2024-03-01"}
    report = run_import("staff", staff_file(tmp_path, row))
    assert [(r.line, r.reason) for r in report.rejected] == [
        (
            2,
            "step_since: Grade 01.003 step 4 is recorded from 01/02/2024; a "
            "different date is a correction made on the employee's page.",
        )
    ]


# Whole file, --dry-run --------------------------------------------------------------


def test_a_missing_required_column_exits_2(tmp_path, establishment):
    path = tmp_path / "staff.csv"
    path.write_text(
        "employee_code,full_name,date_of_birth,gender,unit_code\n"
        "S009,Lê Văn Minh,1990-04-15,M,P01-TTHCC\n",
        encoding="utf-8",
    )
    code, out, err = run("import_data", "staff", path)
    assert code == 2
    assert "Missing required column(s): staff_type." in err
    assert out.splitlines()[-1] == "imported=0 rejected=0"
    assert counts()[:3] == (0, 0, 0)


def test_dry_run_writes_nothing_and_reports_the_same(tmp_path, establishment):
    before = counts()
    code, out, _err = run("import_data", "staff", DATA / "staff.csv", "--dry-run")
    assert (code, out.splitlines()[-1]) == (0, "imported=3 rejected=0")
    assert counts() == before

    path = staff_file(tmp_path, MINH, {**MINH, "employee_code": "S010", "gender": "X"})
    dry = run("import_data", "staff", path, "--dry-run")
    real = run("import_data", "staff", path)
    assert dry[0] == real[0] == 1
    assert dry[1].splitlines()[0] == real[1].splitlines()[0]
    assert counts() == before


# Export ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_export_round_trip(tmp_path, establishment, ext):
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    assert run("import_data", "staff", staff_file(tmp_path, MINH))[0] == 0
    expected, before = personnel(), counts()
    path = tmp_path / f"export{ext}"
    code, out, _err = run("export_data", "staff", path)
    assert (code, out.strip()) == (0, "exported=4")
    table = read_table(path)
    assert table.headers == COLUMNS
    assert table.rows[0] == [
        "S001", "Bùi Thị Lan", "1986-03-21", "F", "cong_chuc", "P01-SNV-CCVC",
        "P01-SNV-CCVC-QL", "01.003", "4", "2024-02-01", "034186001234", "2010-08-01",
        "lan.bt@example.vn",
    ]  # fmt: skip

    # Into the same database: nothing new.
    code, out, _err = run("import_data", "staff", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=4 rejected=0")
    assert (personnel(), counts()) == (expected, before)
    # Into an empty personnel file: the same current values.
    GradeHistory.objects.all().delete()
    Assignment.objects.all().delete()
    Employee.objects.all().delete()
    code, out, _err = run("import_data", "staff", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=4 rejected=0")
    assert personnel() == expected


def test_export_costs_the_same_queries_whatever_the_row_count(tmp_path, establishment):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            run("export_data", "staff", tmp_path / "export.csv")
        return len(context)

    assert run("import_data", "staff", staff_file(tmp_path, MINH))[0] == 0
    few = queries()
    assert run("import_data", "staff", DATA / "staff.csv")[0] == 0
    assert queries() == few
    assert JobPosition.objects.count() == 4
