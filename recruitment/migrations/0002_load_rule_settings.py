# Reference data: the numbers recruitment and appointments use, with their source
# and confidence (../shared/DOMAIN.md §3–4; "verified" = [V], "unverified" = [U]).
# Editable in the back office; a new decree is a new row.

import datetime as dt

from django.db import migrations

SETTINGS_CITATION = (
    "Decree 138/2020/NĐ-CP Art 13, 14, 41; Decree 170/2025/NĐ-CP Art 8, 18; "
    "Decree 85/2023/NĐ-CP; MOHA Decision 727/2025; red-flag thresholds are "
    "inspection practice, not law"
)
RETIREMENT_CITATION = "Labour Code 2019 Art 169; Decree 135/2020/NĐ-CP Art 4, Annex I"
ROADMAP_FROM = dt.date(2021, 1, 1)


def load(apps, schema_editor):
    setting = apps.get_model("recruitment", "RecruitmentSetting")
    retirement = apps.get_model("recruitment", "RetirementAgeRule")
    setting.objects.update_or_create(
        valid_from=dt.date(2020, 1, 1),
        defaults={
            "citation": SETTINGS_CITATION,
            # Re-marking window and secondment length are [U] under Decree 170.
            "confidence": "unverified",
            "notice_window_days": 30,
            "remark_window_days": 15,
            "dossier_completion_days": 20,
            "term_years": 5,
            "extension_branch_years": 2,
            "reappointment_notice_days": 90,
            "min_tenure_months": 24,
            "secondment_max_years": 3,
            "council_repeat_drives": 3,
            "council_repeat_months": 24,
            "single_applicant_drives": 2,
            "single_applicant_months": 12,
        },
    )
    for gender, before, start, step, final in (
        ("M", 60 * 12, 60 * 12 + 3, 3, 62 * 12),
        ("F", 55 * 12, 55 * 12 + 4, 4, 60 * 12),
    ):
        retirement.objects.update_or_create(
            gender=gender,
            valid_from=ROADMAP_FROM,
            defaults={
                "citation": RETIREMENT_CITATION,
                "confidence": "secondary",
                "start_year": 2021,
                "before_age_months": before,
                "start_age_months": start,
                "step_months": step,
                "final_age_months": final,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("recruitment", "0001_drives_councils_results_appointments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
