"""Results: tie decisions, the published merit list, re-marking, the 20-day
dossier timer, cancellations, the next-ranked candidate and hiring."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hrms import ledger
from hrms.rules import check_version
from recruitment import rules, selectors
from recruitment.models import (
    Application,
    DriveVacancy,
    RecruitmentDrive,
    RemarkRequest,
    TieBreakDecision,
)
from recruitment.services._base import (
    SCORE_FIELDS,
    Status,
    _bump,
    _fail,
    _lock_drive,
    _refuse,
    _require_status,
)
from recruitment.services.drives import (
    _lock_application,
    _set_scores,
)
from staff import services as staff_services
from staff.models import Employee, GradeHistory


def _snapshot_row(application: Application) -> dict:
    return {
        "application": application.pk,
        "number": application.number,
        "position": application.vacancy.position.code,
        **{name: getattr(application, name) for name in SCORE_FIELDS},
        "priority_points": application.priority_points,
        "total": application.total_score,
        "rank": application.rank,
        "result": application.result,
    }


def _apply_merit(
    drive: RecruitmentDrive, *, on: dt.date, refill: bool, action: str, actor
) -> list[Application]:
    """Write ranks and results from the merit list and snapshot them in the ledger.

    Winners get `on` as their admission date and the dossier timer; a hired
    winner and a cancelled admission keep their result. Returns the applications
    that became winners.
    """
    params = selectors.rule_parameters(on)
    lists = selectors.merit_list(drive, refill=refill)
    changed, new_winners = [], []
    for vacancy_merit in lists:
        if vacancy_merit.merit.needs_tie_decision:
            names = ", ".join(
                vacancy_merit.applications[pk].full_name
                for pk in vacancy_merit.merit.unresolved_tie
            )
            _fail(
                "results.tie_undecided",
                _(
                    "%(names)s are tied for the last seat of %(position)s: record "
                    "the head's decision first."
                ),
                rules.PASS_CITATION,
                names=names,
                position=vacancy_merit.vacancy.position.code,
            )
        for application, line in vacancy_merit.rows:
            application.total_score = line.total
            application.rank = line.rank
            keep = application.employee_id or (
                application.result == Application.Result.CANCELLED
            )
            if not keep:
                if line.is_winner:
                    result = Application.Result.WINNER
                elif line.passed:
                    result = Application.Result.PASSED
                else:
                    result = Application.Result.FAILED
                if result == Application.Result.WINNER and not application.is_winner:
                    application.admitted_on = on
                    application.dossier_due_on = rules.dossier_due_on(
                        on, days=params.dossier_completion_days
                    )
                    new_winners.append(application)
                elif result != Application.Result.WINNER:
                    application.admitted_on = None
                    application.dossier_due_on = None
                application.result = result
                application.result_reason = "" if line.passed else line.message
            application.version += 1
            changed.append(application)
    Application.objects.bulk_update(
        changed,
        [
            "total_score",
            "rank",
            "result",
            "result_reason",
            "admitted_on",
            "dossier_due_on",
            "version",
        ],
    )
    ledger.append_entry(
        actor=actor,
        action=action,
        obj=drive,
        payload={
            "drive": drive.code,
            "on": on,
            "results": [_snapshot_row(a) for a in sorted(changed, key=lambda a: a.pk)],
        },
    )
    return new_winners


@transaction.atomic
def record_tie_break(
    *,
    vacancy: DriveVacancy,
    ordered_applications: Sequence[Application | int],
    decided_by: str,
    decided_on: dt.date,
    note: str = "",
    actor=None,
) -> TieBreakDecision:
    """Record the head's order of candidates tied on total and round-2 score."""
    drive = _lock_drive(vacancy.drive)
    _require_status(drive, Status.ROUND_2, Status.RESULTS)
    ids = [a.pk if isinstance(a, Application) else int(a) for a in ordered_applications]
    vacancy_merit = next(
        m for m in selectors.merit_list(drive) if m.vacancy.pk == vacancy.pk
    )
    keys = {
        line.application_id: (
            line.total,
            vacancy_merit.applications[line.application_id].round_2_score,
        )
        for line in vacancy_merit.merit.lines
        if line.passed
    }
    group = {pk for pk, key in keys.items() if ids and key == keys.get(ids[0])}
    _refuse(rules.check_tie_order(ids, group if len(group) > 1 else set()))
    if any(vacancy_merit.applications[pk].is_winner for pk in ids):
        _fail(
            "results.published",
            _("The results are published; the seats are decided."),
            rules.PUBLISHED_CITATION,
        )
    if not decided_by.strip():
        raise ValidationError(
            {"decided_by": _("Name the head who decided.")}, code="tie.no_head"
        )
    decision = TieBreakDecision(
        vacancy=vacancy,
        ordered_applications=ids,
        decided_by=decided_by.strip(),
        decided_on=decided_on,
        note=note.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    decision.full_clean()
    decision.save()
    ledger.append_entry(
        actor=actor,
        action="recruitment.tie_break",
        obj=decision,
        payload={
            "drive": drive.code,
            "position": vacancy.position.code,
            "order": ids,
            "decided_by": decision.decided_by,
            "decided_on": decided_on,
        },
    )
    return decision


@transaction.atomic
def publish_results(
    *,
    drive: RecruitmentDrive,
    published_on: dt.date,
    expected_version: int,
    actor=None,
) -> RecruitmentDrive:
    """Publish the merit lists: ranks, winners within the seats, dossier timers.

    Refused while a tie crosses the last seat of a position without the head's
    decision. The published figures go to the ledger; from then on a score
    changes only through a re-marking request.
    """
    drive = _lock_drive(drive)
    _refuse(check_version(drive.version, expected_version))
    _refuse(rules.check_transition(drive.status, Status.RESULTS))
    _apply_merit(
        drive,
        on=published_on,
        refill=False,
        action="recruitment.results_publish",
        actor=actor,
    )
    drive.status = Status.RESULTS
    drive.results_published_on = published_on
    _bump(drive, "status", "results_published_on")
    return drive


@transaction.atomic
def request_remark(
    *, application: Application, part: str, requested_on: dt.date, actor=None
) -> RemarkRequest:
    """File a re-marking request within the window after the results."""
    application = _lock_application(application)
    drive = application.drive
    params = selectors.rule_parameters(requested_on)
    _refuse(
        rules.check_remark_request(
            part=part,
            requested_on=requested_on,
            results_published_on=drive.results_published_on,
            is_round_1_computer_based=drive.is_round_1_computer_based,
            window_days=params.remark_window_days,
        ),
        "part",
    )
    if RemarkRequest.objects.filter(
        application=application, part=part, outcome=RemarkRequest.Outcome.PENDING
    ).exists():
        _fail("remark.duplicate", _("A request for this part is already pending."))
    remark = RemarkRequest(
        application=application,
        part=part,
        requested_on=requested_on,
        old_score=_remark_field_value(application, part),
    )
    remark.full_clean()
    remark.save()
    return remark


def _remark_field(application: Application, part: str) -> str:
    if part == RemarkRequest.Part.ROUND_1:
        return "round_1_percent"
    return "round_2_written" if application.has_two_parts else "round_2_score"


def _remark_field_value(application: Application, part: str) -> Decimal | None:
    return getattr(application, _remark_field(application, part))


@transaction.atomic
def decide_remark(
    *,
    remark: RemarkRequest,
    outcome: str,
    decided_on: dt.date,
    new_score: Decimal | None = None,
    note: str = "",
    actor=None,
) -> RemarkRequest:
    """Record a re-marking outcome; a changed score updates the application and
    revises the published merit list (ledger), keeping hires and cancellations."""
    remark = RemarkRequest.objects.select_for_update().get(pk=remark.pk)
    if remark.outcome != RemarkRequest.Outcome.PENDING:
        _fail("remark.decided", _("This request was already decided."))
    application = _lock_application(remark.application)
    if outcome == RemarkRequest.Outcome.CHANGED:
        _refuse(rules.check_score(new_score, label=_("The new score")), "new_score")
        if new_score is None:
            raise ValidationError(
                {"new_score": _("Give the score after re-marking.")},
                code="remark.no_score",
            )
    remark.outcome = outcome
    remark.new_score = new_score if outcome == RemarkRequest.Outcome.CHANGED else None
    remark.decided_on = decided_on
    remark.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    remark.note = note.strip()
    remark.full_clean()
    remark.save()
    if outcome == RemarkRequest.Outcome.CHANGED:
        name = _remark_field(application, remark.part)
        _set_scores(application, {name: Decimal(new_score)}, actor=actor, remark=remark)
        drive = _lock_drive(application.drive)
        _apply_merit(
            drive,
            on=decided_on,
            refill=False,
            action="recruitment.results_revise",
            actor=actor,
        )
    ledger.append_entry(
        actor=actor,
        action="recruitment.remark_decide",
        obj=remark,
        payload={
            "application": application.pk,
            "part": remark.part,
            "outcome": outcome,
            "old_score": remark.old_score,
            "new_score": remark.new_score,
            "decided_on": decided_on,
        },
    )
    return remark


@transaction.atomic
def record_dossier_completion(
    *, application: Application, completed_on: dt.date, actor=None
) -> Application:
    """A winner handed in the certified diplomas and priority proof."""
    application = _lock_application(application)
    if not application.is_winner:
        _fail(
            "dossier.not_winner", _("Only an admitted candidate completes a dossier.")
        )
    verdict = rules.check_dossier(
        due_on=application.dossier_due_on, completed_on=completed_on, on=completed_on
    )
    _refuse(verdict, "completed_on")
    application.dossier_completed_on = completed_on
    application.version += 1
    application.save(update_fields=["dossier_completed_on", "version", "updated_at"])
    return application


def _cancel(application: Application, *, on: dt.date, reason: str, actor) -> None:
    application.result = Application.Result.CANCELLED
    application.cancelled_on = on
    application.cancellation_reason = reason
    application.version += 1
    application.save(
        update_fields=[
            "result",
            "cancelled_on",
            "cancellation_reason",
            "version",
            "updated_at",
        ]
    )
    ledger.append_entry(
        actor=actor,
        action="recruitment.admission_cancel",
        obj=application,
        payload={
            "drive": application.drive.code,
            "application": application.pk,
            "number": application.number,
            "on": on,
            "reason": reason,
        },
    )


@transaction.atomic
def cancel_missed_dossiers(
    *, drive: RecruitmentDrive, on: dt.date, actor=None
) -> list[Application]:
    """Cancel the admission of winners whose 20 days passed without a dossier.

    The seat is not refilled automatically: the head may then admit the
    next-ranked candidate with `admit_next_ranked`.
    """
    missed = list(
        Application.objects.select_for_update()
        .select_related("drive")
        .filter(
            drive=drive,
            result=Application.Result.WINNER,
            dossier_completed_on__isnull=True,
            dossier_due_on__lt=on,
            employee__isnull=True,
        )
    )
    for application in missed:
        verdict = rules.check_dossier(
            due_on=application.dossier_due_on, completed_on=None, on=on
        )
        _cancel(application, on=on, reason=str(verdict), actor=actor)
    return missed


@transaction.atomic
def cancel_admission(
    *, application: Application, on: dt.date, reason: str, actor=None
) -> Application:
    """Cancel an admission for another reason (false documents, withdrawal)."""
    application = _lock_application(application)
    if not application.is_winner or application.employee_id:
        _fail("admission.not_open", _("Only an admitted, not yet hired, candidate."))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason.")}, code="admission.no_reason"
        )
    _cancel(application, on=on, reason=reason.strip(), actor=actor)
    return application


