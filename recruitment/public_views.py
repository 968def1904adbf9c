"""Public disclosure (DESIGN.md §4.4): announced drives with their notice, seats
and published results, and the appointment decisions in force. No login.

Only published facts: drafts are never listed and their pages are 404; results
appear once published, with citizen IDs masked by the selector. Each page runs
a fixed number of queries whatever the number of drives, seats or candidates.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from recruitment import selectors

DRIVES_PER_PAGE = 20
DECISIONS_PER_PAGE = 50


@require_GET
def drive_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_drives(), DRIVES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "public/drive_list.html", {"page": page})


@require_GET
def drive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    drive = get_object_or_404(selectors.public_drives(), pk=pk)
    context = {
        "drive": drive,
        "vacancies": list(drive.vacancies.all()),
        "channels": list(drive.notice_channels.all()),
        "results": selectors.public_results(drive),
    }
    return render(request, "public/drive_detail.html", context)


@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.decisions_in_force(), DECISIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "public/appointment_list.html", {"page": page})
