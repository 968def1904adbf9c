"""Legal rules of recruitment and leadership appointments (DOMAIN.md §3–4).

Each rule is a plain function over plain data that returns a `RuleResult` (ok,
code, message, citation) or a small dataclass built from them; services gather
the facts, call the rules and raise a refusal as a ValidationError. Numbers the
law may change or that are unverified are arguments with defaults from
`Parameters`; `recruitment.selectors.rule_parameters(on)` reads the ones in force
from the RecruitmentSetting and RetirementAgeRule tables.

The one exception is `discipline_bars`, an adapter over the staff app's
discipline rule (see its docstring).
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from hrms.rules import Reason, RuleResult

# Citations ------------------------------------------------------------------

LEGAL_BASIS_CITATION = (
    "Decree 170/2025/NĐ-CP (in force 1/7/2025) Art 70; Decree 138/2020/NĐ-CP before"
)
METHOD_CITATION = (
    "Decree 170/2025/NĐ-CP: exam; selection for three groups only; receiving "
    "experienced people (Art 13)"
)
NOTICE_CITATION = (
    "Decree 138/2020/NĐ-CP Art 13; Decree 170/2025/NĐ-CP (notice in the mass media, "
    "on the agency's portal and posted at its office)"
)
WINDOW_CITATION = (
    "Decree 138/2020/NĐ-CP Art 13 (applications for 30 days from the notice); "
    "kept by Decree 170/2025/NĐ-CP"
)
VACANCY_CITATION = (
    "Decree 62/2020/NĐ-CP; Decree 170/2025/NĐ-CP (recruit only into vacant "
    "headcount of an approved job position)"
)
WORKFLOW_CITATION = "Decree 170/2025/NĐ-CP (order of the recruitment steps)"
COUNCIL_CITATION = "Decree 170/2025/NĐ-CP Art 8 (council of 5 or 7 members)"
CONFLICT_CITATION = (
    "Decree 170/2025/NĐ-CP Art 8 (relatives of a candidate, people under "
    "discipline review or serving a discipline may not sit on the council)"
)
PRIORITY_CITATION = "Decree 170/2025/NĐ-CP Art 6 (only the highest priority counts)"
SCORE_CITATION = "Decree 170/2025/NĐ-CP (round 1 in % correct; round 2 on 100 points)"
PASS_CITATION = (
    "Decree 170/2025/NĐ-CP: pass with round 2 ≥ 50 (each part ≥ 50% when written "
    "and interview); rank by round 2 + priority; ties by round 2, then the head"
)
REMARK_CITATION = (
    "Decree 138/2020/NĐ-CP Art 14 (re-marking within 15 days of the results; "
    "no re-marking of computer tests or interviews)"
)
DOSSIER_CITATION = (
    "Decree 170/2025/NĐ-CP Art 18 (winner completes the dossier within 20 days "
    "of the results; otherwise the result is cancelled)"
)
NEXT_RANKED_CITATION = (
    "Decree 138/2020/NĐ-CP Art 17 (after a cancellation the head may admit the "
    "next-ranked candidate) [unverified for Decree 170/2025]"
)
PUBLISHED_CITATION = (
    "Decree 170/2025/NĐ-CP (published results change only by re-marking)"
)
TERM_CITATION = (
    "Decree 138/2020/NĐ-CP Art 41 (a term is 5 years from the effective date)"
)
FULL_TERM_CITATION = (
    "Decree 116/2024/NĐ-CP amending Decree 138/2020; MOHA Decision 727/2025 "
    "(a first or higher appointment needs years left for the whole term)"
)
EXTENSION_CITATION = (
    "MOHA Decision 727/2025 (fewer than 2 years to retirement at the end of the "
    "term: extend to retirement instead of re-appointing)"
)
RETIREMENT_CITATION = "Labour Code 2019 Art 169; Decree 135/2020/NĐ-CP Art 4, Annex I"
TENURE_CITATION = (
    "Decree 85/2023/NĐ-CP (24 months in the current or an equivalent post before "
    "promotion, except a first appointment)"
)
SUCCESSION_CITATION = (
    "Decree 116/2024/NĐ-CP amending Decree 138/2020 Art 42 (internal candidates "
    "must be in the succession plan for the post or an equal or higher one)"
)
VOTE_CITATION = (
    "MOHA Decision 727/2025; Decree 170/2025/NĐ-CP Art 33(3) (more than 50% of all "
    "members; at exactly 50% the head decides and reports the split)"
)
DISCIPLINE_BAR_CITATION = (
    "Law 22/2008/QH12 Art 82 as amended by Law 52/2019/QH14 (no appointment, "
    "transfer, rotation, secondment or promotion under discipline review or "
    "while a discipline is in effect)"
)
SECONDMENT_CITATION = "Decree 138/2020/NĐ-CP (secondment normally up to 3 years) [U]"
ROTATION_CITATION = "Decree 59/2019/NĐ-CP Art 25–26 (periodic rotation, 2–5 years)"

DECREE_170_FROM = dt.date(2025, 7, 1)
PASS_MARK = Decimal("50")
ROUND_1_PASS_PERCENT = Decimal("50")
SCORE_MAX = Decimal("100")
TWO_PLACES = Decimal("0.01")

# Decree 170/2025 Art 6: points per category; only the highest counts.
PRIORITY_POINTS: dict[str, Decimal] = {
    "hero": Decimal("7.5"),
    "war_invalid": Decimal("7.5"),
    "ethnic_minority": Decimal("5"),
    "demobilised_officer": Decimal("5"),
    "cipher_staff": Decimal("5"),
    "reserve_officer": Decimal("5"),
    "military_service": Decimal("2.5"),
    "youth_volunteer": Decimal("2.5"),
}

COUNCIL_SIZES = (5, 7)
NOTICE_CHANNELS = ("mass_media", "agency_portal", "office_posting")
BARRED_RELATIONS = frozenset(
    {
        "spouse",
        "parent",
        "parent_in_law",
        "adoptive_parent",
        "child",
        "sibling",
        "aunt_uncle",
        "spouse_sibling",
        "sibling_spouse",
    }
)

# Drive status workflow; announce, publish and cancel have their own services.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"announced", "cancelled"}),
    "announced": frozenset({"applications_closed", "cancelled"}),
    "applications_closed": frozenset({"round_1", "cancelled"}),
    "round_1": frozenset({"round_2", "cancelled"}),
    "round_2": frozenset({"results", "cancelled"}),
    "results": frozenset({"completed"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
}


# Parameters -----------------------------------------------------------------


@dataclass(frozen=True)
class RetirementSchedule:
    """A retirement-age roadmap (ages in months); see `retirement_age_months`."""

    start_year: int
    before_age_months: int
    start_age_months: int
    step_months: int
    final_age_months: int
    citation: str = RETIREMENT_CITATION


# Labour Code 2019 Art 169: men 60y3m in 2021, +3 months a year to 62 (2028);
# women 55y4m in 2021, +4 months a year to 60 (2035).
DEFAULT_RETIREMENT = {
    "M": RetirementSchedule(2021, 60 * 12, 60 * 12 + 3, 3, 62 * 12),
    "F": RetirementSchedule(2021, 55 * 12, 55 * 12 + 4, 4, 60 * 12),
}


@dataclass(frozen=True)
class Parameters:
    """The configurable numbers, with the defaults of DOMAIN.md §3–4."""

    notice_window_days: int = 30
    remark_window_days: int = 15
    dossier_completion_days: int = 20
    term_years: int = 5
    extension_branch_years: int = 2
    reappointment_notice_days: int = 90
    min_tenure_months: int = 24
    secondment_max_years: int = 3
    council_repeat_drives: int = 3
    council_repeat_months: int = 24
    single_applicant_drives: int = 2
    single_applicant_months: int = 12
    retirement: dict[str, RetirementSchedule] = field(
        default_factory=lambda: dict(DEFAULT_RETIREMENT)
    )


DEFAULTS = Parameters()


# Dates ----------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def months_between(start: dt.date, end: dt.date) -> int:
    """Completed months from `start` to `end` (0 when end precedes start)."""
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "–"


# Drives and notices ---------------------------------------------------------


def legal_basis_for(announced_on: dt.date) -> str:
    """Decree 170/2025 for drives announced from 1/7/2025, Decree 138/2020 before."""
    if announced_on >= DECREE_170_FROM:
        return "decree_170_2025"
    return "decree_138_2020"


def check_method(method: str, selection_group: str) -> RuleResult:
    """Selection recruits only the three groups the decree lists."""
    if method == "selection" and not selection_group:
        return RuleResult.refuse(
            "method.selection_group_missing",
            _(
                "Selection may recruit only volunteers for extremely disadvantaged "
                "areas, nominated students or talents: choose the group."
            ),
            METHOD_CITATION,
        )
    if method != "selection" and selection_group:
        return RuleResult.refuse(
            "method.group_without_selection",
            _("Only selection has a selection group."),
            METHOD_CITATION,
        )
    return RuleResult.allow("method.ok", _("The method is allowed."), METHOD_CITATION)


def check_application_window(
    published_on: dt.date | None,
    opens_on: dt.date | None,
    closes_on: dt.date | None,
    *,
    min_days: int = DEFAULTS.notice_window_days,
) -> RuleResult:
    """Applications are received for at least `min_days` days from the notice."""
    if not (published_on and opens_on and closes_on):
        return RuleResult.refuse(
            "window.missing",
            _("The notice date and the application window are required."),
            WINDOW_CITATION,
        )
    params = {
        "published": _fmt(published_on),
        "opens": _fmt(opens_on),
        "closes": _fmt(closes_on),
        "days": (closes_on - published_on).days,
        "minimum": min_days,
    }
    if opens_on < published_on:
        return RuleResult.refuse(
            "window.opens_before_notice",
            _("Applications open on %(opens)s, before the notice (%(published)s).")
            % params,
            WINDOW_CITATION,
        )
    if closes_on < opens_on:
        return RuleResult.refuse(
            "window.order",
            _("Applications cannot close before they open."),
            WINDOW_CITATION,
        )
    if (closes_on - published_on).days < min_days:
        return RuleResult.refuse(
            "window.too_short",
            _(
                "Applications close %(days)s days after the notice of %(published)s; "
                "the window must be at least %(minimum)s days."
            )
            % params,
            WINDOW_CITATION,
        )
    return RuleResult.allow(
        "window.ok",
        _("Applications from %(opens)s to %(closes)s (%(days)s days after the notice).")
        % params,
        WINDOW_CITATION,
    )


def check_notice_channels(channels: Iterable[str]) -> RuleResult:
    """The notice must be proven on all three channels."""
    missing = [c for c in NOTICE_CHANNELS if c not in set(channels)]
    if missing:
        labels = {
            "mass_media": _("mass media"),
            "agency_portal": _("agency portal"),
            "office_posting": _("posting at the office"),
        }
        return RuleResult.refuse(
            "notice.channel_missing",
            _("No proof of publication on: %(channels)s.")
            % {"channels": ", ".join(str(labels[c]) for c in missing)},
            NOTICE_CITATION,
        )
    return RuleResult.allow(
        "notice.channels_ok", _("Published on all three channels."), NOTICE_CITATION
    )


def check_notice_fields(fields: dict[str, object]) -> RuleResult:
    """A notice states its text, conditions, contact and at least one vacancy."""
    labels = {
        "title": _("drive title"),
        "notice_text": _("notice text"),
        "conditions": _("standards and conditions"),
        "contact": _("where to apply and contact phone"),
        "vacancies": _("positions and seats"),
        "schedule": _("exam form, time and place"),
    }
    missing = [name for name, value in fields.items() if not value]
    if missing:
        return RuleResult.refuse(
            "notice.fields_missing",
            _("The notice lacks: %(fields)s.")
            % {"fields": ", ".join(str(labels.get(m, m)) for m in missing)},
            NOTICE_CITATION,
        )
    return RuleResult.allow(
        "notice.fields_ok", _("The notice is complete."), NOTICE_CITATION
    )


def check_vacancy(position_code: str, seats: int, vacant: int) -> RuleResult:
    """A drive recruits only into seats vacant in the establishment report."""
    params = {"position": position_code, "seats": seats, "vacant": vacant}
    if seats > vacant:
        return RuleResult.refuse(
            "vacancy.not_vacant",
            _(
                "Position %(position)s has %(vacant)s vacant seats in the "
                "establishment report; the drive asks for %(seats)s."
            )
            % params,
            VACANCY_CITATION,
        )
    return RuleResult.allow(
        "vacancy.ok",
        _("Position %(position)s: %(seats)s of %(vacant)s vacant seats.") % params,
        VACANCY_CITATION,
    )


def check_transition(current: str, target: str) -> RuleResult:
    if target not in TRANSITIONS.get(current, frozenset()):
        return RuleResult.refuse(
            "drive.transition",
            _("A drive cannot go from %(current)s to %(target)s.")
            % {"current": current, "target": target},
            WORKFLOW_CITATION,
        )
    return RuleResult.allow("drive.transition_ok", _("Allowed."), WORKFLOW_CITATION)


def check_submission(
    submitted_on: dt.date, opens_on: dt.date | None, closes_on: dt.date | None
) -> RuleResult:
    if not opens_on or not closes_on or not opens_on <= submitted_on <= closes_on:
        return RuleResult.refuse(
            "application.outside_window",
            _("Applications are received from %(opens)s to %(closes)s.")
            % {"opens": _fmt(opens_on), "closes": _fmt(closes_on)},
            WINDOW_CITATION,
        )
    return RuleResult.allow(
        "application.in_window", _("Within the window."), WINDOW_CITATION
    )


# Council --------------------------------------------------------------------


def check_council_size(sitting: int) -> RuleResult:
    if sitting not in COUNCIL_SIZES:
        return RuleResult.refuse(
            "council.size",
            _("The council has %(count)s members; it must have 5 or 7.")
            % {"count": sitting},
            COUNCIL_CITATION,
        )
    return RuleResult.allow(
        "council.size_ok",
        _("The council has %(count)s members.") % {"count": sitting},
        COUNCIL_CITATION,
    )


def check_council_roles(roles: Sequence[str]) -> RuleResult:
    """One chair, one member-secretary, at most one vice-chair."""
    if roles.count("chair") != 1 or roles.count("secretary") != 1:
        return RuleResult.refuse(
            "council.roles",
            _("The council needs exactly one chair and one member-secretary."),
            COUNCIL_CITATION,
        )
    if roles.count("vice_chair") > 1:
        return RuleResult.refuse(
            "council.roles",
            _("The council has at most one vice-chair."),
            COUNCIL_CITATION,
        )
    return RuleResult.allow("council.roles_ok", _("Roles complete."), COUNCIL_CITATION)


def check_relation(relation: str, *, member: str, candidate: str) -> RuleResult:
    """A relative of a candidate (Art 8 list) may not sit on the council."""
    if relation in BARRED_RELATIONS:
        return RuleResult.refuse(
            "council.related",
            _(
                "%(member)s declared being a relative (%(relation)s) of candidate "
                "%(candidate)s and may not sit on the council."
            )
            % {"member": member, "relation": relation, "candidate": candidate},
            CONFLICT_CITATION,
        )
    return RuleResult.allow(
        "council.not_related", _("No barred relation declared."), CONFLICT_CITATION
    )


def council_missing() -> RuleResult:
    return RuleResult.refuse(
        "council.missing",
        _("The drive has no recruitment council yet."),
        COUNCIL_CITATION,
    )


def declarations_missing(member: str, count: int) -> RuleResult:
    return RuleResult.refuse(
        "council.declaration_missing",
        _("%(member)s has not declared relations to %(count)s candidates.")
        % {"member": member, "count": count},
        CONFLICT_CITATION,
    )


def member_barred(member: str, verdict: RuleResult) -> RuleResult:
    """A discipline bar on a council member, in the council's words."""
    return RuleResult(
        False,
        "council.member_disciplined",
        _("%(member)s may not sit on the council: %(reason)s")
        % {"member": member, "reason": verdict.message},
        CONFLICT_CITATION,
        (verdict.reason, *verdict.details),
    )


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


