"""The fast path for volume: dossiers and steps by the million (DESIGN.md §5).

Rows stream through in chunks (CHUNK_SIZE). Each chunk is checked in Python by the
functions the import-export path uses (appraisals.ingest.checks), then written to a
temporary table `rows` — PostgreSQL binary `COPY`, SQLite `executemany` — whose
keys are also kept, for the whole file, in a table `keys`: SQL then finds keys
repeated anywhere in the file, and step rows naming an unknown dossier.

Each chunk's valid rows are merged into the real table by code: `INSERT … SELECT …
ON CONFLICT DO NOTHING` for the new ones, then, only when some already existed, an
`UPDATE … FROM rows` in which a blank optional cell keeps the stored value; apology
slips and ratings are upserted with `INSERT … ON CONFLICT DO UPDATE`. On PostgreSQL
the joins go through the unique indexes (hash joins off for the transaction): the
tables grow inside it, unseen by the planner's statistics.

On PostgreSQL a worker thread copies and merges chunk k while the main thread
checks chunk k+1, so that Python checking and PostgreSQL index writing use the two
cores at once. The main thread never touches the connection meanwhile: what the
checks need from the database — units, procedures, employees, holidays — is loaded
up front, and the two checks against stored rows (a second reschedule, an unknown
dossier) run in SQL, their reasons worded by the shared functions.

Everything happens in one transaction. Without keep_valid the file is all or
nothing: the first rejected row stops the merging, every row is still checked so
that all reasons are reported, and the transaction is rolled back — as for a dry
run, or an unreadable line half-way through. With keep_valid, `rows` keeps the
whole file and is merged once at the end, without the rejected rows. Memory holds
two chunks and the reference dictionaries, whatever the file's length.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from uuid import uuid4

from django.db import connections, transaction
from django.utils import timezone

from appraisals.ingest.checks import (
    DOSSIER_ORDER,
    STEP_ORDER,
    Checked,
    Refs,
    check_dossier_rows,
    check_step_rows,
    parse_seq,
    reason_text,
    second_reschedule_error,
    sort_errors,
    unknown_message,
)
from appraisals.models import ApologySlip, CitizenRating, Dossier, DossierStep
from hrms.importing import FileRow

CHUNK_SIZE = 50_000

Record = tuple[int, list[str], str | None]  # line, cells, why the row is broken
Error = tuple[str, str]  # column, message


@dataclass
class FastOutcome:
    """What the fast path did: the same figures run_import reports."""

    valid: int = 0  # rows that passed every check, written or not
    created: int = 0
    updated: int = 0
    written: bool = False
    # (line, reason, cells by header) in line order
    rejections: list[tuple[int, str, list[str]]] = field(default_factory=list)
    # seconds: read, check, wait (for the writer) in the main thread; copy,
    # merge in the writer; keys, end (whole-file checks and the final merge)
    timings: dict[str, float] = field(default_factory=lambda: defaultdict(float))


# What differs between the two files ----------------------------------------------


class _Spec:
    table: str
    steps: bool
    order: dict[str, int]  # column → position, to sort reasons as the checks do
    keys: tuple[tuple[str, str, str], ...]  # (column, PostgreSQL, SQLite type)
    rows: tuple[tuple[str, str, str], ...]

    def check(self, rows, refs: Refs) -> list[Checked]:
        raise NotImplementedError

    def row(self, line: int, cells: dict[str, str], checked: Checked, ok: bool):
        """The `rows` row of a checked row: a rejected row keeps its key (and
        what the checks in SQL need), and ok = False."""
        raise NotImplementedError

    def key_row(self, key: tuple) -> FileRow:
        """A FileRow the resource's check_file() words a repeated key from."""
        raise NotImplementedError

    def conflicts(self, cursor, rows: str) -> list[tuple]:
        """Rows that contradict stored rows, found in SQL before a merge (raw
        facts: the worker thread does not translate)."""
        return []

    def conflict_errors(
        self, found: list[tuple], refs: Refs
    ) -> list[tuple[int, Error]]:
        """The reasons of conflicts() rows, worded in the caller's language."""
        return []

    def unknown(self, cursor, keys: str) -> list[tuple[int, Error]]:
        """Reasons found in SQL over the whole file."""
        return []

    def merge(self, cursor, rows: str, now, ok: int) -> tuple[int, int]:
        """Write the `ok` rows of `rows`: (created, updated).

        New rows go in with `INSERT … ON CONFLICT DO NOTHING`; only when fewer
        than `ok` went in does an `UPDATE … FROM` run for the others. It finds
        the rows just inserted too and rewrites them unchanged, hence
        updated = its count − created.
        """
        raise NotImplementedError


