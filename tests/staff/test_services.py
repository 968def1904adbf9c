import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from hrms.models import LedgerEntry
from positions.models import Grade
from staff.models import AnnualRating, Assignment, Employee, GradeHistory
from staff.services import (
    assign_position,
    change_grade,
    create_employee,
    end_assignment,
    record_annual_rating,
    record_commendation,
    record_grade_step,
    update_employee,
)
from tests.factories import (
    make_assignment,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db

STALE = (
    "This record was changed by someone else since you opened it; reload and try again."
)
ON = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _english_and_reference_data(db):
    make_reference_data()
    with translation.override("en"):
        yield


def _grade(code: str) -> Grade:
    return Grade.objects.get(code=code)


def _new(units, **overrides) -> Employee:
    fields = {
        "employee_code": "S001",
        "full_name": " Bùi Thị Lan ",
        "date_of_birth": dt.date(1986, 3, 21),
        "gender": "F",
        "staff_type": "cong_chuc",
        "unit": units.ccvc,
        "national_id": "034186001234",
        "joined_on": dt.date(2010, 8, 1),
        "email": "lan.bt@example.vn",
        "phone": "0912345678",
    }
    fields.update(overrides)
    return create_employee(**fields)


# Personnel file -------------------------------------------------------------


def test_it_opens_a_personnel_file(units):
    employee = _new(units)
    employee.refresh_from_db()
    assert employee.full_name == "Bùi Thị Lan"
    assert employee.phone == "0912345678"
    assert (employee.status, employee.version) == ("active", 1)


def test_it_refuses_staff_under_18_at_joining(units):
    with pytest.raises(ValidationError) as exc:
        _new(units, national_id="", joined_on=dt.date(2004, 3, 20))
    assert "at least 18" in exc.value.message_dict["joined_on"][0]
    assert _new(units, national_id="", joined_on=dt.date(2004, 3, 21))


def test_it_refuses_a_birth_date_in_the_future(units):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        _new(units, national_id="", date_of_birth=tomorrow, joined_on=None)
    assert "future" in exc.value.message_dict["date_of_birth"][0]


@pytest.mark.parametrize(
    ("national_id", "message"),
    [
        ("03418600123", "exactly 12 digits"),
        ("003186001234", "not a province code"),
        ("034086001234", "does not match the gender"),  # digit 0 = man
        ("034187001234", "do not match the year of birth"),
    ],
)
def test_it_refuses_a_bad_citizen_id(units, national_id, message):
    with pytest.raises(ValidationError) as exc:
        _new(units, national_id=national_id)
    assert message in " ".join(exc.value.message_dict["national_id"])


def test_it_refuses_a_duplicate_citizen_id_but_not_two_blanks(units):
    _new(units)
    with pytest.raises(ValidationError, match="Another employee has this citizen ID"):
        _new(units, employee_code="S002")
    _new(units, employee_code="S003", national_id="")
    _new(units, employee_code="S004", national_id="")


def test_it_saves_an_edit_and_refuses_a_stale_one(units, users):
    employee = _new(units)
    first_tab = second_tab = employee.version
    saved = update_employee(
        employee, expected_version=first_tab, actor=users.hr, phone="0987654321"
    )
    assert (saved.phone, saved.version) == ("0987654321", 2)
    with pytest.raises(ValidationError) as exc:
        update_employee(employee, expected_version=second_tab, full_name="Bùi Lan")
    assert exc.value.messages == [STALE]
    employee.refresh_from_db()
    assert employee.full_name == "Bùi Thị Lan"


def test_an_edit_still_checks_the_rules(units):
    employee = _new(units)
    with pytest.raises(ValidationError):
        update_employee(employee, expected_version=1, gender="M")
    assert Employee.objects.get(pk=employee.pk).version == 1


# Assignments ----------------------------------------------------------------


def _graded(unit, grade="01.003", staff_type="cong_chuc"):
    employee = make_employee(unit, staff_type=staff_type)
    make_grade_step(employee, grade, 1, effective_on=dt.date(2015, 1, 1))
    return employee


def _ledger(action: str) -> list[dict]:
    return [json.loads(e.payload) for e in LedgerEntry.objects.filter(action=action)]


def test_it_assigns_within_the_quota(units):
    position = make_position(units.ccvc, headcount=2)
    employee = _graded(units.ccvc)
    assignment = assign_position(
        employee=employee,
        position=position,
        starts_on=ON,
        decision_number="15/QĐ-SNV",
        decided_on=dt.date(2026, 2, 20),
        signer="Giám đốc Sở Nội vụ",
    )
    assert assignment.ends_on is None
    assert not assignment.is_quota_override
    assert _ledger("assignment.quota_override") == []


def test_it_refuses_to_assign_beyond_the_quota(units):
    position = make_position(units.ccvc, "CCVC-QL", headcount=1)
    assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)
    with pytest.raises(ValidationError) as exc:
        assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)
    assert exc.value.code == "quota.exceeded"
    assert exc.value.messages == [
        "Position CCVC-QL has a quota of 1 and 1 already hold it from 01/03/2026: "
        "another assignment would exceed the quota."
    ]
    assert Assignment.objects.filter(position=position).count() == 1


