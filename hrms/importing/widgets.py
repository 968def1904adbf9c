"""import-export widgets that read and write the file formats of DESIGN.md §4.3."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext
from import_export import widgets

from hrms.importing.parsing import parse_date, parse_datetime

_INTEGER = re.compile(r"[+-]?\d{1,18}")


class DateWidget(widgets.Widget):
    """`YYYY-MM-DD` or `dd/mm/yyyy` in, `YYYY-MM-DD` out."""

    def clean(self, value, row=None, **kwargs) -> dt.date | None:
        if value in (None, ""):
            return None
        return parse_date(value)

    def render(self, value, obj=None, **kwargs) -> str:
        return value.isoformat() if value else ""


class DateTimeWidget(widgets.Widget):
    """ISO 8601 or `dd/mm/yyyy HH:MM` in (local when naive), local ISO 8601 out."""

    def clean(self, value, row=None, **kwargs) -> dt.datetime | None:
        if value in (None, ""):
            return None
        return parse_datetime(value)

    def render(self, value, obj=None, **kwargs) -> str:
        if not value:
            return ""
        return timezone.localtime(value).isoformat(timespec="seconds")


class IntegerWidget(widgets.IntegerWidget):
    """Plain digits in and out.

    import-export's own widget reads numbers through the active locale, and in
    Vietnamese "1.000" is a thousand and "1,5" one and a half; files are not
    localised, so neither is this.
    """

    def clean(self, value, row=None, **kwargs) -> int | None:
        if self.is_empty(value):
            return None
        text = str(value).strip()
        if not _INTEGER.fullmatch(text):
            raise ValueError(
                gettext("“%(value)s” is not a whole number.") % {"value": text}
            )
        return int(text)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class DecimalWidget(widgets.DecimalWidget):
    """A number with a decimal point (or a decimal comma), no thousands separator."""

    def clean(self, value, row=None, **kwargs) -> Decimal | None:
        if self.is_empty(value):
            return None
        text = str(value).strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(gettext("“%(value)s” is not a number.") % {"value": text})
        return number

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)
