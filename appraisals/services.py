"""State changes of the one-stop-shop records: apology slips, ratings, incidents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appraisals import rules
from appraisals.models import ApologySlip, CitizenRating, ConductIncident, Dossier
from hrms import ledger
from staff.models import Employee


@transaction.atomic
def issue_apology_slip(
    *,
    dossier: Dossier,
    reason: str,
    new_due_at: dt.datetime,
    responsible_officers: Iterable[Employee],
    issued_by,
    issued_at: dt.datetime | None = None,
) -> ApologySlip:
    """Record form 04 and move the return date — once. A slip issued less than a
    day before the due time is recorded and flagged, never refused."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    issued_at = issued_at or timezone.now()
    officers = list(responsible_officers)
    on = rules.local_date(issued_at)
    earlier = locked.rescheduled_due_at
    if earlier is None:
        earlier = (
            ApologySlip.objects.filter(dossier=locked)
            .values_list("new_due_at", flat=True)
            .first()
        )
    verdict = rules.check_reschedule(
        due_at=locked.due_at,
        new_due_at=new_due_at,
        rescheduled_to=earlier,
        on=on,
    )
    if not verdict:
        raise ValidationError({"new_due_at": str(verdict.reason)}, code=verdict.code)
    errors = {}
    if not locked.is_open:
        errors["dossier"] = _("The dossier was already returned or closed.")
    if issued_at < locked.received_at:
        errors["issued_at"] = _("The slip cannot precede the receipt of the dossier.")
    if not reason.strip():
        errors["reason"] = _("State the reason for the delay.")
    if not officers:
        errors["responsible_officers"] = _("Name the responsible officer(s).")
    if errors:
        raise ValidationError(errors)

    timing = rules.check_slip_timing(issued_at=issued_at, due_at=locked.due_at)
    slip = ApologySlip(
        dossier=locked,
        issued_at=issued_at,
        reason=reason.strip(),
        previous_due_at=locked.due_at,
        new_due_at=new_due_at,
        issued_by=issued_by,
        is_issued_late=not timing.ok,
    )
    slip.full_clean(exclude=["dossier"])
    slip.save()
    slip.responsible_officers.set(officers)
    locked.rescheduled_due_at = new_due_at
    locked.save(update_fields=["rescheduled_due_at", "updated_at"])
    ledger.append_entry(
        actor=issued_by,
        action="apology_slip.issue",
        obj=slip,
        payload={
            "dossier": locked.code,
            "issued_at": issued_at,
            "previous_due_at": locked.due_at,
            "new_due_at": new_due_at,
            "reason": slip.reason,
            "responsible": sorted(o.employee_code for o in officers),
            "timing": timing.code,
            "issued_late": slip.is_issued_late,
            "citation": timing.citation,
        },
    )
    return slip


@transaction.atomic
def record_citizen_rating(
    *,
    dossier: Dossier,
    level: str,
    comment: str = "",
    rated_at: dt.datetime | None = None,
) -> CitizenRating:
    """Record the citizen's rating of a dossier; a later rating replaces it."""
    rating = CitizenRating.objects.filter(dossier=dossier).first() or CitizenRating(
        dossier=dossier
    )
    rating.level = level
    rating.comment = comment.strip()
    rating.rated_at = rated_at or timezone.now()
    rating.full_clean(exclude=["dossier"])
    rating.save()
    return rating


def record_conduct_incident(
    *,
    officer: Employee,
    occurred_on: dt.date,
    source: str,
    description: str,
    conduct: str = ConductIncident.Conduct.OTHER,
    unit=None,
    dossier: Dossier | None = None,
) -> ConductIncident:
    """Record a report about a counter officer's conduct, unverified."""
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date is in the future.")})
    incident = ConductIncident(
        officer=officer,
        unit=unit or officer.unit,
        dossier=dossier,
        occurred_on=occurred_on,
        source=source,
        conduct=conduct,
        description=description.strip(),
    )
    incident.full_clean()
    incident.save()
    return incident


@transaction.atomic
def verify_incident(
    *,
    incident: ConductIncident,
    is_verified: bool,
    outcome: str,
    reviewed_by,
    discipline_case_ref: str = "",
) -> ConductIncident:
    """Record the review of an incident: founded (it counts) or not, and what
    followed."""
    locked = ConductIncident.objects.select_for_update().get(pk=incident.pk)
    if not outcome.strip():
        raise ValidationError({"outcome": _("State the outcome of the review.")})
    if discipline_case_ref and not is_verified:
        raise ValidationError(
            {
                "discipline_case_ref": _(
                    "Only a verified incident can lead to a discipline case."
                )
            }
        )
    locked.is_verified = is_verified
    locked.outcome = outcome.strip()
    locked.discipline_case_ref = discipline_case_ref.strip()
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = reviewed_by
    locked.full_clean()
    locked.save()
    ledger.append_entry(
        actor=reviewed_by,
        action="conduct_incident.review",
        obj=locked,
        payload={
            "officer": locked.officer.employee_code,
            "occurred_on": locked.occurred_on,
            "source": locked.source,
            "conduct": locked.conduct,
            "is_verified": is_verified,
            "outcome": locked.outcome,
            "discipline_case_ref": locked.discipline_case_ref,
        },
    )
    return locked