_COMMUNE_PREFIXES = ("xã ", "phường ", "thị trấn ", "đặc khu ")


def surname(full_name: str) -> str:
    """The family name (họ): the first word of a Vietnamese full name."""
    words = _fold(full_name).split()
    return words[0] if words else ""


def commune_key(commune: str) -> str:
    folded = _fold(commune)
    for prefix in _COMMUNE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def conflict_hint(
    *,
    member_name: str,
    member_commune: str,
    candidate_name: str,
    candidate_commune: str,
) -> Reason | None:
    """Same surname and same home commune: a hint for the chair, not a refusal."""
    if not member_commune or not candidate_commune:
        return None
    if surname(member_name) != surname(candidate_name):
        return None
    if commune_key(member_commune) != commune_key(candidate_commune):
        return None
    return Reason(
        "council.hint_surname_commune",
        _(
            "%(member)s shares the surname and home commune (%(commune)s) of "
            "candidate %(candidate)s: the chair should confirm or dismiss a relation."
        )
        % {
            "member": member_name,
            "candidate": candidate_name,
            "commune": candidate_commune,
        },
        CONFLICT_CITATION,
    )


# Where the staff app keeps its discipline API (staff/discipline.py today).
_DISCIPLINE_MODULES = ("staff.discipline", "staff.rules")


