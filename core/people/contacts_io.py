"""The contact directory as CSV or TOML, so the secretariat can keep it in a spreadsheet.

CSV columns: ``name,email,language,state,roles,urls``; ``roles`` and ``urls`` hold several
values separated by spaces (``lead:enforcement chair:enforcement``). TOML: one
``[[contact]]`` table per person with the same keys (``roles`` and ``urls`` as lists).
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from naptip.base.contact_types import ContactInfo, Role
from naptip.base.errors import NaptipError

COLUMNS = ("name", "email", "language", "state", "roles", "urls")


def _info(raw: Mapping[str, Any], where: str) -> ContactInfo:
    unknown = sorted(set(raw) - set(COLUMNS) - {"active"})
    if unknown:
        raise NaptipError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(COLUMNS)})")

    def many(key: str) -> list[str]:
        value = raw.get(key) or []
        if isinstance(value, str):
            return value.split()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise NaptipError(f"{where}: {key} must be a list of texts")
        return value

    for key in ("name", "email"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise NaptipError(f"{where}: {key} is missing")
    try:
        roles = tuple(Role.parse(r) for r in many("roles"))
    except ValueError as exc:
        raise NaptipError(f"{where}: {exc}") from None
    return ContactInfo(name=raw["name"], email=raw["email"],
                       language=str(raw.get("language") or "en"),
                       state=str(raw.get("state") or "putrajaya"), roles=roles,
                       urls=tuple(many("urls")), active=raw.get("active", True) is not False)


def read_contacts(path: Path) -> list[ContactInfo]:
    """Contacts from a .csv or .toml file; a bad row is one line naming file and row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise NaptipError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise NaptipError(f"{path} is not UTF-8 text") from None
    if path.suffix.lower() == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise NaptipError(f"{path} is not valid TOML: {exc}") from None
        tables = data.get("contact", [])
        if not isinstance(tables, list):
            raise NaptipError(f"{path}: expected [[contact]] tables")
        return [_info(t, f"{path}: contact {n}") for n, t in enumerate(tables, 1)]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = {"name", "email"} - set(reader.fieldnames or ())
        if missing:
            raise NaptipError(f"{path}: the header must name the columns {', '.join(COLUMNS)}")
        rows = []
        for row in reader:
            clean = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            rows.append(_info(clean, f"{path}: line {reader.line_num}"))
        return rows
    raise NaptipError(f"{path}: contacts are imported from .csv or .toml files")


def write_csv(contacts: Iterable[ContactInfo]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in contacts:
        writer.writerow([c.name, c.email, c.language, c.state, " ".join(map(str, c.roles)),
                         " ".join(c.urls)])
    return out.getvalue()


def write_toml(contacts: Iterable[ContactInfo]) -> str:
    def s(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string

    parts = []
    for c in contacts:
        parts.append("[[contact]]\n"
                     f"name = {s(c.name)}\nemail = {s(c.email)}\nlanguage = {s(c.language)}\n"
                     f"state = {s(c.state)}\n"
                     f"roles = [{', '.join(s(str(r)) for r in c.roles)}]\n"
                     f"urls = [{', '.join(s(u) for u in c.urls)}]\n")
    return "\n".join(parts)
