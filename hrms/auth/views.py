import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from hrms.auth import services
from hrms.auth.forms import TokenForm

# The password step is remembered this long while the code is awaited.
PENDING_KEY = "hrms_2fa_pending"
PENDING_SECONDS = 5 * 60


class LoginView(auth_views.LoginView):
    """Django's login; users with an authenticator app then give a code."""

    def form_valid(self, form):
        user = form.get_user()
        if not services.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "since": time.time(),
        }
        return redirect("account:login_verify")


def _pending_user(request: HttpRequest):
    """The user who passed the password step in this session, if still fresh."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        return None, {}
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


def _safe_next(request: HttpRequest, url: str | None) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return settings.LOGIN_REDIRECT_URL


def _is_locked(request: HttpRequest, username: str) -> bool:
    if not settings.AXES_ENABLED:
        return False
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, {"username": username})


@sensitive_post_parameters("code")
@never_cache
def login_verify(request: HttpRequest) -> HttpResponse:
    """The second login step: a code from the user's authenticator app. Also
    verifies an already signed-in session when a role requires it."""
    user, pending = _pending_user(request)
    if user is None and request.user.is_authenticated:
        if request.user.is_verified() or not services.has_two_factor(request.user):
            return redirect(_safe_next(request, request.GET.get("next")))
        user = request.user
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Your sign-in expired. Log in again."))
        return redirect("login")
    next_url = pending.get("next") or _safe_next(request, request.GET.get("next"))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        device = None
        if not _is_locked(request, username):
            device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            if pending:
                request.session.pop(PENDING_KEY)
                auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", _("The code is wrong or has expired. Try the next one."))
        # A wrong code counts as a failed login: django-axes locks the account
        # after repeated ones, and its middleware then shows the lockout page.
        user_login_failed.send(
            sender=__name__, credentials={"username": username}, request=request
        )
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
    return render(request, "account/login_verify.html", {"form": form})


@login_required
def account_detail(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account: password and two-step verification."""
    user = request.user
    context = {
        "may_use_two_factor": services.may_use_two_factor(user),
        "has_two_factor": services.has_two_factor(user),
        "requires_two_factor": services.requires_two_factor(user),
        "form": TokenForm(),
    }
    return render(request, "account/account_detail.html", context)


@sensitive_post_parameters("code")
@login_required
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, then confirm with a code."""
    user = request.user
    if services.has_two_factor(user) and not services.requires_two_factor(user):
        messages.info(request, _("Two-step verification is already on."))
        return redirect("account:account_detail")
    try:
        device = services.start_totp_enrolment(user=user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("account:account_detail")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp_device(
                user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc.messages[0])
        else:
            otp_login(request, device)
            messages.success(
                request,
                _("Two-step verification is on. Each login now asks for a code."),
            )
            return redirect("account:account_detail")
    context = {
        "form": form,
        "qr_svg": services.qr_svg(device.config_url),
        "secret": services.totp_secret(device),
    }
    return render(request, "account/totp_enrol.html", context)


@sensitive_post_parameters("code")
@login_required
@require_POST
def totp_disable(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["code"][0])
        return redirect("account:account_detail")
    try:
        services.disable_two_factor(user=request.user, code=form.cleaned_data["code"])
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Two-step verification is off."))
    return redirect("account:account_detail")


def lockout(request: HttpRequest, original_response=None, credentials=None):
    """django-axes' lockout page (AXES_LOCKOUT_CALLABLE)."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "registration/lockout.html", context, status=429)
