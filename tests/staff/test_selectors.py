import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from positions.models import Grade
from staff.models import GradeHistory
from staff.selectors import employee_timeline
from staff.services import (
    assign_position,
    record_annual_rating,
    record_commendation,
    record_grade_step,
)
from tests.factories import (
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


def test_it_merges_the_whole_history_in_date_order(units):
    specialist = Grade.objects.get(code="01.003")
    employee = make_employee(units.ccvc, joined_on=dt.date(2010, 8, 1))
    first = make_position(units.ccvc, "CCVC-QL", title="Chuyên viên quản lý")
    second = make_position(units.tthcc, "TTHCC-TN", title="Tiếp nhận hồ sơ")
    # Recorded out of order on purpose.
    record_commendation(
        employee=employee,
        level="bang_khen_tinh",
        title="Bằng khen UBND tỉnh",
        decided_on=dt.date(2023, 12, 20),
        decision_number="99/QĐ-UBND",
    )
    record_annual_rating(employee=employee, year=2022, level="hoan_thanh_tot")
    record_annual_rating(
        employee=employee,
        year=2023,
        level="hoan_thanh_xuat_sac",
        decided_on=dt.date(2023, 12, 25),
    )
    record_grade_step(
        employee=employee,
        grade=specialist,
        salary_step=1,
        effective_on=dt.date(2010, 8, 1),
        reason=GradeHistory.Reason.APPOINTMENT,
    )
    assign_position(
        employee=employee,
        position=first,
        starts_on=dt.date(2010, 8, 1),
        decision_number="12/QĐ-SNV",
    )
    record_grade_step(
        employee=employee,
        grade=specialist,
        salary_step=2,
        effective_on=dt.date(2013, 8, 1),
        reason=GradeHistory.Reason.REGULAR_RAISE,
    )
    assign_position(employee=employee, position=second, starts_on=dt.date(2024, 1, 1))

    with CaptureQueriesContext(connection) as queries:
        events = employee_timeline(employee)
    assert len(queries) == 5  # assignments, grades, ratings, commendations, discipline
    assert [(e.on, e.kind) for e in events] == [
        (dt.date(2010, 8, 1), "assignment_start"),
        (dt.date(2010, 8, 1), "grade"),
        (dt.date(2013, 8, 1), "grade"),
        (dt.date(2022, 12, 31), "rating"),  # no decision date: end of the year
        (dt.date(2023, 12, 20), "commendation"),
        (dt.date(2023, 12, 25), "rating"),
        (dt.date(2023, 12, 31), "assignment_end"),
        (dt.date(2024, 1, 1), "assignment_start"),
    ]
    texts = [e.text for e in events]
    assert texts[0] == (
        "Assigned to Chuyên viên quản lý (CCVC-QL), Phòng Công chức viên chức "
        "(decision 12/QĐ-SNV)"
    )
    assert (
        texts[2] == "Regular step raise: 01.003 Chuyên viên, step 2, coefficient 2.67"
    )
    assert texts[4] == (
        "Certificate of merit of the provincial chairman: Bằng khen UBND tỉnh "
        "(decision 99/QĐ-UBND)"
    )
    assert texts[6] == "Left Chuyên viên quản lý (CCVC-QL)"
