"""The reminder ledger: what makes dispatch exactly-once across reruns, retries,
concurrent runs and crashes.

Items already ``sent`` are dropped first, in a read without any lock (a sent row never
changes again), so a run with nothing new neither takes the writer lock nor loads the
ledger's rows: the rest goes through the claim.

``claim`` runs in ONE write transaction that first takes the store's writer lock (the
audit head row; SQLite's ``BEGIN IMMEDIATE``), so concurrent runs decide one after the
other. It inserts a ``sending`` row per (occurrence, stage, recipient) it decides to send
(the unique key makes a second row impossible), re-claims rows that failed and whose
retry time has come (at once with ``retry_failed``), and rows still ``sending`` whose holder
is dead: the run (or process) that claimed them is recorded with each row, and it is dead
when its run's record is closed, its process is gone on this host, or its heartbeat is
stale (``naptip.store.liveness``); failing all that, after ``claim_timeout_minutes``. Everything
else is already sent, or pending in a live run's hands: left out, and reported as
:class:`Held` (why, and when it will go).

After each message, ``mark`` records its result on every row of its batch: ``sent``, or
``failed`` with the reason and a retry time that doubles with each attempt.

The bound: a run killed after a message left but before ``mark`` committed leaves that one
batch ``sending``; the next run, once the holder is known dead, sends it again. So a crash
duplicates at most the message in flight and loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from naptip.base.config import ReminderSettings
from naptip.base.secret_urls import mask_url
from naptip.people.reminders import Delivery, Item
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.liveness import holder_dead, host_name, stamp
from naptip.store.orm import AuditHead, ReminderSent, RunRecord


@dataclass(frozen=True)
class Claimed:
    delivery: Delivery  #: with only the items this run claimed
    batch: str


@dataclass(frozen=True)
class Holder:
    """Who claims: a run's id (its record in ``naptip.work.runlog``), else this process."""

    run_id: str | None = None
    host: str = field(default_factory=host_name)
    pid: int = field(default_factory=os.getpid)


@dataclass(frozen=True)
class Held:
    """Items of a delivery left out because they are pending: why, and when they go."""

    delivery: Delivery  #: with only the held items
    why: str
    when: datetime | None  #: when a run may send them at the latest (None: unknown)

    @property
    def items(self) -> int:
        return len(self.delivery.items)

    def describe(self) -> str:
        go = f" (at the latest by the first run after {stamp(self.when)})" if self.when else ""
        return f"{self.items} item(s) for {self.delivery.contact.email}: {self.why}{go}"


@dataclass
class Claims:
    claimed: list[Claimed] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)


def batch_key(run: str, delivery: Delivery) -> str:
    return hashlib.sha256(f"{run}\0{delivery.key}".encode()).hexdigest()[:32]


def pending_keys(db: Database, deliveries: Sequence[Delivery]) -> set[tuple[str, str, str]]:
    """Keys already sent or claimed (for an invitation's --dry-run)."""
    ids = {i.occurrence_id for d in deliveries for i in d.items}
    if not ids:
        return set()
    with db.reading() as session:
        return {(r.occurrence_id, r.stage, r.recipient) for r in session.execute(
            select(ReminderSent).where(ReminderSent.occurrence_id.in_(ids),
                                       ReminderSent.status.in_(("sent", "sending")))).scalars()}


def _decide(row: ReminderSent, runs: dict[str, RunRecord], when: datetime,
            policy: ReminderSettings, retry_failed: bool) -> tuple[str, datetime | None] | None:
    """None: a run may claim ``row`` now; else why it is pending and until when."""
    if row.status == "failed":
        if retry_failed or (row.next_attempt_at or when) <= when:
            return None
        error = " ".join((row.last_error or "unknown error").split())[:200]
        return f"failed ({error}), retried after its backoff", row.next_attempt_at
    # sending: claimed by a run or process that may still be sending it
    timeout = (row.claimed_at or when) + timedelta(minutes=policy.claim_timeout_minutes)
    if timeout <= when:
        return None
    run = runs.get(row.claimed_by or "")
    if run is not None:
        if run.status != "running":
            return None  # its run ended without marking it: it died in flight
        if holder_dead(host=run.host, pid=run.pid, heartbeat_at=run.heartbeat_at,
                       now=when) is not None:
            return None
        who = f"run {run.id[:12]} on {run.host}"
    else:
        if holder_dead(host=row.claim_host, pid=row.claim_pid, heartbeat_at=None,
                       now=when) is not None:
            return None
        who = f"process {row.claim_pid} on {row.claim_host}" if row.claim_pid else "a run"
    since = stamp(row.claimed_at) if row.claimed_at else "?"
    return f"being sent by {who} since {since}; released at once if it dies", timeout


