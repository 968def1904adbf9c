"""Property-based import (issue #9 item 3): random rows through run_import, for
every registered resource (a new one is covered by registering it).

Whatever the rows, run_import answers with its documented outcome, never an
exception; every non-blank row is either imported or rejected with a reason;
an all-or-nothing run with a rejected row leaves every table as it was; with
keep_valid, the rows created are exactly the rows the database gained.
"""

import csv
import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hrms.importing import get_resource, resource_names, run_import
from tests.factories import make_reference_data

DATA = Path(__file__).resolve().parent.parent / "data"
APPS = ("hrms", "positions", "staff", "recruitment", "appraisals")
# Values that pass a column's checks, or nearly, so that some rows are written.
GOOD = {
    "code": ["FZ-1", "FZ-2", "FZ-3", "P01-SNV"],
    "name": ["Phòng Thử Nghiệm", "receive"],
    "parent_code": ["", "P01", "FZ-1", "NOPE"],
    "kind": ["agency", "department", "service_center", "commune", "x"],
    "unit_code": ["P01-SNV", "P01-TTHCC", "NOPE"],
    "title": ["Chuyên viên"],
    "group": ["leadership", "professional", "support"],
    "grade_code": ["", "01.003", "01.002", "99.999"],
    "headcount": ["1", "3", "0", "-1"],
    "employee_code": ["FZ-E1", "FZ-E2", "S001"],
    "full_name": ["Nguyễn Văn Thử"],
    "date_of_birth": ["1990-01-01", "31/12/1985", "2030-01-01"],
    "gender": ["M", "F"],
    "staff_type": ["cong_chuc", "vien_chuc", "contract", "can_bo"],
    "position_code": ["", "P01-SNV-CCVC-QL"],
    "salary_step": ["", "1", "3"],
    "step_since": ["", "2024-01-01"],
    "national_id": ["", "001090012345", "034186001234"],
    "joined_on": ["", "2015-03-01"],
    "email": ["", "thu@example.vn", "not-an-email"],
    "date": ["2026-09-02", "02/09/2026", "2026-02-30"],
    "processing_days": ["5", "0", "-3"],
    "procedure_code": ["1.000893", "9.999"],
    "received_at": ["2026-03-10T09:00:00", "10/03/2026 09:00", "2026-03-10"],
    "due_at": ["", "2026-03-17T17:00:00", "2026-03-01T08:00:00"],
    "returned_at": ["", "2026-03-12T10:00:00"],
    "status": ["", "returned", "processing"],
    "channel": ["", "direct", "online", "postal"],
    "receiving_officer": ["", "S003", "NOPE"],
    "rating": ["", "satisfied", "unsatisfied"],
    "dossier_code": ["000.00.34.H01-260310-0001", "FZ-1"],
    "seq": ["1", "2", "x"],
    "officer": ["S001", "S003"],
    "started_at": ["2026-03-10T08:30:00"],
    "finished_at": ["", "2026-03-10T09:00:00"],
    "year": ["2025", "1800"],
    "level": ["excellent", "good", "completed", "not_completed", "x"],
    "assignee": ["S001", "NOPE"],
    "period": ["2026-03", "2026-Q1", "2026-13"],
    "due_on": ["2026-03-25"],
    "weight": ["", "1", "2"],
    "completed_on": ["", "2026-03-24"],
    "quality_defects": ["", "0", "2"],
    "objective_cause": ["", "0", "1"],
    "reform_task": ["", "0", "1"],
}
DEFAULT = ["", "1", "2026-03-10", "2026-03-10T09:00:00"]


# No NUL: a NUL byte makes the whole file binary (exit 2, test_hostile_files).
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


# Keys drawn from a wide range, so that tame rows seldom repeat one another.
KEYS = {
    "code": st.integers(1, 10**6).map("FZ-{}".format),
    "employee_code": st.one_of(
        st.sampled_from(["S001", "S002", "S003"]),
        st.integers(1, 10**6).map("FZ-E{}".format),
    ),
    "date": st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)).map(str),
    "seq": st.integers(1, 99).map(str),
    "year": st.integers(2000, 2025).map(str),
}


def tame_cell(column: str):
    good = st.sampled_from(GOOD.get(column, DEFAULT))
    return st.one_of(KEYS[column], good) if column in KEYS else good


def rows_for(columns: list[str]):
    """Rows of values near the valid ones (so some are written), or wild ones."""
    tame = st.tuples(*(tame_cell(c) for c in columns))
    wild = st.tuples(
        *(st.one_of(st.sampled_from(GOOD.get(c, DEFAULT)), TEXT) for c in columns)
    )
    return st.lists(st.one_of(tame, wild).map(list), max_size=5)


@pytest.fixture
def reference(db):
    """Units, positions, staff, procedures and steps' dossiers to point at."""
    make_reference_data()
    for name in ("units", "positions", "staff", "procedures", "dossiers"):
        assert run_import(name, DATA / f"{name}.csv").exit_code == 0


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }


def check(resource_name: str, path: Path, rows, keep_valid: bool) -> None:
    columns = get_resource(resource_name)().columns()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)
    model = get_resource(resource_name)._meta.model
    before = table_counts()
    report = run_import(resource_name, path, keep_valid=keep_valid)
    after = table_counts()

    assert report.exit_code in (0, 1, 2)
    event(f"exit {report.exit_code}, {'some' if report.created else 'no'} row created")
    if report.exit_code == 2:
        assert report.error and report.imported == 0 and not report.rejected
        assert after == before
        return
    assert all(r.reason.strip() for r in report.rejected)
    assert len({r.line for r in report.rejected}) == len(report.rejected)
    # Every non-blank row is accounted for, once.
    non_blank = sum(1 for row in rows if any(c.strip() for c in row))
    assert report.valid + len(report.rejected) == non_blank
    assert report.exit_code == (1 if report.rejected else 0)
    if report.rejected and not keep_valid:
        assert report.imported == 0
        assert after == before, "an all-or-nothing run wrote something"
    else:
        assert report.imported == report.valid
        gained = after[model._meta.label] - before[model._meta.label]
        assert gained == report.created


FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("resource_name", resource_names())
def test_random_rows_are_imported_or_rejected_never_half_written(
    reference, tmp_path, resource_name
):
    columns = get_resource(resource_name)().columns()

    @FUZZ
    @given(rows=rows_for(columns), keep_valid=st.booleans())
    def fuzz(rows, keep_valid):
        check(resource_name, tmp_path / f"{resource_name}.csv", rows, keep_valid)

    fuzz()
