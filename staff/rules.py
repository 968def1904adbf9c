"""Legal rules about staff: citizen IDs, ages, quotas, grade matching, salary steps,
and the raise clock (regular step raises, the seniority allowance, early raises).

Each rule is a plain function over plain data returning a `RuleResult` (ok, code,
message, citation); services raise the refusal as a ValidationError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from hrms.rules import Reason, RuleResult
from positions.rules import last_step

CITIZEN_ID_CITATION = "Circular 59/2021/TT-BCA Art 7 and Annex I"
MINIMUM_AGE = 18
MINIMUM_AGE_CITATION = (
    "Law 22/2008/QH12 Art 36(1); recruitment conditions kept by Law 80/2025/QH15"
)
QUOTA_CITATION = "Decree 62/2020/NĐ-CP (headcount by job position); Law 80/2025/QH15"
GRADE_MATCH_CITATION = (
    "Law 80/2025/QH15 Art 24 (the grade matches the job position); "
    "Decree 170/2025/NĐ-CP transitional article (mapping done by 1/7/2027)"
)
STEP_CITATION = (
    "Decree 204/2004/NĐ-CP table 2; Circular 08/2013/TT-BNV Art 2 "
    "(no step beyond the last: a seniority-beyond-frame allowance instead)"
)
STEP_RAISE_CITATION = (
    "Circular 08/2013/TT-BNV Art 2, as amended by Circ. 03/2021/TT-BNV"
)
# Staff still holding a grade that does not match their position must be mapped
# by this date (Decree 170/2025 transitional article, DOMAIN.md §2).
GRADE_MAPPING_DEADLINE = dt.date(2027, 7, 1)
# Grade matching applies to civil servants (công chức); public employees hold
# professional titles and contract staff hold no grade.
GRADED_STAFF_TYPES = frozenset({"cong_chuc"})

# The 63 province codes of Annex I (the places of birth registration in the first
# three digits); numbers between them (003, 005, …) are not assigned.
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 "
    "031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 "
    "060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 "
    "091 092 093 094 095 096".split()
)
# Codes that only depend on the ID itself (a form can check them alone).
CITIZEN_ID_FORMAT_CODES = frozenset({"citizen_id.format", "citizen_id.province"})
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


def age_at(date_of_birth: dt.date, on: dt.date) -> int:
    """Completed years of age on a date."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday


def check_date_of_birth(date_of_birth: dt.date, *, today: dt.date) -> RuleResult:
    if date_of_birth > today:
        return RuleResult.refuse(
            "date_of_birth.future", _("The date of birth is in the future.")
        )
    return RuleResult.allow("date_of_birth.ok", _("The date of birth is plausible."))


def check_minimum_age(date_of_birth: dt.date, *, on: dt.date) -> RuleResult:
    """At least 18 years old on the day of joining."""
    age = age_at(date_of_birth, on)
    if age < MINIMUM_AGE:
        return RuleResult.refuse(
            "age.under_minimum",
            _(
                "The employee was %(age)s on the joining date %(date)s; "
                "staff must be at least %(minimum)s."
            )
            % {"age": age, "date": on.strftime("%d/%m/%Y"), "minimum": MINIMUM_AGE},
            MINIMUM_AGE_CITATION,
        )
    return RuleResult.allow(
        "age.ok",
        _("The employee was %(age)s on joining.") % {"age": age},
        MINIMUM_AGE_CITATION,
    )


