"""Read endpoints for job positions (DESIGN.md §4.4): GET /api/v1/positions/ and
/api/v1/positions/<code>/, scoped like the position pages (hrms.policy), with the
seats filled today."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from hrms import policy
from positions.models import JobPosition, OrgUnit
from positions.permissions import POSITION_READERS, can_view_positions


class PositionSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    grade = serializers.SlugRelatedField(slug_field="code", read_only=True)
    filled = serializers.IntegerField(read_only=True)
    vacant = serializers.IntegerField(read_only=True)
    over_quota = serializers.IntegerField(read_only=True)

    class Meta:
        model = JobPosition
        fields = [
            "code",
            "title",
            "unit",
            "unit_name",
            "group",
            "grade",
            "headcount",
            "filled",
            "vacant",
            "over_quota",
            "is_active",
        ]
        read_only_fields = fields


class PositionApiFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(
        method="in_unit_subtree", label="Unit code (with its sub-units)"
    )
    grade = django_filters.CharFilter(field_name="grade__code", label="Grade code")

    class Meta:
        model = JobPosition
        fields = ["unit", "group", "grade", "is_active"]

    def in_unit_subtree(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = policy.scope(
            self.request.user,
            OrgUnit.objects.filter(code=value.strip()),
            roles=POSITION_READERS,
            unit_field="",
        ).first()
        if unit is None:
            return queryset.none()
        return queryset.in_subtree(unit)


class PositionViewSet(viewsets.ReadOnlyModelViewSet):
    """Job positions of the units in the caller's scope."""

    serializer_class = PositionSerializer
    filterset_class = PositionApiFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def _positions(self):
        return (
            JobPosition.objects.select_related("unit", "grade")
            .with_fill()
            .order_by("unit__path", "code")
        )

    def get_queryset(self):
        return policy.scope(
            self.request.user, self._positions(), roles=POSITION_READERS
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not can_view_positions(request.user):
            raise PermissionDenied
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        position = policy.get_in_scope_or_404(
            request, self._positions(), roles=POSITION_READERS, code=kwargs["code"]
        )
        return Response(self.get_serializer(position).data)


router = SimpleRouter()
router.register("positions", PositionViewSet, basename="position")
urlpatterns = router.urls
