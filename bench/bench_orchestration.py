"""One day's work on the real plan: ``naptip run`` vs the same run through Prefect.

Three ways to run the same day, each as the secretariat or a scheduler runs it, each from
the same fresh store (the built-in plan and a few contacts; reminders to the local outbox):

- ``naptip run``: the command, in-process work, no server;
- ``naptip run --prefect``: the command, the day's work as a ``daily-run`` flow run
  recorded on a running Prefect server;
- deployment + worker: the ``daily-run/daily`` deployment registered by ``naptip deploy``
  on that server, a flow run of it created through the API, and a ``prefect worker`` of
  its process work pool (polling every second) running it in a new process; timed from
  the request to the final state seen by the client, as a scheduled run would be.

The sides are interleaved (the order rotates each round) for ``--rounds`` rounds and the
medians compared; every sample must end ``done`` and leave the same messages in the
outbox. The server's start (fresh database, migrations included) is measured apart: it is
paid once per ``naptip serve``, not per run. Figures are printed, never asserted.

    .venv/bin/python -m bench.bench_orchestration [--rounds N] [--day YYYY-MM-DD]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.store.db import open_database

NAPTIP = str(Path(sys.executable).parent / "naptip")
POOL = "bench-pool"
PEOPLE = [ContactInfo(name=f"Lead {c}", email=f"lead@{c}.example.gov.my",
                      roles=(Role(role="lead", scope=c),))
          for c in ("enforcement", "media", "victim-care", "legislative", "monitoring")]
SIDES = ("naptip run", "naptip run --prefect", "deployment + worker")


class Bench:
    def __init__(self, root: Path, server: str, day: date) -> None:
        self.root, self.server, self.day = root, server, day
        self.store = root / "store"
        self.template = root / "template"
        self.env = {**os.environ, "DO_NOT_TRACK": "1", "PREFECT_API_URL": server,
                    "PREFECT_HOME": str(root / "client"),
                    "PREFECT_WORKER_QUERY_SECONDS": "1",
                    "PREFECT_LOGGING_TO_API_ENABLED": "false",
                    "XDG_DATA_HOME": str(root / "data"),
                    "NAPTIP_DATABASE_URL": f"sqlite:///{self.store / 'naptip.db'}",
                    "NAPTIP_BLOB_DIR": str(self.store / "blobs"),
                    "NAPTIP_OUTBOX_DIR": str(self.store / "outbox")}
        for name in ("NAPTIP_CONFIG", "NAPTIP_AS_OF", "NAPTIP_PLUGINS_DIR"):
            self.env.pop(name, None)
        template = open_database(f"sqlite:///{self.template / 'naptip.db'}",
                                 blobs=self.template / "blobs")
        ContactDirectory(template).upsert(PEOPLE, actor="bench")
        template.dispose()

    def fresh_store(self) -> None:
        shutil.rmtree(self.store, ignore_errors=True)
        shutil.copytree(self.template, self.store)

    def command(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([NAPTIP, *args], env=self.env, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"naptip {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done

    def outcome(self) -> tuple[str, int]:
        """The sample's run status and the messages it left in the outbox."""
        from sqlalchemy import select

        from naptip.store.orm import RunRecord

        db = open_database(self.env["NAPTIP_DATABASE_URL"], blobs=self.store / "blobs")
        try:
            with db.reading() as session:
                statuses = [r.status for r in session.execute(select(RunRecord)).scalars()]
        finally:
            db.dispose()
        messages = len(list((self.store / "outbox").rglob("*.eml")))
        return ",".join(statuses), messages


def deployment_run(bench: Bench, client: Any, deployment_id: Any) -> Callable[[], float]:
    """A flow run of the daily deployment, run by the worker: seconds to its final state."""

    def sample() -> float:
        started = time.perf_counter()
        made = client.create_flow_run_from_deployment(
            deployment_id, parameters={"day": bench.day.isoformat()})
        while True:
            state = client.read_flow_run(made.id).state
            if state is not None and state.is_final():
                break
            if time.perf_counter() - started > 600:
                raise SystemExit("the worker did not finish the flow run within 600 s")
            time.sleep(0.05)
        took = time.perf_counter() - started
        if not state.is_completed():
            raise SystemExit(f"the deployment's flow run ended {state.type.value}")
        return took

    return sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="samples of each side (5)")
    parser.add_argument("--day", type=date.fromisoformat, default=date(2024, 7, 1),
                        help="the day the runs do (2024-07-01)")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from naptip.flows.serve import free_port, start_server, stop_server
    from naptip.time.clock import PLAN_TZ

    with tempfile.TemporaryDirectory(prefix="naptip-bench-") as tmp:
        root = Path(tmp)
        port = free_port()
        started = time.perf_counter()
        child = start_server(root / "server", port)
        server_start = time.perf_counter() - started
        server = f"http://127.0.0.1:{port}/api"
        worker = None
        try:
            bench = Bench(root, server, args.day)
            subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create", POOL,
                            "--type", "process"], env=bench.env, check=True,
                           capture_output=True, timeout=120)
            # the daily slot an hour ago in Kuala Lumpur: no scheduled run falls due
            # while the benchmark runs (the duties' slots ended with the plan)
            slot = (datetime.now(PLAN_TZ) - timedelta(hours=1)).strftime("%H:%M")
            bench.fresh_store()
            bench.command("deploy", "--work-pool", POOL, "--daily-at", slot)
            log = (root / "worker.log").open("w")
            worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start",
                                       "--pool", POOL], env=bench.env, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
            with temporary_settings({PREFECT_API_URL: server}), \
                    get_client(sync_client=True) as client:
                daily = client.read_deployment_by_name("daily-run/daily")
                run_by_worker = deployment_run(bench, client, daily.id)
                day = bench.day.isoformat()

                def timed_command(*extra: str) -> Callable[[], float]:
                    def sample() -> float:
                        start = time.perf_counter()
                        bench.command("run", *extra, "--as-of", day)
                        return time.perf_counter() - start
                    return sample

                samples: dict[str, Callable[[], float]] = {
                    SIDES[0]: timed_command(), SIDES[1]: timed_command("--prefect"),
                    SIDES[2]: run_by_worker}
                times: dict[str, list[float]] = {side: [] for side in SIDES}
                outcomes: dict[str, set[tuple[str, int]]] = {side: set() for side in SIDES}
                for n in range(args.rounds):
                    for side in SIDES[n % 3:] + SIDES[: n % 3]:  # rotate the order
                        bench.fresh_store()
                        times[side].append(samples[side]())
                        outcomes[side].add(bench.outcome())
        finally:
            if worker is not None:
                worker.terminate()
                try:
                    worker.wait(30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            stop_server(child)
    print(f"server start (fresh database, migrations included): {server_start:.1f} s")
    base = statistics.median(times[SIDES[0]])
    found = {o for side in SIDES for o in outcomes[side]}
    for side in SIDES:
        median = statistics.median(times[side])
        spread = f"{min(times[side]):.2f}-{max(times[side]):.2f}"
        print(f"{side:<22} median {median:6.2f} s of {args.rounds} ({spread} s); "
              f"x{median / base:.2f} of naptip run; {median - base:+.2f} s a run")
    same = "the same outcome" if len(found) == 1 else f"DIFFERENT OUTCOMES {sorted(found)}"
    [(status, messages)] = sorted(found)[:1]
    print(f"every sample of {args.day}: run {status}, {messages} messages in the outbox "
          f"({same})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
