"""Issue 23's set-up end to end: the Prefect server on PostgreSQL with credentials
(PREFECT_SERVER_API_AUTH_STRING), the store on PostgreSQL, and two workers in separate
environments (their own HOME, data folder and Prefect home) sharing only the store and
the folders docs/deployment.md says to share. What a run on one worker writes (outbox
messages, calendar feeds) is visible from the other; the API refuses anonymous calls."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from naptip.flows.serve import free_port, start_server, stop_server
from naptip.store.db import Database, open_database
from naptip.store.liveness import host_name, process_alive
from naptip.testing import temporary_postgres
from naptip.time.clock import PLAN_TZ
from naptip.work.prefect_access import probe, status_of
from tests.flows.test_orchestration_e2e import NAPTIP, environment, ledger, runs, store
from tests.flows.test_prefect_auth import AUTH, _post
from tests.smtp_server import Received, SmtpServer, running_smtp
from tests.support import adopted_at_start

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def documented_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """docs/deployment.md's server: PostgreSQL, loopback, credentials required."""
    with temporary_postgres("naptip_prefect_mm") as url:
        prefect_db = make_url(url).set(drivername="postgresql+asyncpg").render_as_string(
            hide_password=False)
        port = free_port()
        child = start_server(tmp_path_factory.mktemp("prefect-mm"), port, extra_env={
            "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db,
            "PREFECT_SERVER_API_AUTH_STRING": AUTH})
        try:
            yield f"http://127.0.0.1:{port}/api"
        finally:
            stop_server(child)


def host_env(tmp_path: Path, name: str, db: Database, server: str, shared: Path,
             mail: str = "") -> dict[str, str]:
    """One machine's environment, as /etc/naptip/naptip.env and secrets.env give it."""
    home = tmp_path / name
    (home / "data").mkdir(parents=True)
    config = tmp_path / "naptip.toml"  # the same file copied to every host
    config.write_text(mail, encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NAPTIP_", "PREFECT_", "XDG_"))}
    env.update({"HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                "PREFECT_HOME": str(home / "prefect"), "DO_NOT_TRACK": "1",
                "NAPTIP_DATABASE_URL": db.url, "NAPTIP_CONFIG": str(config),
                "NAPTIP_BLOB_DIR": str(shared / "blobs"),
                "NAPTIP_CALENDAR_DIR": str(shared / "calendars"),
                "NAPTIP_REPORTS_DIR": str(shared / "reports"),
                "NAPTIP_RETRY_DELAYS": "0.2,0.2",
                "PREFECT_API_URL": server, "PREFECT_API_AUTH_STRING": AUTH})
    return env


def naptip(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NAPTIP, *args], env=env, capture_output=True, text=True,
                          timeout=240)


