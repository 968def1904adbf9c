"""The Celery app that runs long jobs (hrms/jobs/) when CELERY_BROKER_URL is set.

Start a worker with `.venv/bin/celery -A hrms worker -l info`. Settings come from
Django's, prefixed CELERY_ (CELERY_BROKER_URL, …). A job's state lives in its Job
row, not in a result backend, so none is configured.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrms.settings")

app = Celery("hrms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A job is acknowledged when it ends, so a worker that dies mid-job leaves
    # it on the queue for another (the job itself is all-or-nothing).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    # Redis redelivers an unacknowledged task after this; longer than any job.
    broker_transport_options={"visibility_timeout": 6 * 60 * 60},
)
app.autodiscover_tasks(lambda: ["hrms.jobs"])


@worker_ready.connect
def _recover_on_start(**kwargs) -> None:
    """A worker that starts picks up what a dead one left running."""
    from hrms.jobs import recover_stale_jobs

    recover_stale_jobs()
