"""Drives, notices and applications: the notice and its proof, the workflow,
applications, round-1 outcomes and scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrms import ledger
from hrms.rules import check_version
from positions.models import JobPosition, OrgUnit
from positions.selectors import vacancies as vacant_positions
from recruitment import rules, selectors
from recruitment.models import (
    Application,
    DriveVacancy,
    NoticeChannel,
    RecruitmentDrive,
    RemarkRequest,
    ScoreChange,
)
from recruitment.services._base import (
    DRAFT_FIELDS,
    SCHEDULE_FIELDS,
    SCORE_FIELDS,
    Status,
    _bump,
    _d,
    _fail,
    _lock_drive,
    _refuse,
    _require_status,
)
from staff import rules as staff_rules


@transaction.atomic
def create_drive(
    *,
    unit: OrgUnit,
    code: str,
    title: str,
    method: str,
    selection_group: str = "",
    notice_text: str = "",
    conditions: str = "",
    contact: str = "",
    applications_open_on: dt.date | None = None,
    applications_close_on: dt.date | None = None,
    round_1_on: dt.date | None = None,
    round_2_on: dt.date | None = None,
    schedule_note: str = "",
    is_round_1_computer_based: bool = True,
    written_weight: Decimal = Decimal("0.50"),
    actor=None,
) -> RecruitmentDrive:
    """Open a draft drive of a recruiting authority."""
    _refuse(rules.check_method(method, selection_group), "selection_group")
    drive = RecruitmentDrive(
        unit=unit,
        code=code.strip(),
        title=title.strip(),
        method=method,
        selection_group=selection_group,
        notice_text=notice_text,
        conditions=conditions,
        contact=contact,
        applications_open_on=applications_open_on,
        applications_close_on=applications_close_on,
        round_1_on=round_1_on,
        round_2_on=round_2_on,
        schedule_note=schedule_note,
        is_round_1_computer_based=is_round_1_computer_based,
        written_weight=written_weight,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    drive.full_clean()
    drive.save()
    return drive


@transaction.atomic
def update_drive(
    drive: RecruitmentDrive, *, expected_version: int, actor=None, **changes
) -> RecruitmentDrive:
    """Change a draft (any field) or a running drive's schedule; optimistic lock."""
    unknown = set(changes) - DRAFT_FIELDS - SCHEDULE_FIELDS
    if unknown:
        raise TypeError(f"update_drive() cannot change {sorted(unknown)}")
    locked = _lock_drive(drive)
    _refuse(check_version(locked.version, expected_version))
    if set(changes) - SCHEDULE_FIELDS:
        _require_status(locked, Status.DRAFT)
    elif locked.status in (Status.COMPLETED, Status.CANCELLED):
        _require_status(locked, Status.DRAFT)
    for name, value in changes.items():
        setattr(locked, name, value)
    _refuse(rules.check_method(locked.method, locked.selection_group), "method")
    _bump(locked, *changes)
    return locked


@transaction.atomic
def set_drive_vacancy(
    *, drive: RecruitmentDrive, position: JobPosition, number: int, actor=None
) -> DriveVacancy:
    """Add a position to a draft drive, or change its seats."""
    drive = _lock_drive(drive)
    _require_status(drive, Status.DRAFT)
    if not position.unit.path.startswith(drive.unit.path):
        _fail(
            "vacancy.outside_authority",
            _("Position %(position)s is not in %(unit)s's organisation."),
            rules.VACANCY_CITATION,
            position=position.code,
            unit=drive.unit.code,
        )
    vacancy = DriveVacancy.objects.filter(drive=drive, position=position).first()
    vacancy = vacancy or DriveVacancy(drive=drive, position=position)
    vacancy.number = number
    vacancy.full_clean()
    vacancy.save()
    _bump(drive)
    return vacancy


@transaction.atomic
def remove_drive_vacancy(*, vacancy: DriveVacancy, actor=None) -> None:
    drive = _lock_drive(vacancy.drive)
    _require_status(drive, Status.DRAFT)
    vacancy.delete()
    _bump(drive)


