"""import_data procedures / dossiers / dossier_steps through import-export's
row-by-row path (small files): good files, each rejection, re-import, XLSX,
--keep-valid, --dry-run. The fast path gives the same answers: test_fast_path.py."""

from appraisals.models import (
    ApologySlip,
    CitizenRating,
    Dossier,
    DossierStep,
    Procedure,
)
from hrms.importing import run_export
from tests.appraisals.conftest import at
from tests.appraisals.importing import (
    DATA,
    DOSSIER_HEADER,
    NEVER,
    STEP_HEADER,
    as_xlsx,
    csv_file,
    run_path,
    stored,
)

CODE1 = "000.00.34.H01-260310-0001"
CODE2 = "000.00.34.H01-260310-0002"


def imp(*args):
    """import_data through import-export, whatever the file's size."""
    return run_path(NEVER, "import_data", *args)


# Good files -----------------------------------------------------------------------


def test_it_imports_the_sample_files(samples):
    code, out, _err = imp("dossiers", DATA / "dossiers.csv")
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    code, out, _err = imp("dossier_steps", DATA / "dossier_steps.csv")
    assert (code, out.splitlines()[-1]) == (0, "imported=4 rejected=0")

    assert list(Procedure.objects.values_list("code", "processing_days")) == [
        ("1.000893", 5),
        ("1.001193", 20),
    ]
    first, second = Dossier.objects.order_by("code")
    # Tue 10/3 + 5 working days; returned the Monday before.
    assert first.due_at == at(2026, 3, 17, 17)
    assert (first.status, first.channel) == ("returned", "direct")
    assert first.returned_at == at(2026, 3, 16, 10)
    assert first.receiving_officer.employee_code == "S003"
    assert first.rating.level == "very_satisfied"
    # "10/03/2026 14:05" + 20 working days (30/4 comes later).
    assert second.received_at == at(2026, 3, 10, 14, 5)
    assert second.due_at == at(2026, 4, 7, 17)
    assert (second.status, second.channel, second.returned_at) == (
        "processing",
        "online",
        None,
    )
    steps = list(
        first.steps.values_list("seq", "name", "officer__employee_code", "unit__code")
    )
    assert steps == [
        (1, "receive", "S003", "P01-TTHCC"),
        (2, "process", "S001", "P01-SNV-CCVC"),
        (3, "approve", "S002", "P01-SNV"),
        (4, "return", "S003", "P01-TTHCC"),
    ]


def test_it_imports_the_same_files_as_xlsx(samples, tmp_path):
    csv_dossiers = tmp_path / "dossiers.csv"
    csv_dossiers.write_bytes((DATA / "dossiers.csv").read_bytes())
    csv_steps = tmp_path / "dossier_steps.csv"
    csv_steps.write_bytes((DATA / "dossier_steps.csv").read_bytes())
    assert imp("dossiers", as_xlsx(csv_dossiers))[0] == 0
    assert imp("dossier_steps", as_xlsx(csv_steps))[0] == 0
    from_xlsx = stored()
    Dossier.objects.all().delete()
    assert imp("dossiers", csv_dossiers)[0] == 0
    assert imp("dossier_steps", csv_steps)[0] == 0
    assert stored() == from_xlsx
    assert len(from_xlsx["steps"]) == 4


def test_reimporting_updates_and_creates_no_duplicates(samples, tmp_path):
    imp("dossiers", DATA / "dossiers.csv")
    imp("dossier_steps", DATA / "dossier_steps.csv")
    before = stored()
    code, out, _err = imp("dossiers", DATA / "dossiers.csv")
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    imp("dossier_steps", DATA / "dossier_steps.csv")
    assert stored() == before

    # The second dossier comes back; blank cells keep what is stored.
    path = csv_file(
        tmp_path,
        "update.csv",
        DOSSIER_HEADER,
        f"{CODE2},1.001193,P01-TTHCC,10/03/2026 14:05,,2026-04-06T09:00:00,"
        ",,,,,satisfied",
    )
    assert imp("dossiers", path)[0] == 0
    second = Dossier.objects.get(code=CODE2)
    assert second.returned_at == at(2026, 4, 6, 9)
    assert second.status == "returned"  # implied by returned_at
    assert second.channel == "online"  # blank: kept
    assert second.receiving_officer.employee_code == "S003"  # blank: kept
    assert second.rating.level == "satisfied"
    assert Dossier.objects.count() == 2 and CitizenRating.objects.count() == 2


