"""Fuzz the API against its own OpenAPI schema with schemathesis (issue #9 item 7).

    .venv/bin/python -m tests.api_fuzz.fuzz_api [--max-examples N] [--seed S]

Builds a throw-away SQLite database with the demo data (`seed_demo --staff 30
--dossiers 100`, then `compute_appraisals` for this year), serves it with
`runserver` on a free port (DEBUG off, as in production), and runs `st run`
against /api/schema/ as an administrator and as an HR officer (token auth, side
by side), checking that no request gets a 5xx and that every status code,
content type and response body is one the schema documents. Exit 0 when both
runs pass. CI runs it as its own step (.ci/run), not as a pytest test: seeding
and serving a live server take a minute or two, more than the suite's budget
for one test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CHECKS = ",".join(
    [
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    ]
)
# Demo logins made by seed_demo (hrms/demo.py): whose eyes the API is seen through.
ROLES = ["admin", "hr"]
# (list path, path parameter of its detail endpoint, field of a list item)
DETAIL_ENDPOINTS = [
    ("/api/v1/staff/", "employee_code", "employee_code"),
    ("/api/v1/positions/", "code", "code"),
    ("/api/v1/dossiers/", "code", "code"),
    ("/api/v1/appraisals/", "id", "id"),
]


def say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not answer {url}")
        time.sleep(0.5)


def known_identifiers(base: str, token: str) -> str:
    """A schemathesis config that sends each detail endpoint an identifier the
    caller can read (the first of its list), so the 200 bodies are checked too;
    the other phases still send made-up ones, which must get a JSON 404."""
    sections = []
    for path, name, field in DETAIL_ENDPOINTS:
        request = urllib.request.Request(
            f"{base}{path}", headers={"Authorization": f"Token {token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                results = json.load(response).get("results") or []
        except urllib.error.HTTPError:
            results = []  # not this role's to list
        if results:
            sections.append(
                f'[[operations]]\ninclude-path = "{path}{{{name}}}/"\n'
                f"parameters = {{ {name} = {json.dumps(str(results[0][field]))} }}\n"
            )
    return "\n".join(sections)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--staff", type=int, default=30)
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument(
        "--report-dir", type=Path, help="Keep JUnit reports and the server log here."
    )
    options = parser.parse_args(argv)

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="hrms-fuzz-"))
    reports = options.report_dir or workdir
    reports.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",
        "PYTHONUNBUFFERED": "1",
    }
    server = None
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(
            env,
            "seed_demo",
            f"--staff={options.staff}",
            f"--dossiers={options.dossiers}",
        )
        # Appraisals too, so their list and detail bodies are checked.
        year = str(datetime.datetime.now(tz=datetime.UTC).year)
        manage(env, "compute_appraisals", f"--period={year}", "--unit=P01")
        tokens = {
            role: manage(env, "drf_create_token", role).split()[2] for role in ROLES
        }
        say(f"seeded in {time.monotonic() - started:.0f} s")

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = (reports / "server.log").open("w")
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        schema = f"{base}/api/schema/?format=json"
        wait_for(schema)

        runs = {}
        for role, token in tokens.items():
            config = workdir / f"schemathesis-{role}.toml"
            config.write_text(known_identifiers(base, token), encoding="utf-8")
            output = (reports / f"schemathesis-{role}.txt").open("w")
            command = [
                str(Path(PYTHON).with_name("st")),
                "--no-color",
                f"--config-file={config}",
                "run",
                schema,
                f"--checks={CHECKS}",
                f"--header=Authorization: Token {token}",
                "--header=Accept-Language: en",
                f"--max-examples={options.max_examples}",
                f"--seed={options.seed}",
                "--phases=examples,coverage,fuzzing",
                # One worker per run: CPython 3.11.7 can fail compiling regex
                # ASTs in parallel threads ("AST constructor recursion depth").
                "--workers=1",
                "--report=junit",
                f"--report-junit-path={reports / f'schemathesis-{role}.xml'}",
            ]
            # The two roles run side by side, each in its own process.
            runs[role] = (subprocess.Popen(command, cwd=workdir, stdout=output), output)
        failed = []
        for role, (run, output) in runs.items():
            code = run.wait(timeout=600)
            output.close()
            say(f"\n--- schemathesis as {role}: exit {code}")
            say((reports / f"schemathesis-{role}.txt").read_text(encoding="utf-8"))
            if code != 0:
                failed.append(role)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)

    say(f"\nAPI fuzzing took {time.monotonic() - started:.0f} s")
    if failed:
        say(f"schema violations found as: {', '.join(failed)}")
        return 1
    say("API fuzzing passed: every response conforms to /api/schema/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
