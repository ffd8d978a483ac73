"""Meeting invitations: iTIP e-mails to each attendee, exactly once per UID and SEQUENCE.

``invite(db, catalog, settings, day=...)`` is what ``naptip calendar invite`` and the daily
run call. It

1. brings the calendar ledger (``calendar_entry``) up to date, exactly as ``calendar
   export``/``publish`` do, so an invitation carries the VEVENT, UID and SEQUENCE the
   feeds publish;
2. for every meeting, review and event, works out who should hear what:

   - a coming entry (starting from ``day`` to ``ahead_days`` later) → METHOD:REQUEST to
     each attendee from the contact directory (``audience.attendees``);
   - an entry the attendee was already invited to, whatever its date (as long as it has
     not started) → the current state again when its SEQUENCE grew: the update of a
     moved meeting;
   - a cancelled entry (it left the plan: an EXDATE, a withdrawn activity) → METHOD:CANCEL
     to everyone who holds an invitation to it; so does a contact who holds one but is no
     longer an attendee (another host took the turn, a role or the contact was removed);

3. claims each (occurrence, ``invite-SEQ`` or ``cancel-SEQ``, address) in the reminders'
   exactly-once ledger (``reminder_sent``), sends the messages over the reminders' SMTP
   settings (``[mail]``), or keeps them in the outbox (in the store) without ``[mail]``, and marks
   each result. A failed message is retried by a later run after the reminders' backoff;
   one that was sent is never sent again.

ORGANIZER is the ``[mail]`` sender (the secretariat's mailbox); without ``[mail]`` it is
:data:`OUTBOX_ORGANIZER`, since the outbox sends nothing anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.config import Settings
from naptip.base.contact_types import ContactInfo
from naptip.calendars.audience import attendees, is_meeting
from naptip.calendars.entries import Entry
from naptip.calendars.itip import CANCEL, REQUEST, Person, build_invitation, itip_calendar
from naptip.calendars.ledger import DEFAULT_KEEP_CANCELLED_DAYS, Published
from naptip.calendars.publish import record_stored
from naptip.occurrences.schedule import Schedule
from naptip.people.contacts import ContactDirectory
from naptip.people.reminder_ledger import claim, mark, pending_keys
from naptip.people.reminders import Delivery, Item, all_contacts
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import ReminderSent

if TYPE_CHECKING:
    from naptip.plan.pluginmanager import LoadedPlugins

#: invitations go out this many days before an entry starts (updates and cancellations of
#: what was already sent go out whenever they happen, until the entry starts)
INVITE_AHEAD_DAYS = 90
#: the organizer when no ``[mail]`` is configured (messages go to the outbox)
OUTBOX_ORGANIZER = Person(name="NAPTIP Secretariat", email="naptip@localhost.invalid")
_PREFIXES = ("invite-", "cancel-")


@dataclass(frozen=True)
class Invitation:
    """One message: an entry's REQUEST or CANCEL at one SEQUENCE to one attendee."""

    uid: str
    occurrence: str
    summary: str
    start: str
    method: str  #: REQUEST or CANCEL
    sequence: int
    update: bool  #: the attendee had an earlier SEQUENCE of this entry
    name: str
    email: str
    status: str = ""  #: sent, outbox, failed, would send
    detail: str = ""

    @property
    def stage(self) -> str:
        return f"{'cancel' if self.method == CANCEL else 'invite'}-{self.sequence}"