def test_an_hr_officer_may_override_the_quota_with_a_reason(units, users):
    position = make_position(units.ccvc, "CCVC-QL", headcount=1)
    assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)
    second = _graded(units.ccvc)
    assignment = assign_position(
        employee=second,
        position=position,
        starts_on=ON,
        actor=users.hr,
        override_reason="  Biệt phái tạm thời chờ sắp xếp  ",
    )
    assert assignment.is_quota_override
    assert assignment.quota_override_reason == "Biệt phái tạm thời chờ sắp xếp"
    assert assignment.overridden_by == users.hr
    entry = LedgerEntry.objects.get(action="assignment.quota_override")
    assert entry.actor == users.hr
    assert entry.object_id == str(assignment.pk)
    assert json.loads(entry.payload) == {
        "employee": second.employee_code,
        "position": "CCVC-QL",
        "unit": "P01-SNV-CCVC",
        "starts_on": "2026-03-01",
        "decision": "",
        "quota": 1,
        "filled": 1,
        "reason": "Biệt phái tạm thời chờ sắp xếp",
    }


@pytest.mark.parametrize("who", ["manager", "other_manager", "staff", None])
def test_only_hr_of_the_unit_may_override(units, users, who):
    position = make_position(units.ccvc, headcount=1)
    assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)
    actor = getattr(users, who) if who else None
    with pytest.raises(ValidationError, match="Only an HR officer of P01-SNV-CCVC"):
        assign_position(
            employee=_graded(units.ccvc),
            position=position,
            starts_on=ON,
            actor=actor,
            override_reason="Cần gấp",
        )


def test_hr_of_another_subtree_may_not_override(units, users):
    position = make_position(units.syt, headcount=1)  # HR is granted on P01-SNV
    assign_position(employee=_graded(units.syt), position=position, starts_on=ON)
    with pytest.raises(ValidationError, match="Only an HR officer"):
        assign_position(
            employee=_graded(units.syt),
            position=position,
            starts_on=ON,
            actor=users.hr,
            override_reason="Cần gấp",
        )


def test_a_reason_alone_does_not_make_an_override(units, users):
    position = make_position(units.ccvc, headcount=2)
    assignment = assign_position(
        employee=_graded(units.ccvc),
        position=position,
        starts_on=ON,
        actor=users.hr,
        override_reason="không cần",
    )
    assert not assignment.is_quota_override
    assert assignment.overridden_by is None


def test_a_successor_takes_the_seat_after_the_leaver(units):
    position = make_position(units.ccvc, headcount=1)
    make_assignment(_graded(units.ccvc), position, ends_on=ON - dt.timedelta(days=1))
    assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)
    # A later arrival overlaps the open-ended seat: refused.
    with pytest.raises(ValidationError, match="quota of 1"):
        assign_position(
            employee=_graded(units.ccvc),
            position=position,
            starts_on=dt.date(2026, 6, 1),
        )


def test_it_counts_the_peak_not_everyone_after_the_date(units):
    position = make_position(units.ccvc, headcount=2)
    make_assignment(  # leaves before the next one arrives
        _graded(units.ccvc), position, starts_on=ON, ends_on=dt.date(2026, 4, 30)
    )
    make_assignment(_graded(units.ccvc), position, starts_on=dt.date(2026, 5, 1))
    assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)


def test_it_refuses_a_grade_mismatch_for_a_civil_servant(units):
    position = make_position(units.ccvc, "CCVC-QL", grade="01.003", headcount=3)
    principal = _graded(units.ccvc, "01.002")
    with pytest.raises(ValidationError) as exc:
        assign_position(employee=principal, position=position, starts_on=ON)
    assert exc.value.code == "grade_match.mismatch"
    assert "Grade 01.002 does not match grade 01.003" in exc.value.messages[0]
    public_employee = _graded(units.ccvc, "01.002", staff_type="vien_chuc")
    assert assign_position(employee=public_employee, position=position, starts_on=ON)


