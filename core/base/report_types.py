"""What report-section plugins receive and return: light types, importable cheaply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["ReportContext", "ReportSection", "ReportTable"]

Cell = str | int | float | Decimal | date | None


@dataclass(frozen=True, kw_only=True)
class ReportTable:
    """A table of a report: ``columns`` headers and ``rows`` of cells (numbers stay numbers
    in the spreadsheet)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True, kw_only=True)
class ReportSection:
    """A section a plugin adds to a report: a title, paragraphs and optional tables."""

    id: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[ReportTable, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ReportContext:
    """Which report is being built, as report-section plugins see it."""

    kind: str  #: annual, final or committee
    years: tuple[int, ...]
    as_of: date
    committee: str | None
    lang: str  #: en or ms
    #: the headline figures: status -> activity-years, plus "applicable" and "percent_done"
    summary: dict[str, float]
