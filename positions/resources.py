"""Import/export resources of the positions app (DESIGN.md §4.3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext
from import_export.fields import Field
from treebeard.exceptions import InvalidMoveToDescendant

from hrms.importing import FileRow, ImportResource, register
from positions.models import OrgUnit


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
