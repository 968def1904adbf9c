"""Helpers shared by the recruitment services."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hrms.models import Role
from hrms.rules import RuleResult
from recruitment import rules
from recruitment.models import RecruitmentDrive

Status = RecruitmentDrive.Status
OVERRIDE_ROLES = frozenset({Role.HR, Role.ADMIN})
SCORE_FIELDS = (
    "round_1_percent",
    "round_2_written",
    "round_2_interview",
    "round_2_score",
)
# Fields `update_drive` may change in a draft; the schedule may change later too.
DRAFT_FIELDS = frozenset(
    {
        "title",
        "method",
        "selection_group",
        "notice_text",
        "conditions",
        "contact",
        "applications_open_on",
        "applications_close_on",
        "is_round_1_computer_based",
        "written_weight",
    }
)
SCHEDULE_FIELDS = frozenset({"round_1_on", "round_2_on", "schedule_note"})


def _refuse(result: RuleResult, field: str | None = None) -> None:
    """Raise a refusal with its citation appended, so the screen shows the law."""
    if result.ok:
        return
    message = str(result)
    error = ValidationError(message, code=result.code)
    raise ValidationError({field: error}) if field else error


def _fail(code: str, message: str, citation: str = "", **params) -> None:
    _refuse(RuleResult.refuse(code, message % params if params else message, citation))


def _d(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "–"


def _lock_drive(drive: RecruitmentDrive) -> RecruitmentDrive:
    return (
        RecruitmentDrive.objects.select_for_update()
        .select_related("unit")
        .get(pk=drive.pk)
    )


def _bump(drive: RecruitmentDrive, *fields: str) -> None:
    drive.version += 1
    drive.full_clean()
    drive.save(update_fields=[*fields, "version", "updated_at"])


def _require_status(drive: RecruitmentDrive, *allowed: str) -> None:
    if drive.status not in allowed:
        _fail(
            "drive.wrong_status",
            _("Not possible while the drive is %(status)s."),
            rules.WORKFLOW_CITATION,
            status=drive.get_status_display(),
        )
