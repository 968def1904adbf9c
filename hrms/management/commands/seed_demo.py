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

    def handle(self, *args, staff, dossiers, seed, **options):
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


def _demo_module(label: str):
    app = apps.get_app_config(label)
    try:
        return importlib.import_module(f"{app.name}.demo")
    except ModuleNotFoundError as exc:
        if exc.name == f"{app.name}.demo":
            return None
        raise
