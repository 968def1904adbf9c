"""A generated province as the import contract's files (DESIGN.md §4.3), one per
resource, in the order they import: units, positions, staff, holidays, procedures,
tasks, dossiers, dossier_steps. CSV streams any size; XLSX (openpyxl's write-only
mode) suits files people open, up to a few hundred thousand rows."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from hrms.generator.province import HOLIDAYS, Province

ORDER = [
    "units",
    "positions",
    "staff",
    "holidays",
    "procedures",
    "tasks",
    "dossiers",
    "dossier_steps",
]
COLUMNS = {
    "units": ["code", "name", "parent_code", "kind"],
    "positions": ["code", "unit_code", "title", "group", "grade_code", "headcount"],
    "staff": [
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
    ],
    "holidays": ["date", "name"],
    "procedures": ["code", "name", "processing_days"],
    "tasks": [
        "code",
        "assignee",
        "period",
        "title",
        "due_on",
        "weight",
        "completed_on",
        "quality_defects",
        "objective_cause",
        "reform_task",
    ],
    "dossiers": [
        "code",
        "procedure_code",
        "unit_code",
        "received_at",
        "due_at",
        "returned_at",
        "status",
        "channel",
        "receiving_officer",
        "apology_issued_at",
        "rescheduled_due_at",
        "rating",
    ],
    "dossier_steps": [
        "dossier_code",
        "seq",
        "name",
        "officer",
        "started_at",
        "due_at",
        "finished_at",
    ],
}


def write_files(
    plan: Province, directory: str | Path, *, fmt: str = "csv", dossiers: bool = True
) -> dict[str, Path]:
    """Write every resource's file into `directory`; the paths by resource."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rows = {
        "units": _units(plan),
        "positions": _positions(plan),
        "staff": _staff(plan),
        "holidays": ([d.isoformat(), name] for d, name in HOLIDAYS),
        "procedures": ([c, n, str(days)] for c, n, _f, days in plan.procedures()),
        "tasks": _tasks(plan),
    }
    paths = {}
    for name, cells in rows.items():
        paths[name] = _write(directory / f"{name}.{fmt}", COLUMNS[name], cells)
    if dossiers and plan.dossier_count:
        paths.update(write_dossier_files(plan, directory, fmt=fmt))
    return paths


def write_dossier_files(
    plan: Province, directory: Path, *, fmt: str = "csv"
) -> dict[str, Path]:
    """dossiers and dossier_steps, written side by side in one pass."""
    paths = {
        "dossiers": directory / f"dossiers.{fmt}",
        "dossier_steps": directory / f"dossier_steps.{fmt}",
    }
    if fmt == "csv":
        with (
            paths["dossiers"].open("w", newline="", encoding="utf-8") as d_file,
            paths["dossier_steps"].open("w", newline="", encoding="utf-8") as s_file,
        ):
            dossiers, steps = csv.writer(d_file), csv.writer(s_file)
            dossiers.writerow(COLUMNS["dossiers"])
            steps.writerow(COLUMNS["dossier_steps"])
            for dossier, dossier_steps in plan.dossiers():
                dossiers.writerow(dossier)
                steps.writerows(dossier_steps)
        return paths
    pairs = list(plan.dossiers())
    _write(paths["dossiers"], COLUMNS["dossiers"], (d for d, _ in pairs))
    _write(
        paths["dossier_steps"],
        COLUMNS["dossier_steps"],
        (step for _, steps in pairs for step in steps),
    )
    return paths


def _write(path: Path, header: list[str], rows: Iterable[list[str]]) -> Path:
    if path.suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(path.stem)
        sheet.append(header)
        for row in rows:
            sheet.append(row)  # text cells: codes and IDs keep their leading 0
        book.save(path)
        return path
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _units(plan: Province) -> Iterator[list[str]]:
    for unit in plan.units:
        yield [unit.code, unit.name, unit.parent, unit.kind]


def _positions(plan: Province) -> Iterator[list[str]]:
    for p in plan.positions:
        yield [p.code, p.unit, p.title, p.group, p.grade, str(p.headcount)]


def _staff(plan: Province) -> Iterator[list[str]]:
    for p in plan.people:
        step = p.step
        yield [
            p.code,
            p.full_name,
            p.born.isoformat(),
            p.gender,
            p.staff_type,
            p.unit,
            p.position,
            p.grade,
            "" if step is None else str(step),
            _d(p.step_since),
            p.national_id,
            p.joined.isoformat(),
            p.email,
        ]


def _tasks(plan: Province) -> Iterator[list[str]]:
    for t in plan.tasks():
        yield [
            t.code,
            t.assignee,
            t.period,
            t.title,
            t.due_on.isoformat(),
            str(t.weight),
            _d(t.completed_on),
            str(t.quality_defects),
            str(int(t.objective_cause)),
            str(int(t.reform_task)),
        ]
