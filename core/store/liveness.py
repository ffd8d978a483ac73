"""Is the run or process that holds work still alive?

A run records its host, its process id and a heartbeat (``naptip.work.runlog``); a claim in the
reminder ledger records the run or process that holds it. A holder is dead when its run's
record is closed, when its process is gone on this host, or when its heartbeat is older
than :func:`stale_after`. Anything naptip cannot tell about (another host, no heartbeat)
falls back to the ledger's ``claim_timeout_minutes``.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path

#: seconds between a run's heartbeats (NAPTIP_HEARTBEAT_SECONDS to change it)
HEARTBEAT_ENV = "NAPTIP_HEARTBEAT_SECONDS"
DEFAULT_HEARTBEAT_SECONDS = 30.0
#: a heartbeat older than this many beats means the run is dead
STALE_BEATS = 4


def stamp(when: datetime) -> str:
    """An instant as a person in the plan's time zone reads it."""
    from naptip.time.clock import PLAN_TZ

    return f"{when.astimezone(PLAN_TZ):%Y-%m-%d %H:%M:%S} MYT"


def host_name() -> str:
    return socket.gethostname()[:120] or "localhost"


def heartbeat_seconds(environ: Mapping[str, str] | None = None) -> float:
    env = os.environ if environ is None else environ
    try:
        value = float(env.get(HEARTBEAT_ENV) or DEFAULT_HEARTBEAT_SECONDS)
    except ValueError:
        value = DEFAULT_HEARTBEAT_SECONDS
    return max(0.2, value)


def stale_after(environ: Mapping[str, str] | None = None) -> timedelta:
    return timedelta(seconds=heartbeat_seconds(environ) * STALE_BEATS)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a zombie counts as gone)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def holder_dead(*, host: str | None, pid: int | None, heartbeat_at: datetime | None,
                now: datetime, environ: Mapping[str, str] | None = None) -> str | None:
    """Why the holder (a run or a process) is known to be dead, or None (alive or unknown)."""
    if host is not None and host == host_name() and pid is not None \
            and not process_alive(pid):
        return f"its process {pid} on {host} is gone"
    if heartbeat_at is not None and heartbeat_at < now - stale_after(environ):
        return f"no heartbeat since {stamp(heartbeat_at)}"
    return None
