"""The shape every legal rule returns (DESIGN.md §1: "rules decide, with reasons").

A rule in `<app>/rules.py` is a plain function that answers one legal question and
returns a `RuleResult`: whether the answer is yes, a stable machine code (for
tests, red flags and import rejects), a human message and the legal citation.
Services turn a refusal into a `ValidationError` with `result.raise_if_refused()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Reason:
    """One reason behind a decision: code, human message, legal citation."""

    code: str
    message: str
    citation: str = ""

    def __str__(self) -> str:
        return f"{self.message} ({self.citation})" if self.citation else self.message


@dataclass(frozen=True)
class RuleResult:
    """The answer of a rule: `ok` plus the main reason and any further ones."""

    ok: bool
    code: str
    message: str
    citation: str = ""
    details: tuple[Reason, ...] = ()

    @classmethod
    def allow(cls, code: str, message: str, citation: str = "") -> RuleResult:
        return cls(True, code, message, citation)

    @classmethod
    def refuse(cls, code: str, message: str, citation: str = "") -> RuleResult:
        return cls(False, code, message, citation)

    def __bool__(self) -> bool:
        return self.ok

    @property
    def reason(self) -> Reason:
        return Reason(self.code, self.message, self.citation)

    def raise_if_refused(self, field: str | None = None) -> None:
        """Raise a ValidationError carrying the message and code when refused."""
        if self.ok:
            return
        error = ValidationError(self.message, code=self.code)
        if field:
            raise ValidationError({field: error})
        raise error


def check_version(current: int, expected: int) -> RuleResult:
    """Optimistic locking: a save must start from the version the user opened."""
    if current != expected:
        return RuleResult.refuse(
            "stale_version",
            _(
                "This record was changed by someone else since you opened it; "
                "reload and try again."
            ),
        )
    return RuleResult.allow("version.ok", _("The record is up to date."))
