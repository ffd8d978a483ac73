"""``naptip serve`` and ``naptip deploy``: the deployments, a Prefect server when needed.

Deployments: ``daily-run`` every day at a configurable time (default 07:00) in
Asia/Kuala_Lumpur, and one per duty whose ``flow`` is not plain reminders, scheduled by the
duty's own RFC 5545 recurrence in that time zone, for each plan that needs it on the day
serving starts (``naptip.work.planruns.duties_to_serve``): named by the duty's id alone
when one plan is served, ``ID (PLAN)`` when several are; each run works in its plan's
scope (the ``plan`` parameter). Each has a concurrency limit of 1.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time as Time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from naptip.base.errors import NaptipError
from naptip.flows.client import api_auth, api_url, check_access, healthy
from naptip.plan.catalog import Catalog
from naptip.work.planruns import DutyToServe

if TYPE_CHECKING:
    from naptip.work.context import App

TZ = "Asia/Kuala_Lumpur"
#: the environment every Prefect process naptip starts gets: no telemetry
QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
         "PREFECT_UI_ENABLED": "false"}


def daily_rrule(at: Time) -> str:
    return f"FREQ=DAILY;BYHOUR={at.hour};BYMINUTE={at.minute};BYSECOND={at.second}"


@dataclass(frozen=True)
class Planned:
    """One deployment to create: which flow, its name, schedule and parameters, and the
    plan it works for (None: ``daily-run``, for every plan that needs the day's work)."""

    flow: Any
    name: str
    rrule: str
    parameters: dict[str, Any]
    plan: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.flow.name}/{self.name}"

    def describe(self) -> str:
        """``flow/name``, with its plan when the name does not say it."""
        if self.plan is None or self.name.endswith(f"({self.plan})"):
            return self.full_name
        return f"{self.full_name} ({self.plan})"


def deployment_name(duty_id: str, plan: str, *, several: bool) -> str:
    """A duty's deployment: its id (as before plans were data) when one plan is served,
    else ``ID (PLAN)``."""
    return f"{duty_id} ({plan})" if several else duty_id


def planned_deployments(served: Sequence[DutyToServe], *, daily_at: Time) -> list[Planned]:
    """``daily-run`` (every plan that needs the day's work), then each duty flow served,
    in its plan's scope (``naptip.work.planruns.duties_to_serve``)."""
    from naptip.flows.daily import daily_run, flow_for

    planned = [Planned(daily_run, "daily", daily_rrule(daily_at), {})]
    several = len({s.plan for s in served}) > 1
    for s in served:
        planned.append(Planned(flow_for(s.duty.flow),
                               deployment_name(s.duty.id, s.plan, several=several),
                               s.duty.recurrence.strip(),
                               {"duty": s.duty.id, "plan": s.plan}, plan=s.plan))
    return planned


def served_duties(app: App) -> list[DutyToServe]:
    """The duty flows to deploy for ``app`` (naptip.work.context.App): those of its
    ``--plan`` only when one is named, else of every plan that needs them on its day."""
    from naptip.work.planruns import (
        PlanToRun,
        closing_duties,
        duties_to_serve,
        plans_to_run,
    )

    def catalog_of(plan_id: str) -> Catalog:
        return app.catalog if plan_id == app.plan.id else app.for_plan(plan_id).catalog

    if app.plan_id:
        plans = [PlanToRun(plan=app.plan, why="named")]
    else:
        def closing_of(plan_id: str) -> frozenset[str]:
            return closing_duties([(d.id, d.flow) for d in catalog_of(plan_id)
                                   .duties.values()])

        plans = plans_to_run(app.plans, app.today, app.db, closing_of)
    return duties_to_serve(plans, app.today, catalog_of)


def describe_served(planned: Sequence[Planned]) -> list[str]:
    """One line per duty deployment served, with its plan."""
    return [f"serving {p.describe()}" for p in planned if p.plan is not None]


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
            (home / SERVER_PID).write_text(f"{child.pid}\n", encoding="ascii")
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


def serve(served: Sequence[DutyToServe], *, daily_at: Time, home: Path,
          port: int | None = None, say: Any = print, app: Any = None) -> None:
    """Serve the deployments until SIGINT/SIGTERM; start a server first when none answers.

    On start and on stop, the runs of the served deployments that are still active are
    closed as Crashed (nothing else runs them: they were interrupted), which frees their
    concurrency slot; while serving, dead naptip runs are closed every minute."""
    url = api_url()
    child = None
    if url and healthy(url):
        check_access(url, say)
        say(f"attached to the Prefect server at {url}")
    else:
        if url:
            say(f"the Prefect server at {url} does not answer: starting one")
        port = port or 4200
        url = f"http://127.0.0.1:{port}/api"
        orphan = left_running(home)
        if orphan is not None:
            say(f"stopping the Prefect server a previous naptip serve left running "
                f"(pid {orphan})")
            stop_pid(orphan)
        auth = api_auth() or own_auth_string(home)
        if healthy(url):
            check_access(url, say)
            say(f"attached to the Prefect server already answering at {url} "
                "(not started by naptip serve)")
        else:
            child = start_server(home, port,
                                 extra_env={"PREFECT_SERVER_API_AUTH_STRING": auth})
            say(f"started a Prefect server at {url} (data in {home}; its API asks for the "
                f"credentials in {home / AUTH_FILE} unless PREFECT_API_AUTH_STRING is set)")
        os.environ.update({"PREFECT_API_URL": url, "PREFECT_API_AUTH_STRING": auth})
    os.environ.update({k: v for k, v in QUIET.items() if k != "PREFECT_UI_ENABLED"})

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    planned = planned_deployments(served, daily_at=daily_at)
    stop_sweeping = None
    try:
        from prefect import serve as prefect_serve

        _close_stale(app, planned, say, stop_processes=False)
        if app is not None:
            from naptip.flows.recover import sweep_every

            stop_sweeping = sweep_every(app.db, _alerter(app), say, SWEEP_SECONDS)
        deployments = to_deployments(planned)
        pause_unplanned(planned, work_pool=None, say=say)
        for line in describe_served(planned):
            say(line)
        say(f"serving {len(deployments)} deployment(s); daily-run at {daily_at:%H:%M:%S} "
            f"{TZ}; stop with Ctrl-C or SIGTERM")
        prefect_serve(*deployments, pause_on_shutdown=False, print_starting_message=False)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # stopping: finish stopping
        if stop_sweeping is not None:
            stop_sweeping()
        _close_stale(app, planned, say, stop_processes=True)
        signal.signal(signal.SIGTERM, previous)
        if child is not None:
            _send_logs()  # before the server goes: never to a server that is gone
            say("stopping the Prefect server")
            stop_server(child)
            (home / SERVER_PID).unlink(missing_ok=True)
        say("stopped")


