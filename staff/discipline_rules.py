"""Legal rules of discipline (DOMAIN.md §6): plain functions over plain data.

Each answers one question and returns a `RuleResult` with its citation: which
forms a staff type may receive on a date, the heaviest of several violations and
the repeat rule, the 90/150-day handling clock with its "not yet considered"
pauses, the 5/10-year limitation period restarted by a new violation, the
right to be heard, the dates of a decision, the bars on appointment and
planning, and the rating a discipline forces. The numbers come in as arguments
(rows of the rule tables in staff/models/reference.py), never as constants here.
staff/discipline.py loads the rows and is the API the other apps call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hrms.rules import Reason, RuleResult
from staff.models import DisciplineForm, Employee
from staff.rules import add_months

# The forms' names in official documents (Vietnamese whatever the UI language).
FORM_NAMES_VI = {
    "reprimand": "khiển trách",
    "warning": "cảnh cáo",
    "salary_step_down": "hạ bậc lương",
    "demotion": "giáng chức",
    "removal_from_post": "cách chức",
    "recall": "bãi nhiệm",
    "forced_termination": "buộc thôi việc",
}

# The "Căn cứ" lines of a decision, by regime (DOMAIN.md §6, §9).
DECREE_172_FROM = dt.date(2025, 7, 1)
_LAW_2008 = (
    "Luật Cán bộ, công chức năm 2008, được sửa đổi, bổ sung bởi Luật sửa đổi, bổ "
    "sung một số điều của Luật Cán bộ, công chức và Luật Viên chức năm 2019"
)
_LAW_VIEN_CHUC = (
    "Luật Viên chức năm 2010, được sửa đổi, bổ sung bởi Luật sửa đổi, bổ sung một "
    "số điều của Luật Cán bộ, công chức và Luật Viên chức năm 2019"
)
_DECREE_112 = (
    "Nghị định số 112/2020/NĐ-CP của Chính phủ về xử lý kỷ luật cán bộ, công chức, "
    "viên chức, được sửa đổi, bổ sung bởi Nghị định số 71/2023/NĐ-CP"
)
_LAW_2025 = "Luật Cán bộ, công chức số 80/2025/QH15"
_DECREE_172 = (
    "Nghị định số 172/2025/NĐ-CP của Chính phủ quy định về xử lý kỷ luật cán bộ, "
    "công chức"
)


def document_bases_vi(staff_type: str, on: dt.date) -> list[str]:
    """The legal bases a decision of that date cites, in Vietnamese."""
    if staff_type == "vien_chuc":
        return [_LAW_VIEN_CHUC, _DECREE_112]
    if on >= DECREE_172_FROM:
        return [_LAW_2025, _DECREE_172]
    return [_LAW_2008, _DECREE_112]


FORMS_CITATION = (
    "Decree 172/2025/NĐ-CP (cadres and civil servants from 1/7/2025); Decree "
    "112/2020/NĐ-CP as amended by Decree 71/2023/NĐ-CP (before, and public employees)"
)
ONE_FORM_CITATION = (
    "Decree 112/2020/NĐ-CP Art 2 as amended by Decree 71/2023/NĐ-CP; Decree "
    "172/2025/NĐ-CP Art 2 (one form for violations considered together; one "
    "level heavier for a new violation while a discipline is served)"
)
HANDLING_CITATION = (
    "Law 22/2008/QH12 Art 80(4) as amended by Law 52/2019/QH14; Decree "
    "172/2025/NĐ-CP (90 days from detection, at most 150 when extended)"
)
LIMITATION_CITATION = (
    "Law 22/2008/QH12 Art 80 as amended by Law 52/2019/QH14; Decree "
    "112/2020/NĐ-CP Art 5 as amended by Decree 71/2023/NĐ-CP (5 years for "
    "reprimand-level violations, 10 otherwise, restarted by a new violation)"
)
NOT_YET_CONSIDERED_CITATION = (
    "Decree 172/2025/NĐ-CP; Decree 112/2020/NĐ-CP Art 3 (cases not yet considered "
    "for discipline)"
)
EXPLANATION_CITATION = (
    "Decree 112/2020/NĐ-CP Art 30 as amended; Decree 172/2025/NĐ-CP (the "
    "disciplined person's written explanation before the decision)"
)
DECISION_DATES_CITATION = (
    "Decree 112/2020/NĐ-CP; Decree 172/2025/NĐ-CP (a decision takes effect from "
    "its date and cannot precede the violation)"
)
BAR_CITATION = (
    "Law 22/2008/QH12 Art 82 as amended by Law 52/2019/QH14 (no appointment, "
    "promotion, rotation or planning while disciplined or under review)"
)
RATING_CITATION = (
    "Decree 90/2020/NĐ-CP Art 2(5) as added by Decree 48/2023/NĐ-CP (disciplined "
    "in the year: did not complete duties; counted once)"
)


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def valid_on(rows: Iterable, on: dt.date) -> list:
    """The rule rows in force on a date (valid_from … valid_to, both inclusive)."""
    return [
        r
        for r in rows
        if r.valid_from <= on and (r.valid_to is None or on <= r.valid_to)
    ]


def form_label(form: str) -> str:
    try:
        return str(DisciplineForm(form).label)
    except ValueError:
        return form


def _staff_type_label(staff_type: str) -> str:
    try:
        return str(Employee.StaffType(staff_type).label)
    except ValueError:
        return staff_type


# Forms --------------------------------------------------------------------------------


def forms_for(form_rules: Iterable, *, staff_type: str, on: dt.date) -> list:
    """The form rows a staff type has on a date, lightest first."""
    rows = [r for r in valid_on(form_rules, on) if r.staff_type == staff_type]
    return sorted(rows, key=lambda r: r.rank)


def _condition_met(row, holds_leadership: bool) -> bool:
    if row.condition == "leader":
        return holds_leadership
    if row.condition == "non_leader":
        return not holds_leadership
    return True


def check_form(
    form_rules: Iterable,
    *,
    form: str,
    staff_type: str,
    on: dt.date,
    holds_leadership: bool,
) -> RuleResult:
    """A form is allowed when the table of the staff type on that date lists it
    and the person meets its condition (a leadership post, or none)."""
    rows = forms_for(form_rules, staff_type=staff_type, on=on)
    params = {
        "form": form_label(form),
        "staff_type": _staff_type_label(staff_type),
        "date": _d(on),
    }
    if not rows:
        return RuleResult.refuse(
            "discipline_form.no_table",
            _("No discipline forms apply to %(staff_type)s on %(date)s.") % params,
            FORMS_CITATION,
        )
    row = next((r for r in rows if r.form == form), None)
    if row is None:
        params["allowed"] = ", ".join(form_label(r.form) for r in rows)
        return RuleResult.refuse(
            "discipline_form.not_allowed",
            _(
                "%(form)s is not a discipline form for %(staff_type)s on %(date)s; "
                "the forms are: %(allowed)s."
            )
            % params,
            rows[0].citation,
        )
    if not _condition_met(row, holds_leadership):
        if row.condition == "leader":
            message = _(
                "%(form)s applies only to someone holding a leadership post, and "
                "the employee holds none on %(date)s."
            )
            code = "discipline_form.needs_leadership_post"
        else:
            message = _(
                "%(form)s applies only to someone holding no leadership post, and "
                "the employee holds one on %(date)s."
            )
            code = "discipline_form.needs_no_leadership_post"
        return RuleResult.refuse(code, message % params, row.citation)
    return RuleResult.allow(
        "discipline_form.ok",
        _("%(form)s is a discipline form for %(staff_type)s on %(date)s.") % params,
        row.citation,
    )


def form_ladder(
    form_rules: Iterable, *, staff_type: str, on: dt.date, holds_leadership: bool
) -> list[tuple[str, int]]:
    """(form, rank) the person may receive on a date, lightest first."""
    return [
        (r.form, r.rank)
        for r in forms_for(form_rules, staff_type=staff_type, on=on)
        if _condition_met(r, holds_leadership)
    ]


def rank_of(form_rules: Iterable, form: str, *, staff_type: str, on: dt.date) -> int:
    """A form's severity rank in the table in force on a date (any table if none)."""
    rows = [r for r in form_rules if r.form == form]
    dated = [r for r in valid_on(rows, on) if r.staff_type == staff_type]
    chosen = dated or [r for r in rows if r.staff_type == staff_type] or rows
    return max((r.rank for r in chosen), default=0)


