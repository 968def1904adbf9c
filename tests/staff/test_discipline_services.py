"""Discipline services: the decision and its bad inputs (refused with the
rule's citation, nothing written), extension, suspension, annulment, ledger."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hrms.models import LedgerEntry
from staff import services
from staff.discipline import (
    discipline_bars,
    discipline_bars_for,
    forced_rating_for_year,
)
from staff.models import AnnualRating, DisciplineCase, Suspension
from staff.selectors import raise_due
from tests.factories import (
    make_assignment,
    make_decided_case,
    make_discipline_case,
    make_discipline_reference_data,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
)

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = dt.datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def _setup(db):
    make_reference_data()
    make_discipline_reference_data()
    # Messages are asserted in English whatever the catalogue holds.
    with time_machine.travel(TODAY, tick=False), translation.override("en"):
        yield


@pytest.fixture
def employee(units):
    employee = make_employee(units.ccvc, "CC01", full_name="Lê Văn Cường")
    make_grade_step(employee, "01.003", 2, effective_on=D(2022, 1, 1))
    return employee


@pytest.fixture
def leader(units):
    employee = make_employee(units.ccvc, "LD01", full_name="Phạm Thị Dung")
    make_grade_step(employee, "01.002", 2, effective_on=D(2022, 1, 1))
    post = make_position(units.ccvc, grade="01.002", group="leadership")
    make_assignment(employee, post, starts_on=D(2023, 1, 1))
    return employee


def _case(employee, **overrides):
    fields = {
        "detected_on": D(2026, 1, 10),
        "violations": [(D(2025, 12, 20), "Tự ý nghỉ việc 3 ngày không lý do")],
        "explanation_submitted_on": D(2026, 1, 20),
        "explanation_text": "Tôi xin nhận khuyết điểm.",
    }
    fields.update(overrides)
    return make_discipline_case(employee, **fields)


def _decide(case, **overrides):
    fields = {
        "case": case,
        "form": "reprimand",
        "decision_number": "15/QĐ-SNV",
        "decided_on": D(2026, 2, 15),
        "effective_on": D(2026, 2, 15),
        "signer": "Nguyễn Văn Hùng",
        "signer_title": "Giám đốc",
        "expected_version": case.version,
    }
    fields.update(overrides)
    return services.decide_discipline(**fields)


def test_it_records_a_decision_with_its_ledger_entry(employee, users):
    case = _case(employee)
    before = raise_due(D(2026, 3, 1), employee.__class__.objects.filter(pk=employee.pk))
    _decide(case, actor=users.hr)
    case.refresh_from_db()
    assert (case.status, case.form, case.version) == ("decided", "reprimand", 2)
    entry = LedgerEntry.objects.get(action="discipline.decision")
    assert entry.actor_name == users.hr.username
    assert '"form":"reprimand"' in entry.payload
    assert '"raise_extension_months":6' in entry.payload
    after = raise_due(D(2026, 3, 1), employee.__class__.objects.filter(pk=employee.pk))
    assert before[0].due_on == D(2025, 1, 1)
    # The reprimand falls after the due date: the late, unrecorded raise stays due.
    assert after[0].due_on == D(2025, 1, 1)
    assert not discipline_bars(employee, D(2026, 3, 1)).ok
    assert forced_rating_for_year(employee, 2026) == "khong_hoan_thanh"


def _nothing_written(case):
    case.refresh_from_db()
    assert case.status == DisciplineCase.Status.OPEN
    assert case.version == 1
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("setup", "decision", "code", "cited"),
    [
        pytest.param(
            {"violations": [(D(2019, 1, 1), "Vi phạm cũ")]},
            {},
            "limitation.expired",
            "Decree 112/2020",
            id="after-the-limitation-period",
        ),
        pytest.param(
            {},
            {"form": "salary_step_down"},
            "discipline_form.not_allowed",
            "Decree 172/2025",
            id="form-not-allowed-on-that-date",
        ),
        pytest.param(
            {},
            {"form": "removal_from_post"},
            "discipline_form.needs_leadership_post",
            "Decree 172/2025",
            id="removal-without-a-leadership-post",
        ),
        pytest.param(
            {
                "explanation_submitted_on": None,
                "explanation_text": "",
                "explanation_deadline": D(2026, 2, 20),
            },
            {},
            "explanation.missing",
            "Decree 112/2020",
            id="before-the-explanation-step",
        ),
        pytest.param(
            {"explanation_submitted_on": None, "explanation_text": ""},
            {},
            "explanation.missing",
            "Decree 112/2020",
            id="no-explanation-and-no-deadline",
        ),
        pytest.param(
            {},
            {"effective_on": D(2025, 12, 1)},
            "decision.effective_before_violation",
            "Decree 172/2025",
            id="effective-before-the-violation",
        ),
        pytest.param(
            {},
            {"decided_on": D(2026, 1, 5), "effective_on": D(2026, 1, 5)},
            "decision.before_detection",
            "Decree 172/2025",
            id="decided-before-detection",
        ),
        pytest.param(
            {},
            {"decided_on": D(2026, 3, 2), "effective_on": D(2026, 3, 2)},
            "decision.future",
            "Decree 172/2025",
            id="decided-in-the-future",
        ),
    ],
)
def test_bad_decisions_are_refused_with_the_citation(
    employee, setup, decision, code, cited
):
    case = _case(employee, **setup)
    with pytest.raises(ValidationError) as exc:
        _decide(case, **decision)
    assert exc.value.code == code
    assert cited in exc.value.messages[0]
    _nothing_written(case)


def test_a_decision_waits_while_the_case_is_not_yet_considered(employee):
    case = _case(employee)
    Suspension.objects.create(case=case, kind="illness", starts_on=D(2026, 2, 1))
    with pytest.raises(ValidationError) as exc:
        _decide(case)
    assert exc.value.code == "discipline.not_yet_considered"
    _nothing_written(case)


def test_a_decision_after_the_explanation_deadline_is_allowed(employee):
    case = _case(
        employee,
        explanation_submitted_on=None,
        explanation_text="",
        explanation_deadline=D(2026, 2, 1),
    )
    _decide(case)
    case.refresh_from_db()
    assert case.status == "decided"


def test_removal_from_post_is_allowed_for_a_leader(leader):
    case = _case(leader)
    _decide(case, form="removal_from_post")
    case.refresh_from_db()
    assert case.form == "removal_from_post"


def test_removal_from_post_ends_the_leadership_post_the_day_before(leader):
    case = _case(leader)
    _decide(case, form="removal_from_post", effective_on=D(2026, 2, 20))
    ended = list(leader.assignments.values_list("position__group", "ends_on"))
    assert ended == [("leadership", D(2026, 2, 19))]
    leader.refresh_from_db()
    assert leader.status == "active"
    entry = LedgerEntry.objects.get(action="discipline.decision")
    assert '"posts_ended_on":"2026-02-19"' in entry.payload


def test_forced_termination_ends_the_employment_and_annulment_reinstates(leader, users):
    version = leader.version
    case = _case(leader, severity="very_serious")
    _decide(case, form="forced_termination", effective_on=D(2026, 2, 20))
    leader.refresh_from_db()
    assert (leader.status, leader.version) == ("dismissed", version + 1)
    assert not leader.assignments.filter(ends_on__isnull=True).exists()
    assert '"employment_status":"dismissed"' in (
        LedgerEntry.objects.get(action="discipline.decision").payload
    )
    services.annul_discipline(
        case=case,
        annulled_on=D(2026, 2, 25),
        reason="Sai thẩm quyền",
        expected_version=2,
        actor=users.hr,
    )
    leader.refresh_from_db()
    assert leader.status == "active"
    assert '"reinstated":true' in (
        LedgerEntry.objects.get(action="discipline.annulment").payload
    )


def test_a_reprimand_leaves_the_post_and_the_employment(leader):
    _decide(_case(leader))
    assert leader.assignments.get().ends_on is None
    leader.refresh_from_db()
    assert leader.status == "active"


def test_a_new_violation_while_a_reprimand_is_served_takes_a_warning(employee):
    make_decided_case(employee, "reprimand", decided_on=D(2025, 6, 1))
    case = _case(employee)
    with pytest.raises(ValidationError) as exc:
        _decide(case)
    assert exc.value.code == "discipline_form.too_light"
    assert "Warning" in exc.value.messages[0]
    _decide(case, form="warning", expected_version=1)
    case.refresh_from_db()
    assert case.form == "warning"


def test_violations_decided_together_take_the_heaviest_form(employee):
    case = _case(
        employee,
        violations=[
            {
                "occurred_on": D(2025, 12, 1),
                "description": "A",
                "merited_form": "reprimand",
            },
            {
                "occurred_on": D(2025, 12, 5),
                "description": "B",
                "merited_form": "warning",
            },
        ],
    )
    with pytest.raises(ValidationError) as exc:
        _decide(case)
    assert exc.value.code == "discipline_form.too_light"


def test_an_old_form_stays_valid_for_a_decision_under_the_old_rules(employee):
    case = _case(
        employee,
        detected_on=D(2024, 3, 1),
        violations=[(D(2024, 2, 1), "Vi phạm năm 2024")],
        explanation_submitted_on=D(2024, 3, 10),
    )
    _decide(
        case,
        form="salary_step_down",
        decided_on=D(2024, 4, 1),
        effective_on=D(2024, 4, 1),
    )
    case.refresh_from_db()
    assert case.get_form_display() == "Salary step-down (hạ bậc lương)"


def test_a_stale_version_is_refused(employee):
    case = _case(employee)
    with pytest.raises(ValidationError) as exc:
        _decide(case, expected_version=7)
    assert exc.value.code == "stale_version"


def test_it_opens_a_case_and_refuses_a_violation_after_detection(employee, users):
    case = services.open_discipline_case(
        employee=employee,
        detected_on=D(2026, 2, 1),
        severity="serious",
        violations=[
            {"description": "Nhận tiền của công dân", "occurred_on": D(2026, 1, 20)}
        ],
        circumstances=[("mitigating", "Tự giác báo cáo")],
        actor=users.hr,
    )
    assert case.violations.count() == 1
    assert case.circumstances.get().kind == "mitigating"
    with pytest.raises(ValidationError) as exc:
        services.open_discipline_case(
            employee=employee,
            detected_on=D(2026, 2, 1),
            severity="serious",
            violations=[{"description": "X", "occurred_on": D(2026, 2, 5)}],
        )
    assert exc.value.code == "violation.after_detection"


def test_an_extension_goes_to_the_ledger_once(employee, users):
    case = _case(employee)
    services.extend_discipline_case(
        case=case,
        reason="Phải xác minh tại cơ quan thuế",
        expected_version=1,
        actor=users.hr,
    )
    case.refresh_from_db()
    assert (case.extended_to_days, case.extended_on) == (150, D(2026, 3, 1))
    entry = LedgerEntry.objects.get(action="discipline.extension")
    assert '"extended_to_days":150' in entry.payload
    with pytest.raises(ValidationError) as exc:
        services.extend_discipline_case(case=case, reason="Lần nữa", expected_version=2)
    assert exc.value.code == "extension.once"


def test_an_extension_after_the_ordinary_limit_is_refused(employee):
    case = _case(
        employee, detected_on=D(2025, 11, 1), violations=[(D(2025, 10, 1), "X")]
    )
    with pytest.raises(ValidationError) as exc:
        services.extend_discipline_case(case=case, reason="Muộn", expected_version=1)
    assert exc.value.code == "extension.overdue"
    assert not LedgerEntry.objects.exists()


def test_a_suspension_pauses_and_ends(employee, users):
    case = _case(employee)
    suspension = services.suspend_discipline_case(
        case=case,
        kind="maternity",
        starts_on=D(2026, 2, 1),
        expected_version=1,
        actor=users.hr,
    )
    services.end_suspension(
        suspension=suspension, ends_on=D(2026, 2, 20), expected_version=2
    )
    suspension.refresh_from_db()
    assert suspension.ends_on == D(2026, 2, 20)
    assert (
        LedgerEntry.objects.filter(action__startswith="discipline.suspension").count()
        == 2
    )


def test_not_disciplining_closes_the_case_in_the_ledger(employee, users):
    case = _case(employee)
    services.close_without_discipline(
        case=case,
        decided_on=D(2026, 2, 20),
        reason="Không đủ căn cứ",
        expected_version=1,
        actor=users.hr,
    )
    case.refresh_from_db()
    assert case.status == "not_disciplined"
    assert LedgerEntry.objects.filter(action="discipline.no_discipline").exists()
    assert discipline_bars(employee, D(2026, 3, 1)).ok


def test_an_annulment_removes_every_effect(employee, users):
    case = _case(employee)
    _decide(case)
    services.annul_discipline(
        case=case,
        annulled_on=D(2026, 2, 25),
        reason="Sai thẩm quyền",
        decision_number="20/QĐ-SNV",
        expected_version=2,
        actor=users.hr,
    )
    case.refresh_from_db()
    assert case.status == "annulled"
    assert LedgerEntry.objects.filter(action="discipline.annulment").exists()
    assert discipline_bars(employee, D(2026, 3, 1)).ok
    assert forced_rating_for_year(employee, 2026) is None
    with pytest.raises(ValidationError) as exc:
        services.annul_discipline(
            case=case, annulled_on=D(2026, 2, 26), reason="x", expected_version=3
        )
    assert exc.value.code == "annulment.not_decided"


def test_the_council_has_one_chair_and_goes_to_the_ledger(employee, users):
    case = _case(employee)
    with pytest.raises(ValidationError) as exc:
        services.set_discipline_council(
            case=case, members=[("A", "member", "")], expected_version=1
        )
    assert exc.value.code == "council.one_chair"
    services.set_discipline_council(
        case=case,
        members=[("Trần An", "chair", "Phó Giám đốc"), ("Lê Bình", "secretary", "")],
        expected_version=1,
        actor=users.hr,
    )
    assert case.council_members.count() == 2
    assert LedgerEntry.objects.filter(action="discipline.council").exists()


def test_the_explanation_needs_text_and_date(employee):
    case = _case(employee, explanation_submitted_on=None, explanation_text="")
    with pytest.raises(ValidationError) as exc:
        services.record_explanation(case=case, text="Tôi nhận lỗi", expected_version=1)
    assert exc.value.code == "explanation.incomplete"
    services.record_explanation(
        case=case,
        text="Tôi nhận lỗi",
        submitted_on=D(2026, 1, 25),
        expected_version=1,
    )
    case.refresh_from_db()
    assert case.has_explanation


def test_the_forced_rating_is_recorded_and_linked(employee):
    case = _case(employee)
    _decide(case)
    rating = services.record_forced_rating(employee=employee, year=2026)
    assert (rating.level, rating.discipline_case) == ("khong_hoan_thanh", case)
    with pytest.raises(ValidationError) as exc:
        services.record_forced_rating(employee=employee, year=2025)
    assert exc.value.code == "forced_rating.none"


def test_a_rating_caused_earlier_by_the_violation_is_not_counted_again(employee):
    case = _case(employee)
    AnnualRating.objects.create(
        employee=employee, year=2025, level="khong_hoan_thanh", discipline_case=case
    )
    _decide(case)
    assert forced_rating_for_year(employee, 2026) is None


def test_bars_for_many_employees_take_three_queries(units, employee, leader):
    make_decided_case(employee, "warning", decided_on=D(2025, 9, 1))
    _case(leader)
    others = [make_employee(units.ccvc, f"X{i}") for i in range(5)]
    ids = [employee.pk, leader.pk, *(o.pk for o in others)]
    with CaptureQueriesContext(connection) as queries:
        bars = discipline_bars_for(ids, D(2026, 3, 1))
    assert len(queries) == 3
    assert bars[employee.pk].code == "discipline_bar.in_effect"
    assert bars[leader.pk].code == "discipline_bar.open_case"
    assert all(bars[o.pk].ok for o in others)


def test_a_violation_of_a_case_closed_without_discipline_restarts_nothing(employee):
    old = _case(employee, violations=[(D(2020, 6, 1), "Vi phạm cũ")])
    make_discipline_case(
        employee,
        detected_on=D(2024, 5, 1),
        violations=[(D(2024, 4, 1), "Không có căn cứ")],
        status="not_disciplined",
        decided_on=D(2024, 6, 1),
    )
    with pytest.raises(ValidationError) as exc:
        _decide(old)
    assert exc.value.code == "limitation.expired"
