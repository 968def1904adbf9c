from django.core.management.base import BaseCommand

from hrms.jobs import recover_stale_jobs


class Command(BaseCommand):
    help = (
        "Find the jobs whose worker stopped (running with a heartbeat older than "
        "JOB_STALE_SECONDS, or queued that long): re-queue them while attempts "
        "remain and a broker is set, else mark them failed. Safe to run from cron."
    )

    def handle(self, *args, **options) -> None:
        counts = recover_stale_jobs()
        self.stdout.write(f"requeued={counts['requeued']} failed={counts['failed']}")
