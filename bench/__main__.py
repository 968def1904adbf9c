"""`python -m bench [dossiers] [--dossiers N] [--sample N] [--seed S] [--keep]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCHMARKS = ("dossiers",)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("benchmark", nargs="?", default="dossiers", choices=BENCHMARKS)
    from bench import dossiers

    dossiers.add_arguments(parser)
    args = parser.parse_args(argv)
    return dossiers.run(args)


if __name__ == "__main__":
    sys.exit(main())
