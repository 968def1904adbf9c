"""Red flags for inspectors: named rules over recruitment, hires and appointments.

Each rule is a function registered with `@flag_rule(code, title, citation)` that
takes a `FlagContext` and yields `Flag`s. Rules read sets of rows (a fixed number
of queries each, never one per record) and decide with recruitment/rules.py, so a
flag and a service refusal give the same reason. `all_flags(unit=None)` yields
every flag, narrowed to a unit's subtree when given; the ledger flag has no unit
and is always included.

Flags are computed, never stored: a record stops being flagged once fixed, and
the audit ledger keeps what was decided.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.apps import apps
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hrms.ledger import verify_since_checkpoint
from hrms.models import LedgerEntry
from positions.models import OrgUnit
from recruitment import rules, selectors
from recruitment.models import (
    Application,
    AppointmentDecision,
    ConflictDeclaration,
    ConflictHint,
    CouncilMember,
    DriveVacancy,
    NoticeChannel,
    RecruitmentDrive,
    RemarkRequest,
    VoteRecord,
)
from staff.models import Assignment
from staff.rules import QUOTA_CITATION

LEDGER_CITATION = (
    "Audit ledger (DESIGN.md §3): entries are append-only and hash-chained"
)
REPEAT_CITATION = (
    "Decree 170/2025/NĐ-CP Art 8; Decree 59/2019/NĐ-CP (corruption-prevention "
    "rotation): the same person on many councils of one unit is a risk indicator"
)
SINGLE_APPLICANT_CITATION = (
    "Decree 170/2025/NĐ-CP (competitive, public recruitment): repeated drives with "
    "a single applicant are a risk indicator"
)
TERM_EXPIRED_CITATION = rules.TERM_CITATION + "; " + rules.EXTENSION_CITATION

DRIVE = "recruitment.recruitmentdrive"
APPLICATION = "recruitment.application"
MEMBER = "recruitment.councilmember"
VACANCY = "recruitment.drivevacancy"
DECISION = "recruitment.appointmentdecision"
ASSIGNMENT = "staff.assignment"
LEDGER = "hrms.ledgerentry"

# Drives whose council has run (or should have run) the rounds.
COUNCIL_RAN = ("round_1", "round_2", "results", "completed")
# Drives past the application window: their applicant count is final.
WINDOW_CLOSED = ("applications_closed", *COUNCIL_RAN)


@dataclass(frozen=True)
class Flag:
    code: str
    object_type: str
    object_id: str
    object_label: str
    message: str
    citation: str
    unit_code: str
    on: dt.date | None = None  # the date of the flagged fact, for period filters

    def as_dict(self) -> dict:
        data = asdict(self)
        data["on"] = self.on.isoformat() if self.on else None
        return data


@dataclass
class FlagContext:
    unit: OrgUnit | None
    on: dt.date
    params: rules.Parameters

    def scope(self, queryset, unit_field: str):
        if self.unit is None:
            return queryset
        return queryset.filter(**{f"{unit_field}__path__startswith": self.unit.path})

    # Row sets several rules read: fetched once per context (one query each),
    # so the page costs a fixed number of queries however many rules use them.

    @cached_property
    def announced_drives(self) -> list[dict]:
        """The announced drives (model order), with their applicant count and
        sitting council size."""
        applicants = (
            Application.objects.filter(drive=OuterRef("pk"))
            .order_by()
            .values("drive")
            .annotate(n=Count("pk"))
            .values("n")
        )
        sitting = (
            CouncilMember.objects.filter(
                council__drive=OuterRef("pk"), removed_on__isnull=True
            )
            .order_by()
            .values("council")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return list(
            _announced(self)
            .annotate(
                applicants=Coalesce(
                    Subquery(applicants, output_field=IntegerField()), 0
                ),
                sitting=Coalesce(Subquery(sitting, output_field=IntegerField()), 0),
            )
            .values(
                "pk",
                "code",
                "title",
                "unit_id",
                "unit__code",
                "published_on",
                "applications_open_on",
                "applications_close_on",
                "status",
                "applicants",
                "sitting",
            )
        )

    @cached_property
    def sitting_members(self) -> list[CouncilMember]:
        """The sitting council members in scope (model order), with their
        council, drive and unit."""
        return list(_sitting_members(self))

    @cached_property
    def drives_with_results(self) -> list[RecruitmentDrive]:
        """The announced drives whose results are published (model order)."""
        return list(_announced(self).with_results().select_related("unit"))

    @cached_property
    def discipline_verdicts(self) -> dict:
        """discipline_bars of the sitting members on their council's date and of
        the people of position decisions on the decision date: one batch for
        both rules."""
        pairs = [
            (m.employee_id, m.council.decided_on)
            for m in self.sitting_members
            if m.employee_id is not None
        ]
        pairs += [
            (d["employee_id"], d["decided_on"])
            for d in self.decisions
            if d["kind"] in rules.DISCIPLINE_KINDS
        ]
        return _bars_on_dates(pairs)

    @cached_property
    def decisions(self) -> list[dict]:
        """The appointment decisions in scope (model order)."""
        return list(
            _decisions(self).values(
                *_DECISION_COLUMNS,
                "employee_id",
                "is_eligible",
                "override_reason",
                "eligibility_snapshot",
                "had_discipline_bar",
            )
        )


@dataclass(frozen=True)
class FlagRule:
    code: str
    title: str
    citation: str
    function: Callable[[FlagContext], Iterable[Flag]]


RULES: list[FlagRule] = []


def flag_rule(code: str, title: str, citation: str):
    """Register a red-flag rule under a stable code."""

    def register(function):
        RULES.append(FlagRule(code, title, citation, function))
        function.code = code
        return function

    return register


def all_flags(
    unit: OrgUnit | None = None,
    *,
    on: dt.date | None = None,
    codes: Iterable[str] | None = None,
) -> Iterator[Flag]:
    """Every red flag (optionally of some rules), within a unit's subtree."""
    on = on or timezone.localdate()
    context = FlagContext(unit, on, selectors.rule_parameters(on))
    wanted = set(codes) if codes is not None else None
    for rule in RULES:
        if wanted is None or rule.code in wanted:
            yield from rule.function(context)


