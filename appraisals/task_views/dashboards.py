"""The appraisal dashboards of a unit and a year: rating levels by unit, mean
scores by period, reform-task completion, late dossiers by person; tables from
the pandas selectors, two matplotlib SVG charts, and the XLSX workbook.

The levels and scores come from the year's appraisal cycle covering the unit
(its own, or the nearest ancestor's), narrowed to the unit's subtree: a leader
of a department sees the department, not the whole agency.
"""

from __future__ import annotations

import hashlib
import io
import math
import re

import matplotlib
import pandas as pd
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from appraisals import appraisal_selectors as sel
from appraisals import charts, scoring
from appraisals.models import AppraisalCycle
from appraisals.selectors import LATE_OFFICERS_SHOWN
from appraisals.task_forms import DashboardForm
from appraisals.task_permissions import DASHBOARD_READERS, can_view_dashboards
from appraisals.task_views.common import default_year
from hrms.pdf import content_disposition
from positions.forms import unit_code_choices
from positions.models import OrgUnit
from positions.selectors import unit_in_scope_or_404

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_UNITS = 15  # the level chart shows the largest units only
LEVEL_COLORS = ["#2e7d32", "#1565c0", "#ef6c00", "#c62828", "#9e9e9e", "#cfd8dc"]


def _request(request: HttpRequest) -> tuple[DashboardForm, OrgUnit, int]:
    if not can_view_dashboards(request.user):
        raise PermissionDenied
    form = DashboardForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    year = data.get("year") or default_year()
    unit = unit_in_scope_or_404(
        request, (data.get("unit") or "").strip(), DASHBOARD_READERS
    )
    if not form.is_bound or form.is_valid():
        form = DashboardForm(initial={"unit": unit.code, "year": year})
    return form, unit, year


def cycle_for(unit: OrgUnit, year: int) -> AppraisalCycle | None:
    """The year's cycle of the unit or of its nearest ancestor."""
    paths = [
        unit.path[:end]
        for end in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)
    ]
    return (
        AppraisalCycle.objects.select_related("unit")
        .filter(year=year, unit__path__in=paths)
        .order_by("-unit__depth")
        .first()
    )


def frames(unit: OrgUnit, year: int, cycle: AppraisalCycle | None) -> dict:
    """The dashboard frames of the unit's subtree (the workbook's sheets)."""
    if cycle is None:
        levels = pd.DataFrame(columns=sel.LEVEL_COLUMNS, dtype="int64")
        scores = pd.DataFrame()
    else:
        levels, scores = sel.level_distribution(cycle), sel.scores_by_period(cycle)
        if cycle.unit_id != unit.pk:
            codes = set(
                OrgUnit.objects.filter(path__startswith=unit.path).values_list(
                    "code", flat=True
                )
            )
            levels = levels[levels.index.isin(codes)]
            scores = scores[scores.index.isin(codes)] if not scores.empty else scores
    levels.index.name = "unit"
    return {
        "levels": levels,
        "scores": scores,
        "reform_tasks": sel.reform_task_completion(unit, year),
        "late_dossiers": sel.late_dossiers_by_person(unit, year),
    }


def _svg(figure: Figure, label: str) -> str:
    """The figure as an inline <svg> that scales with its container."""
    buffer = io.StringIO()
    with matplotlib.rc_context(charts._STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    head, rest = text[text.find("<svg") :].split(">", 1)
    head = re.sub(r' (width|height)="[^"]*"', "", head)
    head = head.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(label)}" width="100%" ', 1
    )
    return f"{head}>{rest}"


