"""Recruitment: drives and councils, applications and results, appointment
decisions, inspection cases, and the rule tables they read. Every name stays
importable from `recruitment.models`."""

from recruitment.models.applications import (
    Application,
    PriorityCategory,
    RemarkRequest,
    ScoreChange,
    TieBreakDecision,
)
from recruitment.models.appointments import (
    AppointmentDecision,
    SuccessionPlanEntry,
    VoteRecord,
)
from recruitment.models.drives import (
    ConflictDeclaration,
    ConflictHint,
    Council,
    CouncilMember,
    DriveVacancy,
    LegalBasis,
    NoticeChannel,
    RecruitmentDrive,
    Relation,
)
from recruitment.models.inspection import Finding, InspectionCase
from recruitment.models.reference import (
    RecruitmentSetting,
    RetirementAgeRule,
    RotationPolicy,
)

__all__ = [
    "Application",
    "AppointmentDecision",
    "ConflictDeclaration",
    "ConflictHint",
    "Council",
    "CouncilMember",
    "DriveVacancy",
    "Finding",
    "InspectionCase",
    "LegalBasis",
    "NoticeChannel",
    "PriorityCategory",
    "RecruitmentDrive",
    "RecruitmentSetting",
    "Relation",
    "RemarkRequest",
    "RetirementAgeRule",
    "RotationPolicy",
    "ScoreChange",
    "SuccessionPlanEntry",
    "TieBreakDecision",
    "VoteRecord",
]
