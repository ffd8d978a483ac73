"""The publication ledger: what the feeds last published per UID, kept in the store.

``reconcile`` compares the entries the plan has now with what was published before:

- a new entry is published with SEQUENCE 0;
- an entry whose fingerprint (date, time, status, text) changed gets SEQUENCE + 1 and a new
  LAST-MODIFIED; an unchanged one keeps both, so the same data gives the same bytes;
- an entry that left the plan is published as STATUS:CANCELLED (SEQUENCE + 1) from the
  day it left, for ``keep_cancelled_days``; after that it leaves the feeds. Its row stays,
  so an entry that comes back continues with a higher SEQUENCE. An entry whose occurrence
  the store still holds (``keep``: the plugins lack it because of an error) is not
  cancelled: it stays as last published until a sync withdraws it.

DTSTAMP and LAST-MODIFIED come from this ledger, never from the clock of the export.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.calendars.entries import Entry
from naptip.calendars.vevent import RENDER_VERSION, needs_support_variant, render_vevent
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import AuditHead, CalendarEntry

CONFIRMED, CANCELLED = "confirmed", "cancelled"
DEFAULT_KEEP_CANCELLED_DAYS = 60
CHUNK = 500  #: rows locked per query (stays under every driver's parameter limit)


@dataclass(frozen=True, kw_only=True, slots=True)
class Published:
    """One entry as the feeds show it now."""

    entry: Entry
    sequence: int
    created: datetime
    last_modified: datetime
    cancelled: bool
    left_on: date | None = None  #: the day a cancelled entry left the plan
    vevent: bytes = b""  #: the component as icalendar serialised it
    vevent_support: bytes | None = None  #: as a committee that only supports it sees it


@dataclass
class Reconciled:
    published: list[Published]  #: what the feeds show, by start then UID
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    rerendered: list[str] = field(default_factory=list)  #: same entry, new rendering code
    #: every row of the ledger as it stands after this call, cancelled ones included
    ledger: list[Published] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return bool(self.created or self.changed or self.cancelled or self.restored
                    or self.rerendered)


def reconcile(db: Database, entries: Iterable[Entry], *, now: datetime, today: date,
              keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
              actor: str = "naptip", keep: Collection[str] = (),
              dry_run: bool = False, plan_id: str | None = None) -> Reconciled:
    """Record what is published now; return what the feeds must show.

    ``keep``: occurrence ids the store holds but the plugins no longer give: their
    entries stay exactly as last published (never cancelled); one never published is
    published from ``entries``. ``dry_run``: work out the same result on copies of the
    rows and write nothing (a dry run of the invitations must not advance the ledger).
    ``plan_id``: the ledger rows of that plan only (their UIDs end in
    ``.PLAN@naptip``): a store may hold several plans, and publishing one must never
    cancel another's entries."""
    if keep_cancelled_days < 0:
        raise ValueError("keep_cancelled_days must be 0 or more")
    wanted = {e.uid: e for e in entries}
    prints = {uid: e.fingerprint() for uid, e in wanted.items()}
    stamp = now.replace(microsecond=0)
    kept = frozenset(keep)

    with db.reading() as session:
        query = select(CalendarEntry)
        if plan_id is not None:
            query = query.where(CalendarEntry.uid.endswith(f".{plan_id}@naptip",
                                                           autoescape=True))
        rows = {row.uid: row for row in session.execute(query).scalars()}
        result = _compare(rows, wanted, prints, kept)
        unchanged = [_published(row) for uid, row in rows.items() if uid not in result.todo]
    if result.touched and dry_run:  # the rows are detached: changing them writes nothing
        unchanged += [_apply(None, rows.get(uid), uid, wanted.get(uid), prints.get(uid),
                             stamp, today) for uid in sorted(result.todo)]
    elif result.touched:
        def work(session: Session) -> list[Published]:
            # one publisher at a time: a second one waits here, then finds the work done
            session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())
            todo = sorted(result.todo)
            locked: dict[str, CalendarEntry] = {}
            for n in range(0, len(todo), CHUNK):
                locked.update((row.uid, row) for row in session.execute(
                    select(CalendarEntry).where(CalendarEntry.uid.in_(todo[n:n + CHUNK]))
                    .with_for_update()).scalars())
            versions = {uid: (row.sequence, row.render_version) for uid, row in locked.items()}
            done = [_apply(session, locked.get(uid), uid, wanted.get(uid), prints.get(uid),
                           stamp, today) for uid in todo]
            if all(versions.get(p.entry.uid) == (p.sequence, RENDER_VERSION) for p in done):
                return done  # a concurrent publisher recorded all of it first
            audit.append(session, actor=actor, action="calendar.published",
                         subject="calendar", at=stamp, payload={
                             "created": len(result.created), "changed": result.changed,
                             "cancelled": result.cancelled, "restored": result.restored,
                             "rerendered": len(result.rerendered)})
            return done

        unchanged += db.write(work)
    result.ledger = unchanged
    result.published = visible(unchanged, today=today, keep_cancelled_days=keep_cancelled_days)
    return result


