"""The local outbox: what a fresh install "sends" — .eml files a person can read."""

from __future__ import annotations

import email
import os
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path

from naptip.db import Database
from naptip.errors import NaptipError


def outbox_dir(db: Database, environ: Mapping[str, str] | None = None) -> Path:
    """NAPTIP_OUTBOX_DIR, else an ``outbox`` folder beside the attachments folder."""
    env = os.environ if environ is None else environ
    if env.get("NAPTIP_OUTBOX_DIR"):
        return Path(env["NAPTIP_OUTBOX_DIR"])
    return db.blobs.parent / "outbox"


@dataclass(frozen=True)
class OutboxEntry:
    id: str  #: the file name without .eml
    path: Path
    to: str
    subject: str
    date: str


def read_message(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def entries(folder: Path) -> list[OutboxEntry]:
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.eml")):
        msg = read_message(path)
        found.append(OutboxEntry(id=path.stem, path=path, to=str(msg["To"] or ""),
                                 subject=str(msg["Subject"] or ""), date=str(msg["Date"] or "")))
    return found


def find(folder: Path, ident: str) -> OutboxEntry:
    """One message by its id, or an unambiguous part of it (e.g. the batch)."""
    matches = [e for e in entries(folder) if ident and ident in e.id]
    if len(matches) != 1:
        raise NaptipError(f"no message {ident!r} in the outbox {folder}" if not matches else
                          f"{ident!r} matches {len(matches)} messages: give more of the id")
    return matches[0]


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""
