import datetime as dt
import re
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appraisals.appraisal_services import compute_appraisals
from hrms.importing.parsing import parse_date
from hrms.jobs.progress import terminal_progress
from positions.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Compute the evidence, period scores and proposed levels of the appraisal "
        "cycle of an agency (--unit; its cycle is opened if missing) or of every "
        "cycle of the year: set-based, idempotent, decided appraisals untouched."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True, help="The rating year, YYYY.")
        parser.add_argument("--unit", help="The agency's unit code.")
        parser.add_argument(
            "--as-of",
            help="Count the products due by the end of this day (YYYY-MM-DD or "
            "dd/mm/yyyy); default: now, or the end of a past year.",
        )

    def handle(self, *args, **options) -> None:
        period = options["period"]
        if not re.fullmatch(r"\d{4}", period or ""):
            raise CommandError(f"--period must be a year (YYYY), not {period!r}.")
        year = int(period)
        unit = None
        if options["unit"]:
            unit = OrgUnit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"Unknown unit {options['unit']!r}.")
        as_of = None
        if options["as_of"]:
            try:
                day = parse_date(options["as_of"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            as_of = dt.datetime.combine(
                day + dt.timedelta(days=1),
                dt.time(),
                tzinfo=timezone.get_default_timezone(),
            ) - dt.timedelta(microseconds=1)
        started = time.perf_counter()
        with terminal_progress(self.stdout, desc=str(year), unit="stages") as progress:
            reports = compute_appraisals(
                year=year, unit=unit, as_of=as_of, progress=progress
            )
        if not reports:
            raise CommandError(f"No appraisal cycle for {year}: pass --unit CODE.")
        for report in reports:
            self.stdout.write(f"{report.cycle.unit.code} {year}: {report.summary}")
        self.stdout.write(f"done in {time.perf_counter() - started:.2f}s")
