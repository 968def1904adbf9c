"""Helpers shared by the task register screens."""

from __future__ import annotations

from django.utils import timezone

PAGE_SIZE = 50


def default_year() -> int:
    return timezone.localdate().year
