import sys

from django.core.management.base import BaseCommand

from hrms.importing import ImportFileError, resource_names, run_export


class Command(BaseCommand):
    help = (
        "Export a resource to a .csv (UTF-8) or .xlsx file, in the columns import_data "
        "reads; cells a spreadsheet would run as formulas get a leading apostrophe."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("resource", help="One of: " + ", ".join(resource_names()))
        parser.add_argument("file", help="Where to write: a .csv or .xlsx path.")

    def handle(self, *args, **options) -> None:
        try:
            count = run_export(options["resource"], options["file"])
        except ImportFileError as exc:
            self.stderr.write(exc.message)
            sys.exit(2)
        self.stdout.write(f"exported={count}")
