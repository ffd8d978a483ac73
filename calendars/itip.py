"""One invitation as an iTIP (RFC 5546) e-mail: what Outlook and Google take as a meeting.

The VEVENT is the one the feeds published (stored in ``calendar_entry``: same UID,
SEQUENCE, times, status and text), parsed back by icalendar and completed for one
attendee: ORGANIZER (the secretariat's mailbox), ATTENDEE (the recipient, RSVP=FALSE:
naptip reads no replies), DTSTAMP the send time, no VALARMs (the recipient's client sets
its own). The calendar's METHOD is REQUEST, or CANCEL for an entry that left the plan.

The message is built by the stdlib ``email`` package: ``multipart/mixed`` holding a
``multipart/alternative`` (plain text, then ``text/calendar; method=...`` with the same
METHOD as the calendar) and the same calendar as an ``invite.ics`` attachment for
clients that only show attachments. apprise cannot send this (see docs/calendars.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from naptip.calendars.entries import Entry, one_line
from naptip.calendars.feed import PRODID, vtimezone
from naptip.notifications.digest import format_day
from naptip.time.clock import PLAN_TZ

if TYPE_CHECKING:
    from icalendar import vCalAddress

REQUEST, CANCEL = "REQUEST", "CANCEL"

_SUBJECT = {
    "en": {"new": "Invitation", "update": "Updated invitation", CANCEL: "Cancelled"},
    "ms": {"new": "Jemputan", "update": "Jemputan dikemas kini", CANCEL: "Dibatalkan"},
}
_TEXT = {
    "en": {"when": "When", "where": "Where", CANCEL: "This meeting is cancelled.",
           "update": "This invitation replaces the one sent before (the meeting changed)."},
    "ms": {"when": "Bila", "where": "Di mana", CANCEL: "Mesyuarat ini dibatalkan.",
           "update": "Jemputan ini menggantikan jemputan sebelumnya (mesyuarat berubah)."},
}


@dataclass(frozen=True, kw_only=True)
class Person:
    name: str
    email: str


def itip_calendar(vevent: bytes, entry: Entry, *, method: str, organizer: Person,
                  attendee: Person, stamp: datetime) -> bytes:
    """The VCALENDAR of one invitation (or cancellation) to one attendee."""
    from icalendar import Calendar, Event, vText  # only when inviting: an idle run never is

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if not entry.all_day:
        cal.add_component(vtimezone(entry.tzid))
    event: Any = Event.from_ical(vevent)
    event.subcomponents = []  # no VALARMs in an invitation
    del event["DTSTAMP"]
    event.add("dtstamp", stamp)
    event.add("organizer", _address(organizer, {}))
    event.add("attendee", _address(attendee, {
        "CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION",
        "RSVP": "FALSE"}))
    if method == CANCEL:
        event["STATUS"] = vText("CANCELLED")
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _address(person: Person, params: dict[str, str]) -> vCalAddress:
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = one_line(person.name).replace('"', "'")
    for key, value in params.items():
        address.params[key] = value
    return address


def _when(entry: Entry, language: str) -> str:
    start, end = entry.starts(), entry.ends()
    if isinstance(start, datetime) and isinstance(end, datetime):
        return (f"{format_day(start.date(), language)}, {start:%H:%M}–{end:%H:%M} "
                f"({entry.tzid})")
    assert isinstance(start, date)
    return format_day(start, language)


def build_invitation(entry: Entry, calendar: bytes, *, method: str, update: bool,
                     organizer: Person, attendee: Person, language: str, batch: str,
                     stamp: datetime) -> EmailMessage:
    """The e-mail carrying ``calendar`` (from :func:`itip_calendar`) to ``attendee``."""
    words = _SUBJECT.get(language, _SUBJECT["en"])
    text = _TEXT.get(language, _TEXT["en"])
    lead = words[CANCEL] if method == CANCEL else words["update" if update else "new"]
    when = _when(entry, language)
    msg = EmailMessage()
    local, _, domain = organizer.email.partition("@")
    msg["From"] = Address(display_name=one_line(organizer.name), username=local, domain=domain)
    to_local, _, to_domain = attendee.email.partition("@")
    msg["To"] = Address(display_name=one_line(attendee.name), username=to_local,
                        domain=to_domain)
    msg["Subject"] = one_line(f"{lead}: {entry.summary} — {when}")
    msg["Date"] = format_datetime(stamp.astimezone(PLAN_TZ))  # read as Kuala Lumpur time
    msg["Message-ID"] = make_msgid(idstring=batch[:16], domain=domain or "naptip.invalid")
    msg["X-Naptip-Batch"] = batch
    msg["Auto-Submitted"] = "auto-generated"
    lines = [entry.summary, "", f"{text['when']}: {when}"]
    if entry.location:
        lines.append(f"{text['where']}: {entry.location}")
    if method == CANCEL:
        lines += ["", text[CANCEL]]
    elif update:
        lines += ["", text["update"]]
    lines += ["", entry.description, ""]
    msg.set_content("\n".join(lines))
    ics = calendar.decode()
    msg.add_alternative(ics, subtype="calendar", params={"method": method})
    msg.add_attachment(calendar, maintype="application", subtype="ics",
                       filename="invite.ics")
    return msg