def test_a_transition_case_may_differ_until_july_2027(units, users):
    position = make_position(units.ccvc, "CCVC-QL", grade="01.003", headcount=3)
    principal = _graded(units.ccvc, "01.002")
    assignment = assign_position(
        employee=principal,
        position=position,
        starts_on=ON,
        actor=users.hr,
        is_transition_case=True,
    )
    assert assignment.is_transition_case
    [payload] = _ledger("assignment.grade_transition")
    assert (payload["grade"], payload["position_grade"]) == ("01.002", "01.003")
    late = _graded(units.ccvc, "01.002")
    with pytest.raises(ValidationError, match="transition cases end on 01/07/2027"):
        assign_position(
            employee=late,
            position=position,
            starts_on=dt.date(2027, 7, 1),
            is_transition_case=True,
        )


def test_it_ends_the_previous_assignment_the_day_before(units):
    first = make_position(units.ccvc, headcount=1)
    second = make_position(units.tthcc, headcount=1)
    employee = _graded(units.ccvc)
    old = assign_position(
        employee=employee, position=first, starts_on=dt.date(2024, 1, 1)
    )
    new = assign_position(employee=employee, position=second, starts_on=ON)
    old.refresh_from_db()
    assert old.ends_on == dt.date(2026, 2, 28)
    assert new.ends_on is None
    employee.refresh_from_db()
    assert employee.unit == units.tthcc  # the file follows the post
    assert employee.version == 2
    again = assign_position(employee=employee, position=second, starts_on=ON)
    assert again == new  # the same decision twice writes nothing
    with pytest.raises(ValidationError, match="already holds"):
        assign_position(
            employee=employee, position=second, starts_on=dt.date(2026, 6, 1)
        )
    with pytest.raises(ValidationError, match="must start after it"):
        assign_position(employee=employee, position=first, starts_on=ON)


def test_it_ends_an_assignment(units):
    assignment = make_assignment(make_employee(units.ccvc), make_position(units.ccvc))
    ended = end_assignment(assignment=assignment, ends_on=ON)
    assert ended.ends_on == ON
    with pytest.raises(ValidationError):
        end_assignment(assignment=ended, ends_on=dt.date(2019, 1, 1))


def test_it_refuses_a_closed_position_and_a_former_employee(units):
    position = make_position(units.ccvc, headcount=5, is_active=False)
    with pytest.raises(ValidationError, match="closed"):
        assign_position(employee=_graded(units.ccvc), position=position, starts_on=ON)
    open_position = make_position(units.ccvc, headcount=5)
    retired = make_employee(units.ccvc, status="retired")
    with pytest.raises(ValidationError, match="no longer active"):
        assign_position(employee=retired, position=open_position, starts_on=ON)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers anyway"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_assignments_respect_the_quota(units):
    position = make_position(units.ccvc, headcount=1)
    employees = [_graded(units.ccvc) for _ in range(2)]
    start = threading.Barrier(2)
    outcomes = []

    def assign(employee):
        try:
            start.wait()
            assign_position(employee=employee, position=position, starts_on=ON)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(e,)) for e in employees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "quota.exceeded"]
    assert Assignment.objects.filter(position=position).count() == 1


# Grades, steps, ratings, commendations --------------------------------------


def test_it_computes_the_coefficient_from_the_scale(units):
    employee = make_employee(units.ccvc)
    row = record_grade_step(
        employee=employee,
        grade=_grade("01.003"),
        salary_step=4,
        effective_on=dt.date(2024, 2, 1),
        reason=GradeHistory.Reason.APPOINTMENT,
        decision_number="7/QĐ-SNV",
    )
    assert row.coefficient == Decimal("3.33")
    raised = record_grade_step(
        employee=employee,
        grade=_grade("01.003"),
        salary_step=5,
        effective_on=dt.date(2027, 2, 1),
        reason=GradeHistory.Reason.REGULAR_RAISE,
    )
    assert raised.coefficient == Decimal("3.66")
    again = record_grade_step(
        employee=employee,
        grade=_grade("01.003"),
        salary_step=5,
        effective_on=dt.date(2027, 2, 1),
        reason=GradeHistory.Reason.REGULAR_RAISE,
    )
    assert again == raised
    assert GradeHistory.objects.filter(employee=employee).count() == 2