@dataclass(frozen=True)
class ServedDiscipline:
    """An earlier discipline of the same employee, for the repeat rule and bars."""

    case_id: int
    form: str
    effective_on: dt.date
    in_effect_until: dt.date  # exclusive
    rank: int
    label: str = ""

    def in_effect_on(self, on: dt.date) -> bool:
        return self.effective_on <= on < self.in_effect_until


def required_form(
    *,
    ladder: Sequence[tuple[str, int]],
    merited: Iterable[tuple[str, int]] = (),
    served: Iterable[ServedDiscipline] = (),
    latest_violation_on: dt.date | None = None,
) -> tuple[str | None, RuleResult]:
    """The lightest form a decision may take, and why.

    Violations considered together get one form, the heaviest they merit. A new
    violation while a discipline is served gets one level heavier than the
    heavier of the served form and the form the new violation merits (Decree
    112/2020 Art 2 as amended), counted along the person's own ladder.
    """
    merited = list(merited)
    base_rank = max((rank for _form, rank in merited), default=0)
    in_effect = [
        s
        for s in served
        if latest_violation_on is not None and s.in_effect_on(latest_violation_on)
    ]
    if not ladder:
        return None, RuleResult.allow("discipline_required.none", "", "")
    if in_effect:
        worst = max(in_effect, key=lambda s: s.rank)
        floor = max(base_rank, worst.rank)
        heavier = [(f, r) for f, r in ladder if r > floor]
        form = heavier[0][0] if heavier else ladder[-1][0]
        return form, RuleResult.allow(
            "discipline_required.repeat",
            _(
                "A new violation on %(date)s while %(served)s was in effect (until "
                "%(until)s): one level heavier, at least %(form)s."
            )
            % {
                "date": _d(latest_violation_on),
                "served": form_label(worst.form),
                "until": _d(worst.in_effect_until - dt.timedelta(days=1)),
                "form": form_label(form),
            },
            ONE_FORM_CITATION,
        )
    if merited:
        at_least = [(f, r) for f, r in ladder if r >= base_rank]
        form = at_least[0][0] if at_least else ladder[-1][0]
        return form, RuleResult.allow(
            "discipline_required.heaviest",
            _(
                "Violations considered together take one form, the heaviest they "
                "merit: %(form)s."
            )
            % {"form": form_label(form)},
            ONE_FORM_CITATION,
        )
    return None, RuleResult.allow(
        "discipline_required.none",
        _("No form is set by the violations; the competent authority chooses."),
        ONE_FORM_CITATION,
    )


