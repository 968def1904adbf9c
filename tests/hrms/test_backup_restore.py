"""`manage.py backup` and `manage.py restore` (issue #9 item 6): a restore drill on
the test database itself (SQLite or PostgreSQL, whichever the suite runs on):
back up, change rows, restore, and find the rows and the ledger of the backup."""

from __future__ import annotations

import hashlib
import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from hrms import ledger
from hrms.backup import live_row_counts
from hrms.models import LedgerEntry
from staff.models import Employee
from tests.factories import make_employee, make_reference_data

# serialized_rollback: a restore replaces every table, and the flush afterwards
# empties the reference tables that later tests need back.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TABLE = LedgerEntry._meta.db_table


def run(*args, **options) -> tuple[int, str, str]:
    """Run a command; return (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def figures(output: str) -> dict[str, str]:
    lines = (line.split(": ", 1) for line in output.splitlines() if ": " in line)
    return {key.strip(): value for key, value in lines}


def decide(n: int) -> LedgerEntry:
    return ledger.append_entry(
        actor=None,
        action="quota.change",
        object_type="positions.jobposition",
        object_id=f"P01-SNV-VT{n:03d}",
        payload={"headcount": n},
    )


@pytest.fixture
def office(units, users):
    make_reference_data()
    staff = [make_employee(units.ccvc, f"B{n:03d}") for n in range(5)]
    for n in range(3):
        decide(n)
    return staff


@pytest.fixture
def backup_file(tmp_path):
    suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    return tmp_path / f"hrms{suffix}"


def test_a_restore_drill_brings_back_the_rows_and_the_ledger(office, backup_file):
    at_backup = live_row_counts()
    entries_at_backup = LedgerEntry.objects.count()
    assert entries_at_backup >= 3

    code, out, err = run("backup", str(backup_file))
    assert (code, err) == (0, "")
    written = figures(out)
    assert written["backup written"] == str(backup_file)
    assert int(written["tables"]) == len(at_backup)
    assert int(written["rows"]) == sum(at_backup.values())
    assert int(written["ledger entries"]) == entries_at_backup
    assert written["file size"] == f"{backup_file.stat().st_size} bytes"
    assert written["sha256"] == hashlib.sha256(backup_file.read_bytes()).hexdigest()

    # Life goes on after the backup: files are opened and closed, decisions made.
    make_employee(office[0].unit, "B900")
    Employee.objects.filter(employee_code__in=["B001", "B002"]).delete()
    decide(99)
    assert live_row_counts() != at_backup

    code, out, err = run("restore", str(backup_file), yes=True)
    assert (code, err) == (0, "")
    restored = figures(out)
    assert restored["restored from"] == str(backup_file)
    assert restored["sha256"] == written["sha256"]
    assert restored["ledger entries"] == str(entries_at_backup)
    assert restored["ledger intact"] == f"{entries_at_backup} entries"

    assert live_row_counts() == at_backup
    assert sorted(Employee.objects.values_list("employee_code", flat=True)) == [
        f"B{n:03d}" for n in range(5)
    ]
    assert run("verify_ledger") == (
        0,
        f"ledger intact: {entries_at_backup} entries\n",
        "",
    )
    # The chain goes on from the restored last entry.
    assert decide(100).seq == entries_at_backup + 1
    assert ledger.verify_chain().ok


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
def test_the_append_only_trigger_survives_a_restore(office, backup_file):
    """pg_restore --clean drops the ledger table, which the row and TRUNCATE
    triggers do not see; the restored table has its triggers again."""
    assert run("backup", str(backup_file))[0] == 0
    assert run("restore", str(backup_file), yes=True)[0] == 0
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(seq=1).update(payload="{}")
    assert ledger.verify_chain().ok


def test_a_restore_needs_yes(office, backup_file):
    assert run("backup", str(backup_file))[0] == 0
    make_employee(office[0].unit, "B900")
    with pytest.raises(CommandError, match="--yes") as caught:
        run("restore", str(backup_file))
    assert caught.value.returncode == 2
    assert Employee.objects.filter(employee_code="B900").exists()


def test_a_restore_refuses_a_file_that_is_not_a_backup(office, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("Biên bản họp", encoding="utf-8")
    # The message is in the UI language; the file it names is not.
    with pytest.raises(CommandError, match=r"notes\.txt"):
        run("restore", str(other), yes=True)
    with pytest.raises(CommandError, match="no such file"):
        run("restore", str(tmp_path / "missing.dump"), yes=True)
    assert Employee.objects.count() == 5
    assert ledger.verify_chain().ok


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="edits the backup file with sqlite3"
)
def test_a_restore_of_a_tampered_backup_names_the_broken_entry(office, backup_file):
    assert run("backup", str(backup_file))[0] == 0
    copy = sqlite3.connect(backup_file)
    with copy:
        copy.execute(f"UPDATE {TABLE} SET payload = '{{}}' WHERE seq = 2")
    copy.close()
    code, out, err = run("restore", str(backup_file), yes=True)
    assert code == 1
    assert "ledger intact" not in out
    assert err == (
        "ledger broken at entry #2: hash mismatch (payload or fields changed)\n"
    )
