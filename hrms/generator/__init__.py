"""A generated province at any size (DESIGN.md §5's design point: 100,000 staff,
2,000 units, millions of dossiers), deterministic for a seed.

    plan = Province.build(staff=100_000, dossiers=5_000_000, seed=2026, max_steps=…)
    write_files(plan, "out/")           # the import contract's files (§4.3)
    load_province(plan, ctx)            # straight into the database, fast paths

`province` decides every row in plain Python (no database); `files` writes them in
the columns of the import contract; `load` writes them with bulk inserts (PostgreSQL
COPY) and imports the dossiers and steps through the one-stop-shop fast path
(appraisals.ingest), the same checks as `import_data`. `seed_demo` uses the volume
path above SMALL_DEMO_MAX_STAFF people or with --volume.
"""

from hrms.generator.files import write_files
from hrms.generator.load import load_province
from hrms.generator.province import Province

__all__ = ["Province", "load_province", "write_files"]
