import sys
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext

from appraisals.ingest import CHUNK_SIZE, stream_import
from hrms.importing import write_rejects
from hrms.jobs.progress import count_rows, terminal_progress
from hrms.management.commands import import_data


class Command(import_data.Command):
    help = (
        "import_data for files of any size: the same resources, options, output and "
        "exit codes, but the file is read a chunk at a time (constant memory) and "
        "dossiers and dossier_steps take the fast path whatever their size."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=CHUNK_SIZE,
            help="Rows checked and written at a time (default %(default)s).",
        )

    def handle(self, *args, **options) -> None:
        rejects = options["rejects"]
        if options["keep_valid"] and not rejects:
            raise CommandError("--keep-valid needs --rejects OUT.csv", returncode=2)
        if rejects and Path(rejects).suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("--rejects must end in .csv or .xlsx", returncode=2)

        bar = terminal_progress(self.stdout, desc=options["resource"])
        with bar as progress:
            if progress and Path(options["file"]).is_file():
                progress(0, count_rows(options["file"]))
            report = stream_import(
                options["resource"],
                options["file"],
                dry_run=options["dry_run"],
                keep_valid=options["keep_valid"],
                chunk_size=options["chunk_size"],
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
            sys.exit(report.exit_code)
