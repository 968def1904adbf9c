"""Shapes of the dossier API (DESIGN.md §4.4).

The read serializers give a dossier as the one-stop-shop system logs it, with its
steps (control slip, form 05). The push serializers only describe the request
body for the OpenAPI schema: the items are checked by the import's own checks
(appraisals.ingest.checks), so that a pushed dossier gets the same verdict, and
the same reasons, as the same row in an import file. Field names are the import
columns of DESIGN.md §4.3; date-times are ISO 8601 or `dd/mm/yyyy HH:MM`, local
time Asia/Ho_Chi_Minh when no offset is given.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appraisals.models import Dossier, DossierStep


class DossierStepSerializer(serializers.ModelSerializer):
    officer = serializers.SlugRelatedField(slug_field="employee_code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_overrun = serializers.BooleanField(read_only=True)

    class Meta:
        model = DossierStep
        fields = [
            "seq",
            "name",
            "officer",
            "unit",
            "started_at",
            "due_at",
            "finished_at",
            "is_overrun",
        ]
        read_only_fields = fields


class ApologySlipSummarySerializer(serializers.Serializer):
    issued_at = serializers.DateTimeField()
    previous_due_at = serializers.DateTimeField()
    new_due_at = serializers.DateTimeField()
    is_issued_late = serializers.BooleanField()


class DossierSerializer(serializers.ModelSerializer):
    procedure = serializers.SlugRelatedField(slug_field="code", read_only=True)
    procedure_name = serializers.CharField(source="procedure.name", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    receiving_officer = serializers.SlugRelatedField(
        slug_field="employee_code", read_only=True
    )
    is_late = serializers.SerializerMethodField()
    apology_slip = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    steps = DossierStepSerializer(many=True, read_only=True)

    class Meta:
        model = Dossier
        fields = [
            "code",
            "procedure",
            "procedure_name",
            "unit",
            "channel",
            "received_at",
            "due_at",
            "returned_at",
            "status",
            "receiving_officer",
            "rescheduled_due_at",
            "is_late",
            "apology_slip",
            "rating",
            "steps",
        ]
        read_only_fields = fields

    def get_is_late(self, dossier: Dossier) -> bool:
        """Returned after the due time, or still open past it (now)."""
        if dossier.status == Dossier.Status.WITHDRAWN:
            return False
        if dossier.returned_at is not None:
            return dossier.returned_at > dossier.due_at
        as_of = self.context.get("as_of") or timezone.now()
        return dossier.due_at < as_of

    @extend_schema_field(ApologySlipSummarySerializer(allow_null=True))
    def get_apology_slip(self, dossier: Dossier):
        slip = getattr(dossier, "apology_slip", None)
        if slip is None:
            return None
        return ApologySlipSummarySerializer(slip).data

    @extend_schema_field(
        serializers.ChoiceField(
            choices=["very_satisfied", "satisfied", "unsatisfied"], allow_null=True
        )
    )
    def get_rating(self, dossier: Dossier):
        rating = getattr(dossier, "rating", None)
        return rating.level if rating is not None else None


# Push (request body, documentation only) ------------------------------------------


def _text(help_text: str, *, required: bool = False) -> serializers.CharField:
    return serializers.CharField(
        required=required,
        allow_blank=not required,
        allow_null=not required,
        help_text=help_text,
    )


class DossierStepPushSerializer(serializers.Serializer):
    seq = serializers.IntegerField(min_value=1, help_text="Step number, 1, 2, …")
    name = serializers.ChoiceField(choices=DossierStep.Name.values)
    officer = _text("Employee code of the officer holding the step.", required=True)
    started_at = _text("Start, date-time.", required=True)
    due_at = _text("The step's own due time, date-time.", required=True)
    finished_at = _text("Finish, date-time; blank while open.")


class DossierPushSerializer(serializers.Serializer):
    code = _text("The dossier code, the key of the upsert.", required=True)
    procedure_code = _text("Code of a procedure of the catalogue.", required=True)
    unit_code = _text("The receiving unit; must be in your scope.", required=True)
    received_at = _text("Receipt, date-time.", required=True)
    due_at = _text(
        "Due time; blank: computed from the procedure's working days "
        "over the holiday calendar."
    )
    returned_at = _text("Result returned, date-time.")
    status = serializers.ChoiceField(
        choices=Dossier.Status.values, required=False, allow_null=True
    )
    channel = serializers.ChoiceField(
        choices=Dossier.Channel.values, required=False, allow_null=True
    )
    receiving_officer = _text("Employee code of the receiving officer.")
    apology_issued_at = _text("Apology slip (form 04) issued at, date-time.")
    rescheduled_due_at = _text(
        "The slip's new return date; required with apology_issued_at."
    )
    rating = serializers.ChoiceField(
        choices=["very_satisfied", "satisfied", "unsatisfied"],
        required=False,
        allow_null=True,
    )
    steps = DossierStepPushSerializer(
        many=True,
        required=False,
        help_text="Upserted by seq; stored steps not sent are kept.",
    )


class ItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the batch.")
    code = serializers.CharField()
    result = serializers.ChoiceField(choices=["created", "updated"])


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the batch.")
    code = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Reasons by field: `unit_code`, `steps[0].officer`, "
        "`non_field_errors`…",
    )


class BatchResultSerializer(serializers.Serializer):
    atomic = serializers.BooleanField()
    received = serializers.IntegerField()
    written = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = ItemResultSerializer(many=True)
    errors = ItemErrorSerializer(many=True)
