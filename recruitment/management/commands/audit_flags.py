import csv
import json

from django.core.management.base import BaseCommand, CommandError

from hrms.importing import escape_formula
from positions.models import OrgUnit
from recruitment.flags import all_flags

COLUMNS = (
    "code",
    "object_type",
    "object_id",
    "object_label",
    "message",
    "citation",
    "unit_code",
    "on",
)


class Command(BaseCommand):
    help = (
        "List every red flag (code, object, message, citation) of recruitment, "
        "hires and appointments, optionally within a unit's subtree."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="Only this unit's subtree (unit code).")
        parser.add_argument("--format", choices=["text", "json", "csv"], default="text")

    def handle(self, *args, **options):
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"unknown unit {options['unit']}")
        flags = [flag.as_dict() for flag in all_flags(unit=unit)]
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(json.dumps(flags, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            writer = csv.DictWriter(
                self.stdout, fieldnames=COLUMNS, lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(
                {key: escape_formula(value) for key, value in flag.items()}
                for flag in flags
            )
        else:
            for flag in flags:
                self.stdout.write(
                    f"{flag['code']}\t{flag['object_type']}:{flag['object_id']}\t"
                    f"{flag['object_label']}\t{flag['message']} ({flag['citation']})"
                )
            self.stdout.write(f"{len(flags)} flags")
