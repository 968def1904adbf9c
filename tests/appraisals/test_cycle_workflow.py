"""The appraisal cycle: computed evidence, the workflow from self-assessment to
the decision, the refusals (before the meeting, out of range, stale version,
after the decision), the personnel file and the ledger, complaints, overrides,
short service, transfers and the explanation down to a dossier step."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from appraisals import appraisal_selectors as sel
from appraisals import appraisal_services as svc
from appraisals.models import Appraisal, AppraisalCycle, Complaint
from hrms.models import LedgerEntry
from staff.models import AnnualRating, Employee
from tests.appraisals.conftest import at
from tests.factories import (
    make_assignment,
    make_decided_case,
    make_discipline_reference_data,
    make_dossier,
    make_employee,
    make_position,
    make_scoring_rules,
    make_step,
    make_task,
    make_unit,
)

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


def general(total: int) -> dict:
    """General criteria points adding up to `total` (taken off the first ones)."""
    points = dict(FULL)
    missing = 30 - total
    for name in points:
        cut = min(points[name], missing)
        points[name] -= cut
        missing -= cut
    return points


@pytest.fixture
def agency(units, users, holidays):
    make_scoring_rules()
    make_discipline_reference_data()
    cycle = svc.open_cycle(unit=units.root, year=2026)
    lan = make_employee(units.ccvc, "S101", full_name="Bùi Thị Lan", gender="F")
    lan.user = users.staff
    lan.save()
    make_assignment(lan, make_position(units.ccvc), starts_on=D(2020, 1, 1))
    # T-2026-03-14 delivered Thu 19/3, due Fri 13/3: 4 working days late.
    make_task(lan, "T-2026-03-01", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 12))
    make_task(lan, "T-2026-03-14", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 19))
    return cycle


def compute(cycle, as_of=AS_OF):
    return svc.compute_cycle(cycle=cycle, as_of=as_of)


def appraisal_of(cycle, code) -> Appraisal:
    return Appraisal.objects.select_related("cycle", "employee", "unit").get(
        cycle=cycle, employee__employee_code=code
    )


def to_stage(cycle, stage, *, meeting=True):
    order = AppraisalCycle.ORDER
    cycle.refresh_from_db()
    if meeting and not cycle.meetings.exists():
        while order.index(cycle.status) < order.index("self_assessment"):
            cycle = svc.advance_cycle(
                cycle=cycle, to_status=order[cycle.stage_index() + 1]
            )
        svc.record_comment_meeting(
            cycle=cycle,
            held_on=D(2026, 11, 20),
            summoned=9,
            attended=6,
            minutes="Biên bản họp góp ý",
        )
    while order.index(cycle.status) < order.index(stage):
        cycle = svc.advance_cycle(cycle=cycle, to_status=order[cycle.stage_index() + 1])
    return cycle


def scored(cycle, code, total=20, users=None):
    appraisal = appraisal_of(cycle, code)
    return svc.score_general_criteria(
        appraisal=appraisal, points=general(total), expected_version=appraisal.version
    )


def propose(appraisal, actor, **fields):
    return svc.propose_appraisal(
        appraisal=appraisal, actor=actor, expected_version=appraisal.version, **fields
    )


def decide(appraisal, actor, level, version=None):
    return svc.decide_appraisal(
        appraisal=appraisal,
        level=level,
        actor=actor,
        expected_version=appraisal.version if version is None else version,
        decided_on=D(2026, 12, 1),
    )


# Computation --------------------------------------------------------------------------


def test_it_scores_the_tasks_and_waits_for_the_general_criteria(agency):
    report = compute(agency)
    assert (report.computed, report.locked) == (1, 0)
    lan = appraisal_of(agency, "S101")
    assert lan.regime == "decree_335_2025" and lan.rule_version == "ND335-2025"
    [march] = lan.period_scores
    # Two products of 35 points; the late one loses 25% of its 11.67 timeliness.
    assert march["period"] == "2026-03"
    assert march["task_points"] == 67.08
    assert (march["products"], march["done"], march["ok"], march["late"]) == (
        2,
        2,
        1,
        1,
    )
    assert lan.computed_score is None and lan.computed_level == ""
    assert lan.evidence["missing"] == ["general_criteria"]

    lan = scored(agency, "S101", total=20)
    assert lan.general_points == Decimal("20.00")
    assert lan.computed_score == Decimal("87.08")
    assert lan.computed_level == "hoan_thanh_tot"
    assert lan.period_scores[0]["total"] == 87.08


def test_recomputing_keeps_what_people_entered(agency, users):
    compute(agency)
    lan = scored(agency, "S101", total=25)
    svc.submit_self_assessment(appraisal=lan, text="Hoàn thành tốt.", actor=users.staff)
    compute(agency)
    lan = appraisal_of(agency, "S101")
    assert lan.general_points == Decimal("25.00")
    assert lan.self_assessment == "Hoàn thành tốt."
    assert lan.status == Appraisal.Status.SELF_ASSESSED
    assert lan.computed_score == Decimal("92.08")


def test_only_the_person_writes_their_self_assessment(agency, users):
    compute(agency)
    with pytest.raises(ValidationError, match="Only the person"):
        svc.submit_self_assessment(
            appraisal=appraisal_of(agency, "S101"), text="…", actor=users.manager
        )


# Workflow refusals --------------------------------------------------------------------


def test_a_decision_before_the_comment_meeting_is_refused(agency, users):
    compute(agency)
    lan = scored(agency, "S101")
    with pytest.raises(ValidationError, match="comment meeting has not been held"):
        decide(lan, users.admin, "hoan_thanh_tot")
    with pytest.raises(ValidationError, match="comment meeting has not been held"):
        propose(lan, users.manager)
    with pytest.raises(ValidationError, match="Record the comment meeting first"):
        to_stage(agency, "manager_proposal", meeting=False)


def test_a_meeting_without_two_thirds_is_refused(agency):
    cycle = svc.advance_cycle(cycle=agency, to_status="self_assessment")
    with pytest.raises(ValidationError, match="under two thirds"):
        svc.record_comment_meeting(
            cycle=cycle, held_on=D(2026, 11, 20), summoned=9, attended=5, minutes="…"
        )


def test_a_proposed_score_outside_its_range_is_refused(agency, users):
    compute(agency)
    to_stage(agency, "manager_proposal")
    lan = scored(agency, "S101")
    with pytest.raises(ValidationError, match="must be from 0 to 100") as caught:
        propose(lan, users.manager, score=100.5, comment="Vượt")
    assert "Decree 335/2025/NĐ-CP Art 12" in caught.value.messages[0]
    with pytest.raises(ValidationError, match="must be from 0 to 4"):
        svc.score_general_criteria(
            appraisal=lan, points={**FULL, "culture": 5}, expected_version=lan.version
        )


def test_a_proposal_above_the_evidence_is_refused_and_a_changed_score_explained(
    agency, users
):
    compute(agency)
    to_stage(agency, "manager_proposal")
    lan = scored(agency, "S101")  # 87.08: well completed
    with pytest.raises(ValidationError, match="above what the evidence supports"):
        propose(lan, users.manager, level="hoan_thanh_xuat_sac")
    with pytest.raises(ValidationError, match="Explain why"):
        propose(lan, users.manager, score=91)
    lan = propose(lan, users.manager)
    assert (lan.proposed_score, lan.proposed_level) == (
        Decimal("87.08"),
        "hoan_thanh_tot",
    )


def test_two_managers_deciding_at_once_one_wins_the_other_is_told(agency, users):
    compute(agency)
    to_stage(agency, "manager_proposal")
    lan = propose(scored(agency, "S101"), users.manager)
    opened_by_both = lan.version
    decide(lan, users.admin, "hoan_thanh_tot", version=opened_by_both)
    with pytest.raises(ValidationError, match="changed by someone else"):
        decide(lan, users.manager, "hoan_thanh", version=opened_by_both)
    lan.refresh_from_db()
    assert lan.decided_level == "hoan_thanh_tot" and lan.decided_by == users.admin


def test_a_decision_writes_the_personnel_file_and_the_ledger(agency, users):
    compute(agency)
    to_stage(agency, "manager_proposal")
    lan = propose(scored(agency, "S101"), users.manager)
    lan = decide(lan, users.admin, "hoan_thanh_tot")
    rating = AnnualRating.objects.get(employee__employee_code="S101", year=2026)
    assert (rating.level, rating.source) == ("hoan_thanh_tot", "computed")
    assert rating.decided_on == D(2026, 12, 1) and lan.rating == rating
    entry = LedgerEntry.objects.get(action="appraisal.decide")
    payload = json.loads(entry.payload)
    assert payload["employee"] == "S101" and payload["level"] == "hoan_thanh_tot"
    assert payload["rule_version"] == "ND335-2025"
    assert payload["snapshot_sha256"] == lan.snapshot_hash
    assert lan.snapshot["rule_version"] == "ND335-2025"
    assert lan.snapshot["decision"]["level"] == "hoan_thanh_tot"
    assert sel.explain_appraisal(lan) is lan.snapshot


def test_edits_after_the_decision_are_refused_but_a_complaint_outcome_changes_it(
    agency, users
):
    compute(agency)
    to_stage(agency, "manager_proposal")
    lan = decide(
        propose(scored(agency, "S101"), users.manager), users.admin, "hoan_thanh"
    )
    frozen = dict(lan.snapshot)
    for attempt in (
        lambda: svc.submit_self_assessment(appraisal=lan, text="…", actor=users.staff),
        lambda: scored(agency, "S101", total=30),
        lambda: propose(lan, users.manager),
        lambda: decide(lan, users.admin, "hoan_thanh_tot"),
        lambda: svc.record_absence(appraisal=lan, months_absent=1, reason="sick"),
    ):
        with pytest.raises(ValidationError, match="only through the outcome of a"):
            attempt()
    task = lan.employee.tasks.get(code="T-2026-03-14")
    with pytest.raises(ValidationError, match="only through the outcome of a"):
        svc.update_task_progress(task=task, completed_on=D(2026, 3, 13))
    compute(agency)  # never touches a decided rating
    lan.refresh_from_db()
    assert lan.snapshot == frozen and lan.decided_level == "hoan_thanh"

    lan = svc.notify_appraisal(appraisal=lan, notified_on=D(2026, 12, 2))
    complaint = svc.file_complaint(
        appraisal=lan, text="Đề nghị xem xét lại", filed_on=D(2026, 12, 10)
    )
    svc.resolve_complaint(
        complaint=complaint,
        upheld=True,
        new_level="hoan_thanh_tot",
        reason="Điểm tiêu chí chung bị nhập sai",
        decision_number="15/QĐ-UBND",
        actor=users.admin,
        resolved_on=D(2026, 12, 20),
    )
    lan.refresh_from_db()
    assert lan.decided_level == "hoan_thanh_tot"
    assert lan.snapshot["complaint_outcomes"][0]["from"] == "hoan_thanh"
    assert AnnualRating.objects.get(employee=lan.employee, year=2026).level == (
        "hoan_thanh_tot"
    )
    assert Complaint.objects.get().status == Complaint.Status.UPHELD
    assert LedgerEntry.objects.filter(action="appraisal.complaint_outcome").exists()


def test_a_complaint_after_the_window_is_refused(agency, users):
    compute(agency)
    to_stage(agency, "manager_proposal")
    lan = decide(
        propose(scored(agency, "S101"), users.manager), users.admin, "hoan_thanh"
    )
    lan = svc.notify_appraisal(appraisal=lan, notified_on=D(2026, 12, 2))
    with pytest.raises(ValidationError, match="complaint period ended on 02/03/2027"):
        svc.file_complaint(appraisal=lan, text="…", filed_on=D(2027, 3, 3))


def test_the_cycle_moves_forward_only_when_everyone_is_decided(agency, users):
    compute(agency)
    cycle = to_stage(agency, "head_decision")
    with pytest.raises(ValidationError, match="Every appraisal must be decided"):
        svc.advance_cycle(cycle=cycle, to_status="notified")
    with pytest.raises(ValidationError, match="the next stage is not"):
        svc.advance_cycle(cycle=cycle, to_status="published")
    lan = decide(
        propose(scored(agency, "S101"), users.manager), users.admin, "hoan_thanh"
    )
    cycle = svc.advance_cycle(cycle=cycle, to_status="notified")
    with pytest.raises(ValidationError, match="must be notified first"):
        svc.publish_cycle(cycle=cycle, on=D(2026, 12, 5))
    svc.notify_appraisal(appraisal=lan)
    cycle = svc.publish_cycle(cycle=cycle, on=D(2026, 12, 5))
    cycle = svc.advance_cycle(cycle=cycle, to_status="complaint_window")
    assert cycle.complaint_window_ends_on == D(2027, 3, 5)


def test_cycle_warnings_name_the_deadline_and_what_is_missing(agency):
    compute(agency)
    codes = [w.code for w in sel.cycle_warnings(agency, today=D(2026, 12, 10))]
    assert codes == ["deadline.soon", "cycle.no_meeting", "cycle.general_missing"]
    codes = [w.code for w in sel.cycle_warnings(agency, today=D(2026, 12, 16))]
    assert codes[0] == "deadline.overdue"
    special = svc.open_cycle(
        unit=make_unit("P09", kind="agency"), year=2026, is_special_unit=True
    )
    assert special.deadline_on == D(2027, 1, 15)


# Overrides ----------------------------------------------------------------------------


def test_a_discipline_in_the_year_forces_not_completed(agency, units, users):
    employee = Employee.objects.get(employee_code="S101")
    case = make_decided_case(employee, "reprimand", decided_on=D(2026, 5, 10))
    compute(agency)
    lan = scored(agency, "S101", total=30)  # 97.08 points
    assert lan.computed_score == Decimal("97.08")
    assert lan.computed_level == "khong_hoan_thanh"
    [override] = lan.evidence["overrides"]
    assert override["code"] == "override.discipline"
    assert override["citation"].startswith("Decree 335/2025/NĐ-CP Art 20")
    to_stage(agency, "manager_proposal")
    lan = propose(lan, users.manager)
    assert lan.proposed_level == "khong_hoan_thanh"
    with pytest.raises(ValidationError, match="The level must be"):
        decide(lan, users.admin, "hoan_thanh_tot")
    decide(lan, users.admin, "khong_hoan_thanh")
    rating = AnnualRating.objects.get(employee=employee, year=2026)
    assert rating.level == "khong_hoan_thanh" and rating.discipline_case == case


def test_a_leader_with_corruption_handled_in_the_unit_is_not_completed(
    agency, units, users
):
    head = make_employee(units.ccvc, "S100", full_name="Trần Văn Trưởng")
    make_assignment(head, make_position(units.ccvc, group="leadership"))
    make_task(head, "T-HEAD-1", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 10))
    svc.record_corruption_finding(
        unit=units.ccvc, handled_on=D(2026, 9, 1), reference="KL 7/TTr"
    )
    compute(agency)
    head_appraisal = scored(agency, "S100", total=30)
    assert head_appraisal.is_leader
    assert [r["code"] for r in head_appraisal.evidence["overrides"]] == [
        "override.corruption"
    ]
    assert head_appraisal.computed_level == "khong_hoan_thanh"
    assert scored(agency, "S101", total=30).evidence["overrides"] == []


# Leaders' terms -----------------------------------------------------------------------


def test_a_leaders_task_points_take_the_units_results(agency, units):
    head = make_employee(units.ccvc, "S100", full_name="Trần Văn Trưởng")
    make_assignment(head, make_position(units.ccvc, group="leadership"))
    make_task(head, "T-HEAD-1", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 10))
    weak = make_employee(units.ccvc, "S102", full_name="Lê Văn Yếu")
    make_task(weak, "T-WEAK-1", due_on=D(2026, 3, 13))  # never delivered
    make_task(weak, "T-WEAK-2", due_on=D(2026, 3, 13), completed_on=D(2026, 3, 13))
    compute(agency)
    for code in ("S101", "S102"):
        scored(agency, code, total=10)  # S102: 35 + 10 = 45, under 50
    compute(agency)
    [march] = appraisal_of(agency, "S100").period_scores
    assert march["own_task_points"] == 70.0
    terms = march["terms"]
    assert terms["unit_results"] == 0.5  # one subordinate under "completed"
    # Unit products: (67.08 + 35) / 70 / 2; organising: 2 of 4 products ok.
    assert terms["unit_products"] == pytest.approx(0.7292, abs=1e-4)
    assert terms["organising"] == 0.5
    # 70 × (0.4 + 0.3×0.7292 + 0.15×0.5 + 0.15×0.5) = 53.81
    assert march["task_points"] == pytest.approx(53.81, abs=0.01)


# Time worked --------------------------------------------------------------------------


def test_under_6_months_is_reviewed_not_rated_and_maternity_is_rated(
    agency, units, users
):
    new = make_employee(units.ccvc, "S103", joined_on=D(2026, 7, 10))
    make_task(new, "T-NEW-1", period="2026-08", completed_on=D(2026, 8, 1))
    mother = make_employee(units.ccvc, "S104", gender="F", joined_on=D(2026, 7, 10))
    make_task(mother, "T-MOM-1", period="2026-08", completed_on=D(2026, 8, 1))
    compute(agency)
    new_appraisal = appraisal_of(agency, "S103")
    assert new_appraisal.eligibility == Appraisal.Eligibility.NOT_RATED
    assert new_appraisal.evidence["eligibility"][0]["code"] == "time.short_service"
    mother_appraisal = appraisal_of(agency, "S104")
    mother_appraisal = svc.record_absence(
        appraisal=mother_appraisal, months_absent=0, reason="maternity"
    )
    assert mother_appraisal.evidence["is_rated"] is True
    to_stage(agency, "manager_proposal")
    new_appraisal = scored(agency, "S103", total=30)
    assert new_appraisal.computed_level == ""
    new_appraisal = propose(new_appraisal, users.manager)
    assert new_appraisal.proposed_level == ""
    with pytest.raises(ValidationError, match="reviewed, not rated"):
        decide(new_appraisal, users.admin, "hoan_thanh_tot")
    new_appraisal = decide(new_appraisal, users.admin, "")
    assert new_appraisal.is_decided
    assert not AnnualRating.objects.filter(employee__employee_code="S103").exists()


def test_decree_90_caps_a_public_employee_absent_3_to_6_months(agency, units):
    teacher = make_employee(units.syt, "V201", staff_type="vien_chuc")
    for n in range(4):
        make_task(
            teacher,
            f"T-VC-{n}",
            due_on=D(2026, 3, 13),
            completed_on=D(2026, 3, 12),
            is_above_standard=True,
        )
    compute(agency)
    appraisal = appraisal_of(agency, "V201")
    assert appraisal.regime == "decree_90_2020"
    assert appraisal.rule_version == "ND90-2020-ND48-2023-VC"
    appraisal = svc.score_general_criteria(
        appraisal=appraisal, assessment="well", expected_version=appraisal.version
    )
    assert appraisal.computed_level == "hoan_thanh_xuat_sac"
    assert appraisal.evidence["level_reasons"][0]["citation"].endswith("Art 12")
    appraisal = svc.record_absence(appraisal=appraisal, months_absent=4, reason="sick")
    assert appraisal.computed_level == "hoan_thanh"
    assert appraisal.evidence["eligibility"][0]["code"] == "time.absence_cap"


def test_a_decree_90_gap_is_left_to_the_head(agency, units, users):
    teacher = make_employee(units.syt, "V202", staff_type="vien_chuc")
    for n in range(10):
        make_task(
            teacher,
            f"T-GAP-{n}",
            due_on=D(2026, 3, 13),
            completed_on=D(2026, 3, 20) if n < 3 else D(2026, 3, 12),
        )
    compute(agency)
    appraisal = appraisal_of(agency, "V202")
    assert appraisal.computed_level == "" and appraisal.evidence["gap"] is True
    assert "between 20% and 50%" in appraisal.evidence["level_reasons"][0]["message"]
    assert "cycle.gaps" in [w.code for w in sel.cycle_warnings(agency)]
    to_stage(agency, "manager_proposal")
    appraisal = propose(appraisal, users.manager, level="hoan_thanh")
    decided = decide(appraisal, users.admin, "hoan_thanh")
    assert decided.decided_level == "hoan_thanh"


# Transfers ----------------------------------------------------------------------------


def test_a_transferred_person_brings_the_old_units_period_scores(agency, units, users):
    other = make_unit("P02", "UBND tỉnh Bên", kind="agency")
    other_cycle = svc.open_cycle(unit=other, year=2026)
    mover = make_employee(units.ccvc, "S105", full_name="Phạm Văn Chuyển")
    old = make_assignment(mover, make_position(units.ccvc), starts_on=D(2020, 1, 1))
    make_task(mover, "T-OLD-1", period="2026-02", completed_on=D(2026, 2, 10))
    make_task(mover, "T-OLD-2", period="2026-05", completed_on=D(2026, 5, 10))
    compute(agency, as_of=at(2026, 6, 30, 17))
    scored(agency, "S105", total=28)

    old.ends_on = D(2026, 6, 30)
    old.save()
    Employee.objects.filter(pk=mover.pk).update(unit=other)
    make_assignment(mover, make_position(other), starts_on=D(2026, 7, 1))
    make_task(mover, "T-NEW-1", period="2026-09", completed_on=D(2026, 9, 10))

    report = compute(agency)
    assert report.left == 1
    assert appraisal_of(agency, "S105").status == Appraisal.Status.LEFT
    compute(other_cycle)
    new = appraisal_of(other_cycle, "S105")
    new = svc.score_general_criteria(
        appraisal=new, points=general(20), expected_version=new.version
    )
    by_period = {e["period"]: e for e in new.period_scores}
    assert by_period["2026-02"]["source"] == "handed_over"
    assert by_period["2026-02"]["from_unit"] == "P01"
    assert by_period["2026-02"]["total"] == 98.0  # 70 + the old unit's 28
    assert by_period["2026-05"]["total"] == 98.0
    assert "source" not in by_period["2026-09"]  # computed here
    assert by_period["2026-09"]["total"] == 90.0  # 70 + the new unit's 20
    assert new.computed_score == Decimal("95.33")
    assert new.handed_over_from == appraisal_of(agency, "S105")
    assert new.evidence["arrival_on"] == "2026-07-01"


# The explanation ----------------------------------------------------------------------


def test_the_explanation_traces_a_point_to_a_dossier_step(agency, units, one_stop):
    trang = one_stop.officers.trang  # counter officer at P01-TTHCC
    lan = one_stop.officers.lan
    # Received Tue 10/3, due Tue 17/3 17:00; returned late on Thu 19/3.
    dossier = make_dossier(
        one_stop.procedures.marriage,
        units.tthcc,
        "000.00.34.H01-260310-0001",
        received_at=at(2026, 3, 10, 8, 30),
        returned_at=at(2026, 3, 19, 10),
        status="returned",
    )
    make_step(
        dossier,
        1,
        trang,
        name="receive",
        started_at=at(2026, 3, 10, 8, 30),
        due_at=at(2026, 3, 10, 17),
        finished_at=at(2026, 3, 10, 9),
    )
    make_step(
        dossier,
        2,
        lan,
        started_at=at(2026, 3, 10, 9),
        due_at=at(2026, 3, 13, 17),
        finished_at=at(2026, 3, 18, 16),
    )
    make_step(
        dossier,
        3,
        trang,
        name="return",
        started_at=at(2026, 3, 18, 16),
        due_at=at(2026, 3, 19, 17),
        finished_at=at(2026, 3, 19, 10),
    )
    compute(agency)
    trang_appraisal = appraisal_of(agency, "S003")
    [march] = trang_appraisal.period_scores
    assert (march["products"], march.get("late", 0)) == (2, 0)  # both on time
    explained_lan = sel.explain_appraisal(appraisal_of(agency, "S001"))
    [period] = explained_lan["periods"]
    step = next(p for p in period["products"] if p["ref"] == dossier.code + "#2")
    late_line, attribution = step["lines"]
    assert late_line["message"].startswith(
        f"dossier step {dossier.code}#2 (process) finished 3 working day(s) late"
    )
    assert "−25% of its timeliness points" in late_line["message"]
    assert late_line["citation"] == "Decree 335/2025/NĐ-CP Art 14"
    assert attribution["message"].startswith("Step 2 (process) finished")
    assert attribution["citation"] == "Decree 118/2025/NĐ-CP (processing control slip)"
    # The explanation adds up to the stored, set-based score.
    stored = appraisal_of(agency, "S001").period_scores[0]["task_points"]
    assert period["task_points"] == stored
    assert round(sum(p["points"] for p in period["products"]), 2) == stored
    assert explained_lan["rule_version"] == "ND335-2025"


# Quarterly cycles and dashboards ------------------------------------------------------


def test_a_quarterly_cycle_scores_by_quarter(units, holidays):
    make_scoring_rules()
    cycle = svc.open_cycle(unit=units.root, year=2026, period_kind="quarter")
    hai = make_employee(units.snv, "S110")
    make_task(hai, "T-JAN", period="2026-01", completed_on=D(2026, 1, 15))
    make_task(hai, "T-MAR", period="2026-03", completed_on=D(2026, 3, 18))
    make_task(hai, "T-Q2", period="2026-Q2", due_on=D(2026, 5, 20))  # never done
    compute(cycle)
    entries = {e["period"]: e for e in appraisal_of(cycle, "S110").period_scores}
    assert sorted(entries) == ["2026-Q1", "2026-Q2"]
    assert (entries["2026-Q1"]["products"], entries["2026-Q1"]["task_points"]) == (
        2,
        70.0,
    )
    assert entries["2026-Q2"]["task_points"] == 0.0


def test_the_dashboards_come_as_frames_and_a_workbook(agency, users):
    import io

    import openpyxl

    compute(agency)
    to_stage(agency, "manager_proposal")
    decide(
        propose(scored(agency, "S101"), users.manager), users.admin, "hoan_thanh_tot"
    )
    compute(agency)
    levels = sel.level_distribution(agency)
    assert levels.loc["P01-SNV-CCVC", "hoan_thanh_tot"] == 1
    assert levels.loc["P01-SNV-CCVC", "undecided"] == 0
    scores = sel.scores_by_period(agency)
    assert scores.loc["P01-SNV-CCVC", "2026-03"] == 87.08
    workbook = openpyxl.load_workbook(io.BytesIO(sel.dashboard_workbook(agency)))
    assert workbook.sheetnames == ["levels", "scores", "reform_tasks", "late_dossiers"]
