"""Personal data (issue #9 item 8): one way to mask a citizen ID, and a record of
every export of personal data in the access log.

A citizen ID is shown whole only to the roles that need it (HR officers and
administrators of the person's unit, decided by each app's permissions); everyone
else, and the public pages, see the same mask, so no two screens can be combined
to recover more digits.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Model

from hrms import policy
from hrms.models import AccessLog, Role

# Models whose rows describe a person; a resource of one, or of a model pointing
# at one (a rating, a task), exports personal data.
PERSONAL_MODELS = frozenset({"staff.employee", "recruitment.application"})
SYSTEM_USERNAME = "system"


def mask_national_id(value: str) -> str:
    """ "034186001234" -> "•••••••••234": only the last three digits are shown."""
    if not value:
        return ""
    if len(value) <= 6:
        return "•" * len(value)
    return "•" * (len(value) - 3) + value[-3:]


def holds_personal_data(model: type[Model]) -> bool:
    if model._meta.label_lower in PERSONAL_MODELS:
        return True
    return any(
        field.many_to_one and field.related_model._meta.label_lower in PERSONAL_MODELS
        for field in model._meta.concrete_fields
    )


def log_export(*, user, role: str, name: str, rows: int, where: str) -> AccessLog:
    """Record that `user` exported `rows` rows of personal data (`export:<name>`)."""
    return AccessLog.objects.create(
        user=user,
        role=role[:20],
        object_type=f"export:{name}"[:100],
        object_id="",
        object_repr=f"{name}: {rows} rows"[:300],
        path=where[:500],
    )


def log_web_export(request, *, name: str, rows: int) -> AccessLog:
    """log_export for a download: the user's strongest role, the URL asked."""
    return log_export(
        user=request.user,
        role=strongest_role(request.user),
        name=name,
        rows=rows,
        where=request.get_full_path(),
    )


def strongest_role(user) -> str:
    held = policy.roles_of(user)
    return next((role for role in Role.values if role in held), "")


def system_user():
    """The account commands act as when no user is named: inactive, no password.

    Insert-or-ignore then read: the same two queries whether or not it exists, so
    an export costs a fixed number of queries.
    """
    model = get_user_model()
    model.objects.bulk_create(
        [
            model(
                username=SYSTEM_USERNAME,
                is_active=False,
                password=make_password(None),  # unusable
            )
        ],
        ignore_conflicts=True,
    )
    return model.objects.get(username=SYSTEM_USERNAME)
