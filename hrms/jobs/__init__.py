"""Long jobs: a Job row, a registry of kinds, and a runner (DESIGN.md §7).

    job = submit("import", owner=user, resource="staff", source=upload)
    job.status, job.done, job.total, job.result, job.row_errors

A kind is a function that does the work and reports progress through
`job.progress(done, total)`; `@job_kind(...)` registers it (hrms/jobs/kinds.py).
With CELERY_BROKER_URL set, submit() queues the job for a Celery worker
(`celery -A hrms worker`); without it the job runs at once, in the caller's process.
Either way the runner claims the job, keeps a heartbeat, and for kinds marked
atomic runs the work and the final state in one transaction: a worker that dies
mid-job leaves nothing half-written, and recover_stale_jobs() (the `jobs_recover`
command, and every worker start) re-queues or fails what it left running.
"""

from hrms.jobs.registry import JobKind, JobRejected, all_kinds, get_kind, job_kind
from hrms.jobs.runner import (
    broker_configured,
    execute,
    recover_stale_jobs,
    submit,
    visible_jobs,
)

__all__ = [
    "JobKind",
    "JobRejected",
    "broker_configured",
    "execute",
    "get_kind",
    "job_kind",
    "all_kinds",
    "recover_stale_jobs",
    "submit",
    "visible_jobs",
]
