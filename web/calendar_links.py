"""The calendar feeds a contact can subscribe to.

SEAM: the calendars issue publishes the feeds (per committee, per contact, the whole
plan). Until it is wired in, this lists the feeds a contact will get, without addresses.
The lead replaces the body of ``calendar_links`` with the real feed URLs.
"""

from __future__ import annotations

from dataclasses import dataclass

from naptip.contact_types import ContactInfo


@dataclass(frozen=True)
class CalendarLink:
    label: str
    url: str | None  #: None: not published yet


def calendar_links(contact: ContactInfo, base_url: str) -> list[CalendarLink]:
    """The feeds for this contact: their own, each of their committees', the whole plan."""
    scopes = list(dict.fromkeys(r.scope for r in contact.roles))
    return [CalendarLink(f"{contact.name}", None),
            *(CalendarLink(scope, None) for scope in scopes),
            CalendarLink("NAPTIP 3.0", None)]
