import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from positions.models import BaseSalary, Confidence, Grade, SalaryScale
from positions.rules import (
    base_salary_on,
    coefficient_for,
    last_step,
    monthly_base_pay,
    scale_steps_on,
)
from tests.factories import make_reference_data

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
    with translation.override("en"):
        yield


# DOMAIN.md §1.2, "verified full step lists" and the other table-2 ranges.
STEPS = {
    "A3.1": "6.20 6.56 6.92 7.28 7.64 8.00",
    "A3.2": "5.75 6.11 6.47 6.83 7.19 7.55",
    "A2.1": "4.40 4.74 5.08 5.42 5.76 6.10 6.44 6.78",
    "A2.2": "4.00 4.34 4.68 5.02 5.36 5.70 6.04 6.38",
    "A1": "2.34 2.67 3.00 3.33 3.66 3.99 4.32 4.65 4.98",
    "A0": "2.10 2.41 2.72 3.03 3.34 3.65 3.96 4.27 4.58 4.89",
    "B": "1.86 2.06 2.26 2.46 2.66 2.86 3.06 3.26 3.46 3.66 3.86 4.06",
    "C1": "1.65 1.83 2.01 2.19 2.37 2.55 2.73 2.91 3.09 3.27 3.45 3.63",
    "C2": "1.50 1.68 1.86 2.04 2.22 2.40 2.58 2.76 2.94 3.12 3.30 3.48",
    "C3": "1.35 1.53 1.71 1.89 2.07 2.25 2.43 2.61 2.79 2.97 3.15 3.33",
    "CG": "8.80 9.40 10.00",
}


@pytest.mark.parametrize("code", sorted(STEPS))
def test_it_loads_every_coefficient_of_each_scale(code):
    scale = SalaryScale.objects.get(code=code)
    expected = {i: Decimal(c) for i, c in enumerate(STEPS[code].split(), start=1)}
    assert scale_steps_on(scale, ON) == expected
    assert last_step(scale, ON) == len(expected)
    assert all(step.source for step in scale.steps.all())


def test_it_tags_confidence_and_raise_intervals_as_the_domain_notes_do():
    scales = {s.code: s for s in SalaryScale.objects.prefetch_related("steps")}
    assert {s.confidence for s in scales["A1"].steps.all()} == {Confidence.VERIFIED}
    assert {s.confidence for s in scales["A2.2"].steps.all()} == {Confidence.SECONDARY}
    assert {s.confidence for s in scales["CG"].steps.all()} == {Confidence.UNVERIFIED}
    assert scales["A3.1"].raise_interval_months == 36
    assert scales["A0"].raise_interval_months == 36
    assert scales["B"].raise_interval_months == 24
    assert scales["C2"].raise_interval_months == 24
    assert scales["CG"].raise_interval_months == 60
    assert scales["A0"].is_college_or_higher and not scales["B"].is_college_or_higher


def test_it_keeps_salary_category_and_civil_service_class_apart():
    grades = {g.code: g for g in Grade.objects.select_related("salary_scale")}
    assert set(grades) >= {
        "01.001",
        "01.002",
        "01.003",
        "01.004",
        "01.005",
        "02.006",
        "02.007",
        "02.008",
        "04.023",
        "04.024",
        "04.025",
        "06.029",
        "06.030",
        "06.031",
        "06.032",
    }
    specialist = grades["01.003"]
    assert specialist.salary_scale.code == "A1"
    assert specialist.civil_service_class == Grade.CivilServiceClass.C
    assert specialist.ladder_level == Grade.LadderLevel.SPECIALIST
    assert grades["01.001"].civil_service_class == "A"
    assert grades["01.001"].salary_scale.code == "A3.1"
    assert grades["01.005"].salary_scale.code == "B"
    assert grades["01.005"].civil_service_class == "D"
    assert grades["01.003"].confidence == Confidence.VERIFIED
    assert grades["04.024"].confidence == Confidence.UNVERIFIED


def test_it_reads_the_base_salary_in_force():
    assert base_salary_on(dt.date(2024, 7, 1)) == 2_340_000
    assert base_salary_on(ON) == 2_340_000
    BaseSalary.objects.create(
        amount=2_530_000, valid_from=dt.date(2026, 7, 1), decree="Nghị định thử"
    )
    assert base_salary_on(dt.date(2026, 6, 30)) == 2_340_000
    assert base_salary_on(dt.date(2026, 7, 1)) == 2_530_000
    with pytest.raises(ValidationError, match="No base salary"):
        base_salary_on(dt.date(2024, 6, 30))


@pytest.mark.parametrize(
    ("grade", "step", "coefficient", "pay"),
    [
        ("01.003", 4, "3.33", 7_792_200),
        ("01.002", 6, "6.10", 14_274_000),
        ("01.005", 1, "1.86", 4_352_400),
        ("01.001", 6, "8.00", 18_720_000),
        ("01.004", 10, "4.89", 11_442_600),
    ],
)
def test_it_computes_monthly_base_pay(grade, step, coefficient, pay):
    grade = Grade.objects.get(code=grade)
    assert coefficient_for(grade, step, ON) == Decimal(coefficient)
    assert monthly_base_pay(Decimal(coefficient), ON) == pay


def test_it_rounds_pay_half_up_to_the_dong():
    BaseSalary.objects.create(
        amount=1_490_005, valid_from=dt.date(2030, 1, 1), decree="thử làm tròn"
    )
    # 2.34 × 1,490,005 = 3,486,611.70
    assert monthly_base_pay(Decimal("2.34"), dt.date(2030, 1, 1)) == 3_486_612


def test_it_refuses_a_step_beyond_the_scale():
    grade = Grade.objects.get(code="01.003")
    with pytest.raises(ValidationError, match="steps 1 to 9"):
        coefficient_for(grade, 10, ON)