def test_it_refuses_a_step_beyond_the_last(units):
    employee = make_employee(units.ccvc)
    with pytest.raises(ValidationError) as exc:
        record_grade_step(
            employee=employee,
            grade=_grade("01.001"),
            salary_step=7,
            effective_on=ON,
            reason=GradeHistory.Reason.APPOINTMENT,
        )
    assert "steps 1 to 6" in exc.value.message_dict["salary_step"][0]
    with pytest.raises(ValidationError):
        record_grade_step(
            employee=employee,
            grade=_grade("01.005"),
            salary_step=13,
            effective_on=ON,
            reason=GradeHistory.Reason.APPOINTMENT,
        )
    assert not GradeHistory.objects.exists()


def test_a_raise_moves_one_step_in_the_same_grade(units):
    employee = _graded(units.ccvc)  # 01.003 step 1 since 2015
    with pytest.raises(ValidationError, match="from step 1 to 2"):
        record_grade_step(
            employee=employee,
            grade=_grade("01.003"),
            salary_step=3,
            effective_on=ON,
            reason=GradeHistory.Reason.REGULAR_RAISE,
        )
    with pytest.raises(ValidationError):
        record_grade_step(
            employee=employee,
            grade=_grade("01.002"),
            salary_step=2,
            effective_on=ON,
            reason=GradeHistory.Reason.EARLY_RAISE,
        )


def test_a_grade_change_must_match_the_position_held(units):
    position = make_position(units.ccvc, grade="01.003", headcount=2)
    employee = _graded(units.ccvc)
    assign_position(employee=employee, position=position, starts_on=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        change_grade(
            employee=employee, grade=_grade("01.002"), salary_step=1, effective_on=ON
        )
    assert "does not match" in exc.value.message_dict["grade"][0]


def test_it_refuses_an_out_of_order_change_unless_a_correction(units):
    employee = _graded(units.ccvc)
    make_grade_step(employee, "01.003", 2, effective_on=dt.date(2018, 1, 1))
    with pytest.raises(ValidationError, match="record this one as a correction"):
        record_grade_step(
            employee=employee,
            grade=_grade("01.003"),
            salary_step=3,
            effective_on=dt.date(2017, 1, 1),
            reason=GradeHistory.Reason.APPOINTMENT,
        )
    assert record_grade_step(
        employee=employee,
        grade=_grade("01.003"),
        salary_step=3,
        effective_on=dt.date(2017, 1, 1),
        reason=GradeHistory.Reason.CORRECTION,
    )


def test_current_grade_comes_from_the_history_without_extra_queries(units):
    def listing():
        with CaptureQueriesContext(connection) as queries:
            rows = list(
                Employee.objects.with_current_grade(ON)
                .with_current_position(ON)
                .select_related("unit")
            )
        return rows, len(queries)

    first = _graded(units.ccvc)
    make_grade_step(first, "01.003", 2, effective_on=dt.date(2018, 1, 1))
    make_grade_step(first, "01.003", 3, effective_on=dt.date(2030, 1, 1))  # future
    _rows, few = listing()
    for _ in range(10):
        _graded(units.ccvc, "01.005")
    rows, many = listing()
    assert few == many == 1
    by_code = {row.employee_code: row for row in rows}
    current = by_code[first.employee_code]
    assert (current.current_grade_code, current.current_step) == ("01.003", 2)
    assert current.current_coefficient == Decimal("2.67")
    assert current.current_step_since == dt.date(2018, 1, 1)


def test_it_records_one_rating_per_year(units):
    employee = make_employee(units.ccvc)
    record_annual_rating(employee=employee, year=2024, level="hoan_thanh_tot")
    rating = record_annual_rating(
        employee=employee,
        year=2024,
        level="hoan_thanh_xuat_sac",
        source=AnnualRating.Source.IMPORTED,
    )
    assert AnnualRating.objects.get(employee=employee, year=2024) == rating
    assert rating.level == "hoan_thanh_xuat_sac"
    with pytest.raises(ValidationError):
        record_annual_rating(employee=employee, year=2025, level="xuat_sac_lam")
    with pytest.raises(ValidationError, match="has not started"):
        record_annual_rating(
            employee=employee, year=timezone.localdate().year + 1, level="hoan_thanh"
        )


def test_it_records_a_commendation(units):
    employee = make_employee(units.ccvc)
    commendation = record_commendation(
        employee=employee,
        level="bang_khen_tinh",
        title="Bằng khen của Chủ tịch UBND tỉnh",
        decided_on=dt.date(2025, 12, 20),
        decision_number="2345/QĐ-UBND",
        issuer="Chủ tịch UBND tỉnh",
    )
    assert not commendation.is_used_for_early_raise
    with pytest.raises(ValidationError):
        record_commendation(
            employee=employee, level="huy_chuong_vang", title="?", decided_on=ON
        )
