"""Reading a recommendation set's file: a data-only TOML file (a ``[set]`` table and
``[[item]]`` entries), or a CSV or xlsx sheet (one item a row). Only reading: the rows'
cells are checked by naptip.progress.recommendations.sets.

Rows are numbered as people find them: a sheet's row as the spreadsheet numbers it (the
header is row 1), a TOML item by the line of its ``[[item]]``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naptip.base.errors import NaptipError
from naptip.base.text import echo_cut
from naptip.progress.sheets import SAVE_AS, read_table
from naptip.progress.sheets import cell as _sheet_cell
from naptip.progress.sheets import header as _header
from naptip.progress.sheets import reason as _reason

__all__ = ["COLUMNS", "MAX_ITEMS", "SET_KEYS", "SetFile", "read_set_file"]

#: an item's columns (a sheet's header, a TOML item's keys)
COLUMNS = ("id", "text", "theme", "lead", "support", "activities")
#: the ``[set]`` table's keys
SET_KEYS = ("source", "issued", "url", "note")
SUFFIXES = (".toml", ".csv", ".xlsx")
#: a set is a report's list of recommendations, not a database
MAX_ITEMS = 1_000
_ITEM = re.compile(r"^\s*\[\[\s*item\s*\]\]")


@dataclass
class SetFile:
    """What a set's file holds: its ``[set]`` table (TOML only) and its items' cells."""

    name: str  #: the file's name (what messages and the store name it by)
    header: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def read_set_file(path: Path) -> SetFile:
    """The file's set header and rows (blank rows left out), or NaptipError, one line,
    for a file that cannot be read as a set at all."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise NaptipError(f"{path}: is a folder; give the .toml, .csv or .xlsx file in it")
    if suffix not in SUFFIXES:
        raise NaptipError(f"{path.name}: import a .toml, .csv or .xlsx file (this one is "
                          f"{path.suffix or 'without a suffix'})")
    if not path.is_file():
        raise NaptipError(f"{path}: no such file")
    result = _toml(path) if suffix == ".toml" else _sheet(path)
    if not result.rows:
        raise NaptipError(f"{path.name}: no items: " + (
            "the file has no [[item]] entries" if suffix == ".toml" else
            "the file has its header but no item rows"))
    if len(result.rows) > MAX_ITEMS:
        raise NaptipError(f"{path.name}: more than {MAX_ITEMS:,} items; a set is one "
                          "report's recommendations")
    return result


def _toml(path: Path) -> SetFile:
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # Notepad's BOM
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise NaptipError(f"{path.name}: is not UTF-8 text") from None
    except OSError as exc:
        raise NaptipError(f"{path.name}: cannot be read ({_reason(exc)})") from None
    except tomllib.TOMLDecodeError as exc:
        raise NaptipError(f"{path.name}: is not valid TOML ({_reason(exc)})") from None
    unknown = [k for k in data if k not in ("set", "item")]
    if unknown:
        raise NaptipError(f"{path.name}: unknown table {echo_cut(unknown[0])!r}; a set file "
                          "has a [set] table and [[item]] entries")
    result = SetFile(name=path.name)
    head = data.get("set", {})
    if not isinstance(head, dict):
        raise NaptipError(f"{path.name}: 'set' must be a table ([set])")
    for key, value in head.items():
        if key not in SET_KEYS:
            raise NaptipError(f"{path.name}: [set]: unknown key {echo_cut(key)!r} (known: "
                              f"{', '.join(SET_KEYS)})")
        result.header[key] = _value(value)
    items = data.get("item", [])
    if not isinstance(items, list):
        raise NaptipError(f"{path.name}: 'item' must be [[item]] entries")
    lines = [n for n, line in enumerate(text.splitlines(), 1) if _ITEM.match(line)]
    for index, item in enumerate(items):
        row = lines[index] if index < len(lines) and len(lines) == len(items) else index + 1
        unknown = [k for k in item if k not in COLUMNS]
        if unknown:
            raise NaptipError(f"{path.name}:{row}: unknown key {echo_cut(unknown[0])!r} "
                              f"(known: {', '.join(COLUMNS)})")
        cells = {k: _value(v) for k, v in item.items()}
        if any(cells.values()):
            result.rows.append((row, cells))
    return result


def _value(value: Any) -> str:
    """A TOML value as a cell: lists one entry a line; a date as YYYY-MM-DD."""
    if isinstance(value, list):
        return "\n".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).strip()


def _sheet(path: Path) -> SetFile:
    table = read_table(path)
    if not table or not any(_sheet_cell(c) for c in table[0]):
        raise NaptipError(f"{path.name}: the first row must name the columns "
                          f"({', '.join(COLUMNS)})")
    headers = [_header(_sheet_cell(c)) for c in table[0]]
    unknown = [h for h in headers if h and h not in COLUMNS]
    if unknown:
        if ";" in unknown[0]:
            raise NaptipError(f"{path.name}: the columns are separated by semicolons, not "
                              f"commas; {SAVE_AS}")
        raise NaptipError(f"{path.name}: unknown column {echo_cut(unknown[0])!r}; the "
                          f"columns are {', '.join(COLUMNS)}")
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        raise NaptipError(f"{path.name}: column {repeated[0]!r} appears twice")
    missing = [c for c in ("id", "text") if c not in headers]
    if missing:
        raise NaptipError(f"{path.name}: missing column {', '.join(missing)}")
    result = SetFile(name=path.name)
    for number, raw in enumerate(table[1:], 2):
        cells = {h: _sheet_cell(c) for h, c in zip(headers, raw, strict=False) if h}
        if any(_sheet_cell(c) for c in raw[len(headers):]):
            raise NaptipError(f"{path.name}: row {number} has more cells than the header "
                              "has columns")
        if any(cells.values()):
            result.rows.append((number, cells))
        if len(result.rows) > MAX_ITEMS:
            break
    return result
