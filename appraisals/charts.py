"""Charts of the service indicators, drawn locally with matplotlib (no CDN, no
JavaScript): the same figure as inline SVG in the page and as PNG in the PDF and
XLSX reports.

matplotlib's object API (Figure, not pyplot) keeps no global state, so requests
in several threads draw safely. Text is set in DejaVu Sans, which matplotlib
ships and which covers Vietnamese.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence

import matplotlib
from django.core.cache import cache
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

ON_TIME = "#2e7d32"
LATE = "#c62828"
RECEIVED = "#0b2d57"
ONLINE = "#1565c0"
SATISFIED = "#ef6c00"

_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    # Text stays text in the SVG (smaller, selectable, read by screen readers);
    # a fixed salt keeps the element ids, and so the page, reproducible.
    "svg.fonttype": "none",
    "svg.hashsalt": "hrms-indicators",
}


# Drawing the SVG takes matplotlib 1-2 s; the page caches it under a fingerprint
# of exactly what the figure plots (see _chart_key), so the same figures never
# draw twice and changed figures can never show a stale chart.
SVG_CACHE_SECONDS = 24 * 60 * 60
_PLOTTED = (
    "label",
    "received",
    "on_time",
    "late",
    "on_time_ratio",
    "online_share",
    "satisfaction_ratio",
)


def _chart_key(kind: str, rows: Sequence, *parts) -> str:
    """A cache key from every value the figure draws, the texts around it and
    the language of its labels."""
    plotted = [tuple(str(getattr(row, name)) for name in _PLOTTED) for row in rows]
    text = repr((kind, get_language(), matplotlib.__version__, parts, plotted))
    return "hrms:chart:" + hashlib.sha256(text.encode()).hexdigest()


def _percent(value) -> float | None:
    return None if value is None else float(value) * 100


def trend_figure(rows: Sequence, *, title: str = "") -> Figure:
    """Two panels over the months of `rows` (selectors.IndicatorRow by month):
    dossiers due, on time and late; and the on-time, online and satisfaction
    ratios in percent (a gap where a month has no data)."""
    labels = [row.label for row in rows]
    positions = range(len(rows))
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(9.6, 3.4), dpi=110, layout="constrained")
        counts, ratios = figure.subplots(1, 2)
        on_time = [row.on_time for row in rows]
        late = [row.late for row in rows]
        counts.bar(positions, on_time, color=ON_TIME, label=_("on time"))
        counts.bar(positions, late, bottom=on_time, color=LATE, label=_("late"))
        counts.plot(
            positions,
            [row.received for row in rows],
            color=RECEIVED,
            marker="o",
            markersize=3,
            linewidth=1.2,
            label=_("received"),
        )
        counts.set_title(_("Dossiers by month"), fontsize=10)
        counts.yaxis.set_major_locator(MaxNLocator(integer=True))
        counts.legend(loc="upper left", fontsize=8, frameon=False)

        for name, color, label in (
            ("on_time_ratio", ON_TIME, _("on-time ratio")),
            ("online_share", ONLINE, _("online share")),
            ("satisfaction_ratio", SATISFIED, _("satisfaction")),
        ):
            values = [_percent(getattr(row, name)) for row in rows]
            ratios.plot(
                positions,
                [float("nan") if v is None else v for v in values],
                color=color,
                marker="o",
                markersize=3,
                linewidth=1.4,
                label=label,
            )
        ratios.set_ylim(0, 105)
        ratios.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ratios.set_title(_("Ratios by month"), fontsize=10)
        ratios.legend(loc="lower left", fontsize=8, frameon=False)

        step = max(1, len(rows) // 12)  # at most about 12 month labels
        for axes in (counts, ratios):
            axes.set_xticks(list(positions)[::step], labels[::step])
            axes.tick_params(axis="x", labelrotation=45 if len(rows) > 6 else 0)
            axes.set_xlim(-0.6, max(len(rows) - 0.4, 0.6))
        if title:
            figure.suptitle(title, fontsize=11)
    return figure


def trend_svg(rows: Sequence, *, title: str = "", label: str = "") -> str:
    """The trend figure as an <svg> element, ready to inline in a page; `label`
    names it for screen readers. Cached by the values it plots."""
    key = _chart_key("svg", rows, title, label)
    svg = cache.get(key)
    if svg is None:
        svg = _trend_svg(rows, title=title, label=label)
        cache.set(key, svg, SVG_CACHE_SECONDS)
    return svg


def _trend_svg(rows: Sequence, *, title: str, label: str) -> str:
    figure = trend_figure(rows, title=title)
    buffer = io.StringIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    head, rest = text[text.find("<svg") :].split(">", 1)
    # Scale with its container (the viewBox keeps the proportions) instead of a
    # fixed size in points.
    head = re.sub(r' (width|height)="[^"]*"', "", head)
    label = escape(label or title or _("Indicators by month"))
    head = head.replace(
        "<svg ", f'<svg role="img" aria-label="{label}" width="100%" ', 1
    )
    return f"{head}>{rest}"


def trend_png(rows: Sequence, *, title: str = "", dpi: int = 150) -> bytes:
    """The trend figure as PNG bytes (PDF and XLSX reports)."""
    figure = trend_figure(rows, title=title)
    buffer = io.BytesIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()