def test_it_records_the_apology_slip_of_a_row_and_flags_a_late_one(samples, tmp_path):
    path = csv_file(
        tmp_path,
        "slips.csv",
        DOSSIER_HEADER,
        # Due Tue 17/3 17:00: a slip on Monday morning is in time …
        f"{CODE1},1.000893,P01-TTHCC,2026-03-10T08:30:00,,,processing,,S003,"
        "2026-03-16T09:00:00,2026-03-20T17:00:00,",
        # … one on the due day is late, recorded all the same.
        f"{CODE2},1.000893,P01-TTHCC,2026-03-10T09:00:00,,,processing,,S003,"
        "2026-03-17T10:00:00,2026-03-19T17:00:00,",
    )
    code, out, _err = imp("dossiers", path)
    assert (code, out.splitlines()[-1]) == (0, "imported=2 rejected=0")
    slips = {
        s.dossier.code: (s.is_issued_late, s.previous_due_at, s.new_due_at)
        for s in ApologySlip.objects.select_related("dossier")
    }
    assert slips == {
        CODE1: (False, at(2026, 3, 17, 17), at(2026, 3, 20, 17)),
        CODE2: (True, at(2026, 3, 17, 17), at(2026, 3, 19, 17)),
    }
    assert Dossier.objects.get(code=CODE1).rescheduled_due_at == at(2026, 3, 20, 17)


def test_export_imports_back_unchanged(samples, tmp_path):
    imp("dossiers", DATA / "dossiers.csv")
    imp("dossier_steps", DATA / "dossier_steps.csv")
    before = stored()
    dossiers, steps = tmp_path / "out.csv", tmp_path / "steps.csv"
    assert run_export("dossiers", dossiers) == 2
    assert run_export("dossier_steps", steps) == 4
    assert dossiers.read_text(encoding="utf-8").splitlines()[0] == DOSSIER_HEADER
    assert steps.read_text(encoding="utf-8").splitlines()[0] == STEP_HEADER
    DossierStep.objects.all().delete()
    CitizenRating.objects.all().delete()
    Dossier.objects.all().delete()
    assert imp("dossiers", dossiers)[0] == 0
    assert imp("dossier_steps", steps)[0] == 0
    assert stored() == before


# Bad rows -------------------------------------------------------------------------


BAD_DOSSIER_LINES = [
    "line 3: procedure_code: Unknown procedure “9.999999”.",
    "line 4: unit_code: Unknown unit “P99”.",
    "line 5: receiving_officer: Unknown employee “S999”.",
    "line 6: receiving_officer: Employee “S005” is not active (status: retired).",
    "line 7: receiving_officer: Employee “S006” joined on 01/06/2026, after "
    "10/03/2026.",
    "line 8: received_at: “2026-13-45T08:00:00” is not a date and time; write "
    "YYYY-MM-DDTHH:MM[:SS][+07:00] or dd/mm/yyyy HH:MM.",
    "line 9: received_at: “2026-03-10” is not a date and time; write "
    "YYYY-MM-DDTHH:MM[:SS][+07:00] or dd/mm/yyyy HH:MM.",
    "line 10: returned_at: 09/03/2026 10:00 precedes received_at 10/03/2026 08:30.",
    "line 11: due_at: 09/03/2026 17:00 precedes received_at 10/03/2026 08:30.",
    "line 12: status: “done” is not one of: received, processing, "
    "supplement_requested, returned, rejected, withdrawn.",
    "line 13: channel: “fax” is not one of: direct, online, postal.",
    "line 14: rating: “ok” is not one of: very_satisfied, satisfied, unsatisfied.",
    "line 15: code “TWICE” appears more than once in the file (lines 15, 16).",
    "line 16: code “TWICE” appears more than once in the file (lines 15, 16).",
    "line 17: rescheduled_due_at: Required with apology_issued_at: the apology slip "
    "states the new return date.",
    "line 18: rescheduled_due_at: The new return date 17/03/2026 09:00 must be after "
    "the due time 17/03/2026 17:00.",
    "line 19: status: “processing” means not returned, yet returned_at is given.",
    "line 20: procedure_code: This value is required.; unit_code: This value is "
    "required.",
    "line 21: received_at: “10/03/2026 25:00” is not a date and time; write "
    "YYYY-MM-DDTHH:MM[:SS][+07:00] or dd/mm/yyyy HH:MM.; channel: “fax” is not one "
    "of: direct, online, postal.; receiving_officer: Unknown employee “S999”.",
    "line 22: This row has more cells than the header row; check for an unquoted "
    "comma.",
    "line 23: rescheduled_due_at: The return date was already moved once, to "
    "12/03/2026 17:00; it may be moved only once.",
    "line 24: code: At most 50 characters (this has 51).",
]


