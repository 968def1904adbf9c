"""Each red-flag rule with a record that trips it and one that does not."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrms import ledger
from hrms.models import LedgerEntry
from recruitment import flags, services
from recruitment.models import (
    Application,
    ConflictDeclaration,
    ConflictHint,
    CouncilMember,
    VoteRecord,
)
from tests.factories import (
    make_application,
    make_appointment_decision,
    make_assignment,
    make_council,
    make_discipline_case,
    make_drive,
    make_drive_vacancy,
    make_employee,
    make_position,
)
from tests.hrms.test_ledger import intruder
from tests.recruitment.conftest import NOTICE, scored_drive

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)


def key(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def flagged(code: str, **kwargs) -> set[tuple[str, str]]:
    return {
        (f.object_type, f.object_id)
        for f in flags.all_flags(on=TODAY, **kwargs)
        if f.code == code
    }


@pytest.fixture
def ctx(units, users, position):
    return SimpleNamespace(units=units, users=users, position=position)


def _announced(ctx, **kwargs):
    kwargs.setdefault("status", "announced")
    return make_drive(ctx.units.ccvc, published_on=NOTICE, **kwargs)


def window_short(ctx):
    return _announced(ctx, window_days=20), _announced(ctx, window_days=30)


def channel_missing(ctx):
    bad = _announced(ctx, channels=("mass_media", "office_posting"))
    return bad, _announced(ctx)


def position_not_vacant(ctx):
    holder = make_employee(ctx.units.ccvc, "H1")
    make_assignment(holder, ctx.position, starts_on=dt.date(2025, 1, 1))
    bad = _announced(ctx)
    make_drive_vacancy(bad, ctx.position, 2)  # 2 seats, 1 held: 1 vacant
    good = _announced(ctx)
    make_drive_vacancy(good, ctx.position, 1)
    return bad, good


def _single_applicant_drive(ctx, unit, published_on):
    drive = make_drive(unit, status="completed", published_on=published_on)
    position = make_position(unit)
    make_application(drive, make_drive_vacancy(drive, position))
    return drive


def single_applicant_repeated(ctx):
    bad = _single_applicant_drive(ctx, ctx.units.snv, dt.date(2026, 6, 1))
    _single_applicant_drive(ctx, ctx.units.snv, dt.date(2026, 1, 5))
    good = _single_applicant_drive(ctx, ctx.units.syt, dt.date(2026, 6, 1))
    _single_applicant_drive(ctx, ctx.units.syt, dt.date(2025, 5, 1))  # 13 months
    return bad, good


def council_size(ctx):
    bad = _announced(ctx, status="round_1")
    make_council(bad, size=4)
    good = _announced(ctx, status="round_1")
    make_council(good, size=5)
    return bad, good


def _seated(ctx, relation):
    drive = _announced(ctx, status="round_1")
    vacancy = make_drive_vacancy(drive, ctx.position)
    application = make_application(drive, vacancy)
    member = make_council(drive).members.get(role="chair")
    ConflictDeclaration.objects.create(
        member=member, application=application, relation=relation, declared_on=NOTICE
    )
    return member


def member_related(ctx):
    return _seated(ctx, "sibling"), _seated(ctx, "none")


def member_related_by_confirmed_hint(ctx):
    bad, good = _seated(ctx, "none"), _seated(ctx, "none")
    for member, status in ((bad, "confirmed"), (good, "dismissed")):
        ConflictHint.objects.create(
            member=member,
            application=member.declarations.get().application,
            code="council.hint_surname_commune",
            message="hint",
            status=status,
        )
    return bad, good


def member_disciplined(ctx):
    barred = make_employee(ctx.units.snv, "KL1", full_name="Ngô Văn Kỷ")
    clear = make_employee(ctx.units.snv, "KL2", full_name="Ngô Văn Sạch")
    make_discipline_case(barred, detected_on=dt.date(2026, 2, 1))
    make_discipline_case(clear, detected_on=dt.date(2026, 3, 10))  # after the council
    seats = []
    for person in (barred, clear):
        drive = _announced(ctx, status="round_1")
        council = make_council(
            drive,
            [("chair", person), ("secretary", "Thư ký"), ("member", "A")],
            decided_on=dt.date(2026, 3, 1),
        )
        seats.append(council.members.get(employee=person))
    return tuple(seats)


def member_repeated(ctx):
    person = make_employee(ctx.units.snv, "LL1", full_name="Đinh Văn Lặp")
    seats = {}
    for unit, dates in (
        (
            ctx.units.snv,
            [dt.date(2025, 3, 1), dt.date(2025, 11, 1), dt.date(2026, 9, 1)],
        ),
        (
            ctx.units.syt,
            [dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2026, 2, 1)],
        ),
    ):
        for on in dates:
            drive = make_drive(unit, status="completed", published_on=on)
            council = make_council(drive, [("chair", person)], decided_on=on)
            seats[unit.code] = council.members.get()
    return seats["P01-SNV"], seats["P01-SYT"]  # SYT: 3 seats but over 25 months


def _published(ctx, scores, **kwargs):
    drive, vacancy, applications = scored_drive(
        ctx.units, ctx.position, scores, status="round_2", **kwargs
    )
    services.publish_results(
        drive=drive, published_on=dt.date(2026, 4, 1), expected_version=drive.version
    )
    return [Application.objects.get(pk=a.pk) for a in applications]


def winner_not_top(ctx):
    top, second = _published(ctx, [80, 60])
    Application.objects.filter(pk=top.pk).update(result="passed")
    Application.objects.filter(pk=second.pk).update(result="winner")
    good, _other = _published(ctx, [90, 70])
    return second, good


def score_changed(ctx):
    bad, good = _published(ctx, [80, 60])
    Application.objects.filter(pk=bad.pk).update(round_2_score=Decimal("95"))
    return bad, good


def hire_over_quota(ctx):
    bad = make_assignment(
        make_employee(ctx.units.ccvc, "Q1"),
        ctx.position,
        quota_override_reason="Thiếu người trực",
        overridden_by=ctx.users.hr,
    )
    return bad, make_assignment(make_employee(ctx.units.ccvc, "Q2"), ctx.position)


def _leader(ctx, code):
    return make_employee(ctx.units.ccvc, full_name=f"Lãnh đạo {code}")


def appointment_override(ctx):
    bad = make_appointment_decision(
        _leader(ctx, "O1"),
        is_eligible=False,
        override_reason="Chỉ đạo cấp trên",
        overridden_by=ctx.users.hr,
        eligibility_snapshot={
            "rules": [
                {
                    "rule": "full_term",
                    "ok": False,
                    "blocking": True,
                    "code": "eligibility.full_term",
                    "message": "Retires before the term ends",
                    "citation": "Decree 116/2024",
                }
            ]
        },
    )
    return bad, make_appointment_decision(_leader(ctx, "O2"))


def vote_below_threshold(ctx):
    bad = make_appointment_decision(_leader(ctx, "V1"))
    good = make_appointment_decision(_leader(ctx, "V2"))
    for decision, votes_for in ((bad, 3), (good, 5)):
        VoteRecord.objects.create(
            decision=decision,
            seq=1,
            step="final_ballot",
            members_total=7,
            present=7,
            votes_for=votes_for,
        )
    return bad, good


def vote_missing(ctx):
    bad = make_appointment_decision(_leader(ctx, "V3"))
    good = make_appointment_decision(_leader(ctx, "V4"), kind="transfer")
    return bad, good


def appointment_discipline(ctx):
    barred = _leader(ctx, "D1")
    make_discipline_case(barred, detected_on=dt.date(2025, 12, 1))
    bad = make_appointment_decision(barred)
    good = make_appointment_decision(_leader(ctx, "D2"))
    return bad, good


def appointment_discipline_recorded(ctx):
    bad = make_appointment_decision(
        _leader(ctx, "D3"),
        had_discipline_bar=True,
        is_eligible=False,
        override_reason="x",
        overridden_by=ctx.users.hr,
    )
    return bad, make_appointment_decision(_leader(ctx, "D4"))


def term_expired(ctx):
    lapsed, renewed = _leader(ctx, "T1"), _leader(ctx, "T2")
    bad = make_appointment_decision(
        lapsed, decided_on=dt.date(2020, 9, 1), term_end_on=dt.date(2025, 8, 31)
    )
    good = make_appointment_decision(
        renewed, decided_on=dt.date(2020, 9, 1), term_end_on=dt.date(2025, 8, 31)
    )
    make_appointment_decision(
        renewed,
        kind="reappointment",
        decided_on=dt.date(2025, 8, 1),
        effective_on=dt.date(2025, 9, 1),
        term_end_on=dt.date(2030, 8, 31),
    )
    return bad, good


BUILDERS = {
    "notice.window_short": [window_short],
    "notice.channel_missing": [channel_missing],
    "drive.position_not_vacant": [position_not_vacant],
    "drive.single_applicant_repeated": [single_applicant_repeated],
    "council.size": [council_size],
    "council.member_related": [member_related, member_related_by_confirmed_hint],
    "council.member_disciplined": [member_disciplined],
    "council.member_repeated": [member_repeated],
    "results.winner_not_top": [winner_not_top],
    "results.score_changed": [score_changed],
    "hire.over_quota": [hire_over_quota],
    "appointment.override": [appointment_override],
    "appointment.vote_below_threshold": [vote_below_threshold, vote_missing],
    "appointment.discipline": [appointment_discipline, appointment_discipline_recorded],
    "appointment.term_expired": [term_expired],
}
CASES = [
    pytest.param(code, build, id=build.__name__)
    for code, builders in BUILDERS.items()
    for build in builders
]


@pytest.mark.parametrize(("code", "build"), CASES)
def test_each_rule_flags_the_bad_record_only(ctx, code, build):
    bad, good = build(ctx)
    found = flagged(code)
    assert key(bad) in found
    assert key(good) not in found


@pytest.mark.parametrize(("code", "build"), CASES)
def test_each_flag_carries_its_reasons(ctx, code, build):
    bad, _good = build(ctx)
    flag = next(
        f
        for f in flags.all_flags(on=TODAY, codes=[code])
        if (f.object_type, f.object_id) == key(bad)
    )
    assert flag.message and flag.citation and flag.object_label
    assert flag.unit_code.startswith("P01")


def test_every_registered_rule_is_tested():
    assert {rule.code for rule in flags.RULES} == set(BUILDERS) | {"ledger.broken"}


def test_the_ledger_flag_trips_only_on_a_broken_chain(ctx):
    for n in range(3):
        ledger.append_entry(
            actor=None, action="test", object_type="x", object_id=str(n), payload={}
        )
    assert not flagged("ledger.broken")
    with intruder():
        LedgerEntry.objects.filter(seq=2).update(payload='{"forged":1}')
    found = list(flags.all_flags(on=TODAY, codes=["ledger.broken"]))
    assert [(f.object_type, f.object_id, f.unit_code) for f in found] == [
        ("hrms.ledgerentry", "2", "")
    ]
    assert "hash mismatch" in found[0].message


def test_it_narrows_flags_to_a_unit_subtree(ctx):
    window_short(ctx)  # drives of P01-SNV-CCVC
    syt = make_drive(
        ctx.units.syt, status="announced", published_on=NOTICE, window_days=10
    )
    assert flagged("notice.window_short", unit=ctx.units.syt) == {key(syt)}
    assert key(syt) not in flagged("notice.window_short", unit=ctx.units.snv)
    assert len(flagged("notice.window_short", unit=ctx.units.root)) == 2


def _scenario(ctx, n):
    """One record of every kind that trips a flag, `n` times over."""
    for _i in range(n):
        window_short(ctx)
        channel_missing(ctx)
        council_size(ctx)
        member_related(ctx)
        score_changed(ctx)
        appointment_override(ctx)
        vote_below_threshold(ctx)
        make_assignment(
            make_employee(ctx.units.ccvc),
            ctx.position,
            quota_override_reason="x",
            overridden_by=ctx.users.hr,
        )


def test_flags_cost_a_fixed_number_of_queries(ctx):
    _scenario(ctx, 1)
    with CaptureQueriesContext(connection) as one:
        small = list(flags.all_flags(on=TODAY))
    _scenario(ctx, 3)
    with CaptureQueriesContext(connection) as three:
        large = list(flags.all_flags(on=TODAY))
    assert len(large) > len(small)
    assert len(three.captured_queries) == len(one.captured_queries)


def test_council_members_are_counted_sitting_only(ctx):
    drive = _announced(ctx, status="round_2")
    council = make_council(drive, size=5)
    CouncilMember.objects.filter(pk=council.members.first().pk).update(
        removed_on=dt.date(2026, 3, 5), removal_reason="Quan hệ với thí sinh"
    )
    assert key(drive) in flagged("council.size")
