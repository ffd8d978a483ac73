"""Calendar entries: what one occurrence looks like in a feed, independent of the feed.

Every occurrence becomes one **single instance** VEVENT, never an RRULE series. Why:

- occurrences move one by one (deadlines to the previous working day, meetings to the next,
  each in the owner's or the host's state, hosts rotate), so a series would need a
  RECURRENCE-ID override for most instances, and clients treat overrides unevenly;
- every occurrence already has a stable id: one UID per occurrence id means one entry's
  change bumps one SEQUENCE, and an entry leaving the plan is one CANCELLED VEVENT;
- expanding single instances gives back exactly the schedule (recurring-ical-events adds a
  series' DTSTART even when it is off the rule), which the round-trip test proves.

An :class:`Entry` holds only what the feed shows, as plain values; its fingerprint is what
the publication ledger compares, so SEQUENCE and LAST-MODIFIED grow only when the date,
time, status or text of an entry changes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from naptip.base.errors import Problem
from naptip.occurrences.schedule import Occurrence, OccurrenceKind
from naptip.people.reminders import MEETING_KINDS, policy_of
from naptip.people.submit_hint import submit_command
from naptip.plan.catalog import Catalog

if TYPE_CHECKING:
    from naptip.plan.pluginmanager import LoadedPlugins

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_CONTROL_KEEP_NL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u2028\u2029]+")

_KIND_LABEL = {
    OccurrenceKind.PROGRESS_REPORT: "Progress report",
    OccurrenceKind.DELIVERABLE: "Deliverable",
    OccurrenceKind.NIL_RETURN: "Yearly return",
    OccurrenceKind.MEETING: "Meeting",
    OccurrenceKind.REVIEW: "Review meeting",
    OccurrenceKind.EVENT: "Event",
    OccurrenceKind.DEADLINE: "Deadline",
}



def one_line(text: str) -> str:
    """Text for a single-line property: control characters (CR, LF...) become a space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def multi_line(text: str) -> str:
    """Text that may keep its line breaks (DESCRIPTION); other controls are dropped."""
    lines = _CONTROL_KEEP_NL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in lines.split("\n"))


def uid_for(occurrence_id: str, plan_id: str) -> str:
    """The UID of an occurrence's entry: stable for as long as the occurrence id is."""
    return f"{occurrence_id}.{plan_id}@naptip"


