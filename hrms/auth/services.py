"""Two-factor enrolment and checks over django-otp's TOTP devices."""

from __future__ import annotations

import base64
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from hrms import policy


def may_use_two_factor(user) -> bool:
    """Whether the user holds a role that can enrol an authenticator app."""
    return bool(policy.roles_of(user) & set(settings.OTP_ROLES))


def requires_two_factor(user) -> bool:
    """Whether OTP_REQUIRED_ROLES makes a second factor mandatory for the user."""
    required = set(settings.OTP_REQUIRED_ROLES)
    return bool(required) and bool(policy.roles_of(user) & required)


def has_two_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def start_totp_enrolment(*, user) -> TOTPDevice:
    """The user's unconfirmed device with a fresh secret, reused until confirmed."""
    if not may_use_two_factor(user):
        raise ValidationError(_("Your role does not use two-step verification."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=_("Authenticator app"), confirmed=False
        )
    return device


@transaction.atomic
def confirm_totp_device(*, user, code: str) -> TOTPDevice:
    """Confirm the pending device with a code from the app; it replaces any other."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .first()
    )
    if device is None:
        raise ValidationError(_("Start the set-up again from your account page."))
    if not device.verify_token(code):
        raise ValidationError(_("The code is wrong or has expired. Try the next one."))
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def disable_two_factor(*, user, code: str) -> None:
    """Remove the user's devices, given a current code; refused when mandatory."""
    if requires_two_factor(user):
        raise ValidationError(_("Two-step verification is mandatory for your role."))
    devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    if not any(device.verify_token(code) for device in devices):
        raise ValidationError(_("The code is wrong or has expired. Try the next one."))
    TOTPDevice.objects.filter(user=user).delete()


def totp_secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(data: str) -> str:
    """A QR code as an inline <svg> element (no image request, no CDN)."""
    image = qrcode.make(
        data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2
    )
    text = image.to_string(encoding="unicode")
    svg = text[text.find("<svg") :]
    # A fixed on-screen size that phone cameras read easily; the viewBox scales.
    svg = re.sub(r' (width|height)="[^"]*"', "", svg, count=2)
    label = escape(_("QR code for the authenticator app"))
    return svg.replace(
        "<svg ", f'<svg width="220" height="220" role="img" aria-label="{label}" ', 1
    )
