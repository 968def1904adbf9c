# Reference data: the salary scales of Decree 204/2004/NĐ-CP with every step
# coefficient, and the base salary (lương cơ sở). Confidence tags follow
# ../shared/DOMAIN.md §1.2: "verified" = checked against the published table 2,
# "secondary" = a secondary source only, "unverified" = from memory.

import datetime as dt
from decimal import Decimal

from django.db import migrations

# Decree 204/2004 applies its salary tables from 1 Oct 2004.
DECREE_204_FROM = dt.date(2004, 10, 1)
TABLE_2 = "Decree 204/2004/NĐ-CP table 2"
VERIFIED_SOURCE = f"{TABLE_2}; Circ. 02/2021/TT-BNV Art 14 (DOMAIN.md §1.2)"
SECONDARY_SOURCE = f"{TABLE_2} (secondary source, DOMAIN.md §1.2)"

# code: (name, raise interval in months, college or higher, confidence, source,
#        coefficients from step 1)
SCALES = {
    "A3.1": (
        "Loại A3 nhóm 1 (A3.1)", 36, True, "verified", VERIFIED_SOURCE,
        "6.20 6.56 6.92 7.28 7.64 8.00",
    ),
    "A3.2": (
        "Loại A3 nhóm 2 (A3.2)", 36, True, "secondary", SECONDARY_SOURCE,
        "5.75 6.11 6.47 6.83 7.19 7.55",
    ),
    "A2.1": (
        "Loại A2 nhóm 1 (A2.1)", 36, True, "verified", VERIFIED_SOURCE,
        "4.40 4.74 5.08 5.42 5.76 6.10 6.44 6.78",
    ),
    "A2.2": (
        "Loại A2 nhóm 2 (A2.2)", 36, True, "secondary", SECONDARY_SOURCE,
        "4.00 4.34 4.68 5.02 5.36 5.70 6.04 6.38",
    ),
    "A1": (
        "Loại A1", 36, True, "verified", VERIFIED_SOURCE,
        "2.34 2.67 3.00 3.33 3.66 3.99 4.32 4.65 4.98",
    ),
    "A0": (
        "Loại A0", 36, True, "verified", VERIFIED_SOURCE,
        "2.10 2.41 2.72 3.03 3.34 3.65 3.96 4.27 4.58 4.89",
    ),
    "B": (
        "Loại B", 24, False, "verified", VERIFIED_SOURCE,
        "1.86 2.06 2.26 2.46 2.66 2.86 3.06 3.26 3.46 3.66 3.86 4.06",
    ),
    "C1": (
        "Loại C nhóm 1 (C1)", 24, False, "secondary", SECONDARY_SOURCE,
        "1.65 1.83 2.01 2.19 2.37 2.55 2.73 2.91 3.09 3.27 3.45 3.63",
    ),
    "C2": (
        "Loại C nhóm 2 (C2)", 24, False, "secondary", SECONDARY_SOURCE,
        "1.50 1.68 1.86 2.04 2.22 2.40 2.58 2.76 2.94 3.12 3.30 3.48",
    ),
    "C3": (
        "Loại C nhóm 3 (C3)", 24, False, "secondary", SECONDARY_SOURCE,
        "1.35 1.53 1.71 1.89 2.07 2.25 2.43 2.61 2.79 2.97 3.15 3.33",
    ),
    "CG": (
        "Chuyên gia cao cấp (bảng 1)", 60, True, "unverified",
        "Decree 204/2004/NĐ-CP table 1 (senior experts; unverified, DOMAIN.md §1.2)",
        "8.80 9.40 10.00",
    ),
}

BASE_SALARIES = [
    # amount, valid from, decree, confidence
    (2_340_000, dt.date(2024, 7, 1), "Decree 73/2024/NĐ-CP", "unverified"),
]


def load(apps, schema_editor):
    SalaryScale = apps.get_model("positions", "SalaryScale")
    SalaryStep = apps.get_model("positions", "SalaryStep")
    BaseSalary = apps.get_model("positions", "BaseSalary")
    for code, (name, months, college, confidence, source, coefficients) in SCALES.items():
        scale, _ = SalaryScale.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "raise_interval_months": months,
                "is_college_or_higher": college,
            },
        )
        for step, coefficient in enumerate(coefficients.split(), start=1):
            SalaryStep.objects.update_or_create(
                scale=scale,
                step=step,
                valid_from=DECREE_204_FROM,
                defaults={
                    "coefficient": Decimal(coefficient),
                    "source": source,
                    "confidence": confidence,
                },
            )
    for amount, valid_from, decree, confidence in BASE_SALARIES:
        BaseSalary.objects.update_or_create(
            valid_from=valid_from,
            defaults={"amount": amount, "decree": decree, "confidence": confidence},
        )


class Migration(migrations.Migration):

    dependencies = [
        ("positions", "0002_grades_and_positions"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
