"""The reminder ledger: what makes dispatch exactly-once across reruns, retries,
concurrent runs and crashes.

``claim`` runs in ONE write transaction that first takes the store's writer lock (the
audit head row; SQLite's ``BEGIN IMMEDIATE``), so concurrent runs decide one after the
other. It inserts a ``sending`` row per (occurrence, stage, recipient) it decides to send
(the unique key makes a second row impossible), re-claims rows that failed and whose
retry time has come, and rows still ``sending`` after ``claim_timeout_minutes`` (their run
died). Everything else is already sent or in someone else's hands: left out.

After each message, ``mark`` records its result on every row of its batch: ``sent``, or
``failed`` with the reason and a retry time that doubles with each attempt.

The bound: a run killed after a message left but before ``mark`` committed leaves that one
batch ``sending``; the next run after the claim timeout sends it again. So a crash
duplicates at most the message in flight and loses nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from . import audit
from .config import ReminderSettings
from .db import Database
from .orm import AuditHead, ReminderSent
from .reminders import Delivery
from .secret_urls import mask_url


@dataclass(frozen=True)
class Claimed:
    delivery: Delivery  #: with only the items this run claimed
    batch: str


def batch_key(run: str, delivery: Delivery) -> str:
    return hashlib.sha256(f"{run}\0{delivery.key}".encode()).hexdigest()[:32]


def pending_keys(db: Database, deliveries: Sequence[Delivery]) -> set[tuple[str, str, str]]:
    """Keys already sent or claimed (for --dry-run: what a run would leave out)."""
    ids = {i.occurrence_id for d in deliveries for i in d.items}
    if not ids:
        return set()
    with db.reading() as session:
        return {(r.occurrence_id, r.stage, r.recipient) for r in session.execute(
            select(ReminderSent).where(ReminderSent.occurrence_id.in_(ids),
                                       ReminderSent.status.in_(("sent", "sending")))).scalars()}


def claim(db: Database, deliveries: Sequence[Delivery], policy: ReminderSettings, *,
          actor: str, now: datetime | None = None, retry_failed: bool = False,
          ) -> list[Claimed]:
    run = uuid.uuid4().hex

    def work(session: Session) -> list[Claimed]:
        when = now or datetime.now(UTC)
        session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one()
        existing = _existing(session, {i.occurrence_id for d in deliveries for i in d.items})
        stale = when - timedelta(minutes=policy.claim_timeout_minutes)
        claimed: list[Claimed] = []
        new_rows: list[dict[str, object]] = []
        for delivery in deliveries:
            batch = batch_key(run, delivery)
            mine = []
            for item in delivery.items:
                row = existing.get((item.occurrence_id, item.stage, delivery.key))
                if row is None:
                    new_rows.append({
                        "occurrence_id": item.occurrence_id, "stage": item.stage,
                        "recipient": delivery.key, "status": "sending", "attempts": 1,
                        "batch": batch, "claimed_at": when, "created_at": when})
                elif (row.status == "failed" and (
                        retry_failed or (row.next_attempt_at or when) <= when)) or (
                        row.status == "sending" and (row.claimed_at or when) <= stale):
                    row.status, row.batch, row.claimed_at = "sending", batch, when
                    row.attempts += 1
                else:
                    continue
                mine.append(item)
            if mine:
                claimed.append(Claimed(replace(delivery, items=tuple(mine)), batch))
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
        return claimed

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
