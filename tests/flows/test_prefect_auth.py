"""The Prefect API as docs/deployment.md sets it up: credentials required
(PREFECT_SERVER_API_AUTH_STRING), and ``naptip deploy``/``serve`` refusing an API that
others can use without them. Real ``prefect server start`` processes and a real worker."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from naptip.flows.serve import free_port, start_server, stop_server
from naptip.time.clock import PLAN_TZ
from naptip.work.prefect_access import ApiAccess, own_addresses, probe, status_of, verdict
from tests.flows.conftest import prefect_home
from tests.flows.test_orchestration_e2e import environment, naptip, runs, store

pytestmark = pytest.mark.slow

AUTH = "naptip-admin:Sx8-long-and-random"


@pytest.fixture(scope="module")
def secured(prefect_template: Path, tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[str]:
    """The documented server: loopback, PREFECT_SERVER_API_AUTH_STRING set."""
    home = prefect_home(prefect_template, tmp_path_factory.mktemp("prefect-secured"))
    port = free_port()
    child = start_server(home, port, extra_env={"PREFECT_SERVER_API_AUTH_STRING": AUTH})
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        stop_server(child)


def _post(url: str, body: dict[str, object], auth: str | None) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if auth:
        request.add_header("Authorization",
                           "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_an_unauthenticated_api_call_is_refused_an_authenticated_one_works(
        secured: str) -> None:
    # what the attack of issue 23 started with: creating things through the API
    assert _post(f"{secured}/flows/", {"name": "intruder"}, None) == 401
    assert _post(f"{secured}/flows/", {"name": "intruder"}, "wrong:guess") == 401
    assert _post(f"{secured}/flows/", {"name": "naptip-auth-check"}, AUTH) in (200, 201)
    assert status_of(secured) == 401 and status_of(secured, AUTH) == 200
    found = probe(secured, AUTH)
    assert found.answers and not found.open and found.ours
    assert verdict(found).error is None and verdict(found).warning is None


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr


def test_deploy_needs_the_credentials_and_a_worker_with_them_runs_the_deployment(
        secured: str, tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings
    from prefect.states import Scheduled

    db = store(tmp_path)
    bare = environment(tmp_path, db, secured, "")
    bare.pop("PREFECT_API_AUTH_STRING", None)
    assert "asks for credentials" in _one_line(naptip(bare, "deploy", "--work-pool", "p"))
    wrong = {**bare, "PREFECT_API_AUTH_STRING": "naptip-admin:wrong"}
    assert "refuses PREFECT_API_AUTH_STRING" in _one_line(
        naptip(wrong, "deploy", "--work-pool", "p"))
    assert "asks for credentials" in _one_line(naptip(bare, "serve", "--daily-at", "07:00"))
    checked = naptip(bare, "doctor")
    assert checked.returncode == 1 and "problem  prefect: the Prefect API at " \
        f"{secured} asks for credentials" in checked.stdout

    env = {**bare, "PREFECT_API_AUTH_STRING": AUTH}
    pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                           "naptip-auth", "--type", "process"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert pool.returncode == 0, pool.stderr
    done = naptip(env, "deploy", "--work-pool", "naptip-auth")
    assert done.returncode == 0, done.stderr
    assert "deployed daily-run/daily" in done.stdout and "warning" not in done.stderr
    checked = naptip(env, "doctor")
    assert checked.returncode == 0, checked.stdout
    assert f"ok       prefect: {secured} asks for credentials, takes ours" in checked.stdout
    # what is deployed, plan by plan (the duty flows carry their plan)
    assert "; naptip deployments: 1 daily-run (every plan), " in checked.stdout
    assert " for naptip-3.0" in checked.stdout and "without a plan" not in checked.stdout

    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                               "naptip-auth"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        with temporary_settings({PREFECT_API_URL: secured, PREFECT_API_AUTH_STRING: AUTH}), \
                get_client(sync_client=True) as client:
            daily = client.read_deployment_by_name("daily-run/daily")
            made = client.create_flow_run_from_deployment(daily.id, state=Scheduled(
                scheduled_time=datetime(2024, 1, 24, 7, 0, tzinfo=PLAN_TZ)))
            deadline = time.monotonic() + 180
            state = None
            while time.monotonic() < deadline:
                state = client.read_flow_run(made.id).state
                if state is not None and state.is_final():
                    break
                time.sleep(1)
        assert state is not None and state.is_completed(), state
    finally:
        worker.terminate()  # Prefect 3.9.1: one SIGTERM stops a worker
        assert worker.wait(60) is not None
    [record] = runs(db)
    assert record.id == str(made.id) and record.day == date(2024, 1, 24)
    assert record.status == "done"


def test_an_api_open_to_other_machines_is_refused_by_deploy_and_serve(
        prefect_template: Path, tmp_path: Path) -> None:
    addresses = own_addresses()
    assert addresses, "this machine has no address but loopback"
    home = prefect_home(prefect_template, tmp_path / "prefect-open")
    port = free_port()
    child = start_server(home, port, host="0.0.0.0")  # the unit issue 23 found
    try:
        db = store(tmp_path)
        for host in ("127.0.0.1", addresses[0]):  # even when naptip itself uses loopback
            env = environment(tmp_path, db, f"http://{host}:{port}/api", "")
            env.pop("PREFECT_API_AUTH_STRING", None)
            for args in (("deploy", "--work-pool", "p"), ("serve",)):
                line = _one_line(naptip(env, *args))
                assert "without credentials from other machines" in line, line
            checked = naptip(env, "doctor")
            assert checked.returncode == 1
            assert "problem  prefect: " in checked.stdout
            assert "without credentials from other machines" in checked.stdout
        assert runs(db) == []
    finally:
        stop_server(child)


def test_verdicts() -> None:
    url = "http://127.0.0.1:4200/api"
    local = verdict(ApiAccess(url=url, answers=True, open=True, ours=None, exposed=False))
    assert local.error is None and local.warning is not None
    assert "any user of this machine" in local.warning
    assert verdict(ApiAccess(url=url, answers=True, open=True, ours=None,
                             exposed=True)).error is not None
    assert verdict(ApiAccess(url=url, answers=True, open=False, ours=True,
                             exposed=True)) == verdict(ApiAccess(
                                 url=url, answers=True, open=False, ours=True, exposed=False))
