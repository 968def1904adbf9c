"""compute_appraisals: set-based over a generated agency — the same number of
queries for 100 and 1,000 staff, idempotent, decided ratings untouched."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appraisals import appraisal_services as svc
from appraisals.models import (
    Appraisal,
    CitizenRating,
    ConductIncident,
    Dossier,
    DossierStep,
    Task,
)
from positions.models import OrgUnit
from staff.models import Assignment, Employee
from tests.appraisals.conftest import at
from tests.factories import (
    make_decided_case,
    make_discipline_reference_data,
    make_position,
    make_procedure,
    make_scoring_rules,
    make_unit,
)

D = dt.date
AS_OF = at(2026, 11, 27, 17)


def generate_agency(code: str, staff: int, *, seed: int = 1, tasks: int = 6):
    """An agency of `staff` people in departments of about 50 (a leader each) and
    a service centre whose officers handle dossiers: tasks over the year, dossier
    steps (some late), citizen ratings, conduct incidents and one discipline."""
    rng = random.Random(seed)
    root = make_unit(code, f"Cơ quan {code}", kind=OrgUnit.Kind.AGENCY)
    departments = [
        make_unit(f"{code}-D{n:03d}", parent=root) for n in range(max(2, staff // 50))
    ]
    centre = make_unit(f"{code}-TT", parent=root, kind=OrgUnit.Kind.SERVICE_CENTER)
    units = [*departments, centre]
    employees = []
    for n in range(staff):
        joined = D(2026, 8, 1) if n % 97 == 5 else D(2015, 1, 1)
        employees.append(
            Employee(
                employee_code=f"{code}-{n:06d}",
                full_name=f"Nhân viên {n}",
                date_of_birth=D(1985, 1, 1),
                gender="MF"[n % 2],
                staff_type="vien_chuc" if n % 20 == 7 else "cong_chuc",
                unit=units[n % len(units)],
                joined_on=joined,
            )
        )
    Employee.objects.bulk_create(employees, batch_size=2000)
    employees = list(Employee.objects.filter(unit__path__startswith=root.path))
    by_unit: dict[int, list[Employee]] = {}
    for employee in employees:
        by_unit.setdefault(employee.unit_id, []).append(employee)
    assignments = []
    for unit in units:
        people = by_unit.get(unit.pk, [])
        if not people:
            continue
        lead = make_position(unit, group="leadership", headcount=1)
        work = make_position(unit, headcount=len(people))
        for i, person in enumerate(people):
            position = lead if i == 0 and unit != centre else work
            assignments.append(
                Assignment(employee=person, position=position, starts_on=D(2020, 1, 1))
            )
    Assignment.objects.bulk_create(assignments, batch_size=2000)

    rows = []
    for employee in employees:
        for t in range(tasks):
            month = 1 + (t * 2 + rng.randrange(2)) % 11
            due = D(2026, month, 15)
            late = rng.random() < 0.15
            done = (
                None
                if rng.random() < 0.05
                else due + dt.timedelta(days=4 if late else -1)
            )
            rows.append(
                Task(
                    code=f"{employee.employee_code}-T{t}",
                    assignee=employee,
                    period=f"2026-{month:02d}",
                    title="Nhiệm vụ",
                    due_on=due,
                    weight=Decimal(rng.choice(["1", "1", "1.5", "2"])),
                    completed_on=done,
                    quality_defects=1 if rng.random() < 0.1 else 0,
                    is_reform_task=rng.random() < 0.1,
                )
            )
    Task.objects.bulk_create(rows, batch_size=5000)

    officers = by_unit.get(centre.pk, [])
    procedure = make_procedure(f"{code}.P", 5)
    dossiers, steps = [], []
    tz = timezone.get_default_timezone()
    for i, officer in enumerate(officers):
        for k in range(10):
            received = dt.datetime(2026, 1 + k, 5, 8, tzinfo=tz)
            due = received + dt.timedelta(days=7, hours=9)
            late = (i + k) % 6 == 0
            returned = due + dt.timedelta(days=2 if late else -1)
            dossiers.append(
                Dossier(
                    code=f"{code}-H{i:05d}-{k}",
                    procedure=procedure,
                    unit=centre,
                    received_at=received,
                    due_at=due,
                    returned_at=returned,
                    status="returned",
                    receiving_officer=officer,
                )
            )
    Dossier.objects.bulk_create(dossiers, batch_size=2000)
    dossiers = list(Dossier.objects.filter(unit=centre).order_by("code"))
    position = {officer.pk: i for i, officer in enumerate(officers)}
    for dossier in dossiers:
        i = position[dossier.receiving_officer_id]
        officer, colleague = officers[i], officers[(i + 1) % len(officers)]
        late = dossier.returned_at > dossier.due_at
        steps.append(
            DossierStep(
                dossier=dossier,
                seq=1,
                name="receive",
                officer=officer,
                unit=centre,
                started_at=dossier.received_at,
                due_at=dossier.received_at + dt.timedelta(hours=8),
                finished_at=dossier.received_at + dt.timedelta(hours=1),
            )
        )
        steps.append(
            DossierStep(
                dossier=dossier,
                seq=2,
                name="process",
                officer=colleague,
                unit=centre,
                started_at=dossier.received_at + dt.timedelta(hours=1),
                due_at=dossier.due_at - dt.timedelta(days=1),
                finished_at=dossier.due_at + dt.timedelta(days=1, hours=2)
                if late
                else dossier.due_at - dt.timedelta(days=2),
            )
        )
    DossierStep.objects.bulk_create(steps, batch_size=2000)
    CitizenRating.objects.bulk_create(
        [
            CitizenRating(dossier=d, level="unsatisfied" if n % 9 == 0 else "satisfied")
            for n, d in enumerate(dossiers)
            if n % 2 == 0
        ],
        batch_size=2000,
    )
    ConductIncident.objects.bulk_create(
        [
            ConductIncident(
                officer=officer,
                unit=centre,
                occurred_on=D(2026, 4, 2),
                source="hotline",
                description="Thái độ chưa đúng mực",
                is_verified=True,
            )
            for officer in officers[::7]
        ]
    )
    make_decided_case(employees[3], "reprimand", decided_on=D(2026, 5, 10))
    return root


@pytest.fixture
def reference(db):
    make_scoring_rules()
    make_discipline_reference_data()


def run_twice(root) -> tuple[int, int]:
    """The queries of a first computation, then of a recomputation after the
    managers entered the general criteria."""
    with CaptureQueriesContext(connection) as first:
        svc.compute_appraisals(year=2026, unit=root, as_of=AS_OF)
    Appraisal.objects.filter(cycle__unit=root).update(general_points=Decimal(25))
    with CaptureQueriesContext(connection) as second:
        svc.compute_appraisals(year=2026, unit=root, as_of=AS_OF)
    return len(first), len(second)


def test_the_query_count_is_the_same_for_100_and_1000_staff(reference):
    small = run_twice(generate_agency("A1", 100))
    large = run_twice(generate_agency("A2", 1000))
    assert small == large
    assert large[1] <= 30
    appraisals = Appraisal.objects.filter(cycle__unit__code="A2")
    assert appraisals.count() == 1000
    assert appraisals.filter(is_leader=True).count() == 20
    assert appraisals.filter(regime="decree_90_2020").count() == 50
    assert appraisals.filter(eligibility="not_rated").exists()
    assert appraisals.filter(computed_level="khong_hoan_thanh").exists()
    assert appraisals.exclude(computed_score=None).count() > 900
    counter = appraisals.filter(unit__code="A2-TT").first()
    assert counter.evidence["service_attitude"]["rated"] > 0


def _state(root) -> list[tuple]:
    return list(
        Appraisal.objects.filter(cycle__unit=root)
        .order_by("employee_id")
        .values_list(
            "employee_id",
            "status",
            "period_scores",
            "computed_score",
            "computed_level",
            "eligibility",
            "is_leader",
            "version",
        )
    )


def test_it_is_idempotent_and_never_touches_a_decided_rating(reference, users):
    root = generate_agency("A3", 120)
    svc.compute_appraisals(year=2026, unit=root, as_of=AS_OF)
    Appraisal.objects.filter(cycle__unit=root).update(general_points=Decimal(25))
    svc.compute_appraisals(year=2026, unit=root, as_of=AS_OF)
    before = _state(root)
    decided = Appraisal.objects.filter(cycle__unit=root, is_leader=False).first()
    Appraisal.objects.filter(pk=decided.pk).update(
        status=Appraisal.Status.DECIDED, decided_level="hoan_thanh"
    )
    frozen = Appraisal.objects.get(pk=decided.pk)
    Task.objects.filter(assignee=decided.employee).update(completed_on=None)
    svc.compute_appraisals(year=2026, unit=root, as_of=AS_OF)
    svc.compute_appraisals(year=2026, unit=root, as_of=AS_OF)
    after = _state(root)
    changed = [a for a, b in zip(before, after, strict=True) if a != b]
    assert [row[0] for row in changed] == [decided.employee_id]
    assert changed[0][1] == "pending"  # only the status set by hand differs
    again = Appraisal.objects.get(pk=decided.pk)
    assert (again.period_scores, again.computed_score, again.updated_at) == (
        frozen.period_scores,
        frozen.computed_score,
        frozen.updated_at,
    )
    assert Appraisal.objects.filter(cycle__unit=root).count() == 120


def test_the_command_computes_an_agency_and_reports(reference):
    generate_agency("A4", 60)
    out = io.StringIO()
    call_command(
        "compute_appraisals", "--period", "2026", "--unit", "A4", "--as-of",
        "2026-11-27", stdout=out,
    )  # fmt: skip
    first = out.getvalue().splitlines()[0]
    assert first == "A4 2026: computed=60 written=60 locked=0 not_covered=0 left=0"
    assert Appraisal.objects.filter(cycle__unit__code="A4").count() == 60
    out = io.StringIO()
    call_command("compute_appraisals", "--period", "2026", stdout=out)
    assert out.getvalue().startswith("A4 2026: computed=60")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "26"], "must be a year"),
        (["--period", "2026", "--unit", "NOPE"], "Unknown unit"),
        (["--period", "2031"], "No appraisal cycle for 2031"),
        (["--period", "2026", "--unit", "A5", "--as-of", "31/02/2026"], "31/02/2026"),
    ],
)
def test_the_command_refuses_bad_arguments(reference, args, message):
    make_unit("A5", kind=OrgUnit.Kind.AGENCY)
    with pytest.raises(CommandError, match=message):
        call_command("compute_appraisals", *args, stdout=io.StringIO())
