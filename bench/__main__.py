"""`python -m bench [suite|dossiers|load] …`: see bench/suite.py (the default: every
budget line of DESIGN.md §5 in one table), bench/dossiers.py (the dossier import
alone) and bench/loadtest.py (gunicorn under a locust load)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCHMARKS = ("suite", "dossiers", "load")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    argv = list(sys.argv[1:] if argv is None else argv)
    name = argv.pop(0) if argv and argv[0] in BENCHMARKS else "suite"
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {name}", description=__doc__
    )
    if name == "dossiers":
        from bench import dossiers as module
    elif name == "load":
        from bench import loadtest as module
    else:
        from bench import suite as module
    module.add_arguments(parser)
    return module.run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
