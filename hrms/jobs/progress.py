"""Progress on a terminal (tqdm) for the commands that run what jobs run."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

Progress = Callable[[int, int | None], None]


@contextmanager
def terminal_progress(
    stdout, *, desc: str, unit: str = "rows", total: int | None = None
) -> Iterator[Progress | None]:
    """A progress bar on stderr while the block runs, when the command's stdout
    is a terminal; yields `progress(done, total)`, or None when there is no bar
    (output captured or piped: nothing changes)."""
    isatty = getattr(stdout, "isatty", None)
    if not (isatty and isatty()):
        yield None
        return
    bar = tqdm(desc=desc, unit=unit, total=total, file=sys.stderr, dynamic_ncols=True)

    def progress(done: int, new_total: int | None = None) -> None:
        if new_total is not None and new_total != bar.total:
            bar.total = new_total
        if done > bar.n:
            bar.update(done - bar.n)

    try:
        yield progress
    finally:
        bar.close()


def count_rows(path: str | Path) -> int:
    """About how many data rows a file has, cheaply (for a progress bar); 0 when
    it cannot tell (the import reports why the file is unreadable)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".xlsx":
            import openpyxl

            book = openpyxl.load_workbook(path, read_only=True)
            try:
                return max((book.worksheets[0].max_row or 1) - 1, 0)
            finally:
                book.close()
        lines, last = 0, b"\n"
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                lines += block.count(b"\n")
                last = block[-1:]
        return max(lines + (last != b"\n") - 1, 0)
    except Exception:  # noqa: BLE001 (openpyxl and zipfile raise many kinds)
        return 0
