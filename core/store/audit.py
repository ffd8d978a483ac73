"""The audit log: every write appends an entry whose hash covers the previous entry's.

``naptip audit verify`` recomputes the chain. Writers lock the single head row, so the
chain never forks; ``seq`` is the primary key and ``prev_hash`` is unique, so a writer that
somehow raced would fail (and retry) rather than fork it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from naptip.store.orm import AuditEntry, AuditHead

GENESIS = "0" * 64
#: the statements of :func:`append`, built once (Core: compiled once, cached by the engine)
_LOG, _HEAD_ROW = cast(Table, AuditEntry.__table__), cast(Table, AuditHead.__table__)
_HEAD = select(_HEAD_ROW.c.seq, _HEAD_ROW.c.hash).where(_HEAD_ROW.c.id == 1).with_for_update()
_INSERT = insert(_LOG)
_MOVE = update(_HEAD_ROW).where(_HEAD_ROW.c.id == 1).values(
    seq=bindparam("new_seq"), hash=bindparam("new_hash"))


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_hash(*, seq: int, at: datetime, actor: str, action: str, subject: str,
               payload: str, prev_hash: str) -> str:
    material = canonical([seq, at.astimezone(UTC).isoformat(timespec="microseconds"), actor,
                          action, subject, payload, prev_hash])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def append(session: Session, *, actor: str, action: str, subject: str, payload: Any,
           at: datetime | None = None) -> AuditEntry:
    """Append one entry in the caller's transaction (which must be a write transaction).

    Three Core statements on the session's connection (what is pending is flushed first),
    no unit of work of its own: read the locked head, insert the entry, move the head. A
    head row the session holds (taken as a lock) is expired, so it is read again if used.
    Returns the entry as written (not attached to the session)."""
    session.flush()
    conn = session.connection()
    prev_seq, prev_hash = conn.execute(_HEAD).one()
    when = (at or datetime.now(UTC)).astimezone(UTC)
    text = canonical(payload)
    seq = prev_seq + 1
    digest = entry_hash(seq=seq, at=when, actor=actor, action=action, subject=subject,
                        payload=text, prev_hash=prev_hash)
    values = {"seq": seq, "at": when, "actor": actor, "action": action, "subject": subject,
              "payload": text, "prev_hash": prev_hash, "hash": digest}
    conn.execute(_INSERT, values)
    conn.execute(_MOVE, {"new_seq": seq, "new_hash": digest})
    held = session.identity_map.get(identity_key(AuditHead, 1))
    if held is not None:
        session.expire(held)
    return AuditEntry(**values)


@dataclass(frozen=True)
class Pending:
    """An entry to append with :func:`append_many`."""

    actor: str
    action: str
    subject: str
    payload: Any


def append_many(session: Session, entries: list[Pending], *, at: datetime | None = None,
                ) -> list[AuditEntry]:
    """Append ``entries`` in order, in the caller's write transaction, as :func:`append`
    would one by one, in three statements: read the locked head, insert them all, move
    the head (what a bulk import uses)."""
    if not entries:
        return []
    session.flush()
    conn = session.connection()
    seq, prev_hash = conn.execute(_HEAD).one()
    when = (at or datetime.now(UTC)).astimezone(UTC)
    rows = []
    for entry in entries:
        seq += 1
        text = canonical(entry.payload)
        digest = entry_hash(seq=seq, at=when, actor=entry.actor, action=entry.action,
                            subject=entry.subject, payload=text, prev_hash=prev_hash)
        rows.append({"seq": seq, "at": when, "actor": entry.actor, "action": entry.action,
                     "subject": entry.subject, "payload": text, "prev_hash": prev_hash,
                     "hash": digest})
        prev_hash = digest
    conn.execute(_INSERT, rows)
    conn.execute(_MOVE, {"new_seq": seq, "new_hash": prev_hash})
    held = session.identity_map.get(identity_key(AuditHead, 1))
    if held is not None:
        session.expire(held)
    return [AuditEntry(**row) for row in rows]


@dataclass(frozen=True)
class Verification:
    entries: int
    broken_at: int | None = None  #: seq of the first entry that does not verify
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verification:
    """Walk the chain from the start; report the first broken link."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq)
                           .execution_options(yield_per=2000)).scalars()
    for entry in rows:
        count += 1
        if entry.seq != expected_seq:
            return Verification(count, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return Verification(count, entry.seq, "its prev_hash is not the previous entry's "
                                "hash")
        digest = entry_hash(seq=entry.seq, at=entry.at, actor=entry.actor, action=entry.action,
                            subject=entry.subject, payload=entry.payload,
                            prev_hash=entry.prev_hash)
        if digest != entry.hash:
            return Verification(count, entry.seq, "its content does not match its hash "
                                "(changed after it was written)")
        prev_hash, expected_seq = entry.hash, entry.seq + 1
    head = session.get(AuditHead, 1)
    if head is None or head.seq != expected_seq - 1 or head.hash != prev_hash:
        return Verification(count, expected_seq, "the chain ends before its recorded head "
                            "(entries were removed from the end)")
    return Verification(count)


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at some moment, kept outside the database."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, sep, digest = text.strip().partition(":")
        digest = digest.strip().lower()
        if (not sep or not seq.strip().isdigit() or len(digest) != 64
                or any(c not in "0123456789abcdef" for c in digest)):
            raise ValueError("an anchor is SEQ:HASH, as printed by `naptip audit anchor`")
        return cls(int(seq), digest)


def head_anchor(session: Session) -> Anchor:
    head = session.get(AuditHead, 1)
    return Anchor(head.seq, head.hash) if head is not None else Anchor(0, GENESIS)


def check_anchor(session: Session, anchor: Anchor) -> str | None:
    """Why the log does not extend ``anchor`` (None: it does). Run after :func:`verify`."""
    if anchor.seq == 0:
        return None if anchor.hash == GENESIS else "anchor 0 must carry the genesis hash"
    entry = session.get(AuditEntry, anchor.seq)
    if entry is None:
        return (f"entry {anchor.seq} of the anchor is missing: the log was cut short or "
                "rewritten")
    if entry.hash != anchor.hash:
        return (f"entry {anchor.seq} has another hash than the anchor: the log was rewritten "
                "from that entry or earlier")
    return None
