import csv
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from hrms.importing import escape_formula
from positions.models import OrgUnit
from staff.models import Employee
from staff.selectors import raise_due

COLUMNS = [
    "employee_code",
    "full_name",
    "unit_code",
    "grade_code",
    "step",
    "next_step",
    "kind",
    "step_since",
    "due_on",
    "extension_months",
    "allowance_percent",
    "reasons",
]


def _reasons_text(row) -> str:
    return " | ".join(str(reason) for reason in row.reasons)


def _record(row) -> dict:
    return {
        "employee_code": row.employee_code,
        "full_name": row.full_name,
        "unit_code": row.unit_code,
        "grade_code": row.grade_code,
        "step": row.step,
        "next_step": row.next_step,
        "kind": row.kind,
        "step_since": row.step_since.isoformat(),
        "due_on": row.due_on.isoformat(),
        "extension_months": row.extension_months,
        "allowance_percent": row.allowance_percent if row.kind == "allowance" else None,
        "reasons": [
            {"code": r.code, "message": r.message, "citation": r.citation}
            for r in row.reasons
        ],
    }


class Command(BaseCommand):
    help = (
        "List the staff due a salary-step raise (or a seniority-allowance change) "
        "by a date, with the discipline and rating extensions applied and the "
        "reasons of each date."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--on", required=True, help="The date, YYYY-MM-DD: due on or before it."
        )
        parser.add_argument(
            "--format",
            choices=["text", "json", "csv"],
            default="text",
            help="Output format (default text).",
        )
        parser.add_argument(
            "--unit", help="Only the staff of this unit's subtree (a unit code)."
        )

    def handle(self, *args, **options):
        try:
            on = dt.date.fromisoformat(options["on"])
        except ValueError as exc:
            raise CommandError(
                f"--on must be YYYY-MM-DD, not {options['on']!r}"
            ) from exc
        employees = Employee.objects.all()
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"unknown unit {options['unit']!r}")
            employees = employees.in_subtree(unit)
        rows = raise_due(on, employees, due_only=True)
        # The output is a contract (DESIGN.md §4.2): field names stay English.
        if options["format"] == "json":
            self.stdout.write(
                json.dumps([_record(r) for r in rows], ensure_ascii=False, indent=2)
            )
        elif options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows:
                record = _record(row)
                record["reasons"] = _reasons_text(row)
                writer.writerow(
                    [
                        escape_formula("" if record[c] is None else record[c])
                        for c in COLUMNS
                    ]
                )
        else:
            for row in rows:
                if row.kind == "step":
                    change = f"step {row.step} -> {row.next_step}"
                else:
                    change = f"step {row.step}, allowance {row.allowance_percent}%"
                self.stdout.write(
                    f"{row.due_on.isoformat()}  {row.employee_code}  {row.full_name}"
                    f"  {row.unit_code}  {row.grade_code}  {change}"
                    f"  (+{row.extension_months} months)"
                )
                for reason in row.reasons:
                    self.stdout.write(f"    - {reason}")
            self.stdout.write(f"due={len(rows)}")
