"""Load a generated province into the database through fast paths, keeping the
data valid: the rows are the ones the services would write (quota respected,
grades matching positions, coefficients from the salary scale, one open
assignment per person), decided in hrms.generator.province and inserted in bulk.

Rows carry their primary keys (from the table's current maximum), so related rows
need no read-back; PostgreSQL gets its identity sequences moved past them at the
end. On PostgreSQL the rows go through COPY, elsewhere through one prepared
executemany per table. Dossiers and steps are written as the contract's CSV and
imported by appraisals.ingest.stream_import: the same checks as import_data.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from hrms.generator.files import write_dossier_files
from hrms.generator.province import HOLIDAYS, Province

BATCH = 50_000


def max_steps() -> dict[str, int]:
    """The last step of each grade's salary scale (reference data)."""
    from positions.models import Grade, SalaryStep

    last_by_scale: dict[int, int] = {}
    for scale_id, step in SalaryStep.objects.values_list("scale_id", "step"):
        last_by_scale[scale_id] = max(step, last_by_scale.get(scale_id, 0))
    return {
        code: last_by_scale.get(scale_id, 1)
        for code, scale_id in Grade.objects.values_list("code", "salary_scale_id")
    }


def load_province(
    plan: Province,
    *,
    write: Callable[[str], None] = print,
    files_dir: str | Path | None = None,
    logins: Callable[[dict], None] | None = None,
) -> dict:
    """Write the plan; return the OrgUnit objects by code (for the demo logins).

    Idempotent: a province already loaded (its first employee exists) is left as
    it is, and dossiers are imported only into an empty dossier table.
    """
    from positions.models import OrgUnit
    from staff.models import Employee

    if plan.people and Employee.objects.filter(code_q(plan)).exists():
        write(f"staff: {Employee.objects.count()} (already seeded)")
        by_code = {u.code: u for u in OrgUnit.objects.all()}
        if logins is not None:
            with transaction.atomic():
                logins(by_code)
        return by_code
    started = time.perf_counter()
    with transaction.atomic():
        units = _load_units(plan)
        positions = _load_positions(plan, units)
        lap = _lap(write, f"units: {len(units)}, positions: {len(positions)}", started)
        _load_people(plan, units, positions)
        lap = _lap(write, f"staff: {len(plan.people)}", lap)
        _load_reference()
        tasks = _load_tasks(plan)
        lap = _lap(write, f"tasks: {tasks}", lap)
        by_code = {u.code: u for u in OrgUnit.objects.all()}
        if logins is not None:
            logins(by_code)
    if plan.dossier_count:
        _load_dossiers(plan, write, files_dir)
        _lap(
            write,
            f"dossiers: {plan.dossier_count} (+ {3 * plan.dossier_count} steps)",
            lap,
        )
    _reset_sequences()
    analyze()
    write(f"province loaded in {time.perf_counter() - started:.1f} s")
    return by_code


def code_q(plan: Province):
    from django.db.models import Q

    return Q(employee_code=plan.people[0].code)


def _lap(write, message: str, since: float) -> float:
    now = time.perf_counter()
    write(f"{message} ({now - since:.1f} s)")
    return now


# Rows -------------------------------------------------------------------------------


def _next_id(model: type[Model]) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def insert_rows(
    model: type[Model], names: list[str], rows: Iterable[tuple], *, batch=BATCH
) -> int:
    """Insert tuples of `names` (attnames) into the model's table; every other
    concrete column gets its default, the time stamps now. COPY on PostgreSQL."""
    fields = [model._meta.get_field(n) for n in names]
    named = {f.attname for f in fields}
    now = timezone.now()
    others = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in named and not (f.primary_key and f.attname == "id")
    ]
    constants = tuple(
        f.get_db_prep_save(
            now if f.name in ("created_at", "updated_at") else f.get_default(),
            connection,
        )
        for f in others
    )
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in (*fields, *others))
    table = qn(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row + constants)
                    count += 1
            return count
        marks = ", ".join(["%s"] * (len(fields) + len(others)))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        batch_rows: list[tuple] = []
        for row in rows:
            batch_rows.append(_sqlite_row(row) + constants)
            if len(batch_rows) >= batch:
                cursor.executemany(sql, batch_rows)
                count += len(batch_rows)
                batch_rows = []
        if batch_rows:
            cursor.executemany(sql, batch_rows)
            count += len(batch_rows)
    return count