class _DossierSpec(_Spec):
    table = Dossier._meta.db_table
    steps = False
    order = DOSSIER_ORDER
    keys = (("line", "integer", "integer"), ("code", "text", "text"))
    rows = (
        ("line", "integer", "integer"),
        ("ok", "boolean", "integer"),
        ("code", "text", "text"),
        ("procedure_id", "bigint", "integer"),
        ("unit_id", "bigint", "integer"),
        ("channel", "text", "text"),
        ("received_at", "timestamptz", "text"),
        ("due_at", "timestamptz", "text"),
        ("returned_at", "timestamptz", "text"),
        ("status", "text", "text"),
        ("receiving_officer_id", "bigint", "integer"),
        ("rescheduled_due_at", "timestamptz", "text"),
        ("apology_issued_at", "timestamptz", "text"),
        ("slip_is_late", "boolean", "integer"),
        ("rating", "text", "text"),
    )

    def check(self, rows, refs):
        return check_dossier_rows(rows, refs, stored=False)

    def row(self, line, cells, checked, ok):
        v = checked.values
        if not ok:
            return (
                line,
                False,
                cells.get("code") or None,
                None,
                None,
                None,
                None,
                v["due_at"],
                None,
                None,
                None,
                v["rescheduled_due_at"],
                v["apology_issued_at"],
                None,
                None,
            )
        return (
            line,
            True,
            v["code"],
            v["procedure_id"],
            v["unit_id"],
            v["channel"],
            v["received_at"],
            v["due_at"],
            v["returned_at"],
            v["status"],
            v["receiving_officer_id"],
            v["rescheduled_due_at"],
            v["apology_issued_at"],
            v["slip_is_late"],
            v["rating"],
        )

    def key_row(self, key):
        return FileRow(key[0], {"code": key[1]})

    def conflicts(self, cursor, rows):
        d, slip = self.table, ApologySlip._meta.db_table
        cursor.execute(
            f"""
            SELECT s.line, COALESCE(d.rescheduled_due_at, sl.new_due_at),
                s.rescheduled_due_at, s.due_at, s.apology_issued_at
            FROM {rows} AS s
            JOIN {d} AS d ON d.code = s.code
            LEFT JOIN {slip} AS sl ON sl.dossier_id = d.id
            WHERE s.rescheduled_due_at IS NOT NULL
                AND COALESCE(d.rescheduled_due_at, sl.new_due_at) IS NOT NULL
                AND COALESCE(d.rescheduled_due_at, sl.new_due_at)
                    <> s.rescheduled_due_at
            """
        )
        found = cursor.fetchall()
        # A blank returned_at keeps the stored one, which may precede the new
        # received_at: the model's constraint, as model validation words it.
        cursor.execute(
            f"""
            SELECT s.line FROM {rows} AS s JOIN {d} AS d ON d.code = s.code
            WHERE s.ok AND s.returned_at IS NULL
                AND d.returned_at < s.received_at
            """
        )
        return found + [(line, None, None, None, None) for (line,) in cursor.fetchall()]

    def conflict_errors(self, found, refs):
        errors = []
        for line, earlier, new, due, issued in found:
            if earlier is None:
                errors.append((line, _constraint(Dossier, "returned_after_receipt")))
                continue
            message = second_reschedule_error(
                refs,
                earlier=_moment(earlier),
                new_due_at=_moment(new),
                due_at=_moment(due),
                issued_at=_moment(issued),
            )
            if message:
                errors.append((line, ("rescheduled_due_at", message)))
        return errors

    def merge(self, cursor, rows, now, ok):
        d, slip = self.table, ApologySlip._meta.db_table
        rating = CitizenRating._meta.db_table
        cursor.execute(
            f"""
            INSERT INTO {d} (
                code, procedure_id, unit_id, channel, received_at, due_at,
                returned_at, status, receiving_officer_id, rescheduled_due_at,
                created_at, updated_at
            )
            SELECT
                s.code, s.procedure_id, s.unit_id, COALESCE(s.channel, %s),
                s.received_at, s.due_at, s.returned_at, COALESCE(s.status, %s),
                s.receiving_officer_id, s.rescheduled_due_at, %s, %s
            FROM {rows} AS s
            WHERE s.ok
            ORDER BY s.code
            ON CONFLICT (code) DO NOTHING
            """,
            [Dossier.Channel.DIRECT.value, Dossier.Status.RECEIVED.value, now, now],
        )
        created = cursor.rowcount
        updated = 0
        if created < ok:
            cursor.execute(
                f"""
                UPDATE {d} AS d SET
                    procedure_id = s.procedure_id,
                    unit_id = s.unit_id,
                    channel = COALESCE(s.channel, d.channel),
                    received_at = s.received_at,
                    due_at = s.due_at,
                    returned_at = COALESCE(s.returned_at, d.returned_at),
                    status = COALESCE(s.status, d.status),
                    receiving_officer_id = COALESCE(
                        s.receiving_officer_id, d.receiving_officer_id
                    ),
                    rescheduled_due_at = COALESCE(
                        s.rescheduled_due_at, d.rescheduled_due_at
                    ),
                    updated_at = %s
                FROM {rows} AS s
                WHERE s.ok AND d.code = s.code
                """,
                [now],
            )
            updated = cursor.rowcount - created
        cursor.execute(
            f"""
            INSERT INTO {slip} (
                dossier_id, issued_at, reason, previous_due_at, new_due_at,
                is_issued_late, created_at, updated_at
            )
            SELECT d.id, s.apology_issued_at, '', s.due_at, s.rescheduled_due_at,
                s.slip_is_late, %s, %s
            FROM {rows} AS s JOIN {d} AS d ON d.code = s.code
            WHERE s.ok AND s.apology_issued_at IS NOT NULL
            ON CONFLICT (dossier_id) DO UPDATE SET
                issued_at = excluded.issued_at,
                previous_due_at = excluded.previous_due_at,
                new_due_at = excluded.new_due_at,
                is_issued_late = excluded.is_issued_late,
                updated_at = excluded.updated_at
            """,
            [now, now],
        )
        cursor.execute(
            f"""
            INSERT INTO {rating} (
                dossier_id, level, comment, rated_at, created_at, updated_at
            )
            SELECT d.id, s.rating, '', NULL, %s, %s
            FROM {rows} AS s JOIN {d} AS d ON d.code = s.code
            WHERE s.ok AND s.rating IS NOT NULL
            ON CONFLICT (dossier_id) DO UPDATE SET
                level = excluded.level,
                updated_at = excluded.updated_at
            """,
            [now, now],
        )
        return created, updated


