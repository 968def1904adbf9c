import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hrms.backup import BackupError, restore_database
from hrms.management.commands.backup import write_summary


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by `backup`, then verify "
        "the audit ledger. Needs --yes. Exit 0 when restored with the ledger "
        "intact, 1 when the restore failed or the ledger is broken, 2 without --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A file written by `backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Confirm that every row in the database may be replaced.",
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            # No prompt: a restore run by a script or a tired person must say so.
            raise CommandError(
                gettext(
                    "A restore replaces every row in the database with the "
                    "backup's. Run again with --yes to go ahead."
                ),
                returncode=2,
            )
        try:
            summary = restore_database(options["file"])
        except BackupError as exc:
            raise CommandError(
                gettext("Restore failed: %(error)s") % {"error": exc}
            ) from exc
        self.stdout.write(f"restored from: {summary.path}")
        write_summary(self.stdout, summary, options["verbosity"])
        result = summary.ledger
        if not result.ok:
            self.stderr.write(
                f"ledger broken at entry #{result.broken_seq}: {result.reason}"
            )
            sys.exit(1)
        self.stdout.write(f"ledger intact: {result.count} entries")
