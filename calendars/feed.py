"""Render a feed: one VCALENDAR of published entries, built by icalendar.

Same published entries → same bytes: the calendar's UID is derived from the feed's scope,
DTSTAMP and LAST-MODIFIED come from the ledger, and entries are in a fixed order. Text
properties go through ``vText`` (escaped) after control characters are removed from
single-line values, so a CR/LF in a name, a title or the calendar name injects nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vText

from .entries import Entry, one_line
from .ledger import Published

PRODID = "-//naptip//NAPTIP calendars//EN"
REFRESH = timedelta(hours=6)
SUPPORT_MARK = "[Support] "
#: VTIMEZONE rules cover this span (the plan, its lead-in and what falls due after it)
TZ_FIRST, TZ_LAST = date(2020, 1, 1), date(2027, 1, 1)


@lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> Timezone:
    """Built once per process (~25 ms each)."""
    return Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=TZ_FIRST,
                                last_date=TZ_LAST)


DIGEST_PROPERTY = "X-NAPTIP-DIGEST"


def inputs_digest(published: Sequence[Published], *, name: str, calendar_uid: str,
                  description: str, committee: str | None = None) -> str:
    """A digest of everything a feed is rendered from: equal digests, equal bytes.

    Cheap (no rendering): ``publish`` compares it with the one in the file already there
    and re-renders only the feeds whose inputs changed.
    """
    h = hashlib.blake2b(digest_size=16)
    for part in (PRODID, name, calendar_uid, description, committee or ""):
        h.update(part.encode() + b"\0")
    for p in published:
        h.update(f"{p.entry.fingerprint()}|{p.sequence}|{p.cancelled}|"
                 f"{p.created.isoformat()}|{p.last_modified.isoformat()}\0".encode())
    return h.hexdigest()


def render_feed(published: Sequence[Published], *, name: str, calendar_uid: str,
                description: str, committee: str | None = None) -> bytes:
    """The feed's bytes. ``committee``: entries it only supports are marked so."""
    digest = inputs_digest(published, name=name, calendar_uid=calendar_uid,
                           description=description, committee=committee)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("uid", vText(one_line(calendar_uid)))
    cal.add("name", vText(one_line(name)))
    cal.add("x-wr-calname", vText(one_line(name)))
    cal.add("description", vText(one_line(description)))
    cal.add("x-wr-caldesc", vText(one_line(description)))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT6H"))  # a timedelta would serialise as "6:00:00"
    cal.add(DIGEST_PROPERTY, vText(digest))
    items = list(published)
    for tzid in sorted({p.entry.tzid for p in items if not p.entry.all_day}):
        cal.add_component(_vtimezone(tzid))
    for p in items:
        cal.add_component(render_event(p, committee=committee))
    data: bytes = cal.to_ical()
    return data


def render_event(p: Published, *, committee: str | None = None) -> Event:
    e: Entry = p.entry
    supporting = committee is not None and committee != e.owner
    ev = Event()
    ev.add("uid", vText(e.uid))
    ev.add("dtstamp", p.last_modified)
    ev.add("created", p.created)
    ev.add("last-modified", p.last_modified)
    ev.add("sequence", p.sequence)
    ev.add("status", "CANCELLED" if p.cancelled else "CONFIRMED")
    ev.add("summary", vText((SUPPORT_MARK if supporting else "") + e.summary))
    ev.add("dtstart", e.starts())
    ev.add("dtend", e.ends())
    ev.add("transp", "TRANSPARENT" if e.all_day else "OPAQUE")
    categories = list(e.categories) + (["Supporting role"] if supporting else [])
    ev.add("categories", categories)
    description = e.description
    if supporting:
        description = f"Your committee supports this; the lead is {e.owner_name}.\n\n" \
                      + description
    ev.add("description", vText(description))
    if e.location:
        ev.add("location", vText(e.location))
    ev.add("x-naptip-occurrence", vText(one_line(e.occurrence)))
    ev.add("x-naptip-kind", vText(one_line(e.kind)))
    return ev



_DIGEST = re.compile(rb"\r\n" + DIGEST_PROPERTY.encode() + rb":([0-9a-f]{32})\r\n")


def digest_of(head: bytes) -> str | None:
    """The inputs digest recorded in a feed's first bytes (its calendar properties)."""
    found = _DIGEST.search(head)
    return found.group(1).decode() if found else None