class _StepSpec(_Spec):
    table = DossierStep._meta.db_table
    steps = True
    order = STEP_ORDER
    keys = (
        ("line", "integer", "integer"),
        ("dossier_code", "text", "text"),
        ("seq", "bigint", "integer"),
    )
    rows = (
        ("line", "integer", "integer"),
        ("ok", "boolean", "integer"),
        ("dossier_code", "text", "text"),
        ("seq", "bigint", "integer"),
        ("name", "text", "text"),
        ("officer_id", "bigint", "integer"),
        ("unit_id", "bigint", "integer"),
        ("started_at", "timestamptz", "text"),
        ("due_at", "timestamptz", "text"),
        ("finished_at", "timestamptz", "text"),
    )

    def check(self, rows, refs):
        return check_step_rows(rows, refs, stored=False)

    def row(self, line, cells, checked, ok):
        if not ok:
            return (
                line,
                False,
                cells.get("dossier_code") or None,
                parse_seq(cells.get("seq") or ""),
                *_NONES[:6],
            )
        v = checked.values
        return (
            line,
            True,
            v["dossier_code"],
            v["seq"],
            v["name"],
            v["officer_id"],
            v["unit_id"],
            v["started_at"],
            v["due_at"],
            v["finished_at"],
        )

    def key_row(self, key):
        return FileRow(key[0], {"dossier_code": key[1], "seq": str(key[2])})

    def conflicts(self, cursor, rows):
        # A blank finished_at keeps the stored one, which may precede the new
        # started_at: the model's constraint, as model validation words it.
        cursor.execute(
            f"""
            SELECT s.line FROM {rows} AS s
            JOIN {Dossier._meta.db_table} AS d ON d.code = s.dossier_code
            JOIN {self.table} AS t ON t.dossier_id = d.id AND t.seq = s.seq
            WHERE s.ok AND s.finished_at IS NULL AND t.finished_at < s.started_at
            """
        )
        return cursor.fetchall()

    def conflict_errors(self, found, refs):
        error = _constraint(DossierStep, "finishes_after_start")
        return [(line, error) for (line,) in found]

    def unknown(self, cursor, keys):
        cursor.execute(
            f"""
            SELECT k.line, k.dossier_code FROM {keys} AS k
            WHERE k.dossier_code IS NOT NULL AND NOT EXISTS (
                SELECT 1 FROM {Dossier._meta.db_table} AS d
                WHERE d.code = k.dossier_code
            )
            """
        )
        return [
            (line, ("dossier_code", unknown_message("dossier", code)))
            for line, code in cursor.fetchall()
        ]

    def merge(self, cursor, rows, now, ok):
        t, d = self.table, Dossier._meta.db_table
        cursor.execute(
            f"""
            INSERT INTO {t} (
                dossier_id, seq, name, officer_id, unit_id, started_at, due_at,
                finished_at
            )
            SELECT d.id, s.seq, s.name, s.officer_id, s.unit_id,
                s.started_at, s.due_at, s.finished_at
            FROM {rows} AS s JOIN {d} AS d ON d.code = s.dossier_code
            WHERE s.ok
            ORDER BY s.dossier_code, s.seq
            ON CONFLICT (dossier_id, seq) DO NOTHING
            """
        )
        created = cursor.rowcount
        updated = 0
        if created < ok:
            cursor.execute(
                f"""
                UPDATE {t} AS t SET
                    name = s.name,
                    officer_id = s.officer_id,
                    unit_id = s.unit_id,
                    started_at = s.started_at,
                    due_at = s.due_at,
                    finished_at = COALESCE(s.finished_at, t.finished_at)
                FROM {rows} AS s JOIN {d} AS d ON d.code = s.dossier_code
                WHERE s.ok AND t.dossier_id = d.id AND t.seq = s.seq
                """
            )
            updated = cursor.rowcount - created
        return created, updated