def _drive_label(code: str, title: str) -> str:
    return f"{code} – {title}"


def _announced(context: FlagContext):
    drives = RecruitmentDrive.objects.exclude(status="draft").filter(
        published_on__isnull=False
    )
    return context.scope(drives, "unit")


# Notices --------------------------------------------------------------------


@flag_rule(
    "notice.window_short",
    gettext_lazy("Application window under 30 days"),
    rules.WINDOW_CITATION,
)
def notice_window_short(context: FlagContext) -> Iterator[Flag]:
    rows = (
        (
            d["pk"],
            d["code"],
            d["title"],
            d["unit__code"],
            d["published_on"],
            d["applications_open_on"],
            d["applications_close_on"],
        )
        for d in context.announced_drives
    )
    for pk, code, title, unit_code, published, opens, closes in rows:
        verdict = rules.check_application_window(
            published, opens, closes, min_days=context.params.notice_window_days
        )
        if not verdict.ok:
            yield Flag(
                "notice.window_short",
                DRIVE,
                str(pk),
                _drive_label(code, title),
                verdict.message,
                verdict.citation,
                unit_code,
                published,
            )


@flag_rule(
    "notice.channel_missing",
    gettext_lazy("Notice missing a publication channel"),
    rules.NOTICE_CITATION,
)
def notice_channel_missing(context: FlagContext) -> Iterator[Flag]:
    drives = context.announced_drives
    channels: dict[int, set[str]] = defaultdict(set)
    if drives:
        for drive_id, channel in NoticeChannel.objects.filter(
            drive_id__in=[d["pk"] for d in drives]
        ).values_list("drive_id", "channel"):
            channels[drive_id].add(channel)
    for pk, code, title, unit_code, published in (
        (d["pk"], d["code"], d["title"], d["unit__code"], d["published_on"])
        for d in drives
    ):
        verdict = rules.check_notice_channels(channels.get(pk, ()))
        if not verdict.ok:
            yield Flag(
                "notice.channel_missing",
                DRIVE,
                str(pk),
                _drive_label(code, title),
                verdict.message,
                verdict.citation,
                unit_code,
                published,
            )


