"""A report as data: JSON (every figure, with its evidence rows), CSV and xlsx tables."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from naptip.base.report_types import Cell
from naptip.reports.document import Report


def render_json(report: Report) -> str:
    return json.dumps({"title": report.title, "lang": report.lang, **report.figures},
                      indent=2, ensure_ascii=False) + "\n"


def _plain(value: Cell) -> str | int | float | date | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def render_csv(report: Report) -> str:
    """Every table in long form: section, table, row, column, value (one file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "table", "row", "column", "value"])
    for section in report.sections:
        for table in section.data_tables:
            for n, row in enumerate(table.rows, 1):
                for column, value in zip(table.columns, row, strict=True):
                    plain = _plain(value)
                    writer.writerow([section.id, table.title, n, column,
                                     "" if plain is None else str(plain)])
    return out.getvalue()


def _xlsx_cell(value: Cell) -> str | int | float | date | None:
    """A cell a workbook can hold: a control character a spreadsheet cannot store (one
    stored before imports refused them) shown as U+FFFD instead of failing the report."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    plain = _plain(value)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", plain) if isinstance(plain, str) else plain


def _words(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (a sheet name's most) at a word's end when
    one is near (not "Items by lead committee and sta")."""
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    cut = head.rsplit(" ", 1)[0].rstrip(" ,;-–—") if " " in head else ""
    return cut if len(cut) >= limit // 2 else text[:limit]


def _sheet_name(title: str, used: set[str]) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    title = ILLEGAL_CHARACTERS_RE.sub(" ", title)
    base = _words(" ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split()), 31) or "table"
    name, n = base, 2
    while name.casefold() in used:
        name, n = f"{_words(base, 27)} {n}", n + 1
    used.add(name.casefold())
    return name


def write_xlsx(report: Report, path: Path) -> None:
    """One sheet per table, numbers as numbers and dates as dates (for analysts)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    used: set[str] = set()
    for section in report.sections:
        for table in section.data_tables:
            sheet = book.create_sheet(_sheet_name(table.title, used))
            sheet.append([_xlsx_cell(c) for c in table.columns])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in table.rows:
                sheet.append([_xlsx_cell(v) for v in row])
            sheet.freeze_panes = "A2"
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column)
                letter = column[0].column_letter
                sheet.column_dimensions[letter].width = min(60, max(8, width + 2))
    book.save(path)
