"""Write a plan package (naptip.plan.package) as reviewable TOML, with comments saying
where each entry came from."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from naptip.base.model import SECRETARIAT_ID, Activity, PlanStructure


def _q(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _number(value: Decimal) -> str:
    return str(int(value)) if value == value.to_integral_value() else str(value)


def _comment(text: str | None) -> list[str]:
    return [f"# {line}".rstrip() for line in text.splitlines()] if text else []


def structure_toml(structure: PlanStructure, header: str,
                   sources: Mapping[str, str] | None = None) -> str:
    """plan.toml's text; ``sources`` maps "objective:S9", "output:S9-O1", "pillar:P1"...
    (or "pillar", "goal"... for every entry of a table) to a comment line."""
    sources = sources or {}
    plan = structure.plan
    out = [*_comment(header), "", "[plan]", f"id = {_q(plan.id)}", f"title = {_q(plan.title)}",
           f"short_title = {_q(plan.short_title)}", f"start = {plan.start.isoformat()}",
           f"end = {plan.end.isoformat()}", f"timezone = {_q(plan.timezone)}", ""]

    said: set[str] = set()

    def entry(table: str, ident: str, lines: list[str]) -> None:
        note = sources.get(f"{table}:{ident}")
        if note is None and table not in said:  # a table-wide note: once, above the first
            note = sources.get(table)
        said.add(table)
        out.extend([*_comment(note), f"[[{table}]]", f"id = {_q(ident)}", *lines, ""])

    for p in structure.pillars.values():
        entry("pillar", p.id, [f"name = {_q(p.name)}",
                               *([f"name_ms = {_q(p.name_ms)}"] if p.name_ms else []),
                               f"description = {_q(p.description)}"])
    for g in structure.goals.values():
        entry("goal", g.id, [f"text = {_q(g.text)}", f"pillars = {_list(g.pillars)}"])
    for a in structure.areas.values():
        entry("area", a.id, [f"title = {_q(a.title)}", f"goal = {_q(a.goal)}"])
    for o in structure.objectives.values():
        entry("objective", o.id, [f"text = {_q(o.text)}", f"area = {_q(o.area)}",
                                  f"primary_pillar = {_q(o.primary_pillar)}"])
    for u in structure.outputs.values():
        entry("output", u.id, [f"objective = {_q(u.objective)}", f"text = {_q(u.text)}",
                               f"goals = {_list(u.goals)}",
                               *([f"related_goals = {_list(u.related_goals)}"]
                                 if u.related_goals else [])])
    for party in structure.parties.values():
        entry("party", party.id, [
            f"name = {_q(party.name)}",
            *([f"aliases = {_list(party.aliases)}"] if party.aliases else []),
            *([f"description = {_q(party.description)}"] if party.description else []),
            *([f"note = {_q(party.note)}"] if party.note else [])])
    return "\n".join(out)


def activities_toml(activities: Sequence[Activity], header: str,
                    sources: Mapping[str, str] | None = None) -> str:
    """An activity file's text (one committee's entries); ``sources`` maps an activity id
    to a comment line."""
    sources = sources or {}
    out = [*_comment(header), ""]
    for a in activities:
        out += [*_comment(sources.get(a.id)), "[[activity]]", f"id = {_q(a.id)}",
                f"objective = {_q(a.objective)}", f"output = {_q(a.output)}"]
        if a.parent:
            out.append(f"parent = {_q(a.parent)}")
        out.append(f"text = {_q(a.text)}")
        if a.responsibility is not None:
            out.append(f"responsibility = {_q(a.responsibility)}")
        if a.lead:
            out.append(f"lead = {_q(a.lead)}")
        else:
            out.append(f"# lead: none (no committee is named), so {SECRETARIAT_ID} owns it")
        out += [f"support = {_list(a.support)}", f"parties = {_list(a.parties)}",
                f"timeline = {_q(str(a.timeline))}"]
        if a.cadence is not None:
            out.append(f"cadence = {_q(str(a.cadence))}")
        if a.related_goals:
            out.append(f"related_goals = {_list(a.related_goals)}")
        if a.notes:
            out.append(f"notes = {_list(a.notes)}")
        out.append("")
        for ind in a.indicators:
            out += ["[[activity.indicator]]", f"text = {_q(ind.text)}",
                    f"kind = {_q(str(ind.kind))}"]
            if ind.target is not None:
                out.append(f"target = {_q(ind.target)}")
            if ind.target_value is not None:
                out.append(f"target_value = {_number(ind.target_value)}")
            if ind.disaggregate:
                out.append("disaggregate = true")
            if ind.timeline is not None:
                out.append(f"timeline = {_q(str(ind.timeline))}")
            out.append("")
    return "\n".join(out)


def write_text(path: Path, text: str) -> None:
    """Write atomically (a temporary file renamed)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
