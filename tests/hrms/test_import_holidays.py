"""import_data / export_data with the `holidays` resource, and the date parsers."""

import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from hrms.importing.parsing import parse_date, parse_datetime
from hrms.models import Holiday
from hrms.resources import HolidayResource

DATA = Path(__file__).resolve().parent.parent / "data"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


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


def holidays() -> list[tuple[dt.date, str]]:
    return list(Holiday.objects.order_by("date").values_list("date", "name"))


def csv_file(tmp_path, text: str) -> Path:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_it_imports_the_sample_file(db):
    code, out, _err = run("import_data", "holidays", DATA / "holidays.csv")
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    assert holidays() == [
        (dt.date(2026, 1, 1), "Tết Dương lịch"),
        (dt.date(2026, 9, 2), "Quốc khánh"),
    ]


def test_rows_are_keyed_by_date_whatever_its_format(tmp_path, db):
    run("import_data", "holidays", DATA / "holidays.csv")
    path = csv_file(tmp_path, "date,name\n01/01/2026,Tết Dương lịch 2026\n")
    code, out, _err = run("import_data", "holidays", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=1 rejected=0")
    assert holidays() == [
        (dt.date(2026, 1, 1), "Tết Dương lịch 2026"),
        (dt.date(2026, 9, 2), "Quốc khánh"),
    ]


def test_the_same_date_twice_in_the_file_is_rejected(tmp_path, db):
    path = csv_file(tmp_path, "date,name\n2026-04-30,Giải phóng\n30/04/2026,Lặp\n")
    code, out, _err = run("import_data", "holidays", path)
    assert code == 1
    reason = "date “2026-04-30” appears more than once in the file (lines 2, 3)."
    assert out.splitlines()[:2] == [f"line 2: {reason}", f"line 3: {reason}"]
    assert not Holiday.objects.exists()


@pytest.mark.parametrize("value", ["31/02/2026", "2026/04/30", "30-04-2026", "mai"])
def test_an_unreadable_date_is_rejected(tmp_path, db, value):
    path = csv_file(tmp_path, f"date,name\n2026-05-01,Quốc tế Lao động\n{value},X\n")
    code, out, _err = run("import_data", "holidays", path)
    assert code == 1
    assert out.splitlines()[0] == (
        f"line 3: date: “{value}” is not a date; write YYYY-MM-DD or dd/mm/yyyy."
    )
    assert out.splitlines()[-1] == "imported=0 rejected=1"
    assert not Holiday.objects.exists()


def test_it_imports_xlsx_date_cells(tmp_path, db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["date", "name"])
    sheet.append([dt.date(2026, 4, 30), "Ngày Giải phóng miền Nam"])
    sheet.append(["01/05/2026", "Quốc tế Lao động"])
    path = tmp_path / "holidays.xlsx"
    book.save(path)
    code, out, _err = run("import_data", "holidays", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    assert holidays() == [
        (dt.date(2026, 4, 30), "Ngày Giải phóng miền Nam"),
        (dt.date(2026, 5, 1), "Quốc tế Lao động"),
    ]


def test_a_missing_column_exits_2(tmp_path, db):
    path = csv_file(tmp_path, "name\nQuốc khánh\n")
    code, _out, err = run("import_data", "holidays", path)
    assert code == 2
    assert "Missing required column(s): date" in err


def test_dry_run_writes_nothing(db):
    code, out, _err = run("import_data", "holidays", DATA / "holidays.csv", "--dry-run")
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    assert not Holiday.objects.exists()


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_export_round_trip(tmp_path, db, ext):
    run("import_data", "holidays", DATA / "holidays.csv")
    path = tmp_path / f"holidays{ext}"
    assert run("export_data", "holidays", path)[:2] == (0, "exported=2\n")
    expected = holidays()
    Holiday.objects.all().delete()
    code, out, _err = run("import_data", "holidays", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    assert holidays() == expected


def test_the_exported_csv_has_the_import_columns(tmp_path, db):
    run("import_data", "holidays", DATA / "holidays.csv")
    path = tmp_path / "holidays.csv"
    run("export_data", "holidays", path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "date,name",
        "2026-01-01,Tết Dương lịch",
        "2026-09-02,Quốc khánh",
    ]


# The shared parsers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["2026-03-10", "10/03/2026", "10/3/2026", " 2026-03-10 ", "2026-03-10 00:00:00"],
)
def test_parse_date(value):
    assert parse_date(value) == dt.date(2026, 3, 10)


@pytest.mark.parametrize("value", ["", "2026-13-01", "10.03.2026", "2026-03-10T08:30"])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-10T08:30:00", dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM)),
        ("2026-03-10T08:30", dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM)),
        ("2026-03-10 08:30:15", dt.datetime(2026, 3, 10, 8, 30, 15, tzinfo=HCM)),
        ("2026-03-10T01:30:00Z", dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM)),
        ("2026-03-10T08:30:00+07:00", dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM)),
        ("2026-03-10T03:30:00+02:00", dt.datetime(2026, 3, 10, 8, 30, tzinfo=HCM)),
        ("10/03/2026 14:05", dt.datetime(2026, 3, 10, 14, 5, tzinfo=HCM)),
        ("10/03/2026 14:05:30", dt.datetime(2026, 3, 10, 14, 5, 30, tzinfo=HCM)),
    ],
)
def test_parse_datetime(value, expected):
    parsed = parse_datetime(value)
    assert parsed == expected
    assert parsed.tzinfo is not None


def test_a_naive_datetime_is_local_time():
    parsed = parse_datetime("10/03/2026 14:05")
    assert parsed.utcoffset() == dt.timedelta(hours=7)
    assert parsed.astimezone(dt.UTC).hour == 7


@pytest.mark.parametrize("value", ["2026-03-10", "10/03/2026", "10/03/2026 25:00", "x"])
def test_parse_datetime_refuses(value):
    with pytest.raises(ValueError, match="is not a date and time"):
        parse_datetime(value)


def test_a_row_the_database_refuses_is_rejected_not_fatal(tmp_path, db, monkeypatch):
    Holiday.objects.create(date=dt.date(2026, 1, 1), name="Tết Dương lịch")
    original = HolidayResource.do_instance_save

    def do_instance_save(self, instance, is_create):
        if instance.name == "BOOM":  # a real constraint violation, as in a race
            Holiday.objects.create(date=dt.date(2026, 1, 1), name="again")
        original(self, instance, is_create)

    monkeypatch.setattr(HolidayResource, "do_instance_save", do_instance_save)
    path = csv_file(tmp_path, "date,name\n2026-04-30,BOOM\n2026-05-01,Lao động\n")
    rejects = tmp_path / "rejects.csv"
    code, out, _err = run(
        "import_data", "holidays", path, "--keep-valid", "--rejects", rejects
    )
    assert code == 1
    assert out.startswith("line 2: The database refused this row:")
    assert out.splitlines()[-1] == "imported=1 rejected=1"
    assert holidays() == [
        (dt.date(2026, 1, 1), "Tết Dương lịch"),
        (dt.date(2026, 5, 1), "Lao động"),
    ]
