"""`audit_flags [--unit CODE] [--format text|json|csv]` (DESIGN.md §4.2)."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_drive
from tests.recruitment.conftest import NOTICE

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("audit_flags", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def short_drives(units):
    snv = make_drive(
        units.snv, "TD-SNV", status="announced", published_on=NOTICE, window_days=20
    )
    syt = make_drive(
        units.syt,
        "TD-SYT",
        status="announced",
        published_on=NOTICE,
        channels=("mass_media",),
    )
    return snv, syt


def test_it_prints_one_line_per_flag_as_text(short_drives):
    output = run().splitlines()
    assert output[-1] == "2 flags"
    line = next(x for x in output if x.startswith("notice.window_short"))
    code, obj, label, rest = line.split("\t")
    assert obj == f"recruitment.recruitmentdrive:{short_drives[0].pk}"
    assert label.startswith("TD-SNV")
    assert "at least 30 days" in rest and "(Decree 138/2020/NĐ-CP Art 13" in rest


def test_it_writes_json(short_drives):
    rows = json.loads(run("--format", "json"))
    assert {(r["code"], r["unit_code"]) for r in rows} == {
        ("notice.window_short", "P01-SNV"),
        ("notice.channel_missing", "P01-SYT"),
    }
    first = rows[0]
    assert set(first) == {
        "code",
        "object_type",
        "object_id",
        "object_label",
        "message",
        "citation",
        "unit_code",
        "on",
    }
    assert first["on"] == "2026-01-05"


def test_it_writes_csv_for_one_unit(short_drives):
    rows = list(
        csv.DictReader(io.StringIO(run("--unit", "P01-SYT", "--format", "csv")))
    )
    assert [r["code"] for r in rows] == ["notice.channel_missing"]
    assert rows[0]["object_id"] == str(short_drives[1].pk)
    assert "agency portal" in rows[0]["message"]


def test_it_reports_nothing_on_a_clean_database(units):
    assert run() == "0 flags\n"
    assert json.loads(run("--format", "json")) == []
    assert run("--format", "csv").splitlines() == [
        "code,object_type,object_id,object_label,message,citation,unit_code,on"
    ]


def test_it_refuses_an_unknown_unit(units):
    with pytest.raises(CommandError, match="unknown unit NOPE"):
        run("--unit", "NOPE")
