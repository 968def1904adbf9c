"""Row checks of the `dossiers` and `dossier_steps` files (DESIGN.md §4.3, issue 6).

The one place these rules live: the django-import-export resources (small files,
admin uploads) and the fast path (COPY / batched inserts) both call
`check_dossier_rows` and `check_step_rows`, so a row gets the same verdict and the
same reason whichever way it is written.

A batch of rows (the whole file for import-export, a chunk for the fast path) is
checked at once: references are resolved against dictionaries loaded up front
(`Refs`), and missing due times are computed for the whole batch with numpy. What
must be read from stored dossiers (an earlier reschedule, a dossier's id) costs a
query per batch — or, with stored=False, is left to the fast path, which finds it
in SQL and words it with the same functions (second_reschedule_error,
unknown_message). Each row comes back as a `Checked`: the values to write, keyed by
model attribute (None = blank: keep what is stored), and the reasons, by column.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from django.db import connections
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from appraisals import rules
from appraisals.models import Dossier, DossierStep, Procedure
from hrms.importing.parsing import parse_datetime
from hrms.importing.widgets import IntegerWidget
from hrms.models import Holiday
from positions.models import OrgUnit
from staff.models import Employee

DOSSIER_COLUMNS = (
    "code",
    "procedure_code",
    "unit_code",
    "received_at",
    "due_at",
    "returned_at",
    "status",
    "channel",
    "receiving_officer",
    "apology_issued_at",
    "rescheduled_due_at",
    "rating",
)
DOSSIER_REQUIRED = ("code", "procedure_code", "unit_code", "received_at")
STEP_COLUMNS = (
    "dossier_code",
    "seq",
    "name",
    "officer",
    "started_at",
    "due_at",
    "finished_at",
)
STEP_REQUIRED = ("dossier_code", "seq", "name", "officer", "started_at", "due_at")

CODE_MAX_LENGTH = Dossier._meta.get_field("code").max_length
SEQ_MAX = 32767  # PositiveSmallIntegerField
LOOKUP_CHUNK = 5000  # codes per query: below SQLite's and PostgreSQL's limits

_STATUSES = tuple(Dossier.Status.values)
_CHANNELS = tuple(Dossier.Channel.values)
_STEP_NAMES = tuple(DossierStep.Name.values)
_LEVELS = ("very_satisfied", "satisfied", "unsatisfied")
_CLOSED = frozenset(Dossier.CLOSED_STATUSES)
_RETURNED = Dossier.Status.RETURNED.value
_integer = IntegerWidget()


class Checked(NamedTuple):
    line: int
    values: dict[str, Any]  # what parsed, even when rejected
    errors: tuple[tuple[str, str], ...]  # (column, message), in column order


@dataclass
class Refs:
    """What rows refer to, loaded once per import: codes → ids and facts."""

    procedures: dict[str, tuple[int, int]]  # code → (id, processing_days)
    units: dict[str, int]
    # employee_code → (id, unit_id, joined_on, status)
    officers: dict[str, tuple[int, int, dt.date | None, str]]
    holidays: frozenset[dt.date]
    using: str = "default"
    moments: Moments = field(
        default_factory=lambda: Moments(timezone.get_default_timezone())
    )

    @classmethod
    def load(cls, *, using: str = "default", steps: bool = False) -> Refs:
        officers = {
            code: (pk, unit_id, joined_on, status)
            for code, pk, unit_id, joined_on, status in Employee.objects.using(
                using
            ).values_list("employee_code", "pk", "unit_id", "joined_on", "status")
        }
        if steps:
            procedures, units = {}, {}
        else:
            procedures = {
                code: (pk, days)
                for code, pk, days in Procedure.objects.using(using).values_list(
                    "code", "pk", "processing_days"
                )
            }
            units = dict(OrgUnit.objects.using(using).values_list("code", "pk"))
        holidays = frozenset(
            Holiday.objects.using(using).values_list("date", flat=True)
        )
        return cls(procedures, units, officers, holidays, using)


# Messages shared by both checks ---------------------------------------------------


def required_message() -> str:
    return gettext("This value is required.")


def choice_message(value: str, choices: Sequence[str]) -> str:
    return gettext("“%(value)s” is not one of: %(choices)s.") % {
        "value": value,
        "choices": ", ".join(choices),
    }


def unknown_message(kind: str, code: str) -> str:
    messages = {
        "procedure": gettext("Unknown procedure “%(code)s”."),
        "unit": gettext("Unknown unit “%(code)s”."),
        "employee": gettext("Unknown employee “%(code)s”."),
        "dossier": gettext("Unknown dossier “%(code)s”."),
    }
    return messages[kind] % {"code": code}


def precedes_message(value: dt.datetime, column: str, other: dt.datetime) -> str:
    return gettext("%(value)s precedes %(column)s %(other)s.") % {
        "value": _fmt(value),
        "column": column,
        "other": _fmt(other),
    }


def too_long_message(value: str, limit: int) -> str:
    return gettext("At most %(limit)d characters (this has %(length)d).") % {
        "limit": limit,
        "length": len(value),
    }


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def reason_text(errors: Iterable[tuple[str, str]]) -> str:
    """`column: message; …`, grouped by column in first-seen order — the text
    import-export's rejection_reason() gives for the same errors."""
    grouped: dict[str, list[str]] = {}
    for column, message in errors:
        grouped.setdefault(column, []).append(message)
    return "; ".join(
        f"{column}: {message}"
        for column, messages in grouped.items()
        for message in messages
    )