@transaction.atomic
def record_notice_channel(
    *,
    drive: RecruitmentDrive,
    channel: str,
    evidence: str,
    published_on: dt.date,
    url: str = "",
    actor=None,
) -> NoticeChannel:
    """Keep the proof that the notice went out on one channel."""
    drive = _lock_drive(drive)
    _require_status(drive, Status.DRAFT, Status.ANNOUNCED)
    row = NoticeChannel(
        drive=drive,
        channel=channel,
        evidence=evidence.strip(),
        url=url.strip(),
        published_on=published_on,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean()
    row.save()
    if drive.status == Status.ANNOUNCED:
        ledger.append_entry(
            actor=actor,
            action="recruitment.notice_channel",
            obj=drive,
            payload={
                "drive": drive.code,
                "channel": channel,
                "published_on": published_on,
                "url": row.url,
                "evidence": row.evidence,
            },
        )
    _bump(drive)
    return row


@transaction.atomic
def announce_drive(
    *,
    drive: RecruitmentDrive,
    published_on: dt.date,
    expected_version: int,
    actor=None,
) -> RecruitmentDrive:
    """Publish the notice: every required field, all three channels, a window of
    at least 30 days and seats vacant in the establishment report on that date."""
    drive = _lock_drive(drive)
    _refuse(check_version(drive.version, expected_version))
    _refuse(rules.check_transition(drive.status, Status.ANNOUNCED))
    seats = list(
        DriveVacancy.objects.filter(drive=drive).select_related("position__unit")
    )
    _refuse(
        rules.check_notice_fields(
            {
                "title": drive.title,
                "notice_text": drive.notice_text,
                "conditions": drive.conditions,
                "contact": drive.contact,
                "vacancies": seats,
                "schedule": drive.schedule_note or drive.round_1_on,
            }
        )
    )
    _refuse(rules.check_method(drive.method, drive.selection_group))
    params = selectors.rule_parameters(published_on)
    _refuse(
        rules.check_application_window(
            published_on,
            drive.applications_open_on,
            drive.applications_close_on,
            min_days=params.notice_window_days,
        )
    )
    channels = NoticeChannel.objects.filter(drive=drive, published_on__lte=published_on)
    _refuse(rules.check_notice_channels(channels.values_list("channel", flat=True)))
    free = {
        p.pk: p.vacant
        for p in vacant_positions(drive.unit, on=published_on).filter(
            pk__in=[s.position_id for s in seats]
        )
    }
    for seat in seats:
        _refuse(
            rules.check_vacancy(
                seat.position.code, seat.number, free.get(seat.position_id, 0)
            )
        )
        seat.vacant_at_announcement = free.get(seat.position_id, 0)
    DriveVacancy.objects.bulk_update(seats, ["vacant_at_announcement"])

    drive.status = Status.ANNOUNCED
    drive.published_on = published_on
    drive.legal_basis = rules.legal_basis_for(published_on)
    _bump(drive, "status", "published_on", "legal_basis")
    ledger.append_entry(
        actor=actor,
        action="recruitment.drive_announce",
        obj=drive,
        payload={
            "drive": drive.code,
            "unit": drive.unit.code,
            "legal_basis": drive.legal_basis,
            "method": drive.method,
            "selection_group": drive.selection_group,
            "published_on": published_on,
            "applications_open_on": drive.applications_open_on,
            "applications_close_on": drive.applications_close_on,
            "vacancies": [
                {
                    "position": s.position.code,
                    "seats": s.number,
                    "vacant": s.vacant_at_announcement,
                }
                for s in seats
            ],
            "channels": sorted(
                [c, str(on), url]
                for c, on, url in channels.values_list("channel", "published_on", "url")
            ),
        },
    )
    return drive


@transaction.atomic
def advance_drive(
    *,
    drive: RecruitmentDrive,
    to_status: str,
    expected_version: int,
    on: dt.date | None = None,
    actor=None,
) -> RecruitmentDrive:
    """Move a drive to applications_closed, round_1, round_2 or completed.

    Closing waits for the end of the window; round 1 needs a council that passes
    every check; round 2 needs every round-1 outcome; completion needs the
    results. Announcing, publishing and cancelling have their own services.
    """
    on = on or timezone.localdate()
    drive = _lock_drive(drive)
    _refuse(check_version(drive.version, expected_version))
    if to_status in (Status.ANNOUNCED, Status.RESULTS, Status.CANCELLED):
        raise TypeError(f"use the dedicated service to move a drive to {to_status}")
    _refuse(rules.check_transition(drive.status, to_status))
    if to_status == Status.APPLICATIONS_CLOSED and on <= drive.applications_close_on:
        _fail(
            "drive.window_open",
            _("Applications are received until %(date)s."),
            rules.WINDOW_CITATION,
            date=_d(drive.applications_close_on),
        )
    if to_status == Status.ROUND_1:
        check = selectors.council_check(drive, on=on)
        for refusal in check.refusals:
            _refuse(refusal)
        if check.open_hints:
            _fail(
                "council.open_hints",
                _("The chair must confirm or dismiss %(count)s conflict hints first."),
                rules.CONFLICT_CITATION,
                count=len(check.open_hints),
            )
    if to_status == Status.ROUND_2:
        pending = Application.objects.filter(
            drive=drive, eligibility=Application.Eligibility.PENDING
        ).count()
        if pending:
            _fail(
                "round_1.pending",
                _("%(count)s applications have no round-1 outcome yet."),
                rules.PASS_CITATION,
                count=pending,
            )
        if drive.method == RecruitmentDrive.Method.EXAM:
            unscored = Application.objects.filter(
                drive=drive,
                eligibility=Application.Eligibility.ELIGIBLE,
                round_1_percent__isnull=True,
            ).count()
            if unscored:
                _fail(
                    "round_1.unscored",
                    _("%(count)s eligible candidates have no round-1 score."),
                    rules.PASS_CITATION,
                    count=unscored,
                )
    if to_status == Status.COMPLETED:
        drive.completed_on = on
    drive.status = to_status
    _bump(drive, "status", "completed_on")
    ledger.append_entry(
        actor=actor,
        action="recruitment.drive_status",
        obj=drive,
        payload={"drive": drive.code, "status": to_status, "on": on},
    )
    return drive


@transaction.atomic
def cancel_drive(
    *,
    drive: RecruitmentDrive,
    reason: str,
    expected_version: int,
    on: dt.date | None = None,
    actor=None,
) -> RecruitmentDrive:
    """Cancel a drive before its results, with the reason."""
    drive = _lock_drive(drive)
    _refuse(check_version(drive.version, expected_version))
    _refuse(rules.check_transition(drive.status, Status.CANCELLED))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason for cancelling.")}, code="drive.no_reason"
        )
    drive.status = Status.CANCELLED
    drive.cancelled_on = on or timezone.localdate()
    drive.cancellation_reason = reason.strip()
    _bump(drive, "status", "cancelled_on", "cancellation_reason")
    ledger.append_entry(
        actor=actor,
        action="recruitment.drive_cancel",
        obj=drive,
        payload={"drive": drive.code, "on": drive.cancelled_on, "reason": reason},
    )
    return drive


