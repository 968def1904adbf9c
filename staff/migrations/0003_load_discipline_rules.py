# Reference data: discipline forms by staff type and date, their effects on the
# raise clock and on appointments, the handling and limitation periods, and the
# raise-clock settings. Sources and confidence follow ../shared/DOMAIN.md §1.3,
# §1.4, §6 ("verified" = [V], "secondary" = [V-sec]/[V-part], "unverified" = [U]).
# Every row is editable in the back office; a new decree is a new row.

import datetime as dt

from django.db import migrations

LAW_2008_FROM = dt.date(2010, 1, 1)  # Law 22/2008/QH12 in force
PUBLIC_EMPLOYEES_FROM = dt.date(2012, 1, 1)  # Law 58/2010/QH12 in force
DECREE_172_FROM = dt.date(2025, 7, 1)
OLD_TO = DECREE_172_FROM - dt.timedelta(days=1)
LAW_2019_FROM = dt.date(2020, 7, 1)  # Law 52/2019/QH14 in force
CIRC_08_FROM = dt.date(2013, 9, 15)  # Circular 08/2013/TT-BNV in force [U]

C172 = "Decree 172/2025/NĐ-CP (from 1/7/2025); Law 80/2025/QH15"
C_CAN_BO_OLD = (
    "Law 22/2008/QH12 Art 78 as amended by Law 52/2019/QH14; "
    "Decree 112/2020/NĐ-CP as amended by Decree 71/2023/NĐ-CP"
)
C_CONG_CHUC_OLD = (
    "Law 22/2008/QH12 Art 79 as amended by Law 52/2019/QH14; "
    "Decree 112/2020/NĐ-CP as amended by Decree 71/2023/NĐ-CP"
)
C_VIEN_CHUC = (
    "Law 58/2010/QH12 on Public Employees Art 52 as amended by Law 52/2019/QH14; "
    "Decree 112/2020/NĐ-CP as amended by Decree 71/2023/NĐ-CP"
)

# (staff type, valid from, valid to, citation, confidence,
#  [(form, condition, rank), ...]). Ranks share one scale across regimes
# (higher is heavier), so an old-regime form compares with today's.
FORM_TABLES = [
    (
        "can_bo", LAW_2008_FROM, OLD_TO, C_CAN_BO_OLD, "secondary",
        [
            ("reprimand", "any", 10),
            ("warning", "any", 20),
            ("removal_from_post", "leader", 50),
            ("recall", "any", 60),
        ],
    ),
    (
        "cong_chuc", LAW_2008_FROM, OLD_TO, C_CONG_CHUC_OLD, "verified",
        [
            ("reprimand", "any", 10),
            ("warning", "any", 20),
            ("salary_step_down", "non_leader", 30),
            ("demotion", "leader", 40),
            ("removal_from_post", "leader", 50),
            ("forced_termination", "any", 70),
        ],
    ),
    (
        "can_bo", DECREE_172_FROM, None, C172, "verified",
        [
            ("reprimand", "any", 10),
            ("warning", "any", 20),
            ("removal_from_post", "leader", 50),
            ("recall", "any", 60),
        ],
    ),
    (
        "cong_chuc", DECREE_172_FROM, None, C172, "verified",
        [
            ("reprimand", "any", 10),
            ("warning", "any", 20),
            ("removal_from_post", "leader", 50),
            ("forced_termination", "any", 70),
        ],
    ),
    (
        # Decree 172 repealed Decree 112 only for cadres and civil servants; the
        # Law on Public Employees 2025 (from 1/7/2026) forms are unverified.
        "vien_chuc", PUBLIC_EMPLOYEES_FROM, None, C_VIEN_CHUC, "unverified",
        [
            ("reprimand", "any", 10),
            ("warning", "any", 20),
            ("removal_from_post", "leader", 50),
            ("forced_termination", "any", 70),
        ],
    ),
]