@flag_rule(
    "drive.position_not_vacant",
    gettext_lazy("Drive filling a position that was not vacant"),
    rules.VACANCY_CITATION,
)
def drive_position_not_vacant(context: FlagContext) -> Iterator[Flag]:
    """Seats asked for beyond the free seats on the notice date."""
    held = (
        Assignment.objects.filter(
            position=OuterRef("position"),
            starts_on__lte=OuterRef("drive__published_on"),
        )
        .filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("drive__published_on"))
        )
        .order_by()
        .values("position")
        .annotate(n=Count("pk"))
        .values("n")
    )
    vacancies = (
        DriveVacancy.objects.filter(drive__in=_announced(context))
        .annotate(filled=Coalesce(Subquery(held, output_field=IntegerField()), 0))
        .values_list(
            "drive_id",
            "drive__code",
            "drive__title",
            "drive__unit__code",
            "drive__published_on",
            "position__code",
            "position__headcount",
            "position__is_active",
            "number",
            "filled",
        )
    )
    for row in vacancies:
        drive_id, code, title, unit_code, published = row[:5]
        position, headcount, is_active, number, filled = row[5:]
        vacant = max(headcount - filled, 0) if is_active else 0
        verdict = rules.check_vacancy(position, number, vacant)
        if not verdict.ok:
            yield Flag(
                "drive.position_not_vacant",
                DRIVE,
                str(drive_id),
                _drive_label(code, title),
                verdict.message,
                verdict.citation,
                unit_code,
                published,
            )


@flag_rule(
    "drive.single_applicant_repeated",
    gettext_lazy("Repeated drives with a single applicant"),
    SINGLE_APPLICANT_CITATION,
)
def drive_single_applicant_repeated(context: FlagContext) -> Iterator[Flag]:
    """Drives of one unit, each with one applicant, several within the window."""
    threshold = context.params.single_applicant_drives
    months = context.params.single_applicant_months
    rows = [
        (d["pk"], d["code"], d["title"], d["unit__code"], d["published_on"])
        for d in sorted(
            context.announced_drives,
            key=lambda d: (d["unit_id"], d["published_on"], d["pk"]),
        )
        if d["status"] in WINDOW_CLOSED and d["applicants"] == 1
    ]
    by_unit: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_unit[row[3]].append(row)
    for unit_code, drives in by_unit.items():
        for pk, code, title, _unit, published, window in _clusters(
            drives, date_index=4, months=months, threshold=threshold
        ):
            yield Flag(
                "drive.single_applicant_repeated",
                DRIVE,
                str(pk),
                _drive_label(code, title),
                _(
                    "%(count)s drives of %(unit)s within %(months)s months had a "
                    "single applicant each (%(codes)s)."
                )
                % {
                    "count": len(window),
                    "unit": unit_code,
                    "months": months,
                    "codes": ", ".join(row[1] for row in window),
                },
                SINGLE_APPLICANT_CITATION,
                unit_code,
                published,
            )


def _clusters(rows: list[tuple], *, date_index: int, months: int, threshold: int):
    """Rows (sorted by date) falling in a window of `months` holding at least
    `threshold` rows; each yielded once, with the largest such window."""
    best: dict[int, list[tuple]] = {}
    start = 0
    for end in range(len(rows)):
        limit = rules.add_months(rows[end][date_index], -months)
        while rows[start][date_index] <= limit:
            start += 1
        window = rows[start : end + 1]
        if len(window) >= threshold:
            for index in range(start, end + 1):
                if len(window) > len(best.get(index, ())):
                    best[index] = window
    for index in sorted(best):
        yield (*rows[index], best[index])


# Councils -------------------------------------------------------------------