# Applications and scores ----------------------------------------------------


@transaction.atomic
def submit_application(
    *,
    drive: RecruitmentDrive,
    vacancy: DriveVacancy,
    number: str,
    national_id: str,
    full_name: str,
    date_of_birth: dt.date,
    gender: str,
    home_commune: str,
    submitted_on: dt.date,
    channel: str = Application.Channel.IN_PERSON,
    priority_claims: Iterable[str] = (),
    email: str = "",
    phone: str = "",
    actor=None,
) -> Application:
    """Receive an application within the window of an announced drive."""
    drive = _lock_drive(drive)
    _require_status(drive, Status.ANNOUNCED)
    if vacancy.drive_id != drive.pk:
        raise ValidationError(
            {"vacancy": _("This position is not part of the drive.")},
            code="application.vacancy",
        )
    _refuse(
        rules.check_submission(
            submitted_on, drive.applications_open_on, drive.applications_close_on
        ),
        "submitted_on",
    )
    claims = sorted(set(priority_claims))
    _refuse(rules.check_priority_claims(claims), "priority_claims")
    national_id = national_id.strip()
    cid = staff_rules.check_citizen_id(
        national_id, gender=gender, date_of_birth=date_of_birth
    )
    _refuse(cid, "national_id")
    application = Application(
        drive=drive,
        vacancy=vacancy,
        number=number.strip(),
        national_id=national_id,
        full_name=" ".join(full_name.split()),
        date_of_birth=date_of_birth,
        gender=gender,
        home_commune=home_commune.strip(),
        submitted_on=submitted_on,
        channel=channel,
        priority_claims=claims,
        priority_points=rules.priority_points(claims),
        email=email.strip(),
        phone=phone.strip(),
    )
    application.full_clean()
    application.save()
    return application


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("drive", "vacancy__position")
        .get(pk=application.pk)
    )