def _staff_discipline(name: str) -> Callable | None:
    for module_name in _DISCIPLINE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        function = getattr(module, name, None)
        if function is not None:
            return function
    return None


def _no_discipline_data() -> RuleResult:
    return RuleResult.allow(
        "discipline.rule_unavailable",
        _("Discipline records are not available; no bar applied."),
        DISCIPLINE_BAR_CITATION,
    )


def discipline_bars(employee, on: dt.date) -> RuleResult:
    """Whether an open discipline case or a discipline in effect bars the employee.

    Adapter over the staff app's `discipline_bars(employee, on)`, imported lazily
    so that recruitment depends on the staff app's published function only, not
    on where it lives: should it be missing, nobody is barred and the result says
    so (code "discipline.rule_unavailable"), which the eligibility snapshot keeps.
    """
    function = _staff_discipline("discipline_bars")
    if function is None:
        return _no_discipline_data()
    return function(employee, on)


def discipline_bars_for(employee_ids: Iterable[int], on: dt.date) -> dict:
    """`discipline_bars` for many employees at once (a fixed number of queries)."""
    ids = list(employee_ids)
    function = _staff_discipline("discipline_bars_for")
    if function is not None:
        return function(ids, on)
    return {pk: discipline_bars(pk, on) for pk in ids}


