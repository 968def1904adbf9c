"""Positions: the unit tree, the grade and pay reference tables, job positions."""

from positions.models.jobs import (
    Competency,
    GradeStructureTarget,
    JobPosition,
    PositionCompetency,
)
from positions.models.pay import (
    BaseSalary,
    Confidence,
    EffectiveQuerySet,
    EffectiveRule,
    Grade,
    SalaryScale,
    SalaryStep,
)
from positions.models.units import OrgUnit

__all__ = [
    "BaseSalary",
    "Competency",
    "Confidence",
    "EffectiveQuerySet",
    "EffectiveRule",
    "Grade",
    "GradeStructureTarget",
    "JobPosition",
    "OrgUnit",
    "PositionCompetency",
    "SalaryScale",
    "SalaryStep",
]
