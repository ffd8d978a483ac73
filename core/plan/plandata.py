"""Load the plan's structure (pillars, goals, areas, objectives, outputs, parties)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

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


def _t(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (values or ()))


@cache
def load_plan_structure() -> PlanStructure:
    """The NAPTIP 3.0 structure shipped with naptip (parsed once per process, and cached
    by its text across processes: naptip.plan.parsecache)."""
    from naptip.plan.parsecache import cached

    text = files("naptip.data").joinpath("plan.toml").read_text(encoding="utf-8")
    return cached(text, "naptip.data/plan.toml", lambda: _parse_structure(text),
                  PlanStructure)


def _parse_structure(text: str) -> PlanStructure:
    raw = tomllib.loads(text)
    p = raw["plan"]
    plan = Plan(
        id=p["id"],
        title=p["title"],
        short_title=p["short_title"],
        start=p["start"],
        end=p["end"],
        timezone=p["timezone"],
    )
    pillars = {r["id"]: Pillar(id=r["id"], name=r["name"], description=r["description"],
                               name_ms=r.get("name_ms"))
               for r in raw["pillar"]}
    goals = {r["id"]: StrategicGoal(id=r["id"], text=r["text"], pillars=_t(r["pillars"]))
             for r in raw["goal"]}
    areas = {r["id"]: ProgrammeArea(id=r["id"], title=r["title"], goal=r["goal"])
             for r in raw["area"]}
    objectives = {
        r["id"]: SpecificObjective(
            id=r["id"], text=r["text"], area=r["area"], goal=areas[r["area"]].goal,
            primary_pillar=r["primary_pillar"],
        )
        for r in raw["objective"]
    }
    outputs = {
        r["id"]: Output(
            id=r["id"], objective=r["objective"], text=r["text"], goals=_t(r["goals"]),
            related_goals=_t(r.get("related_goals")),
        )
        for r in raw["output"]
    }
    parties = {
        r["id"]: Party(
            id=r["id"], name=r["name"], aliases=_t(r.get("aliases")),
            description=r.get("description"), note=r.get("note"),
        )
        for r in raw["party"]
    }
    names = {n.casefold(): party.id for party in parties.values()
             for n in (party.name, *party.aliases)}
    return PlanStructure(
        plan=plan, pillars=pillars, goals=goals, areas=areas, objectives=objectives,
        outputs=outputs, parties=parties, _party_names=names,
    )
