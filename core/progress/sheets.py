"""Reading the spreadsheets the secretariat imports (past evidence, recommendation sets):
a UTF-8 CSV or an xlsx workbook's first sheet, as rows of cells, with one line for a file
that cannot be read."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from naptip.base.errors import NaptipError

__all__ = ["SAVE_AS", "cell", "header", "read_table", "reason"]

SAVE_AS = 'save it from Excel as "CSV UTF-8 (comma delimited)"'


def read_table(path: Path) -> list[Sequence[Any]]:
    """Every row of ``path`` (.csv: UTF-8, a BOM allowed; else xlsx), cells as read;
    NaptipError naming the file when it cannot be read."""
    try:
        return list(_csv(path) if path.suffix.lower() == ".csv" else _xlsx(path))
    except UnicodeDecodeError:
        raise NaptipError(f"{path.name}: is not UTF-8 text (a CSV saved in a Windows code "
                          f"page?); {SAVE_AS}") from None
    except (OSError, csv.Error) as exc:
        raise NaptipError(f"{path.name}: cannot be read ({reason(exc)})") from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise NaptipError(f"{path.name}: cannot be read as an xlsx workbook "
                          f"({reason(exc)})") from None


def header(text: str) -> str:
    """A column's name as written (``Done on``, ``done-on``) as its key: ``done_on``."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def cell(value: Any) -> str:
    """A cell as text: a date as YYYY-MM-DD, a whole number without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def reason(exc: BaseException) -> str:
    """An exception's message on one short line."""
    return " ".join(str(exc).split())[:120] or type(exc).__name__


def _csv(path: Path) -> Iterator[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.reader(handle)


def _xlsx(path: Path) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            yield [_percent(c.value, getattr(c, "number_format", None)) for c in row]
    finally:
        workbook.close()


def _percent(value: Any, number_format: str | None) -> Any:
    """A number shown as a percentage in Excel (87.5% is kept as 0.875) as its text."""
    if isinstance(value, int | float) and not isinstance(value, bool) and number_format \
            and "%" in number_format:
        return f"{round(value * 100, 10):g}%"
    return value