def _sqlite_row(row: tuple) -> tuple:
    from decimal import Decimal

    return tuple(str(v) if isinstance(v, Decimal) else v for v in row)


def analyze() -> None:
    """Fresh planner statistics after a bulk load: without them PostgreSQL
    plans the first aggregates over millions of new rows as if the tables were
    empty (measured: compute_appraisals' ratings query 46 s instead of 0.2 s at
    5,000 staff); autovacuum gets there only later."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    from appraisals.models import Task
    from positions.models import JobPosition, OrgUnit
    from staff.models import Assignment, Employee, GradeHistory

    models = [OrgUnit, JobPosition, Employee, Assignment, GradeHistory, Task]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# Organisation and people ------------------------------------------------------------


def _load_units(plan: Province) -> dict[str, tuple[int, str]]:
    """Materialised paths computed here (treebeard's steps, children in code
    order, as node_order_by keeps them); (id, path) by code."""
    from positions.models import OrgUnit

    children: dict[str, list] = {}
    for unit in plan.units:
        children.setdefault(unit.parent, []).append(unit)
    placed: dict[str, tuple[int, str]] = {}
    rows = []
    next_id = _next_id(OrgUnit)
    # Roots: only P01; breadth-first so parents are placed first.
    queue = [("", "", 0)]
    while queue:
        parent_code, parent_path, depth = queue.pop(0)
        kids = sorted(children.get(parent_code, []), key=lambda u: u.code)
        for step, unit in enumerate(kids, start=1):
            path = OrgUnit._get_path(parent_path, depth + 1, step)
            placed[unit.code] = (next_id, path)
            rows.append(
                (
                    next_id,
                    path,
                    depth + 1,
                    len(children.get(unit.code, [])),
                    unit.code,
                    unit.name,
                    unit.kind,
                )
            )
            next_id += 1
            queue.append((unit.code, path, depth + 1))
    insert_rows(
        OrgUnit, ["id", "path", "depth", "numchild", "code", "name", "kind"], rows
    )
    return placed


def _load_positions(plan, units) -> dict[str, tuple[int, object]]:
    from positions.models import Grade, JobPosition

    grades = {g.code: g.pk for g in Grade.objects.all()}
    next_id = _next_id(JobPosition)
    ids = {}
    rows = []
    for p in plan.positions:
        ids[p.code] = (next_id, p.unit)
        rows.append(
            (
                next_id,
                units[p.unit][0],
                p.code,
                p.title,
                p.group,
                grades[p.grade],
                p.headcount,
                "125/QĐ-UBND",
                "Chủ tịch UBND tỉnh",
            )
        )
        next_id += 1
    names = [
        "id",
        "unit_id",
        "code",
        "title",
        "group",
        "grade_id",
        "headcount",
        "approval_decision_number",
        "approval_signer",
    ]
    insert_rows(JobPosition, names, rows)
    return ids


def _coefficients():
    """positions.rules.coefficient_for over the salary steps read once: the same
    effective-dated lookup without a query per person."""
    from positions.models import SalaryStep

    rows: dict[tuple[int, int], list] = {}
    for scale, step, coefficient, start, end in SalaryStep.objects.values_list(
        "scale_id", "step", "coefficient", "valid_from", "valid_to"
    ):
        rows.setdefault((scale, step), []).append((start, end, coefficient))

    def coefficient_for(grade, step: int, on):
        for start, end, coefficient in rows.get((grade.salary_scale_id, step), ()):
            if start <= on and (end is None or on <= end):
                return coefficient
        raise ValueError(f"grade {grade.code} has no step {step} on {on}")

    return coefficient_for


def _load_people(plan: Province, units, positions) -> None:
    from positions.models import Grade
    from staff.models import Assignment, Employee, GradeHistory

    grades = {g.code: g for g in Grade.objects.all()}
    coefficient_for = _coefficients()
    coefficients: dict[tuple, object] = {}
    employee_id = _next_id(Employee)
    first_employee = employee_id
    employees, assignments, history = [], [], []
    for person in plan.people:
        employees.append(
            (
                employee_id,
                person.code,
                person.full_name,
                person.born,
                person.gender,
                person.national_id,
                person.staff_type,
                units[person.unit][0],
                person.joined,
                person.email,
                person.phone,
            )
        )
        position_id, _unit = positions[person.position]
        assignments.append(
            (
                employee_id,
                position_id,
                person.joined,
                f"{person.index % 900 + 10}/QĐ-UBND",
                person.joined,
                "Chủ tịch UBND tỉnh",
            )
        )
        for step, since, reason in person.history:
            grade = grades[person.grade]
            key = (grade.pk, step, since)
            if key not in coefficients:
                coefficients[key] = coefficient_for(grade, step, since)
            history.append(
                (
                    employee_id,
                    grade.pk,
                    step,
                    coefficients[key],
                    since,
                    f"{person.index % 900 + 10}/QĐ-SNV",
                    since,
                    reason,
                )
            )
        employee_id += 1
    insert_rows(
        Employee,
        [
            "id",
            "employee_code",
            "full_name",
            "date_of_birth",
            "gender",
            "national_id",
            "staff_type",
            "unit_id",
            "joined_on",
            "email",
            "phone",
        ],
        employees,
    )
    assert employee_id - first_employee == len(plan.people)
    insert_rows(
        Assignment,
        [
            "employee_id",
            "position_id",
            "starts_on",
            "decision_number",
            "decided_on",
            "signer",
        ],
        assignments,
    )
    insert_rows(
        GradeHistory,
        [
            "employee_id",
            "grade_id",
            "salary_step",
            "coefficient",
            "effective_on",
            "decision_number",
            "decided_on",
            "reason",
        ],
        history,
    )
    plan._first_employee_id = first_employee  # for the tasks


def _load_reference() -> None:
    from hrms.models import Holiday

    Holiday.objects.bulk_create(
        [Holiday(date=d, name=name) for d, name in HOLIDAYS], ignore_conflicts=True
    )


def _load_tasks(plan: Province) -> int:
    from appraisals.models import Task

    ids = {p.code: plan._first_employee_id + i for i, p in enumerate(plan.people)}
    rows = (
        (
            t.code,
            ids[t.assignee],
            t.period,
            t.title,
            t.due_on,
            t.weight,
            t.completed_on,
            t.quality_defects,
            t.objective_cause,
            t.reform_task,
        )
        for t in plan.tasks()
    )
    names = [
        "code",
        "assignee_id",
        "period",
        "title",
        "due_on",
        "weight",
        "completed_on",
        "quality_defects",
        "has_objective_cause",
        "is_reform_task",
    ]
    return insert_rows(Task, names, rows)


# One-stop shop ----------------------------------------------------------------------


def load_procedures(plan: Province) -> None:
    from appraisals.models import Procedure

    existing = set(Procedure.objects.values_list("code", flat=True))
    Procedure.objects.bulk_create(
        [
            Procedure(code=c, name=n, field=f, processing_days=days)
            for c, n, f, days in plan.procedures()
            if c not in existing
        ],
        batch_size=1000,
    )


def _load_dossiers(plan: Province, write, files_dir) -> None:
    """Through the streaming fast path, from the contract's CSV files."""
    from appraisals.ingest import stream_import
    from appraisals.models import Dossier

    load_procedures(plan)
    if Dossier.objects.exists():
        write(f"dossiers: {Dossier.objects.count()} (already seeded)")
        return
    with tempfile.TemporaryDirectory(prefix="hrms_province_") as tmp:
        directory = Path(files_dir or tmp)
        paths = {
            "dossiers": directory / "dossiers.csv",
            "dossier_steps": directory / "dossier_steps.csv",
        }
        if not all(p.exists() for p in paths.values()):
            paths = write_dossier_files(plan, directory)
        for resource in ("dossiers", "dossier_steps"):
            report = stream_import(resource, paths[resource])
            if report.exit_code:
                reasons = "; ".join(
                    f"line {r.line}: {r.reason}" for r in report.rejected[:5]
                )
                error = report.error or ""
                raise RuntimeError(
                    f"{resource}: exit {report.exit_code} {error} {reasons}"
                )
