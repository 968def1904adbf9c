"""The excellence cap (Decree 335/2025 Art 20(5)): at most 20% of the number rated
"well completed", in the agency and in each group with similar tasks; ranked by
score with ties shown; beyond it only with an exception of the competent level."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appraisals import appraisal_selectors as sel
from appraisals import appraisal_services as svc
from appraisals import scoring
from appraisals.models import Appraisal
from hrms.models import LedgerEntry
from tests.factories import make_cycle, make_employee, make_scoring_rules, scoring_rules

D = dt.date
B = scoring_rules("ND335-2025")


@pytest.fixture
def cycle(units):
    make_scoring_rules()
    cycle = make_cycle(units.root, status="manager_proposal")
    svc.record_comment_meeting(
        cycle=cycle, held_on=D(2026, 11, 20), summoned=12, attended=10, minutes="…"
    )
    return cycle


def appraise(cycle, unit, code, score, group="professional") -> Appraisal:
    level, _reason = scoring.level_for_score(score, B)
    return Appraisal.objects.create(
        cycle=cycle,
        employee=make_employee(unit, code),
        unit=unit,
        task_group=group,
        regime=scoring.REGIME_B,
        rule_version=B.code,
        computed_score=Decimal(str(score)),
        computed_level=level,
        general_points=Decimal(30),
        evidence={"is_rated": True, "overrides": [], "cap_level": None},
        computed_at=timezone.now(),
    )


@pytest.fixture
def candidates(cycle, units):
    """Ten rated "well completed" (two places) and four candidates: 95, 93, 93,
    91."""
    for n in range(10):
        appraise(cycle, units.ccvc, f"G{n:02d}", 80)
    return {
        code: appraise(cycle, units.ccvc, code, score)
        for code, score in (("A", 95), ("B", 93), ("C", 93), ("D", 91))
    }


def propose(appraisal, users):
    appraisal.refresh_from_db()
    return svc.propose_appraisal(
        appraisal=appraisal, actor=users.manager, expected_version=appraisal.version
    )


def test_the_meter_shows_who_is_within_the_cap_with_ties(cycle, candidates):
    agency, group = sel.cap_meter(cycle)
    assert (agency.task_group, group.task_group) == ("", "professional")
    assert (agency.base, agency.places, agency.taken) == (10, 2, 0)
    assert [(r.employee_code, r.rank, r.cap_status) for r in agency.rows] == [
        ("A", 1, "within"),
        ("B", 2, "tied"),
        ("C", 2, "tied"),
        ("D", 4, "beyond"),
    ]


def test_a_proposal_beyond_the_cap_is_refused_with_the_citation(
    cycle, candidates, users
):
    with pytest.raises(ValidationError, match="Ranked 4 by score") as caught:
        propose(candidates["D"], users)
    assert "Decree 335/2025/NĐ-CP Art 20(5)" in caught.value.messages[0]
    propose(candidates["A"], users)
    propose(candidates["B"], users)  # one of the tied two takes the last place
    with pytest.raises(ValidationError, match="2 place\\(s\\) and 2 are taken"):
        propose(candidates["C"], users)
    candidates["C"].refresh_from_db()
    assert candidates["C"].status == Appraisal.Status.PENDING  # nothing lost


def test_a_recorded_exception_allows_one_more(cycle, candidates, users):
    propose(candidates["A"], users)
    propose(candidates["B"], users)
    svc.record_cap_exception(
        cycle=cycle,
        regime=scoring.REGIME_B,
        places=1,
        decided_by_name="Chủ tịch UBND tỉnh",
        decision_number="99/QĐ-UBND",
        decided_on=D(2026, 12, 1),
        reason="Tập thể có thành tích xuất sắc trong chuyển đổi số",
        actor=users.admin,
    )
    with pytest.raises(ValidationError, match="group “professional”"):
        propose(candidates["C"], users)  # the group's cap is full still
    svc.record_cap_exception(
        cycle=cycle,
        regime=scoring.REGIME_B,
        task_group="professional",
        places=1,
        decided_by_name="Chủ tịch UBND tỉnh",
        decision_number="99/QĐ-UBND",
        decided_on=D(2026, 12, 1),
        reason="Nhóm chuyên môn vượt kế hoạch",
        actor=users.admin,
    )
    c = propose(candidates["C"], users)
    assert c.proposed_level == "hoan_thanh_xuat_sac"
    agency = sel.cap_meter(cycle)[0]
    assert (agency.places, agency.extra, agency.taken) == (3, 1, 3)
    payload = json.loads(
        LedgerEntry.objects.filter(action="appraisal_cap.exception").first().payload
    )
    assert payload["decision_number"] == "99/QĐ-UBND"


def test_a_decision_beyond_the_cap_is_refused(cycle, candidates, users):
    propose(candidates["A"], users)
    propose(candidates["B"], users)
    # C's proposal entered earlier, when D's score was higher (say): the head's
    # decisions are checked again, in the order of the ranking.
    Appraisal.objects.filter(pk=candidates["C"].pk).update(
        status=Appraisal.Status.PROPOSED,
        proposed_level="hoan_thanh_xuat_sac",
        proposed_score=Decimal(93),
    )
    agency = sel.cap_meter(cycle)[0]
    assert (agency.places, agency.taken, agency.decided, agency.is_over) == (
        2,
        3,
        0,
        True,
    )
    for code in ("A", "C"):
        appraisal = Appraisal.objects.get(pk=candidates[code].pk)
        svc.decide_appraisal(
            appraisal=appraisal,
            level="hoan_thanh_xuat_sac",
            actor=users.admin,
            expected_version=appraisal.version,
        )
    b = Appraisal.objects.get(pk=candidates["B"].pk)
    with pytest.raises(ValidationError, match="2 place\\(s\\) and 2 are taken"):
        svc.decide_appraisal(
            appraisal=b,
            level="hoan_thanh_xuat_sac",
            actor=users.admin,
            expected_version=b.version,
        )
    svc.decide_appraisal(
        appraisal=b,
        level="hoan_thanh_tot",
        actor=users.admin,
        expected_version=b.version,
    )


def test_each_group_with_similar_tasks_has_its_own_cap(cycle, units, users):
    for n in range(10):
        appraise(cycle, units.ccvc, f"P{n:02d}", 80)
    for n in range(5):
        appraise(cycle, units.syt, f"H{n:02d}", 75, group="support")
    first = appraise(cycle, units.syt, "H90", 92, group="support")
    second = appraise(cycle, units.syt, "H91", 91, group="support")
    scopes = {s.task_group: s for s in sel.cap_meter(cycle)}
    assert (scopes[""].base, scopes[""].places) == (15, 3)
    assert (scopes["support"].base, scopes["support"].places) == (5, 1)
    propose(first, users)
    with pytest.raises(ValidationError, match="group “support”"):
        propose(second, users)
