"""RFC 5545 recurrences: parsed, validated and expanded (with dateutil), with bounded work.

Rules of the project (docs/plugin-authors.md, "Recurrences"):

- one ``DTSTART`` with a zone (``;TZID=...`` or a UTC ``...Z`` value), which must itself be
  an instance of one of its ``RRULE`` lines (calendar programs count DTSTART as an instance,
  dateutil does not: refusing the difference keeps the schedule and calendars in step);
- ``RRULE`` lines that end with ``UNTIL`` (in UTC) and never use ``COUNT``; no frequency
  finer than ``DAILY`` and no ``BYHOUR``/``BYMINUTE``/``BYSECOND`` (a duty happens at most
  once a day, at DTSTART's time); a span of at most :data:`MAX_YEARS` years and at most
  :data:`MAX_INSTANCES` instances, checked without expanding more than that;
- ``EXDATE`` and ``RDATE`` with a zone (``;TZID=...`` or ``...Z``), one or more values;
  a day without a time (``VALUE=DATE``) or a time without a zone is refused, since it
  cannot name an instance unambiguously. An EXDATE that matches no instance is a warning.

Whatever zone the text uses, instances are returned in the plan's zone, Asia/Kuala_Lumpur.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rruleset, rrulestr

from naptip.time.clock import PLAN_TZ

MAX_INSTANCES = 2000  #: the most instances one duty (or version of one) may produce
MAX_YEARS = 20  #: the longest span from DTSTART to UNTIL
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_SUB_DAILY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")

_LINE = re.compile(r"^(DTSTART|RRULE|EXDATE|RDATE)([;:].*)$")
_PROPERTY = re.compile(r"^((?:;[A-Za-z-]+=[^;:]*)*):(.+)$")


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
    dtstart: datetime  #: as written (in its own zone)
    until: datetime  #: the latest UNTIL of its rules
    instances: tuple[datetime, ...] = field(repr=False)  #: held instances, plan zone, in order
    #: every slot of the rules and RDATEs, cancelled (EXDATE) ones included, plan zone
    slots: tuple[datetime, ...] = field(default=(), repr=False)
    warnings: tuple[str, ...] = ()  #: harmless but suspicious (an EXDATE matching nothing)

    @property
    def tzid(self) -> str:
        return str(self.dtstart.tzinfo)

    @property
    def rrules(self) -> list[str]:
        return [line.removeprefix("RRULE:") for line in self.text.splitlines()
                if line.startswith("RRULE:")]

    @property
    def cancelled(self) -> frozenset[datetime]:
        """Slots removed by an EXDATE."""
        return frozenset(self.slots) - frozenset(self.instances)


def _stamp(value: str, zone: tzinfo) -> datetime:
    try:
        if "T" in value:
            return datetime.strptime(value, "%Y%m%dT%H%M%S").replace(tzinfo=zone)
        return datetime.strptime(value, "%Y%m%d").replace(tzinfo=zone)
    except ValueError:
        raise RecurrenceError(f"{value!r} is not an RFC 5545 date-time") from None


def _stamps(name: str, rest: str) -> list[datetime]:
    """The zoned date-times of a DTSTART, EXDATE or RDATE line (``rest`` after the name)."""
    match = _PROPERTY.match(rest)
    if not match:
        raise RecurrenceError(f"{name}{rest[:40]} is not NAME;PARAMS:VALUE")
    params = {}
    for param in match.group(1).split(";")[1:]:
        key, _, value = param.partition("=")
        params[key.upper()] = value
    unknown = sorted(set(params) - {"TZID", "VALUE"})
    if unknown:
        raise RecurrenceError(f"{name}: unsupported parameter {unknown[0]}")
    example = f"{name};TZID=Asia/Kuala_Lumpur:20240709T100000"
    if params.get("VALUE", "DATE-TIME").upper() != "DATE-TIME":
        raise RecurrenceError(
            f"{name};VALUE={params['VALUE']} names a day, not an instance: give the "
            f"instance's start with its zone, like {example}")
    zone: tzinfo | None = _zone(params["TZID"]) if "TZID" in params else None
    out: list[datetime] = []
    for value in match.group(2).split(","):
        value = value.strip()
        if value.endswith("Z"):
            if zone is not None:
                raise RecurrenceError(f"{name} {value}: a UTC value (…Z) cannot have a TZID")
            out.append(_stamp(value[:-1], UTC))
        elif zone is None:
            raise RecurrenceError(f"{name} has no time zone ({value}): write {example}")
        else:
            if "T" not in value:
                raise RecurrenceError(f"{name} {value} names a day, not an instance: give "
                                      f"the instance's start, like {example}")
            out.append(_stamp(value, zone))
    return out


def _rule_parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        key, sep, value = part.partition("=")
        if not sep:
            raise RecurrenceError(f"RRULE {rule!r}: {part!r} is not NAME=VALUE")
        parts[key.strip().upper()] = value.strip()
    return parts


def _check_rule(rule: str, dtstart: datetime) -> datetime:
    """Refuse what could stall or mislead the schedule; return the rule's UNTIL."""
    parts = _rule_parts(rule)
    freq = parts.get("FREQ", "").upper()
    if freq not in _FREQS:
        if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
            raise RecurrenceError(f"RRULE FREQ={freq} is finer than daily: a duty happens at "
                                  "most once a day (use DAILY, WEEKLY, MONTHLY or YEARLY)")
        raise RecurrenceError(f"RRULE {rule!r}: FREQ must be one of {', '.join(_FREQS)}")
    finer = [p for p in _SUB_DAILY_PARTS if p in parts]
    if finer:
        raise RecurrenceError(f"RRULE uses {finer[0]}: the time of day comes from DTSTART "
                              "(a duty happens at most once a day)")
    if "COUNT" in parts:
        raise RecurrenceError(f"RRULE {rule!r} uses COUNT: give UNTIL instead")
    if "UNTIL" not in parts:
        raise RecurrenceError(f"RRULE {rule!r} has no UNTIL")
    if not parts["UNTIL"].endswith("Z"):
        raise RecurrenceError(f"RRULE {rule!r}: UNTIL must be in UTC (end with Z) "
                              "when DTSTART has a zone")
    until = _stamp(parts["UNTIL"].removesuffix("Z"), UTC)
    if until < dtstart:
        raise RecurrenceError(f"UNTIL {until:%Y-%m-%d %H:%M %Z} is before DTSTART "
                              f"{dtstart:%Y-%m-%d %H:%M %Z}")
    if until.year - dtstart.year > MAX_YEARS:
        raise RecurrenceError(f"RRULE runs from {dtstart:%Y} to {until:%Y}: at most "
                              f"{MAX_YEARS} years")
    return until


