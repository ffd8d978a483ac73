"""``naptip serve`` and ``naptip deploy``: the deployments, a Prefect server when needed.

Deployments: ``daily-run`` every day at a configurable time (default 07:00) in
Asia/Kuala_Lumpur, and one per duty whose ``flow`` is not plain reminders, scheduled by the
duty's own RFC 5545 recurrence in that time zone. Each has a concurrency limit of 1.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import time as Time
from pathlib import Path
from types import FrameType
from typing import Any

from naptip.catalog import Catalog
from naptip.errors import NaptipError

from .client import api_auth, api_url, check_access, healthy

TZ = "Asia/Kuala_Lumpur"
#: the environment every Prefect process naptip starts gets: no telemetry
QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
         "PREFECT_UI_ENABLED": "false"}


def daily_rrule(at: Time) -> str:
    return f"FREQ=DAILY;BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND={at.second}"


@dataclass(frozen=True)
class Planned:
    """One deployment to create: which flow, its name, schedule and parameters."""

    flow: Any
    name: str
    rrule: str
    parameters: dict[str, Any]


def planned_deployments(catalog: Catalog, *, daily_at: Time) -> list[Planned]:
    from .daily import daily_run, flow_for

    planned = [Planned(daily_run, "daily", daily_rrule(daily_at), {})]
    for duty in sorted(catalog.duties.values(), key=lambda d: d.id):
        if duty.flow != "reminders":
            planned.append(Planned(flow_for(duty.flow), duty.id, duty.recurrence.strip(),
                                   {"duty": duty.id}))
    return planned


def to_deployments(planned: list[Planned], *, work_pool: str | None = None) -> list[Any]:
    from prefect.schedules import RRule
    from prefect.types.entrypoint import EntrypointType

    out = []
    for p in planned:
        options: dict[str, Any] = {}
        if work_pool:
            options = {"work_pool_name": work_pool,
                       "entrypoint_type": EntrypointType.MODULE_PATH}
        out.append(p.flow.to_deployment(
            name=p.name, schedules=[RRule(p.rrule, timezone=TZ)], parameters=p.parameters,
            concurrency_limit=1, tags=["naptip"], **options))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, port: int, *, timeout: float = 90.0,
                 extra_env: dict[str, str] | None = None,
                 host: str = "127.0.0.1") -> subprocess.Popen[bytes]:
    """A real ``prefect server start`` (with its scheduler) as a child process, bound to
    ``host`` (loopback unless told otherwise)."""
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **QUIET, "PREFECT_HOME": str(home), **(extra_env or {})}
    env.pop("PREFECT_API_URL", None)
    log = (home / "server.log").open("ab")
    child = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host,
         "--port", str(port), "--no-ui"], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise NaptipError(f"the Prefect server stopped at start (see {home / 'server.log'})")
        if healthy(url, timeout=1.0):
            return child
        time.sleep(0.3)
    stop_server(child)
    raise NaptipError(f"the Prefect server did not answer within {timeout:.0f} s "
                      f"(see {home / 'server.log'})")


def stop_server(child: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


#: where ``naptip serve`` keeps the credentials of the server it starts (mode 0600)
AUTH_FILE = "api-auth-string"


def own_auth_string(home: Path) -> str:
    """The credentials of the server ``serve`` starts: made once, kept in ``home``."""
    path = home / AUTH_FILE
    if path.exists():
        found = path.read_text(encoding="utf-8").strip()
        if found:
            return found
    home.mkdir(parents=True, exist_ok=True)
    made = f"naptip:{secrets.token_urlsafe(24)}"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(made + "\n")
    return made


def serve(catalog: Catalog, *, daily_at: Time, home: Path, port: int | None = None,
          say: Any = print) -> None:
    """Serve the deployments until SIGINT/SIGTERM; start a server first when none answers."""
    url = api_url()
    child = None
    if url and healthy(url):
        check_access(url, say)
        say(f"attached to the Prefect server at {url}")
    else:
        if url:
            say(f"the Prefect server at {url} does not answer: starting one")
        port = port or 4200
        auth = api_auth() or own_auth_string(home)
        child = start_server(home, port, extra_env={"PREFECT_SERVER_API_AUTH_STRING": auth})
        url = f"http://127.0.0.1:{port}/api"
        os.environ.update({"PREFECT_API_URL": url, "PREFECT_API_AUTH_STRING": auth})
        say(f"started a Prefect server at {url} (data in {home}; its API asks for the "
            f"credentials in {home / AUTH_FILE} unless PREFECT_API_AUTH_STRING is set)")
    os.environ.update({k: v for k, v in QUIET.items() if k != "PREFECT_UI_ENABLED"})

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        from prefect import serve as prefect_serve

        deployments = to_deployments(planned_deployments(catalog, daily_at=daily_at))
        say(f"serving {len(deployments)} deployment(s); daily-run at {daily_at:%H:%M:%S} "
            f"{TZ}; stop with Ctrl-C or SIGTERM")
        prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child is not None:
            _send_logs()  # before the server goes: never to a server that is gone
            say("stopping the Prefect server")
            stop_server(child)
        say("stopped")


def _send_logs() -> None:
    from prefect.logging.handlers import APILogWorker

    try:
        APILogWorker.drain_all(timeout=5)
    except Exception:  # logs are best-effort; stopping is not
        return


def deploy(catalog: Catalog, *, work_pool: str, daily_at: Time,
           say: Any = print) -> list[str]:
    """Register the deployments on the server at PREFECT_API_URL for a work pool; refuse
    a server that others can use without credentials (check_access)."""
    from .client import require_server

    require_server(say)
    names = []
    for deployment in to_deployments(planned_deployments(catalog, daily_at=daily_at),
                                     work_pool=work_pool):
        deployment.apply()
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names
