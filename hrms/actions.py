"""The shape every POST-only workflow step of the web shares: a small form, one
service call, a message, and back to the page the user came from. A form error
or a service refusal (with its rule and citation) becomes the error message;
nothing is written on either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse


def form_errors(form: BaseForm) -> str:
    """A small action form's errors as one message (the form is not re-shown)."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def form_action(
    request: HttpRequest,
    form: BaseForm,
    action: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str],
    back: HttpResponse,
) -> HttpResponse:
    """Validate `form`, call `action(cleaned_data)`, say how it went, go `back`.

    `success` is the message, or a function of the action's result giving it.
    """
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return back
    try:
        result = action(form.cleaned_data)
    except ValidationError as exc:
        refused(request, exc)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return back
