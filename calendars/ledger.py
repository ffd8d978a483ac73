"""The publication ledger: what the feeds last published per UID, kept in the store.

``reconcile`` compares the entries the plan has now with what was published before:

- a new entry is published with SEQUENCE 0;
- an entry whose fingerprint (date, time, status, text) changed gets SEQUENCE + 1 and a new
  LAST-MODIFIED; an unchanged one keeps both, so the same data gives the same bytes;
- an entry that left the plan is published as STATUS:CANCELLED (SEQUENCE + 1) from the
  day it left, for ``keep_cancelled_days``; after that it leaves the feeds. Its row stays,
  so an entry that comes back continues with a higher SEQUENCE.

DTSTAMP and LAST-MODIFIED come from this ledger, never from the clock of the export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip import audit
from naptip.db import Database
from naptip.orm import CalendarEntry

from .entries import Entry

CONFIRMED, CANCELLED = "confirmed", "cancelled"
DEFAULT_KEEP_CANCELLED_DAYS = 60


@dataclass(frozen=True, kw_only=True, slots=True)
class Published:
    """One entry as the feeds show it now."""

    entry: Entry
    sequence: int
    created: datetime
    last_modified: datetime
    cancelled: bool
    left_on: date | None = None  #: the day a cancelled entry left the plan


@dataclass
class Reconciled:
    published: list[Published]  #: what the feeds show, by start then UID
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)

    @property
    def touched(self) -> bool:
        return bool(self.created or self.changed or self.cancelled or self.restored)


def reconcile(db: Database, entries: Iterable[Entry], *, now: datetime, today: date,
              keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
              actor: str = "naptip") -> Reconciled:
    """Record what is published now; return what the feeds must show."""
    if keep_cancelled_days < 0:
        raise ValueError("keep_cancelled_days must be 0 or more")
    wanted = {e.uid: e for e in entries}
    prints = {uid: e.fingerprint() for uid, e in wanted.items()}
    stamp = now.replace(microsecond=0)

    with db.reading() as session:
        plan = _plan(session, wanted, prints, stamp, today)
    if plan.touched:
        def work(session: Session) -> Reconciled:
            result = _plan(session, wanted, prints, stamp, today, apply=True)
            if result.touched:
                audit.append(session, actor=actor, action="calendar.published",
                             subject="calendar", at=stamp, payload={
                                 "created": len(result.created), "changed": result.changed,
                                 "cancelled": result.cancelled, "restored": result.restored})
            return result

        plan = db.write(work)
    cutoff = today - timedelta(days=keep_cancelled_days)
    plan.published = [p for p in plan.published
                      if p.left_on is None or p.left_on > cutoff]
    plan.published.sort(key=lambda p: (p.entry.start[:10], p.entry.uid))
    return plan


def _plan(session: Session, wanted: dict[str, Entry], prints: dict[str, str], now: datetime,
          today: date, *, apply: bool = False) -> Reconciled:
    query = select(CalendarEntry)
    if apply:
        query = query.with_for_update()
    rows = {row.uid: row for row in session.execute(query).scalars()}
    out = Reconciled(published=[])
    for uid, entry in wanted.items():
        row = rows.get(uid)
        if row is None:
            out.created.append(uid)
            row = CalendarEntry(uid=uid, occurrence_id=entry.occurrence, fingerprint=prints[uid],
                                sequence=0, status=CONFIRMED, content=entry.to_json(),
                                created_at=now, last_modified=now, cancelled_on=None)
            if apply:
                session.add(row)
        elif row.status == CANCELLED or row.fingerprint != prints[uid]:
            (out.restored if row.status == CANCELLED else out.changed).append(uid)
            row = _updated(row, apply, fingerprint=prints[uid], content=entry.to_json(),
                           sequence=row.sequence + 1, status=CONFIRMED, last_modified=now,
                           cancelled_on=None)
        out.published.append(_published(row))
    for uid, row in rows.items():
        if uid in wanted:
            continue
        if row.status == CONFIRMED:
            out.cancelled.append(uid)
            row = _updated(row, apply, sequence=row.sequence + 1, status=CANCELLED,
                           last_modified=now, cancelled_on=today)
        out.published.append(_published(row))
    return out


def _updated(row: CalendarEntry, apply: bool, **values: object) -> CalendarEntry:
    """``row`` with new values: changed in place when applying, else a detached copy."""
    if not apply:
        fields = {c: getattr(row, c) for c in ("uid", "occurrence_id", "fingerprint",
                                                "sequence", "status", "content", "created_at",
                                                "last_modified", "cancelled_on")}
        row = CalendarEntry(**{**fields, **values})
        return row
    for name, value in values.items():
        setattr(row, name, value)
    return row


def _published(row: CalendarEntry) -> Published:
    return Published(entry=Entry.from_json(row.content), sequence=row.sequence,
                     created=row.created_at, last_modified=row.last_modified,
                     cancelled=row.status == CANCELLED,
                     left_on=row.cancelled_on if row.status == CANCELLED else None)
