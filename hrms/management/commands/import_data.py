import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hrms.importing import resource_names, run_import, write_rejects
from hrms.jobs.progress import terminal_progress


class Command(BaseCommand):
    help = (
        "Import a .csv or .xlsx file into a resource, keyed by code (re-importing "
        "updates). Exit 0: every row imported; 1: rows rejected, nothing written "
        "unless --keep-valid; 2: unreadable file, unknown resource or missing column. "
        "The last line is 'imported=N rejected=M'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("resource", help="One of: " + ", ".join(resource_names()))
        parser.add_argument(
            "file",
            help="A .csv (UTF-8, or Vietnamese Windows-1258) or .xlsx file, at most "
            "IMPORT_MAX_BYTES.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--keep-valid",
            action="store_true",
            help="Write the valid rows even when others are rejected.",
        )
        parser.add_argument(
            "--rejects",
            metavar="OUT.csv",
            help="Write rejected rows here (.csv or .xlsx): line, reason, then the "
            "original columns.",
        )

    def handle(self, *args, **options) -> None:
        rejects = options["rejects"]
        if options["keep_valid"] and not rejects:
            raise CommandError("--keep-valid needs --rejects OUT.csv", returncode=2)
        if rejects and Path(rejects).suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("--rejects must end in .csv or .xlsx", returncode=2)

        with terminal_progress(self.stdout, desc=options["resource"]) as progress:
            report = run_import(
                options["resource"],
                options["file"],
                dry_run=options["dry_run"],
                keep_valid=options["keep_valid"],
                progress=progress,
            )
        if report.error:
            self.stderr.write(report.error)
        for rejection in report.rejected:
            self.stdout.write(f"line {rejection.line}: {rejection.reason}")
        if report.ignored_columns:
            self.stdout.write(
                gettext("Ignored column(s): %(columns)s.")
                % {"columns": ", ".join(report.ignored_columns)}
            )
        if rejects and not report.error:
            write_rejects(report, rejects)
        if report.dry_run:
            self.stdout.write(gettext("Dry run: nothing was written."))
        elif report.rejected and not report.imported and report.valid:
            self.stdout.write(
                gettext(
                    "Nothing was written: %(valid)d valid row(s) held back. Fix the "
                    "rejected rows, or use --keep-valid."
                )
                % {"valid": report.valid}
            )
        self.stdout.write(report.summary)
        if report.exit_code:
            # sys.exit rather than CommandError, so call_command callers see the code.
            sys.exit(report.exit_code)