def check_required_form(
    *, form: str, rank: int, required: str | None, required_rank: int
) -> RuleResult:
    if required is not None and rank < required_rank:
        return RuleResult.refuse(
            "discipline_form.too_light",
            _("%(form)s is lighter than the form required: %(required)s.")
            % {"form": form_label(form), "required": form_label(required)},
            ONE_FORM_CITATION,
        )
    return RuleResult.allow(
        "discipline_form.heavy_enough",
        _("The form is heavy enough."),
        ONE_FORM_CITATION,
    )


# Handling clock -----------------------------------------------------------------------


def paused_days(
    suspensions: Iterable[tuple[dt.date, dt.date | None]],
    *,
    start: dt.date,
    end: dt.date,
) -> int:
    """Days from `start` to `end` (inclusive) covered by at least one suspension.

    An open suspension runs to `end`; overlapping suspensions count once.
    """
    spans = sorted(
        (max(s, start), min(e or end, end))
        for s, e in suspensions
        if s <= end and (e is None or e >= start)
    )
    total, reach = 0, None
    for s, e in spans:
        if reach is not None and s <= reach:
            s = reach + dt.timedelta(days=1)
        if s <= e:
            total += (e - s).days + 1
            reach = e
    return total


@dataclass(frozen=True)
class HandlingClock:
    """Where a case stands against its handling time limit on a date."""

    limit_days: int
    paused_days: int
    deadline: dt.date
    days_left: int
    is_overdue: bool
    is_suspended: bool
    reason: Reason

    @property
    def overdue_days(self) -> int:
        return max(-self.days_left, 0)


