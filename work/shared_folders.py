"""Whether the folders naptip writes are the same on every machine that shares the store.

With the store on PostgreSQL, runs happen on several machines (Prefect workers, the
portal's host), and each writes files: attachments (NAPTIP_BLOB_DIR), calendar feeds
(NAPTIP_CALENDAR_DIR), reports (NAPTIP_REPORTS_DIR), .eml copies of the outbox
(NAPTIP_OUTBOX_DIR). Left at their defaults they are in each machine's own data folder,
where the secretariat never looks. A folder is known by a random identity written into it
(``.naptip-folder``) and recorded in the store the first time it is checked: a machine
whose folder does not carry the recorded identity writes somewhere else.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from naptip.store.db import Database, default_data_dir
from naptip.store.orm import MetaValue
from naptip.work.daywork import calendar_dir
from naptip.work.reviewpack import reports_dir
from naptip.work.runlog import host_name

MARKER = ".naptip-folder"


@dataclass(frozen=True)
class Folder:
    name: str  #: attachments, calendars, reports, outbox
    variable: str  #: the environment variable that sets it
    path: Path
    configured: bool  #: set by its variable (not a default in the data folder)


def folders(db: Database, environ: Mapping[str, str] | None = None) -> list[Folder]:
    """The folders this machine would write, as configured here."""
    env = os.environ if environ is None else environ
    found = [Folder("attachments", "NAPTIP_BLOB_DIR", db.blobs,
                    bool(env.get("NAPTIP_BLOB_DIR"))),
             Folder("calendars", "NAPTIP_CALENDAR_DIR", calendar_dir(db, env),
                    bool(env.get("NAPTIP_CALENDAR_DIR"))),
             Folder("reports", "NAPTIP_REPORTS_DIR", reports_dir(db, env),
                    bool(env.get("NAPTIP_REPORTS_DIR")))]
    if env.get("NAPTIP_OUTBOX_DIR"):
        found.append(Folder("outbox", "NAPTIP_OUTBOX_DIR", Path(env["NAPTIP_OUTBOX_DIR"]),
                            True))
    return found


def in_data_folder(path: Path) -> bool:
    """Whether ``path`` is inside this user's own naptip data folder."""
    try:
        path.resolve().relative_to(default_data_dir().resolve())
    except ValueError:
        return False
    return True


def check_identity(db: Database, folder: Folder) -> str | None:
    """None when ``folder`` is the one the store knows (recording it the first time),
    else one line saying where the other machines write."""
    key = f"folder:{folder.name}"
    marker = folder.path / MARKER
    try:
        mine = marker.read_text(encoding="utf-8").strip() if marker.exists() else None
    except OSError as exc:
        return f"{folder.name} folder {folder.path}: cannot read {MARKER}: {exc.strerror}"

    def claim(session: Session) -> dict[str, str] | None:
        row = session.get(MetaValue, key, with_for_update=True)
        if row is not None:
            known: dict[str, str] = json.loads(row.value)
            return known
        token = mine or secrets.token_hex(16)
        session.add(MetaValue(key=key, value=json.dumps(
            {"id": token, "host": host_name(), "path": str(folder.path)})))
        return None

    known = db.write(claim)
    if known is None or known.get("id") == mine:
        if mine is None:  # this machine just recorded the folder: mark it
            with db.reading() as session:
                row = session.get(MetaValue, key)
                token = json.loads(row.value)["id"] if row is not None else ""
            try:
                folder.path.mkdir(parents=True, exist_ok=True)
                marker.write_text(token + "\n", encoding="utf-8")
            except OSError as exc:
                return f"{folder.name} folder {folder.path}: cannot write: {exc.strerror}"
        return None
    return (f"{folder.name} folder {folder.path} on {host_name()} is not the one the other "
            f"machines use ({known.get('path')} on {known.get('host')}): set "
            f"{folder.variable} to the shared folder")