@transaction.atomic
def admit_next_ranked(
    *, vacancy: DriveVacancy, decided_on: dt.date, actor=None
) -> list[Application]:
    """The head's decision to give cancelled seats to the next-ranked passers.

    Returns the newly admitted candidates (each with a fresh 20-day timer);
    refused when a tie at the seat line needs the head's decision first.
    """
    drive = _lock_drive(vacancy.drive)
    _require_status(drive, Status.RESULTS)
    vacancy_merit = next(
        m
        for m in selectors.merit_list(drive, refill=True)
        if m.vacancy.pk == vacancy.pk
    )
    if vacancy_merit.merit.needs_tie_decision:
        _fail(
            "results.tie_undecided",
            _("Candidates are tied for the freed seat: record the head's decision."),
            rules.PASS_CITATION,
        )
    params = selectors.rule_parameters(decided_on)
    admitted = []
    for application, line in vacancy_merit.rows:
        if line.is_winner and application.result == Application.Result.PASSED:
            application.result = Application.Result.WINNER
            application.admitted_on = decided_on
            application.dossier_due_on = rules.dossier_due_on(
                decided_on, days=params.dossier_completion_days
            )
            application.version += 1
            application.save(
                update_fields=[
                    "result",
                    "admitted_on",
                    "dossier_due_on",
                    "version",
                    "updated_at",
                ]
            )
            admitted.append(application)
    if admitted:
        ledger.append_entry(
            actor=actor,
            action="recruitment.admit_next",
            obj=vacancy,
            payload={
                "drive": drive.code,
                "position": vacancy.position.code,
                "on": decided_on,
                "admitted": [
                    {"application": a.pk, "number": a.number, "rank": a.rank}
                    for a in admitted
                ],
                "citation": rules.NEXT_RANKED_CITATION,
            },
        )
    return admitted