def test_it_rejects_each_bad_row_with_its_reason_and_writes_nothing(bad_dossiers):
    code, out, _err = imp("dossiers", bad_dossiers)
    assert code == 1
    lines = out.splitlines()
    assert lines[: len(BAD_DOSSIER_LINES)] == BAD_DOSSIER_LINES
    assert lines[-2:] == [
        "Nothing was written: 2 valid row(s) held back. Fix the rejected rows, or "
        "use --keep-valid.",
        "imported=0 rejected=22",
    ]
    assert list(Dossier.objects.values_list("code", flat=True)) == ["RESCHEDULED"]


def test_keep_valid_writes_the_valid_rows_and_the_rejects(bad_dossiers, tmp_path):
    rejects = tmp_path / "rejects.csv"
    code, out, _err = imp(
        "dossiers", bad_dossiers, "--keep-valid", "--rejects", str(rejects)
    )
    assert (code, out.splitlines()[-1]) == (1, "imported=2 rejected=22")
    assert sorted(Dossier.objects.values_list("code", flat=True)) == [
        "GOOD-1",
        "GOOD-25",
        "RESCHEDULED",
    ]
    rows = rejects.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "line,reason," + DOSSIER_HEADER
    assert rows[1] == (
        "3,procedure_code: Unknown procedure “9.999999”.,BAD-3,9.999999,P01-TTHCC,"
        "2026-03-10T08:30:00,,,,,,,,"
    )
    assert len(rows) == 23


def test_a_dry_run_writes_nothing_and_reports_the_same(samples):
    code, out, _err = imp("dossiers", DATA / "dossiers.csv", "--dry-run")
    assert out.splitlines()[-2:] == [
        "Dry run: nothing was written.",
        "imported=2 rejected=0",
    ]
    assert code == 0 and not Dossier.objects.exists()


BAD_STEP_LINES = [
    "line 3: dossier_code: Unknown dossier “NOPE”.",
    "line 4: finished_at: 10/03/2026 08:00 precedes started_at 10/03/2026 09:00. A "
    "step cannot finish before it starts.",
    "line 5: due_at: 09/03/2026 17:00 precedes started_at 10/03/2026 09:00.",
    "line 6: seq: “abc” is not a whole number.",
    "line 7: seq: The step number must be from 1 to 32767.",
    "line 8: name: “sign” is not one of: receive, transfer, process, consult, "
    "approve, supplement, return, other.",
    "line 9: officer: Unknown employee “S999”.",
    "line 10: officer: Employee “S005” is not active (status: retired).",
    "line 11: started_at: This value is required.",
    "line 12: dossier_code, seq “000.00.34.H01-260310-0001, 8” appears more than once "
    "in the file (lines 12, 13).",
    "line 13: dossier_code, seq “000.00.34.H01-260310-0001, 8” appears more than once "
    "in the file (lines 12, 13).",
    "line 14: dossier_code: Unknown dossier “NOPE”.; officer: Unknown employee "
    "“S999”.; finished_at: 09/03/2026 08:00 precedes started_at 10/03/2026 09:00. A "
    "step cannot finish before it starts.",
]


def test_it_rejects_each_bad_step_with_its_reason(bad_steps):
    code, out, _err = imp("dossier_steps", bad_steps)
    assert code == 1
    lines = out.splitlines()
    assert lines[: len(BAD_STEP_LINES)] == BAD_STEP_LINES
    assert lines[-1] == "imported=0 rejected=12"
    assert not DossierStep.objects.exists()


def test_a_file_without_a_required_column_is_refused(samples, tmp_path):
    path = csv_file(tmp_path, "short.csv", "code,procedure_code,unit_code", "A,B,C")
    code, out, err = imp("dossiers", path)
    assert code == 2
    assert err.strip() == (
        "Missing required column(s): received_at. Expected: "
        + DOSSIER_HEADER.replace(",", ", ")
        + "."
    )
    assert out.splitlines()[-1] == "imported=0 rejected=0"