#: seconds between two sweeps for dead runs while serving (NAPTIP_SWEEP_SECONDS)
SWEEP_SECONDS = float(os.environ.get("NAPTIP_SWEEP_SECONDS") or 60)


def _alerter(app: Any) -> Any:
    from naptip.work.alerts import alert_failed_run

    def alert(text: str, run_id: str) -> None:
        alert_failed_run(app, text, run_id=run_id)

    return alert


def _close_stale(app: Any, planned: list[Planned], say: Any, *, stop_processes: bool,
                 ) -> None:
    """Close the served deployments' active runs (see :func:`serve`), and alert."""
    if app is None:
        return
    from naptip.flows.recover import close_and_alert

    try:
        ids = own_deployment_ids(planned)
    except Exception as exc:  # the server went away: nothing to close there
        say(f"could not look for interrupted runs: {' '.join(str(exc).split())[:200]}")
        return
    for run in close_and_alert(app.db, _alerter(app), own_deployments=ids,
                               stop_processes=stop_processes):
        say(run.describe())


def own_deployment_ids(planned: list[Planned]) -> list[Any]:
    """The ids of the served deployments that exist already (with no work pool: a
    deployment of the same name for workers is not this serve's)."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    ids = []
    with get_client(sync_client=True) as client:
        for p in planned:
            try:
                found = client.read_deployment_by_name(p.full_name)
            except ObjectNotFound:
                continue
            if not found.work_pool_name:
                ids.append(found.id)
    return ids


def pause_unplanned(planned: Sequence[Planned], *, work_pool: str | None,
                    say: Any = print) -> list[str]:
    """Pause naptip's deployments of the same kind (``serve``'s: no work pool; ``deploy``'s:
    on ``work_pool``) that are no longer planned: a closed plan's duties, names that
    changed when a second plan came to be served. Paused, not deleted: their run history
    stays, and deploying or serving one again unpauses it. Returns their names."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterTags

    wanted = {p.full_name for p in planned}
    paused = []
    with get_client(sync_client=True) as client:
        found = client.read_deployments(deployment_filter=DeploymentFilter(
            tags=DeploymentFilterTags(all_=["naptip"])), limit=200)
        flows: dict[Any, str] = {}
        for d in found:
            if (d.work_pool_name or None) != work_pool or d.paused:
                continue
            if d.flow_id not in flows:
                flows[d.flow_id] = client.read_flow(d.flow_id).name
            name = f"{flows[d.flow_id]}/{d.name}"
            if name not in wanted:
                client.pause_deployment(d.id)
                paused.append(name)
                say(f"paused {name}: no plan needs it today (serving or deploying it "
                    "again resumes it)")
    return paused


#: the file in the server's home that names the server naptip serve started
SERVER_PID = "server.pid"


def left_running(home: Path) -> int | None:
    """The pid of a Prefect server a previous naptip serve started and did not stop (it
    was SIGKILLed, or the machine lost power with the pid reused: checked by its
    command line)."""
    try:
        pid = int((home / SERVER_PID).read_text(encoding="ascii").strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError):
        return None
    return pid if b"prefect" in cmdline and b"server" in cmdline else None


def stop_pid(pid: int, timeout: float = 20.0) -> None:
    """Stop a server naptip started (its own process group), as :func:`stop_server`."""
    from naptip.store.liveness import process_alive

    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)
        except OSError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and process_alive(pid):
            time.sleep(0.2)
        if not process_alive(pid):
            return


def _send_logs() -> None:
    from prefect.logging.handlers import APILogWorker

    try:
        APILogWorker.drain_all(timeout=5)
    except Exception:  # logs are best-effort; stopping is not
        return


def require_pool(name: str) -> None:
    """The work pool must exist before deployments can name it."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            client.read_work_pool(name)
        except ObjectNotFound:
            raise NaptipError(
                f"no work pool {name!r} on the Prefect server: create it with `prefect "
                f"work-pool create {name} --type process`, then run `naptip deploy` again "
                f"and start workers with `prefect worker start --pool {name}`") from None


def deploy(served: Sequence[DutyToServe], *, work_pool: str, daily_at: Time,
           say: Any = print) -> list[str]:
    """Register the deployments on the server at PREFECT_API_URL for a work pool; refuse
    a server that others can use without credentials (check_access). Returns what was
    deployed, each with its plan (``Planned.describe``)."""
    from naptip.flows.client import require_server

    require_server(say)
    require_pool(work_pool)
    planned = planned_deployments(served, daily_at=daily_at)
    for deployment in to_deployments(planned, work_pool=work_pool):
        deployment.apply()
    pause_unplanned(planned, work_pool=work_pool, say=say)
    return [p.describe() for p in planned]