def _refuse_if_published(application: Application) -> None:
    if application.drive.has_results:
        _fail(
            "results.published",
            _(
                "The results were published on %(date)s: scores and outcomes "
                "change only through a re-marking request."
            ),
            rules.PUBLISHED_CITATION,
            date=_d(application.drive.results_published_on),
        )


@transaction.atomic
def record_eligibility(
    *, application: Application, is_eligible: bool, reason: str = "", actor=None
) -> Application:
    """Record the round-1 check of the conditions: eligible, or not and why."""
    application = _lock_application(application)
    _refuse_if_published(application)
    _require_status(application.drive, Status.ROUND_1)
    if not is_eligible and not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason the candidate is ineligible.")},
            code="eligibility.no_reason",
        )
    application.eligibility = (
        Application.Eligibility.ELIGIBLE
        if is_eligible
        else Application.Eligibility.INELIGIBLE
    )
    application.eligibility_reason = reason.strip()
    application.version += 1
    application.save(
        update_fields=["eligibility", "eligibility_reason", "version", "updated_at"]
    )
    return application


_UNSET = object()


def _score_label(name: str) -> str:
    return str(ScoreChange.Field(name).label)


def _set_scores(
    application: Application,
    values: Mapping[str, Decimal | None],
    *,
    actor,
    remark: RemarkRequest | None = None,
) -> list[ScoreChange]:
    """Validate, apply and log score changes; recompute a two-part round 2."""
    for name, value in values.items():
        _refuse(rules.check_score(value, label=_score_label(name)), name)
    new = {name: getattr(application, name) for name in SCORE_FIELDS}
    new.update({k: None if v is None else Decimal(v) for k, v in values.items()})
    if new["round_2_written"] is not None or new["round_2_interview"] is not None:
        new["round_2_score"] = rules.round_2_total(
            new["round_2_written"],
            new["round_2_interview"],
            written_weight=application.drive.written_weight,
        )
    changes = []
    for name in SCORE_FIELDS:
        old = getattr(application, name)
        if old != new[name]:
            changes.append(
                ScoreChange(
                    application=application,
                    field=name,
                    old_value=old,
                    new_value=new[name],
                    changed_by=actor
                    if getattr(actor, "is_authenticated", False)
                    else None,
                    is_after_publication=application.drive.has_results,
                    remark=remark,
                )
            )
            setattr(application, name, new[name])
    if changes:
        application.version += 1
        application.full_clean()
        application.save()
        ScoreChange.objects.bulk_create(changes)
    return changes


@transaction.atomic
def record_scores(
    *,
    application: Application,
    round_1_percent=_UNSET,
    round_2_written=_UNSET,
    round_2_interview=_UNSET,
    round_2_score=_UNSET,
    actor=None,
) -> Application:
    """Enter or correct scores before the results; each change is kept.

    Give `round_2_written` and `round_2_interview` for a two-part round 2 (the
    score is their weighted sum) or `round_2_score` alone for a single part.
    """
    application = _lock_application(application)
    _refuse_if_published(application)
    values = {
        name: value
        for name, value in (
            ("round_1_percent", round_1_percent),
            ("round_2_written", round_2_written),
            ("round_2_interview", round_2_interview),
            ("round_2_score", round_2_score),
        )
        if value is not _UNSET
    }
    if values.keys() & {"round_1_percent"}:
        _require_status(application.drive, Status.ROUND_1, Status.ROUND_2)
    if values.keys() - {"round_1_percent"}:
        _require_status(application.drive, Status.ROUND_2)
    _set_scores(application, values, actor=actor)
    return application
