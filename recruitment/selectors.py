"""Reads over recruitment and appointments: the rule parameters in force, merit
lists, council checks, public disclosure, term-end alerts and inspection scopes.

Each runs a fixed number of queries whatever the number of rows; list pages get
querysets so they can paginate.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from hrms.ledger import VerifyResult, verify_chain
from hrms.privacy import mask_national_id
from hrms.rules import RuleResult
from positions.models import OrgUnit
from recruitment import rules
from recruitment.models import (
    Application,
    AppointmentDecision,
    ConflictDeclaration,
    ConflictHint,
    CouncilMember,
    DriveVacancy,
    Finding,
    InspectionCase,
    RecruitmentDrive,
    RecruitmentSetting,
    RetirementAgeRule,
    RotationPolicy,
    TieBreakDecision,
)
from staff.models import Assignment

# Decisions that start a term someone must later renew, extend or end.
TERM_DECISION_KINDS = ("appointment", "reappointment", "promotion")
TERM_END_KINDS = (*TERM_DECISION_KINDS, "extension_to_retirement")


# Parameters -----------------------------------------------------------------


def rule_parameters(on: dt.date | None = None) -> rules.Parameters:
    """The configurable numbers in force on a date (two small queries)."""
    on = on or timezone.localdate()
    setting = RecruitmentSetting.objects.valid_on(on).order_by("-valid_from").first()
    values = {}
    if setting is not None:
        for name in rules.Parameters.__dataclass_fields__:
            if name != "retirement":
                values[name] = getattr(setting, name)
    retirement = dict(rules.DEFAULT_RETIREMENT)
    for row in RetirementAgeRule.objects.valid_on(on).order_by("valid_from"):
        retirement[row.gender] = rules.RetirementSchedule(
            start_year=row.start_year,
            before_age_months=row.before_age_months,
            start_age_months=row.start_age_months,
            step_months=row.step_months,
            final_age_months=row.final_age_months,
            citation=row.citation,
        )
    return rules.Parameters(**values, retirement=retirement)


# Merit lists ----------------------------------------------------------------


def passed_round_1(application: Application, drive: RecruitmentDrive) -> bool:
    """Eligible, and for an exam at least 50% correct in round 1."""
    if application.eligibility != Application.Eligibility.ELIGIBLE:
        return False
    if drive.method == RecruitmentDrive.Method.EXAM:
        return (
            application.round_1_percent is not None
            and application.round_1_percent >= rules.ROUND_1_PASS_PERCENT
        )
    return True


def score_line(
    application: Application, drive: RecruitmentDrive, *, refill: bool
) -> rules.ScoreLine:
    return rules.ScoreLine(
        application_id=application.pk,
        is_eligible=passed_round_1(application, drive),
        round_2_score=application.round_2_score,
        written=application.round_2_written,
        interview=application.round_2_interview,
        priority_points=application.priority_points,
        # Without `refill`, a cancelled admission keeps its seat until the head
        # admits the next-ranked candidate (services.admit_next_ranked).
        is_cancelled=refill and application.result == Application.Result.CANCELLED,
    )


@dataclass
class VacancyMerit:
    vacancy: DriveVacancy
    merit: rules.MeritList
    applications: dict[int, Application]

    @property
    def rows(self) -> list[tuple[Application, rules.MeritLine]]:
        """Best first: (application, its line of the merit list)."""
        return [(self.applications[x.application_id], x) for x in self.merit.lines]


def merit_lists(
    drives: Iterable[RecruitmentDrive], *, refill: bool = False
) -> dict[int, list[VacancyMerit]]:
    """The merit list of every position of many drives, as the rules rank them
    now: three queries whatever their number. `refill=True` leaves cancelled
    admissions out of the seats (what `admit_next_ranked` applies)."""
    drives = {drive.pk: drive for drive in drives}
    vacancies = list(
        DriveVacancy.objects.filter(drive_id__in=drives)
        .select_related("position__unit")
        .order_by("drive_id", "position__code")
    )
    by_vacancy: dict[int, list[Application]] = defaultdict(list)
    for application in Application.objects.filter(drive_id__in=drives).order_by("pk"):
        by_vacancy[application.vacancy_id].append(application)
    orders: dict[int, list[list[int]]] = defaultdict(list)
    for vacancy_id, order in (
        TieBreakDecision.objects.filter(vacancy__drive_id__in=drives)
        .order_by("pk")
        .values_list("vacancy_id", "ordered_applications")
    ):
        orders[vacancy_id].append([int(x) for x in order])
    result: dict[int, list[VacancyMerit]] = {pk: [] for pk in drives}
    for vacancy in vacancies:
        drive = drives[vacancy.drive_id]
        applications = by_vacancy.get(vacancy.pk, [])
        merit = rules.rank_candidates(
            [score_line(a, drive, refill=refill) for a in applications],
            quota=vacancy.number,
            tie_orders=orders.get(vacancy.pk, ()),
        )
        result[drive.pk].append(
            VacancyMerit(vacancy, merit, {a.pk: a for a in applications})
        )
    return result


def merit_list(drive: RecruitmentDrive, *, refill: bool = False) -> list[VacancyMerit]:
    """The merit list of every position of one drive (see `merit_lists`)."""
    return merit_lists([drive], refill=refill)[drive.pk]


# Council --------------------------------------------------------------------


@dataclass
class CouncilCheck:
    """Whether a drive's council may run the rounds, with every reason."""

    sitting: list[CouncilMember]
    results: list[RuleResult] = field(default_factory=list)
    open_hints: list[ConflictHint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results) and not self.open_hints

    @property
    def refusals(self) -> list[RuleResult]:
        return [result for result in self.results if not result.ok]


