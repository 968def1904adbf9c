"""Legal rules of the one-stop shop (DOMAIN §7): plain functions over plain data,
effective-dated, each answering with its reasons and citation.

Law in force: Decree 61/2018/NĐ-CP (as amended by Decree 107/2021/NĐ-CP) with the
forms of Circular 01/2018/TT-VPCP until 30 Jun 2025; Decree 118/2025/NĐ-CP (as
amended by Decree 367/2025/NĐ-CP) from 1 Jul 2025, which keeps the same rules for
late dossiers. Citations name the instrument and the form, not an article, where
the article number is not verified. Each rule picks the instrument in force on the
day the fact happened (receipt for the due time, issue for a slip, due time for
lateness).

Readings chosen where the text leaves room:

* Due time: the end of the working day (settings.WORKDAY_END_HOUR, 17:00 local) of
  the N-th working day after the day of receipt; weekends and Holiday rows do not
  count (DESIGN.md §4.3). N = 0 means the day of receipt (or the next working day;
  the next one too when the dossier came in after the end of the working day).
* On time: returned at or before the due time of the appointment slip (form 01).
  A rescheduled dossier stays late for the on-time ratio: the apology slip admits
  the delay, it does not erase it; it only makes the delay compliant.
* An apology slip is in time when issued at least one day — 24 hours — before the
  due time it moves ("chậm nhất 01 ngày trước ngày hết hạn"); later is recorded and
  flagged, never refused. The return date moves once: a second slip is refused.
* At risk: still open, not yet due, and due within one working day of now (by the
  same clock time on the next working day).
* Lateness is attributed to every step that finished after its own due time (or
  is still unfinished past it); a late dossier whose steps were all on time has a
  schedule error: the step deadlines did not fit the procedure's time limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hrms.calendar import (
    add_working_days,
    add_working_days_array,
    working_days_between,
)
from hrms.rules import Reason, RuleResult

DECREE_118_FROM = dt.date(2025, 7, 1)
DECISION_766_FROM = dt.date(2022, 6, 23)
SLIP_NOTICE = dt.timedelta(days=1)

CITATION_766 = "Decision 766/QĐ-TTg (23/6/2022)"


def one_stop_instrument(on: dt.date) -> str:
    """The decree governing the one-stop shop on a date."""
    if on < DECREE_118_FROM:
        return "Decree 61/2018/NĐ-CP"
    return "Decree 118/2025/NĐ-CP"


FORMS = {
    "form 01": "appointment slip",
    "form 04": "apology slip",
    "form 05": "processing control slip",
}


def citation(on: dt.date, form: str = "") -> str:
    """The instrument in force on a date, with the Circular 01/2018 form named
    (from 1 Jul 2025 the document, as the form numbers of Decree 118 are not
    verified)."""
    if on < DECREE_118_FROM:
        return f"Decree 61/2018/NĐ-CP; Circ. 01/2018/TT-VPCP {form}".strip()
    if form:
        return f"Decree 118/2025/NĐ-CP ({FORMS[form]})"
    return "Decree 118/2025/NĐ-CP"


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")


def _duration(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


# Due time -------------------------------------------------------------------


@dataclass(frozen=True)
class DueTime:
    at: dt.datetime
    reason: Reason


def end_of_working_day(day: dt.date) -> dt.datetime:
    """WORKDAY_END_HOUR local time on a day, aware."""
    return dt.datetime.combine(
        day,
        dt.time(settings.WORKDAY_END_HOUR),
        tzinfo=timezone.get_default_timezone(),
    )


def dossier_due_at(
    received_at: dt.datetime, processing_days: int, *, holidays: Iterable[dt.date]
) -> DueTime:
    """The due time of a dossier received at `received_at` for a procedure of
    `processing_days` working days."""
    received_on = local_date(received_at)
    day = add_working_days(received_on, processing_days, holidays=holidays)
    at = end_of_working_day(day)
    if at < received_at:
        # A same-day procedure received after hours: due the next working day.
        at = end_of_working_day(add_working_days(day, 1, holidays=holidays))
    return DueTime(
        at,
        Reason(
            "dossier.due_time",
            _(
                "Due %(due)s: the end of the %(days)d-th working day after the "
                "receipt on %(received)s (weekends and holidays excluded)."
            )
            % {"due": _fmt(at), "days": processing_days, "received": _fmt(received_at)},
            citation(received_on, "form 01"),
        ),
    )


def dossier_due_dates(
    received_on: np.ndarray, processing_days: np.ndarray, *, holidays: Iterable[dt.date]
) -> np.ndarray:
    """dossier_due_at for whole arrays: the due days (datetime64[D]) of dossiers
    received on local dates `received_on`; the due time is the end of that day."""
    return add_working_days_array(received_on, processing_days, holidays=holidays)


# Lateness -------------------------------------------------------------------


def check_on_time(
    *,
    due_at: dt.datetime,
    returned_at: dt.datetime | None,
    as_of: dt.datetime,
    rescheduled_due_at: dt.datetime | None = None,
) -> RuleResult:
    """On time when returned at or before the due time; a reschedule does not
    make a late dossier on time (ok means on time, or not yet due)."""
    basis = citation(local_date(due_at), "form 01")
    if returned_at is not None and returned_at <= due_at:
        return RuleResult.allow(
            "dossier.on_time",
            _("Returned %(returned)s, on or before the due time %(due)s.")
            % {"returned": _fmt(returned_at), "due": _fmt(due_at)},
            basis,
        )
    if returned_at is None and as_of <= due_at:
        return RuleResult.allow(
            "dossier.not_due",
            _("Not returned yet; due %(due)s.") % {"due": _fmt(due_at)},
            basis,
        )
    if returned_at is not None:
        result = RuleResult.refuse(
            "dossier.late",
            _("Returned %(returned)s, %(late)s after the due time %(due)s.")
            % {
                "returned": _fmt(returned_at),
                "late": _duration(returned_at - due_at),
                "due": _fmt(due_at),
            },
            basis,
        )
    else:
        result = RuleResult.refuse(
            "dossier.overdue",
            _("Not returned, %(late)s past the due time %(due)s.")
            % {"late": _duration(as_of - due_at), "due": _fmt(due_at)},
            basis,
        )
    if rescheduled_due_at is None:
        return result
    detail = Reason(
        "dossier.rescheduled",
        _(
            "Rescheduled to %(new)s by an apology slip: still late for the on-time "
            "ratio, which counts the original appointment."
        )
        % {"new": _fmt(rescheduled_due_at)},
        citation(local_date(due_at), "form 04"),
    )
    return RuleResult(
        result.ok, result.code, result.message, result.citation, (detail,)
    )


@dataclass(frozen=True)
class StepFacts:
    seq: int
    name: str
    officer_id: int
    due_at: dt.datetime
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Overrun:
    """A step that finished (or is still open) after its own due time."""

    seq: int
    name: str
    officer_id: int
    overrun: dt.timedelta
    working_days: int  # working days between the due day and the finish day

    @property
    def hours(self) -> float:
        return round(self.overrun.total_seconds() / 3600, 2)


@dataclass(frozen=True)
class Attribution:
    is_late: bool
    responsible: tuple[Overrun, ...]
    reasons: tuple[Reason, ...]

    @property
    def is_schedule_error(self) -> bool:
        return self.is_late and not self.responsible

    @property
    def officer_ids(self) -> list[int]:
        return list(dict.fromkeys(o.officer_id for o in self.responsible))


def attribute_lateness(
    *,
    due_at: dt.datetime,
    returned_at: dt.datetime | None,
    steps: Sequence[StepFacts],
    as_of: dt.datetime,
    holidays: Iterable[dt.date],
) -> Attribution:
    """Who made a late dossier late: each step that overran its own due time."""
    verdict = check_on_time(due_at=due_at, returned_at=returned_at, as_of=as_of)
    if verdict.ok:
        return Attribution(False, (), (verdict.reason,))
    basis = citation(local_date(due_at), "form 05")
    responsible, reasons = [], [verdict.reason]
    for step in sorted(steps, key=lambda s: s.seq):
        end = step.finished_at if step.finished_at is not None else as_of
        if end <= step.due_at:
            continue
        over = Overrun(
            seq=step.seq,
            name=step.name,
            officer_id=step.officer_id,
            overrun=end - step.due_at,
            working_days=working_days_between(
                local_date(step.due_at), local_date(end), holidays=holidays
            ),
        )
        responsible.append(over)
        reasons.append(
            Reason(
                "step.overrun",
                _(
                    "Step %(seq)d (%(name)s) %(state)s %(late)s after its due time "
                    "%(due)s (%(days)d working day(s) late)."
                )
                % {
                    "seq": step.seq,
                    "name": step.name,
                    "state": _("finished")
                    if step.finished_at is not None
                    else _("is still open"),
                    "late": _duration(over.overrun),
                    "due": _fmt(step.due_at),
                    "days": over.working_days,
                },
                basis,
            )
        )
    if not responsible:
        reasons.append(
            Reason(
                "dossier.schedule_error",
                _(
                    "Every step met its own due time, yet the dossier was late: the "
                    "step deadlines did not fit the procedure's time limit "
                    "(a schedule error)."
                ),
                basis,
            )
        )
    return Attribution(True, tuple(responsible), tuple(reasons))


# Apology slip (form 04) -------------------------------------------------------


def check_slip_timing(*, issued_at: dt.datetime, due_at: dt.datetime) -> RuleResult:
    """In time when issued at least one day (24 h) before the due time it moves."""
    basis = citation(local_date(issued_at), "form 04")
    deadline = due_at - SLIP_NOTICE
    params = {"issued": _fmt(issued_at), "due": _fmt(due_at), "by": _fmt(deadline)}
    if issued_at <= deadline:
        return RuleResult.allow(
            "apology.in_time",
            _("Issued %(issued)s, at least one day before the due time %(due)s.")
            % params,
            basis,
        )
    if issued_at <= due_at:
        return RuleResult.refuse(
            "apology.late",
            _(
                "Issued %(issued)s, less than one day before the due time %(due)s: "
                "it was due by %(by)s."
            )
            % params,
            basis,
        )
    return RuleResult.refuse(
        "apology.after_due",
        _("Issued %(issued)s, after the due time %(due)s: it was due by %(by)s.")
        % params,
        basis,
    )


def check_reschedule(
    *,
    due_at: dt.datetime,
    new_due_at: dt.datetime,
    rescheduled_to: dt.datetime | None,
    on: dt.date,
    repeat_is_same: bool = False,
) -> RuleResult:
    """The return date may be moved once, and only later.

    `rescheduled_to` is the date an earlier slip already moved it to. With
    `repeat_is_same`, recording that same date again (a re-imported file) is the
    same reschedule, not a second one.
    """
    basis = citation(on, "form 04")
    if rescheduled_to is not None and not (
        repeat_is_same and rescheduled_to == new_due_at
    ):
        return RuleResult.refuse(
            "apology.second_reschedule",
            _(
                "The return date was already moved once, to %(date)s; it may be "
                "moved only once."
            )
            % {"date": _fmt(rescheduled_to)},
            basis,
        )
    if new_due_at <= due_at:
        return RuleResult.refuse(
            "apology.not_later",
            _("The new return date %(new)s must be after the due time %(due)s.")
            % {"new": _fmt(new_due_at), "due": _fmt(due_at)},
            basis,
        )
    return RuleResult.allow(
        "apology.reschedule",
        _("The return date moves from %(due)s to %(new)s.")
        % {"due": _fmt(due_at), "new": _fmt(new_due_at)},
        basis,
    )


# At risk ------------------------------------------------------------------------


def at_risk_horizon(now: dt.datetime, *, holidays: Iterable[dt.date]) -> dt.datetime:
    """One working day from now: the same clock time on the next working day."""
    local_now = timezone.localtime(now)
    day = add_working_days(local_now.date(), 1, holidays=holidays)
    return dt.datetime.combine(day, local_now.timetz())


def check_at_risk(
    *,
    due_at: dt.datetime,
    is_open: bool,
    now: dt.datetime,
    holidays: Iterable[dt.date],
) -> RuleResult:
    """At risk (ok) when still open, not yet due and due within one working day:
    the last moment to issue an apology slip is near or passed."""
    basis = citation(local_date(due_at), "form 04")
    horizon = at_risk_horizon(now, holidays=holidays)
    if is_open and now < due_at <= horizon:
        return RuleResult.allow(
            "dossier.at_risk",
            _("Open and due %(due)s, within one working day.") % {"due": _fmt(due_at)},
            basis,
        )
    return RuleResult.refuse(
        "dossier.not_at_risk",
        _("Not at risk: closed, already past due, or due after %(by)s.")
        % {"by": _fmt(horizon)},
        basis,
    )


# Officers -------------------------------------------------------------------------


def check_officer_on_duty(
    *, code: str, status: str, joined_on: dt.date | None, on: dt.date
) -> RuleResult:
    """An officer can hold a dossier step on a day when employed and active then.

    The personnel file keeps no leaving date yet, so a retired or resigned officer
    is refused for every date; a blank joining date counts as always employed.
    """
    params = {"code": code, "date": on.strftime("%d/%m/%Y")}
    if status != "active":
        return RuleResult.refuse(
            "officer.not_active",
            _("Employee “%(code)s” is not active (status: %(status)s).")
            % {**params, "status": status},
        )
    if joined_on is not None and joined_on > on:
        return RuleResult.refuse(
            "officer.not_joined",
            _("Employee “%(code)s” joined on %(joined)s, after %(date)s.")
            % {**params, "joined": joined_on.strftime("%d/%m/%Y")},
        )
    return RuleResult.allow(
        "officer.on_duty", _("Employee “%(code)s” is active on %(date)s.") % params
    )


# Decision 766/QĐ-TTg scorecard --------------------------------------------------


@dataclass(frozen=True)
class GroupScore:
    code: str
    label: str
    max_points: int
    points: Decimal | None  # None: no data in this system
    basis: str  # how the points were computed, or why there are none


@dataclass(frozen=True)
class Scorecard:
    groups: tuple[GroupScore, ...]
    citation: str = CITATION_766

    @property
    def points(self) -> Decimal:
        return sum((g.points for g in self.groups if g.points is not None), Decimal(0))

    @property
    def covered_max(self) -> int:
        return sum(g.max_points for g in self.groups if g.points is not None)

    @property
    def max_points(self) -> int:
        return sum(g.max_points for g in self.groups)

    @property
    def is_complete(self) -> bool:
        return all(g.points is not None for g in self.groups)


# (code, label, max points, indicator name or None when this system has no data)
GROUPS_766 = (
    ("publicity", gettext_lazy("Publicity and transparency"), 18, None),
    ("timeliness", gettext_lazy("Timeliness and results"), 20, "on_time_ratio"),
    ("digitisation", gettext_lazy("Dossier digitisation"), 22, None),
    ("online", gettext_lazy("Online services"), 22, "online_share"),
    ("satisfaction", gettext_lazy("Satisfaction"), 18, "satisfaction_ratio"),
)


def scorecard_766(
    *,
    on_time_ratio: Decimal | None,
    online_share: Decimal | None,
    satisfaction_ratio: Decimal | None,
    on: dt.date,
) -> Scorecard:
    """The groups of Decision 766/QĐ-TTg this system has data for, each scaled
    linearly from one ratio (points = max × ratio, 2 decimals).

    The decision scores each group from several sub-indicators of the national
    portal; here each covered group uses the one ratio the dossiers give, so the
    figures show direction, not the official index.
    """
    ratios = {
        "on_time_ratio": on_time_ratio,
        "online_share": online_share,
        "satisfaction_ratio": satisfaction_ratio,
    }
    explain = {
        "on_time_ratio": _("on-time ratio (returned by the due time ÷ dossiers due)"),
        "online_share": _("online share (received online ÷ received)"),
        "satisfaction_ratio": _(
            "satisfaction ratio (very satisfied + satisfied ÷ rated)"
        ),
    }
    groups = []
    for code, label, max_points, indicator in GROUPS_766:
        if on < DECISION_766_FROM:
            points, basis = None, _("Decision 766/QĐ-TTg was not yet in force.")
        elif indicator is None:
            points, basis = None, _("No data: not recorded in this system.")
        elif ratios[indicator] is None:
            points = None
            basis = _("No data: no dossiers for the %(what)s.") % {
                "what": explain[indicator]
            }
        else:
            ratio = Decimal(ratios[indicator])
            points = (max_points * ratio).quantize(
                Decimal("0.01"), rounding=ROUND_HALF_UP
            )
            basis = _("%(max)d × %(ratio)s %(what)s = %(points)s") % {
                "max": max_points,
                "ratio": f"{ratio:.4f}",
                "what": explain[indicator],
                "points": points,
            }
        groups.append(GroupScore(code, str(label), max_points, points, basis))
    return Scorecard(tuple(groups))
