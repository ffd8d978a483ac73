"""Scale-out end to end: the Prefect server and the store both on PostgreSQL, the
deployments registered for a process work pool, and a real ``prefect worker`` running a
daily run whose reminders reach aiosmtpd."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from naptip.flows.serve import free_port, start_server, stop_server
from naptip.store.db import open_database
from naptip.testing import temporary_postgres
from naptip.time.clock import PLAN_TZ
from tests.flows.test_orchestration_e2e import LEAD, environment, naptip, runs
from tests.smtp_server import SmtpServer, smtp
from tests.support import adopted_at_start

__all__ = ["smtp"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with temporary_postgres("naptip_prefect") as url:
        prefect_db = make_url(url).set(drivername="postgresql+asyncpg").render_as_string(
            hide_password=False)
        port = free_port()
        child = start_server(tmp_path_factory.mktemp("prefect-pg"), port, extra_env={
            "PREFECT_API_DATABASE_CONNECTION_URL": prefect_db})
        try:
            yield f"http://127.0.0.1:{port}/api"
        finally:
            stop_server(child)


def test_a_worker_runs_the_deployed_daily_run_with_everything_on_postgresql(
        pg_server: str, tmp_path: Path, smtp: SmtpServer) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Scheduled

    with temporary_postgres("naptip_store") as store_url:
        db = adopted_at_start(open_database(store_url, blobs=tmp_path / "blobs"))
        try:
            _contacts(db)
            env = environment(tmp_path, db, pg_server, smtp.config())
            pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                                   "naptip-pg", "--type", "process"], env=env,
                                  capture_output=True, text=True, timeout=120)
            assert pool.returncode == 0, pool.stderr
            done = naptip(env, "deploy", "--work-pool", "naptip-pg")
            assert done.returncode == 0, done.stderr
            worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start",
                                       "--pool", "naptip-pg"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                with temporary_settings({PREFECT_API_URL: pg_server}), \
                        get_client(sync_client=True) as client:
                    daily = client.read_deployment_by_name("daily-run/daily")
                    made = client.create_flow_run_from_deployment(daily.id, state=Scheduled(
                        scheduled_time=datetime(2024, 1, 24, 7, 0, tzinfo=PLAN_TZ)))
                    state = _wait(client, made.id)
                assert state.is_completed(), state
            finally:
                _stop_worker(worker)
            [record] = runs(db)
            assert record.day == date(2024, 1, 24) and record.status == "done"
            assert Counter(a for m in smtp.handler.messages for a in m.rcpt_tos
                           if "text/calendar" not in m.raw.decode("utf-8", "replace"))[LEAD] == 1
        finally:
            db.dispose()


def _contacts(db: Any) -> None:
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.people.contacts import ContactDirectory

    ContactDirectory(db).upsert([ContactInfo(
        name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead", scope="enforcement"),))],
        actor="test")


def _wait(client: Any, run_id: Any, timeout: float = 180) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.read_flow_run(run_id).state
        if state is not None and state.is_final():
            return state
        time.sleep(1)
    raise AssertionError("the worker did not finish the run in time")


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """The worker ignores SIGTERM and one SIGINT; a second SIGINT stops it."""
    for _ in range(2):
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                continue
    if worker.poll() is None:
        worker.kill()
        worker.wait()