def council_check(
    drive: RecruitmentDrive, *, on: dt.date | None = None
) -> CouncilCheck:
    """Size and roles, declarations against every candidate, relations, discipline
    bars on `on` (default: the council's decision date) and open hints."""
    council = getattr(drive, "council", None)
    if council is None:
        return CouncilCheck([], [rules.council_missing()])
    on = on or council.decided_on
    sitting = list(
        CouncilMember.objects.sitting().filter(council=council).order_by("pk")
    )
    results = [
        rules.check_council_size(len(sitting)),
        rules.check_council_roles([m.role for m in sitting]),
    ]
    applications = dict(
        Application.objects.filter(drive=drive).values_list("pk", "full_name")
    )
    declared: dict[int, dict[int, str]] = defaultdict(dict)
    for member_id, application_id, relation in ConflictDeclaration.objects.filter(
        member__in=sitting
    ).values_list("member_id", "application_id", "relation"):
        declared[member_id][application_id] = relation
    for member in sitting:
        missing = set(applications) - set(declared[member.pk])
        if missing:
            results.append(rules.declarations_missing(member.full_name, len(missing)))
        for application_id, relation in declared[member.pk].items():
            verdict = rules.check_relation(
                relation,
                member=member.full_name,
                candidate=applications.get(application_id, ""),
            )
            if not verdict.ok:
                results.append(verdict)
    employees = {m.employee_id: m for m in sitting if m.employee_id}
    for employee_id, verdict in rules.discipline_bars_for(employees, on).items():
        if not verdict.ok:
            results.append(
                rules.member_barred(employees[employee_id].full_name, verdict)
            )
    hints = list(
        ConflictHint.objects.filter(
            member__in=sitting, status=ConflictHint.Status.OPEN
        ).select_related("member", "application")
    )
    return CouncilCheck(sitting, results, hints)


# Public disclosure ----------------------------------------------------------


def public_drives() -> QuerySet:
    """Announced drives (never drafts), newest notice first, with their seats."""
    return (
        RecruitmentDrive.objects.announced()
        .select_related("unit")
        .prefetch_related(
            Prefetch(
                "vacancies",
                queryset=DriveVacancy.objects.select_related("position").order_by(
                    "position__code"
                ),
            ),
            "notice_channels",
        )
        .order_by("-published_on", "-pk")
    )


@dataclass(frozen=True)
class PublicResult:
    position_code: str
    position_title: str
    number: str
    full_name: str
    masked_national_id: str
    date_of_birth: dt.date
    round_2_score: Decimal | None
    priority_points: Decimal
    total_score: Decimal | None
    rank: int | None
    result: str
    result_label: str