# Applications and scores ----------------------------------------------------


def check_score(value: Decimal | None, *, label: str) -> RuleResult:
    """A score (or a round-1 percentage) lies between 0 and 100."""
    if value is not None and not (0 <= Decimal(value) <= SCORE_MAX):
        return RuleResult.refuse(
            "score.out_of_range",
            _("%(label)s must be between 0 and 100; %(value)s was given.")
            % {"label": label, "value": value},
            SCORE_CITATION,
        )
    return RuleResult.allow("score.ok", _("In range."), SCORE_CITATION)


def check_priority_claims(claims: Iterable[str]) -> RuleResult:
    unknown = sorted(set(claims) - set(PRIORITY_POINTS))
    if unknown:
        return RuleResult.refuse(
            "priority.unknown",
            _("Unknown priority category: %(codes)s.") % {"codes": ", ".join(unknown)},
            PRIORITY_CITATION,
        )
    return RuleResult.allow("priority.ok", _("Known categories."), PRIORITY_CITATION)


def priority_points(claims: Iterable[str]) -> Decimal:
    """The points of the highest category claimed; categories never add up."""
    return max((PRIORITY_POINTS[c] for c in claims), default=Decimal("0"))


def round_2_total(
    written: Decimal | None,
    interview: Decimal | None,
    *,
    written_weight: Decimal = Decimal("0.5"),
) -> Decimal | None:
    """A two-part round 2 on 100 points: the weighted parts, each out of 100."""
    if written is None or interview is None:
        return None
    weight = Decimal(written_weight)
    total = Decimal(written) * weight + Decimal(interview) * (1 - weight)
    return total.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreLine:
    """The facts of one application that the merit list needs."""

    application_id: int
    is_eligible: bool
    round_2_score: Decimal | None
    written: Decimal | None = None
    interview: Decimal | None = None
    priority_points: Decimal = Decimal("0")
    is_cancelled: bool = False


