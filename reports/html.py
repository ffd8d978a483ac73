"""A report as one self-contained HTML page: inline CSS and SVG, printable on A4."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import escape

from naptip.base.report_types import Cell, ReportTable
from naptip.reports.document import Report, Section

CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #111;
       margin: 0 auto; max-width: 190mm; line-height: 1.35; }
header { border-bottom: 3px solid #0072B2; margin-bottom: 8mm; padding-bottom: 3mm; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; }
.subtitle { color: #444; margin: 0; }
h2 { font-size: 14pt; color: #0b4f7c; border-bottom: 1px solid #ccc; padding-bottom: 1mm;
     margin-top: 8mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 2mm 0; break-after: avoid; }
section { break-inside: auto; }
section.annex { break-before: page; }
nav ol { columns: 2; margin: 0 0 6mm 0; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm 0; font-size: 8.5pt; }
th, td { border: 1px solid #ccc; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eef4f9; }
td.d { white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.hash { font-family: "DejaVu Sans Mono", monospace; font-size: 6.5pt; word-break: break-all; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
figure { margin: 3mm 0; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #444; }
.none { color: #666; font-style: italic; }
.plugin { color: #666; font-size: 8pt; }
@media screen { body { padding: 10mm; } }
"""


_DAYS = re.compile(r"^\d{4}-\d{2}-\d{2}( – \d{4}-\d{2}-\d{2})?$")  #: a day, or a span


def _cell(value: Cell) -> tuple[str, str]:
    """(HTML text, CSS class) of one cell."""
    if value is None:
        return "", ""
    if isinstance(value, bool):
        return escape(str(value)), ""
    if isinstance(value, int):
        return f"{value:,}", "n"
    if isinstance(value, float | Decimal):
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"
        return text, "n"
    if isinstance(value, date):
        return value.isoformat(), "d"
    text = str(value)
    if _DAYS.match(text):
        return escape(text), "d"
    if len(text) >= 64 and all(c in "0123456789abcdef " for c in text):
        return escape(text), "hash"
    return escape(text), ""


def _table(table: ReportTable, none: str) -> str:
    if not table.rows:
        return f"<h3>{escape(table.title)}</h3><p class='none'>{escape(none)}</p>"
    head = "".join(f"<th>{escape(c)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for value in row:
            text, cls = _cell(value)
            cells.append(f"<td class='{cls}'>{text}</td>" if cls else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<h3>{escape(table.title)}</h3><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _section(section: Section, none: str) -> str:
    parts = [f"<section id='{escape(section.id)}' class='{escape(section.id)}'>",
             f"<h2>{escape(section.title)}</h2>"]
    if section.plugin:
        parts.append(f"<p class='plugin'>({escape(section.plugin)})</p>")
    parts += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
    for chart in section.charts:
        parts.append(f"<figure id='{escape(chart.id)}' class='chart'>{chart.svg}"
                     f"<figcaption>{escape(chart.title)}</figcaption></figure>")
    parts += [_table(tb, none) for tb in section.tables]
    parts.append("</section>")
    return "\n".join(parts)


def render_html(report: Report) -> str:
    none = "Tiada." if report.lang == "ms" else "None."
    toc = "".join(f"<li><a href='#{escape(s.id)}'>{escape(s.title)}</a></li>"
                  for s in report.sections)
    body = "\n".join(_section(s, none) for s in report.sections)
    return (f"<!DOCTYPE html>\n<html lang='{report.lang}'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(report.title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(report.title)}</h1>"
            f"<p class='subtitle'>{escape(report.subtitle)}</p></header>"
            f"<nav><ol>{toc}</ol></nav>\n{body}\n</body></html>\n")
