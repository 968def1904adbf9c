"""Formula injection (issue #9 item 3): every CSV/XLSX that leaves the system goes
through hrms.importing.escape_formula, so a cell starting with = + - @ tab or CR
gets a leading apostrophe (OWASP), while a negative number stays a number.

The web downloads have their own tests next to their views (positions
test_xlsx_export_neutralises_formulas, staff raise_due export, appraisals
test_the_xlsx_report_neutralises_formulas); here: export_data for every resource,
the rejects file, the CSV of raise_due and audit_flags, the appraisal dashboards.
"""

import csv
import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
import tablib
from django.core.management import call_command

from appraisals import appraisal_selectors
from hrms.importing import (
    escape_formula,
    get_resource,
    read_table,
    resource_names,
    run_import,
    write_rejects,
)
from hrms.importing.files import FORMULA_PREFIXES
from tests.factories import make_employee, make_grade_step, make_reference_data

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-1+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]
HYPERLINK = '=HYPERLINK("http://x")'


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def cells_of(path: Path) -> list[str]:
    """Every cell of a CSV or XLSX file as a spreadsheet would load it."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return [cell for row in csv.reader(handle) for cell in row]
    book = openpyxl.load_workbook(path)  # not data_only: formulas stay visible
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{cell.coordinate} is a formula"
                cells.append("" if cell.value is None else str(cell.value))
    return cells


def assert_inert(cells: list[str]) -> None:
    for cell in cells:
        if cell.startswith(FORMULA_PREFIXES):
            float(cell.replace(",", "."))  # only a plain negative number may


def test_escape_formula_follows_owasp():
    assert [escape_formula(value) for value in HOSTILE] == [
        "'" + value for value in HOSTILE
    ]
    for number in ("-5", "-2.5", "-1,5", -5, -2.5):
        assert escape_formula(number) == number
    assert escape_formula("Nguyễn Văn A") == "Nguyễn Văn A"
    assert escape_formula(None) is None


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
@pytest.mark.parametrize("name", resource_names())
def test_export_data_neutralises_every_resource(db, tmp_path, monkeypatch, name, ext):
    """Whatever a resource's rows hold, export_data writes them inert."""
    resource = get_resource(name)
    columns = resource().columns()
    rows = [
        [HOSTILE[(i + j) % len(HOSTILE)] for j in range(len(columns))]
        for i in range(len(HOSTILE))
    ]
    rows.append(["-5"] * len(columns))
    dataset = tablib.Dataset(*rows, headers=columns, title=name)
    monkeypatch.setattr(resource, "export_dataset", lambda self: dataset)
    path = tmp_path / f"{name}{ext}"
    assert run("export_data", name, path) == (0, f"exported={len(rows)}\n")
    cells = cells_of(path)
    assert_inert(cells)
    assert "-5" in cells  # a negative number is not escaped
    # The apostrophe is undone on import: an export reads back as it was.
    table = read_table(path)
    assert [[c.strip() for c in row] for row in rows] == table.rows


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_a_hostile_employee_name_is_exported_inert(units, tmp_path, ext):
    make_reference_data()
    make_employee(units.snv, "X01", full_name=HYPERLINK)
    path = tmp_path / f"staff{ext}"
    assert run("export_data", "staff", path)[0] == 0
    cells = cells_of(path)
    assert "'" + HYPERLINK in cells
    assert_inert(cells)


def test_units_export_of_a_hostile_name_round_trips(db, tmp_path):
    source = tmp_path / "in.csv"
    quoted = HYPERLINK.replace('"', '""')
    source.write_text(f'code,name\nP01,"{quoted}"\n')
    assert run_import("units", source).exit_code == 0
    path = tmp_path / "units.xlsx"
    assert run("export_data", "units", path)[0] == 0
    assert "'" + HYPERLINK in cells_of(path)
    assert read_table(path).rows[0][1] == HYPERLINK


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_the_rejects_file_is_inert(db, tmp_path, ext):
    source = tmp_path / "units.csv"
    source.write_text("code,name,kind\nP01,=1+1,@bad\n")
    report = run_import("units", source)
    assert report.exit_code == 1
    path = tmp_path / f"rejects{ext}"
    write_rejects(report, path)
    cells = cells_of(path)
    assert "'=1+1" in cells and "'@bad" in cells
    assert_inert(cells)


def test_raise_due_csv_is_inert(units):
    make_reference_data()
    employee = make_employee(units.ccvc, "CC09", full_name=HYPERLINK)
    make_grade_step(employee, "01.003", 2, effective_on=dt.date(2022, 1, 1))
    out = io.StringIO()
    call_command("raise_due", "--on", "2026-01-01", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["full_name"] for row in rows] == ["'" + HYPERLINK]
    assert_inert([cell for row in rows for cell in row.values()])


def test_audit_flags_csv_is_inert(db, monkeypatch):
    flag = {
        "code": "X",
        "object_type": "staff.employee",
        "object_id": 1,
        "object_label": HYPERLINK,
        "message": "@evil",
        "citation": "-1+1",
        "unit_code": "P01",
        "on": None,
    }
    fake = SimpleNamespace(as_dict=lambda: dict(flag))
    monkeypatch.setattr(
        "recruitment.management.commands.audit_flags.all_flags",
        lambda unit=None: [fake],
    )
    out = io.StringIO()
    call_command("audit_flags", "--format", "csv", stdout=out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["object_label"] == "'" + HYPERLINK
    assert (row["message"], row["citation"]) == ("'@evil", "'-1+1")
    assert_inert(list(row.values()))


def test_the_appraisal_dashboard_workbook_is_inert(tmp_path, monkeypatch):
    frame = pd.DataFrame(
        {"full_name": [HYPERLINK, "Lê Văn Minh"], "late": [-3, 2]},
        index=pd.Index(["=A1", "S002"], name="employee_code"),
    )
    for name in (
        "level_distribution",
        "scores_by_period",
        "reform_task_completion",
        "late_dossiers_by_person",
    ):
        monkeypatch.setattr(appraisal_selectors, name, lambda *a, **k: frame)
    cycle = SimpleNamespace(unit=None, year=2026)
    path = tmp_path / "dashboard.xlsx"
    path.write_bytes(appraisal_selectors.dashboard_workbook(cycle))
    cells = cells_of(path)
    assert "'" + HYPERLINK in cells and "'=A1" in cells
    assert "-3" in cells  # still a number
    assert_inert(cells)
