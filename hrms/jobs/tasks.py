"""The one Celery task: run a job by id (hrms/jobs/runner.py does the work)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext

from hrms.celery import app
from hrms.jobs.runner import (
    ALIVE_SECONDS,
    TRANSIENT_ERRORS,
    JobBusy,
    execute,
    fail_after_retries,
)

# Retries cover transient database errors and duplicate deliveries; the job's own
# attempts counter (JOB_MAX_ATTEMPTS) bounds how often its work is started.
MAX_RETRIES = getattr(settings, "JOB_MAX_ATTEMPTS", 3) + 2


@app.task(
    bind=True,
    name="hrms.jobs.run_job",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,
)
def run_job(self, job_id: int) -> None:
    try:
        execute(job_id)
    except JobBusy as exc:
        raise self.retry(exc=exc, countdown=ALIVE_SECONDS) from None
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            fail_after_retries(
                job_id,
                gettext("The database kept failing: %(error)s") % {"error": exc},
            )
            return
        raise self.retry(exc=exc, countdown=5 * (self.request.retries + 1)) from None