def check_pass(line: ScoreLine) -> RuleResult:
    """Round 2 ≥ 50; with written and interview parts, each part ≥ 50%."""
    if not line.is_eligible:
        return RuleResult.refuse(
            "pass.ineligible", _("Did not pass round 1."), PASS_CITATION
        )
    if line.round_2_score is None:
        return RuleResult.refuse("pass.no_score", _("No round 2 score."), PASS_CITATION)
    if line.round_2_score < PASS_MARK:
        return RuleResult.refuse(
            "pass.below_50",
            _("Round 2 score %(score)s is below 50.") % {"score": line.round_2_score},
            PASS_CITATION,
        )
    parts = [p for p in (line.written, line.interview) if p is not None]
    if parts and (len(parts) < 2 or min(parts) < PASS_MARK):
        return RuleResult.refuse(
            "pass.part_below_50",
            _("Each of the written and interview parts must reach 50 of 100."),
            PASS_CITATION,
        )
    return RuleResult.allow("pass.ok", _("Passed."), PASS_CITATION)


@dataclass(frozen=True)
class MeritLine:
    application_id: int
    passed: bool
    code: str
    message: str
    total: Decimal | None
    rank: int | None
    is_winner: bool
    is_tied: bool  # shares its rank: no tie decision orders it


@dataclass(frozen=True)
class MeritList:
    quota: int
    lines: tuple[MeritLine, ...]
    # Tied candidates straddling the last seat: the head must decide first.
    unresolved_tie: tuple[int, ...] = ()
    citation: str = PASS_CITATION

    @property
    def needs_tie_decision(self) -> bool:
        return bool(self.unresolved_tie)

    @property
    def winners(self) -> list[int]:
        return [line.application_id for line in self.lines if line.is_winner]

    def line(self, application_id: int) -> MeritLine:
        return next(x for x in self.lines if x.application_id == application_id)


def rank_candidates(
    lines: Iterable[ScoreLine],
    *,
    quota: int,
    tie_orders: Iterable[Sequence[int]] = (),
) -> MeritList:
    """The merit list of one position: pass, rank, winners within the seats.

    Ranked by round 2 + priority points, then by the round-2 score; candidates
    still tied are ordered by a tie decision of the head that names all of them,
    otherwise they share a rank. Cancelled admissions keep their rank but take
    no seat. A tie across the last seat leaves the tied seats empty and is
    reported in `unresolved_tie`.
    """
    lines = list(lines)
    orders = [list(order) for order in tie_orders]
    verdicts = {line.application_id: check_pass(line) for line in lines}
    passers = [line for line in lines if verdicts[line.application_id].ok]

    def total(line: ScoreLine) -> Decimal:
        return line.round_2_score + line.priority_points

    passers.sort(key=lambda x: (-total(x), -x.round_2_score, x.application_id))
    groups: list[list[ScoreLine]] = []
    for line in passers:
        if groups and (total(groups[-1][0]), groups[-1][0].round_2_score) == (
            total(line),
            line.round_2_score,
        ):
            groups[-1].append(line)
        else:
            groups.append([line])

    ranked: list[tuple[list[ScoreLine], bool]] = []  # (group, is_tied)
    for group in groups:
        if len(group) == 1:
            ranked.append((group, False))
            continue
        ids = {x.application_id for x in group}
        order = next((o for o in reversed(orders) if ids <= set(o)), None)
        if order is None:
            ranked.append((group, True))
        else:
            for line in sorted(group, key=lambda x: order.index(x.application_id)):
                ranked.append(([line], False))

    results: dict[int, MeritLine] = {}
    seats, position, unresolved = quota, 1, ()
    for group, is_tied in ranked:
        takers = [x for x in group if not x.is_cancelled]
        wins = bool(takers) and len(takers) <= seats and not unresolved
        if takers and not wins and seats > 0 and not unresolved:
            unresolved = tuple(x.application_id for x in takers)
            seats = 0
        if wins:
            seats -= len(takers)
        for line in group:
            results[line.application_id] = MeritLine(
                application_id=line.application_id,
                passed=True,
                code="pass.ok",
                message=verdicts[line.application_id].message,
                total=total(line),
                rank=position,
                is_winner=wins and not line.is_cancelled,
                is_tied=is_tied,
            )
        position += len(group)
    for line in lines:
        if line.application_id not in results:
            verdict = verdicts[line.application_id]
            results[line.application_id] = MeritLine(
                application_id=line.application_id,
                passed=False,
                code=verdict.code,
                message=verdict.message,
                total=None
                if line.round_2_score is None
                else line.round_2_score + line.priority_points,
                rank=None,
                is_winner=False,
                is_tied=False,
            )
    ordered = sorted(
        results.values(),
        key=lambda x: (x.rank is None, x.rank or 0, x.application_id),
    )
    return MeritList(quota=quota, lines=tuple(ordered), unresolved_tie=unresolved)


