"""Import/export resources of the appraisals app (DESIGN.md §4.3).

`procedures` is a plain resource. `dossiers` and `dossier_steps` run their row checks
through appraisals.ingest.checks, shared with the fast path, and switch to that
fast path by themselves for files of more than IMPORT_FAST_PATH_MIN_ROWS rows
(default 5,000): same checks, same reasons, same exit codes and counts, written by
COPY or batched inserts instead of one ORM save per row.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from import_export.fields import Field
from import_export.results import RowResult

from appraisals.ingest.checks import (
    DOSSIER_COLUMNS,
    DOSSIER_REQUIRED,
    STEP_COLUMNS,
    STEP_REQUIRED,
    Checked,
    Refs,
    check_dossier_rows,
    check_step_rows,
)
from appraisals.ingest.fastpath import fast_import
from appraisals.models import (
    ApologySlip,
    CitizenRating,
    Dossier,
    DossierStep,
    Procedure,
)
from hrms.importing import ImportResource, register
from hrms.importing.widgets import DateTimeWidget

DEFAULT_FAST_PATH_MIN_ROWS = 5000


def fast_path_min_rows() -> int:
    """Files with more rows than this take the fast path."""
    return getattr(settings, "IMPORT_FAST_PATH_MIN_ROWS", DEFAULT_FAST_PATH_MIN_ROWS)


@register("procedures")
class ProcedureResource(ImportResource):
    """The procedure catalogue: code, name, processing_days, keyed by code."""

    required_columns = ("code", "name", "processing_days")

    class Meta:
        model = Procedure
        fields = ("code", "name", "processing_days")
        import_id_fields = ("code",)

    def get_queryset(self):
        return Procedure.objects.order_by("code")


class CheckedRowsResource(ImportResource):
    """A resource whose rows are judged by a shared batch check, and which hands
    large files to the fast path."""

    refs_for_steps: ClassVar[bool] = False

    def check_rows(self, rows, refs: Refs) -> list[Checked]:
        raise NotImplementedError

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        if len(dataset) <= fast_path_min_rows():
            return super().import_data(
                dataset,
                dry_run=dry_run,
                raise_errors=raise_errors,
                use_transactions=use_transactions,
                collect_failed_rows=collect_failed_rows,
                rollback_on_validation_errors=rollback_on_validation_errors,
                **kwargs,
            )
        return self.fast_import_data(
            dataset,
            dry_run=dry_run,
            keep_valid=not rollback_on_validation_errors,
            lines=kwargs.get("lines"),
            row_errors=kwargs.get("row_errors"),
            progress=kwargs.get("progress"),
        )

    def fast_import_data(
        self,
        dataset,
        *,
        dry_run: bool,
        keep_valid: bool,
        lines=None,
        row_errors=None,
        progress=None,
    ):
        """The fast path over an in-memory dataset, answered as an import-export
        Result, so run_import reports it exactly as the row-by-row path."""
        lines = list(lines or range(2, len(dataset) + 2))
        row_errors = row_errors or {}
        self.row_lines = lines
        rows = [list(values) for values in dataset]
        outcome = fast_import(
            self,
            list(dataset.headers),
            (
                (line, cells, row_errors.get(line))
                for line, cells in zip(lines, rows, strict=True)
            ),
            dry_run=dry_run,
            keep_valid=keep_valid,
            using=self.get_db_connection_name(),
            reread=lambda wanted: {
                line: cells
                for line, cells in zip(lines, rows, strict=True)
                if line in wanted
            },
            progress=progress,
        )
        result = self.get_result_class()()
        result.total_rows = len(dataset)
        number = {line: i for i, line in enumerate(lines, start=1)}
        for line, reason, _cells in outcome.rejections:
            result.append_invalid_row(number[line], {}, ValidationError(reason))
        merged = outcome.created + outcome.updated == outcome.valid
        result.totals[RowResult.IMPORT_TYPE_NEW] = (
            outcome.created if merged else outcome.valid
        )
        result.totals[RowResult.IMPORT_TYPE_UPDATE] = outcome.updated if merged else 0
        result.totals[RowResult.IMPORT_TYPE_INVALID] = len(outcome.rejections)
        return result

    # The row-by-row path ------------------------------------------------------

    def before_import(self, dataset, **kwargs) -> None:
        super().before_import(dataset, **kwargs)
        refs = Refs.load(using=self.get_db_connection_name(), steps=self.refs_for_steps)
        rows = [
            (line, dict(zip(dataset.headers, values, strict=True)))
            for line, values in zip(self.row_lines, dataset, strict=True)
        ]
        self.checked = {
            checked.line: checked for checked in self.check_rows(rows, refs)
        }

    def import_instance(self, instance, row, **kwargs) -> None:
        checked = self.checked[self.line_of(kwargs["row_number"])]
        if checked.errors:
            errors: dict[str, list[ValidationError]] = {}
            for column, message in checked.errors:
                errors.setdefault(column, []).append(ValidationError(message))
            raise ValidationError(errors)
        self.apply_values(instance, checked.values)

    def apply_values(self, instance, values: dict[str, Any]) -> None:
        # A blank optional cell (None) keeps the stored value, or the default.
        for attr, value in values.items():
            if value is not None and attr in self.model_attrs:
                setattr(instance, attr, value)

    def validate_instance(
        self, instance, import_validation_errors=None, validate_unique=True
    ) -> None:
        # The shared check has spoken: model validation would only repeat it
        # in other words (a missing procedure as "This field cannot be null").
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, None, validate_unique)


@register("dossiers")
class DossierResource(CheckedRowsResource):
    """Dossiers as the one-stop-shop system logs them, keyed by code.

    Columns: code, procedure_code, unit_code, received_at, [due_at], [returned_at],
    [status], [channel], [receiving_officer], [apology_issued_at],
    [rescheduled_due_at], [rating]. A blank due_at is computed from the procedure
    over the holiday calendar; apology_issued_at records the apology slip (with
    rescheduled_due_at as its new date), rating the citizen's rating.
    """

    procedure_code = Field(attribute="procedure__code", column_name="procedure_code")
    unit_code = Field(attribute="unit__code", column_name="unit_code")
    receiving_officer = Field(
        attribute="receiving_officer__employee_code", column_name="receiving_officer"
    )
    apology_issued_at = Field(column_name="apology_issued_at", widget=DateTimeWidget())
    rating = Field(column_name="rating")

    required_columns = DOSSIER_REQUIRED
    model_attrs = frozenset(
        {
            "code",
            "procedure_id",
            "unit_id",
            "channel",
            "received_at",
            "due_at",
            "returned_at",
            "status",
            "receiving_officer_id",
            "rescheduled_due_at",
        }
    )

    class Meta:
        model = Dossier
        fields = DOSSIER_COLUMNS
        import_id_fields = ("code",)

    def get_queryset(self):
        return Dossier.objects.select_related(
            "procedure", "unit", "receiving_officer", "apology_slip", "rating"
        ).order_by("received_at", "code")

    def check_rows(self, rows, refs):
        return check_dossier_rows(rows, refs)

    def apply_values(self, instance, values):
        super().apply_values(instance, values)
        instance._import_slip = (
            values["apology_issued_at"],
            values["rescheduled_due_at"],
            values["slip_is_late"],
        )
        instance._import_rating = values["rating"]

    def do_instance_save(self, instance: Dossier, is_create: bool) -> None:
        instance.save()
        issued_at, new_due_at, is_late = instance._import_slip
        if issued_at is not None:
            ApologySlip.objects.update_or_create(
                dossier=instance,
                defaults={
                    "issued_at": issued_at,
                    "previous_due_at": instance.due_at,
                    "new_due_at": new_due_at,
                    "is_issued_late": is_late,
                },
            )
        if instance._import_rating:
            CitizenRating.objects.update_or_create(
                dossier=instance, defaults={"level": instance._import_rating}
            )

    def dehydrate_apology_issued_at(self, dossier: Dossier) -> str:
        slip = getattr(dossier, "apology_slip", None) if dossier.pk else None
        return self.fields["apology_issued_at"].widget.render(
            slip.issued_at if slip else None
        )

    def dehydrate_rating(self, dossier: Dossier) -> str:
        rating = getattr(dossier, "rating", None) if dossier.pk else None
        return rating.level if rating else ""


@register("dossier_steps")
class DossierStepResource(CheckedRowsResource):
    """Steps of dossiers (control slip, form 05), keyed by dossier_code and seq.

    Columns: dossier_code, seq, name, officer, started_at, due_at, [finished_at].
    The dossier must be stored already; the officer must be active on the day the
    step started; the step's unit is the officer's unit.
    """

    dossier_code = Field(attribute="dossier__code", column_name="dossier_code")
    officer = Field(attribute="officer__employee_code", column_name="officer")

    required_columns = STEP_REQUIRED
    refs_for_steps = True
    model_attrs = frozenset(
        {
            "dossier_id",
            "seq",
            "name",
            "officer_id",
            "unit_id",
            "started_at",
            "due_at",
            "finished_at",
        }
    )

    class Meta:
        model = DossierStep
        fields = STEP_COLUMNS
        import_id_fields = ("dossier_code", "seq")

    def get_queryset(self):
        return DossierStep.objects.select_related("dossier", "officer").order_by(
            "dossier__received_at", "dossier__code", "seq"
        )

    def check_rows(self, rows, refs):
        return check_step_rows(rows, refs)
