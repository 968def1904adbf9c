"""Benchmark: every apology slip of a unit as one PDF, as one job (hrms/jobs/).

    .venv/bin/python bench/batch_pdf.py [--slips 1000]

Makes its own database (a SQLite file in a temporary directory, or `hrms_bench_<pid>`
on the PostgreSQL server DATABASE_URL names; removed at the end), seeds a unit with
N dossiers and their apology slips, then runs the `apology_slips` job in process
(as without CELERY_BROKER_URL) and prints the wall time, slips per second, pages,
file size and peak memory. Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dossiers import bench_database  # noqa: E402


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--slips", type=int, default=1000)


def seed(count: int):
    from django.utils import timezone

    from appraisals.models import ApologySlip, Dossier, Procedure
    from hrms.roles import ensure_user
    from positions.models import OrgUnit

    tz = timezone.get_default_timezone()
    root = OrgUnit.objects.add_root(
        {"code": "P01", "name": "UBND tỉnh Mẫu", "kind": "agency"}
    )
    unit = OrgUnit.objects.add_child(
        root,
        {
            "code": "P01-TTHCC",
            "name": "Trung tâm Phục vụ hành chính công tỉnh",
            "kind": "service_center",
        },
    )
    procedure = Procedure.objects.create(
        code="1.000893", name="Đăng ký kết hôn", processing_days=5
    )
    first = dt.datetime(2026, 3, 2, 8, tzinfo=tz)
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            code=f"000.00.34.H01-260302-{n:05d}",
            procedure=procedure,
            unit=unit,
            received_at=first + dt.timedelta(minutes=n),
            due_at=first + dt.timedelta(days=7, minutes=n),
        )
        for n in range(count)
    )
    ApologySlip.objects.bulk_create(
        ApologySlip(
            dossier=dossier,
            issued_at=dossier.due_at - dt.timedelta(days=1),
            previous_due_at=dossier.due_at,
            new_due_at=dossier.due_at + dt.timedelta(days=3),
            reason="Chờ ý kiến thẩm định của Sở Tư pháp",
        )
        for dossier in dossiers
    )
    user = ensure_user(username="bench-admin", password="bench-only-Pa55")
    user.is_superuser = True
    user.save()
    return user, unit


def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="hrms_bench_pdf_"))
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.pop("CELERY_BROKER_URL", None)
    with bench_database(workdir) as label:
        import django

        django.setup()
        from django.core.management import call_command
        from pypdf import PdfReader

        from hrms.jobs import submit

        call_command("migrate", verbosity=0)
        print(f"database: {label}")
        user, unit = seed(args.slips)
        started = time.perf_counter()
        job = submit(
            "apology_slips", user, unit=unit, start="2026-03-01", end="2026-12-31"
        )
        elapsed = time.perf_counter() - started
        if job.status != job.Status.SUCCEEDED:
            print(f"job failed: {job.error}")
            return 1
        with job.result.open("rb") as handle:
            data = handle.read()
        pages = len(PdfReader(io.BytesIO(data)).pages)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"apology slips: {job.total} in {elapsed:.1f} s "
            f"({job.total / elapsed:.1f}/s, {elapsed / job.total * 1000:.0f} ms each); "
            f"{pages} pages, {len(data) / 1e6:.1f} MB; peak RSS {peak:.0f} MB"
        )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    sys.exit(run(parser.parse_args()))