def _holders(session: Session, rows: Sequence[ReminderSent]) -> dict[str, RunRecord]:
    ids = sorted({r.claimed_by for r in rows if r.status == "sending" and r.claimed_by})
    if not ids:
        return {}
    return {r.id: r for r in session.execute(
        select(RunRecord).where(RunRecord.id.in_(ids))).scalars()}


def _split(deliveries: Sequence[Delivery], existing: dict[tuple[str, str, str], ReminderSent],
           runs: dict[str, RunRecord], when: datetime, policy: ReminderSettings,
           retry_failed: bool) -> tuple[list[tuple[Delivery, list[ReminderSent | None]]],
                                        list[Held]]:
    """Per delivery: the items a run may claim (with their row, None when new), and the
    items held, grouped by the reason."""
    todo: list[tuple[Delivery, list[ReminderSent | None]]] = []
    held: list[Held] = []
    for delivery in deliveries:
        mine, rows = [], []
        waiting: dict[tuple[str, datetime | None], list[Item]] = {}
        for item in delivery.items:
            row = existing.get((item.occurrence_id, item.stage, delivery.key))
            if row is not None and row.status not in ("failed", "sending"):
                continue  # sent
            why = None if row is None else _decide(row, runs, when, policy, retry_failed)
            if why is None:
                mine.append(item)
                rows.append(row)
            else:
                waiting.setdefault(why, []).append(item)
        if mine:
            todo.append((replace(delivery, items=tuple(mine)), rows))
        for (why_text, until), items in waiting.items():
            held.append(Held(replace(delivery, items=tuple(items)), why_text, until))
    return todo, held


def unsent(db: Database, deliveries: Sequence[Delivery]) -> list[Delivery]:
    """The deliveries without their items already sent, and without those left empty.

    Read without a lock: ``sent`` is final (nothing turns a sent row back), so what is
    dropped here a claim would drop too; whatever else is decided under the claim's lock."""
    ids = sorted({i.occurrence_id for d in deliveries for i in d.items})
    if not ids:
        return list(deliveries)
    sent: set[str] = set()
    # one text a row (thousands of rows): the parts joined by the unit separator, which
    # no id, stage or address holds (and PostgreSQL's text, unlike NUL, accepts)
    key = ReminderSent.occurrence_id + "\x1f" + ReminderSent.stage + "\x1f" + ReminderSent.recipient
    with db.reading() as session:
        for start in range(0, len(ids), 500):
            sent.update(session.execute(select(key).where(
                ReminderSent.occurrence_id.in_(ids[start:start + 500]),
                ReminderSent.status == "sent")).scalars())
    out = []
    for d in deliveries:
        items = tuple(i for i in d.items
                      if f"{i.occurrence_id}\x1f{i.stage}\x1f{d.key}" not in sent)
        if len(items) == len(d.items):
            out.append(d)
        elif items:
            out.append(replace(d, items=items))
    return out


def preview(db: Database, deliveries: Sequence[Delivery], policy: ReminderSettings, *,
            now: datetime | None = None, retry_failed: bool = False,
            ) -> tuple[list[Delivery], list[Held]]:
    """What :func:`claim` would decide now, written nowhere (``--dry-run``)."""
    when = now or datetime.now(UTC)
    deliveries = unsent(db, deliveries)
    if not deliveries:
        return [], []
    with db.reading() as session:
        existing = _existing(session, {i.occurrence_id for d in deliveries for i in d.items})
        runs = _holders(session, list(existing.values()))
        todo, held = _split(deliveries, existing, runs, when, policy, retry_failed)
    return [d for d, _rows in todo], held


