import importlib
import random
from dataclasses import dataclass, field

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

# Each app may ship a `demo.py` with `seed(ctx)`; they run in dependency order so
# later apps find the units and staff of earlier ones. hrms's own part (the demo
# logins) runs right after positions, since grants need units.
SEED_ORDER = ["positions", "hrms", "staff", "recruitment", "appraisals"]
# Above this many staff (or with --volume) the province is generated in bulk by
# hrms.generator; the small demo keeps going through the services.
SMALL_DEMO_MAX_STAFF = 1000


@dataclass
class DemoContext:
    rng: random.Random
    staff: int
    dossiers: int
    seed: int
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)
    write: object = print  # the command's stdout.write


class Command(BaseCommand):
    help = (
        "Create a realistic Vietnamese demo province (units, users per role, staff, "
        "dossiers…). Deterministic for a seed and safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=300)
        parser.add_argument("--dossiers", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--volume",
            action="store_true",
            help="Generate the province through the bulk fast paths (automatic "
            f"above {SMALL_DEMO_MAX_STAFF} staff): hrms.generator.",
        )
        parser.add_argument(
            "--write-files",
            metavar="DIR",
            help="Also write the generated province as the import contract's files "
            "(units, positions, staff, holidays, procedures, tasks, dossiers, "
            "dossier_steps) into DIR; implies --volume.",
        )
        parser.add_argument("--file-format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="With --write-files: write the files, leave the database alone.",
        )
        parser.add_argument(
            "--tasks-per-person", type=int, default=10, help="Volume path only."
        )
        parser.add_argument(
            "--checksum",
            action="store_true",
            help="Print the SHA-256 of every generated code (volume path; printed "
            "anyway up to 200,000 dossiers).",
        )

    def handle(self, *args, staff, dossiers, seed, **options):
        if options["volume"] or options["write_files"] or staff > SMALL_DEMO_MAX_STAFF:
            return self._volume(staff, dossiers, seed, options)
        ctx = DemoContext(
            rng=random.Random(seed),
            staff=staff,
            dossiers=dossiers,
            seed=seed,
            write=self.stdout.write,
        )
        with transaction.atomic():
            for label in SEED_ORDER:
                module = _demo_module(label)
                if module is not None:
                    module.seed(ctx)
        self.stdout.write("")
        self.stdout.write("Demo logins (username / password → role @ unit):")
        for username, password, role, unit in ctx.logins:
            self.stdout.write(f"  {username:<12} / {password:<18} → {role} @ {unit}")

    def _volume(self, staff, dossiers, seed, options) -> None:
        from hrms import demo as hrms_demo
        from hrms.generator import Province, load_province, write_files
        from hrms.generator.load import max_steps

        plan = Province.build(
            staff=staff,
            dossiers=dossiers,
            seed=seed,
            max_steps=max_steps(),
            tasks_per_person=options["tasks_per_person"],
        )
        write = self.stdout.write
        if options["write_files"]:
            paths = write_files(
                plan, options["write_files"], fmt=options["file_format"]
            )
            write(f"files: {', '.join(str(p) for p in paths.values())}")
            if options["files_only"]:
                return
        ctx = DemoContext(
            rng=random.Random(seed),
            staff=staff,
            dossiers=dossiers,
            seed=seed,
            write=write,
        )

        def logins(units):
            ctx.units = units
            hrms_demo.seed(ctx)
            from staff.demo import _link_demo_users

            _link_demo_users()

        files_dir = options["write_files"] if options["file_format"] == "csv" else None
        load_province(plan, write=write, files_dir=files_dir, logins=logins)
        from appraisals.demo import _link_counter_user

        _link_counter_user()
        if options["checksum"] or dossiers <= 200_000:
            write(f"checksum: {plan.checksum()}")
        write("")
        write("Demo logins (username / password → role @ unit):")
        for username, password, role, unit in ctx.logins:
            write(f"  {username:<12} / {password:<18} → {role} @ {unit}")


def _demo_module(label: str):
    app = apps.get_app_config(label)
    try:
        return importlib.import_module(f"{app.name}.demo")
    except ModuleNotFoundError as exc:
        if exc.name == f"{app.name}.demo":
            return None
        raise
