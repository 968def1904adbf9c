"""Two people doing the same thing at the same moment, on PostgreSQL with real
threads, each on its own database connection (issue #9 item 4).

Each scenario runs TRIALS times; a `threading.Barrier` releases both threads
together so their transactions overlap. Every trial must end with exactly one
winner and one loser told why, and the database must show only the winner's write.

SQLite is skipped: it takes one lock for the whole database, so writers never
interleave, and the test database is a shared-cache in-memory one where a second
writer fails at once with "database table is locked" instead of waiting.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Sequence

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from appraisals import appraisal_services as svc
from appraisals.models import Appraisal, AppraisalCycle
from hrms.ledger import verify_chain
from hrms.models import Holiday, LedgerEntry, Role
from hrms.roles import ensure_user, grant_role
from staff.models import AnnualRating, Assignment
from staff.services import _peak_occupancy, assign_position, update_employee
from tests.factories import (
    make_assignment,
    make_discipline_reference_data,
    make_employee,
    make_grade_step,
    make_position,
    make_reference_data,
    make_scoring_rules,
    make_task,
)

TRIALS = 20
ON = dt.date(2026, 3, 1)
STALE = "stale_version"

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises all writers and its in-memory test database "
        "refuses a second writer outright: row locks are PostgreSQL's to test",
    ),
    # serialized_rollback: the flush after a transactional test empties the
    # reference tables that data migrations load; later tests get them back.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _reference_data_in_english():
    make_reference_data()
    with translation.override("en"):
        yield


def race(*actions: Callable[[], object]) -> list[str]:
    """Run the actions at the same moment, one thread and connection each.

    Returns each action's outcome in order: "ok", the code of the ValidationError
    it raised, or the repr of any other exception (which no trial should see).
    """
    start = threading.Barrier(len(actions), timeout=30)
    outcomes: list[str] = [""] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            with translation.override("en"):  # the active language is per thread
                start.wait()
                action()
            outcomes[index] = "ok"
        except ValidationError as exc:
            outcomes[index] = exc.code or "invalid"
        except Exception as exc:  # reported to the test thread through outcomes
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(i, action))
        for i, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def one_winner(outcomes: Sequence[str], loser_code: str) -> int:
    """The index of the one "ok"; the other outcome must be `loser_code`."""
    assert sorted(outcomes) == sorted(["ok", loser_code]), outcomes
    return outcomes.index("ok")


# (a) Two people deciding the same appraisal -------------------------------------


GENERAL_POINTS = {  # 12 of 30: with the tasks, "well completed"
    "political_ethics": 2,
    "culture": 2,
    "discipline": 2,
    "competence": 2,
    "responsibility": 1,
    "service_attitude": 1,
    "coordination": 1,
    "innovation": 1,
}


@pytest.fixture
def proposed_appraisals(units, users) -> list[Appraisal]:
    """TRIALS appraisals of one cycle, each proposed and awaiting the decision."""
    make_scoring_rules()
    make_discipline_reference_data()
    Holiday.objects.get_or_create(date=dt.date(2026, 9, 2), name="Quốc khánh")
    cycle = svc.open_cycle(unit=units.root, year=2026)
    for n in range(TRIALS):
        employee = make_employee(units.ccvc, f"C{n:03d}")
        make_assignment(
            employee, make_position(units.ccvc), starts_on=dt.date(2020, 1, 1)
        )
        make_task(
            employee,
            f"T-C{n:03d}",
            due_on=dt.date(2026, 3, 13),
            completed_on=dt.date(2026, 3, 12),
        )
    svc.compute_cycle(cycle=cycle)
    order = AppraisalCycle.ORDER
    while order.index(cycle.status) < order.index("self_assessment"):
        cycle = svc.advance_cycle(cycle=cycle, to_status=order[cycle.stage_index() + 1])
    svc.record_comment_meeting(
        cycle=cycle, held_on=dt.date(2026, 11, 20), summoned=9, attended=6, minutes="…"
    )
    while order.index(cycle.status) < order.index("manager_proposal"):
        cycle = svc.advance_cycle(cycle=cycle, to_status=order[cycle.stage_index() + 1])
    proposed = []
    for appraisal in Appraisal.objects.filter(cycle=cycle).order_by("pk"):
        appraisal = svc.score_general_criteria(
            appraisal=appraisal,
            points=GENERAL_POINTS,
            expected_version=appraisal.version,
        )
        proposed.append(
            svc.propose_appraisal(
                appraisal=appraisal,
                actor=users.manager,
                expected_version=appraisal.version,
            )
        )
    assert len(proposed) == TRIALS
    return proposed


def test_two_heads_deciding_one_appraisal_at_once_one_wins(proposed_appraisals, users):
    deciders = [(users.admin, "hoan_thanh_tot"), (users.other_manager, "hoan_thanh")]
    for appraisal in proposed_appraisals:
        opened = appraisal.version  # both opened the same page

        def decide(actor, level, appraisal=appraisal, opened=opened):
            return svc.decide_appraisal(
                appraisal=appraisal,
                level=level,
                actor=actor,
                expected_version=opened,
                decided_on=dt.date(2026, 12, 1),
            )

        outcomes = race(*(lambda a=a, lv=lv: decide(a, lv) for a, lv in deciders))
        winner, level = deciders[one_winner(outcomes, STALE)]
        appraisal.refresh_from_db()
        assert appraisal.status == Appraisal.Status.DECIDED
        assert (appraisal.decided_by, appraisal.decided_level) == (winner, level)
        assert appraisal.version == opened + 1
        rating = AnnualRating.objects.get(employee=appraisal.employee, year=2026)
        assert rating.level == level
        decisions = LedgerEntry.objects.filter(
            action="appraisal.decide", object_id=str(appraisal.pk)
        )
        assert decisions.count() == 1

    assert verify_chain().ok


def test_the_loser_of_a_decision_race_is_told_to_reload(proposed_appraisals, users):
    appraisal = proposed_appraisals[0]
    opened = appraisal.version
    errors: list[ValidationError] = []

    def decide(actor):
        try:
            svc.decide_appraisal(
                appraisal=appraisal,
                level="hoan_thanh",
                actor=actor,
                expected_version=opened,
                decided_on=dt.date(2026, 12, 1),
            )
        except ValidationError as exc:
            errors.append(exc)
            raise

    race(lambda: decide(users.admin), lambda: decide(users.other_manager))
    [error] = errors
    assert error.code == STALE
    assert error.messages == [
        "This record was changed by someone else since you opened it; "
        "reload and try again."
    ]


# (b) Two people editing the same personnel file ----------------------------------


def test_two_officers_editing_one_employee_at_once_one_wins(units):
    names = ["Trần Văn Bình", "Lê Thị Cúc"]
    for n in range(TRIALS):
        employee = make_employee(units.ccvc, f"E{n:03d}", full_name="Nguyễn Văn An")
        opened = employee.version

        def edit(name, employee=employee, opened=opened):
            return update_employee(employee, expected_version=opened, full_name=name)

        outcomes = race(*(lambda name=name: edit(name) for name in names))
        winner = one_winner(outcomes, STALE)
        employee.refresh_from_db()
        assert employee.full_name == names[winner]
        assert employee.version == opened + 1


# (c) Two HR officers filling the last vacant seat ---------------------------------


def test_two_officers_filling_the_last_seat_at_once_one_wins(units, users):
    second_hr = ensure_user(username="hr2")
    grant_role(user=second_hr, role=Role.HR, unit=units.snv)
    officers = [users.hr, second_hr]
    for _ in range(TRIALS):
        position = make_position(units.ccvc, headcount=2)
        make_assignment(make_employee(units.ccvc), position, starts_on=ON)  # 1 of 2
        candidates = []
        for _officer in officers:
            candidate = make_employee(units.ccvc)
            make_grade_step(candidate, "01.003", 1, effective_on=dt.date(2015, 1, 1))
            candidates.append(candidate)

        def assign(officer, candidate, position=position):
            return assign_position(
                employee=candidate, position=position, starts_on=ON, actor=officer
            )

        outcomes = race(
            *(
                lambda o=o, c=c: assign(o, c)
                for o, c in zip(officers, candidates, strict=True)
            )
        )
        winner = one_winner(outcomes, "quota.exceeded")
        held = Assignment.objects.filter(position=position)
        assert held.count() == 2
        assert held.filter(employee=candidates[winner]).exists()
        assert _peak_occupancy(position, ON) == position.headcount
        assert not held.exclude(quota_override_reason="").exists()

    assert not LedgerEntry.objects.filter(action="assignment.quota_override").exists()


def test_an_override_race_exceeds_the_quota_only_with_a_reason(units, users):
    """Both officers give a reason: both are allowed, and each override is on
    the ledger with the count it saw, so the quota is never silently exceeded."""
    second_hr = ensure_user(username="hr2")
    grant_role(user=second_hr, role=Role.HR, unit=units.snv)
    position = make_position(units.ccvc, headcount=1)
    make_assignment(make_employee(units.ccvc), position, starts_on=ON)
    candidates = []
    for _ in range(2):
        candidate = make_employee(units.ccvc)
        make_grade_step(candidate, "01.003", 1, effective_on=dt.date(2015, 1, 1))
        candidates.append(candidate)
    outcomes = race(
        *(
            lambda o=o, c=c: assign_position(
                employee=c,
                position=position,
                starts_on=ON,
                actor=o,
                override_reason="Biệt phái theo Quyết định 12/QĐ-UBND",
            )
            for o, c in zip([users.hr, second_hr], candidates, strict=True)
        )
    )
    assert outcomes == ["ok", "ok"]
    overrides = LedgerEntry.objects.filter(action="assignment.quota_override")
    # The second officer's transaction waited for the first and counted its seat.
    assert sorted(json.loads(e.payload)["filled"] for e in overrides) == [1, 2]
    assert Assignment.objects.filter(position=position).count() == 3
    assert verify_chain().ok
