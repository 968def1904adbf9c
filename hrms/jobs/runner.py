"""Submit, run and recover jobs; see the package docstring."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid

from django.conf import settings
from django.core.files.base import File
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from hrms import policy
from hrms.jobs.access import is_global_admin
from hrms.jobs.registry import JobRejected, get_kind
from hrms.models import Job, Role

logger = logging.getLogger(__name__)

# Progress and heartbeat are written this often (seconds) while a job runs.
HEARTBEAT_SECONDS = 2.0
# A running job whose heartbeat is this fresh is someone else's: do not take it.
ALIVE_SECONDS = 15.0
# Worth another try: the database went away, not the input.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class JobBusy(Exception):
    """Another worker runs this job now (a duplicate delivery)."""


class JobLost(Exception):
    """The job was taken over while this worker ran it: its work is dropped."""


def broker_configured() -> bool:
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def max_attempts() -> int:
    return getattr(settings, "JOB_MAX_ATTEMPTS", 3)


def submit(
    kind: str,
    owner,
    *,
    unit=None,
    source: File | None = None,
    source_name: str = "",
    **params,
) -> Job:
    """Record a job and queue it (or, without a broker, run it now)."""
    get_kind(kind)  # an unknown kind is a programming error: fail here
    job = Job(kind=kind, owner=owner, unit=unit, params=params)
    if source is not None:
        job.source.save(source_name or source.name, source, save=False)
    job.save()
    if broker_configured():
        transaction.on_commit(lambda: enqueue(job.pk))
    else:
        try:
            execute(job.pk)
        except TRANSIENT_ERRORS as exc:  # no worker to retry it: fail it now
            fail_after_retries(job.pk, str(exc))
        job.refresh_from_db()
    return job


def enqueue(job_id: int) -> None:
    """Hand the job to the Celery broker; a broker that refuses fails the job."""
    from hrms.jobs.tasks import run_job

    try:
        run_job.apply_async(args=[job_id])
    except Exception as exc:  # kombu raises many kinds; the job must not hang
        logger.exception("Could not queue job %s", job_id)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=gettext("The job could not be queued: %(error)s") % {"error": exc},
        )


def execute(job_id: int) -> Job | None:
    """Run one job to its end in this process; None when there is nothing to do.

    Raises JobBusy when another worker is running it, and the transient database
    errors (after putting the job back in the queue) so the caller may retry.
    """
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    job = _claim(job_id, token)
    if job is None:
        return None
    kind = get_kind(job.kind)
    reporter = _Reporter(job, token)
    job._reporter = reporter
    reporter.start()
    try:
        if kind.atomic:
            with transaction.atomic():
                kind.run(job)
                reporter.stop()
                _finish(job, token)
        else:
            kind.run(job)
            reporter.stop()
            _finish(job, token)
    except JobLost:
        logger.warning("Job %s was taken over; its work was rolled back", job_id)
    except JobRejected as exc:
        reporter.stop()
        _fail(job, token, str(exc))
    except TRANSIENT_ERRORS as exc:
        reporter.stop()
        _release(job, token, str(exc))
        raise
    except Exception as exc:
        reporter.stop()
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        _fail(job, token, f"{type(exc).__name__}: {exc}")
    finally:
        reporter.stop()
        job._reporter = None
    return job


def _claim(job_id: int, token: str) -> Job | None:
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        if job.status == Job.Status.RUNNING and job.heartbeat_at:
            if job.heartbeat_at > now - dt.timedelta(seconds=ALIVE_SECONDS):
                raise JobBusy(job_id)
        if job.attempts >= max_attempts():
            job.status = Job.Status.FAILED
            job.finished_at = now
            if job.error:
                job.error = gettext(
                    "Gave up after %(attempts)d attempts; the last error: %(error)s"
                ) % {"attempts": job.attempts, "error": job.error}
            else:
                job.error = gettext(
                    "Gave up after %(attempts)d attempts: the worker stopped each time."
                ) % {"attempts": job.attempts}
            job.save(update_fields=["status", "finished_at", "error"])
            return None
        job.attempts += 1
        job.status = Job.Status.RUNNING
        job.started_at = now
        job.heartbeat_at = now
        job.claimed_by = token
        job.error = ""
        job.done = 0
        job.save(
            update_fields=[
                "attempts",
                "status",
                "started_at",
                "heartbeat_at",
                "claimed_by",
                "error",
                "done",
            ]
        )
    return job


def _final_fields(job: Job) -> dict:
    return {
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "finished_at": job.finished_at,
        "heartbeat_at": job.finished_at,
        "result": job.result.name or "",
        "result_name": job.result_name,
        "outcome": job.outcome,
        "row_errors": job.row_errors,
        "row_error_count": job.row_error_count,
        "error": job.error,
    }


def _finish(job: Job, token: str) -> None:
    """Write the job's end state; inside the work's transaction for atomic kinds."""
    if job.status == Job.Status.RUNNING:
        job.status = Job.Status.SUCCEEDED
        job.total = job.total or job.done
        job.done = job.total
    job.finished_at = timezone.now()
    written = Job.objects.filter(pk=job.pk, claimed_by=token).update(
        **_final_fields(job)
    )
    if not written:
        raise JobLost(job.pk)


def _fail(job: Job, token: str, message: str) -> None:
    job.status = Job.Status.FAILED
    job.finished_at = timezone.now()
    job.error = message
    if connection.in_atomic_block and connection.needs_rollback:
        return  # the caller's transaction is broken; recovery will fail the job
    Job.objects.filter(pk=job.pk, claimed_by=token).update(**_final_fields(job))


def _release(job: Job, token: str, message: str) -> None:
    """Put a job back in the queue after a transient error, for a retry."""
    try:
        Job.objects.filter(pk=job.pk, claimed_by=token).update(
            status=Job.Status.QUEUED, claimed_by="", error=message
        )
    except DatabaseError:
        logger.exception("Could not release job %s", job.pk)


def fail_after_retries(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).exclude(
        status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED]
    ).update(status=Job.Status.FAILED, finished_at=timezone.now(), error=message)


class _Reporter:
    """Writes the job's progress and a heartbeat every few seconds.

    On PostgreSQL it writes from its own thread, and so its own connection:
    outside the work's transaction, where a page polling the job sees it, and
    beating even while a long stage reports nothing. SQLite has one writer at a
    time, so there the job's own thread writes, between transactions only; the
    final state is written at the end either way.
    """

    def __init__(self, job: Job, token: str) -> None:
        self.job = job
        self.token = token
        self.threaded = connection.vendor != "sqlite"
        self._last = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"job-{job.pk}-heartbeat", daemon=True
        )

    def start(self) -> None:
        if self.threaded:
            self._thread.start()

    def changed(self) -> None:
        if self.threaded or connection.in_atomic_block:
            return
        now = time.monotonic()
        if now - self._last >= HEARTBEAT_SECONDS:
            self._last = now
            self._write()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _loop(self) -> None:
        from django.db import connections

        try:
            while not self._stop.wait(HEARTBEAT_SECONDS):
                self._write()
        finally:
            connections.close_all()

    def _write(self) -> None:
        job = self.job
        try:
            Job.objects.filter(
                pk=job.pk, claimed_by=self.token, status=Job.Status.RUNNING
            ).update(
                done=job.done,
                total=job.total,
                stage=job.stage[:100],
                heartbeat_at=timezone.now(),
            )
        except DatabaseError:
            logger.debug("Job %s: progress not written", job.pk, exc_info=True)


def recover_stale_jobs(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Re-queue (with a broker, while attempts remain) or fail the jobs whose
    worker stopped: running with a stale heartbeat, or queued and never taken."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=getattr(settings, "JOB_STALE_SECONDS", 900))
    counts = {"requeued": 0, "failed": 0}
    stale = Job.objects.filter(
        Q(status=Job.Status.RUNNING)
        & (
            Q(heartbeat_at__lt=cutoff)
            | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )
        | Q(status=Job.Status.QUEUED, created_at__lt=cutoff)
    )
    for job in stale:
        current = Job.objects.filter(
            pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
        )
        if broker_configured() and job.attempts < max_attempts():
            if current.update(status=Job.Status.QUEUED, claimed_by=""):
                counts["requeued"] += 1
                transaction.on_commit(lambda pk=job.pk: enqueue(pk))
        elif current.update(
            status=Job.Status.FAILED,
            finished_at=now,
            claimed_by="",
            error=gettext(
                "The worker running this job stopped; nothing of it was written."
            ),
        ):
            counts["failed"] += 1
    return counts


def visible_jobs(user) -> QuerySet:
    """A user's own jobs; an administrator's also those of the units they run
    (of the whole tree: every job)."""
    jobs = Job.objects.select_related("owner", "unit")
    if not getattr(user, "is_authenticated", False):
        return jobs.none()
    if is_global_admin(user):
        return jobs
    own = Q(owner=user)
    if Role.ADMIN in policy.roles_of(user):
        own |= policy.unit_q(user, roles={Role.ADMIN}, unit_field="unit")
    return jobs.filter(own)
