"""Run summaries in the store: one row per run of the day's work (``naptip runs``)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .db import Database
from .errors import NaptipError
from .orm import RunRecord

if TYPE_CHECKING:
    from .daywork import DayWork, RunSummary, StepResult


def host_name() -> str:
    return socket.gethostname()[:120] or "localhost"


def start(work: DayWork, *, run_id: str | None = None) -> str:
    """Record a run as started; returns its id (a Prefect flow run's id, when it has one)."""
    rid = run_id or uuid.uuid4().hex

    def write(session: Session) -> None:
        session.add(RunRecord(id=rid, day=work.day, since=work.since, status="running",
                              trigger=work.trigger[:40], host=host_name(),
                              dry_run=work.dry_run, started_at=datetime.now(UTC), steps=[]))

    work.db.write(write)
    return rid


def finish(db: Database, run_id: str, results: Sequence[StepResult]) -> RunSummary:
    """Record the steps' results and how the run ended: failed when any step failed."""
    failed = any(r.status == "failed" for r in results)

    def write(session: Session) -> None:
        row = session.get(RunRecord, run_id)
        if row is None:
            raise NaptipError(f"no run {run_id!r}")
        row.status = "failed" if failed else "done"
        row.finished_at = datetime.now(UTC)
        row.steps = [r.as_json() for r in results]

    db.write(write)
    return get(db, run_id)


def _summary(row: RunRecord) -> RunSummary:
    from .daywork import RunSummary, StepResult

    seconds = ((row.finished_at - row.started_at).total_seconds()
               if row.finished_at is not None else None)
    return RunSummary(id=row.id, day=row.day, since=row.since, status=row.status,
                      trigger=row.trigger, host=row.host, dry_run=row.dry_run,
                      seconds=seconds, steps=[StepResult.from_json(s) for s in row.steps])


def get(db: Database, run_id: str) -> RunSummary:
    """One run, by its id or a unique prefix of it."""
    with db.reading() as session:
        rows = list(session.execute(select(RunRecord).where(
            RunRecord.id.startswith(run_id, autoescape=True)).limit(2)).scalars())
    if not rows:
        raise NaptipError(f"no run {run_id!r} (naptip runs list)")
    if len(rows) > 1:
        raise NaptipError(f"run id {run_id!r} is ambiguous: give more of it")
    return _summary(rows[0])


def recent(db: Database, limit: int = 20) -> list[RunSummary]:
    with db.reading() as session:
        rows = session.execute(select(RunRecord).order_by(
            RunRecord.started_at.desc(), RunRecord.id).limit(limit)).scalars()
        return [_summary(r) for r in rows]


def last_finished_day(db: Database, *, before: date | None = None) -> date | None:
    """The latest day a real (not dry) run finished without failure."""
    query = select(func.max(RunRecord.day)).where(RunRecord.status == "done",
                                                  RunRecord.dry_run.is_(False))
    if before is not None:
        query = query.where(RunRecord.day < before)
    with db.reading() as session:
        return session.execute(query).scalar_one_or_none()
