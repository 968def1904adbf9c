"""The base class of every import/export resource (DESIGN.md §4.2, §4.3).

A resource is a django-import-export `ModelResource` with a few house rules:

- `Meta.fields` lists the file's columns in order; export writes exactly these, so an
  export imports back unchanged. `Meta.import_id_fields` is the natural key (`code`),
  which makes re-importing a file an update, never a duplicate.
- `required_columns` must be present in the header (else exit 2) and non-blank in each
  row. Other columns are optional: absent, or blank, they leave the stored value alone
  (a new row gets the model default).
- Whole-file checks run before any row: `check_file()` (a key repeated inside the file,
  plus whatever a subclass adds, such as cycles) and `order_rows()` (e.g. parents
  before children). Row checks are import-export's: widget parse errors, then
  `clean_row()`, choices and `full_clean()`. Every failed check becomes an invalid row
  whose reason names the column. To write a row differently (a tree node, a service
  call), override import-export's `do_instance_save()`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError
from django.utils.translation import gettext
from import_export import resources
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult

from hrms.importing import widgets


@dataclass(frozen=True)
class FileRow:
    """One data row of the file as read: its line number and cells by column."""

    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column) or ""


class KeyInstanceLoader(ModelInstanceLoader):
    """Loads every stored row the file names in a few queries, by its key field.

    Unlike import-export's CachedInstanceLoader, an unreadable key (a bad date) is
    left for the row's own checks instead of failing the whole import. A key of
    several fields falls back to one query per row.
    """

    CHUNK = 5000  # below SQLite's limit on query parameters

    def __init__(self, resource, dataset=None) -> None:
        super().__init__(resource, dataset)
        names = resource.get_import_id_fields()
        self.instances: dict | None = None
        if len(names) != 1 or dataset is None:
            return
        self.key_field = field = resource.fields[names[0]]
        keys = set()
        for row in dataset.dict:
            try:
                keys.add(field.clean(row))
            except (ValueError, KeyError):
                continue
        keys = list(keys - {None, ""})
        self.instances = {}
        for start in range(0, len(keys), self.CHUNK):
            chunk = keys[start : start + self.CHUNK]
            queryset = self.get_queryset().filter(**{f"{field.attribute}__in": chunk})
            for instance in queryset:
                self.instances[field.get_value(instance)] = instance

    def get_instance(self, row):
        if self.instances is None:
            return super().get_instance(row)
        try:
            return self.instances.get(self.key_field.clean(row))
        except ValueError:
            return None


class ImportResource(resources.ModelResource):
    resource_name: ClassVar[str] = ""  # set by @register
    required_columns: ClassVar[tuple[str, ...]] = ()
    # Model fields full_clean() must not check (computed on save, e.g. tree paths).
    clean_exclude: ClassVar[tuple[str, ...]] = ()

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "DateField": widgets.DateWidget,
        "DateTimeField": widgets.DateTimeWidget,
        "DecimalField": widgets.DecimalWidget,
        **dict.fromkeys(
            (
                "IntegerField",
                "PositiveIntegerField",
                "BigIntegerField",
                "PositiveBigIntegerField",
                "PositiveSmallIntegerField",
                "SmallIntegerField",
            ),
            widgets.IntegerWidget,
        ),
    }

    class Meta:
        skip_diff = True  # no HTML diffs: the command reports counts and reasons
        instance_loader_class = KeyInstanceLoader
        clean_model_instances = True
        use_transactions = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.row_lines: list[int] = []
        self.file_rejections: dict[int, list[str]] = {}

    # Columns ---------------------------------------------------------------

    def columns(self) -> list[str]:
        return [field.column_name for field in self.get_import_fields()]

    def missing_columns(self, headers: list[str]) -> list[str]:
        needed = [*self.required_columns, *self.get_import_id_fields()]
        return [c for c in dict.fromkeys(needed) if c not in headers]

    # Whole-file checks (subclasses extend) ------------------------------------

    def check_file(self, rows: list[FileRow]) -> dict[int, list[str]]:
        """Reasons to reject rows found by looking at the whole file, by line."""
        key_fields = [self.fields[name] for name in self.get_import_id_fields()]
        lines_by_key: dict[tuple, list[int]] = defaultdict(list)
        for row in rows:
            try:
                key = tuple(field.clean(row.values) for field in key_fields)
            except (ValueError, KeyError):
                continue  # reported by the row's own checks
            if all(part not in (None, "") for part in key):
                lines_by_key[key].append(row.line)
        rejections: dict[int, list[str]] = defaultdict(list)
        for key, lines in lines_by_key.items():
            if len(lines) < 2:
                continue
            reason = gettext(
                "%(column)s “%(value)s” appears more than once in the file "
                "(lines %(lines)s)."
            ) % {
                "column": ", ".join(f.column_name for f in key_fields),
                "value": ", ".join(str(part) for part in key),
                "lines": ", ".join(str(line) for line in lines),
            }
            for line in lines:
                rejections[line].append(reason)
        return rejections

    def order_rows(self, rows: list[FileRow]) -> list[FileRow]:
        """The order to import rows in; the file's order by default."""
        return rows

    def clean_row(self, instance: Any, row: dict[str, str]) -> dict[str, str]:
        """Extra per-row checks after the cells are parsed: {column: reason}.

        Runs even when another cell failed, so a row lists all its problems.
        """
        return {}

    # Export ----------------------------------------------------------------

    def export_dataset(self) -> tablib.Dataset:
        dataset = self.export()
        dataset.title = self.resource_name or "data"
        return dataset

    # Rejection reasons -----------------------------------------------------

    def line_of(self, row_number: int) -> int:
        """The file line of import-export's 1-based row number."""
        return self.row_lines[row_number - 1]

    def rejection_reason(self, error: ValidationError) -> str:
        if not hasattr(error, "error_dict"):
            return "; ".join(error.messages)
        columns = self._columns_by_key()
        parts = []
        for key, errors in error.error_dict.items():
            for message in ValidationError(errors).messages:
                if key == NON_FIELD_ERRORS:
                    parts.append(message)
                else:
                    parts.append(f"{columns.get(key, key)}: {message}")
        return "; ".join(parts)

    def _key_attributes(self) -> list[str]:
        names = self.get_import_id_fields()
        return [self.fields[name].attribute for name in names if name in self.fields]

    def _columns_by_key(self) -> dict[str, str]:
        columns = {}
        for name, field in self.fields.items():
            columns[name] = field.column_name
            if field.attribute:
                columns[field.attribute] = field.column_name
                columns[field.attribute.split("__")[0].removesuffix("_id")] = (
                    field.column_name
                )
        return columns

    # import-export hooks ---------------------------------------------------

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        lines = list(kwargs.get("lines") or range(2, len(dataset) + 2))
        rows = [
            FileRow(line, dict(zip(dataset.headers, values, strict=True)))
            for line, values in zip(lines, dataset, strict=True)
        ]
        rejections: dict[int, list[str]] = defaultdict(list)
        for line, reason in (kwargs.get("row_errors") or {}).items():
            rejections[line].append(reason)
        for line, reasons in self.check_file(rows).items():
            rejections[line].extend(reasons)
        self.file_rejections = dict(rejections)
        ordered = self.order_rows(rows)
        if [row.line for row in ordered] != lines:
            headers = dataset.headers
            dataset.wipe()
            dataset.headers = headers
            for row in ordered:
                dataset.append([row.values[column] for column in headers])
        self.row_lines = [row.line for row in ordered]

    def before_import_row(self, row, row_number=None, **kwargs) -> None:
        reasons = self.file_rejections.get(self.line_of(row_number))
        if reasons:
            raise ValidationError(reasons)

    def get_instance(self, instance_loader, row):
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # an unreadable key: the row's field check reports it

    def import_field(self, field, instance, row, is_m2m=False, **kwargs) -> None:
        # An optional cell left blank keeps what is stored.
        if (
            not instance._state.adding
            and field.column_name not in self.required_columns
            and row.get(field.column_name) in ("", None)
        ):
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs) -> None:
        errors: dict[str, list] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for column in self.required_columns:
            if row.get(column) in ("", None):
                errors[column] = [ValidationError(gettext("This value is required."))]
        errors.update(
            (key, [ValidationError(message)])
            for key, message in self._choice_errors(instance, errors).items()
        )
        for key, message in self.clean_row(instance, row).items():
            errors.setdefault(key, []).append(ValidationError(message))
        if errors:
            raise ValidationError(errors)

    def _choice_errors(self, instance, errors) -> dict[str, str]:
        found = {}
        model_fields = {f.name: f for f in self._meta.model._meta.concrete_fields}
        for field in self.get_import_fields():
            model_field = model_fields.get(field.attribute or "")
            if not model_field or not model_field.choices or field.attribute in errors:
                continue
            value = getattr(instance, field.attribute)
            allowed = [str(choice) for choice, _label in model_field.flatchoices]
            if value not in ("", None) and str(value) not in allowed:
                found[field.attribute] = gettext(
                    "“%(value)s” is not one of: %(choices)s."
                ) % {"value": value, "choices": ", ".join(allowed)}
        return found

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ) -> None:
        errors = dict(import_validation_errors or {})
        exclude = [*errors, *self.clean_exclude]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if validate_unique and not errors:
            # The key is unique by construction (rows are looked up by it and a
            # key repeated in the file is rejected): skip its query.
            try:
                instance.validate_unique(exclude=[*exclude, *self._key_attributes()])
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_row(self, row, instance_loader, **kwargs) -> RowResult:
        progress, number = kwargs.get("progress"), kwargs.get("row_number") or 0
        if progress and number % 100 == 0:
            progress(number, None)
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.errors and isinstance(row_result.errors[0].error, DatabaseError):
            # A constraint the checks above missed: reject the row, do not abort.
            error = row_result.errors[0].error
            row_result.errors = []
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = ValidationError(
                gettext("The database refused this row: %(error)s")
                % {"error": str(error).strip()}
            )
        return row_result
