"""The generated province (hrms.generator, `seed_demo --volume`): deterministic for a
seed, valid data, and files in the import contract that import cleanly."""

from io import StringIO

from django.core.management import call_command

from appraisals.models import Dossier, DossierStep, Task
from hrms.generator import Province
from hrms.generator.files import ORDER
from positions.models import JobPosition, OrgUnit
from staff.models import Assignment, Employee, GradeHistory


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_it_writes_the_same_files_for_a_seed(db, tmp_path):
    for run in ("a", "b"):
        _seed(
            "--staff", "120", "--dossiers", "300", "--seed", "5",
            "--write-files", str(tmp_path / run), "--files-only",
        )  # fmt: skip
    for name in ORDER:
        first = (tmp_path / "a" / f"{name}.csv").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.csv").read_bytes(), name
    one = Province.build(staff=120, dossiers=300, seed=5)
    assert one.checksum() == Province.build(staff=120, dossiers=300, seed=5).checksum()
    assert one.checksum() != Province.build(staff=120, dossiers=300, seed=6).checksum()


def test_it_loads_a_valid_province_whose_files_import_cleanly(db, tmp_path):
    output = _seed(
        "--staff", "200", "--dossiers", "1000", "--seed", "5",
        "--write-files", str(tmp_path),
    )  # fmt: skip
    plan = Province.build(staff=200, dossiers=1000, seed=5)
    assert f"checksum: {plan.checksum()}" in output
    codes = plan.code_sets()
    assert sorted(Employee.objects.values_list("employee_code", flat=True)) == sorted(
        codes["staff"]
    )
    assert OrgUnit.objects.count() == len(codes["unit"])
    assert JobPosition.objects.count() == len(codes["position"])
    assert Task.objects.count() == 2000
    assert (Dossier.objects.count(), DossierStep.objects.count()) == (1000, 3000)
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    assert Assignment.objects.filter(ends_on__isnull=True).count() == 200
    graded = Employee.objects.exclude(staff_type="contract")
    assert GradeHistory.objects.values("employee").distinct().count() == graded.count()
    assert "counter " in output and "demo-hr-2026" in output

    for name in ORDER:
        try:
            call_command(
                "import_data", name, tmp_path / f"{name}.csv", "--dry-run",
                stdout=StringIO(),
            )  # fmt: skip
        except SystemExit as exc:  # import_data exits non-zero on a rejection
            raise AssertionError(f"{name}: exit {exc.code}") from None

    again = _seed("--staff", "200", "--dossiers", "1000", "--seed", "5", "--volume")
    assert "already seeded" in again
    assert Employee.objects.count() == 200
