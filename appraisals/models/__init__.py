"""Appraisal evidence: the one-stop-shop conduct logs (procedures, dossiers and their
steps, apology slips, citizen ratings, conduct incidents), the task register and
the annual appraisal cycles."""

from appraisals.models.cycles import (
    Appraisal,
    AppraisalCycle,
    CapException,
    CommentMeeting,
    Complaint,
    CorruptionFinding,
    Regime,
    ScoringRuleSet,
)
from appraisals.models.service import (
    ApologySlip,
    CitizenRating,
    ConductIncident,
    Dossier,
    DossierStep,
    Procedure,
)
from appraisals.models.tasks import (
    ObjectiveCauseWaiver,
    ReformPlan,
    ReformPlanItem,
    Task,
)

__all__ = [
    "ApologySlip",
    "Appraisal",
    "AppraisalCycle",
    "CapException",
    "CitizenRating",
    "CommentMeeting",
    "Complaint",
    "ConductIncident",
    "CorruptionFinding",
    "Dossier",
    "DossierStep",
    "ObjectiveCauseWaiver",
    "Procedure",
    "ReformPlan",
    "ReformPlanItem",
    "Regime",
    "ScoringRuleSet",
    "Task",
]