@flag_rule(
    "council.size", gettext_lazy("Council not of 5 or 7"), rules.COUNCIL_CITATION
)
def council_size(context: FlagContext) -> Iterator[Flag]:
    rows = [
        (
            d["pk"],
            d["code"],
            d["title"],
            d["unit__code"],
            d["published_on"],
            d["sitting"],
        )
        # pk order: a grouped query has no model order (GROUP BY by drive).
        for d in sorted(context.announced_drives, key=lambda d: d["pk"])
        if d["status"] in COUNCIL_RAN
    ]
    for pk, code, title, unit_code, published, sitting in rows:
        verdict = rules.check_council_size(sitting)
        if not verdict.ok:
            yield Flag(
                "council.size",
                DRIVE,
                str(pk),
                _drive_label(code, title),
                verdict.message,
                verdict.citation,
                unit_code,
                published,
            )


def _member_flag(code: str, member: CouncilMember, message: str) -> Flag:
    drive = member.council.drive
    return Flag(
        code,
        MEMBER,
        str(member.pk),
        f"{member.full_name} · {drive.code}",
        message,
        rules.CONFLICT_CITATION,
        drive.unit.code,
        member.council.decided_on,
    )


def _sitting_members(context: FlagContext):
    members = CouncilMember.objects.sitting().select_related("council__drive__unit")
    return context.scope(members, "council__drive__unit")


@flag_rule(
    "council.member_related",
    gettext_lazy("Council member related to a candidate"),
    rules.CONFLICT_CITATION,
)
def council_member_related(context: FlagContext) -> Iterator[Flag]:
    members = _sitting_members(context)
    declared = (
        ConflictDeclaration.objects.filter(
            member__in=members, relation__in=rules.BARRED_RELATIONS
        )
        .select_related("member__council__drive__unit", "application")
        .order_by("member_id", "application_id")
    )
    for row in declared:
        verdict = rules.check_relation(
            row.relation,
            member=row.member.full_name,
            candidate=row.application.full_name,
        )
        yield _member_flag("council.member_related", row.member, verdict.message)
    confirmed = (
        ConflictHint.objects.filter(
            member__in=members, status=ConflictHint.Status.CONFIRMED
        )
        .select_related("member__council__drive__unit")
        .order_by("member_id", "application_id")
    )
    for hint in confirmed:
        yield _member_flag(
            "council.member_related",
            hint.member,
            _("Relation confirmed by the chair but the member still sits: %(m)s")
            % {"m": hint.message},
        )


def _employees_with_cases(employee_ids: Iterable[int]) -> set[int]:
    """Employees with any discipline case: the only ones worth evaluating."""
    ids = set(employee_ids)
    try:
        case_model = apps.get_model("staff", "DisciplineCase")
    except LookupError:
        return ids
    return set(
        case_model.objects.filter(employee_id__in=ids)
        .values_list("employee_id", flat=True)
        .distinct()
    )


def _bars_on_dates(pairs: Iterable[tuple[int, dt.date]]) -> dict:
    """discipline_bars for (employee, date) pairs: one batch per distinct date,
    run only for employees who have a discipline case at all."""
    pairs = list(pairs)
    suspects = _employees_with_cases(pk for pk, _on in pairs)
    by_date: dict[dt.date, set[int]] = defaultdict(set)
    for pk, on in pairs:
        if pk in suspects:
            by_date[on].add(pk)
    verdicts = {}
    for on, ids in by_date.items():
        for pk, verdict in rules.discipline_bars_for(ids, on).items():
            verdicts[(pk, on)] = verdict
    return verdicts


@flag_rule(
    "council.member_disciplined",
    gettext_lazy("Council member under discipline"),
    rules.CONFLICT_CITATION,
)
def council_member_disciplined(context: FlagContext) -> Iterator[Flag]:
    members = [m for m in context.sitting_members if m.employee_id is not None]
    verdicts = context.discipline_verdicts
    for member in members:
        verdict = verdicts.get((member.employee_id, member.council.decided_on))
        if verdict is not None and not verdict.ok:
            message = rules.member_barred(member.full_name, verdict).message
            yield _member_flag("council.member_disciplined", member, message)


