"""Read endpoints for appraisals (DESIGN.md §4.4), under /api/v1/:

    GET /api/v1/appraisals/        appraisals in the caller's scope; filters
                                   year, unit (code, with its sub-units),
                                   status, level (the current level), employee
    GET /api/v1/appraisals/<id>/   one appraisal with its explanation: every
                                   part of the score with its reason and
                                   citation (the snapshot frozen at the decision
                                   once decided); an inspector's read is logged

Scoped like the web: administrators, HR officers, unit leaders and inspectors
read the appraisals of the units they are granted on; everyone reads their own.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from appraisals.appraisal_selectors import explain_appraisal
from appraisals.models import Appraisal
from hrms import policy
from hrms.models import Role
from positions.models import OrgUnit

APPRAISAL_READERS = frozenset({Role.ADMIN, Role.HR, Role.MANAGER, Role.INSPECTOR})


def readable_appraisals(user, queryset: QuerySet) -> QuerySet:
    """Appraisals of the units the user reads, and the user's own."""
    return queryset.filter(
        policy.unit_q(user, roles=APPRAISAL_READERS, unit_field="unit")
        | Q(employee__user_id=user.pk)
    )


class AppraisalSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="cycle.year", read_only=True)
    employee_code = serializers.CharField(
        source="employee.employee_code", read_only=True
    )
    full_name = serializers.CharField(source="employee.full_name", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    current_level = serializers.CharField(read_only=True)
    # Blank until computed, proposed or decided. Declared because DRF drops
    # allow_blank from read-only model fields, and the schema then left "" out.
    computed_level = serializers.ChoiceField(
        Appraisal.Level.choices, allow_blank=True, read_only=True
    )
    proposed_level = serializers.ChoiceField(
        Appraisal.Level.choices, allow_blank=True, read_only=True
    )
    decided_level = serializers.ChoiceField(
        Appraisal.Level.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Appraisal
        fields = [
            "id",
            "year",
            "employee_code",
            "full_name",
            "unit",
            "regime",
            "rule_version",
            "is_leader",
            "eligibility",
            "status",
            "computed_score",
            "computed_level",
            "proposed_score",
            "proposed_level",
            "decided_score",
            "decided_level",
            "decided_on",
            "current_level",
            "snapshot_hash",
        ]
        read_only_fields = fields


class AppraisalDetailSerializer(AppraisalSerializer):
    explanation = serializers.SerializerMethodField()

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "explanation"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_explanation(self, appraisal: Appraisal) -> dict:
        return explain_appraisal(appraisal)


class AppraisalApiFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="cycle__year")
    unit = django_filters.CharFilter(
        method="in_unit_subtree", label="Unit code (with its sub-units)"
    )
    level = django_filters.ChoiceFilter(
        choices=Appraisal.Level.choices, method="at_level", label="Current level"
    )
    employee = django_filters.CharFilter(field_name="employee__employee_code")

    class Meta:
        model = Appraisal
        fields = ["year", "unit", "status", "level", "employee"]

    def in_unit_subtree(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = OrgUnit.objects.filter(code=value.strip()).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def at_level(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        decided = Q(status__in=Appraisal.DECIDED_STATUSES)
        proposed = ~decided & ~Q(proposed_level="")
        computed = ~decided & Q(proposed_level="")
        return queryset.filter(
            (decided & Q(decided_level=value))
            | (proposed & Q(proposed_level=value))
            | (computed & Q(computed_level=value))
        )


class AppraisalViewSet(viewsets.ReadOnlyModelViewSet):
    """Appraisals in the caller's scope and the caller's own."""

    filterset_class = AppraisalApiFilter
    # Any segment reaches the view, so "/appraisals/0.5/" is DRF's JSON 404 (its
    # get_object_or_404 turns a bad id into one), not the site's HTML page.
    lookup_value_regex = "[^/]+"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AppraisalDetailSerializer
        return AppraisalSerializer

    def _appraisals(self) -> QuerySet:
        return Appraisal.objects.select_related("cycle", "employee", "unit").order_by(
            "-cycle__year", "unit__path", "employee__employee_code"
        )

    def get_queryset(self):
        return readable_appraisals(self.request.user, self._appraisals())

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        appraisal = self.get_object()
        policy.log_read(request, appraisal, appraisal.unit)
        return Response(self.get_serializer(appraisal).data)


router = SimpleRouter()
router.register("appraisals", AppraisalViewSet, basename="appraisal")
urlpatterns = router.urls
