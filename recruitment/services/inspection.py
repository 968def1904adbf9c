"""Inspection cases: only the case's inspector opens, annotates and concludes it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrms import ledger, policy
from hrms.models import Role
from hrms.rules import check_version
from positions.models import OrgUnit
from recruitment.models import (
    Finding,
    InspectionCase,
)
from recruitment.services._base import (
    _refuse,
)


def _own_open_case(case: InspectionCase, actor) -> InspectionCase:
    case = InspectionCase.objects.select_for_update().get(pk=case.pk)
    if actor is None or case.inspector_id != actor.pk:
        raise ValidationError(
            _("Only the case's inspector may change it."), code="inspection.not_owner"
        )
    if not case.is_open:
        raise ValidationError(_("The case is concluded."), code="inspection.closed")
    return case


@transaction.atomic
def open_inspection_case(
    *,
    inspector,
    unit: OrgUnit,
    title: str,
    period_from: dt.date,
    period_to: dt.date,
) -> InspectionCase:
    """An inspector opens a case on a unit of their grant, over a period."""
    if not policy.has_role_on(inspector, unit, {Role.INSPECTOR}):
        raise ValidationError(
            _("Only an inspector granted on %(unit)s may open a case on it."),
            code="inspection.not_inspector",
            params={"unit": unit.code},
        )
    case = InspectionCase(
        inspector=inspector,
        unit=unit,
        title=title.strip(),
        period_from=period_from,
        period_to=period_to,
    )
    case.full_clean()
    case.save()
    ledger.append_entry(
        actor=inspector,
        action="inspection.open",
        obj=case,
        payload={
            "unit": unit.code,
            "title": case.title,
            "period_from": period_from,
            "period_to": period_to,
        },
    )
    return case


@transaction.atomic
def add_finding(
    *,
    case: InspectionCase,
    text: str,
    actor,
    severity: str = Finding.Severity.MEDIUM,
    record_type: str = "",
    record_id: str | int = "",
    flag_code: str = "",
) -> Finding:
    """Record a finding of the case, optionally about one record."""
    case = _own_open_case(case, actor)
    finding = Finding(
        case=case,
        text=text.strip(),
        severity=severity,
        record_type=record_type,
        record_id=str(record_id),
        flag_code=flag_code,
    )
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def conclude_inspection_case(
    *,
    case: InspectionCase,
    conclusions: str,
    actor,
    expected_version: int,
    concluded_on: dt.date | None = None,
) -> InspectionCase:
    """Write the conclusions and close the case (ledger entry with the findings)."""
    case = _own_open_case(case, actor)
    _refuse(check_version(case.version, expected_version))
    if not conclusions.strip():
        raise ValidationError(
            {"conclusions": _("Write the conclusions.")}, code="inspection.empty"
        )
    case.conclusions = conclusions.strip()
    case.concluded_on = concluded_on or timezone.localdate()
    case.status = InspectionCase.Status.CLOSED
    case.version += 1
    case.full_clean()
    case.save()
    ledger.append_entry(
        actor=actor,
        action="inspection.conclude",
        obj=case,
        payload={
            "unit": case.unit.code,
            "concluded_on": case.concluded_on,
            "conclusions": case.conclusions,
            "findings": [
                [f.pk, f.severity, f.record_type, f.record_id, f.flag_code, f.text]
                for f in case.findings.order_by("pk")
            ],
        },
    )
    return case