def visible(ledger: Iterable[Published], *, today: date,
            keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS) -> list[Published]:
    """What the feeds show of the ledger on ``today``: every confirmed entry, and the
    cancelled ones for ``keep_cancelled_days`` after they left; by start, then UID."""
    cutoff = today - timedelta(days=keep_cancelled_days)
    return sorted((p for p in ledger if p.left_on is None or p.left_on > cutoff),
                  key=lambda p: (p.entry.start[:10], p.entry.uid))


@dataclass
class _Comparison(Reconciled):
    todo: set[str] = field(default_factory=set)


def _compare(rows: dict[str, CalendarEntry], wanted: dict[str, Entry],
             prints: dict[str, str], kept: frozenset[str] = frozenset()) -> _Comparison:
    """What must change, without changing anything. Published rows of ``kept``
    occurrences stay as they are; one never published is created from its entry."""
    out = _Comparison(published=[])
    for uid, entry in wanted.items():
        row = rows.get(uid)
        if row is None:
            out.created.append(uid)
        elif entry.occurrence in kept and row.status == CONFIRMED:
            continue
        elif row.status == CANCELLED:
            out.restored.append(uid)
        elif row.fingerprint != prints[uid]:
            out.changed.append(uid)
        elif row.render_version != RENDER_VERSION:
            out.rerendered.append(uid)
    for uid, row in rows.items():
        if uid in wanted or row.occurrence_id in kept:
            continue
        if row.status == CONFIRMED:
            out.cancelled.append(uid)
        elif row.render_version != RENDER_VERSION:
            out.rerendered.append(uid)
    out.todo = {*out.created, *out.restored, *out.changed, *out.cancelled, *out.rerendered}
    return out


def _apply(session: Session | None, row: CalendarEntry | None, uid: str, entry: Entry | None,
           fingerprint: str | None, now: datetime, today: date) -> Published:
    """Bring one row up to date under the write lock (a concurrent publisher may have
    done it already: then nothing is bumped twice) and render it. Without a session (a dry
    run), a new row is not added anywhere."""
    if entry is not None and fingerprint is not None:
        if row is None:
            row = CalendarEntry(uid=uid, occurrence_id=entry.occurrence, sequence=0,
                                fingerprint=fingerprint, content=entry.to_json(),
                                status=CONFIRMED, created_at=now, last_modified=now,
                                cancelled_on=None, render_version=0)
            if session is not None:
                session.add(row)
        elif row.status != CONFIRMED or row.fingerprint != fingerprint:
            row.sequence += 1
            row.fingerprint, row.content, row.status = fingerprint, entry.to_json(), CONFIRMED
            row.last_modified, row.cancelled_on, row.render_version = now, None, 0
    elif row is not None and row.status == CONFIRMED:
        row.sequence += 1
        row.status, row.last_modified, row.cancelled_on = CANCELLED, now, today
        row.render_version = 0
    assert row is not None
    if row.render_version != RENDER_VERSION:
        _render(row)
    return _published(row)


def _render(row: CalendarEntry) -> None:
    entry = Entry.from_json(row.content)

    def render(supporting: bool) -> str:
        return render_vevent(entry, sequence=row.sequence, created=row.created_at,
                             last_modified=row.last_modified,
                             cancelled=row.status == CANCELLED, supporting=supporting).decode()

    row.vevent = render(False)
    row.vevent_support = render(True) if needs_support_variant(entry) else None
    row.render_version = RENDER_VERSION


def published_row(row: CalendarEntry) -> Published:
    """One ledger row as the feeds show it."""
    return _published(row)


def _published(row: CalendarEntry) -> Published:
    cancelled = row.status == CANCELLED
    return Published(entry=Entry.from_json(row.content), sequence=row.sequence,
                     created=row.created_at, last_modified=row.last_modified,
                     cancelled=cancelled, left_on=row.cancelled_on if cancelled else None,
                     vevent=row.vevent.encode(),
                     vevent_support=row.vevent_support.encode()
                     if row.vevent_support is not None else None)
