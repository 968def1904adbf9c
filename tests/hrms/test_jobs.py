"""Long jobs (hrms/jobs/): in-process and Celery runs, progress, per-row errors,
result files, all-or-nothing on a crash, recovery of dead workers, the job pages
and their scoping, the batch of apology slips."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, close_old_connections
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader
from pytest_django.asserts import assertRedirects

from hrms.jobs import execute, job_kind, recover_stale_jobs, runner, submit
from hrms.jobs.progress import count_rows, terminal_progress
from hrms.jobs.registry import JobRejected
from hrms.models import Holiday, Job
from positions.models import OrgUnit
from tests.factories import make_unit

REDIS_URL = "redis://127.0.0.1:6379/5"
UNITS_CSV = (
    "code,name,parent_code,kind\n"
    "J01,Phòng Một,P01,department\n"
    "J02,Phòng Hai,P01,department\n"
    "J03,Phòng Ba,J01,department\n"
)
BAD_UNITS_CSV = (
    "code,name,parent_code,kind\n"
    "J01,Phòng Một,P01,department\n"
    "J02,Phòng Hai,NOPE,department\n"
    "J03,Phòng Ba,P01,sideways\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_BROKER_URL = ""
    with translation.override("en"):
        yield


def csv(text: str, name: str = "units.csv") -> ContentFile:
    return ContentFile(text.encode(), name=name)


def import_job(owner, text=UNITS_CSV, name="units.csv", **params) -> Job:
    return submit(
        "import",
        owner,
        source=csv(text, name),
        source_name=name,
        resource=params.pop("resource", "units"),
        **params,
    )


# Kinds for the failure cases ---------------------------------------------------


@job_kind("test_crash", label="crash", atomic=True)
def _crash(job: Job) -> None:
    """Writes, reports progress, then dies mid-way (a killed worker)."""
    Holiday.objects.create(date=dt.date(2031, 1, 1), name="half-written")
    job.progress(1, 2)
    raise RuntimeError("worker died")


@job_kind("test_taken_over", label="taken over", atomic=True)
def _taken_over(job: Job) -> None:
    Holiday.objects.create(date=dt.date(2031, 1, 2), name="half-written")
    Job.objects.filter(pk=job.pk).update(claimed_by="another-worker")


@job_kind("test_holiday", label="holiday", atomic=True)
def _holiday(job: Job) -> None:
    Holiday.objects.create(date=dt.date.fromisoformat(job.params["day"]), name="ok")
    job.progress(1, 1)


@job_kind("test_rejected", label="rejected")
def _rejected(job: Job) -> None:
    raise JobRejected("bad input")


@job_kind("test_db_down", label="db down")
def _db_down(job: Job) -> None:
    raise OperationalError("server closed the connection unexpectedly")


# In process ----------------------------------------------------------------------


def test_it_imports_in_process_with_progress_reaching_total(users):
    job = import_job(users.admin)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert job.percent == 100
    assert job.attempts == 1
    assert job.outcome["summary"] == "imported=3 rejected=0"
    assert job.started_at and job.finished_at
    assert set(
        OrgUnit.objects.filter(code__startswith="J").values_list("code", flat=True)
    ) == {"J01", "J02", "J03"}
    assert not job.result


def test_a_rejected_row_fails_the_import_and_writes_nothing(client, users):
    before = OrgUnit.objects.count()
    job = import_job(users.admin, BAD_UNITS_CSV)
    assert job.status == Job.Status.FAILED
    assert "2 row(s) rejected" in job.error
    assert OrgUnit.objects.count() == before
    assert [error["line"] for error in job.row_errors] == [3, 4]
    assert job.row_error_count == 2
    assert "NOPE" in job.row_errors[0]["reason"]

    client.force_login(users.admin)
    response = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert "units-rejects" in response["Content-Disposition"]
    rejects = b"".join(response.streaming_content).decode("utf-8-sig")
    assert rejects.splitlines()[0] == "line,reason,code,name,parent_code,kind"
    assert rejects.splitlines()[1].startswith("3,")

    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert "NOPE" in page.content.decode()


def test_keep_valid_writes_the_valid_rows_and_lists_the_others(users):
    job = import_job(users.admin, BAD_UNITS_CSV, keep_valid=True)
    assert job.status == Job.Status.SUCCEEDED
    assert job.outcome["imported"] == 1
    assert job.row_error_count == 2
    assert OrgUnit.objects.filter(code="J01").exists()
    assert job.result


def test_a_dry_run_writes_nothing(users):
    job = import_job(users.admin, dry_run=True)
    assert job.status == Job.Status.SUCCEEDED
    assert job.outcome["dry_run"] is True
    assert not OrgUnit.objects.filter(code="J01").exists()


def test_an_unreadable_file_fails_with_the_reason(users):
    job = import_job(users.admin, "code\nJ01\n")
    assert job.status == Job.Status.FAILED
    assert "Missing required column" in job.error


DOSSIERS_CSV = (
    "code,procedure_code,unit_code,received_at\n"
    "HS-1,1.000893,P01-TTHCC,2026-03-10T08:30:00\n"
    "HS-2,1.000893,P01-TTHCC,10/03/2026 14:05\n"
    "HS-3,{procedure},P01-XA01,2026-03-11T09:00:00\n"
)


def _dossier_job(users, procedure: str) -> Job:
    from tests.factories import make_procedure

    make_procedure("1.000893")
    text = DOSSIERS_CSV.format(procedure=procedure)
    return import_job(users.admin, text, "dossiers.csv", resource="dossiers")


def test_dossiers_stream_through_the_fast_path(users, units):
    from appraisals.models import Dossier

    job = _dossier_job(users, "1.000893")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert Dossier.objects.count() == 3


def test_a_bad_row_on_the_fast_path_writes_nothing(users, units):
    from appraisals.models import Dossier

    job = _dossier_job(users, "9.999999")
    assert job.status == Job.Status.FAILED
    assert [error["line"] for error in job.row_errors] == [4]
    assert Dossier.objects.count() == 0


def test_hr_imports_only_rows_of_their_units(users, units):
    from positions.models import Grade

    grade = Grade.objects.first()
    grade_code = grade.code if grade else "01.003"
    text = (
        "code,unit_code,title,group,grade_code,headcount\n"
        f"VT1,P01-SNV-CCVC,Chuyên viên,professional,{grade_code},2\n"
        f"VT2,P01-SYT,Chuyên viên,professional,{grade_code},2\n"
    )
    job = import_job(users.hr, text, "positions.csv", resource="positions")
    assert job.status == Job.Status.FAILED
    assert [error["line"] for error in job.row_errors] == [3]
    assert "P01-SYT" in job.row_errors[0]["reason"]

    job = import_job(users.hr)  # units: a whole-tree resource
    assert job.status == Job.Status.FAILED
    assert "Only an administrator" in job.error
    assert not OrgUnit.objects.filter(code="J01").exists()


def test_it_exports_a_resource(users):
    job = submit("export", users.admin, resource="units", format="csv")
    assert job.status == Job.Status.SUCCEEDED
    with job.result.open("rb") as handle:
        lines = handle.read().decode("utf-8-sig").splitlines()
    assert lines[0] == "code,name,parent_code,kind"
    assert job.outcome["exported"] == len(lines) - 1 == OrgUnit.objects.count()


def test_it_computes_appraisals_by_stage(users, units):
    job = submit("compute_appraisals", users.admin, unit=units.root, year=2026)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert job.outcome["summary"].startswith("P01 2026:")


# Crashes, retries and recovery ---------------------------------------------------


def test_a_job_that_dies_mid_way_leaves_nothing_half_written(users):
    job = submit("test_crash", users.admin)
    assert job.status == Job.Status.FAILED
    assert "worker died" in job.error
    assert not Holiday.objects.filter(name="half-written").exists()


def test_work_taken_over_by_another_worker_is_rolled_back(users):
    job = submit("test_taken_over", users.admin)
    assert not Holiday.objects.filter(name="half-written").exists()
    assert job.status == Job.Status.RUNNING  # the other worker will finish it


def test_a_rejected_job_fails_without_a_retry(users):
    job = submit("test_rejected", users.admin)
    assert (job.status, job.error, job.attempts) == (Job.Status.FAILED, "bad input", 1)


def test_a_database_error_without_a_worker_fails_the_job(users):
    job = submit("test_db_down", users.admin)
    assert job.status == Job.Status.FAILED
    assert "server closed" in job.error


def test_a_database_error_in_a_worker_is_retried(users, eager_celery):
    from hrms.jobs.tasks import MAX_RETRIES

    job = Job.objects.create(kind="test_db_down", owner=users.admin)
    runner.enqueue(job.pk)  # eager: each retry runs at once
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "Gave up after 3 attempts" in job.error
    assert "server closed" in job.error
    assert job.attempts == 3 < MAX_RETRIES


def test_a_stale_running_job_is_failed_without_a_broker(users):
    long_ago = timezone.now() - dt.timedelta(hours=1)
    job = Job.objects.create(
        kind="test_holiday",
        owner=users.admin,
        status=Job.Status.RUNNING,
        attempts=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
        params={"day": "2031-02-01"},
    )
    fresh = Job.objects.create(
        kind="test_holiday",
        owner=users.admin,
        status=Job.Status.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now(),
    )
    out = io.StringIO()
    call_command("jobs_recover", stdout=out)
    assert out.getvalue().strip() == "requeued=0 failed=1"
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "stopped" in job.error
    assert fresh.status == Job.Status.RUNNING


def test_a_stale_running_job_is_requeued_with_a_broker(
    users, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = REDIS_URL
    queued = []
    monkeypatch.setattr(runner, "enqueue", queued.append)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    job = Job.objects.create(
        kind="test_holiday",
        owner=users.admin,
        status=Job.Status.RUNNING,
        attempts=1,
        heartbeat_at=long_ago,
        params={"day": "2031-02-02"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stale_jobs() == {"requeued": 1, "failed": 0}
    assert queued == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    execute(job.pk)  # the worker that picks it up
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert Holiday.objects.filter(date=dt.date(2031, 2, 2)).exists()


def test_a_job_that_keeps_killing_its_worker_is_given_up(users):
    job = Job.objects.create(
        kind="test_holiday", owner=users.admin, attempts=3, params={"day": "2031-3-3"}
    )
    assert execute(job.pk) is None
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "Gave up after 3 attempts" in job.error


def test_a_duplicate_delivery_of_a_running_job_is_refused(users):
    job = Job.objects.create(
        kind="test_holiday",
        owner=users.admin,
        status=Job.Status.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(runner.JobBusy):
        execute(job.pk)


def test_a_finished_job_is_not_run_again(users):
    job = submit("test_holiday", users.admin, day="2031-04-04")
    assert execute(job.pk) is None
    assert Holiday.objects.filter(date=dt.date(2031, 4, 4)).count() == 1


# Celery ----------------------------------------------------------------------------


@pytest.fixture
def eager_celery(settings):
    from hrms.celery import app

    settings.CELERY_BROKER_URL = REDIS_URL
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = saved


def test_with_a_broker_the_job_is_queued_after_commit(
    users, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job(users.admin)
    assert job.status == Job.Status.QUEUED
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (eagerly)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.total) == (3, 3)


def test_an_unreachable_broker_fails_the_job(users, settings, monkeypatch):
    from hrms.jobs import tasks

    settings.CELERY_BROKER_URL = REDIS_URL

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.run_job, "apply_async", refuse)
    job = Job.objects.create(kind="test_holiday", owner=users.admin)
    runner.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "broker down" in job.error


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_job_from_redis(settings, tmp_path):
    import redis
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from hrms.celery import app
    from hrms.roles import ensure_user

    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = REDIS_URL
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = REDIS_URL
    app.conf.task_always_eager = False
    app.loader.import_module("celery.contrib.testing.tasks")

    def close_connections(**kwargs):
        connections.close_all()  # the worker thread's own connection

    task_postrun.connect(close_connections, weak=False)
    owner = ensure_user(username="worker-owner", password="x")
    owner.is_superuser = True
    owner.save()
    make_unit("P01", "Tỉnh", kind=OrgUnit.Kind.AGENCY)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False):
            job = import_job(owner)
            assert job.status == Job.Status.QUEUED
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    job.refresh_from_db()
                except OperationalError:
                    continue  # SQLite: the worker holds the table a moment
                if job.is_finished:
                    break
                time.sleep(0.2)
    finally:
        task_postrun.disconnect(close_connections)
        app.conf.update(saved)
        close_old_connections()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert OrgUnit.objects.filter(code="J03").exists()


# Pages ---------------------------------------------------------------------------


def test_the_status_json_follows_the_job_and_is_scoped(client, users):
    job = import_job(
        users.hr,
        "code,unit_code,title,group,grade_code,headcount\n",
        "p.csv",
        resource="positions",
    )
    url = reverse("jobs:job_status", args=[job.pk])

    assertRedirects(client.get(url), f"/accounts/login/?next={url}")

    client.force_login(users.hr)
    status = client.get(url).json()
    assert status["id"] == job.pk
    assert status["status"] == job.status
    assert status["finished"] is True
    assert set(status) >= {"done", "total", "percent", "error", "download_url"}
    assert client.post(url).status_code == 405

    client.force_login(users.manager)
    assert client.get(url).status_code == 404
    assert client.get(reverse("jobs:job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 404

    client.force_login(users.admin)  # an administrator of the whole tree
    assert client.get(url).status_code == 200


def test_the_job_list_shows_the_users_own_jobs(client, users):
    mine = submit("test_holiday", users.manager, day="2031-05-05")
    theirs = submit("test_holiday", users.other_manager, day="2031-05-06")
    client.force_login(users.manager)
    page = client.get(reverse("jobs:job_list"))
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [mine]
    assert theirs not in page.context["page"].object_list


def test_the_detail_page_polls_with_a_script_file(client, users):
    job = Job.objects.create(
        kind="import", owner=users.admin, total=10, done=4, status=Job.Status.RUNNING
    )
    client.force_login(users.admin)
    html = client.get(job.get_absolute_url()).content.decode()
    assert f'data-status-url="/jobs/{job.pk}/status.json"' in html
    assert 'aria-valuenow="40"' in html
    assert "js/jobs.js" in html


def test_the_upload_form_submits_an_import_job(client, users):
    url = reverse("jobs:job_import")
    assertRedirects(client.get(url), f"/accounts/login/?next={url}")
    client.force_login(users.staff)
    assert client.get(url).status_code == 403

    client.force_login(users.hr)
    form = client.get(url)
    assert form.status_code == 200
    resources = [
        value for value, _label in form.context["form"].fields["resource"].choices
    ]
    assert "positions" in resources and "units" not in resources

    client.force_login(users.admin)
    upload = SimpleUploadedFile("units.csv", UNITS_CSV.encode(), "text/csv")
    response = client.post(url, {"resource": "units", "file": upload, "mode": "all"})
    job = Job.objects.get()
    assertRedirects(response, job.get_absolute_url())
    assert job.status == Job.Status.SUCCEEDED
    assert job.params["resource"] == "units"
    assert OrgUnit.objects.filter(code="J02").exists()

    upload = SimpleUploadedFile("units.txt", b"x", "text/plain")
    response = client.post(url, {"resource": "units", "file": upload, "mode": "all"})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_exports_are_for_administrators_of_the_whole_tree(client, users):
    client.force_login(users.hr)
    assert client.get(reverse("jobs:job_export")).status_code == 403
    client.force_login(users.admin)
    response = client.post(
        reverse("jobs:job_export"), {"resource": "units", "format": "xlsx"}
    )
    job = Job.objects.get()
    assertRedirects(response, job.get_absolute_url())
    assert job.result.name.endswith(".xlsx")


# Apology slips ---------------------------------------------------------------------


def _slips(unit, count: int, *, day=dt.date(2026, 3, 10)):
    from appraisals.models import ApologySlip, Procedure
    from tests.factories import make_dossier, make_procedure

    tz = timezone.get_default_timezone()
    procedure = Procedure.objects.first() or make_procedure()
    dossiers = []
    for n in range(count):
        received = dt.datetime.combine(day, dt.time(8, n), tzinfo=tz)
        code = f"HS-{unit.code}-{n:04d}"
        dossier = make_dossier(procedure, unit, code, received_at=received)
        ApologySlip.objects.create(
            dossier=dossier,
            issued_at=received + dt.timedelta(days=6),
            previous_due_at=dossier.due_at,
            new_due_at=dossier.due_at + dt.timedelta(days=3),
            reason="Chờ xác minh",
        )
        dossiers.append(dossier)
    return dossiers


def test_the_batch_of_apology_slips_is_one_pdf_of_every_slip(client, users, units):
    dossiers = _slips(units.tthcc, 3)
    _slips(units.xa, 1, day=dt.date(2026, 3, 11))  # another unit: not in the batch
    url = reverse("jobs:job_apology_slips")
    data = {"unit": "P01-TTHCC", "start": "01/03/2026", "end": "31/03/2026"}

    client.force_login(users.other_manager)  # Sở Y tế: not this unit
    assert client.post(url, data).status_code == 404

    client.force_login(users.counter)
    response = client.post(url, data)
    job = Job.objects.get()
    assertRedirects(response, job.get_absolute_url())
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    for dossier in dossiers:
        assert dossier.code in text
    assert text.count("PHIẾU XIN LỖI") == 3
    assert ".pdf" in download["Content-Disposition"]


def test_a_period_without_slips_fails_with_the_reason(client, users, units):
    client.force_login(users.counter)
    client.post(
        reverse("jobs:job_apology_slips"),
        {"unit": "P01-TTHCC", "start": "2026-01-01", "end": "2026-01-31"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "No apology slip" in job.error


def test_the_indicators_page_offers_the_batch(client, users, units):
    client.force_login(users.admin)
    page = client.get(reverse("appraisals:indicator_report"), {"unit": "P01"})
    assert reverse("jobs:job_apology_slips") in page.content.decode()


# Terminal progress -------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_shows_only_on_a_terminal(capsys):
    with terminal_progress(io.StringIO(), desc="x") as progress:
        assert progress is None
    with terminal_progress(FakeTTY(), desc="units") as progress:
        progress(0, 10)
        progress(10)
    assert "10/10" in capsys.readouterr().err


def test_count_rows_counts_data_rows(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(UNITS_CSV)
    assert count_rows(path) == 3
    path.write_text(UNITS_CSV.rstrip("\n"))
    assert count_rows(path) == 3
    assert count_rows(tmp_path / "missing.csv") == 0


def test_the_compute_form_runs_a_cycle_for_hr_of_the_unit(client, users, units):
    url = reverse("jobs:job_compute")
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(users.manager)
    assert client.get(url).status_code == 405
    assert client.post(url, {"unit": "P01-SNV-CCVC", "year": 2026}).status_code == 403
    client.force_login(users.hr)
    assert client.post(url, {"unit": "P01-SYT", "year": 2026}).status_code == 404
    response = client.post(url, {"unit": "P01-SNV", "year": 2026})
    job = Job.objects.get()
    assertRedirects(response, job.get_absolute_url())
    assert (job.status, job.unit) == (Job.Status.SUCCEEDED, units.snv)


def test_a_batch_can_be_a_zip_of_one_pdf_per_slip(users, units):
    import zipfile

    dossiers = _slips(units.tthcc, 2)
    job = submit(
        "apology_slips",
        users.counter,
        unit=units.tthcc,
        start="2026-03-01",
        end="2026-03-31",
        format="zip",
    )
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result_name.endswith(".zip")
    with job.result.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"{d.code}.pdf" for d in dossiers)
        pdf = PdfReader(io.BytesIO(archive.read(names[0])))
        assert names[0].removesuffix(".pdf") in pdf.pages[0].extract_text()
