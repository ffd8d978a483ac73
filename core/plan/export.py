"""The catalog as rows: the stable machine interface (JSON) and a spreadsheet view (CSV).

The JSON document is described field by field in docs/export-format.md; its
``schema`` value changes whenever a field changes meaning or disappears.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from naptip.base.model import Activity, Indicator
from naptip.plan.catalog import Catalog
from naptip.time.cadence import cadence_of

SCHEMA = "naptip.catalog/1"


def _indicator(ind: Indicator, activity: Activity) -> dict[str, Any]:
    timeline = ind.timeline or activity.timeline
    return {
        "text": ind.text,
        "kind": str(ind.kind),
        "target": ind.target,
        "target_value": None if ind.target_value is None else float(ind.target_value),
        "disaggregate": ind.disaggregate,
        "timeline_start": timeline.start,
        "timeline_end": timeline.end,
    }


def activity_row(catalog: Catalog, activity: Activity) -> dict[str, Any]:
    structure = catalog.structure
    objective = structure.objectives[activity.objective]
    output = structure.outputs[activity.output]
    return {
        "id": activity.id,
        "parent": activity.parent,
        "pillar": objective.primary_pillar,
        "goal": objective.goal,
        "programme_area": objective.area,
        "objective": activity.objective,
        "output": activity.output,
        "output_goals": list(output.goals),
        "output_related_goals": list(output.related_goals),
        "related_goals": list(activity.related_goals),
        "text": activity.text,
        "indicators": [_indicator(i, activity) for i in activity.indicators],
        "responsibility": activity.responsibility,
        "lead_committee": activity.lead,
        "owner": activity.owner,
        "supporting_committees": list(activity.support),
        "other_parties": list(activity.parties),
        "other_party_ids": [structure.party_id(p) for p in activity.parties],
        "timeline_start": activity.timeline.start,
        "timeline_end": activity.timeline.end,
        "cadence": str(cadence_of(activity)),
        "cadence_stated": activity.cadence is not None,
        "notes": list(activity.notes),
        "plugin": catalog.plugin_of("activity", activity.id),
    }


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _roman(text: str) -> int | None:
    """i, ii, iv, ix... as a number (None: not a roman numeral)."""
    if not text or any(ch not in _ROMAN for ch in text.lower()):
        return None
    values = [_ROMAN[ch] for ch in text.lower()]
    return sum(-v if n + 1 < len(values) and v < values[n + 1] else v
               for n, v in enumerate(values))


def plan_order(activity_id: str) -> tuple[tuple[int, int | str], ...]:
    """The plan's numbering as a sort key: S4-O1-i < S4-O1-ii < S4-O1-iii < S4-O2-i <
    S10-O1-i; lettered sub-items (S9-O2-i-a, -b) in their letter's order."""
    key: list[tuple[int, int | str]] = []
    for n, part in enumerate(activity_id.split("-")):
        if n < 2 and part[1:].isdigit():
            key.append((0, int(part[1:])))
        elif n == 2 and _roman(part) is not None:
            key.append((0, _roman(part) or 0))
        else:
            key.append((1, part))
    return tuple(key)


def sorted_activities(catalog: Catalog) -> list[Activity]:
    """Activities in plan order: by the plan's numbering (objective, output, roman item,
    lettered sub-item), whatever order the plugins declared them in."""
    return sorted(catalog.activities.values(), key=lambda a: plan_order(a.id))


def to_json(catalog: Catalog) -> str:
    plan = catalog.structure.plan
    document = {
        "schema": SCHEMA,
        "plan": {
            "id": plan.id,
            "title": plan.title,
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
            "timezone": plan.timezone,
        },
        "committees": [
            {
                "id": c.id, "kind": c.kind, "name": c.name, "name_ms": c.name_ms,
                "lead_agency": c.lead_agency, "lead_agency_short": c.lead_agency_short,
                "pillars": list(c.pillars), "state": c.state,
                "plugin": catalog.plugin_of("committee", c.id),
            }
            for c in catalog.committees.values()
        ],
        "activities": [activity_row(catalog, a) for a in sorted_activities(catalog)],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_FIELDS = [
    "id", "parent", "pillar", "goal", "programme_area", "objective", "output", "text",
    "indicators", "indicator_kinds", "indicator_targets", "responsibility", "lead_committee",
    "owner", "supporting_committees", "other_parties", "timeline_start", "timeline_end",
    "cadence", "related_goals", "notes", "plugin",
]


def to_csv(catalog: Catalog) -> str:
    """One row per activity entry; list fields are joined with " | "."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for activity in sorted_activities(catalog):
        row = activity_row(catalog, activity)
        inds = row.pop("indicators")
        row["indicators"] = " | ".join(i["text"] for i in inds)
        row["indicator_kinds"] = " | ".join(i["kind"] for i in inds)
        row["indicator_targets"] = " | ".join(i["target"] or "" for i in inds)
        for key in ("supporting_committees", "other_parties", "related_goals", "notes"):
            row[key] = " | ".join(row[key])
        writer.writerow({k: row.get(k) for k in CSV_FIELDS})
    return buffer.getvalue()
