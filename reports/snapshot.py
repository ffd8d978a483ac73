"""Report snapshots: a report as it was presented, kept in the store.

``naptip report ... --save`` stores the presented file's exact bytes, their SHA-256 and the
report's JSON figures, in one transaction with an audit entry (``report.saved``) whose
digest covers the row, so that ``audit verify`` checks it. ``naptip report list`` lists
them; ``naptip report show ID`` gives the bytes back, after checking them against the
stored hash, however much evidence arrived since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naptip.reports.document import ReportError
from naptip.store import audit
from naptip.store.audit_rows import SNAPSHOT, snapshot_digest
from naptip.store.db import Database
from naptip.store.orm import ReportSnapshot

__all__ = ["SavedReport", "SnapshotInfo", "list_snapshots", "load_snapshot", "save_snapshot"]


@dataclass(frozen=True, kw_only=True)
class SnapshotInfo:
    id: int
    kind: str
    years: tuple[int, ...]
    committee: str | None
    lang: str
    format: str
    as_of: date
    title: str
    saved_at: datetime
    saved_by: str
    sha256: str
    size: int


@dataclass(frozen=True, kw_only=True)
class SavedReport:
    info: SnapshotInfo
    figures: str  #: the report's JSON, as rendered when it was saved
    content: bytes  #: the file as presented, checked against ``info.sha256``


def save_snapshot(db: Database, *, kind: str, years: tuple[int, ...], committee: str | None,
                  lang: str, fmt: str, as_of: date, title: str, figures: str,
                  content: bytes, actor: str, now: datetime | None = None) -> SnapshotInfo:
    """Store a presented report and its audit entry in one transaction; return its row."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    digest = hashlib.sha256(content).hexdigest()

    def work(session: Session) -> SnapshotInfo:
        row = ReportSnapshot(kind=kind, years=list(years), committee=committee, lang=lang,
                             format=fmt, as_of=as_of, title=title, saved_at=when,
                             saved_by=actor, figures=figures, content=content, sha256=digest)
        session.add(row)
        session.flush()
        audit.append(session, actor=actor, action=SNAPSHOT, subject=f"report #{row.id}",
                     payload={"snapshot": row.id, "kind": kind, "years": list(years),
                              "committee": committee, "format": fmt,
                              "as_of": as_of.isoformat(), "sha256": digest,
                              "digest": snapshot_digest(row)}, at=when)
        return _info(row, len(content))

    return db.write(work)


def _info(row: ReportSnapshot, size: int) -> SnapshotInfo:
    return SnapshotInfo(id=row.id, kind=row.kind, years=tuple(int(y) for y in row.years),
                        committee=row.committee, lang=row.lang, format=row.format,
                        as_of=row.as_of, title=row.title, saved_at=row.saved_at,
                        saved_by=row.saved_by, sha256=row.sha256, size=size)


def list_snapshots(db: Database) -> list[SnapshotInfo]:
    """Every saved report, oldest first (without their contents)."""
    r = ReportSnapshot
    query = select(r.id, r.kind, r.years, r.committee, r.lang, r.format, r.as_of, r.title,
                   r.saved_at, r.saved_by, r.sha256, func.length(r.content)).order_by(r.id)
    with db.reading() as session:
        return [SnapshotInfo(id=row[0], kind=row[1], years=tuple(int(y) for y in row[2]),
                             committee=row[3], lang=row[4], format=row[5], as_of=row[6],
                             title=row[7], saved_at=row[8], saved_by=row[9], sha256=row[10],
                             size=int(row[11] or 0))
                for row in session.execute(query)]


def load_snapshot(db: Database, snapshot_id: int) -> SavedReport:
    """The saved report ``snapshot_id``; a one-line ReportError when there is none or its
    bytes no longer match their hash."""
    with db.reading() as session:
        row = session.get(ReportSnapshot, snapshot_id)
        if row is None:
            raise ReportError(f"no saved report #{snapshot_id} (see `naptip report list`)")
        content, figures = bytes(row.content), row.figures
        info = _info(row, len(content))
    if hashlib.sha256(content).hexdigest() != info.sha256:
        raise ReportError(f"saved report #{snapshot_id} no longer matches its SHA-256 "
                          f"{info.sha256}: it was changed in the store (run `naptip audit "
                          "verify`)")
    return SavedReport(info=info, figures=figures, content=content)
