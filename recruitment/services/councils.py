"""The recruitment council: appointing it with its members' declarations,
replacing members, later declarations and the chair's resolution of hints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrms import ledger
from recruitment import rules
from recruitment.models import (
    Application,
    ConflictDeclaration,
    ConflictHint,
    Council,
    CouncilMember,
    RecruitmentDrive,
)
from recruitment.services._base import (
    Status,
    _bump,
    _fail,
    _lock_drive,
    _refuse,
    _require_status,
)
from staff.models import Employee


@dataclass(frozen=True)
class MemberSpec:
    """A council seat to fill: an employee or an external person, and the
    relations the person declares to candidates (application → relation; every
    candidate not named is declared "none")."""

    role: str
    employee: Employee | None = None
    external_name: str = ""
    title: str = ""
    home_commune: str = ""
    relations: Mapping[Application | int, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.employee.full_name if self.employee else self.external_name.strip()


def _relations_by_id(spec: MemberSpec) -> dict[int, str]:
    return {
        (key.pk if isinstance(key, Application) else int(key)): relation
        for key, relation in spec.relations.items()
    }


def _check_member(
    spec: MemberSpec, applications: Sequence[Application], on: dt.date
) -> None:
    """Refuse a relative of a candidate or someone under a discipline bar."""
    if bool(spec.employee) == bool(spec.external_name.strip()):
        raise ValidationError(
            _("A member is either an employee or an external person."),
            code="council.member_identity",
        )
    relations = _relations_by_id(spec)
    names = {a.pk: a.full_name for a in applications}
    unknown = set(relations) - set(names)
    if unknown:
        raise ValidationError(
            _("A declaration names an application outside this drive."),
            code="council.declaration_unknown",
        )
    for application_id, relation in relations.items():
        _refuse(
            rules.check_relation(
                relation, member=spec.name, candidate=names[application_id]
            )
        )
    if spec.employee is not None:
        verdict = rules.discipline_bars(spec.employee, on)
        if not verdict.ok:
            _refuse(rules.member_barred(spec.name, verdict))


def _seat(
    council: Council, spec: MemberSpec, applications: Sequence[Application], on
) -> CouncilMember:
    member = CouncilMember(
        council=council,
        role=spec.role,
        employee=spec.employee,
        external_name=spec.external_name.strip(),
        full_name=spec.name,
        title=spec.title.strip(),
        home_commune=spec.home_commune.strip(),
        appointed_on=on,
    )
    member.full_clean()
    member.save()
    relations = _relations_by_id(spec)
    ConflictDeclaration.objects.bulk_create(
        ConflictDeclaration(
            member=member,
            application=a,
            relation=relations.get(a.pk, "none"),
            declared_on=on,
        )
        for a in applications
    )
    hints = []
    for a in applications:
        reason = rules.conflict_hint(
            member_name=member.full_name,
            member_commune=member.home_commune,
            candidate_name=a.full_name,
            candidate_commune=a.home_commune,
        )
        if reason is not None:
            hints.append(
                ConflictHint(
                    member=member,
                    application=a,
                    code=reason.code,
                    message=reason.message[:500],
                )
            )
    ConflictHint.objects.bulk_create(hints)
    return member


def _member_payload(member: CouncilMember) -> dict:
    return {
        "member": member.pk,
        "name": member.full_name,
        "role": member.role,
        "employee": member.employee.employee_code if member.employee else None,
        "title": member.title,
    }


@transaction.atomic
def appoint_council(
    *,
    drive: RecruitmentDrive,
    decision_number: str,
    decided_on: dt.date,
    members: Sequence[MemberSpec],
    signer: str = "",
    actor=None,
) -> Council:
    """Set up the council of 5 or 7 after the applications close.

    Refused, with nothing written, when the size or roles are wrong, a member
    declares a barred relation to a candidate, or a discipline bar applies to a
    member on the decision date. Same surname and home commune as a candidate
    raises a hint for the chair (`resolve_conflict_hint`).
    """
    drive = _lock_drive(drive)
    _require_status(drive, Status.APPLICATIONS_CLOSED)
    if Council.objects.filter(drive=drive).exists():
        _fail(
            "council.exists",
            _("The drive already has a council; replace members instead."),
            rules.COUNCIL_CITATION,
        )
    _refuse(rules.check_council_size(len(members)))
    _refuse(rules.check_council_roles([m.role for m in members]))
    employees = [m.employee.pk for m in members if m.employee]
    if len(employees) != len(set(employees)):
        _fail(
            "council.duplicate",
            _("The same employee is named twice."),
            rules.COUNCIL_CITATION,
        )
    applications = list(Application.objects.filter(drive=drive).order_by("pk"))
    for spec in members:
        _check_member(spec, applications, decided_on)
    council = Council(
        drive=drive,
        decision_number=decision_number.strip(),
        decided_on=decided_on,
        signer=signer.strip(),
    )
    council.full_clean()
    council.save()
    seated = [_seat(council, spec, applications, decided_on) for spec in members]
    ledger.append_entry(
        actor=actor,
        action="recruitment.council_appoint",
        obj=council,
        payload={
            "drive": drive.code,
            "decision": council.decision_number,
            "decided_on": decided_on,
            "members": [_member_payload(m) for m in seated],
            "hints": ConflictHint.objects.filter(member__in=seated).count(),
        },
    )
    _bump(drive)
    return council


def _remove_member(member: CouncilMember, *, on: dt.date, reason: str, actor) -> None:
    member.removed_on = on
    member.removal_reason = reason
    member.full_clean()
    member.save(update_fields=["removed_on", "removal_reason"])
    ledger.append_entry(
        actor=actor,
        action="recruitment.council_member_remove",
        obj=member,
        payload={**_member_payload(member), "on": on, "reason": reason},
    )


@transaction.atomic
def replace_council_member(
    *,
    member: CouncilMember,
    replacement: MemberSpec,
    on: dt.date,
    reason: str,
    actor=None,
) -> CouncilMember:
    """Replace a seat (same checks as appointing); the old member is kept, removed."""
    member = CouncilMember.objects.select_for_update().get(pk=member.pk)
    drive = _lock_drive(member.council.drive)
    _require_status(drive, Status.APPLICATIONS_CLOSED, Status.ROUND_1, Status.ROUND_2)
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Give the reason for the replacement.")},
            code="council.no_reason",
        )
    applications = list(Application.objects.filter(drive=drive).order_by("pk"))
    _check_member(replacement, applications, on)
    if member.removed_on is None:
        _remove_member(member, on=on, reason=reason.strip(), actor=actor)
    sitting = list(
        CouncilMember.objects.sitting()
        .filter(council=member.council)
        .values_list("role", "employee_id")
    )
    if replacement.employee and replacement.employee.pk in {e for _r, e in sitting}:
        _fail(
            "council.duplicate",
            _("The same employee is named twice."),
            rules.COUNCIL_CITATION,
        )
    _refuse(rules.check_council_roles([r for r, _e in sitting] + [replacement.role]))
    seated = _seat(member.council, replacement, applications, on)
    ledger.append_entry(
        actor=actor,
        action="recruitment.council_member_add",
        obj=seated,
        payload={**_member_payload(seated), "on": on, "replaces": member.pk},
    )
    _bump(drive)
    return seated


@transaction.atomic
def declare_relation(
    *,
    member: CouncilMember,
    application: Application,
    relation: str,
    declared_on: dt.date,
    actor=None,
) -> ConflictDeclaration:
    """Record a later declaration; a barred relation removes the member at once
    (the council then needs a replacement before the next round)."""
    member = CouncilMember.objects.select_for_update().get(pk=member.pk)
    if application.drive_id != member.council.drive_id:
        raise ValidationError(
            _("A declaration names an application outside this drive."),
            code="council.declaration_unknown",
        )
    declaration, _created = ConflictDeclaration.objects.update_or_create(
        member=member,
        application=application,
        defaults={"relation": relation, "declared_on": declared_on},
    )
    verdict = rules.check_relation(
        relation, member=member.full_name, candidate=application.full_name
    )
    if not verdict.ok and member.removed_on is None:
        _remove_member(member, on=declared_on, reason=str(verdict), actor=actor)
    return declaration


@transaction.atomic
def resolve_conflict_hint(
    *, hint: ConflictHint, is_related: bool, note: str = "", actor=None
) -> ConflictHint:
    """The chair confirms (the member leaves the council) or dismisses a hint."""
    hint = (
        ConflictHint.objects.select_for_update()
        .select_related("member")
        .get(pk=hint.pk)
    )
    if hint.status != ConflictHint.Status.OPEN:
        _fail("hint.resolved", _("This hint was already resolved."))
    if not is_related and not note.strip():
        raise ValidationError(
            {"note": _("Say why the hint is dismissed.")}, code="hint.no_note"
        )
    hint.status = (
        ConflictHint.Status.CONFIRMED if is_related else ConflictHint.Status.DISMISSED
    )
    hint.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    hint.resolved_at = timezone.now()
    hint.resolution_note = note.strip()
    hint.save()
    ledger.append_entry(
        actor=actor,
        action="recruitment.conflict_hint_resolve",
        obj=hint,
        payload={
            "member": hint.member_id,
            "application": hint.application_id,
            "status": hint.status,
            "note": hint.resolution_note,
        },
    )
    if is_related and hint.member.removed_on is None:
        _remove_member(
            hint.member,
            on=timezone.localdate(),
            reason=_("Relation to a candidate confirmed by the chair: %(message)s")
            % {"message": hint.message},
            actor=actor,
        )
    return hint
