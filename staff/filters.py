"""The filters of the staff list: search and narrowing, all done in SQL."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hrms import policy
from hrms.search import Folded, fold
from positions.models import Grade, OrgUnit
from staff.models import Employee
from staff.permissions import NATIONAL_ID_READERS


class EmployeeFilter(django_filters.FilterSet):
    """Expects a queryset annotated by `with_current_grade()`; pass `request`."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Code, name or citizen ID"),
                "type": "search",
                "class": "form-control",
            }
        ),
    )
    # A code typed in, never a <select> of every unit: a province has thousands.
    unit = django_filters.CharFilter(
        method="in_unit_subtree",
        label=_("Unit code"),
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. P01-SNV"), "class": "form-control"}
        ),
    )
    grade = django_filters.ModelChoiceFilter(
        queryset=Grade.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        method="with_grade",
        label=_("Grade"),
        empty_label=_("All grades"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    staff_type = django_filters.ChoiceFilter(
        choices=Employee.StaffType.choices,
        label=_("Staff type"),
        empty_label=_("All staff types"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = django_filters.ChoiceFilter(
        choices=Employee.Status.choices,
        label=_("Status"),
        empty_label=_("All statuses"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Employee
        fields = ["q", "unit", "grade", "staff_type", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Names are matched as people type them: any case, with or without marks.
        queryset = queryset.alias(folded_name=Folded("full_name"))
        condition = Q(employee_code__icontains=value) | Q(
            folded_name__contains=fold(value)
        )
        # Searching by citizen ID would reveal IDs that a role sees masked.
        user = getattr(self.request, "user", None)
        id_scope = policy.unit_q(user, roles=NATIONAL_ID_READERS, unit_field="unit")
        condition |= Q(national_id__icontains=value) & id_scope
        return queryset.filter(condition)

    def in_unit_subtree(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        units = OrgUnit.objects.filter(code__iexact=value)
        path = units.values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=path)

    def with_grade(self, queryset, name, value):
        return queryset.filter(current_grade_id=value.pk) if value else queryset
