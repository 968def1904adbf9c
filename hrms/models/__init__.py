"""Core models: abstract bases plus the cross-cutting records every app relies on."""

from hrms.models.access import AccessLog
from hrms.models.base import TimeStampedModel
from hrms.models.calendar import Holiday
from hrms.models.jobs import Job
from hrms.models.ledger import LedgerCheckpoint, LedgerEntry
from hrms.models.roles import Role, RoleGrant

__all__ = [
    "AccessLog",
    "Holiday",
    "Job",
    "LedgerCheckpoint",
    "LedgerEntry",
    "Role",
    "RoleGrant",
    "TimeStampedModel",
]