def check_tie_order(group_ids: Sequence[int], tied_ids: set[int]) -> RuleResult:
    """A tie decision orders candidates who are really tied, each once."""
    if len(set(group_ids)) != len(group_ids) or len(group_ids) < 2:
        return RuleResult.refuse(
            "tie.order_invalid",
            _("A tie decision orders two or more different candidates."),
            PASS_CITATION,
        )
    if not set(group_ids) <= tied_ids:
        return RuleResult.refuse(
            "tie.not_tied",
            _(
                "These candidates are not tied on total and round 2 score; the "
                "head decides only real ties."
            ),
            PASS_CITATION,
        )
    return RuleResult.allow("tie.ok", _("Tie decision recorded."), PASS_CITATION)


def check_remark_request(
    *,
    part: str,
    requested_on: dt.date,
    results_published_on: dt.date | None,
    is_round_1_computer_based: bool,
    window_days: int = DEFAULTS.remark_window_days,
) -> RuleResult:
    """Re-marking: written parts only, within the window from the results."""
    if part == "round_2_interview":
        return RuleResult.refuse(
            "remark.interview", _("Interviews are never re-marked."), REMARK_CITATION
        )
    if part == "round_1" and is_round_1_computer_based:
        return RuleResult.refuse(
            "remark.computer_round_1",
            _("A round 1 taken on computer is not re-marked."),
            REMARK_CITATION,
        )
    if results_published_on is None:
        return RuleResult.refuse(
            "remark.no_results",
            _("Re-marking is requested after the results are published."),
            REMARK_CITATION,
        )
    last = results_published_on + dt.timedelta(days=window_days)
    if not results_published_on <= requested_on <= last:
        return RuleResult.refuse(
            "remark.late",
            _("Re-marking may be requested from %(first)s to %(last)s.")
            % {"first": _fmt(results_published_on), "last": _fmt(last)},
            REMARK_CITATION,
        )
    return RuleResult.allow("remark.ok", _("Request in time."), REMARK_CITATION)


def dossier_due_on(
    admitted_on: dt.date, *, days: int = DEFAULTS.dossier_completion_days
) -> dt.date:
    """The last day a winner may complete the recruitment dossier."""
    return admitted_on + dt.timedelta(days=days)


def check_dossier(
    *, due_on: dt.date, completed_on: dt.date | None, on: dt.date
) -> RuleResult:
    if completed_on is not None and completed_on <= due_on:
        return RuleResult.allow(
            "dossier.completed", _("Dossier completed in time."), DOSSIER_CITATION
        )
    if on <= due_on and completed_on is None:
        return RuleResult.allow(
            "dossier.pending",
            _("Dossier due by %(date)s.") % {"date": _fmt(due_on)},
            DOSSIER_CITATION,
        )
    return RuleResult.refuse(
        "dossier.missed",
        _("The dossier was not completed by %(date)s: the admission is cancelled.")
        % {"date": _fmt(due_on)},
        DOSSIER_CITATION,
    )


# Appointments ---------------------------------------------------------------


def vote_outcome(
    *,
    members_total: int,
    present: int,
    votes_for: int,
    head_decision: bool | None = None,
) -> RuleResult:
    """More than half of ALL members; at exactly half the head's decision counts."""
    params = {"for": votes_for, "total": members_total, "present": present}
    if members_total < 1 or present > members_total or votes_for > present:
        return RuleResult.refuse(
            "vote.inconsistent",
            _(
                "%(for)s votes for, %(present)s present of %(total)s members: the "
                "tally is inconsistent."
            )
            % params,
            VOTE_CITATION,
        )
    if votes_for * 2 > members_total:
        return RuleResult.allow(
            "vote.passed",
            _("%(for)s of %(total)s members voted for: more than half.") % params,
            VOTE_CITATION,
        )
    if votes_for * 2 == members_total:
        if head_decision is None:
            return RuleResult.refuse(
                "vote.tie_undecided",
                _(
                    "%(for)s of %(total)s members voted for: exactly half, the "
                    "head's decision must be recorded."
                )
                % params,
                VOTE_CITATION,
            )
        if head_decision:
            return RuleResult.allow(
                "vote.tie_head_for",
                _("%(for)s of %(total)s: exactly half; the head decided for.") % params,
                VOTE_CITATION,
            )
        return RuleResult.refuse(
            "vote.tie_head_against",
            _("%(for)s of %(total)s: exactly half; the head decided against.") % params,
            VOTE_CITATION,
        )
    return RuleResult.refuse(
        "vote.below_threshold",
        _("%(for)s of %(total)s members voted for: not more than half.") % params,
        VOTE_CITATION,
    )


def retirement_age_months(year: int, schedule: RetirementSchedule) -> int:
    """The retirement age (months) of people reaching it in `year`."""
    if year < schedule.start_year:
        return schedule.before_age_months
    grown = schedule.start_age_months + schedule.step_months * (
        year - schedule.start_year
    )
    return min(grown, schedule.final_age_months)


