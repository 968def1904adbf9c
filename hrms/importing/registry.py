"""Resources by name: `import_data units …` finds the class registered as "units".

Each app registers its resources in `<app>/resources.py`, which its AppConfig.ready()
imports.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from hrms.importing.resources import ImportResource

R = TypeVar("R", bound="type[ImportResource]")

_resources: dict[str, type[ImportResource]] = {}


class UnknownResource(LookupError):
    pass


def register(name: str) -> Callable[[R], R]:
    """Class decorator: make the resource available to import_data/export_data."""

    def decorator(cls: R) -> R:
        if _resources.get(name, cls) is not cls:
            raise ImproperlyConfigured(f"Import resource {name!r} is registered twice.")
        cls.resource_name = name
        _resources[name] = cls
        return cls

    return decorator


def get_resource(name: str) -> type[ImportResource]:
    try:
        return _resources[name]
    except KeyError:
        raise UnknownResource(name) from None


def resource_names() -> list[str]:
    return sorted(_resources)
