"""Parse the dates and date-times of import files (DESIGN.md §4.3).

Dates are `YYYY-MM-DD` or `dd/mm/yyyy`; date-times are ISO 8601 (with `T` or a space,
optionally with seconds, fractions and an offset or `Z`) or `dd/mm/yyyy HH:MM[:SS]`.
A date-time without an offset is local time (settings.TIME_ZONE, Asia/Ho_Chi_Minh by
default) and comes back aware. Every helper raises `ValueError` with a translated
message, which import-export turns into a row rejection for that column.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
LOCAL_DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


def parse_date(value: str | dt.date) -> dt.date:
    """A date from `YYYY-MM-DD` or `dd/mm/yyyy`."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    # Spreadsheets often store a date as that day's midnight ("2026-03-10 00:00:00").
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment and moment.time() == dt.time() and moment.tzinfo is None:
        return moment.date()
    raise ValueError(
        gettext("“%(value)s” is not a date; write YYYY-MM-DD or dd/mm/yyyy.")
        % {"value": text}
    )


def parse_datetime(value: str | dt.datetime) -> dt.datetime:
    """An aware date-time from ISO 8601 or `dd/mm/yyyy HH:MM`, local when naive."""
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        parsed = _parse_datetime_text(text)
        if parsed is None:
            raise ValueError(
                gettext(
                    "“%(value)s” is not a date and time; write "
                    "YYYY-MM-DDTHH:MM[:SS][+07:00] or dd/mm/yyyy HH:MM."
                )
                % {"value": text}
            )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def _parse_datetime_text(text: str) -> dt.datetime | None:
    # A bare date is not a date-time: a dossier received "2026-03-10" must not
    # silently become midnight.
    if len(text) < 12:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in LOCAL_DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware later)
        except ValueError:
            continue
    return None
