"""The JSON Schema of the plugin data format, and validation that names file, line and key.

The schema is published as ``naptip/data/plugin-data.schema.json`` (``naptip plugin schema``
prints it) so that editors can check a data file while it is written. It is built here
from the model's enumerations; a test keeps the published file and the data-file reader's
keys in step with it.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

from naptip.base.config import CANCELLED_TURN
from naptip.base.errors import DataFileError
from naptip.base.model import Cadence, DutyKind, IndicatorKind

SCHEMA_ID = "https://naptip.example/schemas/plugin-data.schema.json"
SCHEMA_RESOURCE = "plugin-data.schema.json"

_TEXT: dict[str, Any] = {"type": "string"}
_TEXTS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_SLUG: dict[str, Any] = {"type": "string", "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"}
_YEARS: dict[str, Any] = {"type": ["string", "integer"],
                          "pattern": r"^\s*\d{4}\s*([-–]\s*\d{4})?\s*$",
                          "description": "a year or years, like \"2021-2025\""}


def _table(properties: dict[str, Any], required: Sequence[str], description: str,
           ) -> dict[str, Any]:
    return {"type": "object", "description": description, "properties": properties,
            "required": list(required), "additionalProperties": False}


def _enum(values: Sequence[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def build_schema() -> dict[str, Any]:
    """The schema of a plugin data file (TOML), as JSON Schema draft 2020-12."""
    indicator = _table({
        "text": _TEXT, "kind": _enum([k.value for k in IndicatorKind]), "target": _TEXT,
        "target_value": {"type": "number", "minimum": 0}, "disaggregate": {"type": "boolean"},
        "timeline": _YEARS,
    }, ["text", "kind"], "an indicator: [[activity.indicator]]")
    milestone = _table({
        "id": _SLUG, "title": _TEXT, "offset_days": {"type": "integer"},
        "kind": _enum([k.value for k in DutyKind]),
    }, ["id", "title"], "a dated step of each duty instance: [[duty.milestone]]")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "naptip plugin data file",
        "description": "Committee, agencies, activities and duties a naptip plugin declares "
                       "(docs/plugin-authors.md).",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "plugin": _table({
                "requires": _TEXTS, "api_version": {"type": "integer", "minimum": 1},
                "description": _TEXT,
            }, [], "what the plugin needs: other plugins, the plugin API version"),
            "committee": _table({
                "id": _SLUG, "kind": _enum(["committee", "secretariat"]), "name": _TEXT,
                "name_ms": _TEXT, "lead_agency": _TEXT, "lead_agency_short": _TEXT,
                "function": _TEXT, "pillars": _TEXTS, "aliases": _TEXTS, "state": _TEXT,
                "notes": _TEXTS,
            }, ["id", "name", "name_ms", "lead_agency", "lead_agency_short"],
                "a committee (built-in plugins only, usually)"),
            "agency": {"type": "array", "items": _table({
                "id": _SLUG, "name": _TEXT, "short_name": _TEXT, "name_ms": _TEXT,
                "committees": _TEXTS, "state": _TEXT, "units": _TEXTS,
            }, ["id", "name", "short_name"], "a member agency: [[agency]]")},
            "agency_extension": {"type": "array", "items": _table({
                "agency": _TEXT, "units": _TEXTS, "committees": _TEXTS, "state": _TEXT,
            }, ["agency"], "adds to an agency another plugin declares: [[agency_extension]]")},
            "activity": {"type": "array", "items": _table({
                "id": {"type": "string", "pattern": r"^S\d+-O\d+-[a-z0-9]+(-[a-z0-9]+)*$"},
                "objective": {"type": "string", "pattern": r"^S\d+$"},
                "output": {"type": "string", "pattern": r"^S\d+-O\d+$"},
                "parent": _TEXT, "text": _TEXT, "responsibility": _TEXT, "lead": _TEXT,
                "support": _TEXTS, "parties": _TEXTS, "timeline": _YEARS,
                "cadence": _enum([c.value for c in Cadence]), "related_goals": _TEXTS,
                "notes": _TEXTS, "indicator": {"type": "array", "items": indicator,
                                               "minItems": 1},
            }, ["id", "objective", "output", "text", "timeline", "indicator"],
                "an activity under an output of the plan: [[activity]]")},
            "duty": {"type": "array", "items": _table({
                "id": _SLUG, "title": _TEXT, "owner": _TEXT,
                "kind": _enum([k.value for k in DutyKind]),
                "recurrence": {"type": "string", "description": "RFC 5545: DTSTART;TZID=... "
                               "and RRULE lines with UNTIL (UTC), never COUNT"},
                "duration_minutes": {"type": "integer", "minimum": 0}, "hosts": _TEXTS,
                "support": _TEXTS, "parties": _TEXTS,
                "milestone": {"type": "array", "items": milestone}, "fulfils": _TEXTS,
                "lead_times": {"type": "array", "items": {"type": "integer", "minimum": 0}},
                "flow": _TEXT, "description": _TEXT, "notes": _TEXTS,
                "from": {"type": "string", "format": "date",
                         "description": "the day this version of the duty takes effect"},
                "cancelled_turn": _enum(CANCELLED_TURN),
            }, ["id", "title", "owner", "kind", "recurrence"], "a recurring duty: [[duty]]")},
        },
    }


def published_schema() -> dict[str, Any]:
    """The schema file shipped with naptip."""
    text = files("naptip.data").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def check_data_text(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text and validate it against the schema.

    Raises :class:`DataFileError` as ``FILE:LINE: KEY: what is wrong`` for the first error.
    """
    import jsonschema

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{source}:{line}" if line else source
        raise DataFileError(f"{where}: not valid TOML: {exc}") from None
    validator = jsonschema.Draft202012Validator(build_schema())
    rank = {"additionalProperties": 0, "required": 2}
    # TOML dates are checked as the ISO text an editor's TOML-to-JSON mapping gives
    as_json = json.loads(json.dumps(raw, default=lambda value: value.isoformat()))
    errors = sorted(validator.iter_errors(as_json), key=lambda e: (
        list(map(str, e.path)), rank.get(str(e.validator), 1)))
    if not errors:
        return raw
    error = errors[0]
    path = list(error.path)
    message = error.message
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        path.append(extra[0])
        close = difflib.get_close_matches(extra[0], allowed, n=1)
        message = "unknown key" + (f"; did you mean {close[0]!r}?" if close else
                                   f"; allowed: {', '.join(allowed)}")
    elif error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", message)
        message = f"missing key {missing[0]!r}" if missing else message
    elif error.validator == "enum":
        message = f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    line = locate(text, path)
    key = _dotted(path) or "top level"
    raise DataFileError(f"{source}:{line or 1}: {key}: {message}")


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def locate(text: str, path: Sequence[str | int]) -> int | None:
    """The line (1-based) of ``path`` (like ``["activity", 2, "timeline"]``) in TOML text:
    the key's line, else its table's header line."""
    tables: list[tuple[str, int | None]] = []
    prefix: list[str] = []
    key: str | None = None
    parts = list(path)
    while parts:
        name = parts.pop(0)
        if isinstance(name, int):
            break
        if parts and isinstance(parts[0], int):
            prefix.append(name)
            index = parts.pop(0)
            assert isinstance(index, int)
            tables.append((".".join(prefix), index))
        elif parts:
            prefix.append(name)
            tables.append((".".join(prefix), None))
        else:
            key = name
    counts: dict[str, int] = {}
    in_target = not tables
    header_line: int | None = None
    target_header = ".".join([*prefix, key]) if key else None
    for n, line in enumerate(text.splitlines(), 1):
        m = _HEADER.match(line)
        if m and "=" not in m.group(2):
            dotted = m.group(2).replace(" ", "").replace('"', "")
            if m.group(1) == "[[":
                counts[dotted] = counts.get(dotted, -1) + 1
                for k in [k for k in counts if k.startswith(dotted + ".")]:
                    del counts[k]
            if dotted == target_header and _inside(tables, counts):
                return n
            in_target = bool(tables) and dotted == tables[-1][0] and _inside(tables, counts)
            if in_target:
                header_line = n
            continue
        if key and in_target and re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line):
            return n
    return header_line


def _inside(tables: list[tuple[str, int | None]], counts: dict[str, int]) -> bool:
    return all(index is None or counts.get(name) == index for name, index in tables)
