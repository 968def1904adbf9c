"""The explanation of a score, shaped for the pages and the PDF form."""

from __future__ import annotations

from appraisals import appraisal_selectors as sel
from appraisals.appraisal_forms import criterion_label
from appraisals.models import Appraisal


def level_label(level: str) -> str:
    return str(Appraisal.Level(level).label) if level else ""


def explanation_context(appraisal: Appraisal | None) -> dict:
    """`explanation` (explain_appraisal: every part down to the task and the
    dossier step, frozen at the decision), `criteria` (label, points) and the
    annual level's label; an appraisal not computed yet has none."""
    if appraisal is None or (appraisal.computed_at is None and not appraisal.snapshot):
        return {"explanation": None, "criteria": [], "annual_level": ""}
    explanation = sel.explain_appraisal(appraisal)
    general = explanation.get("general_criteria") or {}
    criteria = [
        (criterion_label(name), points)
        for name, points in (general.get("points") or {}).items()
    ]
    annual = explanation.get("annual") or {}
    return {
        "explanation": explanation,
        "criteria": criteria,
        "annual_level": level_label(annual.get("level") or ""),
    }
