from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from hrms import policy
from hrms.models import AccessLog, Role, RoleGrant

HOME_UNITS_SHOWN = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page of the user's most powerful role."""
    role = policy.home_role(request.user)
    units = policy.scope(request.user, _org_units(), unit_field="").order_by("path")
    context = {
        "role": role,
        "units": units[:HOME_UNITS_SHOWN],
        "unit_count": units.count(),
        "grants": RoleGrant.objects.active()
        .filter(user=request.user)
        .select_related("unit")
        .order_by("role", "unit__path"),
    }
    template = f"home/{role}.html" if role else "home/no_role.html"
    return render(request, template, context)


def _org_units():
    from positions.models import OrgUnit  # hrms sits below positions

    return OrgUnit.objects.all()


@login_required
@require_GET
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
    # Rendered without the request: context processors would touch the database,
    # which may be the very thing that failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
