"""``naptip outbox send``: deliver the outbox through ``[mail]``, each message once.

A message is claimed (``unsent`` -> ``sending``) in its own transaction before it is sent,
so two senders at once never send it twice; then marked ``sent``, or put back ``unsent``
with the error. A claim older than the reminders' claim timeout was lost in a crash and
may be taken again. The From header becomes ``[mail]``'s sender (the outbox wrote
``naptip@localhost.invalid``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from naptip.base.config import Settings
from naptip.base.errors import NaptipError
from naptip.notifications.message import one_line
from naptip.notifications.transport import SendError, SmtpTransport
from naptip.store.db import Database
from naptip.store.orm import OutboxMessage
from naptip.store.outbox import OutboxEntry, entries, find, parse


@dataclass(frozen=True)
class SendOutcome:
    id: str
    to: str
    status: str  #: sent, failed, skipped
    detail: str


def send_outbox(db: Database, settings: Settings, ids: Sequence[str] = (), *,
                environ: Mapping[str, str] | None = None,
                now: datetime | None = None) -> list[SendOutcome]:
    """Send the messages ``ids`` (parts of ids, as ``outbox show`` takes), or every
    unsent one, through ``[mail]``."""
    if settings.mail is None:
        raise NaptipError("[mail] is not configured: nothing can be sent; add [mail] to the "
                          "configuration (docs/configuration.md)")
    chosen = [find(db, ident) for ident in ids] if ids else entries(db, unsent_only=True)
    stamp = now or datetime.now(UTC)
    stale = stamp - timedelta(minutes=settings.reminders.claim_timeout_minutes)
    transport = SmtpTransport.from_settings(settings.mail, environ)
    sender = Address(display_name=one_line(transport.sender_name),
                     username=transport.sender.partition("@")[0],
                     domain=transport.sender.partition("@")[2])
    outcomes: list[SendOutcome] = []
    try:
        for entry in dict.fromkeys(chosen):
            raw = _claim(db, entry, stamp, stale)
            if raw is None:
                outcomes.append(SendOutcome(entry.id, entry.to, "skipped",
                                            "already sent" if entry.status == "sent"
                                            else "being sent by another process"))
                continue
            msg = parse(raw)
            del msg["From"]
            msg["From"] = sender
            try:
                detail = transport.send(msg, entry.to)
            except SendError as exc:
                _finish(db, entry.id, error=str(exc), at=stamp)
                outcomes.append(SendOutcome(entry.id, entry.to, "failed", str(exc)))
                continue
            _finish(db, entry.id, error=None, at=datetime.now(UTC))
            outcomes.append(SendOutcome(entry.id, entry.to, "sent", detail))
    finally:
        transport.close()
    return outcomes


def _claim(db: Database, entry: OutboxEntry, stamp: datetime, stale: datetime,
           ) -> bytes | None:
    """The message's bytes if this process now holds it, else None."""

    def claim(session: Session) -> bytes | None:
        taken = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == entry.id,
                   or_(OutboxMessage.status == "unsent",
                       (OutboxMessage.status == "sending")
                       & (OutboxMessage.claimed_at < stale)))
            .values(status="sending", claimed_at=stamp)
            .execution_options(synchronize_session=False))
        if getattr(taken, "rowcount", 0) != 1:
            return None
        row = session.get(OutboxMessage, entry.id)
        return None if row is None else row.raw

    return db.write(claim)


def _finish(db: Database, ident: str, *, error: str | None, at: datetime) -> None:
    def mark(session: Session) -> None:
        row = session.get(OutboxMessage, ident)
        if row is None:
            return
        row.status, row.last_error = ("unsent", error) if error else ("sent", None)
        if error is None:
            row.sent_at = at

    db.write(mark)
