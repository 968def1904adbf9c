"""Writes for positions: job positions, their quotas and competencies, grade targets.

Quota decisions (a new position, a headcount change, a grade-structure target) go
to the audit ledger in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hrms import ledger
from hrms.rules import check_version
from positions import rules
from positions.models import (
    Competency,
    Grade,
    GradeStructureTarget,
    JobPosition,
    OrgUnit,
    PositionCompetency,
)

# Fields `update_position` may change; the rest are identity or bookkeeping.
POSITION_FIELDS = frozenset(
    {
        "unit",
        "code",
        "title",
        "group",
        "grade",
        "headcount",
        "job_description",
        "approval_decision_number",
        "approval_decided_on",
        "approval_signer",
        "is_active",
    }
)


def _position_payload(position: JobPosition) -> dict:
    return {
        "code": position.code,
        "unit": position.unit.code,
        "title": position.title,
        "group": position.group,
        "grade": position.grade.code,
        "headcount": position.headcount,
        "decision": position.approval_decision_number,
        "decided_on": position.approval_decided_on,
    }


@transaction.atomic
def create_position(
    *,
    unit: OrgUnit,
    code: str,
    title: str,
    group: str,
    grade: Grade,
    headcount: int,
    job_description: str = "",
    approval_decision_number: str = "",
    approval_decided_on: dt.date | None = None,
    approval_signer: str = "",
    is_active: bool = True,
    actor=None,
) -> JobPosition:
    """Create a job position with its headcount quota (recorded in the ledger)."""
    rules.check_position_group(group, approval_decided_on).raise_if_refused("group")
    position = JobPosition(
        unit=unit,
        code=code,
        title=title,
        group=group,
        grade=grade,
        headcount=headcount,
        job_description=job_description,
        approval_decision_number=approval_decision_number,
        approval_decided_on=approval_decided_on,
        approval_signer=approval_signer,
        is_active=is_active,
    )
    position.full_clean()
    position.save()
    ledger.append_entry(
        actor=actor,
        action="position.create",
        obj=position,
        payload=_position_payload(position),
    )
    return position


@transaction.atomic
def update_position(
    position: JobPosition, *, expected_version: int, actor=None, **changes
) -> JobPosition:
    """Change a position unless someone saved it since `expected_version`.

    Returns the saved row (a fresh instance); a headcount change is recorded in
    the ledger with its old and new values.
    """
    unknown = set(changes) - POSITION_FIELDS
    if unknown:
        raise TypeError(f"update_position() cannot change {sorted(unknown)}")
    locked = (
        JobPosition.objects.select_for_update()
        .select_related("unit", "grade")
        .get(pk=position.pk)
    )
    check_version(locked.version, expected_version).raise_if_refused()
    old_headcount, was_active = locked.headcount, locked.is_active
    for field, value in changes.items():
        setattr(locked, field, value)
    if "group" in changes or "approval_decided_on" in changes:
        rules.check_position_group(
            locked.group, locked.approval_decided_on
        ).raise_if_refused("group")
    if was_active and not locked.is_active:
        filled = JobPosition.objects.filter(pk=locked.pk).with_fill().get().filled
        if filled:
            raise ValidationError(
                _(
                    "%(count)s people hold position %(position)s today; end their "
                    "assignments before closing it."
                ),
                code="position.still_filled",
                params={"count": filled, "position": locked.code},
            )
    locked.version += 1
    locked.full_clean()
    locked.save()
    if locked.headcount != old_headcount:
        ledger.append_entry(
            actor=actor,
            action="position.headcount_change",
            obj=locked,
            payload={
                "code": locked.code,
                "unit": locked.unit.code,
                "old_headcount": old_headcount,
                "new_headcount": locked.headcount,
                "version": locked.version,
            },
        )
    return locked


@transaction.atomic
def set_position_competencies(
    *, position: JobPosition, levels: Mapping[Competency | str, int]
) -> list[PositionCompetency]:
    """Replace a position's competency profile; a name creates the competency."""
    rows = []
    for competency, level in levels.items():
        if isinstance(competency, str):
            competency, _created = Competency.objects.get_or_create(
                name=competency.strip()
            )
        row = PositionCompetency(
            position=position, competency=competency, required_level=level
        )
        row.full_clean(exclude=["position"], validate_unique=False)
        rows.append(row)
    PositionCompetency.objects.filter(position=position).delete()
    return PositionCompetency.objects.bulk_create(rows)


@transaction.atomic
def set_grade_structure_target(
    *, unit: OrgUnit, grade: Grade, target_ratio: Decimal | int | str, actor=None
) -> GradeStructureTarget:
    """Set the target share (%) of a grade among a unit's non-leader staff."""
    ratio = Decimal(str(target_ratio)).quantize(Decimal("0.01"))
    targets = GradeStructureTarget.objects.select_for_update().filter(unit=unit)
    current = {t.grade_id: t for t in targets}
    others = sum(
        (t.target_ratio for g, t in current.items() if g != grade.pk), Decimal(0)
    )
    if others + ratio > 100:
        raise ValidationError(
            _(
                "The targets of %(unit)s would add up to %(total)s%%; "
                "they cannot exceed 100%%."
            ),
            code="grade_target.over_100",
            params={"unit": unit.code, "total": others + ratio},
        )
    target = current.get(grade.pk) or GradeStructureTarget(unit=unit, grade=grade)
    old = target.target_ratio if target.pk else None
    target.target_ratio = ratio
    target.full_clean()
    target.save()
    ledger.append_entry(
        actor=actor,
        action="grade_structure.target",
        obj=target,
        payload={
            "unit": unit.code,
            "grade": grade.code,
            "old_ratio": old,
            "new_ratio": ratio,
        },
    )
    return target