def public_results(drive: RecruitmentDrive) -> list[PublicResult]:
    """The published results of a drive, IDs masked; empty before publication."""
    if not drive.has_results or drive.status == RecruitmentDrive.Status.DRAFT:
        return []
    rows = (
        Application.objects.filter(drive=drive)
        .exclude(result=Application.Result.PENDING)
        .select_related("vacancy__position")
        .order_by("vacancy__position__code", F("rank").asc(nulls_last=True), "number")
    )
    return [
        PublicResult(
            position_code=a.vacancy.position.code,
            position_title=a.vacancy.position.title,
            number=a.number,
            full_name=a.full_name,
            masked_national_id=mask_national_id(a.national_id),
            date_of_birth=a.date_of_birth,
            round_2_score=a.round_2_score,
            priority_points=a.priority_points,
            total_score=a.total_score,
            rank=a.rank,
            result=a.result,
            result_label=str(a.get_result_display()),
        )
        for a in rows
    ]


def _later_decision(field: str = "effective_on"):
    return AppointmentDecision.objects.filter(
        employee=OuterRef("employee"), effective_on__gt=OuterRef(field)
    )


def decisions_in_force(
    on: dt.date | None = None, *, unit: OrgUnit | None = None
) -> QuerySet:
    """Appointment decisions in force on a date: effective, term not over, and no
    later decision about the same person (public page, newest first)."""
    on = on or timezone.localdate()
    queryset = (
        AppointmentDecision.objects.filter(effective_on__lte=on)
        .exclude(kind__in=["removal", "resignation_from_post"])
        .filter(Q(term_end_on__isnull=True) | Q(term_end_on__gte=on))
        .exclude(
            Exists(
                AppointmentDecision.objects.filter(
                    employee=OuterRef("employee"),
                    effective_on__gt=OuterRef("effective_on"),
                    effective_on__lte=on,
                )
            )
        )
        .select_related("employee", "unit", "position_to", "position_from")
        .order_by("-effective_on", "-pk")
    )
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    return queryset


# Term-end alerts ------------------------------------------------------------


def reappointments_due(
    on: dt.date | None = None,
    *,
    within_days: int | None = None,
    unit: OrgUnit | None = None,
) -> QuerySet:
    """Terms ending within `within_days` (default 90) with no later decision yet:
    the competent level must start re-appointment or extension."""
    on = on or timezone.localdate()
    if within_days is None:
        within_days = rule_parameters(on).reappointment_notice_days
    queryset = (
        AppointmentDecision.objects.filter(
            kind__in=TERM_DECISION_KINDS,
            term_end_on__gte=on,
            term_end_on__lte=on + dt.timedelta(days=within_days),
            employee__status="active",
        )
        .exclude(Exists(_later_decision()))
        .select_related("employee", "unit", "position_to")
        .order_by("term_end_on", "pk")
    )
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    return queryset


@dataclass(frozen=True)
class RotationDue:
    assignment: Assignment
    policy: RotationPolicy
    due_on: dt.date

    @property
    def is_overdue(self) -> bool:
        return self.due_on < timezone.localdate()


def rotations_due(
    on: dt.date | None = None,
    *,
    within_days: int = 90,
    unit: OrgUnit | None = None,
) -> list[RotationDue]:
    """Holders of posts under periodic rotation whose period ends by `on` +
    `within_days` (overdue ones included), soonest first. One query."""
    on = on or timezone.localdate()
    policies = RotationPolicy.objects.filter(position=OuterRef("position"))
    assignments = (
        Assignment.objects.active_on(on)
        .filter(Exists(policies))
        .select_related("employee", "position__unit", "position__rotation_policy")
    )
    if unit is not None:
        assignments = assignments.filter(position__unit__path__startswith=unit.path)
    horizon = on + dt.timedelta(days=within_days)
    due = []
    for assignment in assignments:
        policy = assignment.position.rotation_policy
        due_on = rules.add_years(assignment.starts_on, policy.period_years)
        if due_on <= horizon:
            due.append(RotationDue(assignment, policy, due_on))
    return sorted(due, key=lambda row: (row.due_on, row.assignment.pk))


# Inspection -----------------------------------------------------------------


