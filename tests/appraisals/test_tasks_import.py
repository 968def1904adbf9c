"""import_data / export_data with the `tasks` resource (DESIGN.md §4.3)."""

import datetime as dt
from decimal import Decimal

import pytest

from appraisals.models import Appraisal, Task
from hrms.importing import read_table
from tests.appraisals.importing import csv_file, run
from tests.factories import make_cycle, make_employee, make_scoring_rules

HEADER = (
    "code,assignee,period,title,due_on,weight,completed_on,quality_defects,"
    "objective_cause,reform_task"
)
GOOD = [
    "T-2026-03-14,S101,2026-03,Báo cáo quý I,2026-03-13,1.5,19/03/2026,1,1,0",
    "T-2026-Q2-01,S101,2026-Q2,Rà soát thủ tục,30/06/2026,,,,,1",
    "T-2026-03-02,S102,2026-03,Tiếp nhận hồ sơ,2026-03-31,,,,,",
]


@pytest.fixture
def staff(units):
    make_scoring_rules()
    return [
        make_employee(units.ccvc, "S101", full_name="Bùi Thị Lan", gender="F"),
        make_employee(units.ccvc, "S102", full_name="Ngô Văn Hải"),
    ]


def stored() -> list[tuple]:
    return [
        (
            t.code,
            t.assignee.employee_code,
            t.period,
            t.due_on,
            t.weight,
            t.completed_on,
            t.quality_defects,
            t.has_objective_cause,
            t.is_reform_task,
        )
        for t in Task.objects.select_related("assignee").order_by("code")
    ]


def test_it_imports_the_register_with_defaults(tmp_path, staff):
    code, out, _err = run(
        "import_data", "tasks", csv_file(tmp_path, "t.csv", HEADER, *GOOD)
    )
    assert (code, out.splitlines()[-1]) == (0, "imported=3 rejected=0")
    assert stored() == [
        (
            "T-2026-03-02",
            "S102",
            "2026-03",
            dt.date(2026, 3, 31),
            Decimal("1.00"),
            None,
            0,
            False,
            False,
        ),
        (
            "T-2026-03-14",
            "S101",
            "2026-03",
            dt.date(2026, 3, 13),
            Decimal("1.50"),
            dt.date(2026, 3, 19),
            1,
            True,
            False,
        ),
        (
            "T-2026-Q2-01",
            "S101",
            "2026-Q2",
            dt.date(2026, 6, 30),
            Decimal("1.00"),
            None,
            0,
            False,
            True,
        ),
    ]


def test_reimporting_updates_without_duplicates(tmp_path, staff):
    path = csv_file(tmp_path, "t.csv", HEADER, *GOOD)
    run("import_data", "tasks", path)
    changed = csv_file(
        tmp_path,
        "t2.csv",
        HEADER,
        "T-2026-03-02,S102,2026-03,Tiếp nhận hồ sơ,2026-03-31,,2026-03-30,,,",
    )
    code, out, _err = run("import_data", "tasks", changed)
    assert (code, out.splitlines()[-1]) == (0, "imported=1 rejected=0")
    assert Task.objects.count() == 3
    assert Task.objects.get(code="T-2026-03-02").completed_on == dt.date(2026, 3, 30)
    # A blank optional cell keeps the stored value.
    assert Task.objects.get(code="T-2026-03-14").weight == Decimal("1.50")


def test_it_rejects_bad_rows_with_their_reasons(tmp_path, staff, units):
    decided = make_employee(units.ccvc, "S109")
    Appraisal.objects.create(
        cycle=make_cycle(units.root, 2025),
        employee=decided,
        unit=decided.unit,
        regime="decree_90_2020",
        rule_version="ND90-2020-ND48-2023",
        status=Appraisal.Status.DECIDED,
        decided_level="hoan_thanh",
    )
    bad = csv_file(
        tmp_path,
        "bad.csv",
        HEADER,
        "GOOD-2,S101,2026-03,Tốt,2026-03-13,,,,,",  # 2
        "BAD-3,S999,2026-03,Không rõ người,2026-03-13,,,,,",  # 3
        "BAD-4,S101,2026-13,Tháng sai,2026-03-13,,,,,",  # 4
        "BAD-5,S101,2026-Q5,Quý sai,2026-03-13,,,,,",  # 5
        "BAD-6,S101,2026-03,Ngày sai,2026-02-30,,,,,",  # 6
        "BAD-7,S101,2026-03,Hệ số 0,2026-03-13,0,,,,",  # 7
        "BAD-8,S101,2026-03,Hệ số chữ,2026-03-13,abc,,,,",  # 8
        "BAD-9,S101,2026-03,Lỗi âm,2026-03-13,,,-1,,",  # 9
        "BAD-10,S101,2026-03,Cờ sai,2026-03-13,,,,2,",  # 10
        "BAD-11,S101,2026-03,Cờ sai,2026-03-13,,,,,yes",  # 11
        "TWICE,S101,2026-03,Lặp,2026-03-13,,,,,",  # 12
        "TWICE,S101,2026-03,Lặp,2026-03-13,,,,,",  # 13
        "BAD-14,S101,2026-03,Hạn trước kỳ,2026-02-27,,,,,",  # 14
        "BAD-15,S101,2026-03,Xong ở tương lai,2026-03-13,,2099-01-01,,,",  # 15
        "BAD-16,S109,2025-12,Năm đã xếp loại,2025-12-10,,,,,",  # 16
        "BAD-17,,2026-03,Thiếu người,2026-03-13,,,,,",  # 17
    )
    code, out, _err = run("import_data", "tasks", bad)
    lines = out.splitlines()
    assert code == 1 and lines[-1] == "imported=0 rejected=15"
    reasons = {
        int(line.split(":")[0][5:]): line for line in lines if line[:5] == "line "
    }
    assert sorted(reasons) == list(range(3, 18))
    assert "Unknown employee “S999”" in reasons[3]
    assert "is not a period" in reasons[4] and "is not a period" in reasons[5]
    assert "due_on" in reasons[6]
    assert "weight" in reasons[7] and "weight" in reasons[8]
    assert "quality_defects" in reasons[9]
    assert "“2” is not 0 or 1" in reasons[10]
    assert "“yes” is not 0 or 1" in reasons[11]
    assert "appears more than once" in reasons[12] and reasons[13]
    assert "precedes the period 2026-03" in reasons[14]
    assert "is in the future" in reasons[15]
    assert "The 2025 rating of S109 is decided" in reasons[16]
    assert "assignee: This value is required" in reasons[17]
    assert not Task.objects.exists()  # nothing written without --keep-valid


def test_a_missing_required_column_is_exit_2(tmp_path, staff):
    path = csv_file(
        tmp_path, "t.csv", "code,assignee,title,due_on", "T-1,S101,x,2026-03-13"
    )
    code, _out, err = run("import_data", "tasks", path)
    assert code == 2 and "period" in err


def test_the_export_has_the_import_columns_and_imports_back(tmp_path, staff):
    run("import_data", "tasks", csv_file(tmp_path, "t.csv", HEADER, *GOOD))
    before = stored()
    out = tmp_path / "export.csv"
    assert run("export_data", "tasks", out)[0] == 0
    table = read_table(out)
    assert ",".join(table.headers) == HEADER
    assert len(table.rows) == 3
    Task.objects.all().delete()
    code, text, _err = run("import_data", "tasks", out)
    assert (code, text.splitlines()[-1]) == (0, "imported=3 rejected=0")
    assert stored() == before
