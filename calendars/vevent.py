"""One entry as a VEVENT, serialised by icalendar, in its two variants.

An entry looks the same in every feed except in a committee feed of a committee that only
supports it (neither leads nor hosts it): there its summary is marked ``[Support]``, it has
the category "Supporting role" and its description names the lead. Both variants are
rendered when the ledger records a new state of the entry and kept there, so a feed is
assembled from stored components and only a changed entry is rendered again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from naptip.calendars.entries import Entry, one_line

SUPPORT_MARK = "[Support] "
#: bump when the rendering below changes: stored components are then rendered again
RENDER_VERSION = 2


def needs_support_variant(e: Entry) -> bool:
    """Whether some committee feed shows this entry as only supporting it (a host's feed
    shows the entry as it is: the host runs the meeting)."""
    return bool(e.support)


def render_vevent(e: Entry, *, sequence: int, created: datetime, last_modified: datetime,
                  cancelled: bool, supporting: bool = False) -> bytes:
    """The VEVENT's bytes (BEGIN:VEVENT ... END:VEVENT, CRLF, folded)."""
    from icalendar import Alarm, Event, vText  # only when rendering: an idle run never is

    ev = Event()
    ev.add("uid", vText(e.uid))
    ev.add("dtstamp", last_modified)
    ev.add("created", created)
    ev.add("last-modified", last_modified)
    ev.add("sequence", sequence)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    ev.add("summary", vText((SUPPORT_MARK if supporting else "") + e.summary))
    ev.add("dtstart", e.starts())
    ev.add("dtend", e.ends())
    ev.add("transp", "TRANSPARENT" if e.all_day else "OPAQUE")
    ev.add("categories", [*e.categories, *(["Supporting role"] if supporting else [])])
    description = e.description
    if supporting:
        description = (f"Your committee supports this; the lead is {e.owner_name}.\n\n"
                       + description)
    ev.add("description", vText(description))
    if e.location:
        ev.add("location", vText(e.location))
    ev.add("x-naptip-occurrence", vText(one_line(e.occurrence)))
    ev.add("x-naptip-kind", vText(one_line(e.kind)))
    if not cancelled:
        for days in e.alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", vText(f"{e.summary}: in {days} "
                                           f"{'day' if days == 1 else 'days'}" if days
                                           else e.summary))
            alarm.add("trigger", timedelta(days=-days))
            ev.add_component(alarm)
    data: bytes = ev.to_ical()
    return data
