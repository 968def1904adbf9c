from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hrms import policy
from hrms.models import AccessLog, Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page of the user's most powerful role."""
    role = policy.home_role(request.user)
    context = {
        "role": role,
        "units": policy.scope(
            request.user,
            _org_units(),
            unit_field="",
        ).order_by("path")[:50],
    }
    template = f"home/{role}.html" if role else "home/no_role.html"
    return render(request, template, context)


def _org_units():
    from positions.models import OrgUnit  # hrms sits below positions

    return OrgUnit.objects.all()


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Inspectors' reads, for administrators."""
    if Role.ADMIN not in policy.roles_of(request.user):
        raise PermissionDenied
    entries = AccessLog.objects.select_related("user").order_by("-at")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "hrms/access_log.html", {"page": page})


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