def handling_clock(
    *,
    detected_on: dt.date,
    handling_days: int,
    extended_to_days: int | None,
    suspensions: Iterable[tuple[dt.date, dt.date | None]],
    on: dt.date,
) -> HandlingClock:
    """90 days (or the extended limit) from detection, plus the suspended days.

    A suspension pauses the clock: while one runs, the deadline moves a day for
    each day, so the countdown stands still.
    """
    suspensions = list(suspensions)
    limit = extended_to_days or handling_days
    paused = paused_days(suspensions, start=detected_on, end=on)
    deadline = detected_on + dt.timedelta(days=limit + paused)
    suspended = any(s <= on and (e is None or on <= e) for s, e in suspensions)
    left = (deadline - on).days
    params = {
        "limit": limit,
        "date": _d(detected_on),
        "paused": paused,
        "deadline": _d(deadline),
        "left": left,
    }
    if suspended:
        message = _(
            "Not yet considered: the %(limit)s-day clock from %(date)s is paused "
            "(%(paused)s days so far); %(left)s days will remain."
        )
    elif left < 0:
        message = _(
            "Overdue: %(limit)s days from detection on %(date)s (+%(paused)s paused) "
            "ended on %(deadline)s."
        )
    else:
        message = _(
            "%(left)s days left: %(limit)s days from detection on %(date)s "
            "(+%(paused)s paused) end on %(deadline)s."
        )
    return HandlingClock(
        limit,
        paused,
        deadline,
        left,
        left < 0 and not suspended,
        suspended,
        Reason("discipline.handling_clock", message % params, HANDLING_CITATION),
    )


def check_extension(
    *,
    is_open: bool,
    is_extended: bool,
    reason: str,
    extended_to_days: int,
    handling_days: int,
    max_days: int,
    clock: HandlingClock,
) -> RuleResult:
    """One extension, with a reason, to at most the longer limit, before the
    ordinary limit has run out."""
    params = {"days": extended_to_days, "max": max_days, "limit": handling_days}
    if not is_open:
        return RuleResult.refuse(
            "extension.closed", _("The case is closed."), HANDLING_CITATION
        )
    if is_extended:
        return RuleResult.refuse(
            "extension.once",
            _("The handling time limit may be extended only once."),
            HANDLING_CITATION,
        )
    if not reason.strip():
        return RuleResult.refuse(
            "extension.reason",
            _("An extension needs a reason (a complex case needing verification)."),
            HANDLING_CITATION,
        )
    if not handling_days < extended_to_days <= max_days:
        return RuleResult.refuse(
            "extension.days",
            _(
                "The extended limit must be more than %(limit)s and at most "
                "%(max)s days."
            )
            % params,
            HANDLING_CITATION,
        )
    if clock.is_overdue:
        return RuleResult.refuse(
            "extension.overdue",
            _("The %(limit)s-day limit has already run out (%(deadline)s).")
            % {"limit": clock.limit_days, "deadline": _d(clock.deadline)},
            HANDLING_CITATION,
        )
    return RuleResult.allow(
        "extension.ok",
        _("Handling limit extended to %(days)s days.") % params,
        HANDLING_CITATION,
    )


# Limitation period --------------------------------------------------------------------


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def limitation_expiry(
    occurred_on: dt.date, *, later: Iterable[dt.date], years: int
) -> tuple[dt.date, dt.date]:
    """(last day of the period, the date it runs from): a new violation within
    the running period restarts it from the new violation."""
    start = occurred_on
    expiry = add_years(start, years)
    for day in sorted(later):
        if start < day <= expiry:
            start = day
            expiry = add_years(start, years)
    return expiry, start


@dataclass(frozen=True)
class ViolationFacts:
    """A violation as the limitation rule needs it."""

    pk: int
    description: str
    occurred_on: dt.date
    no_limitation: str = ""
    no_limitation_label: str = ""


def check_limitation(
    violations: Iterable[ViolationFacts],
    *,
    employee_violation_dates: Iterable[dt.date],
    form: str,
    years_reprimand: int,
    years_other: int,
    on: dt.date,
) -> RuleResult:
    """A decision on `on` is time-barred when any violation's period has run out
    (5 years for a reprimand, 10 otherwise, from the violation, restarted by a
    later violation of the same person), unless no limitation applies to it."""
    years = years_reprimand if form == "reprimand" else years_other
    dates = list(employee_violation_dates)
    details: list[Reason] = []
    refusal = None
    for v in violations:
        params = {
            "violation": v.description[:80],
            "date": _d(v.occurred_on),
            "years": years,
        }
        if v.no_limitation:
            params["category"] = v.no_limitation_label or v.no_limitation
            details.append(
                Reason(
                    "limitation.none",
                    _("No limitation period for “%(violation)s”: %(category)s.")
                    % params,
                    LIMITATION_CITATION,
                )
            )
            continue
        expiry, start = limitation_expiry(
            v.occurred_on, later=[d for d in dates if d > v.occurred_on], years=years
        )
        params.update(expiry=_d(expiry), start=_d(start), on=_d(on))
        if start != v.occurred_on:
            text = _(
                "“%(violation)s” (%(date)s): the %(years)s-year period restarted "
                "from a new violation on %(start)s and runs to %(expiry)s."
            )
        else:
            text = _(
                "“%(violation)s” (%(date)s): the %(years)s-year period runs to "
                "%(expiry)s."
            )
        if on > expiry:
            reason = Reason(
                "limitation.expired",
                _(
                    "Time-barred: the %(years)s-year limitation period for "
                    "“%(violation)s” (%(date)s) ran out on %(expiry)s, before the "
                    "decision date %(on)s."
                )
                % params,
                LIMITATION_CITATION,
            )
            refusal = refusal or reason
            details.append(reason)
        else:
            details.append(
                Reason("limitation.running", text % params, LIMITATION_CITATION)
            )
    if refusal is not None:
        return RuleResult(
            False, refusal.code, refusal.message, refusal.citation, tuple(details)
        )
    return RuleResult(
        True,
        "limitation.ok",
        _("Within the limitation period."),
        LIMITATION_CITATION,
        tuple(details),
    )


