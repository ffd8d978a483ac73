"""The outbox: what naptip "sends" while no ``[mail]`` is configured (the store's side;
``naptip.notifications`` writes to it, ``naptip outbox`` reads and sends it).

Messages are kept in the store (``outbox_message``), not in the running machine's own
folder, so that a run on any worker is visible to the secretariat (``naptip outbox
list``) and can be sent once ``[mail]`` is configured (``naptip outbox send``). Where
``NAPTIP_OUTBOX_DIR`` is set, each message is also copied there as an .eml file, for
people who read them with a mail program.
"""

from __future__ import annotations

import email
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.store.db import Database
from naptip.store.liveness import host_name
from naptip.store.orm import OutboxMessage


def copy_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """NAPTIP_OUTBOX_DIR: where each outbox message is also written as an .eml file."""
    env = os.environ if environ is None else environ
    return Path(env["NAPTIP_OUTBOX_DIR"]) if env.get("NAPTIP_OUTBOX_DIR") else None


@dataclass(frozen=True)
class Outbox:
    """Where outbox messages go: the store, and a folder of .eml copies when set."""

    db: Database
    copy_to: Path | None = None


def outbox_of(db: Database, environ: Mapping[str, str] | None = None, *,
              copy_to: Path | None = None) -> Outbox:
    """The outbox of ``db``, with copies in ``copy_to`` or else NAPTIP_OUTBOX_DIR."""
    return Outbox(db, copy_to or copy_dir(environ))


@dataclass(frozen=True)
class OutboxEntry:
    id: str  #: the time it was written and its batch
    to: str
    subject: str
    created_at: datetime
    host: str  #: the machine whose run wrote it
    status: str  #: unsent, sending, sent
    sent_at: datetime | None
    last_error: str | None


def _entry(row: OutboxMessage) -> OutboxEntry:
    return OutboxEntry(id=row.id, to=row.to_email, subject=row.subject,
                       created_at=row.created_at, host=row.host, status=row.status,
                       sent_at=row.sent_at, last_error=row.last_error)


def write(db: Database, msg: EmailMessage, to_email: str, *,
          copy_to: Path | None = None) -> str:
    """Keep ``msg`` (to ``to_email``) in the outbox; returns its id. Also written as
    ``copy_to/ID.eml`` when a folder is given."""
    now = datetime.now(UTC)
    batch = str(msg["X-Naptip-Batch"] or "message")[:80]
    raw = msg.as_bytes()

    def add(session: Session) -> str:
        ident, n = f"{now:%Y%m%dT%H%M%S}-{batch}", 1
        while session.get(OutboxMessage, ident) is not None:  # the same batch again
            n += 1
            ident = f"{now:%Y%m%dT%H%M%S}-{batch}-{n}"
        session.add(OutboxMessage(id=ident, batch=batch, created_at=now, host=host_name(),
                                  to_email=to_email, subject=str(msg["Subject"] or ""),
                                  raw=raw, status="unsent"))
        return ident

    ident = db.write(add)
    if copy_to is not None:
        copy_to.mkdir(parents=True, exist_ok=True)
        tmp = copy_to / f".{ident}.eml.tmp"
        tmp.write_bytes(raw)
        os.replace(tmp, copy_to / f"{ident}.eml")
    return ident


def entries(db: Database, *, unsent_only: bool = False) -> list[OutboxEntry]:
    """Every message in the outbox (or those not sent yet), oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
    if unsent_only:
        query = query.where(OutboxMessage.status != "sent")
    with db.reading() as session:
        return [_entry(row) for row in session.execute(query).scalars()]


def find(db: Database, ident: str) -> OutboxEntry:
    """One message by its id, or an unambiguous part of it (e.g. the batch)."""
    matches = [e for e in entries(db) if ident and ident in e.id]
    exact = [e for e in matches if e.id == ident]
    if exact:
        return exact[0]
    if len(matches) != 1:
        raise NaptipError(f"no message {ident!r} in the outbox (naptip outbox list)"
                          if not matches else
                          f"{ident!r} matches {len(matches)} messages: give more of the id")
    return matches[0]


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def message(db: Database, ident: str) -> EmailMessage:
    """The stored message ``ident`` (a full id, from find)."""
    with db.reading() as session:
        row = session.get(OutboxMessage, ident)
        if row is None:
            raise NaptipError(f"no message {ident!r} in the outbox (naptip outbox list)")
        return parse(row.raw)


def read_message(path: Path) -> EmailMessage:
    """An .eml file (a copy in NAPTIP_OUTBOX_DIR)."""
    return parse(path.read_bytes())


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def older_files(db: Database, environ: Mapping[str, str] | None = None) -> tuple[Path, int]:
    """The folder where naptip before the store-kept outbox wrote its .eml files, and how
    many there are that the store does not hold (nothing of them is lost: they stay)."""
    folder = copy_dir(environ) or db.blobs.parent / "outbox"
    if not folder.is_dir():
        return folder, 0
    known = {e.id for e in entries(db)}
    return folder, sum(1 for path in folder.glob("*.eml") if path.stem not in known)
