"""Load test: the app under gunicorn, on a generated province, with locust.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        python -m bench load --staff 20000 --dossiers 200000 --users 20 --time 60

1. makes a database of its own (`hrms_bench_<pid>`, dropped at the end; a SQLite
   file without a PostgreSQL DATABASE_URL, which serialises writers but serves
   reads), migrates it and generates the province (`seed_demo --volume`), then
   computes its appraisal cycle so the cycle page has rows;
2. starts gunicorn (sync workers, DEBUG off) on a free local port;
3. runs locust headless (bench/locustfile.py): --users logged-in officers and
   the public, spawned at 10 a second, for --time seconds;
4. stops gunicorn and locust whatever happens (their process groups) and prints,
   per screen, requests, failures, median and 95th percentile, and requests/s.

Exit 0 when no request failed. Every step is bounded in time.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--staff", type=int, default=20_000)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--time", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the database")


def run(args: argparse.Namespace) -> int:
    from bench.dossiers import bench_database

    workdir = Path(tempfile.mkdtemp(prefix="hrms_load_"))
    python = sys.executable
    with bench_database(workdir, keep=args.keep) as label:
        env = dict(os.environ)
        env.update(
            DEBUG="False",
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_COOKIES="False",
            SECURE_SSL_REDIRECT="False",
        )
        print(f"database: {label}", flush=True)
        started = time.perf_counter()
        _manage(python, env, ["migrate", "-v0"], timeout=900)
        _manage(
            python,
            env,
            ["seed_demo", "--volume", "--staff", str(args.staff),
             "--dossiers", str(args.dossiers), "--seed", str(args.seed)],
            timeout=3600,
        )  # fmt: skip
        _manage(
            python,
            env,
            ["compute_appraisals", "--period", "2026", "--unit", "P01"],
            timeout=1800,
        )
        ids = _manage(
            python,
            env,
            ["shell", "-c",
             "from positions.models import OrgUnit;"
             "from appraisals.models import AppraisalCycle;"
             "print(OrgUnit.objects.get(code='P01').pk,"
             " AppraisalCycle.objects.get(unit__code='P01', year=2026).pk)"],
            timeout=120,
        ).split()[-2:]  # fmt: skip
        print(f"province ready in {time.perf_counter() - started:.0f} s", flush=True)
        env.update(LOAD_UNIT_PK=ids[0], LOAD_CYCLE_PK=ids[1])
        access_log = "-" if os.environ.get("LOAD_ACCESS_LOG") else "/dev/null"
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        gunicorn = subprocess.Popen(
            [
                str(Path(python).parent / "gunicorn"),
                "hrms.wsgi",
                "--bind", f"127.0.0.1:{port}",
                "--workers", str(args.workers),
                "--timeout", "60",
                "--preload",
                "--access-logfile", access_log,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,  # its own process group: stopped as a whole
        )  # fmt: skip
        locust = None
        try:
            _wait_for(port, gunicorn)
            _warm_up(host, env, rounds=2 * args.workers)
            prefix = workdir / "locust"
            locust = subprocess.Popen(
                [
                    str(Path(python).parent / "locust"),
                    "-f", str(ROOT / "bench" / "locustfile.py"),
                    "--headless",
                    "--users", str(args.users),
                    "--spawn-rate", "10",
                    "--run-time", f"{args.time}s",
                    "--stop-timeout", "10",
                    "--host", host,
                    "--csv", str(prefix),
                    "--only-summary",
                    "--loglevel", "WARNING",
                ],
                cwd=ROOT,
                env=env,
                start_new_session=True,
            )  # fmt: skip
            locust.wait(timeout=args.time + 120)
            rows = _read_stats(Path(f"{prefix}_stats.csv"))
        finally:
            for process in (locust, gunicorn):
                _stop(process)
        print()
        print(
            f"load: {args.users} users for {args.time} s against gunicorn "
            f"({args.workers} sync workers) on {label.split()[0]}, "
            f"{args.staff:,} staff, {args.dossiers:,} dossiers"
        )
        print(report(rows))
        failures = sum(int(r["Failure Count"]) for r in rows)
    import shutil

    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


def report(rows: list[dict]) -> str:
    out = [
        "| screen | requests | failures | median ms | p95 ms | req/s |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        out.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['Median Response Time']} | {row['95%']} | "
            f"{float(row['Requests/s']):.1f} |"
        )
    return "\n".join(out)


def _read_stats(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _manage(python: str, env: dict, command: list[str], *, timeout: int) -> str:
    result = subprocess.run(
        [python, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"manage.py {command[0]} failed ({result.returncode})")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    for line in lines[-12:]:
        print(f"  {line}", flush=True)
    return result.stdout


def _warm_up(host: str, env: dict, *, rounds: int) -> None:
    """Each screen a few times before the measured run, so every worker has its
    templates, translations and URL resolvers loaded (sequential requests land on
    the workers in turn)."""
    import http.cookiejar
    import re
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{host}/accounts/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    data = urllib.parse.urlencode(
        {
            "username": env.get("LOAD_USER", "admin"),
            "password": env.get("LOAD_PASSWORD", "demo-admin-2026"),
            "csrfmiddlewaretoken": token.group(1) if token else "",
        }
    ).encode()
    request = urllib.request.Request(
        f"{host}/accounts/login/", data, headers={"Referer": f"{host}/accounts/login/"}
    )
    opener.open(request, timeout=60).read()
    paths = [
        "/staff/",
        f"/org/units/{env['LOAD_UNIT_PK']}/",
        "/org/establishment/",
        "/one-stop/dossiers/",
        "/one-stop/indicators/",
        f"/appraisals/cycles/{env['LOAD_CYCLE_PK']}/",
        "/public/recruitment/",
    ]
    started = time.perf_counter()
    for _ in range(rounds):
        for path in paths:
            opener.open(host + path, timeout=120).read()
    print(f"warm-up: {rounds} rounds in {time.perf_counter() - started:.0f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start in time")


def _stop(process: subprocess.Popen | None) -> None:
    """SIGTERM the process group, SIGKILL it after 15 s."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
    except ProcessLookupError:
        pass
