"""Run summaries in the store: one row per run of the day's work (``naptip runs``).

A run records its host, process and a heartbeat while it works, so that a run that died
(SIGKILL, a power loss, a crashed worker) is known dead: its record is closed as
``crashed`` (:func:`close_dead`) and the claims it held are released at once.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.store.db import Database
from naptip.store.liveness import heartbeat_seconds, holder_dead
from naptip.store.liveness import host_name as host_name
from naptip.store.orm import RunRecord
from naptip.work.runtypes import RunSummary, StepResult

if TYPE_CHECKING:
    from naptip.work.runtypes import DayWork

#: how a run ended without finishing its steps
CLOSED = ("crashed", "interrupted")
#: the beginning of a run's note when its failure alert did not reach everyone
ALERT_NOT_DELIVERED = "alert not delivered"


def start(work: DayWork, *, run_id: str | None = None) -> str:
    """Record a run as started; returns its id (a Prefect flow run's id, when it has one)."""
    rid = run_id or uuid.uuid4().hex

    def write(session: Session) -> None:
        now = datetime.now(UTC)
        session.add(RunRecord(id=rid, plan_id=work.catalog.structure.plan.id,
                              day=work.day, since=work.since, status="running",
                              trigger=work.trigger[:40], host=host_name(),
                              dry_run=work.dry_run, started_at=now, steps=[],
                              duty=work.duty, pid=os.getpid(), heartbeat_at=now))

    work.db.write(write)
    return rid


def finish(db: Database, run_id: str, results: Sequence[StepResult]) -> RunSummary:
    """Record the steps' results and how the run ended: failed when any step failed.

    The run covers its days up to ``day`` unless a step left work pending (claimed by
    another run, not sent yet): then the next run covers them again."""
    failed = any(r.status == "failed" for r in results)
    pending = any(r.counts.get("pending") for r in results)

    def write(session: Session) -> None:
        row = session.get(RunRecord, run_id)
        if row is None:
            raise NaptipError(f"no run {run_id!r}")
        row.status = "failed" if failed else "done"
        row.finished_at = datetime.now(UTC)
        row.steps = [r.as_json() for r in results]
        row.covered_until = row.since - timedelta(days=1) if pending else row.day

    db.write(write)
    return get(db, run_id)


def close(db: Database, run_id: str, status: str, reason: str) -> bool:
    """Close a run that did not finish (``crashed``, ``interrupted``) with its reason;
    False when it had ended already (its own summary stands)."""

    def write(session: Session) -> bool:
        row = session.get(RunRecord, run_id)
        if row is None or row.status != "running":
            return False
        row.status, row.finished_at = status, datetime.now(UTC)
        row.note = _join(row.note, reason)
        return True

    return db.write(write)


def add_note(db: Database, run_id: str, note: str) -> None:
    """Add a line to a run's note (e.g. an alert that could not be delivered)."""

    def write(session: Session) -> None:
        row = session.get(RunRecord, run_id)
        if row is not None:
            row.note = _join(row.note, note)

    db.write(write)


def _join(note: str | None, line: str) -> str:
    return f"{note}\n{line}" if note else line


def dead_reason(row: RunRecord, now: datetime | None = None) -> str | None:
    """Why a ``running`` run is known to be dead, or None."""
    if row.status != "running":
        return None
    return holder_dead(host=row.host, pid=row.pid, heartbeat_at=row.heartbeat_at,
                       now=now or datetime.now(UTC))


def close_dead(db: Database) -> list[RunSummary]:
    """Close every ``running`` run that is known dead as ``crashed``; returns them."""
    with db.reading() as session:
        rows = list(session.execute(select(RunRecord).where(
            RunRecord.status == "running")).scalars())
    closed = []
    for row in rows:
        reason = dead_reason(row)
        if reason is not None and close(db, row.id, "crashed", f"crashed: {reason}"):
            closed.append(get(db, row.id))
    return closed


def beat(db: Database, run_id: str) -> None:
    def write(session: Session) -> None:
        session.execute(update(RunRecord).where(
            RunRecord.id == run_id, RunRecord.status == "running").values(
            heartbeat_at=datetime.now(UTC)))

    db.write(write)


@contextmanager
def heartbeat(db: Database, run_id: str) -> Iterator[None]:
    """Refresh the run's heartbeat every NAPTIP_HEARTBEAT_SECONDS while the block runs."""
    stop = threading.Event()
    every = heartbeat_seconds()

    def loop() -> None:
        while not stop.wait(every):
            try:
                beat(db, run_id)
            except Exception:  # a missed beat is not the run's failure
                continue

    thread = threading.Thread(target=loop, name=f"naptip-heartbeat-{run_id[:8]}",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _summary(row: RunRecord) -> RunSummary:
    seconds = ((row.finished_at - row.started_at).total_seconds()
               if row.finished_at is not None else None)
    status, note = row.status, row.note or ""
    reason = dead_reason(row)
    if reason is not None:  # shown as it is, before anyone closed it
        status, note = "crashed", _join(row.note, f"crashed: {reason}")
    return RunSummary(id=row.id, plan=row.plan_id, day=row.day, since=row.since,
                      status=status,
                      trigger=row.trigger, host=row.host, dry_run=row.dry_run,
                      seconds=seconds, steps=[StepResult.from_json(s) for s in row.steps],
                      duty=row.duty, note=note, started_at=row.started_at)


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


def needing_attention(db: Database, limit: int = 10) -> list[RunSummary]:
    """Among the latest runs: those whose failure alert was not delivered, and the latest
    run when it did not end well (failed, crashed, interrupted)."""
    runs = [r for r in recent(db, limit) if not r.dry_run]
    out = [r for r in runs if ALERT_NOT_DELIVERED in r.note]
    if runs and runs[0].status not in ("done", "running") and runs[0] not in out:
        out.insert(0, runs[0])
    return out


def last_finished_day(db: Database, *, before: date | None = None,
                      plan_id: str | None = None) -> date | None:
    """The latest day the day's work fully covered: real (not dry) runs of the daily work
    (not a duty's own flow) that finished without failure, up to the work they left
    pending; ``plan_id``: only that plan's runs (each plan's catch-up is its own)."""
    covered = func.coalesce(RunRecord.covered_until, RunRecord.day)
    query = select(func.max(covered)).where(RunRecord.status == "done",
                                            RunRecord.dry_run.is_(False),
                                            RunRecord.duty.is_(None))
    if before is not None:
        query = query.where(RunRecord.day < before)
    if plan_id is not None:
        query = query.where(RunRecord.plan_id == plan_id)
    with db.reading() as session:
        return session.execute(query).scalar_one_or_none()
