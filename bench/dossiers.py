"""Benchmark: import N dossiers and 3N steps from CSV (DESIGN.md §5).

Budget on PostgreSQL: 1,000,000 dossiers + 3,000,000 steps in ≤ 90 s with a peak
memory ≤ 1 GB, and ≥ 20× django-import-export's row-by-row path measured in the same
run. The run:

1. makes its own database — `hrms_bench_<pid>` on the PostgreSQL server DATABASE_URL
   names (dropped at the end), or a SQLite file in a temporary directory — and
   migrates it;
2. seeds units, procedures, officers and holidays with bulk inserts;
3. writes the CSV files deterministically (for --seed): N dossiers with codes like
   000.00.34.H01-260310-0001, three steps each, and a sample of --sample dossiers
   and as many steps for the row-by-row path;
4. imports them: the fast path (appraisals.ingest.stream_import, streaming), then
   the sample through django-import-export row by row (hrms.importing.run_import
   with the fast path switched off), and prints rows/s, wall time, peak RSS and the
   ratio.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import resource
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

UNITS = 20
PROCEDURES = 200
OFFICERS_PER_UNIT = 50
PROCESSING_DAYS = (0, 1, 3, 5, 7, 10, 15, 20)  # of procedure i: [i % 8]
PROVINCE = "H01"
# Dossiers are received over a year, on working days.
FIRST_DAY = dt.date(2025, 7, 1)
DAYS = 365
HOLIDAYS = [
    dt.date(2025, 9, 1),
    dt.date(2025, 9, 2),
    dt.date(2026, 1, 1),
    *(dt.date(2026, 2, day) for day in range(16, 21)),  # Tết
    dt.date(2026, 4, 27),
    dt.date(2026, 4, 30),
    dt.date(2026, 5, 1),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument(
        "--sample",
        type=int,
        default=5_000,
        help="rows for django-import-export's row-by-row path",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and the files"
    )


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hrms_bench_"))
    try:
        with bench_database(workdir, keep=args.keep) as label:
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            print(f"database: {label}")
            officers = seed()
            files = write_files(
                workdir, args.dossiers, args.sample, args.seed, officers
            )
            return measure(files, args.dossiers, args.sample)
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# Database ---------------------------------------------------------------------------


@contextmanager
def bench_database(workdir: Path, *, keep: bool = False):
    """Point DATABASE_URL at a database of the bench's own, and remove it after."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrms.settings")
    os.environ["DEBUG"] = "False"  # no query log growing with the rows
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
        yield "SQLite " + os.environ["DATABASE_URL"]
        return
    import psycopg

    name = f"hrms_bench_{os.getpid()}"
    parts = urlsplit(url)
    server = urlunsplit(
        parts._replace(path="/" + (parts.path.strip("/") or "postgres"))
    )
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + name))
    try:
        yield f"PostgreSQL {parts.hostname}:{parts.port or 5432}/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        if not keep:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Reference data ---------------------------------------------------------------------


def seed() -> dict[str, list[str]]:
    """Units, procedures, officers and holidays; officer codes by unit code."""
    from appraisals.models import Procedure
    from hrms.models import Holiday
    from positions.models import OrgUnit
    from staff.models import Employee

    root = OrgUnit.objects.add_root(
        {"code": "P01", "name": "UBND tỉnh Mẫu", "kind": "agency"}
    )
    units = []
    for i in range(1, UNITS + 1):
        root.refresh_from_db()
        units.append(
            OrgUnit.objects.add_child(
                root,
                {
                    "code": f"000.00.{i:02d}.{PROVINCE}",
                    "name": f"Bộ phận một cửa {i:02d}",
                    "kind": "service_center" if i == 1 else "commune",
                },
            )
        )
    Procedure.objects.bulk_create(
        Procedure(
            code=f"1.{i:06d}",
            name=f"Thủ tục hành chính {i}",
            processing_days=PROCESSING_DAYS[i % 8],
        )
        for i in range(1, PROCEDURES + 1)
    )
    officers: dict[str, list[str]] = {}
    rows = []
    for unit in units:
        codes = [f"CB{unit.code[7:9]}{j:03d}" for j in range(1, OFFICERS_PER_UNIT + 1)]
        officers[unit.code] = codes
        rows += [
            Employee(
                employee_code=code,
                full_name=f"Cán bộ {code}",
                date_of_birth=dt.date(1990, 1, 1),
                gender="F",
                staff_type="cong_chuc",
                unit=unit,
                joined_on=dt.date(2015, 1, 1),
            )
            for code in codes
        ]
    Employee.objects.bulk_create(rows, batch_size=1000)
    Holiday.objects.bulk_create(Holiday(date=d, name="Nghỉ lễ") for d in HOLIDAYS)
    return officers


