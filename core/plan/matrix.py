"""The plan's matrix as a spreadsheet, laid out like NAPTIP 3.0's Appendix I.

One row per indicator: an activity with two indicators takes two rows, its own columns
repeated on each (so that the sheet can be sorted and filtered); a lettered sub-item
(S9-O2-i-a) is an activity entry of its own that names its activity in "Part of
activity". The stable ids are columns of their own, so that ``naptip plan import`` of an
exported matrix gives the same plan back, entry for entry. docs/plan-packages.md
describes every column; naptip.plan.matriximport reads the sheet back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from naptip.base.errors import NaptipError
from naptip.base.model import Activity, PlanStructure
from naptip.plan.export import plan_order


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    width: int  #: in the xlsx, in characters
    level: str  #: objective, output, activity or indicator: what the cell belongs to


#: the matrix's columns, in order (Appendix I's, then what it prints only as layout)
COLUMNS: tuple[Column, ...] = (
    Column("pillar", "Strategic pillar", 16, "objective"),
    Column("objective", "Objective ID", 10, "objective"),
    Column("objective_text", "Specific objective", 40, "objective"),
    Column("area", "Programme area", 10, "objective"),
    Column("output", "Output ID", 10, "output"),
    Column("output_text", "Output", 40, "output"),
    Column("goals", "Linked to strategic goal", 10, "output"),
    Column("related_goals", "Related to strategic goal", 10, "output"),
    Column("activity", "Activity ID", 13, "activity"),
    Column("parent", "Part of activity", 11, "activity"),
    Column("activity_text", "Activity", 50, "activity"),
    Column("indicator_no", "Indicator no.", 9, "indicator"),
    Column("indicator", "KPI / indicator", 36, "indicator"),
    Column("kind", "Indicator kind", 12, "indicator"),
    Column("target", "Target", 20, "indicator"),
    Column("target_value", "Target value", 9, "indicator"),
    Column("disaggregate", "By sex, nationality, age", 11, "indicator"),
    Column("indicator_timeline", "Indicator timeline", 11, "indicator"),
    Column("responsibility", "Assigned responsibilities", 36, "activity"),
    Column("lead", "Lead committee", 14, "activity"),
    Column("support", "Supporting committees", 16, "activity"),
    Column("parties", "Other parties", 28, "activity"),
    Column("timeline", "Timeline", 11, "activity"),
    Column("cadence", "Cadence", 16, "activity"),
    Column("activity_goals", "Activity related goals", 10, "activity"),
    Column("notes", "Notes", 40, "activity"),
)
HEADERS = tuple(c.header for c in COLUMNS)
#: list cells: items separated by "; " (notes: one per line)
LIST_SEPARATOR = "; "
SUFFIXES = (".csv", ".xlsx")


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else str(value)


def matrix_rows(structure: PlanStructure, activities: Sequence[Activity]) -> Iterator[list[str]]:
    """The rows under the header, in plan order, every cell as text."""
    for a in sorted(activities, key=lambda a: plan_order(a.id)):
        objective = structure.objectives[a.objective]
        output = structure.outputs[a.output]
        pillar = structure.pillars[objective.primary_pillar]
        for n, ind in enumerate(a.indicators, 1):
            cells = {
                "pillar": f"{pillar.id} {pillar.name}",
                "objective": objective.id, "objective_text": objective.text,
                "area": objective.area,
                "output": output.id, "output_text": output.text,
                "goals": LIST_SEPARATOR.join(output.goals),
                "related_goals": LIST_SEPARATOR.join(output.related_goals),
                "activity": a.id, "parent": a.parent or "", "activity_text": a.text,
                "indicator_no": str(n), "indicator": ind.text, "kind": str(ind.kind),
                "target": ind.target or "", "target_value": _number(ind.target_value),
                "disaggregate": "yes" if ind.disaggregate else "",
                "indicator_timeline": str(ind.timeline) if ind.timeline else "",
                "responsibility": a.responsibility or "",
                "lead": a.lead or "", "support": LIST_SEPARATOR.join(a.support),
                "parties": LIST_SEPARATOR.join(a.parties), "timeline": str(a.timeline),
                "cadence": str(a.cadence) if a.cadence else "",
                "activity_goals": LIST_SEPARATOR.join(a.related_goals),
                "notes": "\n".join(a.notes),
            }
            yield [cells[c.key] for c in COLUMNS]


def matrix_csv(structure: PlanStructure, activities: Sequence[Activity]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(matrix_rows(structure, activities))
    return buffer.getvalue()


def write_matrix(path: Path, structure: PlanStructure, activities: Sequence[Activity]) -> int:
    """Write the matrix to ``path`` (.csv in UTF-8 with a BOM, as Excel opens it, or
    .xlsx), atomically; the number of rows under the header."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise NaptipError(f"{path}: a matrix is written as .csv or .xlsx, not "
                          f"{path.suffix or 'a file without a suffix'!r}")
    rows = list(matrix_rows(structure, activities))
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if suffix == ".csv":
            tmp.write_text(matrix_csv(structure, activities), encoding="utf-8-sig",
                           newline="")
        else:
            _write_xlsx(tmp, structure, rows)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise NaptipError(f"cannot write {path}: {exc.strerror}") from None
    return len(rows)


def _write_xlsx(path: Path, structure: PlanStructure, rows: list[list[str]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Matrix"
    sheet.append(list(HEADERS))
    numeric = {n for n, c in enumerate(COLUMNS) if c.key in ("indicator_no", "target_value")}
    for row in rows:
        sheet.append([(Decimal(v) if n in numeric and v else v or None)
                      for n, v in enumerate(row)])
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in sheet.iter_rows():
        for cell in line:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="DDEBF7")
    for n, column in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(n)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    book.properties.title = f"{structure.plan.short_title} matrix"
    book.save(path)


@dataclass(frozen=True, slots=True)
class Sheet:
    """A matrix as read: its header and its rows of text, each with its row number in
    the file (the header is row 1; comment rows, first cell starting with "#", and blank
    rows are left out)."""

    source: Path
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def read_sheet(path: Path) -> Sheet:
    """The matrix in a .csv or .xlsx file (first sheet); one-line errors."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise NaptipError(f"{path}: a matrix is read from .csv or .xlsx (save the sheet as "
                          "one of them)")
    if not path.is_file():
        raise NaptipError(f"{path}: no such file")
    raw = _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    numbered = [(n, row) for n, row in enumerate(raw, 1)
                if any(row) and not row[0].startswith("#")]
    if not numbered:
        raise NaptipError(f"{path}: empty (expected a header row: {', '.join(HEADERS[:4])}...)")
    (_, header), *rows = numbered
    width = len(header)
    return Sheet(source=path, header=tuple(h.strip() for h in header),
                 rows=tuple((n, tuple((list(r) + [""] * width)[:width])) for n, r in rows))


def _read_csv(path: Path) -> list[list[str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return [[c.strip() for c in row] for row in csv.reader(f)]
    except UnicodeDecodeError:
        raise NaptipError(f"{path}: not UTF-8 text (save the sheet as CSV UTF-8)") from None
    except (OSError, csv.Error) as exc:
        raise NaptipError(f"{path}: cannot read: {exc}") from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return str(Decimal(str(value)))
    return str(value).strip()


def _read_xlsx(path: Path) -> list[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        detail = getattr(exc, "strerror", None) or "not an Excel workbook (.xlsx)"
        raise NaptipError(f"{path}: cannot read: {detail}") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    except (BadZipFile, KeyError, ValueError, OSError) as exc:
        raise NaptipError(f"{path}: cannot read: {exc}") from None
    finally:
        book.close()