def run_on(env: dict[str, str], server: str, day: datetime) -> None:
    """Start a worker in ``env``, have it run daily-run for ``day``, stop it."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings
    from prefect.states import Scheduled

    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                               "naptip-mm"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        with temporary_settings({PREFECT_API_URL: server, PREFECT_API_AUTH_STRING: AUTH}), \
                get_client(sync_client=True) as client:
            daily = client.read_deployment_by_name("daily-run/daily")
            made = client.create_flow_run_from_deployment(daily.id, state=Scheduled(
                scheduled_time=day))
            deadline, state = time.monotonic() + 180, None
            while time.monotonic() < deadline:
                state = client.read_flow_run(made.id).state
                if state is not None and state.is_final():
                    break
                time.sleep(1)
            assert state is not None and state.is_completed(), state
    finally:
        worker.terminate()  # Prefect 3.9.1: one SIGTERM stops a worker
        worker.wait(60)


def outbox_ids(env: dict[str, str]) -> list[str]:
    listed = naptip(env, "outbox", "list")
    assert listed.returncode == 0, listed.stderr
    if "the outbox is empty" in listed.stdout:
        return []
    return [line.split()[0] for line in listed.stdout.splitlines() if line]


def files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.rglob(pattern))


def test_two_workers_share_outbox_and_feeds_through_the_store_and_shared_folders(
        documented_server: str, tmp_path: Path) -> None:
    # an anonymous client can neither read nor create anything on the documented server
    assert status_of(documented_server) == 401
    assert _post(f"{documented_server}/deployments/filter", {}, None) == 401
    assert _post(f"{documented_server}/flows/", {"name": "intruder"}, None) == 401
    assert not probe(documented_server, AUTH).open

    with temporary_postgres("naptip_store_mm") as store_url:
        seeded = store(tmp_path)  # the contacts of the e2e tests, copied into PostgreSQL
        db = adopted_at_start(open_database(store_url, blobs=tmp_path / "shared" / "blobs"))
        try:
            from naptip.people.contacts import ContactDirectory

            ContactDirectory(db).upsert(ContactDirectory(seeded).all(), actor="test")
            seeded.dispose()
            shared = tmp_path / "shared"
            one = host_env(tmp_path, "worker-1", db, documented_server, shared)
            two = host_env(tmp_path, "worker-2", db, documented_server, shared)
            for env in (one, two):
                checked = naptip(env, "doctor")
                assert checked.returncode == 0, checked.stdout + checked.stderr
            pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                                   "naptip-mm", "--type", "process"], env=one,
                                  capture_output=True, text=True, timeout=120)
            assert pool.returncode == 0, pool.stderr
            deployed = naptip(one, "deploy", "--work-pool", "naptip-mm")
            assert deployed.returncode == 0, deployed.stderr
            assert deployed.stderr == ""  # no warning: the API asks for credentials

            run_on(one, documented_server, datetime(2024, 1, 24, 7, 0, tzinfo=PLAN_TZ))
            written_by_one = outbox_ids(two)  # seen from the other worker
            assert written_by_one, "the run on worker 1 wrote no outbox message"
            assert outbox_ids(one) == written_by_one
            feeds = files(shared / "calendars", "*.ics")
            assert feeds, "no calendar feed in the shared folder"

            run_on(two, documented_server, datetime(2024, 2, 1, 7, 0, tzinfo=PLAN_TZ))
            after = outbox_ids(one)  # worker 2's messages, seen from worker 1
            assert after[:len(written_by_one)] == written_by_one
            assert len(after) > len(written_by_one)
            shown = naptip(one, "outbox", "show", after[-1])
            assert shown.returncode == 0 and "Subject: " in shown.stdout

            # nothing was left in either worker's own home
            for name in ("worker-1", "worker-2"):
                home = tmp_path / name
                assert files(home, "*.eml") == [] and files(home, "*.ics") == []
            assert [r.status for r in runs(db)] == ["done", "done"]
        finally:
            db.dispose()


# -- two workers serving one deployment, with [mail] at a real SMTP server -------------------

#: short heartbeats and polls, so that a dead run is seen in seconds, not minutes
FAST = {"NAPTIP_HEARTBEAT_SECONDS": "1", "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "1"}


@dataclass
class Cluster:
    """The store on PostgreSQL, two workers (each at most 2 runs at once) in their own
    environments, serving daily-run/daily; every e-mail goes to ``smtp``."""

    db: Database
    envs: tuple[dict[str, str], dict[str, str]]
    workers: list[subprocess.Popen[bytes]]
    logs: list[Path]
    smtp: SmtpServer
    client: Any

    def log_tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in self.logs)

    def start(self, day: str) -> Any:
        daily = self.client.read_deployment_by_name("daily-run/daily")
        return self.client.create_flow_run_from_deployment(daily.id,
                                                           parameters={"day": day})

    def state(self, flow_run: Any) -> str:
        state = self.client.read_flow_run(flow_run.id).state
        return state.type.value if state is not None else "?"

    def finish(self, made: list[Any], timeout: float = 150) -> list[str]:
        wait_for("the flow runs to end", lambda: all(
            self.state(f) in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for f in made),
            timeout, self.log_tail)
        return [self.state(f) for f in made]

    def worker_of(self, flow_run_id: str) -> int:
        """Which worker (0 or 1) ran the flow run (the run's own log, "View at ...", goes
        to its worker's output; a worker that lost the race only says "Aborted")."""
        took = [i for i, log in enumerate(self.logs)
                if f"/runs/flow-run/{flow_run_id}" in log.read_text()]
        assert len(took) == 1, (flow_run_id, took, self.log_tail())
        return took[0]


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120,
             context: Callable[[], str] = str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{context()}")


@pytest.fixture(scope="module")
def module_smtp() -> Iterator[SmtpServer]:
    with running_smtp() as server:
        yield server


@pytest.fixture(scope="module")
def cluster(documented_server: str, module_smtp: SmtpServer,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from naptip.people.contacts import ContactDirectory

    tmp_path = tmp_path_factory.mktemp("mm-mail")
    workers: list[subprocess.Popen[bytes]] = []
    with temporary_postgres("naptip_store_mm_mail") as store_url, \
            temporary_settings({PREFECT_API_URL: documented_server,
                                PREFECT_API_AUTH_STRING: AUTH}), \
            get_client(sync_client=True) as client:
        seeded = store(tmp_path / "seed")  # a few officials: lead, chair, secretariat
        db = adopted_at_start(open_database(store_url, blobs=tmp_path / "shared" / "blobs"))
        try:
            ContactDirectory(db).upsert(ContactDirectory(seeded).all(), actor="test")
            seeded.dispose()
            shared = tmp_path / "shared"
            envs = tuple({**host_env(tmp_path, name, db, documented_server, shared,
                                     module_smtp.config()), **FAST}
                         for name in ("worker-a", "worker-b"))
            pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                                   "naptip-mm-mail", "--type", "process"], env=envs[0],
                                  capture_output=True, text=True, timeout=120)
            assert pool.returncode == 0, pool.stderr
            deployed = naptip(envs[0], "deploy", "--work-pool", "naptip-mm-mail")
            assert deployed.returncode == 0, deployed.stderr
            logs = [tmp_path / f"worker-{n}.log" for n in "ab"]
            for env, log in zip(envs, logs, strict=True):
                with log.open("w") as out:  # at most 2 runs each: 3 runs need both
                    workers.append(subprocess.Popen(
                        [sys.executable, "-m", "prefect", "worker", "start", "--pool",
                         "naptip-mm-mail", "--limit", "2"], env=env, stdout=out, stderr=out,
                        start_new_session=True))
            yield Cluster(db, (envs[0], envs[1]), workers, logs, module_smtp, client)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)  # one SIGTERM stops a worker
                    try:
                        worker.wait(60)
                    except subprocess.TimeoutExpired:
                        os.killpg(worker.pid, signal.SIGKILL)
                        worker.wait(30)
            db.dispose()


