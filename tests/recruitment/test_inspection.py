"""Inspection cases: scope of records with their flags, findings, conclusions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hrms.models import LedgerEntry
from recruitment import selectors, services
from tests.factories import (
    make_appointment_decision,
    make_drive,
    make_employee,
)
from tests.recruitment.conftest import NOTICE

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, units):
    return services.open_inspection_case(
        inspector=users.inspector,
        unit=units.snv,
        title="Thanh tra công tác tuyển dụng 2026",
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 6, 30),
    )


def test_only_an_inspector_of_the_unit_opens_a_case(users, units):
    for user, unit in ((users.hr, units.snv), (users.inspector, units.syt)):
        with pytest.raises(ValidationError) as exc:
            services.open_inspection_case(
                inspector=user,
                unit=unit,
                title="x",
                period_from=dt.date(2026, 1, 1),
                period_to=dt.date(2026, 2, 1),
            )
        assert exc.value.error_list[0].code == "inspection.not_inspector"


def test_it_shows_flagged_and_unflagged_records_in_scope(case, units):
    flagged = make_drive(
        units.ccvc, "TD-A", status="announced", published_on=NOTICE, window_days=15
    )
    clean = make_drive(units.ccvc, "TD-B", status="announced", published_on=NOTICE)
    make_drive(
        units.snv, "TD-OLD", status="announced", published_on=dt.date(2025, 5, 1)
    )
    make_drive(units.syt, "TD-SYT", status="announced", published_on=NOTICE)
    leader = make_employee(units.ccvc, full_name="Hà Văn Lãnh")
    decision = make_appointment_decision(leader, decided_on=dt.date(2026, 2, 2))
    scope = selectors.records_in_scope(case)
    assert [r.label.split(" – ")[0] for r in scope.drives] == ["TD-A", "TD-B"]
    assert [r.object_id for r in scope.flagged] == [str(flagged.pk), str(decision.pk)]
    assert [r.object_id for r in scope.unflagged] == [str(clean.pk)]
    assert {f.code for f in scope.flagged[0].flags} == {"notice.window_short"}
    assert {f.code for f in scope.flagged[1].flags} == {
        "appointment.vote_below_threshold"
    }


def test_the_inspector_records_findings_and_concludes(case, users):
    with pytest.raises(ValidationError) as exc:
        services.add_finding(case=case, text="x", actor=users.hr)
    assert exc.value.error_list[0].code == "inspection.not_owner"
    finding = services.add_finding(
        case=case,
        text="Thời hạn nhận hồ sơ dưới 30 ngày",
        actor=users.inspector,
        severity="high",
        record_type="recruitment.recruitmentdrive",
        record_id=7,
        flag_code="notice.window_short",
    )
    assert finding.record_id == "7"
    case = services.conclude_inspection_case(
        case=case,
        conclusions="Đề nghị rút kinh nghiệm",
        actor=users.inspector,
        expected_version=case.version,
        concluded_on=dt.date(2026, 11, 20),
    )
    assert case.status == "closed"
    entry = LedgerEntry.objects.get(action="inspection.conclude")
    assert "Thời hạn nhận hồ sơ" in entry.payload
    with pytest.raises(ValidationError) as exc:
        services.add_finding(case=case, text="late", actor=users.inspector)
    assert exc.value.error_list[0].code == "inspection.closed"


def test_the_report_carries_the_ledger_verification(case):
    report = selectors.inspection_report(case)
    assert report.ledger.ok
    assert report.findings == []