def check_citizen_id(
    national_id: str,
    *,
    gender: str | None = None,
    date_of_birth: dt.date | None = None,
) -> RuleResult:
    """A 12-digit citizen ID: province, century-and-gender digit, year of birth.

    Digits 1–3 are the province of birth registration; digit 4 encodes century
    and gender (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, …); digits 5–6
    are the last two digits of the year of birth; digits 7–12 are random.
    """
    if not _TWELVE_DIGITS.fullmatch(national_id or ""):
        return RuleResult.refuse(
            "citizen_id.format",
            _("A citizen ID has exactly 12 digits."),
            CITIZEN_ID_CITATION,
        )
    province, code = national_id[:3], int(national_id[3])
    if province not in PROVINCE_CODES:
        return RuleResult.refuse(
            "citizen_id.province",
            _("%(code)s is not a province code of a citizen ID.") % {"code": province},
            CITIZEN_ID_CITATION,
        )
    id_gender = "M" if code % 2 == 0 else "F"
    if gender and gender != id_gender:
        return RuleResult.refuse(
            "citizen_id.gender",
            _("The 4th digit of the citizen ID does not match the gender."),
            CITIZEN_ID_CITATION,
        )
    if date_of_birth is not None:
        century = 1900 + 100 * (code // 2)
        if not century <= date_of_birth.year < century + 100:
            return RuleResult.refuse(
                "citizen_id.century",
                _("The 4th digit of the citizen ID does not match the birth century."),
                CITIZEN_ID_CITATION,
            )
        if national_id[4:6] != f"{date_of_birth.year % 100:02d}":
            return RuleResult.refuse(
                "citizen_id.birth_year",
                _("Digits 5–6 of the citizen ID do not match the year of birth."),
                CITIZEN_ID_CITATION,
            )
    return RuleResult.allow(
        "citizen_id.ok", _("The citizen ID is well formed."), CITIZEN_ID_CITATION
    )


def validate_citizen_id(value: str) -> None:
    """Django validator: the checks that need nothing but the ID itself."""
    check_citizen_id(value).raise_if_refused()


def check_quota(position, on: dt.date, filled: int) -> RuleResult:
    """One more person fits when fewer than the headcount quota hold the position."""
    params = {
        "position": position.code,
        "quota": position.headcount,
        "filled": filled,
        "date": on.strftime("%d/%m/%Y"),
    }
    if filled >= position.headcount:
        return RuleResult.refuse(
            "quota.exceeded",
            _(
                "Position %(position)s has a quota of %(quota)s and %(filled)s "
                "already hold it from %(date)s: another assignment would exceed "
                "the quota."
            )
            % params,
            QUOTA_CITATION,
        )
    return RuleResult.allow(
        "quota.ok",
        _("Position %(position)s: %(filled)s of %(quota)s seats taken.") % params,
        QUOTA_CITATION,
    )


def check_grade_match(
    employee_grade,
    position,
    *,
    staff_type: str,
    on: dt.date,
    is_transition_case: bool = False,
) -> RuleResult:
    """A civil servant's grade must be the grade of the position they hold.

    A mismatch is tolerated only for a case marked as transitional, before the
    mapping deadline. Staff without a grade yet take the position's grade.
    """
    if staff_type not in GRADED_STAFF_TYPES:
        return RuleResult.allow(
            "grade_match.not_graded",
            _("Grade matching applies to civil servants only."),
            GRADE_MATCH_CITATION,
        )
    if employee_grade is None:
        return RuleResult.allow(
            "grade_match.no_grade",
            _("No grade recorded yet: the grade follows the position."),
            GRADE_MATCH_CITATION,
        )
    if employee_grade.pk == position.grade_id:
        return RuleResult.allow(
            "grade_match.ok",
            _("The grade matches the position."),
            GRADE_MATCH_CITATION,
        )
    params = {
        "grade": employee_grade.code,
        "position": position.code,
        "position_grade": position.grade.code,
        "deadline": GRADE_MAPPING_DEADLINE.strftime("%d/%m/%Y"),
    }
    if is_transition_case and on < GRADE_MAPPING_DEADLINE:
        return RuleResult.allow(
            "grade_match.transition",
            _(
                "Grade %(grade)s differs from %(position_grade)s of %(position)s; "
                "allowed as a transition case until %(deadline)s."
            )
            % params,
            GRADE_MATCH_CITATION,
        )
    if is_transition_case:
        message = _(
            "Grade %(grade)s differs from %(position_grade)s of %(position)s and "
            "transition cases end on %(deadline)s."
        )
    else:
        message = _(
            "Grade %(grade)s does not match grade %(position_grade)s of position "
            "%(position)s; mark it as a transition case (until %(deadline)s) or "
            "change the grade."
        )
    return RuleResult.refuse(
        "grade_match.mismatch", message % params, GRADE_MATCH_CITATION
    )


def step_within_scale(grade, step: int, on: dt.date | None = None) -> RuleResult:
    """A salary step exists on the grade's scale (1 … last step) on the date."""
    on = on or timezone.localdate()
    last = last_step(grade.salary_scale_id, on)
    params = {"grade": grade.code, "step": step, "last": last}
    if step < 1 or step > last:
        return RuleResult.refuse(
            "step.beyond_scale",
            _(
                "Step %(step)s does not exist for grade %(grade)s, whose scale "
                "has steps 1 to %(last)s."
            )
            % params,
            STEP_CITATION,
        )
    return RuleResult.allow(
        "step.ok",
        _("Step %(step)s of %(last)s for grade %(grade)s.") % params,
        STEP_CITATION,
    )


def check_step_raise(
    *,
    previous_grade_id: int | None,
    previous_step: int | None,
    grade_id: int,
    step: int,
) -> RuleResult:
    """A step raise keeps the grade and moves up exactly one step."""
    if previous_grade_id is None:
        return RuleResult.refuse(
            "step_raise.no_grade",
            _("A step raise needs a grade already recorded."),
            STEP_RAISE_CITATION,
        )
    if previous_grade_id != grade_id or step != (previous_step or 0) + 1:
        return RuleResult.refuse(
            "step_raise.not_next",
            _(
                "A step raise keeps the grade and moves from step %(previous)s to "
                "%(next)s."
            )
            % {"previous": previous_step, "next": (previous_step or 0) + 1},
            STEP_RAISE_CITATION,
        )
    return RuleResult.allow("step_raise.ok", _("One step up."), STEP_RAISE_CITATION)


# Salary-step raise clock (DOMAIN.md §1.3–1.4) -----------------------------------------

RAISE_INTERVAL_CITATION = (
    "Circular 08/2013/TT-BNV Art 2(1) as amended by Circular 03/2021/TT-BNV "
    "(36 months A0–A3, 24 months B and C, 60 months senior experts)"
)
RAISE_EXTENSION_CITATION = (
    "Circular 08/2013/TT-BNV Art 2(3) as amended by Circular 03/2021/TT-BNV Art 1(5)"
)
SENIORITY_CITATION = (
    "Circular 08/2013/TT-BNV Art 2 (seniority-beyond-frame allowance at the last "
    "step, with the same extensions); 5% then +1% a year [unverified, a setting]"
)
EARLY_RAISE_CITATION = (
    "Circular 08/2013/TT-BNV Art 3 as amended by Circ. 03/2021/TT-BNV"
)
EARLY_RAISE_QUOTA_CITATION = (
    "Circular 08/2013/TT-BNV Art 3 as amended: at most 10% of the payroll list a "
    "year, one per 10 people; the remainder rule is a setting [unverified]"
)
# A fixed point is reached in two or three rounds; this only guards the loop.
_MAX_ROUNDS = 50


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (negative: earlier), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class ClockEvent:
    """A discipline or a "did not complete duties" year that can extend the clock.

    `key` is the discipline case id (kind "discipline") or the rating year (kind
    "rating"); a rating's `case_id` is the discipline case whose violation caused
    it, so the two count once.
    """

    kind: str
    on: dt.date
    months: int
    key: int
    label: str
    citation: str = RAISE_EXTENSION_CITATION
    case_id: int | None = None


@dataclass(frozen=True)
class ExtendedDue:
    due_on: dt.date
    extension_months: int
    reasons: tuple[Reason, ...]


def _extension(events: list[ClockEvent]) -> tuple[int, list[Reason]]:
    cases = {e.key for e in events if e.kind == "discipline"}
    months, reasons = 0, []
    for event in sorted(events, key=lambda e: (e.on, e.kind, e.key)):
        params = {
            "label": event.label,
            "date": event.on.strftime("%d/%m/%Y"),
            "months": event.months,
        }
        if event.kind == "rating" and event.case_id in cases:
            reasons.append(
                Reason(
                    "raise.extension.same_violation",
                    _(
                        "%(label)s (%(date)s) was caused by the same violation as "
                        "a discipline already counted: no further extension."
                    )
                    % params,
                    event.citation,
                )
            )
            continue
        months += event.months
        reasons.append(
            Reason(
                f"raise.extension.{event.kind}",
                _("%(label)s (%(date)s): +%(months)s months.") % params,
                event.citation,
            )
        )
    return months, reasons


def extended_due(
    *, start: dt.date, months: int, events: Sequence[ClockEvent]
) -> ExtendedDue:
    """`months` after `start`, pushed back by each event of the holding period.

    An event counts when it falls on or after `start` and before the due date;
    since an extension can bring a later event into the period, the due date is
    recomputed until no further event falls in (each event counts once).
    """
    counted: list[ClockEvent] = []
    extension, reasons = 0, []
    for _round in range(_MAX_ROUNDS):
        due = add_months(start, months + extension)
        new = [e for e in events if start <= e.on < due and e not in counted]
        if not new:
            break
        counted.extend(new)
        extension, reasons = _extension(counted)
    return ExtendedDue(add_months(start, months + extension), extension, tuple(reasons))


@dataclass(frozen=True)
class RaiseClock:
    """The next change of an employee's pay by seniority, with its reasons.

    kind "step": the next regular step raise falls due on `due_on`.
    kind "allowance": at the last step; the seniority-beyond-frame allowance is
    `allowance_percent` from `due_on` (the latest change on or before the date
    asked about, or the first one to come).
    """

    kind: str
    step_since: dt.date
    due_on: dt.date
    extension_months: int
    reasons: tuple[Reason, ...]
    allowance_percent: int = 0


def next_step_raise(
    *,
    step_since: dt.date,
    interval_months: int,
    scale_code: str,
    events: Sequence[ClockEvent],
) -> RaiseClock:
    """The regular step raise: the scale's interval, extended by the events."""
    result = extended_due(start=step_since, months=interval_months, events=events)
    base = Reason(
        "raise.interval",
        _("%(months)s months at the current step on scale %(scale)s since %(date)s.")
        % {
            "months": interval_months,
            "scale": scale_code,
            "date": step_since.strftime("%d/%m/%Y"),
        },
        RAISE_INTERVAL_CITATION,
    )
    return RaiseClock(
        "step",
        step_since,
        result.due_on,
        result.extension_months,
        (base,) + result.reasons,
    )


def seniority_allowance(
    *,
    last_step_since: dt.date,
    years_required: int,
    first_percent: int,
    yearly_percent: int,
    events: Sequence[ClockEvent],
    on: dt.date,
) -> RaiseClock:
    """At the last step: the allowance after `years_required` years, then +1%/year.

    Each period (the first wait, then every year) is extended by the events that
    fall in it, as the step clock is.
    """
    first = extended_due(
        start=last_step_since, months=years_required * 12, events=events
    )
    reasons = [
        Reason(
            "raise.last_step",
            _(
                "At the last step since %(date)s: a seniority-beyond-frame allowance "
                "of %(percent)s%% after %(years)s years instead of a step raise."
            )
            % {
                "date": last_step_since.strftime("%d/%m/%Y"),
                "percent": first_percent,
                "years": years_required,
            },
            SENIORITY_CITATION,
        ),
        *first.reasons,
    ]
    due, percent, extension = first.due_on, first_percent, first.extension_months
    while due <= on:
        following = extended_due(start=due, months=12, events=events)
        if following.due_on > on:
            break
        due, percent = following.due_on, percent + yearly_percent
        extension += following.extension_months
        reasons.extend(following.reasons)
    if percent > first_percent:
        reasons.append(
            Reason(
                "raise.allowance_yearly",
                _("+%(step)s%% for each further year: %(percent)s%% from %(date)s.")
                % {
                    "step": yearly_percent,
                    "percent": percent,
                    "date": due.strftime("%d/%m/%Y"),
                },
                SENIORITY_CITATION,
            )
        )
    return RaiseClock(
        "allowance", last_step_since, due, extension, tuple(reasons), percent
    )


@dataclass(frozen=True)
class EarlyRaiseQuota:
    payroll: int
    quota: int
    reason: Reason


def early_raise_quota(
    *,
    payroll: int,
    people_per_raise: int = 10,
    remainder: str = "floor",
    threshold: int = 5,
    carried: int = 0,
) -> EarlyRaiseQuota:
    """How many early raises a unit may grant in a year (one per 10 people).

    The remainder rule is a setting (DOMAIN.md §12): "floor" drops it, "round"
    adds one when it reaches `threshold`, "carry_over" adds the previous year's
    remainder (`carried`) before dividing.
    """
    counted = payroll + (carried if remainder == "carry_over" else 0)
    quota, rest = divmod(counted, people_per_raise)
    if remainder == "round" and rest >= threshold:
        quota += 1
    params = {
        "payroll": payroll,
        "per": people_per_raise,
        "quota": quota,
        "rest": rest,
        "threshold": threshold,
        "carried": carried,
    }
    if remainder == "round":
        message = _(
            "%(payroll)s people on the payroll: one early raise per %(per)s, one "
            "more when %(threshold)s or more remain (%(rest)s remain): %(quota)s."
        )
    elif remainder == "carry_over":
        message = _(
            "%(payroll)s people on the payroll plus %(carried)s carried over: one "
            "early raise per %(per)s: %(quota)s."
        )
    else:
        message = _(
            "%(payroll)s people on the payroll: one early raise per %(per)s, the "
            "remainder dropped: %(quota)s."
        )
    reason = Reason("early_raise.quota", message % params, EARLY_RAISE_QUOTA_CITATION)
    return EarlyRaiseQuota(payroll, quota, reason)


def check_early_raise(
    *,
    year: int,
    due_on: dt.date | None,
    at_last_step: bool,
    max_months: int,
    has_commendation: bool,
    last_raise_was_early: bool,
    discipline_bar: RuleResult | None = None,
) -> RuleResult:
    """Whether an employee may be proposed for an early step raise in `year`.

    Refusals, all listed in `details`: at the last step; no unused commendation
    earned in the current grade; the last raise in this grade was already early;
    a discipline in effect; the regular raise falls due within the year anyway;
    more than `max_months` to go after 31 December.
    """
    year_end = dt.date(year, 12, 31)
    refusals: list[Reason] = []
    if at_last_step or due_on is None:
        refusals.append(
            Reason(
                "early_raise.last_step",
                _("At the last step: no step left to raise."),
                EARLY_RAISE_CITATION,
            )
        )
    if not has_commendation:
        refusals.append(
            Reason(
                "early_raise.no_commendation",
                _("No unused commendation earned in the current grade."),
                EARLY_RAISE_CITATION,
            )
        )
    if last_raise_was_early:
        refusals.append(
            Reason(
                "early_raise.twice_in_a_row",
                _(
                    "The last raise in this grade was already early: not twice "
                    "in a row."
                ),
                EARLY_RAISE_CITATION,
            )
        )
    if discipline_bar is not None and not discipline_bar.ok:
        refusals.append(
            Reason(
                "early_raise.discipline",
                _("Serving a discipline: %(reason)s")
                % {"reason": discipline_bar.message},
                EARLY_RAISE_CITATION,
            )
        )
    if due_on is not None and not at_last_step:
        params = {
            "date": due_on.strftime("%d/%m/%Y"),
            "months": max_months,
            "year_end": year_end.strftime("%d/%m/%Y"),
        }
        if due_on <= year_end:
            refusals.append(
                Reason(
                    "early_raise.regular_due",
                    _("The regular raise falls due on %(date)s, within the year.")
                    % params,
                    EARLY_RAISE_CITATION,
                )
            )
        elif add_months(year_end, max_months) < due_on:
            refusals.append(
                Reason(
                    "early_raise.too_far",
                    _(
                        "The regular raise falls due on %(date)s, more than "
                        "%(months)s months after %(year_end)s."
                    )
                    % params,
                    EARLY_RAISE_CITATION,
                )
            )
    if refusals:
        first = refusals[0]
        return RuleResult(
            False, first.code, first.message, first.citation, tuple(refusals)
        )
    return RuleResult.allow(
        "early_raise.eligible",
        _(
            "Eligible: the regular raise falls due on %(date)s; it may be brought "
            "forward by up to %(months)s months."
        )
        % {"date": due_on.strftime("%d/%m/%Y"), "months": max_months},
        EARLY_RAISE_CITATION,
    )
