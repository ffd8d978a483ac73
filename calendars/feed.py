"""Assemble a feed: the calendar's properties and time zones, then the stored VEVENTs.

Every component is built and serialised by icalendar (the VEVENTs when the ledger
recorded them, see ``vevent``); this module only puts complete components in order inside
the VCALENDAR icalendar serialised. Same published entries → same bytes: the calendar's
UID is derived from the feed's scope, DTSTAMP and LAST-MODIFIED come from the ledger, and
entries are in a fixed order. Single-line text has its control characters removed and
every text goes through ``vText`` (escaped), so a CR/LF in a name, a title or the
calendar name injects nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from naptip.calendars.entries import one_line
from naptip.calendars.ledger import Published

if TYPE_CHECKING:
    from icalendar import Timezone

PRODID = "-//naptip//NAPTIP calendars//EN"
REFRESH = timedelta(hours=6)
END = b"END:VCALENDAR\r\n"
#: VTIMEZONE rules cover this span (the plan, its lead-in and what falls due after it)
TZ_FIRST, TZ_LAST = date(2020, 1, 1), date(2027, 1, 1)


@lru_cache(maxsize=8)
def vtimezone(tzid: str) -> Timezone:
    """Built once per process (~25 ms each)."""
    from icalendar import Timezone

    return Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=TZ_FIRST,
                                last_date=TZ_LAST)


def render_feed(published: Sequence[Published], *, name: str, calendar_uid: str,
                description: str, committee: str | None = None) -> bytes:
    """The feed's bytes. ``committee``: entries it neither leads nor hosts (it only
    supports them) show their support variant."""
    from icalendar import Calendar, vText  # only when assembling: an idle run never does

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
    for tzid in sorted({p.entry.tzid for p in published if not p.entry.all_day}):
        cal.add_component(vtimezone(tzid))
    head: bytes = cal.to_ical()
    assert head.endswith(END)
    return b"".join([head[: -len(END)], *feed_events(published, committee), END])


def feed_events(published: Sequence[Published], committee: str | None = None) -> list[bytes]:
    """The VEVENTs of a feed, in order: the support variant of the entries ``committee``
    neither leads nor hosts. With the feed's properties, all its bytes depend on (its
    VTIMEZONEs follow from the VEVENTs' TZIDs)."""
    return [p.vevent_support if committee is not None
            and committee not in (p.entry.owner, p.entry.host)
            and p.vevent_support is not None else p.vevent for p in published]
