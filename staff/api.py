"""Read endpoints for personnel files (DESIGN.md §4.4): GET /api/v1/staff/ and
/api/v1/staff/<employee_code>/, scoped like the staff pages (hrms.policy). Citizen
IDs are masked unless the caller is an HR officer or administrator of the
employee's unit (staff.permissions.national_id_for)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from hrms import policy
from positions.models import OrgUnit
from staff.models import Employee
from staff.permissions import STAFF_READERS, can_list_employees, national_id_for


class EmployeeSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    national_id = serializers.SerializerMethodField()

    class Meta:
        model = Employee
        fields = [
            "employee_code",
            "full_name",
            "date_of_birth",
            "gender",
            "national_id",
            "staff_type",
            "status",
            "unit",
            "unit_name",
            "joined_on",
        ]
        read_only_fields = fields

    def get_national_id(self, employee: Employee) -> str:
        """In full for HR officers and administrators of the unit, else masked."""
        return national_id_for(self.context["request"].user, employee)


class EmployeeApiFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(
        method="in_unit_subtree", label="Unit code (with its sub-units)"
    )

    class Meta:
        model = Employee
        fields = ["unit", "status", "staff_type"]

    def in_unit_subtree(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = policy.scope(
            self.request.user,
            OrgUnit.objects.filter(code=value.strip()),
            roles=STAFF_READERS,
            unit_field="",
        ).first()
        if unit is None:
            return queryset.none()
        return queryset.in_subtree(unit)


class EmployeeViewSet(viewsets.ReadOnlyModelViewSet):
    """Employees of the units in the caller's scope."""

    serializer_class = EmployeeSerializer
    filterset_class = EmployeeApiFilter
    lookup_field = "employee_code"
    lookup_value_regex = "[^/]+"

    def _employees(self):
        return Employee.objects.select_related("unit").order_by("employee_code")

    def get_queryset(self):
        return policy.scope(self.request.user, self._employees(), roles=STAFF_READERS)

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not can_list_employees(request.user):
            raise PermissionDenied
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        employee = policy.get_in_scope_or_404(
            request,
            self._employees(),
            roles=STAFF_READERS,
            employee_code=kwargs["employee_code"],
        )
        return Response(self.get_serializer(employee).data)


router = SimpleRouter()
router.register("staff", EmployeeViewSet, basename="employee")
urlpatterns = router.urls