def _expand(rule: str, dtstart: datetime) -> rrule:
    try:
        parsed = rrulestr(rule, dtstart=dtstart)
    except (ValueError, TypeError, KeyError) as exc:
        raise RecurrenceError(f"invalid RRULE {rule!r}: {exc}") from None
    assert isinstance(parsed, rrule)
    return parsed


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(PLAN_TZ):%Y-%m-%d %H:%M} (Asia/Kuala_Lumpur)"


def parse_recurrence(text: str) -> Recurrence:
    """Parse and validate; raise :class:`RecurrenceError` with a one-line reason."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines:
        raise RecurrenceError("recurrence is empty")
    dtstarts: list[datetime] = []
    rules: list[str] = []
    exdates: list[datetime] = []
    rdates: list[datetime] = []
    for line in lines:
        match = _LINE.match(line)
        if not match:
            raise RecurrenceError(f"unexpected line {line[:40]!r}: only DTSTART, RRULE, "
                                  "EXDATE and RDATE lines are allowed")
        name, rest = match.group(1), match.group(2)
        if name == "RRULE":
            rules.append(rest.removeprefix(":"))
        elif name == "DTSTART":
            if "," in rest:
                raise RecurrenceError("DTSTART has more than one value")
            dtstarts.extend(_stamps(name, rest))
        else:
            (exdates if name == "EXDATE" else rdates).extend(_stamps(name, rest))
    if len(dtstarts) != 1:
        raise RecurrenceError("recurrence needs exactly one DTSTART line")
    dtstart = dtstarts[0]
    if not rules:
        raise RecurrenceError("recurrence needs an RRULE line (with UNTIL)")
    until = max(_check_rule(rule, dtstart) for rule in rules)
    parsed = [_expand(rule, dtstart) for rule in rules]
    firsts = [next(iter(r), None) for r in parsed]
    if dtstart not in firsts and dtstart not in rdates:
        first = min((f for f in firsts if f is not None), default=None)
        found = f"; its first instance is {_when(first)}" if first else ""
        raise RecurrenceError(f"DTSTART {_when(dtstart)} is not an instance of its RRULE"
                              f"{found}: calendar programs would count it, the schedule would "
                              "not; make DTSTART the first instance")
    ruleset = rruleset()
    for r in parsed:
        ruleset.rrule(r)
    for day in rdates:
        ruleset.rdate(day)
    slots = tuple(islice(ruleset, MAX_INSTANCES + 1))
    if len(slots) > MAX_INSTANCES:
        raise RecurrenceError(f"recurrence produces more than {MAX_INSTANCES} instances")
    seen: dict[date, datetime] = {}
    for slot in slots:
        on = slot.astimezone(PLAN_TZ).date()
        if on in seen:
            raise RecurrenceError(f"two instances on {on} ({_when(seen[on])} and "
                                  f"{_when(slot)}): a duty happens at most once a day")
        seen[on] = slot
    cancelled = set(exdates)
    held = tuple(s.astimezone(PLAN_TZ) for s in slots if s not in cancelled)
    if not held:
        raise RecurrenceError("recurrence has no instance between DTSTART and UNTIL")
    matched = set(slots)
    warnings = tuple(
        f"EXDATE {_when(day)} matches no instance (instances start at "
        f"{slots[0].astimezone(PLAN_TZ):%H:%M}): nothing is cancelled"
        for day in exdates if day not in matched)
    return Recurrence(text="\n".join(lines), dtstart=dtstart, until=until, instances=held,
                      slots=tuple(s.astimezone(PLAN_TZ) for s in slots), warnings=warnings)


def continue_recurrence(recurrence: Recurrence, start: date, end: date) -> Recurrence:
    """The same rules carried on into a next period, ``start`` to ``end`` (a successor
    plan's): DTSTART becomes the rules' first slot on or after ``start`` (so the series
    keeps its phase: a quarterly meeting stays in the same months), every RRULE ends with
    UNTIL at the last second of ``end`` in DTSTART's zone (never COUNT), and the dated
    exceptions (EXDATE, RDATE) stay with the old period. Raises :class:`RecurrenceError`
    when the rules have no slot in the new period."""
    zone = recurrence.dtstart.tzinfo or UTC
    last = datetime(end.year, end.month, end.day, 23, 59, 59, tzinfo=zone).astimezone(UTC)
    rules = []
    for rule in recurrence.rrules:
        parts = [p for p in rule.split(";") if p.split("=", 1)[0].upper()
                 not in ("UNTIL", "COUNT")]
        rules.append(";".join([*parts, f"UNTIL={last:%Y%m%dT%H%M%SZ}"]))
    firsts = []
    for rule in rules:
        for slot in _expand(rule, recurrence.dtstart):
            if slot.astimezone(zone).date() >= start:
                firsts.append(slot)
                break
    if not firsts:
        raise RecurrenceError(f"no instance from {start} to {end}")
    first = min(firsts).astimezone(zone)
    if isinstance(zone, ZoneInfo):
        dtstart = f"DTSTART;TZID={zone.key}:{first:%Y%m%dT%H%M%S}"
    else:
        dtstart = f"DTSTART:{first.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    return parse_recurrence("\n".join([dtstart, *(f"RRULE:{r}" for r in rules)]))
