"""CSV/XLSX import and export on django-import-export (DESIGN.md §4.2, §4.3).

To add a resource, subclass ImportResource in `<app>/resources.py` and decorate it with
`@register("name")`; the app's AppConfig.ready() imports that module.
"""

from hrms.importing.files import ImportFileError, escape_formula, read_table
from hrms.importing.registry import get_resource, register, resource_names
from hrms.importing.resources import FileRow, ImportResource
from hrms.importing.service import (
    ImportReport,
    Rejection,
    export_bytes,
    run_export,
    run_import,
    write_rejects,
)

__all__ = [
    "FileRow",
    "ImportFileError",
    "ImportReport",
    "ImportResource",
    "Rejection",
    "escape_formula",
    "export_bytes",
    "get_resource",
    "read_table",
    "register",
    "resource_names",
    "run_export",
    "run_import",
    "write_rejects",
]
