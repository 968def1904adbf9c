"""Import/export resources of the core app (DESIGN.md §4.3)."""

from hrms.importing import ImportResource, register
from hrms.models import Holiday


@register("holidays")
class HolidayResource(ImportResource):
    """Public holidays and compensatory days off: date, name, keyed by date."""

    required_columns = ("date", "name")

    class Meta:
        model = Holiday
        fields = ("date", "name")
        import_id_fields = ("date",)

    def get_queryset(self):
        return Holiday.objects.order_by("date")
