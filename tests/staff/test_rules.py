import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from staff.rules import (
    GRADE_MAPPING_DEADLINE,
    age_at,
    check_citizen_id,
    check_grade_match,
    check_minimum_age,
    check_quota,
    validate_citizen_id,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("national_id", "gender", "born"),
    [
        ("034186001234", "F", dt.date(1986, 3, 21)),  # Thái Bình, woman, 1986
        ("034071004321", "M", dt.date(1971, 9, 5)),
        ("001090012345", "M", dt.date(1990, 1, 1)),  # Hà Nội
        ("079203000123", "M", dt.date(2003, 5, 2)),  # TP HCM, man, 2000s
        ("096305000001", "F", dt.date(2005, 12, 31)),  # Cà Mau, woman, 2000s
    ],
)
def test_it_accepts_well_formed_citizen_ids(national_id, gender, born):
    result = check_citizen_id(national_id, gender=gender, date_of_birth=born)
    assert result.ok, result.message
    assert result.citation.startswith("Circular 59/2021/TT-BCA Art 7")
    validate_citizen_id(national_id)


@pytest.mark.parametrize(
    ("national_id", "code"),
    [
        ("03418600123", "citizen_id.format"),  # 11 digits
        ("0341860012345", "citizen_id.format"),  # 13 digits
        ("03418600123a", "citizen_id.format"),
        ("034 186001234", "citizen_id.format"),
        ("", "citizen_id.format"),
        ("000186001234", "citizen_id.province"),
        ("003186001234", "citizen_id.province"),  # an unassigned code
        ("097186001234", "citizen_id.province"),  # past 096
    ],
)
def test_it_refuses_malformed_citizen_ids(national_id, code):
    result = check_citizen_id(national_id)
    assert not result.ok
    assert result.code == code
    with pytest.raises(ValidationError):
        validate_citizen_id(national_id)


@pytest.mark.parametrize(
    ("gender", "born", "code"),
    [
        ("M", dt.date(1986, 3, 21), "citizen_id.gender"),  # digit 1 = woman
        ("F", dt.date(2086, 3, 21), "citizen_id.century"),  # digit 1 = 1900s
        ("F", dt.date(1987, 3, 21), "citizen_id.birth_year"),
    ],
)
def test_it_refuses_an_id_that_contradicts_the_person(gender, born, code):
    result = check_citizen_id("034186001234", gender=gender, date_of_birth=born)
    assert (result.ok, result.code) == (False, code)


def test_it_counts_completed_years():
    born = dt.date(2000, 2, 29)
    assert age_at(born, dt.date(2018, 2, 28)) == 17
    assert age_at(born, dt.date(2018, 3, 1)) == 18
    assert age_at(dt.date(1990, 6, 15), dt.date(2008, 6, 15)) == 18
    assert age_at(dt.date(1990, 6, 15), dt.date(2008, 6, 14)) == 17


def test_it_requires_18_years_at_joining():
    refused = check_minimum_age(dt.date(2008, 6, 15), on=dt.date(2026, 6, 14))
    assert (refused.ok, refused.code) == (False, "age.under_minimum")
    assert "at least 18" in refused.message
    assert check_minimum_age(dt.date(2008, 6, 15), on=dt.date(2026, 6, 15)).ok


def _position(headcount=2, grade_id=3, code="VT-1"):
    grade = SimpleNamespace(pk=grade_id, code=f"01.00{grade_id}")
    return SimpleNamespace(
        code=code, headcount=headcount, grade_id=grade_id, grade=grade
    )


def test_it_checks_the_quota():
    on = dt.date(2026, 3, 1)
    assert check_quota(_position(headcount=2), on, filled=1).ok
    refused = check_quota(_position(headcount=2), on, filled=2)
    assert (refused.ok, refused.code) == (False, "quota.exceeded")
    assert "quota of 2" in refused.message
    assert refused.citation


def test_it_checks_the_grade_of_civil_servants_only():
    position = _position(grade_id=3)
    principal = SimpleNamespace(pk=2, code="01.002")
    on = dt.date(2026, 3, 1)
    refused = check_grade_match(principal, position, staff_type="cong_chuc", on=on)
    assert (refused.ok, refused.code) == (False, "grade_match.mismatch")
    assert "transition case" in refused.message
    assert check_grade_match(principal, position, staff_type="vien_chuc", on=on).ok
    assert check_grade_match(None, position, staff_type="cong_chuc", on=on).ok
    same = SimpleNamespace(pk=3, code="01.003")
    assert check_grade_match(same, position, staff_type="cong_chuc", on=on).ok


def test_it_allows_a_transition_case_until_the_deadline():
    position = _position(grade_id=3)
    principal = SimpleNamespace(pk=2, code="01.002")
    last_day = GRADE_MAPPING_DEADLINE - dt.timedelta(days=1)
    allowed = check_grade_match(
        principal,
        position,
        staff_type="cong_chuc",
        on=last_day,
        is_transition_case=True,
    )
    assert (allowed.ok, allowed.code) == (True, "grade_match.transition")
    assert "Decree 170/2025" in allowed.citation
    refused = check_grade_match(
        principal,
        position,
        staff_type="cong_chuc",
        on=GRADE_MAPPING_DEADLINE,
        is_transition_case=True,
    )
    assert (refused.ok, refused.code) == (False, "grade_match.mismatch")
