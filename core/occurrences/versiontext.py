"""RFC 5545 text for each version of a duty, whose instances are exactly the schedule's.

A duty with one version is published with its own text. A duty changed part-way (see
``naptip.time.dutyversions``) needs one series per version: the version's rule, starting at its
first instance in the schedule, ending (``UNTIL``) at its last, with an ``EXDATE`` for
every instance of the rule in between that the version does not hold. Calendars and
Prefect deployments built from these texts count the same instances as the schedule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from naptip.occurrences.schedule import Schedule
from naptip.plan.catalog import Catalog
from naptip.time.clock import PLAN_TZ

_UNTIL = re.compile(r"UNTIL=[0-9TZ]+")


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionText:
    number: int
    text: str  #: RFC 5545 lines (DTSTART, RRULE, EXDATE, RDATE)
    instances: tuple[datetime, ...]  #: the starts it yields (plan zone)


def _stamp(moment: datetime) -> str:
    return f"{moment.astimezone(PLAN_TZ):%Y%m%dT%H%M%S}"


def version_texts(catalog: Catalog, schedule: Schedule, duty_id: str) -> list[VersionText]:
    """One text per version of ``duty_id`` that holds at least one instance."""
    versions = catalog.versions[duty_id]
    held: dict[str | None, set[date]] = {}
    for o in schedule.occurrences:
        if o.duty == duty_id and "/" not in o.id:
            held.setdefault(o.version, set()).add(o.unshifted)
    out: list[VersionText] = []
    for v in versions:
        days = held.get(v.label(len(versions)), set())
        mine = tuple(s for s in v.recurrence.instances if s.date() in days)
        if not mine:
            continue
        if len(versions) == 1 and len(mine) == len(v.recurrence.instances):
            out.append(VersionText(number=v.number, text=v.recurrence.text, instances=mine))
            continue
        text = _clipped(v.recurrence.text, v.recurrence.rrules, v.recurrence.slots, mine)
        out.append(VersionText(number=v.number, text=text, instances=mine))
    return out


def _clipped(original: str, rrules: list[str], slots: tuple[datetime, ...],
             mine: tuple[datetime, ...]) -> str:
    """DTSTART at the first held instance, UNTIL at the last, EXDATE for the rest; or, if
    moving DTSTART would change what a rule yields, the original text with EXDATEs."""
    kept = set(mine)
    first, last = mine[0], mine[-1]
    rule_slots = _rule_slots(original)
    until = last.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [f"DTSTART;TZID={PLAN_TZ.key}:{_stamp(first)}"]
    lines += [f"RRULE:{_UNTIL.sub('UNTIL=' + until, rule)}" for rule in rrules]
    dropped = [s for s in slots if first <= s <= last and s not in kept]
    if dropped:
        lines.append(f"EXDATE;TZID={PLAN_TZ.key}:" + ",".join(_stamp(s) for s in dropped))
    extra = [s for s in mine if s not in rule_slots]
    if extra:
        lines.append(f"RDATE;TZID={PLAN_TZ.key}:" + ",".join(_stamp(s) for s in extra))
    text = "\n".join(lines)
    if _yields(text) == mine:
        return text
    others = [s for s in slots if s not in kept]
    base = [line for line in original.splitlines() if not line.startswith("EXDATE")]
    if others:
        base.append(f"EXDATE;TZID={PLAN_TZ.key}:" + ",".join(_stamp(s) for s in others))
    return "\n".join(base)


def _yields(text: str) -> tuple[datetime, ...]:
    from naptip.time.recurrence import RecurrenceError, parse_recurrence

    try:
        return parse_recurrence(text).instances
    except RecurrenceError:
        return ()


def _rule_slots(text: str) -> frozenset[datetime]:
    """The instances of the RRULE lines alone (without RDATE/EXDATE), in the plan zone."""
    from naptip.time.recurrence import parse_recurrence

    lines = [line for line in text.splitlines() if not line.startswith(("RDATE", "EXDATE"))]
    return frozenset(parse_recurrence("\n".join(lines)).slots)