@transaction.atomic
def hire_winner(
    *,
    application: Application,
    employee_code: str,
    starts_on: dt.date,
    staff_type: str = Employee.StaffType.CONG_CHUC,
    salary_step: int = 1,
    decision_number: str = "",
    decided_on: dt.date | None = None,
    signer: str = "",
    actor=None,
) -> Employee:
    """Turn an admitted candidate with a complete dossier into an employee.

    Opens the personnel file, assigns the position (within its quota: no
    override) and records the position's grade at `salary_step`, all through
    staff.services, in one transaction with a ledger entry.
    """
    application = _lock_application(application)
    if not application.is_winner:
        _fail("hire.not_winner", _("Only an admitted candidate can be hired."))
    if application.employee_id:
        _fail("hire.already_hired", _("This candidate was already hired."))
    if application.dossier_completed_on is None:
        _fail(
            "hire.dossier_incomplete",
            _("The candidate's dossier is not complete."),
            rules.DOSSIER_CITATION,
        )
    position = application.vacancy.position
    employee = staff_services.create_employee(
        employee_code=employee_code,
        full_name=application.full_name,
        date_of_birth=application.date_of_birth,
        gender=application.gender,
        staff_type=staff_type,
        unit=position.unit,
        national_id=application.national_id,
        joined_on=starts_on,
        email=application.email,
        phone=application.phone,
        actor=actor,
    )
    assignment = staff_services.assign_position(
        employee=employee,
        position=position,
        starts_on=starts_on,
        decision_number=decision_number,
        decided_on=decided_on,
        signer=signer,
        actor=actor,
    )
    staff_services.record_grade_step(
        employee=employee,
        grade=position.grade,
        salary_step=salary_step,
        effective_on=starts_on,
        reason=GradeHistory.Reason.APPOINTMENT,
        decision_number=decision_number,
        decided_on=decided_on,
        actor=actor,
    )
    application.employee = employee
    application.version += 1
    application.save(update_fields=["employee", "version", "updated_at"])
    ledger.append_entry(
        actor=actor,
        action="recruitment.hire",
        obj=application,
        payload={
            "drive": application.drive.code,
            "application": application.pk,
            "employee": employee.employee_code,
            "position": position.code,
            "assignment": assignment.pk,
            "grade": position.grade.code,
            "step": salary_step,
            "starts_on": starts_on,
            "decision": decision_number,
        },
    )
    return employee