def retirement_on(date_of_birth: dt.date, schedule: RetirementSchedule) -> dt.date:
    """The retirement date: the last day of the month the roadmap age is reached.

    The age depends on the year it is reached, so the year is the first one in
    which the person reaches that year's age (Decree 135/2020 Annex I: a man born
    in 9/1961 retires at 60y3m in 12/2021, one born in 10/1961 at 60y6m in 4/2022).
    """
    birth_month = date_of_birth.replace(day=1)
    year = date_of_birth.year + schedule.before_age_months // 12 - 1
    while True:
        reached = add_months(birth_month, retirement_age_months(year, schedule))
        if reached.year <= year:
            break
        year += 1
    return reached.replace(day=calendar.monthrange(reached.year, reached.month)[1])


def term_end_on(effective_on: dt.date, *, years: int = DEFAULTS.term_years) -> dt.date:
    """The last day of a term of `years` years from the effective date."""
    return add_years(effective_on, years) - dt.timedelta(days=1)


def check_full_term(
    *, effective_on: dt.date, retires_on: dt.date, years: int = DEFAULTS.term_years
) -> RuleResult:
    """A first or higher appointment needs working years left for a whole term."""
    ends = term_end_on(effective_on, years=years)
    params = {"retires": _fmt(retires_on), "ends": _fmt(ends), "years": years}
    if retires_on < ends:
        return RuleResult.refuse(
            "eligibility.full_term",
            _(
                "Retires on %(retires)s, before the %(years)s-year term would end "
                "(%(ends)s)."
            )
            % params,
            FULL_TERM_CITATION,
        )
    return RuleResult.allow(
        "eligibility.full_term_ok",
        _("Retires on %(retires)s, after the term ends (%(ends)s).") % params,
        FULL_TERM_CITATION,
    )


def check_extension_branch(
    *,
    kind: str,
    term_starts_on: dt.date,
    retires_on: dt.date,
    branch_years: int = DEFAULTS.extension_branch_years,
) -> RuleResult:
    """Fewer than `branch_years` to retirement: extend to retirement, else re-appoint.

    `term_starts_on` is the day after the current term ends (the new decision's
    effective date).
    """
    extend = retires_on < term_end_on(term_starts_on, years=branch_years)
    params = {"retires": _fmt(retires_on), "years": branch_years}
    if kind == "reappointment" and extend:
        return RuleResult.refuse(
            "eligibility.extension_branch",
            _(
                "Retires on %(retires)s, fewer than %(years)s years after the term "
                "ends: extend the term to retirement instead of re-appointing."
            )
            % params,
            EXTENSION_CITATION,
        )
    if kind == "extension_to_retirement" and not extend:
        return RuleResult.refuse(
            "eligibility.reappointment_branch",
            _(
                "Retires on %(retires)s, %(years)s years or more after the term "
                "ends: re-appoint instead of extending to retirement."
            )
            % params,
            EXTENSION_CITATION,
        )
    return RuleResult.allow(
        "eligibility.branch_ok",
        _("Retires on %(retires)s: the right branch.") % params,
        EXTENSION_CITATION,
    )


def check_min_tenure(
    *, months_held: int | None, required: int = DEFAULTS.min_tenure_months
) -> RuleResult:
    """Public employees need `required` months in the current post to be promoted."""
    if months_held is None:
        return RuleResult.allow(
            "eligibility.tenure_first_appointment",
            _("A first appointment: no minimum tenure."),
            TENURE_CITATION,
        )
    params = {"held": months_held, "required": required}
    if months_held < required:
        return RuleResult.refuse(
            "eligibility.tenure",
            _("%(held)s months in the current post; %(required)s are required.")
            % params,
            TENURE_CITATION,
        )
    return RuleResult.allow(
        "eligibility.tenure_ok",
        _("%(held)s months in the current post.") % params,
        TENURE_CITATION,
    )


def check_succession_plan(*, in_plan: bool, post: str) -> RuleResult:
    if not in_plan:
        return RuleResult.refuse(
            "eligibility.not_in_succession_plan",
            _("Not in the succession plan for %(post)s (or an equal or higher post).")
            % {"post": post},
            SUCCESSION_CITATION,
        )
    return RuleResult.allow(
        "eligibility.in_succession_plan",
        _("In the succession plan for %(post)s.") % {"post": post},
        SUCCESSION_CITATION,
    )


def check_secondment_length(
    *,
    effective_on: dt.date,
    ends_on: dt.date | None,
    max_years: int = DEFAULTS.secondment_max_years,
) -> RuleResult:
    if ends_on is None or ends_on > term_end_on(effective_on, years=max_years):
        return RuleResult.refuse(
            "eligibility.secondment_length",
            _("A secondment normally lasts at most %(years)s years.")
            % {"years": max_years},
            SECONDMENT_CITATION,
        )
    return RuleResult.allow(
        "eligibility.secondment_ok", _("Within the usual length."), SECONDMENT_CITATION
    )


TERM_KINDS = frozenset({"appointment", "reappointment", "promotion"})
FULL_TERM_KINDS = frozenset({"appointment", "promotion"})
BRANCH_KINDS = frozenset({"reappointment", "extension_to_retirement"})
VOTE_KINDS = frozenset(
    {"appointment", "reappointment", "extension_to_retirement", "promotion"}
)
POSITION_KINDS = frozenset(
    {
        "appointment",
        "reappointment",
        "extension_to_retirement",
        "promotion",
        "rotation",
        "transfer",
        "secondment",
    }
)
# Law 2019 Art 82 bars these while a discipline case is open or in effect.
DISCIPLINE_KINDS = POSITION_KINDS
SUCCESSION_KINDS = frozenset({"appointment", "promotion"})