# Files -------------------------------------------------------------------------------

DOSSIER_HEADER = [
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
]
STEP_HEADER = [
    "dossier_code",
    "seq",
    "name",
    "officer",
    "started_at",
    "due_at",
    "finished_at",
]


def write_files(workdir, n, sample, seed, officers) -> dict[str, Path]:
    started = time.perf_counter()
    files = {
        "dossiers": workdir / "dossiers.csv",
        "steps": workdir / "dossier_steps.csv",
        "sample_dossiers": workdir / "sample_dossiers.csv",
        "sample_steps": workdir / "sample_dossier_steps.csv",
    }
    _write(files["dossiers"], files["steps"], n, random.Random(seed), officers, "")
    _write(
        files["sample_dossiers"],
        files["sample_steps"],
        sample,
        random.Random(seed + 1),
        officers,
        "S",
    )
    print(
        f"files: {n:,} dossiers + {3 * n:,} steps, sample {sample:,} + {sample:,} "
        f"steps, written in {time.perf_counter() - started:.1f} s"
    )
    return files


def _write(dossier_path, step_path, n, rng, officers, prefix) -> None:
    working_days = [
        FIRST_DAY + dt.timedelta(days=i)
        for i in range(DAYS)
        if (FIRST_DAY + dt.timedelta(days=i)).weekday() < 5
        and FIRST_DAY + dt.timedelta(days=i) not in HOLIDAYS
    ]
    unit_codes = sorted(officers)
    counters: dict[tuple[str, dt.date], int] = {}
    hour = dt.timedelta(hours=1)
    with (
        dossier_path.open("w", newline="", encoding="utf-8") as dossier_file,
        step_path.open("w", newline="", encoding="utf-8") as step_file,
    ):
        dossiers = csv.writer(dossier_file)
        steps = csv.writer(step_file)
        dossiers.writerow(DOSSIER_HEADER)
        steps.writerow(STEP_HEADER)
        # The sample keeps one step per dossier: as many step rows as dossiers.
        step_count = 1 if prefix else 3
        for _ in range(n):
            unit = rng.choice(unit_codes)
            day = rng.choice(working_days)
            seq = counters[unit, day] = counters.get((unit, day), 0) + 1
            code = f"{prefix}{unit}-{day:%y%m%d}-{seq:04d}"
            received = dt.datetime.combine(day, dt.time(7, 30)) + dt.timedelta(
                minutes=rng.randrange(0, 9 * 60)
            )
            procedure = rng.randrange(1, PROCEDURES + 1)
            due = _add_working_days(day, PROCESSING_DAYS[procedure % 8])
            due_at = dt.datetime.combine(due, dt.time(17))
            late = rng.random() < 0.08
            open_ = rng.random() < 0.05
            returned = None
            if not open_:
                returned = (
                    due_at + dt.timedelta(hours=rng.randrange(1, 72))
                    if late
                    else received + (due_at - received) * rng.uniform(0.2, 1.0)
                )
            counter = rng.choice(officers[unit])
            apology = rescheduled = ""
            if late and rng.random() < 0.6:
                issued = due_at - dt.timedelta(hours=rng.randrange(2, 60))
                apology = _iso(max(issued, received + hour))
                rescheduled = _iso(due_at + dt.timedelta(days=rng.randrange(2, 6)))
            rating = ""
            if returned and rng.random() < 0.6:
                rating = rng.choice(
                    ("very_satisfied", "satisfied", "satisfied", "unsatisfied")
                )
            dossiers.writerow(
                [
                    code,
                    f"1.{procedure:06d}",
                    unit,
                    _iso(received),
                    _iso(due_at) if rng.random() < 0.3 else "",
                    _iso(returned) if returned else "",
                    "returned" if returned else "processing",
                    "online" if rng.random() < 0.4 else "direct",
                    counter,
                    apology,
                    rescheduled,
                    rating,
                ]
            )
            end = returned or due_at
            span = (end - received) / 3
            handler = rng.choice(officers[unit])
            marks = [received, received + span, received + 2 * span, end]
            window = due_at - received
            plan = [
                ("receive", counter, received + window * 0.1),
                ("process", handler, received + window * 0.85),
                ("return", counter, due_at),
            ]
            for i, (name, officer, step_due) in enumerate(plan[:step_count]):
                finished = marks[i + 1]
                if open_ and i == 2:
                    finished = None
                # A step's due time is set when it starts: never before.
                step_due = max(step_due, marks[i] + hour)
                steps.writerow(
                    [
                        code,
                        i + 1,
                        name,
                        officer,
                        _iso(marks[i]),
                        _iso(step_due),
                        _iso(finished) if finished else "",
                    ]
                )


