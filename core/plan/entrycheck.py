"""Check an activity entry against a plan's structure: the catalog (naptip.plan.catalog),
plan packages (naptip.plan.package) and ``naptip plan import`` check entries alike."""

from __future__ import annotations

import re
from collections.abc import Collection

from naptip.base.model import Activity, Cadence, Indicator, IndicatorKind, PlanStructure

__all__ = ["activity_problem"]

_ACTIVITY_ID = re.compile(r"^S\d+-O\d+-[a-z0-9]+(?:-[a-z0-9]+)*$")
_KINDS = {k.value for k in IndicatorKind}
_CADENCES = {c.value for c in Cadence}


def activity_problem(a: Activity, structure: PlanStructure,
                     committees: Collection[str] | None) -> str | None:
    """What is wrong with an activity entry against a plan's structure and the known
    committee ids (the first problem found), or None. The catalog and plan packages
    (naptip.plan.package) check entries with it; ``committees`` None: committees are not
    checked (the catalog checks them)."""
    period = structure.plan.years
    if not _ACTIVITY_ID.match(a.id):
        return "id must look like S9-O1-i (objective-output-item, lower-case item)"
    if a.objective not in structure.objectives:
        return f"unknown objective {a.objective}"
    output = structure.outputs.get(a.output)
    if output is None:
        return f"unknown output {a.output}"
    if output.objective != a.objective:
        return f"output {a.output} belongs to objective {output.objective}, not {a.objective}"
    if not a.id.startswith(a.output + "-"):
        return f"id must start with its output {a.output}-"
    if a.parent is not None and not a.id.startswith(a.parent + "-"):
        return f"parent {a.parent} is not a prefix of the id"
    for committee in (a.lead, *a.support):
        if committee is not None and committees is not None and committee not in committees:
            return f"unknown committee {committee!r}"
    if a.lead is not None and a.lead in a.support:
        return f"committee {a.lead!r} is both lead and support"
    if not a.text.strip():
        return "text is empty"
    problem = _timeline_problem(a.timeline.start, a.timeline.end, period)
    if problem:
        return problem
    goals = [g for g in a.related_goals if g not in structure.goals]
    if goals:
        return f"unknown goal {goals[0]}"
    if a.cadence is not None and a.cadence not in _CADENCES:
        return f"cadence {a.cadence!r} is not one of {', '.join(sorted(_CADENCES))}"
    if not a.indicators:
        return "has no indicator"
    for n, ind in enumerate(a.indicators, 1):
        message = _indicator_problem(ind, a, period)
        if message:
            return f"indicator #{n}: {message}"
    return None


def _timeline_problem(start: int, end: int, period: range) -> str | None:
    if start > end:
        return f"timeline starts ({start}) after it ends ({end})"
    if start not in period or end not in period:
        return f"timeline {start}-{end} is outside the plan period {period[0]}-{period[-1]}"
    return None


def _indicator_problem(ind: Indicator, a: Activity, period: range) -> str | None:
    if not ind.text.strip():
        return "has no text"
    if ind.kind not in _KINDS:
        return f"kind {ind.kind!r} is not one of {', '.join(sorted(_KINDS))}"
    if ind.timeline is not None:
        problem = _timeline_problem(ind.timeline.start, ind.timeline.end, period)
        if problem:
            return problem
        if ind.timeline.start < a.timeline.start or ind.timeline.end > a.timeline.end:
            return f"timeline {ind.timeline} is outside the activity's {a.timeline}"
    if ind.target_value is not None and ind.target_value < 0:
        return "target_value is negative"
    return None
