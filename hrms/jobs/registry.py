"""The kinds of job, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from hrms.models import Job

# Modules whose import registers kinds; loaded on the first look-up.
KIND_MODULES = ["hrms.jobs.kinds"]

_kinds: dict[str, JobKind] = {}
_loaded = False


class JobRejected(Exception):
    """The job cannot do what it was asked (bad input): it fails, no retry."""


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    run: Callable[[Job], None]
    # Run the work and the job's final state in one transaction.
    atomic: bool = False


def job_kind(name: str, *, label, atomic: bool = False):
    """Decorator: register `run(job)` as the job kind `name`."""

    def decorator(run: Callable[[Job], None]) -> Callable[[Job], None]:
        if name in _kinds and _kinds[name].run is not run:
            raise ImproperlyConfigured(f"Job kind {name!r} is registered twice.")
        _kinds[name] = JobKind(name, label, run, atomic)
        return run

    return decorator


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in KIND_MODULES:
            import_module(module)
        _loaded = True


def get_kind(name: str) -> JobKind:
    _load()
    try:
        return _kinds[name]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown job kind {name!r}.") from None


def all_kinds() -> dict[str, JobKind]:
    _load()
    return dict(_kinds)
