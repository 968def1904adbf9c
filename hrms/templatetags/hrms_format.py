"""Vietnamese formatting for pages and PDFs: amounts in đồng, dates, date lines.

Plain functions, registered as template filters and tags, so Python code (exports,
services composing a document) formats exactly as the templates do.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


@register.filter
def vnd(value) -> str:
    """5475600 -> "5.475.600 đ": whole đồng, "." between thousands."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{int(amount):,} đ".replace(",", ".")


@register.filter
def ddmmyyyy(value) -> str:
    """A date (or a date-time, in local time) as "05/03/2026"; None as ""."""
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.date):
        return str(value)
    return _local_date(value).strftime("%d/%m/%Y")


@register.simple_tag
def vn_date_line(place: str, date: dt.date | dt.datetime | None) -> str:
    """The place-and-date line of an administrative document.

    Decree 30/2020/NĐ-CP, Appendix I, §5(b): a day below 10 and the months 1 and 2
    take a leading zero ("ngày 05 tháng 02"), months 3 to 12 do not ("tháng 3"),
    so that no digit can be added in front of them afterwards. A missing date
    leaves blanks to fill in by hand, as on a draft awaiting signature.
    """
    if date is None:
        when = "ngày … tháng … năm …"
    else:
        date = _local_date(date)
        month = f"{date.month:02d}" if date.month < 3 else str(date.month)
        when = f"ngày {date.day:02d} tháng {month} năm {date.year}"
    return f"{place}, {when}" if place else when