# The decision -------------------------------------------------------------------------


def check_not_suspended(
    suspensions: Iterable[tuple[dt.date, dt.date | None, str]], *, on: dt.date
) -> RuleResult:
    """No decision while the person is in a "not yet considered" period."""
    for start, end, label in suspensions:
        if start <= on and (end is None or on <= end):
            return RuleResult.refuse(
                "discipline.not_yet_considered",
                _(
                    "The employee is not yet to be considered on %(date)s: "
                    "%(kind)s (from %(start)s)."
                )
                % {"date": _d(on), "kind": label, "start": _d(start)},
                NOT_YET_CONSIDERED_CITATION,
            )
    return RuleResult.allow(
        "discipline.considered", _("No suspension runs."), NOT_YET_CONSIDERED_CITATION
    )


def check_explanation(
    *,
    submitted_on: dt.date | None,
    deadline: dt.date | None,
    on: dt.date,
) -> RuleResult:
    """The right to be heard: a written explanation is on file, or the deadline
    given for it has passed without one."""
    if submitted_on is not None and submitted_on <= on:
        return RuleResult.allow(
            "explanation.on_file",
            _("The written explanation of %(date)s is on file.")
            % {"date": _d(submitted_on)},
            EXPLANATION_CITATION,
        )
    if submitted_on is None and deadline is not None and deadline < on:
        return RuleResult.allow(
            "explanation.deadline_passed",
            _("No explanation was given by the deadline %(date)s.")
            % {"date": _d(deadline)},
            EXPLANATION_CITATION,
        )
    if deadline is None:
        message = _(
            "No decision before the employee's written explanation is on file or "
            "the deadline set for it has passed; no explanation and no deadline "
            "are recorded."
        )
    else:
        message = _(
            "No decision before the employee's written explanation is on file or "
            "its deadline (%(date)s) has passed."
        ) % {"date": _d(deadline)}
    return RuleResult.refuse("explanation.missing", message, EXPLANATION_CITATION)


def check_decision_dates(
    *,
    detected_on: dt.date,
    violation_dates: Sequence[dt.date],
    decided_on: dt.date,
    effective_on: dt.date,
    today: dt.date,
) -> RuleResult:
    """The decision follows the detection, is not in the future, takes effect on
    or after its date, and never before a violation it punishes."""
    latest = max(violation_dates, default=None)
    params = {
        "decided": _d(decided_on),
        "effective": _d(effective_on),
        "detected": _d(detected_on),
        "violation": _d(latest) if latest else "",
    }
    if decided_on > today:
        return RuleResult.refuse(
            "decision.future",
            _("The decision date %(decided)s is in the future.") % params,
            DECISION_DATES_CITATION,
        )
    if decided_on < detected_on:
        return RuleResult.refuse(
            "decision.before_detection",
            _("The decision date %(decided)s precedes the detection on %(detected)s.")
            % params,
            DECISION_DATES_CITATION,
        )
    if latest is not None and effective_on < latest:
        return RuleResult.refuse(
            "decision.effective_before_violation",
            _(
                "The effective date %(effective)s precedes the violation of "
                "%(violation)s."
            )
            % params,
            DECISION_DATES_CITATION,
        )
    if effective_on < decided_on:
        return RuleResult.refuse(
            "decision.effective_before_decision",
            _(
                "The effective date %(effective)s precedes the decision date "
                "%(decided)s."
            )
            % params,
            DECISION_DATES_CITATION,
        )
    return RuleResult.allow(
        "decision.dates_ok", _("The dates are consistent."), DECISION_DATES_CITATION
    )


