"""Appraisal evidence: the one-stop-shop conduct logs (procedures, dossiers and their
steps, apology slips, citizen ratings, conduct incidents)."""

from appraisals.models.service import (
    ApologySlip,
    CitizenRating,
    ConductIncident,
    Dossier,
    DossierStep,
    Procedure,
)

__all__ = [
    "ApologySlip",
    "CitizenRating",
    "ConductIncident",
    "Dossier",
    "DossierStep",
    "Procedure",
]
