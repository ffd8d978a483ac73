"""Issue 23's set-up end to end: the Prefect server on PostgreSQL with credentials
(PREFECT_SERVER_API_AUTH_STRING), the store on PostgreSQL, and two workers in separate
environments (their own HOME, data folder and Prefect home) sharing only the store and
the folders docs/deployment.md says to share. What a run on one worker writes (outbox
messages, calendar feeds) is visible from the other; the API refuses anonymous calls."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from naptip.clock import PLAN_TZ
from naptip.db import Database, open_database
from naptip.flows.serve import free_port, start_server, stop_server
from naptip.prefect_access import probe, status_of
from naptip.testing import temporary_postgres

from .test_orchestration_e2e import NAPTIP, runs, store
from .test_prefect_auth import AUTH, _post

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
             ) -> dict[str, str]:
    """One machine's environment, as /etc/naptip/naptip.env and secrets.env give it."""
    home = tmp_path / name
    (home / "data").mkdir(parents=True)
    config = tmp_path / "naptip.toml"  # the same file copied to every host: no [mail]
    config.write_text("", encoding="utf-8")
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
        db = open_database(store_url, blobs=tmp_path / "shared" / "blobs")
        try:
            from naptip.contacts import ContactDirectory

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
