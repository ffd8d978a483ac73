"""``naptip plugin import FILE.csv``: a spreadsheet of activities as a data-only plugin file.

Columns (header row, any order; ``;`` separates list items): ``id``, ``objective``,
``output``, ``text``, ``timeline``, ``indicator``, ``indicator_kind`` (required), and
``lead``, ``support``, ``parties``, ``responsibility``, ``cadence``, ``target``,
``disaggregate`` (yes/no). A row whose ``id`` repeats the previous row's adds one more
indicator to that activity. The result is checked like any data file before it is written.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from naptip.base.errors import DataFileError, NaptipError
from naptip.plan.datafiles.datafile import parse_data
from naptip.plan.datafiles.dataschema import check_data_text

REQUIRED = ("id", "objective", "output", "text", "timeline", "indicator", "indicator_kind")
OPTIONAL = ("lead", "support", "parties", "responsibility", "cadence", "target",
            "disaggregate")


def _q(value: str) -> str:
    return json.dumps(" ".join(value.split()), ensure_ascii=False)


def _list(value: str) -> str:
    items = [v.strip() for v in value.split(";") if v.strip()]
    return "[" + ", ".join(_q(v) for v in items) + "]"


def csv_to_toml(path: Path) -> tuple[str, int]:
    """The TOML text and the number of activities; one-line errors name file and row."""
    if path.suffix.lower() != ".csv":
        raise NaptipError(f"{path}: only .csv is supported (save the sheet as CSV UTF-8)")
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
            header = [h.strip() for h in (rows[0].keys() if rows else [])]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise NaptipError(f"{path}: cannot read: {exc}") from None
    if not rows:
        raise NaptipError(f"{path}: no rows under the header")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise NaptipError(f"{path}: missing column {missing[0]!r} (required: "
                          f"{', '.join(REQUIRED)})")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise NaptipError(f"{path}: unknown column {unknown[0]!r}")
    out = [f"# Imported from {path.name} by `naptip plugin import`; edit freely.", ""]
    previous: str | None = None
    count = 0
    sheet_rows: list[list[int]] = []  #: per activity, the sheet row of each indicator
    for n, raw in enumerate(rows, 2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        if not row["id"]:
            raise NaptipError(f"{path}:{n}: empty 'id'")
        if row["id"] != previous:
            count += 1
            sheet_rows.append([])
            out += ["[[activity]]", f"id = {_q(row['id'])}"]
            for key in ("objective", "output", "text", "timeline", "responsibility", "lead",
                        "cadence"):
                if row.get(key):
                    out.append(f"{key} = {_q(row[key])}")
            for key in ("support", "parties"):
                if row.get(key):
                    out.append(f"{key} = {_list(row[key])}")
            out.append("")
        previous = row["id"]
        sheet_rows[-1].append(n)
        out += ["[[activity.indicator]]", f"text = {_q(row['indicator'])}",
                f"kind = {_q(row['indicator_kind'])}"]
        if row.get("target"):
            out.append(f"target = {_q(row['target'])}")
        if row.get("disaggregate", "").lower() in ("yes", "true", "1", "y"):
            out.append("disaggregate = true")
        out.append("")
    text = "\n".join(out)
    try:
        check_data_text(text, "sheet")
        parse_data(text, "sheet")
    except DataFileError as exc:
        raise DataFileError(_in_sheet(str(exc), path, sheet_rows)) from None
    return text, count


_WHERE = re.compile(r"^sheet(?::\d+)?: activity\[(\d+)\](?:\.indicator\[(\d+)\])?\.?(\w*)")


def _in_sheet(message: str, path: Path, sheet_rows: list[list[int]]) -> str:
    """Say where in the sheet: its row (and column), not the generated TOML's line."""
    m = _WHERE.match(message)
    if m:
        activity, indicator = int(m.group(1)), int(m.group(2) or 1)
        row = sheet_rows[activity - 1][min(indicator, len(sheet_rows[activity - 1])) - 1]
        column = m.group(3)
        if m.group(2) is not None:  # an indicator's key: its own columns
            column = {"text": "indicator", "kind": "indicator_kind"}.get(column, column)
        rest = message[m.end():].lstrip(": ")
        return f"{path}:{row}: column {column!r}: {rest}" if column else f"{path}:{row}: {rest}"
    return message.replace("sheet", str(path), 1)
