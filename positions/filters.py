"""Search and filter forms of the position lists (django-filter).

The unit filter takes a code and keeps the whole subtree below it; grades are a
small reference table, so they are a `<select>`; units never are.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hrms import policy
from hrms.search import Folded, fold
from positions.models import Grade, JobPosition, OrgUnit
from positions.permissions import POSITION_READERS


class VacancyFilter(django_filters.FilterSet):
    """Search by code or title, unit subtree, group and grade."""

    q = django_filters.CharFilter(method="filter_q", label=_("Code or title"))
    unit = django_filters.CharFilter(
        method="filter_unit", label=_("Unit code (with its sub-units)")
    )
    group = django_filters.ChoiceFilter(
        label=_("Group"), choices=JobPosition.Group.choices, empty_label=_("All groups")
    )
    grade = django_filters.ModelChoiceFilter(
        label=_("Grade"),
        queryset=Grade.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("All grades"),
    )

    class Meta:
        model = JobPosition
        fields = ["q", "unit", "group", "grade"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.unknown_unit = ""
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else None
            field.widget.attrs.setdefault("class", css or "form-control")
        self.form.fields["q"].widget.input_type = "search"
        self.form.fields["unit"].widget.attrs["list"] = "unit-codes"

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        queryset = queryset.alias(folded_title=Folded("title"))
        return queryset.filter(
            Q(code__icontains=value) | Q(folded_title__contains=fold(value))
        )

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        code = value.strip()
        if not code:
            return queryset
        unit = policy.scope(
            self.request.user,
            OrgUnit.objects.filter(code=code),
            roles=POSITION_READERS,
            unit_field="",
        ).first()
        if unit is None:
            self.unknown_unit = code
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)


class PositionFilter(VacancyFilter):
    """The vacancy filters plus the status: closed positions are listed too."""

    is_active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("1", _("Active")), ("0", _("Closed"))],
        empty_label=_("All"),
        method="filter_active",
    )

    class Meta:
        model = JobPosition
        fields = ["q", "unit", "group", "grade", "is_active"]

    def filter_active(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_active=value == "1")