def occurrence_of_uid(uid: str, plan_id: str) -> str | None:
    suffix = f".{plan_id}@naptip"
    return uid[: -len(suffix)] if uid.endswith(suffix) else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Entry:
    """One occurrence as a calendar shows it (the same in every feed it appears in)."""

    uid: str
    occurrence: str
    kind: str
    summary: str
    description: str
    location: str | None
    categories: tuple[str, ...]
    start: str  #: ISO date (all-day) or ISO date-time with offset (timed)
    end: str  #: exclusive: the day after for all-day entries
    tzid: str
    owner: str
    owner_name: str
    support: tuple[str, ...]
    host: str | None
    alarms: tuple[int, ...] = ()  #: VALARMs, days before the start

    @property
    def all_day(self) -> bool:
        return "T" not in self.start

    def starts(self) -> date | datetime:
        return self._value(self.start)

    def ends(self) -> date | datetime:
        return self._value(self.end)

    def _value(self, text: str) -> date | datetime:
        if "T" not in text:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).astimezone(ZoneInfo(self.tzid))

    def involves(self, committee: str) -> bool:
        return committee in (self.owner, *self.support, self.host)

    def to_json(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in fields(self)}  # flat: no deep copy
        values["categories"] = list(self.categories)
        values["support"] = list(self.support)
        values["alarms"] = list(self.alarms)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> Entry:
        return cls(**{**values, "categories": tuple(values["categories"]),
                      "support": tuple(values["support"]),
                      "alarms": tuple(values.get("alarms", ()))})

    def fingerprint(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def entries_from(catalog: Catalog, occurrences: Iterable[Occurrence], *,
                 loaded: LoadedPlugins | None = None) -> list[Entry]:
    """The calendar entries of these occurrences, in their order.

    VALARMs ring on the days the reminders go out: the configured ``[reminders]``
    ``lead_times`` (deadlines) or ``meeting_lead_times`` (meetings, reviews, events), the
    duty's own lead times, then any plugin's ``naptip_reminder_policy`` (with ``loaded``):
    ``naptip.people.reminders.policy_of``. Clients that honour alarms in subscribed calendars
    (Apple, Thunderbird) ring them; Google and Outlook ignore them: e-mail is the reminder.
    """
    problems: list[Problem] = []  # a plugin's failing policy is reported by the reminders
    return [_entry(catalog, o, _alarms(catalog, o, loaded, problems)) for o in occurrences]


def _alarms(catalog: Catalog, o: Occurrence, loaded: LoadedPlugins | None,
            problems: list[Problem]) -> tuple[int, ...]:
    policy = policy_of(occurrence_id=o.id, kind=str(o.kind), owner=o.owner,
                       activity=o.activity, duty=o.duty, lead_times=o.lead_times,
                       defaults=catalog.settings.reminders, catalog=catalog, loaded=loaded,
                       problems=problems)
    days = policy.meeting_lead_times if str(o.kind) in MEETING_KINDS else policy.lead_times
    return tuple(sorted(set(days), reverse=True))


def _committee_name(catalog: Catalog, cid: str) -> str:
    c = catalog.committees.get(cid)
    if c is None:
        return cid
    return one_line(c.name if c.lead_agency_short in c.name else
                    f"{c.name} ({c.lead_agency_short})")


def _host_name(catalog: Catalog, host: str) -> str:
    agency = catalog.agencies.get(host)
    if agency:
        return one_line(f"{agency.name} ({agency.short_name})")
    return _committee_name(catalog, host)


def _entry(catalog: Catalog, o: Occurrence, alarms: tuple[int, ...]) -> Entry:
    plan = catalog.structure.plan
    kind = OccurrenceKind(o.kind)
    owner_name = _committee_name(catalog, o.owner)
    if o.start is not None and o.end is not None:
        start, end = o.start.isoformat(), o.end.isoformat()
    else:
        start, end = o.due.isoformat(), (o.due + timedelta(days=1)).isoformat()
    location = None
    if o.start is not None:
        place = o.host or o.owner
        location = one_line(f"{_host_name(catalog, place)}, {o.state.replace('-', ' ').title()}")
    return Entry(
        uid=uid_for(o.id, plan.id), occurrence=o.id, kind=str(kind),
        summary=one_line(o.title), description=_description(catalog, o, owner_name),
        location=location, categories=_categories(catalog, o, kind), start=start, end=end,
        tzid=plan.timezone, owner=o.owner, owner_name=owner_name, support=tuple(o.support),
        host=o.host, alarms=alarms)


def _categories(catalog: Catalog, o: Occurrence, kind: OccurrenceKind) -> tuple[str, ...]:
    activity = catalog.activities.get(o.activity) if o.activity else None
    if activity is not None:
        pillars: tuple[str, ...] = (
            catalog.structure.objectives[activity.objective].primary_pillar,)
    else:
        owner = catalog.committees.get(o.owner)
        pillars = owner.pillars if owner else ()
    names = [f"{p} {catalog.structure.pillars[p].name}" if p in catalog.structure.pillars
             else p for p in pillars]
    committees = [catalog.committees[c].name if c in catalog.committees else c
                  for c in (o.owner, *o.support)]
    return tuple(one_line(x) for x in (_KIND_LABEL[kind], *names, *committees))


def _description(catalog: Catalog, o: Occurrence, owner_name: str) -> str:
    lines = [f"{_KIND_LABEL[OccurrenceKind(o.kind)]}: {o.title}", f"Lead: {owner_name}"]
    if o.support:
        lines.append("Supported by: " + "; ".join(_committee_name(catalog, c)
                                                  for c in o.support))
    if o.host:
        lines.append(f"Host: {_host_name(catalog, o.host)}")
    activity = catalog.activities.get(o.activity) if o.activity else None
    if activity is not None:
        lines += ["", f"Activity {activity.id} (timeline {activity.timeline}):", activity.text]
        if activity.indicators:
            lines.append("Indicators and targets:")
            for n, ind in enumerate(activity.indicators, 1):
                target = f" (target: {ind.target})" if ind.target else ""
                lines.append(f"{n}. {ind.text}{target}")
    if o.duty and o.duty in catalog.duties and catalog.duties[o.duty].description:
        lines += ["", str(catalog.duties[o.duty].description)]
    reason = o.shift_reason()
    if reason:
        lines += ["", f"Date moved: {reason}"]
    lines += ["", f"How to submit evidence: {submit_command(o.id, str(o.kind))} (guide: "
              "docs/evidence.md), or send it to the NSO MAPO secretariat quoting this id.",
              f"Occurrence: {o.id}"]
    return multi_line("\n".join(lines))