C_EFFECTS = (
    "Circular 08/2013/TT-BNV Art 2(3) as amended by Circular 03/2021/TT-BNV "
    "Art 1(5) (raise clock); Law 22/2008/QH12 Art 82 as amended by Law "
    "52/2019/QH14 (12/24-month bars); Decree 90/2020/NĐ-CP as amended by Decree "
    "48/2023/NĐ-CP (rating)"
)
# staff type: [(form, raise extension months, bar months, forces rating, note)]
EFFECTS = {
    "can_bo": [
        ("reprimand", 6, 12, True, ""),
        ("warning", 6, 12, True, ""),
        ("removal_from_post", 12, 24, True, ""),
        ("recall", 0, 0, False, "Ends the elected post."),
    ],
    "cong_chuc": [
        ("reprimand", 6, 12, True, ""),
        ("warning", 6, 12, True, ""),
        (
            "salary_step_down", 0, 12, True,
            "The step itself is lowered one level [U]; no extension listed.",
        ),
        ("demotion", 12, 24, True, ""),
        ("removal_from_post", 12, 24, True, ""),
        ("forced_termination", 0, 0, False, "Employment ends."),
    ],
    "vien_chuc": [
        ("reprimand", 3, 12, True, ""),
        ("warning", 6, 12, True, ""),
        ("removal_from_post", 12, 24, True, ""),
        ("forced_termination", 0, 0, False, "Employment ends."),
    ],
}

TIME_LIMITS = [
    # valid from, handling days, extended, limitation years (reprimand, other)
    (
        LAW_2019_FROM, 90, 150, 5, 10,
        "Law 22/2008/QH12 Art 80 as amended by Law 52/2019/QH14; Decree "
        "112/2020/NĐ-CP Art 5 as amended by Decree 71/2023/NĐ-CP; Decree "
        "172/2025/NĐ-CP; Law on Public Employees 2025 Art 36",
        "verified",
    ),
]

RAISE_CITATION = (
    "Circular 08/2013/TT-BNV Art 2–3 as amended by Circular 03/2021/TT-BNV; "
    "remainder rule and seniority allowance steps unverified (DOMAIN.md §1.3–1.4)"
)


def load(apps, schema_editor):
    FormRule = apps.get_model("staff", "DisciplineFormRule")
    EffectRule = apps.get_model("staff", "DisciplineEffectRule")
    TimeLimit = apps.get_model("staff", "DisciplineTimeLimit")
    RaiseSetting = apps.get_model("staff", "RaiseSetting")
    for staff_type, start, end, citation, confidence, forms in FORM_TABLES:
        for form, condition, rank in forms:
            FormRule.objects.update_or_create(
                form=form,
                staff_type=staff_type,
                valid_from=start,
                defaults={
                    "valid_to": end,
                    "condition": condition,
                    "rank": rank,
                    "citation": citation,
                    "confidence": confidence,
                },
            )
    for staff_type, effects in EFFECTS.items():
        start = PUBLIC_EMPLOYEES_FROM if staff_type == "vien_chuc" else LAW_2008_FROM
        for form, months, bar, forces, note in effects:
            EffectRule.objects.update_or_create(
                form=form,
                staff_type=staff_type,
                valid_from=start,
                defaults={
                    "raise_extension_months": months,
                    "bar_months": bar,
                    "forces_rating": forces,
                    "note": note,
                    "citation": C_EFFECTS,
                    "confidence": "unverified" if "[U]" in note else "verified",
                },
            )
    for start, days, extended, light, other, citation, confidence in TIME_LIMITS:
        TimeLimit.objects.update_or_create(
            valid_from=start,
            defaults={
                "handling_days": days,
                "extended_handling_days": extended,
                "limitation_years_reprimand": light,
                "limitation_years_other": other,
                "citation": citation,
                "confidence": confidence,
            },
        )
    RaiseSetting.objects.update_or_create(
        valid_from=CIRC_08_FROM,
        defaults={
            "not_completed_extension_months": 6,
            "early_raise_max_months": 12,
            "early_raise_people_per_raise": 10,
            "early_raise_remainder": "floor",
            "early_raise_remainder_threshold": 5,
            "seniority_years_college": 3,
            "seniority_years_other": 2,
            "seniority_first_percent": 5,
            "seniority_yearly_percent": 1,
            "citation": RAISE_CITATION,
            "confidence": "unverified",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("staff", "0002_discipline_cases")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
