# Reference data: civil-servant grades (ngạch) per ../shared/DOMAIN.md §1.2.
# Salary category (A3.1 … C3) and legal class (loại A–D, Law 22/2008 Art 34) are
# separate columns; the ladder level is Law 80/2025/QH15 Art 24 (1 = nhân viên …
# 6 = chuyên gia cao cấp). Sector grades are unverified: check the current
# sector circular before go-live.

from django.db import migrations

ADMIN_SOURCE = "Circ. 02/2021/TT-BNV Art 3, 14 (DOMAIN.md §1.2)"
SECTOR_SOURCE = "Sector circular, unverified (DOMAIN.md §1.2)"
# Circ. 77/2019/TT-BTC may place 06.029/06.030 on A3.2/A2.2: verify.
ACCOUNTING_SOURCE = (
    "Sector circular, unverified (DOMAIN.md §1.2; the scale may be A3.2/A2.2)"
)

EMPLOYEE, OFFICER, SPECIALIST, PRINCIPAL, SENIOR = 1, 2, 3, 4, 5

# code, name, scale, class, ladder level, confidence, source
GRADES = [
    ("01.001", "Chuyên viên cao cấp", "A3.1", "A", SENIOR, "verified", ADMIN_SOURCE),
    ("01.002", "Chuyên viên chính", "A2.1", "B", PRINCIPAL, "verified", ADMIN_SOURCE),
    ("01.003", "Chuyên viên", "A1", "C", SPECIALIST, "verified", ADMIN_SOURCE),
    ("01.004", "Cán sự", "A0", "D", OFFICER, "verified", ADMIN_SOURCE),
    ("01.005", "Nhân viên", "B", "D", EMPLOYEE, "verified", ADMIN_SOURCE),
    ("02.006", "Văn thư viên chính", "A2.2", "B", PRINCIPAL, "unverified", SECTOR_SOURCE),
    ("02.007", "Văn thư viên", "A1", "C", SPECIALIST, "unverified", SECTOR_SOURCE),
    ("02.008", "Văn thư viên trung cấp", "B", "D", OFFICER, "unverified", SECTOR_SOURCE),
    ("04.023", "Thanh tra viên cao cấp", "A3.1", "A", SENIOR, "unverified", SECTOR_SOURCE),
    ("04.024", "Thanh tra viên chính", "A2.1", "B", PRINCIPAL, "unverified", SECTOR_SOURCE),
    ("04.025", "Thanh tra viên", "A1", "C", SPECIALIST, "unverified", SECTOR_SOURCE),
    ("06.029", "Kế toán viên cao cấp", "A3.1", "A", SENIOR, "unverified", ACCOUNTING_SOURCE),
    ("06.030", "Kế toán viên chính", "A2.1", "B", PRINCIPAL, "unverified", ACCOUNTING_SOURCE),
    ("06.031", "Kế toán viên", "A1", "C", SPECIALIST, "unverified", SECTOR_SOURCE),
    ("06.032", "Kế toán viên trung cấp", "A0", "D", OFFICER, "unverified", SECTOR_SOURCE),
]


def load(apps, schema_editor):
    Grade = apps.get_model("positions", "Grade")
    SalaryScale = apps.get_model("positions", "SalaryScale")
    scales = {scale.code: scale for scale in SalaryScale.objects.all()}
    for code, name, scale, klass, level, confidence, source in GRADES:
        Grade.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "salary_scale": scales[scale],
                "civil_service_class": klass,
                "ladder_level": level,
                "confidence": confidence,
                "source": source,
            },
        )


class Migration(migrations.Migration):

    dependencies = [
        ("positions", "0003_load_salary_scales"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