@dataclass
class InviteReport:
    """What a run sent (or would send) and what failed; ``ok`` when nothing failed."""

    day: date
    dry_run: bool = False
    outcomes: list[Invitation] = field(default_factory=list)
    #: the calendar ledger as this run recorded it (None in a dry run, which records
    #: nothing): the feeds published next in the same run start from it
    ledger: list[Published] | None = None

    @property
    def sent(self) -> list[Invitation]:
        return [o for o in self.outcomes if o.status in ("sent", "outbox")]

    @property
    def failed(self) -> list[Invitation]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def invite(db: Database, catalog: Catalog, settings: Settings, *, day: date,
           dry_run: bool = False, now: datetime | None = None,
           loaded: LoadedPlugins | None = None, ahead_days: int = INVITE_AHEAD_DAYS,
           keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
           outbox: Path | None = None, environ: Mapping[str, str] | None = None,
           actor: str = "naptip", retry_failed: bool = False,
           schedule: Schedule | None = None) -> InviteReport:
    """Send the invitations, updates and cancellations due on ``day`` (see the module).

    ``now``: the send time (DTSTAMP, Date) and LAST-MODIFIED of what changed in the
    calendar ledger; default the current time. ``loaded``: plugins whose contacts are
    invited too. ``dry_run``: work out what the calendar ledger would record and what
    would be sent; write, claim and send nothing.
    ``retry_failed``: send again now what failed before, not after the ledger's backoff
    (the daily run's retries, as for reminders). ``schedule``: the plugins' schedule of
    ``catalog``, when the caller has built it already.
    """
    stamp = (now or datetime.now(UTC)).replace(microsecond=0)
    recorded = record_stored(db, catalog, now=stamp, today=day,
                             keep_cancelled_days=keep_cancelled_days, loaded=loaded,
                             dry_run=dry_run, schedule=schedule)
    known = set(catalog.committees) | set(catalog.agencies)
    contacts, _problems = all_contacts(ContactDirectory(db).all(), loaded, known)
    todo = _due(db, contacts, day, ahead_days, recorded.ledger)
    report = InviteReport(day=day, dry_run=dry_run,
                          ledger=None if dry_run else recorded.ledger)
    if dry_run:
        done = pending_keys(db, [d for _e, _v, group in todo for _i, d in group])
        for _entry, _vevent, group in todo:
            for inv, d in group:
                if (inv.occurrence, inv.stage, d.key) not in done:
                    report.outcomes.append(_with(inv, "would send", ""))
        return report
    return _send(db, settings, todo, report, stamp=stamp, outbox=outbox, environ=environ,
                 actor=actor, retry_failed=retry_failed)


_Todo = list[tuple[Entry, bytes, list[tuple[Invitation, Delivery]]]]


def _due(db: Database, contacts: Sequence[ContactInfo], day: date, ahead_days: int,
         ledger: Sequence[Published]) -> _Todo:
    """Per meeting entry: the invitations its current state calls for, from the whole
    calendar ledger as just recorded (or, in a dry run, as it would be recorded)."""
    horizon = day + timedelta(days=ahead_days)
    with db.reading() as session:
        # what has begun gets no invitation, update or cancellation any more
        entries = sorted(((p.entry, p.sequence, p.cancelled, p.vevent) for p in ledger
                          if p.entry.start[:10] >= day.isoformat()),
                         key=lambda x: (x[0].start[:10], x[0].start, x[0].uid))
        entries = [x for x in entries if is_meeting(x[0])]
        invited = _invited(session, [e.occurrence for e, *_ in entries])
    out: _Todo = []
    for entry, sequence, cancelled, vevent in entries:
        start = date.fromisoformat(entry.start[:10])
        before = invited.get(entry.occurrence, {})
        holders = {email for email, stages in before.items() if _holds(stages)}
        if cancelled:
            wanted: list[ContactInfo] = []
        else:
            wanted = [c for c in attendees(contacts, entry)
                      if start <= horizon or c.email in before]
        known = {c.email: c for c in contacts}
        gone = sorted(holders - {c.email for c in wanted})  # cancelled, or no longer invited
        messages = [(c, REQUEST) for c in wanted] + [
            (known.get(email) or ContactInfo(name=email, email=email), CANCEL)
            for email in gone]
        group = []
        for person, method in sorted(messages, key=lambda m: m[0].email):
            had = before.get(person.email, {})
            inv = Invitation(uid=entry.uid, occurrence=entry.occurrence, summary=entry.summary,
                             start=entry.start, method=method, sequence=sequence,
                             update=any(_parse(s)[0] < sequence for s in had),
                             name=person.name, email=person.email)
            if had.get(inv.stage) == "sent":
                continue  # a claim still "sending" goes on: the claim re-takes it if stale
            group.append((inv, _delivery(person, entry, inv, day)))
        if group:
            out.append((entry, vevent, group))
    return out


