"""Whole-database backup and restore (`manage.py backup` / `manage.py restore`).

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists` in one
transaction, with the connection arguments of the Django database. The row counts
of a backup are read in the very snapshot pg_dump dumps (`pg_export_snapshot`), so
they are what the file holds even while the application keeps writing.

SQLite: the online backup API of the sqlite3 module, from the live database to a
file and, to restore, from the file into the live database. It copies pages under
SQLite's own locks, so a backup is consistent while the application runs.

A restore replaces the ledger with the backup's and then recomputes its chain.
The append-only trigger (hrms migration 0002) refuses UPDATE, DELETE and TRUNCATE,
not DROP TABLE, which is what `pg_restore --clean` does; the trigger and its
function come back with the schema, before no row of the ledger is touched again.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction

from hrms.ledger import VerifyResult, verify_chain
from hrms.models import LedgerEntry

PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Connection keys of Django's OPTIONS that libpq also reads from the environment.
# `options` (e.g. `-c name=value`) is left out on purpose: a restore must run under
# the server's defaults, not under a session setting meant for the application.
_PG_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


@dataclass(frozen=True)
class Summary:
    """What a backup file holds, or what the database holds after a restore."""

    path: Path
    size: int
    sha256: str
    rows: dict[str, int]  # table name -> row count
    ledger: VerifyResult | None = None  # after a restore only

    @property
    def tables(self) -> int:
        return len(self.rows)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def ledger_entries(self) -> int:
        return self.rows.get(LedgerEntry._meta.db_table, 0)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _summary(path: Path, rows: dict[str, int], ledger=None) -> Summary:
    return Summary(path, path.stat().st_size, file_sha256(path), rows, ledger)


def _count_rows(cursor, tables, quote) -> dict[str, int]:
    rows = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        rows[table] = cursor.fetchone()[0]
    return rows


def live_row_counts(using: str = "default") -> dict[str, int]:
    """Rows per table of the live database, every table (not only Django's)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return _count_rows(cursor, tables, connection.ops.quote_name)


def backup_database(path: Path, *, using: str = "default") -> Summary:
    """Write the whole database to `path` (replaced only once complete)."""
    connection = connections[using]
    path = Path(path)
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    try:
        if connection.vendor == "postgresql":
            rows = _pg_backup(connection, partial)
        elif connection.vendor == "sqlite":
            rows = _sqlite_backup(connection, partial)
        else:
            raise BackupError(f"no backup method for {connection.vendor}")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return _summary(path, rows)


def restore_database(path: Path, *, using: str = "default") -> Summary:
    """Replace the whole database with a backup's content, then verify the ledger.

    Returns the live database's row counts after the restore and the result of
    recomputing the ledger's chain.
    """
    connection = connections[using]
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    if connection.in_atomic_block:
        raise BackupError("a restore cannot run inside a transaction")
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if connection.vendor == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{path} is not a pg_dump custom-format file")
        _pg_restore(connection, path)
    elif connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{path} is not an SQLite database")
        _sqlite_restore(connection, path)
    else:
        raise BackupError(f"no restore method for {connection.vendor}")
    ContentType.objects.clear_cache()  # ids may differ in the restored database
    return _summary(path, live_row_counts(using), verify_chain())


# SQLite ---------------------------------------------------------------------------


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    return [
        name
        for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_backup(connection, target: Path) -> dict[str, int]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        # Count in the copy itself: that is what the file holds.
        return _count_rows(copy.cursor(), _sqlite_tables(copy), _sqlite_quote)
    finally:
        copy.close()


def _sqlite_restore(connection, source_path: Path) -> None:
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{source_path} is damaged: {check}")
        if "django_migrations" not in _sqlite_tables(source):
            raise BackupError(f"{source_path} is not a backup of this application")
        # Drop this process's other connections; an in-memory database ignores it
        # (closing would destroy it), and the copy goes through the one kept open.
        connections.close_all()
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()


# PostgreSQL -----------------------------------------------------------------------


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in _PG_OPTION_ENV.items():
        if options.get(key):
            env[var] = str(options[key])
    env.pop("PGOPTIONS", None)
    return env


def _pg_tool(name: str, connection) -> str:
    """The client binary, refused when older than the server (pg_dump would fail)."""
    binary = shutil.which(name)
    if binary is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client tools "
            "(Debian: postgresql-client)"
        )
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    client = int(match.group(1)) if match else 0
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if client < server:
        raise BackupError(
            f"{name} is version {client} but the server is {server}: "
            f"install the PostgreSQL {server} client"
        )
    return binary


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        raise BackupError(f"{Path(argv[0]).name} failed: {message}")


def _pg_backup(connection, target: Path) -> dict[str, int]:
    if connection.in_atomic_block:
        raise BackupError("a backup cannot run inside a transaction")
    pg_dump = _pg_tool("pg_dump", connection)
    env = _pg_env(connection.settings_dict)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = connection.introspection.table_names(cursor)
        rows = _count_rows(cursor, tables, connection.ops.quote_name)
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={connection.settings_dict['NAME']}",
            ],
            env,
        )
    return rows


def _pg_restore(connection, source: Path) -> None:
    pg_restore = _pg_tool("pg_restore", connection)
    env = _pg_env(connection.settings_dict)
    name = connection.settings_dict["NAME"]
    # This process's connections would hold locks the DROPs wait for.
    connections.close_all()
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--single-transaction",  # all or nothing; implies --exit-on-error
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={name}",
            str(source),
        ],
        env,
    )
