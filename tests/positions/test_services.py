import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from hrms.models import LedgerEntry
from positions.models import Grade, GradeStructureTarget, JobPosition
from positions.services import (
    create_position,
    set_grade_structure_target,
    set_position_competencies,
    update_position,
)
from tests.factories import (
    make_assignment,
    make_employee,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
    with translation.override("en"):
        yield


def _entries(action: str) -> list[dict]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(action=action)]


def _position(units, **overrides) -> JobPosition:
    fields = {
        "unit": units.ccvc,
        "code": "P01-SNV-CCVC-QL",
        "title": "Chuyên viên quản lý công chức",
        "group": JobPosition.Group.PROFESSIONAL,
        "grade": Grade.objects.get(code="01.003"),
        "headcount": 3,
        "approval_decision_number": "123/QĐ-UBND",
        "approval_decided_on": dt.date(2025, 9, 15),
        "approval_signer": "Chủ tịch UBND tỉnh",
    }
    fields.update(overrides)
    return create_position(**fields)


def test_it_creates_a_position_and_records_the_quota(units, users):
    position = _position(units, actor=users.hr)
    assert position.version == 1
    assert not position.is_leadership
    assert _entries("position.create") == [
        {
            "code": "P01-SNV-CCVC-QL",
            "unit": "P01-SNV-CCVC",
            "title": "Chuyên viên quản lý công chức",
            "group": "professional",
            "grade": "01.003",
            "headcount": 3,
            "decision": "123/QĐ-UBND",
            "decided_on": "2025-09-15",
        }
    ]
    entry = LedgerEntry.objects.get(action="position.create")
    assert entry.actor == users.hr
    assert entry.object_id == str(position.pk)


def test_it_refuses_the_shared_professional_group_after_the_2025_law(units):
    with pytest.raises(ValidationError, match="shared-professional group is kept"):
        _position(units, group=JobPosition.Group.SHARED_PROFESSIONAL)
    historic = _position(
        units,
        code="P01-SNV-CCVC-TH",
        group=JobPosition.Group.SHARED_PROFESSIONAL,
        approval_decided_on=dt.date(2022, 3, 1),
    )
    assert historic.group == "shared_professional"


def test_it_refuses_a_duplicate_code(units):
    _position(units)
    with pytest.raises(ValidationError) as exc:
        _position(units, unit=units.snv)
    assert "code" in exc.value.message_dict


def test_it_records_a_headcount_change_with_old_and_new_values(units, users):
    position = _position(units)
    saved = update_position(
        position, expected_version=1, actor=users.hr, headcount=5, title="Chuyên viên"
    )
    assert (saved.headcount, saved.title, saved.version) == (5, "Chuyên viên", 2)
    [payload] = _entries("position.headcount_change")
    assert payload["old_headcount"] == 3
    assert payload["new_headcount"] == 5
    assert payload["code"] == "P01-SNV-CCVC-QL"


def test_it_records_nothing_when_the_headcount_stays(units):
    position = _position(units)
    update_position(position, expected_version=1, title="Chuyên viên chính")
    assert _entries("position.headcount_change") == []


def test_it_refuses_a_stale_version(units):
    position = _position(units)
    update_position(position, expected_version=1, headcount=4)
    with pytest.raises(ValidationError, match="changed by someone else") as exc:
        update_position(position, expected_version=1, headcount=2)
    assert exc.value.code == "stale_version"
    position.refresh_from_db()
    assert (position.headcount, position.version) == (4, 2)


def test_it_refuses_closing_a_position_that_people_hold(units):
    position = _position(units)
    make_assignment(make_employee(units.ccvc), position)
    with pytest.raises(ValidationError, match="end their assignments"):
        update_position(position, expected_version=1, is_active=False)


def test_it_refuses_unknown_fields(units):
    position = _position(units)
    with pytest.raises(TypeError):
        update_position(position, expected_version=1, version=9)


def test_it_sets_a_competency_profile(units):
    position = make_position(units.ccvc)
    rows = set_position_competencies(
        position=position, levels={"Soạn thảo văn bản": 4, "Tin học": 3}
    )
    assert sorted((r.competency.name, r.required_level) for r in rows) == [
        ("Soạn thảo văn bản", 4),
        ("Tin học", 3),
    ]
    set_position_competencies(position=position, levels={"Tin học": 2})
    assert [
        (c.competency.name, c.required_level) for c in position.competencies.all()
    ] == [("Tin học", 2)]
    with pytest.raises(ValidationError, match="from 1 to 5"):
        set_position_competencies(position=position, levels={"Tin học": 6})


def test_it_sets_grade_structure_targets_up_to_100_percent(units, users):
    specialist = Grade.objects.get(code="01.003")
    principal = Grade.objects.get(code="01.002")
    set_grade_structure_target(
        unit=units.snv, grade=specialist, target_ratio="60", actor=users.hr
    )
    set_grade_structure_target(unit=units.snv, grade=principal, target_ratio=30)
    target = set_grade_structure_target(
        unit=units.snv, grade=specialist, target_ratio="70"
    )
    assert target.target_ratio == Decimal("70.00")
    assert GradeStructureTarget.objects.filter(unit=units.snv).count() == 2
    with pytest.raises(ValidationError, match="cannot exceed 100%"):
        set_grade_structure_target(unit=units.snv, grade=principal, target_ratio=31)
    payloads = _entries("grade_structure.target")
    assert [(p["grade"], p["old_ratio"], p["new_ratio"]) for p in payloads] == [
        ("01.003", None, "60.00"),
        ("01.002", None, "30.00"),
        ("01.003", "60.00", "70.00"),
    ]
