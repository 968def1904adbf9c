from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hrms.backup import BackupError, Summary, backup_database


def write_summary(stdout, summary: Summary, verbosity: int) -> None:
    """The figures of a backup file or of a restored database, one per line."""
    # Key/value lines for scripts, untranslated like verify_ledger's.
    stdout.write(f"tables: {summary.tables}")
    stdout.write(f"rows: {summary.total_rows}")
    stdout.write(f"ledger entries: {summary.ledger_entries}")
    stdout.write(f"file size: {summary.size} bytes")
    stdout.write(f"sha256: {summary.sha256}")
    if verbosity > 1:
        for table, rows in summary.rows.items():
            stdout.write(f"  {table}: {rows}")


class Command(BaseCommand):
    help = (
        "Back up the whole database to a file: pg_dump's custom format on "
        "PostgreSQL, an SQLite database file on SQLite. Prints the tables, rows, "
        "ledger entries, file size and SHA-256 of the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="The backup file to write.")

    def handle(self, *args, **options):
        try:
            summary = backup_database(options["out"])
        except BackupError as exc:
            raise CommandError(
                gettext("Backup failed: %(error)s") % {"error": exc}
            ) from exc
        self.stdout.write(f"backup written: {summary.path}")
        write_summary(self.stdout, summary, options["verbosity"])
