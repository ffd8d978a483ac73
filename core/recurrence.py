"""RFC 5545 recurrences: parsed, validated and expanded (with dateutil).

Rules of the project: an explicit ``DTSTART`` with a ``TZID``; ``RRULE`` lines that end
with ``UNTIL`` and never use ``COUNT``; ``EXDATE`` and ``RDATE`` for exceptions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rruleset, rrulestr

_LINE = re.compile(r"^(DTSTART|RRULE|EXDATE|RDATE)([;:].*)$")
_TZID = re.compile(r"^;TZID=([^:;]+):(\d{8}(?:T\d{6})?)$")


class RecurrenceError(ValueError):
    """The recurrence breaks RFC 5545 or the project's rules; the message says how."""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RecurrenceError(f"unknown TZID {name!r}") from None


@dataclass(frozen=True, slots=True)
class Recurrence:
    text: str  #: the normalised RFC 5545 lines
    dtstart: datetime
    until: datetime  #: the latest UNTIL of its rules
    instances: tuple[datetime, ...] = field(repr=False)  #: every instance, in order

    @property
    def tzid(self) -> str:
        return str(self.dtstart.tzinfo)

    @property
    def rrules(self) -> list[str]:
        return [line.removeprefix("RRULE:") for line in self.text.splitlines()
                if line.startswith("RRULE:")]


def _stamp(value: str, zone: ZoneInfo | timezone) -> datetime:
    try:
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=zone)
    except ValueError:
        raise RecurrenceError(f"{value!r} is not an RFC 5545 date-time") from None


def parse_recurrence(text: str) -> Recurrence:
    """Parse and validate; raise :class:`RecurrenceError` with a one-line reason."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise RecurrenceError("recurrence is empty")
    dtstarts: list[str] = []
    rrules: list[str] = []
    for line in lines:
        match = _LINE.match(line)
        if not match:
            raise RecurrenceError(f"unexpected line {line[:40]!r}: only DTSTART, RRULE, "
                                  "EXDATE and RDATE lines are allowed")
        if match.group(1) == "DTSTART":
            dtstarts.append(match.group(2))
        elif match.group(1) == "RRULE":
            rrules.append(match.group(2).removeprefix(":"))
    if len(dtstarts) != 1:
        raise RecurrenceError("recurrence needs exactly one DTSTART line")
    start = _TZID.match(dtstarts[0])
    if not start:
        raise RecurrenceError("DTSTART has no time zone: write "
                              "DTSTART;TZID=Asia/Kuala_Lumpur:20210730T090000")
    zone = _zone(start.group(1))
    dtstart = _stamp(start.group(2), zone)
    if not rrules:
        raise RecurrenceError("recurrence needs an RRULE line (with UNTIL)")
    untils: list[datetime] = []
    for rule in rrules:
        parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
        if "COUNT" in parts:
            raise RecurrenceError(f"RRULE {rule!r} uses COUNT: give UNTIL instead")
        if "UNTIL" not in parts:
            raise RecurrenceError(f"RRULE {rule!r} has no UNTIL")
        if not parts["UNTIL"].endswith("Z"):
            raise RecurrenceError(f"RRULE {rule!r}: UNTIL must be in UTC (end with Z) "
                                  "when DTSTART has a TZID")
        untils.append(_stamp(parts["UNTIL"].removesuffix("Z"), UTC))
    until = max(untils)
    if until < dtstart:
        raise RecurrenceError(f"UNTIL {until:%Y-%m-%d %H:%M %Z} is before DTSTART "
                              f"{dtstart:%Y-%m-%d %H:%M %Z}")
    normalised = "\n".join(lines)
    try:
        ruleset = rrulestr(normalised, forceset=True, tzids=_zone)
    except RecurrenceError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise RecurrenceError(f"invalid recurrence: {exc}") from None
    assert isinstance(ruleset, rruleset)
    instances = tuple(ruleset)
    if not instances:
        raise RecurrenceError("recurrence has no instance between DTSTART and UNTIL")
    return Recurrence(text=normalised, dtstart=dtstart, until=until, instances=instances)