@flag_rule(
    "council.member_repeated",
    gettext_lazy("Same council member across many drives of a unit"),
    REPEAT_CITATION,
)
def council_member_repeated(context: FlagContext) -> Iterator[Flag]:
    threshold = context.params.council_repeat_drives
    months = context.params.council_repeat_months
    members = sorted(
        context.sitting_members, key=lambda m: (m.council.decided_on, m.pk)
    )
    by_person: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for member in members:
        drive = member.council.drive
        key = (member.person_key, drive.unit.code)
        by_person[key].append((member, drive.code, member.council.decided_on))
    for (_person, unit_code), seats in by_person.items():
        flagged = list(
            _clusters(seats, date_index=2, months=months, threshold=threshold)
        )
        if not flagged:
            continue
        member, _code, decided_on, window = flagged[-1]
        yield Flag(
            "council.member_repeated",
            MEMBER,
            str(member.pk),
            f"{member.full_name} · {unit_code}",
            _(
                "%(name)s sat on %(count)s councils of %(unit)s within %(months)s "
                "months (%(codes)s)."
            )
            % {
                "name": member.full_name,
                "count": len(window),
                "unit": unit_code,
                "months": months,
                "codes": ", ".join(row[1] for row in window),
            },
            REPEAT_CITATION,
            unit_code,
            decided_on,
        )


# Results --------------------------------------------------------------------


@flag_rule(
    "results.winner_not_top",
    gettext_lazy("Winner not top-ranked within the seats"),
    rules.PASS_CITATION,
)
def results_winner_not_top(context: FlagContext) -> Iterator[Flag]:
    """Winners the rules would not seat: ranking recomputed from the scores."""
    drives = {drive.pk: drive for drive in context.drives_with_results}
    for drive_id, lists in selectors.merit_lists(drives.values(), refill=True).items():
        drive = drives[drive_id]
        for vacancy_merit in lists:
            expected = set(vacancy_merit.merit.winners)
            for application, line in vacancy_merit.rows:
                if application.result != Application.Result.WINNER:
                    continue
                if application.pk in expected:
                    continue
                yield Flag(
                    "results.winner_not_top",
                    APPLICATION,
                    str(application.pk),
                    f"{application.number} {application.full_name}",
                    _(
                        "Admitted to %(position)s (%(seats)s seats) although the "
                        "scores rank the candidate %(rank)s: %(reason)s"
                    )
                    % {
                        "position": vacancy_merit.vacancy.position.code,
                        "seats": vacancy_merit.vacancy.number,
                        "rank": line.rank or "–",
                        "reason": line.message,
                    },
                    rules.PASS_CITATION,
                    drive.unit.code,
                    drive.results_published_on,
                )


# A re-marking of a part accounts for changes of these fields.
_REMARK_FIELDS = {
    RemarkRequest.Part.ROUND_1: {"round_1_percent"},
    RemarkRequest.Part.ROUND_2_WRITTEN: {"round_2_written", "round_2_score"},
}


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@flag_rule(
    "results.score_changed",
    gettext_lazy("Score changed after publication without re-marking"),
    rules.REMARK_CITATION,
)
def results_score_changed(context: FlagContext) -> Iterator[Flag]:
    """Scores that differ from the last published snapshot in the ledger with no
    re-marking that changed that part."""
    drives = {drive.pk: drive.unit.code for drive in context.drives_with_results}
    published: dict[int, dict] = {}
    entries = LedgerEntry.objects.filter(
        object_type=DRIVE,
        object_id__in=[str(pk) for pk in drives],
        action__in=["recruitment.results_publish", "recruitment.results_revise"],
    ).order_by("seq")
    for payload in entries.values_list("payload", flat=True):
        for row in json.loads(payload).get("results", []):
            published[row["application"]] = row
    remarked: dict[int, set[str]] = defaultdict(set)
    for application_id, part in RemarkRequest.objects.filter(
        application__drive_id__in=drives, outcome=RemarkRequest.Outcome.CHANGED
    ).values_list("application_id", "part"):
        remarked[application_id] |= _REMARK_FIELDS.get(part, set())
    fields = (
        "round_1_percent",
        "round_2_written",
        "round_2_interview",
        "round_2_score",
    )
    rows = Application.objects.filter(drive_id__in=drives).values_list(
        "pk", "number", "full_name", "drive_id", "drive__results_published_on", *fields
    )
    for pk, number, name, drive_id, published_on, *scores in rows:
        snapshot = published.get(pk)
        if snapshot is None:
            continue
        changed = [
            (field, _decimal(snapshot.get(field)), value)
            for field, value in zip(fields, scores, strict=True)
            if _decimal(snapshot.get(field)) != value and field not in remarked[pk]
        ]
        if changed:
            yield Flag(
                "results.score_changed",
                APPLICATION,
                str(pk),
                f"{number} {name}",
                _("Changed after publication without re-marking: %(changes)s.")
                % {
                    "changes": "; ".join(
                        f"{field} {old} → {new}" for field, old, new in changed
                    )
                },
                rules.REMARK_CITATION,
                drives[drive_id],
                published_on,
            )


