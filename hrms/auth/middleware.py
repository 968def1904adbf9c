from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from hrms.auth import services

# Pages a user who still owes a second factor may reach.
_OPEN_URL_NAMES = ["account:totp_enrol", "account:login_verify", "logout"]


class TwoFactorRequiredMiddleware:
    """Sends users of the OTP_REQUIRED_ROLES to enrolment, or to the code step,
    until their session is verified. Does nothing while that setting is empty.
    Goes after django_otp's OTPMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.OTP_REQUIRED_ROLES:
            response = self._redirect(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _redirect(self, request):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        open_paths = {reverse(name) for name in _OPEN_URL_NAMES}
        if request.path in open_paths or request.path.startswith("/i18n/"):
            return None
        if not services.requires_two_factor(user):
            return None
        query = urlencode({"next": request.get_full_path()})
        if services.has_two_factor(user):
            return redirect(f"{reverse('account:login_verify')}?{query}")
        messages.warning(
            request,
            _("Your role requires two-step verification. Set it up to continue."),
        )
        return redirect("account:totp_enrol")
