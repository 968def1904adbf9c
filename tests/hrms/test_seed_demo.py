from io import StringIO

from django.core.management import call_command
from django.db.models import F

from hrms.models import Role, RoleGrant
from positions.models import JobPosition, OrgUnit
from positions.selectors import establishment_report
from staff.models import Assignment, Employee, GradeHistory


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _people():
    return list(
        Employee.objects.order_by("employee_code").values_list(
            "employee_code", "full_name", "date_of_birth", "national_id"
        )
    )


def test_it_builds_a_province_with_one_login_per_role(db):
    output = _seed("--staff", "60", "--dossiers", "0")
    assert OrgUnit.objects.get(code="P01").kind == OrgUnit.Kind.AGENCY
    kinds = set(OrgUnit.objects.values_list("kind", flat=True))
    assert kinds == set(OrgUnit.Kind.values)
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    for username in ("admin", "hr", "manager", "inspector", "counter", "staff"):
        assert f"{username} " in output
    assert "demo-hr-2026" in output


def test_it_places_staff_with_vacancies_and_one_override(db):
    _seed("--staff", "120", "--dossiers", "0")
    assert Employee.objects.filter(employee_code__startswith="NV").count() >= 120
    assert any(" " in name and name[0].isupper() for _, name, *_ in _people())
    figures = establishment_report(OrgUnit.objects.get(code="P01")).total
    assert figures.vacant > 0
    assert figures.over_quota == 1
    override = Assignment.objects.exclude(quota_override_reason="").get()
    assert override.position.code == "P01-SNV-CCVC-CV"
    assert GradeHistory.objects.exists()


def test_it_is_idempotent(db):
    _seed("--staff", "40", "--dossiers", "0")
    counts = (OrgUnit.objects.count(), JobPosition.objects.count(), len(_people()))
    _seed("--staff", "40", "--dossiers", "0")
    assert (OrgUnit.objects.count(), JobPosition.objects.count(), len(_people())) == (
        counts
    )


def _forget_appraisals() -> None:
    """Delete what the appraisal demo hangs on the people."""
    from appraisals.models import (
        Appraisal,
        AppraisalCycle,
        CommentMeeting,
        ObjectiveCauseWaiver,
        ReformPlan,
        ReformPlanItem,
        Task,
    )
    from staff.models import AnnualRating

    for model in (
        Appraisal,
        CommentMeeting,
        AppraisalCycle,
        AnnualRating,
        ObjectiveCauseWaiver,
        Task,
        ReformPlanItem,
        ReformPlan,
    ):
        model.objects.all().delete()


def test_it_is_deterministic_for_a_seed(db):
    _seed("--staff", "30", "--seed", "7", "--dossiers", "0")
    first = _people()
    _forget_appraisals()
    GradeHistory.objects.all().delete()
    Assignment.objects.all().delete()
    Employee.objects.all().delete()
    _seed("--staff", "30", "--seed", "7", "--dossiers", "0")
    assert _people() == first


def test_it_logs_dossiers_with_steps_slips_and_ratings(db):
    from appraisals.models import ApologySlip, CitizenRating, Dossier, DossierStep

    _seed("--staff", "80", "--dossiers", "300")
    assert Dossier.objects.count() == 300
    assert DossierStep.objects.count() >= 300
    assert CitizenRating.objects.exists()
    assert ApologySlip.objects.exists()
    late = [
        d for d in Dossier.objects.all() if d.returned_at and d.returned_at > d.due_at
    ]
    assert late, "the demo should show some late dossiers"


def test_it_registers_tasks_and_runs_the_years_appraisals(db):
    from appraisals.models import Appraisal, AppraisalCycle, ReformPlanItem, Task

    _seed("--staff", "300", "--dossiers", "0")
    assert Task.objects.count() > 300
    assert Task.objects.filter(completed_on__gt=F("due_on")).exists()
    assert ReformPlanItem.objects.filter(tasks__isnull=False).exists()
    province = AppraisalCycle.objects.get(unit__code="P01")
    assert province.status == AppraisalCycle.Status.SELF_ASSESSMENT
    staff_user = Appraisal.objects.get(cycle=province, employee__user__username="staff")
    # The demo "staff" login still has its self-assessment to write.
    assert staff_user.status == Appraisal.Status.PENDING
    assert staff_user.computed_score is not None
    finished = AppraisalCycle.objects.get(unit__code="P01-SYT")
    assert finished.status == AppraisalCycle.Status.PUBLISHED
    levels = set(finished.appraisals.values_list("decided_level", flat=True))
    assert "" not in levels and len(levels) >= 1
    counts = Task.objects.count(), Appraisal.objects.count()
    _seed("--staff", "300", "--dossiers", "0")
    assert (Task.objects.count(), Appraisal.objects.count()) == counts