@flag_rule("hire.over_quota", gettext_lazy("Hire over quota"), QUOTA_CITATION)
def hire_over_quota(context: FlagContext) -> Iterator[Flag]:
    rows = (
        context.scope(
            Assignment.objects.exclude(quota_override_reason=""), "position__unit"
        )
        .order_by("starts_on", "pk")
        .values_list(
            "pk",
            "employee__employee_code",
            "employee__full_name",
            "position__code",
            "position__unit__code",
            "starts_on",
            "quota_override_reason",
        )
    )
    for pk, code, name, position, unit_code, starts_on, reason in rows:
        yield Flag(
            "hire.over_quota",
            ASSIGNMENT,
            str(pk),
            f"{code} {name} → {position}",
            _("Assigned beyond the quota of %(position)s: %(reason)s")
            % {"position": position, "reason": reason},
            QUOTA_CITATION,
            unit_code,
            starts_on,
        )


# Appointments ---------------------------------------------------------------


def _decisions(context: FlagContext):
    return context.scope(AppointmentDecision.objects.all(), "unit")


def _decision_flag(code: str, row: tuple, message: str, citation: str) -> Flag:
    pk, number, kind, name, unit_code, decided_on = row
    label = AppointmentDecision.Kind(kind).label
    return Flag(
        code,
        DECISION,
        str(pk),
        f"{number} · {label} · {name}",
        message,
        citation,
        unit_code,
        decided_on,
    )


_DECISION_COLUMNS = (
    "pk",
    "decision_number",
    "kind",
    "employee__full_name",
    "unit__code",
    "decided_on",
)


@flag_rule(
    "appointment.override",
    gettext_lazy("Appointment with failed eligibility (override)"),
    rules.FULL_TERM_CITATION,
)
def appointment_override(context: FlagContext) -> Iterator[Flag]:
    rows = (
        (
            *(d[c] for c in _DECISION_COLUMNS),
            d["eligibility_snapshot"],
            d["override_reason"],
        )
        for d in context.decisions
        if d["is_eligible"] is False or d["override_reason"] != ""
    )
    for *row, snapshot, reason in rows:
        failed = [
            rule for rule in (snapshot or {}).get("rules", []) if not rule.get("ok")
        ]
        failed = [rule for rule in failed if rule.get("blocking", True)]
        citation = "; ".join(sorted({r["citation"] for r in failed})) or (
            rules.FULL_TERM_CITATION
        )
        yield _decision_flag(
            "appointment.override",
            tuple(row),
            _("Recorded despite failed rules (%(rules)s); override reason: %(reason)s")
            % {
                "rules": "; ".join(r["message"] for r in failed) or "–",
                "reason": reason or "–",
            },
            citation,
        )


