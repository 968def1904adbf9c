"""Reads over the personnel file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Model
from django.utils.translation import gettext as _

from staff.models import AnnualRating, Assignment, Commendation, Employee, GradeHistory


@dataclass(frozen=True)
class TimelineEvent:
    on: dt.date
    kind: str  # assignment_start, assignment_end, grade, rating, commendation
    text: str
    obj: Model | None = None


# Same-day events read in this order: leave a post, take the next, then the rest.
_KIND_ORDER = {
    "assignment_end": 0,
    "assignment_start": 1,
    "grade": 2,
    "rating": 3,
    "commendation": 4,
}


def _decision(number: str) -> str:
    return _(" (decision %(number)s)") % {"number": number} if number else ""


def employee_timeline(employee: Employee) -> list[TimelineEvent]:
    """Assignments, grade and step changes, ratings and commendations by date.

    Four queries whatever the length of the file. A rating without a decision
    date is placed on 31 December of its year.
    """
    events: list[TimelineEvent] = []
    assignments = Assignment.objects.filter(employee=employee).select_related(
        "position__unit"
    )
    for a in assignments:
        params = {"position": a.position.title, "code": a.position.code}
        params["unit"] = a.position.unit.name
        text = _("Assigned to %(position)s (%(code)s), %(unit)s") % params
        if a.quota_override_reason:
            text += _(", beyond the quota: %(reason)s") % {
                "reason": a.quota_override_reason
            }
        if a.is_transition_case:
            text += _(", grade transition case")
        events.append(
            TimelineEvent(
                a.starts_on, "assignment_start", text + _decision(a.decision_number), a
            )
        )
        if a.ends_on:
            events.append(
                TimelineEvent(
                    a.ends_on,
                    "assignment_end",
                    _("Left %(position)s (%(code)s)") % params,
                    a,
                )
            )
    history = GradeHistory.objects.filter(employee=employee).select_related("grade")
    for g in history:
        text = _("%(reason)s: %(grade)s, step %(step)s, coefficient %(coef)s") % {
            "reason": g.get_reason_display(),
            "grade": f"{g.grade.code} {g.grade.name}",
            "step": g.salary_step,
            "coef": g.coefficient,
        }
        events.append(
            TimelineEvent(
                g.effective_on, "grade", text + _decision(g.decision_number), g
            )
        )
    for r in AnnualRating.objects.filter(employee=employee):
        on = r.decided_on or dt.date(r.year, 12, 31)
        text = _("Rating %(year)s: %(level)s") % {
            "year": r.year,
            "level": r.get_level_display(),
        }
        events.append(TimelineEvent(on, "rating", text, r))
    for c in Commendation.objects.filter(employee=employee):
        text = _("%(level)s: %(title)s") % {
            "level": c.get_level_display(),
            "title": c.title,
        }
        events.append(
            TimelineEvent(
                c.decided_on, "commendation", text + _decision(c.decision_number), c
            )
        )
    events.sort(key=lambda e: (e.on, _KIND_ORDER[e.kind]))
    return events