def received(messages: list[Received]) -> Counter[tuple[str, str]]:
    """What arrived, by (recipient, item): an invitation by its UID and SEQUENCE, a
    reminder digest by its subject; the secretariat's run alerts are left out."""
    out: Counter[tuple[str, str]] = Counter()
    for m in messages:
        subject = str(m.message["Subject"])
        if subject.startswith("[naptip]"):
            continue
        item = subject
        for part in m.message.walk():
            if part.get_content_type() == "text/calendar":
                lines = part.get_content().splitlines()
                item = " ".join(line for line in lines
                                if line.startswith(("UID:", "SEQUENCE:")))
        out.update((r, item) for r in m.rcpt_tos)
    return out


def test_three_runs_at_once_on_two_workers_send_each_message_once(
        cluster: Cluster, tmp_path: Path) -> None:
    smtp = cluster.smtp
    # what one lone run sends for the day: a separate store, the same officials, in-process
    lone_db = store(tmp_path)
    lone_env = {**environment(tmp_path, lone_db, None, smtp.config()),
                "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    lone = naptip(lone_env, "run", "--as-of", "2024-01-24")
    lone_db.dispose()
    assert lone.returncode == 0, lone.stdout + lone.stderr
    alone = received(smtp.handler.messages)
    assert alone and set(alone.values()) == {1}, alone
    del smtp.handler.messages[:]

    # three flow runs at once for the two workers, and a hand run on machine A racing them
    # (the deployment's concurrency limit of 1 makes the flow runs take turns; each goes to
    # whichever worker asks first)
    made = [cluster.start("2024-01-24") for _ in range(3)]
    by_hand = subprocess.Popen([NAPTIP, "run", "--as-of", "2024-01-24"], env=cluster.envs[0],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = by_hand.communicate(timeout=150)
    assert by_hand.returncode == 0, out + err
    assert cluster.finish(made) == ["COMPLETED"] * 3, cluster.log_tail()
    for flow_run in made:  # each ran once, on one of the two workers
        assert cluster.worker_of(str(flow_run.id)) in (0, 1)
    together = received(smtp.handler.messages)
    assert set(together.values()) == {1}, together  # every (recipient, item) once
    assert together == alone  # and all of what one run sends
    assert {status for *_, status in ledger(cluster.db)} == {"sent"}
    assert sorted(r.status for r in runs(cluster.db)) == ["done"] * 4


def test_a_sigkilled_worker_s_run_is_closed_and_a_rerun_on_the_other_sends_its_claims(
        cluster: Cluster) -> None:
    smtp, db = cluster.smtp, cluster.db
    del smtp.handler.messages[:]
    before = {r.id for r in runs(db)}
    smtp.handler.stall_after = 2  # two e-mails go through, the third is held
    dead = cluster.start("2024-02-01")
    try:
        wait_for("the run's third e-mail", lambda: len(smtp.handler.messages) >= 3, 150,
                 cluster.log_tail)
        record = next(r for r in runs(db) if r.id == str(dead.id))
        assert record.status == "running" and cluster.state(dead) == "RUNNING"
        pid = record.pid
        assert pid is not None and record.host == host_name()
        a = cluster.worker_of(str(dead.id))
        victim = cluster.workers[a]
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and its flow-run process
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # in case it has its own session
        victim.wait(30)
        wait_for("the flow-run process to die", lambda: not process_alive(pid), 30)
    finally:
        smtp.handler.stall_after = None
    claimed = ledger(db)
    assert any(status == "sending" for *_, status in claimed), claimed
    owed = {r for _o, _s, r, status in claimed if status != "sent"}
    seen = len(smtp.handler.messages)

    # the dead run still holds the deployment's concurrency slot (Prefect says Running), so
    # a new flow run of the deployment would wait for the slot's lease (~5 min). Recover as
    # docs/deployment.md says, at once, on machine B: `naptip run --prefect` closes the dead
    # run (in Prefect too, freeing the slot) and sends what it had claimed
    b = 1 - a
    again = naptip(cluster.envs[b], "run", "--prefect", "--as-of", "2024-02-01")
    assert again.returncode == 0, again.stdout + again.stderr
    closed = next(r for r in runs(db) if r.id == str(dead.id))
    assert closed.status == "crashed", (closed.status, closed.note)
    assert cluster.state(dead) == "CRASHED"
    listed = naptip(cluster.envs[b], "runs", "list")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if str(dead.id)[:12] in x)
    assert "crashed" in line and "running" not in listed.stdout, listed.stdout
    assert not any(r.status == "running" for r in runs(db))
    assert {status for *_, status in ledger(db)} == {"sent"}  # nothing stays `sending`
    after = received(smtp.handler.messages[seen:])
    assert owed <= {r for r, _item in after}, (owed, after)  # the dead run's claims went

    # the slot is free: the next run of the deployment runs at once, on worker B
    following = cluster.start("2024-02-01")
    assert cluster.finish([following], timeout=90) == ["COMPLETED"], cluster.log_tail()
    assert cluster.worker_of(str(following.id)) == b
    assert len(runs(db)) - len(before) == 3
    total = received(smtp.handler.messages)
    duplicates = sum(n - 1 for n in total.values())
    assert duplicates <= 1, total  # at most the message the stalled server held