@dataclass
class ScopedRecord:
    object_type: str
    object_id: str
    label: str
    on: dt.date | None
    unit_code: str
    flags: list = field(default_factory=list)

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class InspectionScope:
    case: InspectionCase
    drives: list[ScopedRecord]
    decisions: list[ScopedRecord]
    other_flags: list  # flags on records of other kinds (hires over quota, ledger)

    @property
    def records(self) -> list[ScopedRecord]:
        return self.drives + self.decisions

    @property
    def flagged(self) -> list[ScopedRecord]:
        return [record for record in self.records if record.is_flagged]

    @property
    def unflagged(self) -> list[ScopedRecord]:
        return [record for record in self.records if not record.is_flagged]


def _drive_on(drive: RecruitmentDrive) -> dt.date:
    return drive.published_on or timezone.localdate(drive.created_at)


def records_in_scope(case: InspectionCase) -> InspectionScope:
    """Drives and appointment decisions of the case's unit subtree in its period,
    each with its red flags; flags on the drives' applications, councils and
    vacancies are attached to the drive. A drive is in the period when its notice
    (or, for a draft, its creation) falls in it; a decision by its decision date.
    """
    from recruitment import flags as red_flags

    unit = case.unit
    period = (case.period_from, case.period_to)
    drives = list(
        RecruitmentDrive.objects.in_subtree(unit)
        .filter(
            Q(published_on__range=period)
            | Q(published_on__isnull=True, created_at__date__range=period)
        )
        .select_related("unit")
    )
    decisions = list(
        AppointmentDecision.objects.in_subtree(unit)
        .filter(decided_on__gte=case.period_from, decided_on__lte=case.period_to)
        .select_related("unit", "employee")
    )
    drive_ids = {drive.pk for drive in drives}
    owner = _drive_owners(drive_ids)
    drive_records = {
        drive.pk: ScopedRecord(
            "recruitment.recruitmentdrive",
            str(drive.pk),
            str(drive),
            _drive_on(drive),
            drive.unit.code,
        )
        for drive in drives
    }
    decision_records = {
        decision.pk: ScopedRecord(
            "recruitment.appointmentdecision",
            str(decision.pk),
            f"{decision} · {decision.employee.full_name}",
            decision.decided_on,
            decision.unit.code,
        )
        for decision in decisions
    }
    others = []
    for flag in red_flags.all_flags(unit=unit):
        key = (flag.object_type, flag.object_id)
        drive_id = owner.get(key)
        if flag.object_type == "recruitment.recruitmentdrive":
            drive_id = int(flag.object_id)
        if drive_id in drive_records:
            drive_records[drive_id].flags.append(flag)
        elif flag.object_type == "recruitment.appointmentdecision":
            record = decision_records.get(int(flag.object_id))
            if record is not None:
                record.flags.append(flag)
        elif flag.on is None or case.period_from <= flag.on <= case.period_to:
            if (
                flag.object_type
                not in (
                    "recruitment.recruitmentdrive",
                    "recruitment.appointmentdecision",
                )
                and key not in owner
            ):
                others.append(flag)
    return InspectionScope(
        case,
        sorted(drive_records.values(), key=lambda r: (r.on, r.object_id)),
        sorted(decision_records.values(), key=lambda r: (r.on, r.object_id)),
        others,
    )


def _drive_owners(drive_ids: set[int]) -> dict[tuple[str, str], int]:
    """(object type, id) of a drive's applications, vacancies and council seats."""
    owners: dict[tuple[str, str], int] = {}
    for pk, drive_id in Application.objects.filter(drive_id__in=drive_ids).values_list(
        "pk", "drive_id"
    ):
        owners[("recruitment.application", str(pk))] = drive_id
    for pk, drive_id in DriveVacancy.objects.filter(drive_id__in=drive_ids).values_list(
        "pk", "drive_id"
    ):
        owners[("recruitment.drivevacancy", str(pk))] = drive_id
    for pk, drive_id in CouncilMember.objects.filter(
        council__drive_id__in=drive_ids
    ).values_list("pk", "council__drive_id"):
        owners[("recruitment.councilmember", str(pk))] = drive_id
    return owners


@dataclass
class InspectionReport:
    case: InspectionCase
    findings: list[Finding]
    scope: InspectionScope
    ledger: VerifyResult


def inspection_report(case: InspectionCase) -> InspectionReport:
    """What the PDF report shows: findings, the records in scope with their flags
    (the evidence list) and the ledger verification result."""
    findings = list(Finding.objects.filter(case=case).order_by("pk"))
    return InspectionReport(case, findings, records_in_scope(case), verify_chain())