_NONES = (None,) * 8

SPECS: dict[str, _Spec] = {"dossiers": _DossierSpec(), "dossier_steps": _StepSpec()}


# The run ----------------------------------------------------------------------------


def fast_import(
    resource,
    headers: list[str],
    records: Iterable[Record],
    *,
    dry_run: bool = False,
    keep_valid: bool = False,
    using: str = "default",
    chunk_size: int = CHUNK_SIZE,
    reread: Callable[[set[int]], dict[int, list[str]]] | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> FastOutcome:
    """Check and load a stream of rows of `resource` (the registered `dossiers` or
    `dossier_steps` ImportResource) in one transaction; see the module docstring.

    `reread(lines)` returns the cells of a few lines again: rows rejected only
    because their key repeats are known at the end, when their cells are gone.
    `progress(done, None)` is called after each chunk.
    """
    run = _Run(resource, headers, keep_valid=keep_valid, using=using)
    # Rows make millions of short-lived objects without cycles: the cyclic
    # collector would rescan every chunk many times over, for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        run.load(_chunks(records, chunk_size), dry_run=dry_run, progress=progress)
    finally:
        if collecting:
            gc.enable()
    if run.postgres and run.result.written:
        _refresh_statistics(run, written=run.result.created + run.result.updated)
    return run.outcome(reread)


# Fresh planner statistics once this many rows arrived at once: right after a bulk
# load PostgreSQL plans from stale figures until autovacuum comes by, and one
# appraisal query was measured at 46 s instead of 0.19 s (bench/RESULTS.md).
ANALYZE_AFTER_ROWS = 50_000


def _refresh_statistics(run: _Run, *, written: int) -> None:
    if written < ANALYZE_AFTER_ROWS:
        return
    table = run.resource._meta.model._meta.db_table
    with run.connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')


class _Run:
    def __init__(self, resource, headers, *, keep_valid: bool, using: str) -> None:
        self.resource = resource
        self.spec = SPECS[resource.resource_name]
        self.headers = headers
        self.keep_valid = keep_valid
        self.using = using
        self.connection = connections[using]
        self.postgres = self.connection.vendor == "postgresql"
        self.refs = Refs.load(using=using, steps=self.spec.steps)
        self.result = FastOutcome()
        self.timings = self.result.timings
        # line → (errors, cells) or (broken-row reason, cells)
        self.rejected: dict[int, tuple[list[Error] | str, list[str] | None]] = {}
        self.clean = True  # no row rejected so far: merging chunk by chunk
        suffix = uuid4().hex[:12]
        self.rows_table = f"appraisals_rows_{suffix}"
        self.keys_table = self.rows_table if keep_valid else f"appraisals_keys_{suffix}"

    # Main thread ------------------------------------------------------------------

    def load(
        self, chunks: Iterator[list[Record]], *, dry_run: bool, progress=None
    ) -> None:
        done = 0
        with transaction.atomic(using=self.using):
            with self.connection.cursor() as cursor:
                self._create_tables(cursor)
                if self.postgres:
                    writer = self.connection.connection.cursor()
                    pool = ThreadPoolExecutor(max_workers=1)
                else:
                    writer, pool = cursor, None
                pending: Future | None = None
                try:
                    mark = time.perf_counter()
                    for chunk in chunks:
                        mark = self._lap("read", mark)
                        rows = self._check(chunk)
                        mark = self._lap("check", mark)
                        if pending is not None:
                            self._written(pending.result())
                            mark = self._lap("wait", mark)
                        merge = self.clean and not self.keep_valid
                        if pool is not None:
                            pending = pool.submit(self._write, writer, rows, merge)
                        else:
                            self._written(self._write(writer, rows, merge))
                            mark = self._lap("write", mark)
                        done += len(chunk)
                        if progress:
                            progress(done, None)
                    if pending is not None:
                        self._written(pending.result())
                        pending = None
                        mark = self._lap("wait", mark)
                finally:
                    if pending is not None:  # an error: let the writer finish first
                        pending.exception()
                    if pool is not None:
                        pool.shutdown()
                        writer.close()
                self._finish(cursor)
                self._lap("keys", mark)
                if self.keep_valid:
                    self._merge_at_end(cursor)
                self.result.written = not dry_run and (
                    not self.rejected or self.keep_valid
                )
                for table in {self.keys_table, self.rows_table}:
                    cursor.execute(f"DROP TABLE {table}")
            if not self.result.written:
                transaction.set_rollback(True, using=self.using)
        self._lap("end", mark)

    def _lap(self, phase: str, mark: float) -> float:
        now = time.perf_counter()
        self.timings[phase] += now - mark
        return now

    def _check(self, chunk: list[Record]) -> tuple[list[tuple], list[tuple]]:
        headers, spec, rejected = self.headers, self.spec, self.rejected
        rows = [
            (line, dict(zip(headers, cells, strict=True))) for line, cells, _ in chunk
        ]
        to_write = []
        for (line, cells, broken), (_, by_column), checked in zip(
            chunk, rows, spec.check(rows, self.refs), strict=True
        ):
            ok = not broken and not checked.errors
            if ok:
                self.result.valid += 1
            elif broken:
                rejected[line] = (broken, cells)
            else:
                rejected[line] = (list(checked.errors), cells)
            to_write.append(spec.row(line, by_column, checked, ok))
        if rejected:
            self.clean = False
        return to_write

    def _written(self, outcome: tuple[list[tuple], int, int]) -> None:
        conflicts, created, updated = outcome
        self._reject(self.spec.conflict_errors(conflicts, self.refs))
        self.result.created += created
        self.result.updated += updated

    def _reject(self, found: list[tuple[int, Error]]) -> None:
        """Add reasons found in SQL to the rows' own."""
        for line, error in found:
            entry = self.rejected.get(line)
            if entry is None:
                self.result.valid -= 1
                self.rejected[line] = ([error], None)
            elif not isinstance(entry[0], str):  # broken rows keep their reason
                entry[0].append(error)
            self.clean = False

    def _finish(self, cursor) -> None:
        """Whole-file checks: repeated keys, unknown dossiers."""
        if self.postgres:
            _hash_joins(cursor, True)
        self._reject(self.spec.unknown(cursor, self.keys_table))
        self.repeated = self._repeated(cursor)
        for line, reasons in self.repeated.items():
            entry = self.rejected.get(line)
            if entry is None:
                self.result.valid -= 1
                cells, parts = None, []
            else:
                cells = entry[1]
                parts = [entry[0]] if isinstance(entry[0], str) else []
            self.rejected[line] = ("; ".join([*parts, *reasons]), cells)

    def _repeated(self, cursor) -> dict[int, list[str]]:
        """{line: reasons} for rows whose key repeats in the file, worded by the
        resource's own check_file() (the import-export path's message)."""
        key = ", ".join(c[0] for c in self.spec.keys[1:])
        present = " AND ".join(f"{c[0]} IS NOT NULL" for c in self.spec.keys[1:])
        table = self.keys_table
        cursor.execute(
            f"""
            SELECT line, {key} FROM {table}
            WHERE ({key}) IN (
                SELECT {key} FROM {table} WHERE {present}
                GROUP BY {key} HAVING COUNT(*) > 1
            )
            ORDER BY line
            """
        )
        rows = [self.spec.key_row(tuple(row)) for row in cursor.fetchall()]
        if not rows:
            return {}
        return dict(self.resource.check_file(rows))

    def _merge_at_end(self, cursor) -> None:
        """keep_valid: merge the valid rows of the whole file at once."""
        if self.postgres:
            _hash_joins(cursor, False)
        conflicts = self.spec.conflicts(cursor, self.rows_table)
        self._reject(self.spec.conflict_errors(conflicts, self.refs))
        if self.rejected:
            lines = sorted(self.rejected)
            for start in range(0, len(lines), 5000):
                part = lines[start : start + 5000]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(
                    f"UPDATE {self.rows_table} SET ok = %s WHERE line IN ({marks})",
                    [False, *part],
                )
        cursor.execute(f"SELECT COUNT(*) FROM {self.rows_table} WHERE ok")
        (ok,) = cursor.fetchone()
        self.result.created, self.result.updated = self.spec.merge(
            cursor, self.rows_table, _adapter(self.connection)(timezone.now()), ok
        )

    def outcome(self, reread) -> FastOutcome:
        missing = {line for line, (_r, cells) in self.rejected.items() if cells is None}
        found = reread(missing) if missing and reread else {}
        self.result.rejections = [
            (
                line,
                reason if isinstance(reason, str) else self._reason(reason),
                cells if cells is not None else found.get(line, []),
            )
            for line, (reason, cells) in sorted(self.rejected.items())
        ]
        return self.result

    def _reason(self, errors: list[Error]) -> str:
        # Model validation (a row-level reason, column "") runs only when the
        # row passed every other check.
        own = [error for error in errors if error[0]]
        if not own:
            return "; ".join(message for _column, message in errors)
        return reason_text(sort_errors(own, self.spec.order))

    # Writer (a worker thread on PostgreSQL) ------------------------------------------

    def _write(self, cursor, rows, merge: bool):
        """Copy a chunk into `rows` and its keys into `keys`; without keep_valid,
        check it against stored rows and merge it, then empty `rows`."""
        started = time.perf_counter()
        self._copy(cursor, self.rows_table, self.spec.rows, rows)
        if not self.keep_valid:  # else `rows` keeps the whole file, keys too
            names = ", ".join(c[0] for c in self.spec.keys)
            cursor.execute(
                f"INSERT INTO {self.keys_table} ({names}) "
                f"SELECT {names} FROM {self.rows_table}"
            )
        copied = time.perf_counter()
        self.timings["copy"] += copied - started
        conflicts, created, updated = [], 0, 0
        if not self.keep_valid:
            conflicts = self.spec.conflicts(cursor, self.rows_table)
            if merge and not conflicts:
                now = _adapter(self.connection)(timezone.now())
                ok = sum(1 for row in rows if row[1])
                created, updated = self.spec.merge(cursor, self.rows_table, now, ok)
            empty = "TRUNCATE {}" if self.postgres else "DELETE FROM {}"
            cursor.execute(empty.format(self.rows_table))
        self.timings["merge"] += time.perf_counter() - copied
        return conflicts, created, updated

    def _copy(self, cursor, table: str, columns, rows: list[tuple]) -> None:
        if not rows:
            return
        names = ", ".join(c[0] for c in columns)
        if self.postgres:
            # Binary COPY: three times the rows per second of text COPY.
            sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(sql) as copy:
                copy.set_types([_BINARY_TYPES[c[1]] for c in columns])
                for row in rows:
                    copy.write_row(row)
            return
        adapt = _adapter(self.connection)
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({marks})",
            [
                [adapt(v) if isinstance(v, dt.datetime) else v for v in row]
                for row in rows
            ],
        )

    def _create_tables(self, cursor) -> None:
        spec = self.spec
        tables = {self.rows_table: spec.rows, self.keys_table: spec.keys}
        if self.keys_table == self.rows_table:
            tables = {self.rows_table: spec.rows}
        for table, columns in tables.items():
            kind = 1 if self.postgres else 2
            ddl = ", ".join(f"{c[0]} {c[kind]}" for c in columns)
            tail = " ON COMMIT DROP" if self.postgres else ""
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({ddl}){tail}")
        if self.postgres:
            # For this transaction only: room for the whole-file aggregates, and
            # index lookups for the merges (the tables grow within the
            # transaction, unseen by the planner's statistics).
            cursor.execute("SET LOCAL work_mem = '256MB'")
            _hash_joins(cursor, False)


def _hash_joins(cursor, on: bool) -> None:
    value = "on" if on else "off"
    cursor.execute(f"SET LOCAL enable_hashjoin = {value}")
    cursor.execute(f"SET LOCAL enable_mergejoin = {value}")


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _adapter(connection) -> Callable:
    """Raw SQL gets datetimes as the backend stores them."""
    if connection.vendor == "postgresql":
        return lambda value: value  # psycopg sends aware datetimes as timestamptz
    adapt = connection.ops.adapt_datetimefield_value
    return lambda value: None if value is None else adapt(value)


def _constraint(model, suffix: str) -> Error:
    """A row-level reason: the violation message of a model's check constraint
    (no column, as import-export reports model-wide errors)."""
    name = f"{model._meta.db_table}_{suffix}"
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return ("", str(constraint.violation_error_message))


def _moment(value) -> dt.datetime | None:
    """A datetime read back by raw SQL (SQLite gives UTC text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


_BINARY_TYPES = {
    "integer": "int4",
    "bigint": "int8",
    "boolean": "bool",
    "text": "text",
    "timestamptz": "timestamptz",
}
