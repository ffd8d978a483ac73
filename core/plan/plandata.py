"""Load a plan's structure (pillars, goals, areas, objectives, outputs, parties).

The same parser reads the ``plan.toml`` of every plan package (naptip.plan.package), NAPTIP
3.0's shipped with naptip (``naptip/data/plans/naptip-3.0/plan.toml``) included: bad data is
refused with the file, the entry and the field named, in one line.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from naptip.base.errors import DataFileError
from naptip.base.model import (
    Output,
    Party,
    Pillar,
    Plan,
    PlanStructure,
    ProgrammeArea,
    SpecificObjective,
    StrategicGoal,
)

#: the tables of a plan.toml and the keys each entry may have (required ones first)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "pillar": (("id", "name", "description"), ("name_ms",)),
    "goal": (("id", "text", "pillars"), ()),
    "area": (("id", "title", "goal"), ()),
    "objective": (("id", "text", "area", "primary_pillar"), ()),
    "output": (("id", "objective", "text", "goals"), ("related_goals",)),
    "party": (("id", "name"), ("aliases", "description", "note")),
}
_PLAN_KEYS = ("id", "title", "short_title", "start", "end", "timezone", "predecessor",
              "continues")
_LISTS = {"pillars", "goals", "related_goals", "aliases"}

#: the id of the plan package shipped with naptip, and its folder inside ``naptip.data``
BUILT_IN_PLAN = "naptip-3.0"
BUILT_IN_FOLDER = ("plans", BUILT_IN_PLAN)


@cache
def load_plan_structure() -> PlanStructure:
    """The structure of NAPTIP 3.0, the plan package shipped with naptip (parsed once per
    process, and cached by its text across processes: naptip.plan.parsecache)."""
    file = files("naptip.data").joinpath(*BUILT_IN_FOLDER, "plan.toml")
    return parse_structure(file.read_text(encoding="utf-8"), str(file))


def parse_structure(text: str, source: str) -> PlanStructure:
    """Parse the text of a plan.toml; ``source`` names it in error messages
    (:class:`DataFileError`, one line). The result is cached by the text."""
    from naptip.plan.parsecache import cached

    return cached(text, source, lambda: _parse_structure(text, source), PlanStructure)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> DataFileError:
        return DataFileError(f"{self.source}: {where}: {message}")

    def entry(self, raw: Any, table: str, n: int) -> tuple[str, dict[str, Any]]:
        required, optional = TABLES[table]
        if not isinstance(raw, dict):
            raise self.fail(f"{table} #{n}", "expected a table")
        ident = raw.get("id")
        where = f"{table} {ident}" if isinstance(ident, str) and ident else f"{table} #{n}"
        unknown = sorted(set(raw) - set(required) - set(optional))
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r}")
        values: dict[str, Any] = {}
        for key in (*required, *optional):
            value = raw.get(key)
            if value is None:
                if key in required:
                    raise self.fail(where, f"missing {key!r}")
                values[key] = () if key in _LISTS else None
            elif key in _LISTS:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise self.fail(where, f"{key!r} must be a list of text")
                values[key] = tuple(value)
            elif not isinstance(value, str) or (key in required and not value.strip()):
                raise self.fail(where, f"{key!r} must be text, not empty")
            else:
                values[key] = value
        return where, values

    def refs(self, where: str, key: str, values: tuple[str, ...] | str,
             known: Mapping[str, object], what: str) -> None:
        for value in (values,) if isinstance(values, str) else values:
            if value not in known:
                raise self.fail(where, f"{key!r}: unknown {what} {value!r}")

    def day(self, raw: Mapping[str, Any], key: str) -> date:
        value = raw.get(key)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail("[plan]", f"{key!r} must be a day like 2026-01-01 (no quotes)")
        return value


def _parse_structure(text: str, source: str) -> PlanStructure:
    reader = _Reader(source)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(raw) - {"plan", *TABLES})
    if unknown:
        raise reader.fail("top level", f"unknown table {unknown[0]!r}")
    p = raw.get("plan")
    if not isinstance(p, dict):
        raise reader.fail("top level", "missing the [plan] table")
    extra = sorted(set(p) - set(_PLAN_KEYS))
    if extra:
        raise reader.fail("[plan]", f"unknown key {extra[0]!r}")
    for key in ("id", "title", "short_title", "timezone"):
        if not isinstance(p.get(key), str) or not p[key].strip():
            raise reader.fail("[plan]", f"{key!r} must be text, not empty")
    start, end = reader.day(p, "start"), reader.day(p, "end")
    if start > end:
        raise reader.fail("[plan]", f"'start' {start} is after 'end' {end}")
    try:
        ZoneInfo(p["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise reader.fail("[plan]", f"'timezone': unknown time zone {p['timezone']!r}"
                          ) from None
    predecessor = p.get("predecessor")
    if predecessor is not None and (not isinstance(predecessor, str) or not predecessor.strip()
                                    or predecessor == p["id"]):
        raise reader.fail("[plan]", "'predecessor' must be another plan's id (\"naptip-3.0\")")
    continues = p.get("continues", [])
    if not isinstance(continues, list) or not all(isinstance(c, str) for c in continues):
        raise reader.fail("[plan]", "'continues' must be a list of duty ids")
    if continues and predecessor is None:
        raise reader.fail("[plan]", "'continues' needs 'predecessor', the plan whose duties "
                                    "go on")
    if len(set(continues)) != len(continues):
        raise reader.fail("[plan]", "'continues' names a duty twice")
    plan = Plan(id=p["id"], title=p["title"], short_title=p["short_title"], start=start,
                end=end, timezone=p["timezone"], predecessor=predecessor,
                continues=tuple(continues))
    entries: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for table in TABLES:
        rows = raw.get(table, [])
        if not isinstance(rows, list):
            raise reader.fail("top level", f"{table!r} must be an array of tables "
                                           f"([[{table}]])")
        entries[table] = [reader.entry(r, table, n) for n, r in enumerate(rows, 1)]
        seen: set[str] = set()
        for where, values in entries[table]:
            if values["id"] in seen:
                raise reader.fail(where, "duplicate id")
            seen.add(values["id"])

    pillars = {v["id"]: Pillar(id=v["id"], name=v["name"], description=v["description"],
                               name_ms=v["name_ms"])
               for _, v in entries["pillar"]}
    goals: dict[str, StrategicGoal] = {}
    for where, v in entries["goal"]:
        reader.refs(where, "pillars", v["pillars"], pillars, "pillar")
        goals[v["id"]] = StrategicGoal(id=v["id"], text=v["text"], pillars=v["pillars"])
    areas: dict[str, ProgrammeArea] = {}
    for where, v in entries["area"]:
        reader.refs(where, "goal", v["goal"], goals, "goal")
        areas[v["id"]] = ProgrammeArea(id=v["id"], title=v["title"], goal=v["goal"])
    objectives: dict[str, SpecificObjective] = {}
    for where, v in entries["objective"]:
        reader.refs(where, "area", v["area"], areas, "programme area")
        reader.refs(where, "primary_pillar", v["primary_pillar"], pillars, "pillar")
        objectives[v["id"]] = SpecificObjective(
            id=v["id"], text=v["text"], area=v["area"], goal=areas[v["area"]].goal,
            primary_pillar=v["primary_pillar"])
    outputs: dict[str, Output] = {}
    for where, v in entries["output"]:
        reader.refs(where, "objective", v["objective"], objectives, "objective")
        reader.refs(where, "goals", v["goals"], goals, "goal")
        reader.refs(where, "related_goals", v["related_goals"], goals, "goal")
        outputs[v["id"]] = Output(id=v["id"], objective=v["objective"], text=v["text"],
                                  goals=v["goals"], related_goals=v["related_goals"])
    parties = {v["id"]: Party(id=v["id"], name=v["name"], aliases=v["aliases"],
                              description=v["description"], note=v["note"])
               for _, v in entries["party"]}
    names = {n.casefold(): party.id for party in parties.values()
             for n in (party.name, *party.aliases)}
    return PlanStructure(
        plan=plan, pillars=pillars, goals=goals, areas=areas, objectives=objectives,
        outputs=outputs, parties=parties, _party_names=names,
    )
