"""Runs that died without reaching a final state: find them, close them, alert.

A flow run interrupted without a final state (Ctrl-C or SIGKILL of ``naptip serve``, a
power loss, a machine crash taking worker and flow run together) stays Running in Prefect
and holds its deployment's concurrency slot, so every later run of that deployment waits;
its naptip run record stays ``running``. Closing it — Crashed in Prefect, ``crashed`` in
``naptip runs`` — frees the slot, releases its claims (``naptip.people.reminder_ledger``) and
tells the secretariat.

A flow run is dead when it belongs to a deployment that ``naptip serve`` serves and that
serve is starting or stopping (nothing else runs those), or when its run record says so:
closed, its process gone on this host, or its heartbeat stale (``naptip.store.liveness``).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from naptip.store.db import Database
from naptip.store.liveness import host_name, process_alive, stale_after
from naptip.store.orm import RunRecord
from naptip.work import runlog

#: the tag naptip's deployments (and so their flow runs) carry
TAG = "naptip"


@dataclass(frozen=True)
class ClosedRun:
    id: str
    name: str
    reason: str

    def describe(self) -> str:
        return f"closed dead run {self.name} ({self.id[:12]}): {self.reason}"


def _active_runs(client: Any) -> list[Any]:
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType

    return list(client.read_flow_runs(flow_run_filter=FlowRunFilter(
        tags=FlowRunFilterTags(all_=[TAG]),
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[
            StateType.RUNNING, StateType.PENDING, StateType.CANCELLING])))))


def _record(db: Database, run_id: str) -> RunRecord | None:
    with db.reading() as session:
        return session.get(RunRecord, run_id)


def _children(client: Any, db: Database, flow_run: Any) -> list[RunRecord | None]:
    """The run records of a flow run's subflows (``daily-run``'s one ``plan-run`` per
    plan: the parent keeps no record of its own)."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId

    subflows = client.read_flow_runs(flow_run_filter=FlowRunFilter(
        parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[flow_run.id])))
    return [_record(db, str(f.id)) for f in subflows]


def why_dead(flow_run: Any, record: RunRecord | None, *, own: bool,
             now: datetime | None = None,
             children: list[RunRecord | None] | None = None) -> str | None:
    """Why this active flow run is dead, or None when it may be alive. ``children``: the
    records of its subflows, when it has no record of its own: it lives while one of
    them does, or ended a moment ago (the next plan's run is starting)."""
    now = now or datetime.now(UTC)
    if own:
        return "its naptip serve stopped before the run ended"
    kids = [c for c in children or () if c is not None]
    if record is None and kids:
        for kid in kids:
            if kid.status == "running" and runlog.dead_reason(kid, now) is None:
                return None
            if kid.status != "running" and \
                    (kid.finished_at or kid.started_at) >= now - stale_after():
                return None
        return "every plan's run in it has ended or died"
    if record is None:
        started = flow_run.start_time
        if flow_run.state_type is not None and flow_run.state_type.value == "RUNNING" \
                and started is not None and started < now - 2 * stale_after():
            return "running with no naptip run record and no heartbeat"
        return None
    if record.status != "running":
        ended = record.finished_at or record.started_at
        return (f"its run record was closed ({record.status})"
                if ended < now - stale_after() else None)
    return runlog.dead_reason(record, now)


def close_dead_runs(db: Database, *, own_deployments: Iterable[Any] = (),
                    exclude: str | None = None, stop_processes: bool = False,
                    ) -> list[ClosedRun]:
    """Close naptip's dead flow runs on the server at PREFECT_API_URL (see the module).

    ``own_deployments``: ids of the deployments this process serves (all their active runs
    are dead: it is starting or stopping). ``stop_processes``: first end the run's process
    when it is still alive on this host (SIGTERM, then SIGKILL), so that nothing sends
    after its claims were released."""
    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    own = {str(d) for d in own_deployments}
    closed: list[ClosedRun] = []
    with get_client(sync_client=True) as client:
        for flow_run in _active_runs(client):
            rid = str(flow_run.id)
            if rid == exclude:
                continue
            record = _record(db, rid)
            reason = why_dead(flow_run, record, own=str(flow_run.deployment_id) in own,
                              children=_children(client, db, flow_run)
                              if record is None else None)
            if reason is None:
                continue
            if stop_processes and record is not None:
                _end_process(record)
            client.set_flow_run_state(flow_run.id, Crashed(message=reason), force=True)
            runlog.close(db, rid, "crashed", f"crashed: {reason}")
            closed.append(ClosedRun(rid, flow_run.name, reason))
    return closed


def _end_process(record: RunRecord, wait: float = 10.0) -> None:
    pid = record.pid
    if record.host != host_name() or pid is None or pid == os.getpid() \
            or not process_alive(pid):
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except OSError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not process_alive(pid):
                return
            time.sleep(0.2)


def close_and_alert(db: Database, alert: Callable[[str, str], Any], **options: Any,
                    ) -> list[ClosedRun]:
    """:func:`close_dead_runs`, and one alert per run closed; never raises (a sweep that
    cannot reach the server is retried by the next one)."""
    try:
        closed = close_dead_runs(db, **options)
    except Exception:
        return []
    for run in closed:
        alert(f"{run.name}: crashed: {run.reason}", run.id)
    return closed


def sweep_every(db: Database, alert: Callable[[str, str], Any], say: Callable[[str], Any],
                seconds: float) -> Callable[[], None]:
    """Sweep in a background thread every ``seconds``; returns the function that stops it."""
    import threading

    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(seconds):
            for run in close_and_alert(db, alert):
                say(run.describe())

    threading.Thread(target=loop, name="naptip-sweep", daemon=True).start()
    return stop.set
