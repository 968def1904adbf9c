"""Import/export resources of the positions app (DESIGN.md §4.3)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import ForeignKeyWidget
from treebeard.exceptions import InvalidMoveToDescendant

from hrms.importing import FileRow, ImportResource, register
from positions import rules
from positions.models import Grade, JobPosition, OrgUnit
from positions.services import create_position, update_position


class CodeWidget(ForeignKeyWidget):
    """A reference by code (unit_code, grade_code …), found in rows loaded once.

    The resource calls `load()` in before_import, so a file of thousands of rows
    looks its references up in one query each instead of one per row. An unknown
    code is a ValueError, which import-export turns into the row's rejection.
    """

    def __init__(self, model, unknown: str, field: str = "code") -> None:
        super().__init__(model, field=field)
        self.unknown = unknown  # a message with %(code)s
        self.by_code: dict[str, Any] | None = None

    def load(self, objects: Iterable[Any]) -> None:
        self.by_code = {getattr(obj, self.field): obj for obj in objects}

    def clean(self, value, row=None, **kwargs):
        code = "" if value is None else str(value).strip()
        if not code:
            return None
        if self.by_code is None:
            self.load(self.model._default_manager.all())
        try:
            return self.by_code[code]
        except KeyError:
            raise ValueError(self.unknown % {"code": code}) from None


@register("units")
class UnitResource(ImportResource):
    """The unit tree: code, name, [parent_code], [kind], keyed by code.

    A parent_code may name a unit already stored or one further down the file: rows
    are imported in order of their final depth, so parents come first. A different
    parent_code moves an existing unit with its whole subtree; a blank one keeps it
    where it is (a new unit becomes a root). Rejected: a parent that exists neither in
    the database nor in the file, a parent whose own row was rejected, and any cycle,
    within the file or through stored units (moving a unit under its own descendant).
    """

    parent_code = Field(column_name="parent_code")
    required_columns = ("code", "name")
    clean_exclude = ("path", "depth", "numchild")

    class Meta:
        model = OrgUnit
        fields = ("code", "name", "parent_code", "kind")
        import_id_fields = ("code",)

    def get_queryset(self):
        return OrgUnit.objects.order_by("path")

    # Export ----------------------------------------------------------------

    def before_export(self, queryset, **kwargs) -> None:
        self._code_by_path = dict(OrgUnit.objects.values_list("path", "code"))

    def dehydrate_parent_code(self, unit: OrgUnit) -> str:
        return self._code_by_path.get(unit.path[: -unit.steplen], "")

    # Whole file ------------------------------------------------------------

    def check_file(self, rows: list[FileRow]) -> dict[int, list[str]]:
        rejections = super().check_file(rows)
        stored = self._stored_parent = _stored_parents()
        self._known_codes = set(stored)
        in_file = {row.get("code") for row in rows if row.get("code")}
        # Each unit's parent once the file is applied; rows already rejected
        # change nothing.
        final: dict[str, str | None] = dict(stored)
        for row in rows:
            code, parent = row.get("code"), row.get("parent_code")
            if not code or row.line in rejections:
                continue
            if parent and parent not in stored and parent not in in_file:
                rejections[row.line].append(
                    gettext(
                        "Unknown parent unit “%(code)s”: it is neither in the "
                        "database nor in the file."
                    )
                    % {"code": parent}
                )
            elif parent:
                final[code] = parent
            else:
                final.setdefault(code, None)
        for row in rows:
            code = row.get("code")
            if not code or row.line in rejections:
                continue
            cycle = _cycle_through(code, final)
            if cycle:
                rejections[row.line].append(
                    gettext("parent_code makes a cycle: %(cycle)s.")
                    % {"cycle": " → ".join(cycle)}
                )
        self._final_parent = final
        return rejections

    def order_rows(self, rows: list[FileRow]) -> list[FileRow]:
        # By final depth: every unit above a row that the file also moves or
        # creates is in place before the row itself, so each move is valid. Then
        # by code, the tree's sibling order, so new units append without
        # renumbering their siblings' paths.
        return sorted(
            rows,
            key=lambda row: (
                _depth(row.get("code"), self._final_parent),
                row.get("code"),
            ),
        )

    # Each row ----------------------------------------------------------------

    def clean_row(self, instance: OrgUnit, row: dict[str, str]) -> dict[str, str]:
        instance._import_parent_code = row.get("parent_code") or ""
        if (
            instance._import_parent_code
            and instance._import_parent_code not in self._known_codes
        ):
            # Known from the file, but its own row was rejected.
            return {
                "parent_code": gettext(
                    "The parent unit “%(code)s” was rejected, so this unit cannot "
                    "be placed under it."
                )
                % {"code": instance._import_parent_code}
            }
        return {}

    def do_instance_save(self, instance: OrgUnit, is_create: bool) -> None:
        parent_code = getattr(instance, "_import_parent_code", "")
        if is_create:
            # A savepoint: treebeard's raw updates are not rolled back by Django's
            # own error handling, and PostgreSQL refuses every later query after
            # an error.
            with transaction.atomic(using=self.get_db_connection_name()):
                if parent_code:
                    parent = OrgUnit.objects.get(code=parent_code)
                    OrgUnit.objects.add_child(parent, instance=instance)
                else:
                    OrgUnit.objects.add_root(instance=instance)
            self._known_codes.add(instance.code)
            return
        # The loaded path may be stale (an ancestor moved earlier in this file):
        # save only the row's own fields; treebeard re-reads the path to move.
        instance.save(update_fields=["name", "kind", "updated_at"])
        if parent_code and parent_code != self._stored_parent.get(instance.code):
            parent = OrgUnit.objects.get(code=parent_code)
            try:
                with transaction.atomic(using=self.get_db_connection_name()):
                    OrgUnit.objects.move(instance, parent, pos="sorted-child")
            except InvalidMoveToDescendant as exc:
                raise ValidationError(
                    {
                        "parent_code": gettext(
                            "A unit cannot move under its own descendant “%(code)s”."
                        )
                        % {"code": parent_code}
                    }
                ) from exc


@register("positions")
class PositionResource(ImportResource):
    """Job positions: code, unit_code, title, group, grade_code, headcount, keyed by
    code, plus the optional job description and approving decision columns.

    Rows are written through positions.services, so a new position and every
    headcount change go to the audit ledger; a re-imported row that changes
    nothing calls no service (no ledger entry, no version bump). Lowering a
    headcount below the people holding the position is allowed, as on the edit
    page: the establishment report then shows the position over quota.
    """

    unit_code = Field(
        attribute="unit",
        column_name="unit_code",
        widget=CodeWidget(OrgUnit, _("Unknown unit “%(code)s”.")),
    )
    grade_code = Field(
        attribute="grade",
        column_name="grade_code",
        widget=CodeWidget(Grade, _("Unknown grade “%(code)s”.")),
    )
    required_columns = (
        "code",
        "unit_code",
        "title",
        "group",
        "grade_code",
        "headcount",
    )
    # Checked by the code widgets; a blank code is reported once, as required.
    clean_exclude = ("unit", "grade")

    class Meta:
        model = JobPosition
        fields = (
            "code",
            "unit_code",
            "title",
            "group",
            "grade_code",
            "headcount",
            "job_description",
            "approval_decision_number",
            "approval_decided_on",
            "approval_signer",
        )
        import_id_fields = ("code",)

    # The model fields a row may change, as update_position() names them.
    service_fields = (
        "unit",
        "title",
        "group",
        "grade",
        "headcount",
        "job_description",
        "approval_decision_number",
        "approval_decided_on",
        "approval_signer",
    )

    def get_queryset(self):
        return JobPosition.objects.select_related("unit", "grade").order_by("code")

    def before_import(self, dataset, **kwargs) -> None:
        self.fields["unit_code"].widget.load(OrgUnit.objects.all())
        self.fields["grade_code"].widget.load(Grade.objects.all())
        super().before_import(dataset, **kwargs)

    def after_init_instance(self, instance, new, row, **kwargs) -> None:
        instance._import_stored = (
            None if new else _values(instance, self.service_fields)
        )

    def clean_row(self, instance: JobPosition, row: dict[str, str]) -> dict[str, str]:
        if instance.group != JobPosition.Group.SHARED_PROFESSIONAL:
            return {}
        group = rules.check_position_group(instance.group, instance.approval_decided_on)
        return {} if group else {"group": group.message}

    def do_instance_save(self, instance: JobPosition, is_create: bool) -> None:
        if is_create:
            saved = create_position(
                code=instance.code,
                **{name: getattr(instance, name) for name in self.service_fields},
            )
            instance.pk = saved.pk
            return
        stored, now = instance._import_stored, _values(instance, self.service_fields)
        changes = {
            name: getattr(instance, name)
            for name in self.service_fields
            if now[name] != stored[name]
        }
        if changes:
            update_position(instance, expected_version=instance.version, **changes)


def _values(instance, names: Iterable[str]) -> dict[str, Any]:
    """The stored form of some fields (a foreign key by its id), to compare."""
    meta = instance._meta
    return {name: getattr(instance, meta.get_field(name).attname) for name in names}


def _stored_parents() -> dict[str, str | None]:
    code_by_path = dict(OrgUnit.objects.values_list("path", "code"))
    return {
        code: code_by_path.get(path[: -OrgUnit.steplen])
        for path, code in code_by_path.items()
    }


def _cycle_through(code: str, parent_of: dict[str, str | None]) -> list[str] | None:
    """The chain code → … → code when following parents returns to code."""
    chain, seen = [code], {code}
    current = parent_of.get(code)
    while current is not None:
        if current == code:
            return [*chain, code]
        if current in seen:
            return None  # runs into a cycle that does not include code
        chain.append(current)
        seen.add(current)
        current = parent_of.get(current)
    return None


def _depth(code: str, parent_of: dict[str, str | None]) -> int:
    depth, seen = 0, set()
    while code and code not in seen:
        seen.add(code)
        code = parent_of.get(code)
        depth += 1
    return depth
