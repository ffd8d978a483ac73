"""The reports' charts, drawn by pygal as inline SVG (no scripts, no external files).

pygal was chosen over the other SVG-capable libraries in the package lists: it writes SVG
natively from pure Python with no browser or native renderer (plotly and altair need
kaleido or vl-convert, a bundled engine, to produce a static SVG; matplotlib is a
heavyweight dependency whose SVG is path soup, hard to check in a test), its charts carry
their titles and labels as text that tests can find, and it is maintained (3.1.x, 2026)
with a small dependency footprint (none). leather is smaller still but has no stacked or
horizontal bars.
"""

from __future__ import annotations

from typing import Any

import pygal
from pygal.style import Style

from naptip.plan.catalog import Catalog
from naptip.progress.progress import STATUSES, Progress, RollUp
from naptip.reports.document import Chart, charted_indicators
from naptip.reports.labels import status_label, t
from naptip.reports.names import committee_name, pillar_name

#: status -> colour, worst first (matching STATUSES); colour-blind-safe (Okabe-Ito)
_COLOURS = {"overdue": "#D55E00", "due": "#E69F00", "on-track": "#56B4E9",
            "not-started": "#BBBBBB", "nil-return": "#CC79A7", "done": "#009E73"}
_SHOWN = [s for s in STATUSES if s != "not-applicable"]


def _style(colours: tuple[str, ...]) -> Style:
    return Style(background="white", plot_background="white", foreground="#222",
                 foreground_strong="#111", foreground_subtle="#ddd", colors=colours,
                 font_family="DejaVu Sans, Arial, sans-serif", title_font_size=16,
                 label_font_size=11, major_label_font_size=11, legend_font_size=11)


def _config(**extra: Any) -> dict[str, Any]:
    # js=[]: pygal would otherwise link its tooltip script from the internet;
    # truncate_*=-1: pygal would otherwise cut long labels and legends with "…"
    return {"js": [], "disable_xml_declaration": True, "width": 800, "height": 360,
            "legend_at_bottom": True, "legend_at_bottom_columns": 3, "print_values": False,
            "truncate_label": -1, "truncate_legend": -1,
            "style": _style(tuple(_COLOURS[s] for s in _SHOWN)), **extra}


def _svg(chart: Any) -> str:
    return str(chart.render(is_unicode=True))


def _stacked(title: str, rows: dict[str, RollUp], labels: list[str], lang: str, *,
             axis: str) -> str:
    # (pygal draws a horizontal chart's x_title under the values, its y_title by the labels)
    chart = pygal.HorizontalStackedBar(title=title, **_config(
        height=max(280, 150 + 34 * len(rows)), legend_at_bottom_columns=2,
        x_title=t("axis_activity_years", lang), y_title=axis))
    chart.x_labels = labels
    for status in _SHOWN:
        chart.add(status_label(status, lang), [r.counts[status] for r in rows.values()])
    return _svg(chart)


def make_charts(progress: Progress, catalog: Catalog, lang: str, *,
                history: Progress | None = None) -> dict[str, Chart]:
    """Completion by pillar and by committee, the timeline from 2021, the yearly trend and
    targets against actuals (for indicators with a numeric target). ``history`` has the
    roll-up by year from the plan's first year (for a one-year report)."""
    out: dict[str, Chart] = {}
    by_year = (history or progress).by_year
    title = t("chart_pillar", lang)
    out["pillar"] = Chart(id="chart-pillar", title=title, svg=_stacked(
        title, progress.by_pillar, [pillar_name(catalog, p, lang) for p in progress.by_pillar],
        lang, axis=t("pillar", lang)))
    title = t("chart_committee", lang)
    names = [committee_name(catalog, c, lang) for c in progress.by_committee]
    out["committee"] = Chart(id="chart-committee", title=title, svg=_stacked(
        title, progress.by_committee, names, lang, axis=t("committee_c", lang)))

    years = sorted(by_year)
    span = str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
    title = t("chart_timeline", lang, span=span)
    timeline = pygal.StackedBar(title=title, **_config(
        height=400, x_title=t("year", lang), y_title=t("axis_activity_years", lang)))
    timeline.x_labels = [str(y) for y in years]
    for status in _SHOWN:
        timeline.add(status_label(status, lang), [by_year[y].counts[status] for y in years])
    out["timeline"] = Chart(id="chart-timeline", title=title, svg=_svg(timeline))

    title = t("chart_trend", lang)
    trend = pygal.Line(title=title, range=(0, 100), **_config(
        style=_style(("#0072B2",)), show_legend=False, print_values=True, margin_right=30,
        x_title=t("year", lang), y_title=t("percent_done", lang)))
    trend.x_labels = [str(y) for y in years]
    trend.add(t("percent_done", lang), [by_year[y].percent_done for y in years])
    out["trend"] = Chart(id="chart-trend", title=title, svg=_svg(trend))

    targeted = charted_indicators(progress).shown
    title = t("chart_targets", lang)
    bars = pygal.HorizontalBar(title=title, **_config(
        style=_style(("#999999", "#0072B2")), height=max(340, 190 + 30 * len(targeted)),
        x_title=t("axis_value", lang), y_title=t("axis_indicator", lang)))
    bars.x_labels = [f"{i.activity_id} #{i.number}" for i in targeted]
    bars.add(t("target", lang), [float(i.target_value or 0) for i in targeted])
    bars.add(t("actual", lang), [float(i.actual) for i in targeted])
    out["targets"] = Chart(id="chart-targets", title=title, svg=_svg(bars))
    return out
