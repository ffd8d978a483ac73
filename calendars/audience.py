"""Who a calendar entry concerns, by the contact directory's roles.

Two questions, answered from a contact's roles (``ROLE:SCOPE``, see docs/reminders.md):

- :func:`follows`: does the entry belong in the contact's private feed? Everything a
  committee or agency they lead, chair, serve as secretariat or review for leads, supports
  or hosts; for a plain ``member``, the meetings and events of their committee or agency
  (owned or hosted).
- :func:`attendees`: who is invited to a meeting, review or event: the owner committee's
  leads, chairs and members, the host's leads and members, and the supporting committees'
  leads — the same people the ``meeting-N`` reminders reach. Every attendee also
  :func:`follows` the entry, so an invitation is always in the recipient's own feed.
"""

from __future__ import annotations

from collections.abc import Iterable

from naptip.base.contact_types import ContactInfo
from naptip.calendars.entries import Entry
from naptip.people.reminders import MEETING_AUDIENCE, MEETING_KINDS


def is_meeting(entry: Entry) -> bool:
    """A meeting, review (timed) or event (all-day): what invitations are sent for."""
    return entry.kind in MEETING_KINDS


def follows(contact: ContactInfo, entry: Entry) -> bool:
    """Whether the entry is in the contact's feed (what they lead, support or attend)."""
    for role in contact.roles:
        if role.role == "member":
            if entry.kind in MEETING_KINDS and role.scope in (entry.owner, entry.host):
                return True
        elif entry.involves(role.scope):
            return True
    return False


def _invited(contact: ContactInfo, entry: Entry) -> bool:
    """The reminders' rule (:data:`naptip.people.reminders.MEETING_AUDIENCE`), on an entry."""
    for role in contact.roles:
        if role.scope == entry.owner and role.role in MEETING_AUDIENCE["owner"]:
            return True
        if entry.host is not None and role.scope == entry.host and (
                role.role in MEETING_AUDIENCE["host"]):
            return True
        if role.scope in entry.support and role.role in MEETING_AUDIENCE["support"]:
            return True
    return False


def attendees(contacts: Iterable[ContactInfo], entry: Entry) -> list[ContactInfo]:
    """The active contacts invited to a meeting entry, by e-mail (none for other kinds)."""
    if not is_meeting(entry):
        return []
    return sorted((c for c in contacts if c.active and _invited(c, entry)),
                  key=lambda c: c.email)