# Parsing: the results of hrms.importing.parsing, faster -------------------------


@functools.lru_cache(maxsize=8)
def _constant_offset(tz) -> tuple[dt.timedelta, str, str] | None:
    """(offset, first year, last year) of the longest run of years up to 2099 in
    which the zone keeps one UTC offset (checked day by day), or None."""
    offset = None
    first = None
    for year in range(2099, 1899, -1):
        start = dt.datetime(year, 1, 1, 12, tzinfo=tz)
        offsets = {(start + dt.timedelta(days=day)).utcoffset() for day in range(366)}
        if len(offsets) != 1 or (offset is not None and offsets != {offset}):
            break
        offset, first = offsets.pop(), year
    if offset is None:
        return None
    return offset, f"{first:04d}", "2099"


class Moments:
    """Reads date-times as hrms.importing.parsing.parse_datetime does.

    The usual naive ISO text in a year where the time zone has one fixed offset
    (Asia/Ho_Chi_Minh: +07:00 since 1976) is parsed with that offset appended,
    five times faster than attaching the ZoneInfo; everything else goes the
    general way. Both give the same instant.
    """

    def __init__(self, tz) -> None:
        self.tz = tz
        fixed = _constant_offset(tz)
        if fixed is None:
            self.suffix, self.fixed = "", None
            self.first_year = self.last_year = ""
        else:
            offset, self.first_year, self.last_year = fixed
            self.fixed = dt.timezone(offset)
            minutes = int(offset.total_seconds() // 60)
            sign = "+" if minutes >= 0 else "-"
            hours, minutes = divmod(abs(minutes), 60)
            self.suffix = f"{sign}{hours:02d}:{minutes:02d}"

    def parse(self, text: str) -> dt.datetime:
        """An aware date-time, or ValueError with parse_datetime's reason."""
        if len(text) >= 12:
            if self.suffix and self.first_year <= text[:4] <= self.last_year:
                try:
                    return _fromisoformat(text + self.suffix)
                except ValueError:
                    pass
            try:
                value = _fromisoformat(text)
            except ValueError:
                return parse_datetime(text)
            return value if value.tzinfo is not None else value.replace(tzinfo=self.tz)
        return parse_datetime(text)  # raises the reason

    def local_date(self, value: dt.datetime) -> dt.date:
        if self.fixed is not None and value.tzinfo == self.fixed:
            return value.date()
        return value.astimezone(self.tz).date()


_fromisoformat = dt.datetime.fromisoformat


def parse_seq(text: str) -> int | None:
    """The step number as import-export reads it (None when unreadable)."""
    try:
        return _seq(text)
    except ValueError:
        return None


def _seq(text: str) -> int | None:
    if text.isdigit() and text.isascii() and len(text) <= 18:
        return int(text)
    return _integer.clean(text)


def _officer(
    refs: Refs, code: str, on: dt.date | None
) -> tuple[tuple[int, int] | None, str | None]:
    """(id, unit_id), or the reason the employee cannot act on that day."""
    officer = refs.officers.get(code)
    if officer is None:
        return None, unknown_message("employee", code)
    pk, unit_id, joined_on, status = officer
    if on is not None and (status != "active" or (joined_on and joined_on > on)):
        verdict = rules.check_officer_on_duty(
            code=code, status=status, joined_on=joined_on, on=on
        )
        if not verdict:
            return None, verdict.message
    return (pk, unit_id), None


def sort_errors(errors: list[tuple[str, str]], order: dict[str, int]):
    return tuple(sorted(errors, key=lambda error: order[error[0]]))


# Dossiers -------------------------------------------------------------------------

DOSSIER_ORDER = {column: i for i, column in enumerate(DOSSIER_COLUMNS)}
_OPTIONAL_MOMENTS = ("due_at", "returned_at", "apology_issued_at", "rescheduled_due_at")


def check_dossier_rows(
    rows: Sequence[tuple[int, Mapping[str, str]]], refs: Refs, *, stored: bool = True
) -> list[Checked]:
    """Check a batch of dossier rows: (line, {column: cell}) → Checked each.

    With stored=False the check against stored dossiers (a second reschedule) is
    left to the caller, which does it in SQL with second_reschedule_error().
    """
    parsed = [(line, *_check_dossier_cells(cells, refs)) for line, cells in rows]
    _fill_due_times(parsed, refs)
    if stored:
        _check_reschedules(parsed, refs)
    return [
        Checked(line, values, sort_errors(errors, DOSSIER_ORDER) if errors else ())
        for line, values, errors in parsed
    ]


def _check_dossier_cells(cells: Mapping[str, str], refs: Refs):
    get = cells.get
    errors: list[tuple[str, str]] = []
    parse = refs.moments.parse

    code = get("code") or ""
    if not code:
        errors.append(("code", required_message()))
    elif len(code) > CODE_MAX_LENGTH:
        errors.append(("code", too_long_message(code, CODE_MAX_LENGTH)))

    procedure_id = days = None
    text = get("procedure_code") or ""
    if not text:
        errors.append(("procedure_code", required_message()))
    else:
        procedure = refs.procedures.get(text)
        if procedure is None:
            errors.append(("procedure_code", unknown_message("procedure", text)))
        else:
            procedure_id, days = procedure

    unit_id = None
    text = get("unit_code") or ""
    if not text:
        errors.append(("unit_code", required_message()))
    else:
        unit_id = refs.units.get(text)
        if unit_id is None:
            errors.append(("unit_code", unknown_message("unit", text)))

    received = None
    text = get("received_at") or ""
    if not text:
        errors.append(("received_at", required_message()))
    else:
        try:
            received = parse(text)
        except ValueError as exc:
            errors.append(("received_at", str(exc)))

    moments = []
    for column in _OPTIONAL_MOMENTS:
        text = get(column) or ""
        moment = None
        if text:
            try:
                moment = parse(text)
            except ValueError as exc:
                errors.append((column, str(exc)))
            else:
                if received is not None and moment < received:
                    errors.append(
                        (column, precedes_message(moment, "received_at", received))
                    )
        moments.append(moment)
    due, returned, issued, rescheduled = moments

    status = get("status") or None
    if status is not None and status not in _STATUSES:
        errors.append(("status", choice_message(status, _STATUSES)))
    elif returned is not None:
        if status is None:
            status = _RETURNED
        elif status not in _CLOSED:
            errors.append(
                (
                    "status",
                    gettext(
                        "“%(status)s” means not returned, yet returned_at is given."
                    )
                    % {"status": status},
                )
            )

    channel = get("channel") or None
    if channel is not None and channel not in _CHANNELS:
        errors.append(("channel", choice_message(channel, _CHANNELS)))

    officer_id = None
    text = get("receiving_officer") or ""
    if text:
        on = refs.moments.local_date(received) if received is not None else None
        officer, message = _officer(refs, text, on)
        if message:
            errors.append(("receiving_officer", message))
        else:
            officer_id = officer[0]

    if issued is not None and rescheduled is None:
        errors.append(
            (
                "rescheduled_due_at",
                gettext(
                    "Required with apology_issued_at: the apology slip states the "
                    "new return date."
                ),
            )
        )

    rating = get("rating") or None
    if rating is not None and rating not in _LEVELS:
        errors.append(("rating", choice_message(rating, _LEVELS)))

    values = {
        "code": code,
        "procedure_id": procedure_id,
        "unit_id": unit_id,
        "channel": channel,
        "received_at": received,
        "due_at": due,
        "returned_at": returned,
        "status": status,
        "receiving_officer_id": officer_id,
        "rescheduled_due_at": rescheduled,
        "apology_issued_at": issued,
        "slip_is_late": None,
        "rating": rating,
        "_days": days,
    }
    return values, errors


def _fill_due_times(parsed, refs: Refs) -> None:
    """Compute every blank due time of the batch in one numpy call, then the
    checks that need the due time."""
    local_date = refs.moments.local_date
    pending = [
        values
        for _line, values, _errors in parsed
        if values["due_at"] is None
        and values["received_at"] is not None
        and values["_days"] is not None
    ]
    if pending:
        received_on = np.array(
            [local_date(values["received_at"]) for values in pending],
            dtype="datetime64[D]",
        )
        days = np.array([values["_days"] for values in pending])
        due_days = rules.dossier_due_dates(received_on, days, holidays=refs.holidays)
        ends: dict[dt.date, dt.datetime] = {}
        for values, day in zip(pending, due_days.tolist(), strict=True):
            due = ends.get(day)
            if due is None:
                due = ends[day] = rules.end_of_working_day(day)
            if due < values["received_at"]:
                # A same-day procedure received after hours.
                due = rules.dossier_due_at(
                    values["received_at"], values["_days"], holidays=refs.holidays
                ).at
            values["due_at"] = due
    for _line, values, errors in parsed:
        due = values["due_at"]
        issued = values["apology_issued_at"]
        rescheduled = values["rescheduled_due_at"]
        if due is None or (issued is None and rescheduled is None):
            continue
        if issued is not None:
            values["slip_is_late"] = not rules.check_slip_timing(
                issued_at=issued, due_at=due
            )
        if rescheduled is not None:
            verdict = rules.check_reschedule(
                due_at=due,
                new_due_at=rescheduled,
                rescheduled_to=None,
                on=local_date(issued or values["received_at"] or due),
            )
            if not verdict:
                errors.append(("rescheduled_due_at", verdict.message))


def _check_reschedules(parsed, refs: Refs) -> None:
    """Refuse a second reschedule: a stored one to a different date."""
    wanted = {
        values["code"]
        for _line, values, _errors in parsed
        if values["rescheduled_due_at"] is not None and values["code"]
    }
    if not wanted:
        return
    stored: dict[str, dt.datetime] = {}
    for chunk in _chunks(sorted(wanted)):
        rows = (
            Dossier.objects.using(refs.using)
            .filter(code__in=chunk)
            .filter(Q(rescheduled_due_at__isnull=False) | Q(apology_slip__isnull=False))
            .values_list("code", "rescheduled_due_at", "apology_slip__new_due_at")
        )
        for code, rescheduled, slip_date in rows:
            stored[code] = rescheduled or slip_date
    for _line, values, errors in parsed:
        earlier = stored.get(values["code"])
        if earlier is None or values["rescheduled_due_at"] is None:
            continue
        message = second_reschedule_error(
            refs,
            earlier=earlier,
            new_due_at=values["rescheduled_due_at"],
            due_at=values["due_at"],
            issued_at=values["apology_issued_at"],
        )
        if message:
            errors.append(("rescheduled_due_at", message))


def second_reschedule_error(
    refs: Refs,
    *,
    earlier: dt.datetime,
    new_due_at: dt.datetime,
    due_at: dt.datetime | None,
    issued_at: dt.datetime | None,
) -> str | None:
    """The reason to refuse a row moving a date already moved to `earlier`."""
    verdict = rules.check_reschedule(
        due_at=due_at or earlier,
        new_due_at=new_due_at,
        rescheduled_to=earlier,
        on=refs.moments.local_date(issued_at or new_due_at),
        repeat_is_same=True,
    )
    if not verdict and verdict.code == "apology.second_reschedule":
        return verdict.message
    return None


# Steps ----------------------------------------------------------------------------

STEP_ORDER = {column: i for i, column in enumerate(STEP_COLUMNS)}


def check_step_rows(
    rows: Sequence[tuple[int, Mapping[str, str]]], refs: Refs, *, stored: bool = True
) -> list[Checked]:
    """Check a batch of step rows: (line, {column: cell}) → Checked each.

    With stored=False the dossiers are not looked up: dossier_id stays None and
    the caller finds unknown dossiers in SQL (unknown_message("dossier", code)).
    """
    dossier_ids = None
    if stored:
        codes = {cells.get("dossier_code") or "" for _line, cells in rows}
        codes.discard("")
        dossier_ids = dossier_ids_for(codes, using=refs.using)
    checked = []
    for line, cells in rows:
        values, errors = _check_step_cells(cells, refs, dossier_ids)
        checked.append(
            Checked(line, values, sort_errors(errors, STEP_ORDER) if errors else ())
        )
    return checked


def _check_step_cells(cells: Mapping[str, str], refs: Refs, dossier_ids):
    get = cells.get
    errors: list[tuple[str, str]] = []
    parse = refs.moments.parse

    dossier_id = None
    code = get("dossier_code") or ""
    if not code:
        errors.append(("dossier_code", required_message()))
    elif dossier_ids is not None:
        dossier_id = dossier_ids.get(code)
        if dossier_id is None:
            errors.append(("dossier_code", unknown_message("dossier", code)))

    seq = None
    text = get("seq") or ""
    if not text:
        errors.append(("seq", required_message()))
    else:
        try:
            seq = _seq(text)
        except ValueError as exc:
            errors.append(("seq", str(exc)))
        else:
            if not 1 <= seq <= SEQ_MAX:
                errors.append(
                    (
                        "seq",
                        gettext("The step number must be from 1 to %(max)d.")
                        % {"max": SEQ_MAX},
                    )
                )

    name = get("name") or ""
    if not name:
        errors.append(("name", required_message()))
    elif name not in _STEP_NAMES:
        errors.append(("name", choice_message(name, _STEP_NAMES)))

    started = due = finished = None
    text = get("started_at") or ""
    if not text:
        errors.append(("started_at", required_message()))
    else:
        try:
            started = parse(text)
        except ValueError as exc:
            errors.append(("started_at", str(exc)))
    text = get("due_at") or ""
    if not text:
        errors.append(("due_at", required_message()))
    else:
        try:
            due = parse(text)
        except ValueError as exc:
            errors.append(("due_at", str(exc)))
        else:
            if started is not None and due < started:
                errors.append(("due_at", precedes_message(due, "started_at", started)))
    text = get("finished_at") or ""
    if text:
        try:
            finished = parse(text)
        except ValueError as exc:
            errors.append(("finished_at", str(exc)))
        else:
            if started is not None and finished < started:
                errors.append(
                    (
                        "finished_at",
                        precedes_message(finished, "started_at", started)
                        + " "
                        + gettext("A step cannot finish before it starts."),
                    )
                )

    officer = None
    text = get("officer") or ""
    if not text:
        errors.append(("officer", required_message()))
    else:
        on = refs.moments.local_date(started) if started is not None else None
        officer, message = _officer(refs, text, on)
        if message:
            errors.append(("officer", message))
    return {
        "dossier_code": code,
        "dossier_id": dossier_id,
        "seq": seq,
        "name": name,
        "officer_id": officer[0] if officer else None,
        "unit_id": officer[1] if officer else None,
        "started_at": started,
        "due_at": due,
        "finished_at": finished,
    }, errors


def dossier_ids_for(codes: Iterable[str], *, using: str = "default") -> dict[str, int]:
    """code → id of the stored dossiers among `codes`: one query (PostgreSQL) or
    one per 5,000 codes (SQLite)."""
    codes = list(codes)
    if not codes:
        return {}
    connection = connections[using]
    table = connection.ops.quote_name(Dossier._meta.db_table)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT code, id FROM {table} WHERE code = ANY(%s)", [codes]
            )
            found.update(cursor.fetchall())
        else:
            for chunk in _chunks(codes):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT code, id FROM {table} WHERE code IN ({marks})", chunk
                )
                found.update(cursor.fetchall())
    return found


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), LOOKUP_CHUNK):
        yield items[start : start + LOOKUP_CHUNK]