@dataclass(frozen=True)
class VoteFacts:
    step: str
    members_total: int
    present: int
    votes_for: int
    head_decision: bool | None = None


@dataclass(frozen=True)
class AppointmentFacts:
    """Everything the eligibility rules of one decision look at, as plain data."""

    kind: str
    source: str
    staff_type: str
    gender: str
    date_of_birth: dt.date
    effective_on: dt.date
    post: str = ""
    grade_match: RuleResult | None = None  # staff.rules.check_grade_match
    discipline: RuleResult | None = None  # discipline_bars on the decision date
    months_in_post: int | None = None  # None: no current post (first appointment)
    in_succession_plan: bool = False
    votes: tuple[VoteFacts, ...] = ()
    ends_on: dt.date | None = None  # a secondment's or rotation's planned end


@dataclass(frozen=True)
class EvaluatedRule:
    """One rule as evaluated at decision time (a line of the snapshot)."""

    rule: str
    ok: bool
    blocking: bool
    code: str
    message: str
    citation: str

    @classmethod
    def of(cls, rule: str, result: RuleResult, *, blocking: bool = True):
        return cls(
            rule, result.ok, blocking, result.code, str(result.message), result.citation
        )

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Eligibility:
    rules: tuple[EvaluatedRule, ...]
    retires_on: dt.date
    term_end_on: dt.date | None

    @property
    def ok(self) -> bool:
        return all(rule.ok for rule in self.rules if rule.blocking)

    @property
    def failures(self) -> list[EvaluatedRule]:
        return [rule for rule in self.rules if rule.blocking and not rule.ok]

    @property
    def had_discipline_bar(self) -> bool:
        return any(r.rule == "discipline" and not r.ok for r in self.rules)


def evaluate_appointment(
    facts: AppointmentFacts, params: Parameters = DEFAULTS
) -> Eligibility:
    """Evaluate every rule that applies to a decision of this kind."""
    schedule = params.retirement.get(facts.gender) or DEFAULT_RETIREMENT["M"]
    retires = retirement_on(facts.date_of_birth, schedule)
    rules: list[EvaluatedRule] = []
    kind = facts.kind

    if kind in POSITION_KINDS and facts.grade_match is not None:
        rules.append(EvaluatedRule.of("grade_match", facts.grade_match))
    if kind in FULL_TERM_KINDS:
        rules.append(
            EvaluatedRule.of(
                "full_term",
                check_full_term(
                    effective_on=facts.effective_on,
                    retires_on=retires,
                    years=params.term_years,
                ),
            )
        )
    if kind in BRANCH_KINDS:
        rules.append(
            EvaluatedRule.of(
                "extension_branch",
                check_extension_branch(
                    kind=kind,
                    term_starts_on=facts.effective_on,
                    retires_on=retires,
                    branch_years=params.extension_branch_years,
                ),
            )
        )
    if kind in DISCIPLINE_KINDS:
        discipline = facts.discipline
        if discipline is None:  # a RuleResult is falsy when refused: no `or`
            discipline = RuleResult.allow(
                "discipline.not_checked", _("Not checked."), DISCIPLINE_BAR_CITATION
            )
        rules.append(EvaluatedRule.of("discipline", discipline))
    if kind == "promotion" and facts.staff_type == "vien_chuc":
        rules.append(
            EvaluatedRule.of(
                "min_tenure",
                check_min_tenure(
                    months_held=facts.months_in_post,
                    required=params.min_tenure_months,
                ),
            )
        )
    if kind in SUCCESSION_KINDS and facts.source == "internal":
        rules.append(
            EvaluatedRule.of(
                "succession_plan",
                check_succession_plan(
                    in_plan=facts.in_succession_plan, post=facts.post
                ),
            )
        )
    if kind in VOTE_KINDS:
        if not facts.votes:
            rules.append(
                EvaluatedRule.of(
                    "vote",
                    RuleResult.refuse(
                        "vote.missing",
                        _("No vote of the leadership collective is recorded."),
                        VOTE_CITATION,
                    ),
                )
            )
        for index, vote in enumerate(facts.votes, start=1):
            rules.append(
                EvaluatedRule.of(
                    f"vote:{index}:{vote.step}",
                    vote_outcome(
                        members_total=vote.members_total,
                        present=vote.present,
                        votes_for=vote.votes_for,
                        head_decision=vote.head_decision,
                    ),
                )
            )
    if kind == "secondment":
        rules.append(
            EvaluatedRule.of(
                "secondment_length",
                check_secondment_length(
                    effective_on=facts.effective_on,
                    ends_on=facts.ends_on,
                    max_years=params.secondment_max_years,
                ),
                blocking=False,
            )
        )

    if kind in TERM_KINDS:
        term_end = term_end_on(facts.effective_on, years=params.term_years)
    elif kind == "extension_to_retirement":
        term_end = retires
    else:
        term_end = facts.ends_on
    return Eligibility(tuple(rules), retires, term_end)