def _iso(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def _add_working_days(day: dt.date, n: int) -> dt.date:
    while n:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in HOLIDAYS:
            n -= 1
    return day


# Measure ------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def python_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend, when it runs here."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(files: dict[str, Path], n: int, sample: int) -> int:
    from django.db import connection
    from django.test import override_settings

    from appraisals.ingest import stream_import
    from appraisals.models import Dossier, DossierStep
    from hrms.importing import run_import

    def timed(label, call, rows):
        py0, pg0 = python_cpu(), server_cpu()
        started = time.perf_counter()
        report = call()
        seconds = time.perf_counter() - started
        py, pg = python_cpu() - py0, server_cpu()
        if report.exit_code:
            print(f"{label}: exit {report.exit_code} {report.error}")
            for rejection in report.rejected[:5]:
                print(f"  line {rejection.line}: {rejection.reason}")
            raise SystemExit(1)
        print(
            f"{label:<34} {rows:>10,} rows {seconds:8.2f} s "
            f"{rows / seconds:>10,.0f} rows/s   peak RSS {peak_rss_mb():,.0f} MB"
        )
        cpu = f"CPU: Python {py:.1f} s"
        if pg is not None and pg0 is not None:
            cpu += f", PostgreSQL backend {pg - pg0:.1f} s"
        print(f"    {cpu}; load average {load_average()}")
        if getattr(report, "timings", None):
            print(
                "    " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items())
            )
        return seconds

    print(
        f"vendor: {connection.vendor}, {os.cpu_count()} CPUs, load average "
        f"{load_average()}, before import peak RSS {peak_rss_mb():,.0f} MB"
    )
    fast_d = timed(
        "fast path: dossiers",
        lambda: stream_import("dossiers", files["dossiers"]),
        n,
    )
    fast_s = timed(
        "fast path: dossier_steps",
        lambda: stream_import("dossier_steps", files["steps"]),
        3 * n,
    )
    fast_peak = peak_rss_mb()
    assert Dossier.objects.count() == n
    assert DossierStep.objects.count() == 3 * n
    with override_settings(IMPORT_FAST_PATH_MIN_ROWS=10**9):
        slow_d = timed(
            "import-export row by row: dossiers",
            lambda: run_import("dossiers", files["sample_dossiers"]),
            sample,
        )
        slow_s = timed(
            "import-export row by row: steps",
            lambda: run_import("dossier_steps", files["sample_steps"]),
            sample,
        )
    fast_rate = 4 * n / (fast_d + fast_s)
    slow_rate = 2 * sample / (slow_d + slow_s)
    ratio = fast_rate / slow_rate
    total = fast_d + fast_s
    print(
        f"\nfast path: {4 * n:,} rows in {total:.1f} s = {fast_rate:,.0f} rows/s "
        f"(dossiers {n / fast_d:,.0f}/s, steps {3 * n / fast_s:,.0f}/s); "
        f"peak RSS {fast_peak:,.0f} MB"
    )
    print(
        f"import-export row by row: {slow_rate:,.0f} rows/s "
        f"(dossiers {sample / slow_d:,.0f}/s, steps {sample / slow_s:,.0f}/s)"
    )
    print(f"ratio: {ratio:,.1f}×")
    scaled = total * 1_000_000 / n
    if connection.vendor != "postgresql":
        print(
            f"({scaled:.1f} s per million dossiers; the budget is set for PostgreSQL)"
        )
        return 0
    verdict = (
        "within" if scaled <= 90 and fast_peak <= 1024 and ratio >= 20 else "OUTSIDE"
    )
    print(
        f"budget (1M + 3M rows ≤ 90 s, ≤ 1 GB, ≥ 20×): {verdict} "
        f"({scaled:.1f} s per million dossiers, {fast_peak:,.0f} MB, {ratio:.1f}×)"
    )
    return 0