# Effects: bars and the year's rating --------------------------------------------------


def check_bars(
    *,
    served: Iterable[ServedDiscipline],
    open_cases: Iterable[tuple[int, str, dt.date]],
    on: dt.date,
) -> RuleResult:
    """Not appointable, promotable, rotatable or plannable while a discipline is
    in effect (12 or 24 months) or while a case is under review."""
    details: list[Reason] = []
    for s in sorted(served, key=lambda s: s.effective_on):
        if s.in_effect_on(on):
            details.append(
                Reason(
                    "discipline_bar.in_effect",
                    _(
                        "%(form)s in effect from %(start)s until %(until)s: no "
                        "appointment, promotion, rotation or succession planning."
                    )
                    % {
                        "form": form_label(s.form),
                        "start": _d(s.effective_on),
                        "until": _d(s.in_effect_until - dt.timedelta(days=1)),
                    },
                    BAR_CITATION,
                )
            )
    for _pk, reference, detected_on in sorted(open_cases, key=lambda c: c[2]):
        if detected_on <= on:
            details.append(
                Reason(
                    "discipline_bar.open_case",
                    _(
                        "Under disciplinary review (case %(reference)s, detected "
                        "%(date)s): no appointment, promotion, rotation or "
                        "succession planning."
                    )
                    % {"reference": reference, "date": _d(detected_on)},
                    BAR_CITATION,
                )
            )
    if details:
        first = details[0]
        return RuleResult(
            False, first.code, first.message, first.citation, tuple(details)
        )
    return RuleResult.allow(
        "discipline_bar.clear",
        _("No discipline in effect and no case under review on %(date)s.")
        % {"date": _d(on)},
        BAR_CITATION,
    )


@dataclass(frozen=True)
class RatedDiscipline:
    """A decided case as the rating rule needs it."""

    case_id: int
    form: str
    decided_on: dt.date
    forces_rating: bool
    party_disciplined_on: dt.date | None = None
    # Years (before the decision) whose rating this case's violation already made
    # "did not complete duties".
    earlier_rating_years: tuple[int, ...] = ()


def forced_rating(cases: Iterable[RatedDiscipline], *, year: int) -> RuleResult:
    """`ok` when a discipline forces the year's rating to "did not complete duties".

    A case counts in the year it was first disciplined for the act (the Party or
    the administrative decision, whichever came first), and not at all when its
    violation already caused such a rating in an earlier year.
    """
    details: list[Reason] = []
    for case in sorted(cases, key=lambda c: c.decided_on):
        if not case.forces_rating:
            continue
        first_year = case.decided_on.year
        if case.party_disciplined_on is not None:
            first_year = min(first_year, case.party_disciplined_on.year)
        params = {
            "form": form_label(case.form),
            "date": _d(case.decided_on),
            "year": year,
        }
        already = [y for y in case.earlier_rating_years if y < case.decided_on.year]
        if already:
            if first_year == year:
                params["earlier"] = ", ".join(str(y) for y in sorted(already))
                details.append(
                    Reason(
                        "forced_rating.already_counted",
                        _(
                            "%(form)s of %(date)s is not counted again: its "
                            "violation already caused the rating of %(earlier)s."
                        )
                        % params,
                        RATING_CITATION,
                    )
                )
            continue
        if first_year != year:
            if case.decided_on.year == year:
                details.append(
                    Reason(
                        "forced_rating.party_year",
                        _(
                            "%(form)s of %(date)s is not counted in %(year)s: a "
                            "Party discipline for the same act counted in an "
                            "earlier year."
                        )
                        % params,
                        RATING_CITATION,
                    )
                )
            continue
        details.insert(
            0,
            Reason(
                "forced_rating.disciplined",
                _(
                    "Disciplined in %(year)s (%(form)s, %(date)s): did not "
                    "complete duties."
                )
                % params,
                RATING_CITATION,
            ),
        )
    forced = [d for d in details if d.code == "forced_rating.disciplined"]
    if forced:
        first = forced[0]
        return RuleResult(
            True, first.code, first.message, first.citation, tuple(details)
        )
    return RuleResult(
        False,
        "forced_rating.none",
        _("No discipline forces the rating of %(year)s.") % {"year": year},
        RATING_CITATION,
        tuple(details),
    )
