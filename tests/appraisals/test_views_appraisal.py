"""The appraisal screens: my appraisal and self-assessment, the manager's
proposal with the evidence beside it, the head's decision (refusals before the
meeting, beyond the cap, after the decision; the conflict of two deciders), the
cycle's stages and meetings, the cap meter, complaints; who sees what.

Computed as of Fri 27/11/2026 17:00; S101 Bùi Thị Lan (P01-SNV-CCVC) has two
March tasks, one delivered 4 working days late; S201 works at P01-SYT."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from appraisals import appraisal_services as svc
from appraisals import scoring
from appraisals.models import Appraisal, AppraisalCycle, CapException, Complaint
from hrms.models import AccessLog
from tests.appraisals.conftest import at
from tests.factories import (
    make_assignment,
    make_cycle,
    make_discipline_reference_data,
    make_employee,
    make_position,
    make_scoring_rules,
    make_task,
    scoring_rules,
)

pytestmark = pytest.mark.django_db

D = dt.date
AS_OF = at(2026, 11, 27, 17)
FULL = {
    "political_ethics": 4,
    "culture": 4,
    "discipline": 4,
    "competence": 4,
    "responsibility": 4,
    "service_attitude": 4,
    "coordination": 3,
    "innovation": 3,
}
GOOD_POINTS = {**FULL, "political_ethics": 0, "culture": 0, "discipline": 2}  # 20


@pytest.fixture(autouse=True)
def english_ui(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def agency(units, users, holidays):
    make_scoring_rules()
    make_discipline_reference_data()
    cycle = svc.open_cycle(unit=units.root, year=2026)
    lan = make_employee(
        units.ccvc, "S101", full_name="Bùi Thị Lan", gender="F", user=users.staff
    )
    make_assignment(lan, make_position(units.ccvc), starts_on=D(2020, 1, 1))
    make_task(lan, "T-2026-03-01", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 12))
    make_task(lan, "T-2026-03-14", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 19))
    hung = make_employee(units.syt, "S201", full_name="Phạm Văn Hùng")
    make_task(hung, "T-SYT-1", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 13))
    svc.compute_cycle(cycle=cycle, as_of=AS_OF)
    return cycle


def appraisal_of(cycle, code) -> Appraisal:
    return Appraisal.objects.get(cycle=cycle, employee__employee_code=code)


def to_stage(cycle, stage, *, meeting=True):
    order = AppraisalCycle.ORDER
    cycle.refresh_from_db()
    while order.index(cycle.status) < order.index(stage):
        to = order[cycle.stage_index() + 1]
        if to == "manager_proposal" and meeting and not cycle.meetings.exists():
            svc.record_comment_meeting(
                cycle=cycle,
                held_on=D(2026, 11, 20),
                summoned=9,
                attended=6,
                minutes="Biên bản họp góp ý",
            )
        cycle = svc.advance_cycle(cycle=cycle, to_status=to)
    return cycle


def proposal_data(appraisal, points=None, **extra) -> dict:
    data = {f"crit_{k}": v for k, v in (points or FULL).items()}
    data.update({"version": appraisal.version, "comment": "", "level": "", "score": ""})
    data.update(extra)
    return data


def proposed(cycle, users, code="S101", total_points=None):
    appraisal = appraisal_of(cycle, code)
    appraisal = svc.score_general_criteria(
        appraisal=appraisal,
        points=total_points or {**FULL, "political_ethics": 0, "culture": 0},
        expected_version=appraisal.version,
    )
    return svc.propose_appraisal(
        appraisal=appraisal, actor=users.manager, expected_version=appraisal.version
    )


def url(name, *args):
    return reverse(f"appraisal:{name}", args=args)


# My appraisal -------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, agency):
    for target in (url("my_appraisal"), url("cycle_list"), url("cycle_detail", 1)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_my_appraisal_shows_the_score_explained_down_to_the_task(client, agency, users):
    client.force_login(users.staff)
    lan = appraisal_of(agency, "S101")
    svc.score_general_criteria(appraisal=lan, points=FULL, expected_version=lan.version)
    response = client.get(url("my_appraisal") + "?year=2026")
    assertContains(response, "ND335-2025")
    assertContains(response, "T-2026-03-14")
    assertContains(response, "delivered 4 working day(s) late")
    assertContains(response, "Decree 335/2025/NĐ-CP Art 14")
    assertContains(response, "Political qualities and ethics")
    assertContains(response, url("appraisal_pdf", lan.pk))
    assertNotContains(response, "T-SYT-1")


def test_the_person_self_assesses_only_in_the_self_assessment_stages(
    client, agency, users
):
    client.force_login(users.staff)
    lan = appraisal_of(agency, "S101")
    to_stage(agency, "self_assessment")
    response = client.post(
        url("my_appraisal") + "?year=2026",
        {"text": "Hoàn thành tốt các nhiệm vụ được giao.", "version": lan.version},
    )
    assertRedirects(response, url("my_appraisal") + "?year=2026")
    lan.refresh_from_db()
    assert lan.status == Appraisal.Status.SELF_ASSESSED
    assert lan.self_assessment == "Hoàn thành tốt các nhiệm vụ được giao."

    to_stage(agency, "manager_proposal")
    response = client.post(
        url("my_appraisal") + "?year=2026", {"text": "Sửa", "version": lan.version}
    )
    assertContains(response, "Not possible at this stage of the cycle")
    lan.refresh_from_db()
    assert lan.self_assessment == "Hoàn thành tốt các nhiệm vụ được giao."


def test_a_person_without_a_personnel_file_sees_a_notice(client, agency, users):
    client.force_login(users.counter)
    response = client.get(url("my_appraisal"))
    assertContains(response, "not linked to a personnel file")


# Who sees what ------------------------------------------------------------------------


def test_staff_see_only_their_own_appraisal(client, agency, users):
    client.force_login(users.staff)
    own = appraisal_of(agency, "S101")
    other = appraisal_of(agency, "S201")
    assert client.get(url("appraisal_detail", own.pk)).status_code == 200
    assert client.get(url("appraisal_detail", other.pk)).status_code == 404
    assert client.get(url("appraisal_pdf", other.pk)).status_code == 404
    assert client.get(url("cycle_list")).status_code == 403
    assert client.get(url("cycle_detail", agency.pk)).status_code == 404
    assert client.get(url("appraisal_propose", own.pk)).status_code == 403


def test_another_units_manager_gets_404(client, agency, users):
    client.force_login(users.other_manager)
    lan = appraisal_of(agency, "S101")
    for name in ("appraisal_detail", "appraisal_propose", "appraisal_decide"):
        assert client.get(url(name, lan.pk)).status_code == 404
    # The agency's cycle is visible, with the manager's own unit only.
    response = client.get(url("cycle_detail", agency.pk))
    assertContains(response, "Phạm Văn Hùng")
    assertNotContains(response, "Bùi Thị Lan")


def test_an_inspector_reads_logged_and_never_writes(client, agency, users):
    client.force_login(users.inspector)
    lan = appraisal_of(agency, "S101")
    assertContains(client.get(url("cycle_detail", agency.pk)), "Bùi Thị Lan")
    assertContains(client.get(url("appraisal_detail", lan.pk)), "T-2026-03-14")
    logged = set(AccessLog.objects.values_list("object_type", flat=True))
    assert {"appraisals.appraisalcycle", "appraisals.appraisal"} <= logged
    data = proposal_data(lan)
    assert client.post(url("appraisal_propose", lan.pk), data).status_code == 403
    assert client.post(url("appraisal_decide", lan.pk), {}).status_code == 403
    assert client.post(url("cycle_advance", agency.pk)).status_code == 403
    assert client.post(url("cycle_compute", agency.pk)).status_code == 403
    assert client.post(url("cycle_meeting", agency.pk), {}).status_code == 403
    agency.refresh_from_db()
    assert agency.status == AppraisalCycle.Status.OPEN


def test_actions_refuse_the_wrong_method(client, agency, users):
    client.force_login(users.admin)
    assert client.get(url("cycle_advance", agency.pk)).status_code == 405
    assert client.get(url("cycle_compute", agency.pk)).status_code == 405
    lan = appraisal_of(agency, "S101")
    assert client.get(url("appraisal_notify", lan.pk)).status_code == 405


# The manager's proposal ---------------------------------------------------------------


def test_a_proposal_before_the_comment_meeting_is_refused(client, agency, users):
    client.force_login(users.manager)
    lan = appraisal_of(agency, "S101")
    response = client.post(url("appraisal_propose", lan.pk), proposal_data(lan))
    assertContains(response, "comment meeting has not been held")
    lan.refresh_from_db()
    assert lan.status == Appraisal.Status.PENDING
    assert lan.general_points is None  # the criteria rolled back with it


def test_a_criterion_outside_its_range_is_refused_with_the_rule(client, agency, users):
    to_stage(agency, "manager_proposal")
    client.force_login(users.manager)
    lan = appraisal_of(agency, "S101")
    response = client.post(
        url("appraisal_propose", lan.pk), proposal_data(lan, {**FULL, "culture": 5})
    )
    assertContains(response, "must be from 0 to 4")
    assertContains(response, "Decree 335/2025/NĐ-CP Art 12")
    response = client.post(
        url("appraisal_propose", lan.pk),
        proposal_data(lan, score="100.5", comment="Vượt"),
    )
    assertContains(response, "must be from 0 to 100")
    lan.refresh_from_db()
    assert lan.status == Appraisal.Status.PENDING


def test_the_manager_proposes_with_the_evidence_beside_the_form(client, agency, users):
    to_stage(agency, "manager_proposal")
    client.force_login(users.manager)
    lan = appraisal_of(agency, "S101")
    page = client.get(url("appraisal_propose", lan.pk))
    assertContains(page, 'id="evidence"')
    assertContains(page, "T-2026-03-14")
    assertContains(page, 'id="cap-summary"')
    assertContains(page, 'name="version"')
    points = {**FULL, "political_ethics": 0, "culture": 0}  # 22
    response = client.post(
        url("appraisal_propose", lan.pk),
        proposal_data(lan, points, comment="Hoàn thành tốt, còn một việc trễ hạn."),
    )
    assertRedirects(response, url("appraisal_detail", lan.pk))
    lan.refresh_from_db()
    assert lan.status == Appraisal.Status.PROPOSED
    assert lan.general_points == Decimal("22.00")
    assert (lan.proposed_score, lan.proposed_level) == (
        Decimal("89.08"),
        "hoan_thanh_tot",
    )
    assert lan.proposed_by == users.manager


def test_a_proposal_above_the_evidence_is_refused(client, agency, users):
    to_stage(agency, "manager_proposal")
    client.force_login(users.manager)
    lan = appraisal_of(agency, "S101")
    response = client.post(
        url("appraisal_propose", lan.pk),
        proposal_data(lan, GOOD_POINTS, level="hoan_thanh_xuat_sac"),
    )
    assertContains(response, "above what the evidence supports")


# The head's decision ------------------------------------------------------------------


def test_a_decision_before_the_comment_meeting_is_refused(client, agency, users):
    to_stage(agency, "self_assessment")
    lan = appraisal_of(agency, "S101")
    Appraisal.objects.filter(pk=lan.pk).update(
        status=Appraisal.Status.PROPOSED, proposed_level="hoan_thanh_tot"
    )
    lan.refresh_from_db()
    client.force_login(users.admin)
    page = client.get(url("appraisal_decide", lan.pk))
    assertContains(page, 'id="no-meeting"')
    response = client.post(
        url("appraisal_decide", lan.pk),
        {"level": "hoan_thanh_tot", "version": lan.version, "decided_on": "2026-12-01"},
    )
    assertContains(response, "comment meeting has not been held")
    assertContains(response, "Law 80/2025/QH15")
    lan.refresh_from_db()
    assert lan.status == Appraisal.Status.PROPOSED


def test_the_head_decides_and_a_second_decider_gets_a_conflict(client, agency, users):
    to_stage(agency, "manager_proposal")
    lan = proposed(agency, users)
    opened = lan.version
    client.force_login(users.admin)
    assertContains(client.get(url("appraisal_decide", lan.pk)), f'value="{opened}"')
    response = client.post(
        url("appraisal_decide", lan.pk),
        {"level": "hoan_thanh_tot", "version": opened, "decided_on": "2026-12-01"},
    )
    assertRedirects(response, url("appraisal_detail", lan.pk))
    client.force_login(users.hr)  # opened the same form before the admin decided
    response = client.post(
        url("appraisal_decide", lan.pk),
        {"level": "hoan_thanh", "version": opened, "decided_on": "2026-12-02"},
    )
    assertContains(response, "changed by someone else since you opened it")
    lan.refresh_from_db()
    assert (lan.decided_level, lan.decided_by) == ("hoan_thanh_tot", users.admin)
    assert lan.snapshot_hash


def test_edits_after_the_decision_are_refused(client, agency, users):
    to_stage(agency, "manager_proposal")
    lan = proposed(agency, users)
    lan = svc.decide_appraisal(
        appraisal=lan,
        level="hoan_thanh_tot",
        actor=users.admin,
        expected_version=lan.version,
    )
    client.force_login(users.manager)
    response = client.post(url("appraisal_propose", lan.pk), proposal_data(lan))
    assertContains(response, "only through the outcome of a")
    client.force_login(users.staff)
    response = client.get(url("my_appraisal") + "?year=2026")
    assertContains(response, 'id="snapshot-hash"')
    assertContains(response, lan.snapshot_hash)
    assertNotContains(response, 'name="text"')


def test_the_manager_cannot_decide_and_the_head_cannot_propose_their_own(
    client, agency, users
):
    to_stage(agency, "manager_proposal")
    lan = appraisal_of(agency, "S101")
    client.force_login(users.manager)
    assert client.get(url("appraisal_decide", lan.pk)).status_code == 403
    client.force_login(users.hr)
    assert client.get(url("appraisal_propose", lan.pk)).status_code == 403


@pytest.fixture
def capped(units, users):
    """Five rated "well completed" (one place) and two proposed excellent."""
    make_scoring_rules()
    cycle = make_cycle(units.root, status="manager_proposal")
    svc.record_comment_meeting(
        cycle=cycle, held_on=D(2026, 11, 20), summoned=12, attended=10, minutes="…"
    )
    cycle = svc.advance_cycle(cycle=cycle, to_status="head_decision")
    rules = scoring_rules("ND335-2025")

    def appraise(code, score, status=Appraisal.Status.PENDING):
        level, _reason = scoring.level_for_score(score, rules)
        return Appraisal.objects.create(
            cycle=cycle,
            employee=make_employee(units.ccvc, code, full_name=f"Người {code}"),
            unit=units.ccvc,
            task_group="professional",
            regime=scoring.REGIME_B,
            rule_version=rules.code,
            computed_score=Decimal(score),
            computed_level=level,
            proposed_score=Decimal(score),
            proposed_level=level if status == "proposed" else "",
            general_points=Decimal(30),
            evidence={"is_rated": True, "overrides": [], "cap_level": None},
            computed_at=timezone.now(),
            status=status,
            proposed_by=users.manager if status == "proposed" else None,
        )

    for n in range(5):
        appraise(f"G{n}", 80)
    first = appraise("A", 95, "proposed")
    second = appraise("B", 93, "proposed")
    return cycle, first, second


def test_a_decision_beyond_the_cap_is_refused_with_the_citation(client, capped, users):
    cycle, first, second = capped
    client.force_login(users.admin)
    meter = client.get(url("cap_meter", cycle.pk))
    assertContains(meter, 'data-cap="within"')
    assertContains(meter, 'data-cap="beyond"')
    for appraisal, expected in ((first, 302), (second, 200)):
        response = client.post(
            url("appraisal_decide", appraisal.pk),
            {
                "level": "hoan_thanh_xuat_sac",
                "version": appraisal.version,
                "decided_on": "2026-12-01",
            },
        )
        assert response.status_code == expected
    assertContains(response, "Decree 335/2025/NĐ-CP Art 20(5)")
    second.refresh_from_db()
    assert second.status == Appraisal.Status.PROPOSED


def test_a_cap_exception_is_recorded_by_the_agency(client, capped, users):
    cycle, _first, _second = capped
    client.force_login(users.manager)
    assert client.get(url("cap_exception_create", cycle.pk)).status_code == 403
    client.force_login(users.admin)
    response = client.post(
        url("cap_exception_create", cycle.pk),
        {
            "regime": scoring.REGIME_B,
            "task_group": "",
            "places": 1,
            "decided_by_name": "Chủ tịch UBND tỉnh",
            "decision_number": "99/QĐ-UBND",
            "decided_on": "2026-12-01",
            "reason": "Thành tích xuất sắc",
        },
    )
    assertRedirects(response, url("cap_meter", cycle.pk))
    assert CapException.objects.get().places == 1
    assertContains(client.get(url("cap_meter", cycle.pk)), "99/QĐ-UBND")


# The cycle ----------------------------------------------------------------------------


def test_the_cycle_page_lists_warnings_filters_and_actions(client, agency, users):
    client.force_login(users.hr)  # HR of a department reads, the agency runs
    assertNotContains(client.get(url("cycle_detail", agency.pk)), "advance-button")
    client.force_login(users.admin)
    response = client.get(url("cycle_detail", agency.pk))
    assertContains(response, 'data-code="cycle.no_meeting"')
    assertContains(response, 'id="advance-button"')
    response = client.get(url("cycle_detail", agency.pk), {"q": "Lan"})
    assertContains(response, "Bùi Thị Lan")
    assertNotContains(response, "Phạm Văn Hùng")
    response = client.get(url("cycle_detail", agency.pk), {"status": "proposed"})
    assertContains(response, "No appraisal matches.")
    assertContains(client.get(url("cycle_list")), 'data-cycle="P01-2026"')


def test_cycle_warnings_show_the_overdue_deadline(client, agency, users):
    AppraisalCycle.objects.filter(pk=agency.pk).update(deadline_on=D(2025, 12, 15))
    client.force_login(users.admin)
    response = client.get(url("cycle_detail", agency.pk))
    assertContains(response, 'data-code="deadline.overdue"')


def test_the_stages_move_and_the_meeting_needs_two_thirds(client, agency, users):
    client.force_login(users.admin)
    response = client.post(url("cycle_advance", agency.pk))
    assertRedirects(response, url("cycle_detail", agency.pk))
    agency.refresh_from_db()
    assert agency.status == AppraisalCycle.Status.SELF_ASSESSMENT
    client.post(url("cycle_advance", agency.pk))
    response = client.post(url("cycle_advance", agency.pk), follow=True)
    assertContains(response, "Record the comment meeting first")
    meeting = {
        "unit": "P01-SNV-CCVC",
        "held_on": "2026-11-20",
        "summoned": 9,
        "attended": 5,
        "minutes": "Biên bản",
    }
    client.force_login(users.manager)
    response = client.post(url("cycle_meeting", agency.pk), meeting)
    assertContains(response, "two thirds")
    response = client.post(url("cycle_meeting", agency.pk), {**meeting, "attended": 6})
    assertRedirects(response, url("cycle_detail", agency.pk))
    assert agency.meetings.get().unit.code == "P01-SNV-CCVC"
    client.force_login(users.admin)
    client.post(url("cycle_advance", agency.pk))
    agency.refresh_from_db()
    assert agency.status == AppraisalCycle.Status.MANAGER_PROPOSAL


def test_compute_and_publish(client, agency, users):
    client.force_login(users.admin)
    response = client.post(url("cycle_compute", agency.pk), follow=True)
    assertContains(response, "Computed 2 appraisal(s)")
    response = client.post(url("cycle_publish", agency.pk), follow=True)
    assertContains(response, "the next stage is not")


def test_an_admin_opens_a_cycle(client, units, users):
    make_scoring_rules()
    client.force_login(users.admin)
    response = client.post(url("cycle_list"), {"unit": "P01", "year": 2027})
    cycle = AppraisalCycle.objects.get(unit=units.root, year=2027)
    assertRedirects(response, url("cycle_detail", cycle.pk))
    assert cycle.deadline_on == D(2027, 12, 15)
    client.force_login(users.manager)
    assert (
        client.post(url("cycle_list"), {"unit": "P01", "year": 2028}).status_code == 403
    )


# Notice and complaints ----------------------------------------------------------------


def test_notice_complaint_and_its_outcome(client, agency, users):
    to_stage(agency, "manager_proposal")
    lan = proposed(agency, users)
    lan = svc.decide_appraisal(
        appraisal=lan,
        level="hoan_thanh",
        actor=users.admin,
        expected_version=lan.version,
    )
    client.force_login(users.admin)
    client.post(url("appraisal_notify", lan.pk))
    lan.refresh_from_db()
    assert lan.status == Appraisal.Status.NOTIFIED

    client.force_login(users.manager)
    assert client.get(url("complaint_file", lan.pk)).status_code == 403
    client.force_login(users.staff)
    response = client.post(url("complaint_file", lan.pk), {"text": ""})
    assertContains(response, "Write the complaint.")
    response = client.post(url("complaint_file", lan.pk), {"text": "Đề nghị xem xét"})
    assertRedirects(response, url("my_appraisal"))
    complaint = Complaint.objects.get()

    assert client.get(url("complaint_resolve", complaint.pk)).status_code == 404
    client.force_login(users.admin)
    response = client.post(
        url("complaint_resolve", complaint.pk),
        {
            "upheld": "1",
            "new_level": "hoan_thanh_tot",
            "reason": "Điểm tiêu chí chung bị nhập sai",
            "decision_number": "15/QĐ-UBND",
        },
    )
    assertRedirects(response, url("appraisal_detail", lan.pk))
    lan.refresh_from_db()
    assert lan.decided_level == "hoan_thanh_tot"
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.UPHELD


def test_the_navbar_offers_the_appraisal_menu(client, agency, users):
    client.force_login(users.staff)
    response = client.get("/")
    assertContains(response, 'id="appraisal-menu"')
    assertContains(response, url("my_appraisal"))
    assertNotContains(response, url("cycle_list"))
    client.force_login(users.manager)
    assertContains(client.get("/"), url("cycle_list"))


def test_a_decree_90_proposal_takes_how_the_general_criteria_are_met(
    client, agency, units, users
):
    teacher = make_employee(units.syt, "V201", staff_type="vien_chuc")
    for n in range(2):
        make_task(
            teacher,
            f"T-VC-{n}",
            due_on=D(2026, 3, 13),
            completed_on=D(2026, 3, 12),
        )
    svc.compute_cycle(cycle=agency, as_of=AS_OF)
    to_stage(agency, "manager_proposal")
    appraisal = appraisal_of(agency, "V201")
    assert appraisal.regime == "decree_90_2020"
    client.force_login(users.other_manager)
    page = client.get(url("appraisal_propose", appraisal.pk))
    assertContains(page, 'name="assessment"')
    assertNotContains(page, 'name="crit_culture"')
    response = client.post(
        url("appraisal_propose", appraisal.pk),
        {"version": appraisal.version, "assessment": "met", "level": "", "comment": ""},
    )
    assertRedirects(response, url("appraisal_detail", appraisal.pk))
    appraisal.refresh_from_db()
    assert appraisal.general_assessment == "met"
    assert appraisal.status == Appraisal.Status.PROPOSED


def test_the_cap_meter_shows_ties(client, capped, units, users):
    cycle, _first, second = capped
    Appraisal.objects.create(
        cycle=cycle,
        employee=make_employee(units.ccvc, "C", full_name="Người C"),
        unit=units.ccvc,
        task_group="professional",
        regime=scoring.REGIME_B,
        rule_version="ND335-2025",
        computed_score=Decimal(93),
        computed_level="hoan_thanh_xuat_sac",
        evidence={"is_rated": True, "overrides": [], "cap_level": None},
        computed_at=timezone.now(),
    )
    for n in range(5, 10):  # ten "well completed": two places, B and C tie
        Appraisal.objects.create(
            cycle=cycle,
            employee=make_employee(units.ccvc, f"G{n}"),
            unit=units.ccvc,
            task_group="professional",
            regime=scoring.REGIME_B,
            rule_version="ND335-2025",
            computed_score=Decimal(80),
            computed_level="hoan_thanh_tot",
            evidence={"is_rated": True},
            computed_at=timezone.now(),
        )
    client.force_login(users.manager)
    response = client.get(url("cap_meter", cycle.pk))
    assertContains(response, 'data-cap="tied"', count=4)  # agency and group
    assertNotContains(response, "Record an exception")


def test_the_cycle_page_stays_within_the_query_budget(
    client, capped, units, users, django_assert_max_num_queries
):
    cycle, _first, _second = capped
    client.force_login(users.admin)
    client.get(url("cycle_detail", cycle.pk))  # warm the grant cache paths
    with django_assert_max_num_queries(20):
        assertContains(client.get(url("cycle_detail", cycle.pk)), "Người A")


def test_two_managers_proposing_at_once_the_second_is_told(client, agency, users):
    to_stage(agency, "manager_proposal")
    lan = appraisal_of(agency, "S101")
    opened = proposal_data(lan, GOOD_POINTS)
    client.force_login(users.manager)
    response = client.post(url("appraisal_propose", lan.pk), opened)
    assertRedirects(response, url("appraisal_detail", lan.pk))
    client.force_login(users.admin)
    response = client.post(
        url("appraisal_propose", lan.pk), {**opened, "comment": "Khác"}
    )
    assertContains(response, "changed by someone else since you opened it")
    lan.refresh_from_db()
    assert (lan.proposed_by, lan.manager_comment) == (users.manager, "")
