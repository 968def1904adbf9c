"""Staff models: the personnel file, discipline cases, and the rule tables that
discipline and the raise clock read. Every name stays importable from
`staff.models`."""

from staff.models.discipline import (
    Circumstance,
    CouncilMember,
    DisciplineCase,
    DisciplineForm,
    Severity,
    Suspension,
    Violation,
)
from staff.models.personnel import (
    AnnualRating,
    Assignment,
    AssignmentQuerySet,
    Commendation,
    Employee,
    EmployeeQuerySet,
    GradeHistory,
    GradeHistoryQuerySet,
)
from staff.models.reference import (
    DisciplineEffectRule,
    DisciplineFormRule,
    DisciplineTimeLimit,
    RaiseSetting,
)

__all__ = [
    "AnnualRating",
    "Assignment",
    "AssignmentQuerySet",
    "Circumstance",
    "Commendation",
    "CouncilMember",
    "DisciplineCase",
    "DisciplineEffectRule",
    "DisciplineForm",
    "DisciplineFormRule",
    "DisciplineTimeLimit",
    "Employee",
    "EmployeeQuerySet",
    "GradeHistory",
    "GradeHistoryQuerySet",
    "RaiseSetting",
    "Severity",
    "Suspension",
    "Violation",
]