def _cached_svg(kind: str, frame: pd.DataFrame, labels, draw) -> str:
    """draw() once per exact frame content, labels and language: matplotlib
    takes a second or two per chart, and the figures change only when the cycle
    is computed again. The key holds every value drawn, so a changed figure
    never shows a stale chart."""
    text = repr((kind, get_language(), matplotlib.__version__, list(labels)))
    text += frame.to_csv()
    key = "hrms:dashboard-chart:" + hashlib.sha256(text.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = draw()
        cache.set(key, svg, charts.SVG_CACHE_SECONDS)
    return svg


def level_chart(levels: pd.DataFrame, labels: list[str]) -> str:
    """Stacked horizontal bars: people by level in each unit (largest units)."""
    return _cached_svg("levels", levels, labels, lambda: _level_chart(levels, labels))


def _level_chart(levels: pd.DataFrame, labels: list[str]) -> str:
    top = levels.loc[levels.sum(axis=1).sort_values(ascending=False).index]
    top = top.head(CHART_UNITS).iloc[::-1]
    with matplotlib.rc_context(charts._STYLE):
        figure = Figure(
            figsize=(7.2, 1.5 + 0.32 * max(len(top), 1)), dpi=110, layout="constrained"
        )
        axes = figure.subplots()
        left = [0] * len(top)
        for column, label, color in zip(
            levels.columns, labels, LEVEL_COLORS, strict=False
        ):
            values = [int(v) for v in top[column]]
            axes.barh(list(top.index), values, left=left, color=color, label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="x", color="#dddddd", linewidth=0.6)
        axes.grid(axis="y", visible=False)
        axes.set_title(_("People by rating level"), fontsize=10)
        figure.legend(loc="outside lower center", ncols=3, fontsize=7, frameon=False)
    return _svg(figure, _("People by rating level and unit"))


def score_chart(scores: pd.DataFrame) -> str:
    """The mean period score over the units, with the lowest and highest unit."""
    return _cached_svg("scores", scores, [], lambda: _score_chart(scores))


def _score_chart(scores: pd.DataFrame) -> str:
    periods = list(scores.columns)
    mean = [float(scores[p].mean()) for p in periods]
    low = [float(scores[p].min()) for p in periods]
    high = [float(scores[p].max()) for p in periods]
    positions = list(range(len(periods)))
    with matplotlib.rc_context(charts._STYLE):
        figure = Figure(figsize=(7.2, 3.0), dpi=110, layout="constrained")
        axes = figure.subplots()
        axes.fill_between(
            positions,
            low,
            high,
            color=charts.ONLINE,
            alpha=0.15,
            label=_("lowest to highest unit"),
        )
        axes.plot(
            positions,
            mean,
            color=charts.RECEIVED,
            marker="o",
            markersize=3,
            label=_("mean of the units"),
        )
        for band, color, name in (
            (90, charts.ON_TIME, "HTXSNV"),
            (70, charts.ONLINE, "HTTNV"),
            (50, charts.SATISFIED, "HTNV"),
        ):
            axes.axhline(band, color=color, linewidth=0.6, linestyle="--")
            axes.annotate(
                name,
                (1, band),
                xycoords=("axes fraction", "data"),
                fontsize=7,
                color=color,
                ha="right",
                xytext=(0, 2),
                textcoords="offset points",
            )
        axes.set_ylim(0, 100)
        axes.set_xticks(positions, periods)
        axes.set_xlim(-0.5, max(len(periods) - 0.5, 0.5))
        axes.tick_params(axis="x", labelrotation=45 if len(periods) > 6 else 0)
        axes.set_title(_("Mean score by period"), fontsize=10)
        axes.legend(loc="lower left", fontsize=7, frameon=False)
    return _svg(figure, _("Mean score by period"))


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def tables(data: dict) -> dict:
    """Plain rows for the templates."""
    levels, scores = data["levels"], data["scores"]
    level_rows = [
        (code, [int(v) for v in row], int(sum(row)))
        for code, row in zip(levels.index, levels.itertuples(index=False), strict=True)
    ]
    score_rows = [
        (code, [_cell(v) for v in row])
        for code, row in zip(scores.index, scores.itertuples(index=False), strict=True)
    ]
    reform = data["reform_tasks"]
    reform_rows = [
        (
            code,
            int(r.assigned),
            int(r.completed),
            int(r.on_time),
            float(r.completion_rate),
        )
        for code, r in zip(reform.index, reform.itertuples(index=False), strict=True)
    ]
    late = data["late_dossiers"]
    late_rows = list(late.itertuples(index=False, name=None))
    return {
        "level_rows": level_rows,
        "level_totals": [int(v) for v in levels.sum(axis=0)] if len(levels) else [],
        "periods": list(scores.columns),
        "score_rows": score_rows,
        "reform_rows": reform_rows,
        "late_rows": late_rows[:LATE_OFFICERS_SHOWN],
        "late_count": len(late_rows),
    }


def level_labels() -> list[str]:
    names = {level.value: level.label for level in scoring.Level if level.value}
    names |= {"not_rated": _("Not rated"), "undecided": _("Undecided")}
    return [str(names.get(column, column)) for column in sel.LEVEL_COLUMNS]


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, unit, year = _request(request)
    cycle = cycle_for(unit, year)
    data = frames(unit, year, cycle)
    labels = level_labels()
    context = {
        "form": form,
        "unit": unit,
        "year": year,
        "cycle": cycle,
        "labels": labels,
        "query": urlencode({"unit": unit.code, "year": year}),
        "level_svg": mark_safe(level_chart(data["levels"], labels))  # noqa: S308
        if len(data["levels"])
        else "",
        "score_svg": mark_safe(score_chart(data["scores"]))  # noqa: S308
        if len(data["scores"])
        else "",
        "unit_codes": unit_code_choices(request.user, DASHBOARD_READERS),
        **tables(data),
    }
    return render(request, "appraisals/tasks/dashboard.html", context)


def workbook(data: dict) -> bytes:
    """The frames as sheets, as appraisal_selectors.dashboard_workbook writes them."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in data.items():
            frame.to_excel(writer, sheet_name=name)
    return buffer.getvalue()


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest) -> HttpResponse:
    """The dashboards as XLSX: the cycle's workbook when the unit is the cycle's
    agency, else the same sheets narrowed to the unit's subtree."""
    _form, unit, year = _request(request)
    cycle = cycle_for(unit, year)
    if cycle is not None and cycle.unit_id == unit.pk:
        content = sel.dashboard_workbook(cycle)
    else:
        content = workbook(frames(unit, year, cycle))
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(
        f"dashboard-{unit.code}-{year}.xlsx"
    )
    return response
