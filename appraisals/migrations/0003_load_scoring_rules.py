# Reference data: the scoring rule sets of the annual appraisal, one row per
# version of a regime's numbers (../shared/DOMAIN.md §5). appraisals/scoring.py
# documents each parameter. `unverified` lists the parameters DOMAIN.md marks
# [U] or that the decree leaves to the agency: dated settings, editable in the
# back office; a new decree or an agency's own table is a new row.

import datetime as dt

from django.db import migrations

EXCELLENT = "hoan_thanh_xuat_sac"
GOOD = "hoan_thanh_tot"
COMPLETED = "hoan_thanh"

# Shared by both regimes. Regime A lists its products with the same arithmetic
# (as evidence; Decree 90 has no points).
PRODUCTS = {
    "task_points_max": 70,
    "general_points_max": 30,
    "deduction_per_defect": 0.25,
    "deduction_per_delay": 0.25,
    "axis_weights": {"quantity": 1, "quality": 1, "timeliness": 1},
    # A dossier step, in standard products (an agency's conversion table).
    "step_weight": 0.1,
    "min_months_worked": 6,
    # Law on Complaints 2011 Art 9: 90 days from knowing the decision.
    "complaint_days": 90,
    "deadline": [12, 15],
    "special_deadline": [1, 15],
}

DECREE_335 = {
    **PRODUCTS,
    "levels": [[90, EXCELLENT], [70, GOOD], [50, COMPLETED]],
    "leader_weights": {
        "own": 0.4,
        "unit_products": 0.3,
        "unit_results": 0.15,
        "organising": 0.15,
    },
    "unit_results": {"all_completed": 1.0, "any_not_completed": 0.5},
    # Art 12 groups: qualities, culture, discipline; competence, responsibility,
    # service attitude, coordination; innovation. 30 in all.
    "general_criteria": {
        "political_ethics": 4,
        "culture": 4,
        "discipline": 4,
        "competence": 4,
        "responsibility": 4,
        "service_attitude": 4,
        "coordination": 3,
        "innovation": 3,
    },
    "service_attitude": {
        "criterion": "service_attitude",
        "min_ratings": 5,
        "incident_deduction": 1,
    },
    "cap": {"share": 0.2, "base": "good"},
    # Art 21: absence is rated on the periods actually worked; no level cap.
    "absence_cap": {"from_months": 3, "to_months": 6, "level": None},
}
DECREE_335_UNVERIFIED = [
    "axis_weights",
    "leader_weights",
    "general_criteria",
    "service_attitude",
    "step_weight",
    "min_months_worked",
    "absence_cap",
    "complaint_days",
]

DECREE_90_TESTS = {
    "excellent_exceeded_min": 0.5,
    "completed_short_max": 0.2,
    "not_completed_short_over": 0.5,
    "unit_exceeded_min": 0.5,
    "unit_good_ok_min": 0.8,
    "unit_good_share_min": 0.7,
    "unit_completed_over": 0.7,
    "unit_completed_share_min": 0.7,
    "unit_not_completed_under": 0.5,
}
DECREE_90 = {
    **PRODUCTS,
    "tests": DECREE_90_TESTS,
    "cap": None,  # the original Decree 90 had no numeric cap
    "absence_cap": {"from_months": 3, "to_months": 6, "level": COMPLETED},
}
DECREE_48 = {
    **DECREE_90,
    # Art 2(6) as added by Decree 48/2023: not above the Party's ratio of
    # excellent party members (Reg. 366-QĐ/TW), a dated setting.
    "cap": {"share": 0.2, "base": "all_rated"},
}
DECREE_90_UNVERIFIED = ["axis_weights", "step_weight", "complaint_days"]

RULESETS = [
    {
        "code": "ND90-2020",
        "regime": "decree_90_2020",
        "staff_types": ["can_bo", "cong_chuc", "vien_chuc"],
        "valid_from": dt.date(2020, 1, 1),
        "valid_to": dt.date(2022, 12, 31),
        "citation": "Decree 90/2020/NĐ-CP",
        "confidence": "secondary",
        "params": DECREE_90,
        "unverified": DECREE_90_UNVERIFIED,
        "note": "Rating years 2020-2022.",
    },
    {
        "code": "ND90-2020-ND48-2023",
        "regime": "decree_90_2020",
        "staff_types": ["can_bo", "cong_chuc"],
        "valid_from": dt.date(2023, 1, 1),
        "valid_to": dt.date(2025, 12, 31),
        "citation": "Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP",
        "confidence": "secondary",
        "params": DECREE_48,
        "unverified": [*DECREE_90_UNVERIFIED, "cap"],
        "note": "Cadres and civil servants, rating years 2023-2025.",
    },
    {
        "code": "ND90-2020-ND48-2023-VC",
        "regime": "decree_90_2020",
        "staff_types": ["vien_chuc"],
        "valid_from": dt.date(2023, 1, 1),
        "valid_to": None,
        "citation": "Decree 90/2020/NĐ-CP as amended by Decree 48/2023/NĐ-CP",
        "confidence": "secondary",
        "params": DECREE_48,
        "unverified": [*DECREE_90_UNVERIFIED, "cap"],
        "note": (
            "Public employees until the rules under the Law on Public Employees "
            "2025 apply: close this row and add theirs then."
        ),
    },
    {
        "code": "ND335-2025",
        "regime": "decree_335_2025",
        "staff_types": ["cong_chuc", "can_bo"],
        "valid_from": dt.date(2026, 1, 1),
        "valid_to": None,
        "citation": "Decree 335/2025/NĐ-CP",
        "confidence": "verified",
        "params": DECREE_335,
        "unverified": DECREE_335_UNVERIFIED,
        "note": (
            "Civil servants from rating year 2026. Cadres (cán bộ) are included "
            "as Law 80/2025/QH15 appraises them with civil servants; the decree's "
            "scope for them is unverified."
        ),
    },
]


def load(apps, schema_editor):
    ScoringRuleSet = apps.get_model("appraisals", "ScoringRuleSet")
    for row in RULESETS:
        fields = dict(row)
        code = fields.pop("code")
        ScoringRuleSet.objects.update_or_create(code=code, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [
        ("appraisals", "0002_task_register_and_cycles"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