def claim(db: Database, deliveries: Sequence[Delivery], policy: ReminderSettings, *,
          actor: str, now: datetime | None = None, retry_failed: bool = False,
          holder: Holder | None = None) -> list[Claimed]:
    """What this run claimed (see :func:`claim_all` for what it left pending)."""
    return claim_all(db, deliveries, policy, actor=actor, now=now, retry_failed=retry_failed,
                     holder=holder).claimed


def claim_all(db: Database, deliveries: Sequence[Delivery], policy: ReminderSettings, *,
              actor: str, now: datetime | None = None, retry_failed: bool = False,
              holder: Holder | None = None) -> Claims:
    deliveries = unsent(db, deliveries)
    if not deliveries:  # everything was sent already: no lock, no write
        return Claims()
    run = uuid.uuid4().hex
    who = holder or Holder()
    by = (who.run_id or f"pid:{who.pid}")[:40]
    owner = {"claimed_by": by, "claim_host": who.host, "claim_pid": who.pid}

    def work(session: Session) -> Claims:
        when = now or datetime.now(UTC)
        session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
        existing = _existing(session, {i.occurrence_id for d in deliveries for i in d.items})
        runs = _holders(session, list(existing.values()))
        todo, held = _split(deliveries, existing, runs, when, policy, retry_failed)
        claimed: list[Claimed] = []
        new_rows: list[dict[str, object]] = []
        for delivery, rows in todo:
            batch = batch_key(run, delivery)
            for item, row in zip(delivery.items, rows, strict=True):
                if row is None:
                    new_rows.append({
                        "occurrence_id": item.occurrence_id, "stage": item.stage,
                        "recipient": delivery.key, "status": "sending", "attempts": 1,
                        "batch": batch, "claimed_at": when, "created_at": when, **owner})
                else:
                    row.status, row.batch, row.claimed_at = "sending", batch, when
                    row.claimed_by, row.claim_host = by, who.host
                    row.claim_pid = who.pid
                    row.attempts += 1
            claimed.append(Claimed(delivery, batch))
        if new_rows:
            session.execute(insert(ReminderSent), new_rows)
        if claimed:
            session.flush()
            audit.append(session, actor=actor, action="reminders.claimed", subject="reminders",
                         payload={c.batch: {"to": c.delivery.contact.email,
                                            "channel": mask_url(c.delivery.channel),
                                            "items": [f"{i.occurrence_id} {i.stage}"
                                                      for i in c.delivery.items]}
                                  for c in claimed}, at=when)
        return Claims(claimed, held)

    return db.write(work)


def _existing(session: Session, occurrence_ids: set[str],
              ) -> dict[tuple[str, str, str], ReminderSent]:
    found: dict[tuple[str, str, str], ReminderSent] = {}
    ordered = sorted(occurrence_ids)
    for start in range(0, len(ordered), 500):
        for row in session.execute(select(ReminderSent).where(
                ReminderSent.occurrence_id.in_(ordered[start:start + 500]))).scalars():
            found[(row.occurrence_id, row.stage, row.recipient)] = row
    return found


def mark(db: Database, batch: str, *, error: str | None, policy: ReminderSettings,
         now: datetime | None = None) -> None:
    """Record a message's result on every row of its batch."""

    def work(session: Session) -> None:
        when = now or datetime.now(UTC)
        if error is None:
            session.execute(update(ReminderSent).where(
                ReminderSent.batch == batch, ReminderSent.status == "sending").values(
                status="sent", sent_at=when, last_error=None))
            return
        for row in session.execute(select(ReminderSent).where(
                ReminderSent.batch == batch, ReminderSent.status == "sending")).scalars():
            wait = policy.retry_minutes * 2 ** max(0, row.attempts - 1)
            row.status, row.last_error = "failed", error[:2000]
            row.next_attempt_at = when + timedelta(minutes=min(wait, 7 * 24 * 60))

    db.write(work)