def _invited(session: Session, occurrences: list[str]) -> dict[str, dict[str, dict[str, str]]]:
    """occurrence → address → stage → status, of the invitations sent or being sent."""
    found: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for n in range(0, len(occurrences), 500):
        for oid, stage, recipient, status in session.execute(
                select(ReminderSent.occurrence_id, ReminderSent.stage, ReminderSent.recipient,
                       ReminderSent.status)
                .where(ReminderSent.occurrence_id.in_(occurrences[n:n + 500]),
                       ReminderSent.status.in_(("sent", "sending")))).all():
            if stage.startswith(_PREFIXES):
                found[oid][recipient][stage] = status
    return found


def _parse(stage: str) -> tuple[int, bool]:
    """``invite-3`` → (3, False); ``cancel-4`` → (4, True)."""
    kind, _, sequence = stage.partition("-")
    return int(sequence), kind == "cancel"


def _holds(stages: dict[str, str]) -> bool:
    """Whether the last message this attendee got was an invitation (not a CANCEL)."""
    return bool(stages) and not max(_parse(s) for s in stages)[1]


def _delivery(person: ContactInfo, entry: Entry, inv: Invitation, day: date) -> Delivery:
    """The reminders ledger's view of one invitation: one item, keyed by its stage."""
    due = date.fromisoformat(entry.start[:10])
    item = Item(occurrence_id=entry.occurrence, title=entry.summary, kind=entry.kind,
                section="meeting", stage=inv.stage, due=due, days=(due - day).days,
                unshifted=None, owner=entry.owner, owner_name=entry.owner_name,
                owner_name_ms=entry.owner_name, host=entry.host)
    return Delivery(contact=person, channel="email", items=(item,))


def _with(inv: Invitation, status: str, detail: str) -> Invitation:
    from dataclasses import replace

    return replace(inv, status=status, detail=detail)


def _send(db: Database, settings: Settings, todo: _Todo, report: InviteReport, *,
          stamp: datetime, outbox: Path | None, environ: Mapping[str, str] | None,
          actor: str, retry_failed: bool = False) -> InviteReport:
    from naptip.notifications.dispatch import MailTransport
    from naptip.notifications.outbox import outbox_of
    from naptip.notifications.transport import OutboxTransport, SendError, SmtpTransport

    if not todo:
        return report
    mail: MailTransport
    if settings.mail is not None:
        smtp = SmtpTransport.from_settings(settings.mail, environ)
        organizer, status, mail = Person(name=smtp.sender_name, email=smtp.sender), "sent", smtp
    else:
        organizer, status = OUTBOX_ORGANIZER, "outbox"
        mail = OutboxTransport(outbox_of(db, environ, copy_to=outbox))
    try:
        for entry, vevent, group in todo:
            # one claim per entry: every (attendee, stage) of it gets its own batch
            by_key = {d.key: inv for inv, d in group}
            for c in claim(db, [d for _inv, d in group], settings.reminders, actor=actor,
                           now=stamp, retry_failed=retry_failed):
                inv = by_key[c.delivery.key]
                attendee = Person(name=c.delivery.contact.name, email=c.delivery.contact.email)
                calendar = itip_calendar(vevent, entry, method=inv.method, organizer=organizer,
                                         attendee=attendee, stamp=stamp)
                msg = build_invitation(entry, calendar, method=inv.method, update=inv.update,
                                       organizer=organizer, attendee=attendee,
                                       language=c.delivery.contact.language, batch=c.batch,
                                       stamp=stamp)
                try:
                    detail = mail.send(msg, attendee.email)
                except SendError as exc:
                    mark(db, c.batch, error=str(exc), policy=settings.reminders,
                         now=stamp)
                    report.outcomes.append(_with(inv, "failed", str(exc)))
                    continue
                mark(db, c.batch, error=None, policy=settings.reminders,
                         now=stamp)
                report.outcomes.append(_with(inv, status, detail))
    finally:
        mail.close()
    return report