@flag_rule(
    "appointment.vote_below_threshold",
    gettext_lazy("Appointment below the vote threshold"),
    rules.VOTE_CITATION,
)
def appointment_vote_below_threshold(context: FlagContext) -> Iterator[Flag]:
    decisions = [
        tuple(d[c] for c in _DECISION_COLUMNS)
        for d in context.decisions
        if d["kind"] in rules.VOTE_KINDS
    ]
    votes: dict[int, list] = defaultdict(list)
    for row in (
        VoteRecord.objects.filter(decision_id__in=[row[0] for row in decisions])
        .order_by("decision_id", "seq")
        .values_list(
            "decision_id", "step", "members_total", "present", "votes_for",
            "head_decision",
        )
    ):  # fmt: skip
        votes[row[0]].append(row[1:])
    for row in decisions:
        tallies = votes.get(row[0], [])
        if not tallies:
            yield _decision_flag(
                "appointment.vote_below_threshold",
                row,
                _("No vote of the leadership collective is recorded."),
                rules.VOTE_CITATION,
            )
            continue
        for step, total, present, votes_for, head in tallies:
            verdict = rules.vote_outcome(
                members_total=total,
                present=present,
                votes_for=votes_for,
                head_decision=head,
            )
            if not verdict.ok:
                yield _decision_flag(
                    "appointment.vote_below_threshold",
                    row,
                    f"{VoteRecord.Step(step).label}: {verdict.message}",
                    verdict.citation,
                )
                break


@flag_rule(
    "appointment.discipline",
    gettext_lazy("Appointment while a discipline bar or open case applied"),
    rules.DISCIPLINE_BAR_CITATION,
)
def appointment_discipline(context: FlagContext) -> Iterator[Flag]:
    """The bar recorded at decision time, or one the discipline records show now
    for the decision date (a case recorded later, or a decision entered by hand)."""
    rows = [
        (
            *(d[c] for c in _DECISION_COLUMNS),
            d["employee_id"],
            d["had_discipline_bar"],
        )
        for d in context.decisions
        if d["kind"] in rules.DISCIPLINE_KINDS
    ]
    verdicts = context.discipline_verdicts
    for *row, employee_id, had_bar in rows:
        verdict = verdicts.get((employee_id, row[5]))
        if had_bar or (verdict is not None and not verdict.ok):
            message = (
                verdict.message
                if verdict is not None and not verdict.ok
                else _("A discipline bar was recorded at decision time.")
            )
            yield _decision_flag(
                "appointment.discipline",
                tuple(row),
                message,
                rules.DISCIPLINE_BAR_CITATION,
            )


@flag_rule(
    "appointment.term_expired",
    gettext_lazy("Term expired without re-appointment or extension"),
    TERM_EXPIRED_CITATION,
)
def appointment_term_expired(context: FlagContext) -> Iterator[Flag]:
    later = AppointmentDecision.objects.filter(
        employee=OuterRef("employee"), effective_on__gt=OuterRef("effective_on")
    )
    rows = (
        _decisions(context)
        .filter(
            kind__in=selectors.TERM_END_KINDS,
            term_end_on__lt=context.on,
            employee__status="active",
        )
        .exclude(Exists(later))
        .values_list(*_DECISION_COLUMNS, "term_end_on")
    )
    for *row, term_end_on in rows:
        yield _decision_flag(
            "appointment.term_expired",
            tuple(row),
            _(
                "The term ended on %(date)s and no re-appointment, extension or "
                "other decision followed."
            )
            % {"date": term_end_on.strftime("%d/%m/%Y")},
            TERM_EXPIRED_CITATION,
        )


# Ledger ---------------------------------------------------------------------


@flag_rule("ledger.broken", gettext_lazy("Ledger chain broken"), LEDGER_CITATION)
def ledger_broken(context: FlagContext) -> Iterator[Flag]:
    # Since the last full verification (verify_ledger, run nightly): a page view
    # must not re-hash a million entries.
    result = verify_since_checkpoint()
    if not result.ok:
        yield Flag(
            "ledger.broken",
            LEDGER,
            str(result.broken_seq),
            f"#{result.broken_seq}",
            _("The audit ledger is broken at entry #%(seq)s: %(reason)s")
            % {"seq": result.broken_seq, "reason": result.reason},
            LEDGER_CITATION,
            "",
            None,
        )


def summary(flags: Iterable[Flag]) -> Counter:
    """Number of flags per code (dashboards)."""
    return Counter(flag.code for flag in flags)
