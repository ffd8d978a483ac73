"""End to end with a real ``prefect server start`` on loopback (its scheduler included).

One server for the tests/flows package (``server`` in tests/flows/conftest.py), started
from a pre-migrated database template (migrating a fresh Prefect database costs ~20 s; the
template is made once per Prefect version). The naptip commands run as real subprocesses,
as the secretariat would run them; e-mail goes to aiosmtpd on loopback; the store is
SQLite in the test's folder.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from http.server import HTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from naptip.base.contact_types import ContactInfo, Role
from naptip.flows.serve import free_port
from naptip.people.contacts import ContactDirectory
from naptip.store.db import Database, open_database
from naptip.store.orm import ReminderSent, RunRecord
from naptip.time.clock import PLAN_TZ
from tests.flows.conftest import prefect_home
from tests.people.test_remind import Hook
from tests.smtp_server import SmtpServer, smtp
from tests.support import adopted_at_start

__all__ = ["smtp"]

pytestmark = pytest.mark.slow

NAPTIP = str(Path(sys.executable).parent / "naptip")
LEAD, CHAIR, SEC = "lead@rmp.gov.my", "chair@rmp.gov.my", "sec@mapo.gov.my"


def store(tmp_path: Path, *, hook_url: str | None = None) -> Database:
    db = adopted_at_start(open_database(f"sqlite:///{tmp_path / 'naptip.db'}",
                                        blobs=tmp_path / "blobs"))
    ContactDirectory(db).upsert([
        ContactInfo(name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead",
                                                                 scope="enforcement"),)),
        ContactInfo(name="Dato' Chair", email=CHAIR, roles=(Role(role="chair",
                                                                  scope="enforcement"),)),
        ContactInfo(name="Encik Sekretariat", email=SEC,
                    roles=(Role(role="secretariat", scope="nso-mapo"),),
                    urls=(hook_url,) if hook_url else ()),
    ], actor="test")
    return db


def environment(tmp_path: Path, db: Database, server: str | None, config: str,
                **extra: str) -> dict[str, str]:
    path = tmp_path / "naptip.toml"
    path.write_text(config, encoding="utf-8")
    env = {**os.environ, "NAPTIP_DATABASE_URL": db.url, "NAPTIP_BLOB_DIR": str(db.blobs),
           "NAPTIP_CONFIG": str(path), "PREFECT_HOME": str(tmp_path / "prefect-client"),
           "DO_NOT_TRACK": "1", "NAPTIP_RETRY_DELAYS": "0.2,0.2", **extra}
    if server:
        env["PREFECT_API_URL"] = server
    else:
        env.pop("PREFECT_API_URL", None)
    return env


def naptip(env: dict[str, str], *args: str, timeout: float = 240,
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NAPTIP, *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def ledger(db: Database) -> list[tuple[str, str, str, str]]:
    with db.reading() as session:
        return sorted((r.occurrence_id, r.stage, r.recipient, r.status)
                      for r in session.execute(select(ReminderSent)).scalars())


def runs(db: Database) -> list[RunRecord]:
    with db.reading() as session:
        return list(session.execute(select(RunRecord).order_by(RunRecord.started_at))
                    .scalars())


def test_deploy_and_the_scheduler_plans_daily_runs_at_kuala_lumpur_times(
        server: str, client: Any, tmp_path: Path) -> None:
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

    db = store(tmp_path)
    env = environment(tmp_path, db, server, "")
    pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                           "naptip-pool", "--type", "process"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert pool.returncode == 0, pool.stderr
    # while NAPTIP 3.0 runs (alone), every duty flow of it, under the names of old
    done = naptip(env, "--as-of", "2024-01-10", "deploy", "--work-pool", "naptip-pool",
                  "--daily-at", "07:00")
    assert done.returncode == 0, done.stderr
    assert "deployed daily-run/daily\n" in done.stdout
    assert "deployed meeting/enforcement-meeting (naptip-3.0)\n" in done.stdout
    assert "deployed world-day/world-day (naptip-3.0)\n" in done.stdout

    daily = client.read_deployment_by_name("daily-run/daily")
    limit = daily.global_concurrency_limit
    assert limit is not None and limit.limit == 1 and daily.work_pool_name == "naptip-pool"
    assert daily.entrypoint == "naptip.flows.daily.daily_run"
    meeting = client.read_deployment_by_name("meeting/enforcement-meeting")
    [schedule] = meeting.schedules
    assert schedule.schedule.timezone == "Asia/Kuala_Lumpur"
    assert "BYDAY=2TU" in schedule.schedule.rrule  # the duty's own recurrence
    assert meeting.parameters == {"duty": "enforcement-meeting", "plan": "naptip-3.0"}

    deadline = time.monotonic() + 60  # the scheduler looks for new deployments every 5 s
    planned: list[Any] = []
    while time.monotonic() < deadline and len(planned) < 3:
        planned = client.read_flow_runs(deployment_filter=DeploymentFilter(
            id=DeploymentFilterId(any_=[daily.id])))
        time.sleep(1)
    assert len(planned) >= 3, "the scheduler created no daily runs"
    starts = sorted(r.expected_start_time.astimezone(PLAN_TZ) for r in planned)
    assert all((s.hour, s.minute, s.second) == (7, 0, 0) for s in starts)
    assert len({s.date() for s in starts}) == len(starts)  # one a day

    # a run of the deployment scheduled for 07:00 KL on 24 January 2024 (as the scheduler
    # makes them, but due already): the day it works on is its scheduled day in KL
    from prefect.states import Scheduled

    slot = datetime(2024, 1, 24, 7, 0, tzinfo=PLAN_TZ)
    made = client.create_flow_run_from_deployment(daily.id, state=Scheduled(
        scheduled_time=slot))
    executed = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "execute",
                               str(made.id)], env=env, capture_output=True, text=True,
                              timeout=180)
    assert executed.returncode == 0, executed.stderr[-3000:]
    [record] = runs(db)
    assert record.id == str(made.id) and record.status == "done"
    assert record.day == date(2024, 1, 24) and record.trigger == "prefect"
    after = client.read_flow_run(made.id)
    assert after.state is not None and after.state.is_completed()
    assert after.name.startswith("daily-run 2024-01-24 host ")


def digests(smtp: SmtpServer) -> Counter[str]:
    """Reminder digests received, by recipient (meeting invitations carry text/calendar)."""
    return Counter(a for m in smtp.handler.messages for a in m.rcpt_tos
                   if not any(p.get_content_type() == "text/calendar"
                              for p in m.message.walk()))


def invitations(smtp: SmtpServer) -> Counter[tuple[str, str]]:
    """Meeting invitations received, by (recipient, UID and SEQUENCE)."""
    out: Counter[tuple[str, str]] = Counter()
    for m in smtp.handler.messages:
        for part in m.message.walk():
            if part.get_content_type() == "text/calendar":
                text = part.get_content()
                uid = next(line for line in text.splitlines() if line.startswith("UID:"))
                seq = next(line for line in text.splitlines() if line.startswith("SEQUENCE:"))
                out.update((a, f"{uid} {seq}") for a in m.rcpt_tos)
    return out


def test_run_prefect_sends_through_smtp_and_records_its_summary(
        server: str, client: Any, tmp_path: Path, smtp: SmtpServer) -> None:
    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config())
    done = naptip(env, "run", "--prefect", "--as-of", "2024-01-24")
    assert done.returncode == 0, done.stderr
    assert "(prefect on " in done.stdout
    assert digests(smtp)[LEAD] == 1
    assert invitations(smtp) and set(invitations(smtp).values()) == {1}
    [record] = runs(db)
    assert record.status == "done" and record.day == date(2024, 1, 24)
    flow_run = client.read_flow_run(record.id)
    assert flow_run.name.startswith("daily-run 2024-01-24 host ")
    assert {s["name"]: s["status"] for s in record.steps} == {
        "sync": "done", "reminders": "done", "invitations": "done", "calendars": "done"}
    assert all(status == "sent" for *_, status in ledger(db))


def test_overlapping_runs_for_the_same_day_send_each_message_once(
        server: str, tmp_path: Path, smtp: SmtpServer) -> None:
    """A manual in-process run racing two Prefect flow runs (as two workers would)."""
    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config())
    procs = [subprocess.Popen([NAPTIP, "run", *extra, "--as-of", "2024-01-24"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for extra in (["--prefect"], ["--prefect"], [])]
    for p in procs:
        _out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
    received = digests(smtp)
    assert received and set(received.values()) == {1}, received
    assert invitations(smtp) and set(invitations(smtp).values()) == {1}
    rows = ledger(db)
    assert rows and {status for *_, status in rows} == {"sent"}
    assert len(runs(db)) == 3


def test_smtp_down_retries_fails_the_run_alerts_and_the_next_run_sends_the_rest(
        server: str, client: Any, tmp_path: Path, smtp: SmtpServer) -> None:
    hook = HTTPServer(("127.0.0.1", 0), Hook)
    Hook.received = []
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        db = store(tmp_path, hook_url="json://127.0.0.1:${NAPTIP_TEST_HOOK_PORT}/hook")
        down = f"mailto://127.0.0.1:{free_port()}?mode=insecure&from=naptip@mapo.gov.my"
        port = str(hook.server_port)
        env = environment(tmp_path, db, server, f'[mail]\nurl = "{down}"\n',
                          NAPTIP_TEST_HOOK_PORT=port)
        failed = naptip(env, "run", "--prefect", "--as-of", "2024-01-24")
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "reminders    failed" in failed.stdout
        [record] = runs(db)
        assert record.status == "failed"
        flow_run = client.read_flow_run(record.id)
        assert flow_run.state is not None and flow_run.state.is_failed()
        from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

        tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[flow_run.id])))
        [dispatch] = [t for t in tasks if t.name.startswith("dispatch")]
        assert dispatch.run_count == 3  # the first try and two retries
        alerts = [p for p in Hook.received if p["title"].startswith("[naptip] run failed")]
        assert len(alerts) == 1 and "daily-run 2024-01-24" in alerts[0]["title"]
        missing = {(o, s, r) for o, s, r, status in ledger(db) if status == "failed"}
        assert {r for _, _, r in missing} == {LEAD, CHAIR, SEC}

        env = environment(tmp_path, db, server, smtp.config(), NAPTIP_TEST_HOOK_PORT=port)
        again = naptip(env, "run", "--prefect", "--as-of", "2024-01-24")
        assert again.returncode == 0, again.stderr[-3000:]
        assert digests(smtp) == Counter({LEAD: 1, CHAIR: 1, SEC: 1})
        assert invitations(smtp) and set(invitations(smtp).values()) == {1}
        assert {status for *_, status in ledger(db)} == {"sent"}
        hooked = [p for p in Hook.received if not p["title"].startswith("[naptip]")]
        assert len(hooked) == 1  # the channel that worked is not sent again
    finally:
        hook.shutdown()
        hook.server_close()


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_serve_starts_a_server_fires_a_scheduled_run_and_stops_on_sigterm(
        prefect_template: Path, tmp_path: Path) -> None:
    db = store(tmp_path)
    env = environment(tmp_path, db, None, "", XDG_DATA_HOME=str(tmp_path / "data"))
    prefect_home(prefect_template, tmp_path / "data" / "naptip" / "prefect")
    port = free_port()
    at = (datetime.now(UTC) + timedelta(seconds=45)).astimezone(PLAN_TZ)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([NAPTIP, "serve", "--port", str(port), "--daily-at",
                             f"{at:%H:%M:%S}"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and not any(r.status == "done" for r in runs(db)):
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            time.sleep(1)
        [record] = runs(db)
        assert record.status == "done" and record.trigger == "prefect"
        assert record.day == at.date()  # the scheduled day in Kuala Lumpur
        assert port_open(port)
        # the server it started asks for the credentials it keeps in its data folder
        from naptip.work.prefect_access import status_of

        auth_file = tmp_path / "data" / "naptip" / "prefect" / "api-auth-string"
        assert auth_file.stat().st_mode & 0o077 == 0
        assert status_of(f"http://127.0.0.1:{port}/api") == 401
        assert status_of(f"http://127.0.0.1:{port}/api", auth_file.read_text().strip()) == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        log.close()
    text = (tmp_path / "serve.log").read_text()
    assert code == 0, text[-3000:]
    assert "started a Prefect server" in text and text.rstrip().endswith("stopped")
    assert " (naptip-3.0)\n" in text  # what it serves, with its plan
    assert not port_open(port)  # its server stopped with it


def test_run_prefect_with_no_server_is_one_line(tmp_path: Path) -> None:
    db = store(tmp_path)
    env = environment(tmp_path, db, f"http://127.0.0.1:{free_port()}/api", "")
    done = naptip(env, "run", "--prefect", "--as-of", "2024-01-24")
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "does not answer" in done.stderr
    assert runs(db) == [] and json.dumps(ledger(db)) == "[]"


def test_deploy_to_a_work_pool_that_does_not_exist_says_how_to_create_it(
        server: str, tmp_path: Path) -> None:
    db = store(tmp_path)
    env = environment(tmp_path, db, server, "")
    done = naptip(env, "deploy", "--work-pool", "no-such-pool")
    assert done.returncode == 1, done.stdout + done.stderr
    # one error line (after the warning that this test server asks for no credentials)
    errors = [line for line in done.stderr.splitlines() if not line.startswith("warning: ")]
    assert len(errors) == 1 and errors[0].startswith("Error: "), done.stderr
    assert "prefect work-pool create no-such-pool --type process" in done.stderr
    assert "unexpected" not in done.stderr and done.stdout == ""


def test_run_prefect_does_each_plans_day_in_a_subflow_of_its_own(
        server: str, client: Any, tmp_path: Path, smtp: SmtpServer) -> None:
    """NAPTIP 3.0 closed with an item re-opened, its successor running: one daily-run,
    one plan-run subflow per plan, each recorded with its plan; a rerun sends nothing."""
    from tests.plan.test_successor import CONTINUES, _make

    package = _make(tmp_path / "plans" / "naptip-4.0", CONTINUES)
    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config(),
                      NAPTIP_PLAN_PACKAGES=str(package), NAPTIP_USER="secretariat")
    for args in (("--plan", "naptip-3.0", "sync"),
                 ("--plan", "naptip-3.0", "plan", "reopen", "S20-O2-v@2023", "--due",
                  "2026-12-10", "--reason", "minutes still missing")):
        done = naptip(env, "--as-of", "2026-12-07", *args)
        assert done.returncode == 0, done.stdout + done.stderr
    done = naptip(env, "run", "--prefect", "--as-of", "2026-12-07")
    assert done.returncode == 0, done.stdout + done.stderr
    records = runs(db)
    assert sorted(r.plan_id for r in records) == ["naptip-3.0", "naptip-4.0"]
    assert all(r.status == "done" and r.trigger == "prefect" for r in records)
    parents = set()
    for record in records:
        flow_run = client.read_flow_run(record.id)
        assert flow_run.name.startswith(f"{record.plan_id} 2026-12-07 host ")
        assert flow_run.parent_task_run_id is not None
        parents.add(client.read_task_run(flow_run.parent_task_run_id).flow_run_id)
    [parent] = parents
    assert client.read_flow_run(parent).name.startswith("daily-run 2026-12-07 host ")
    assert f"run {records[0].id[:12]} {records[0].plan_id}" in done.stdout
    sent = ledger(db)
    assert any(o == "S20-O2-v@2023" and ".re20261210" in s for o, s, _r, _st in sent)
    assert any(o.startswith(("naptip-4.0:", "enforcement-meeting@2026")) for o, *_ in sent)
    again = naptip(env, "run", "--prefect", "--as-of", "2026-12-07")
    assert again.returncode == 0, again.stdout + again.stderr
    assert ledger(db) == sent and len(runs(db)) == 4


def test_deploy_serves_a_closed_plans_final_evaluation_beside_its_successor(
        server: str, client: Any, tmp_path: Path) -> None:
    """On 2026-12-07 with NAPTIP 4.0 loaded: NAPTIP 3.0 is closed but its final evaluation
    is still open, so its final-evaluation flow is deployed beside 4.0's duties, each name
    saying its plan, a duty 4.0 carries on once; deploying again updates them in place;
    the 3.0 deployment's run writes NAPTIP 3.0's final report, not the default plan's."""
    from prefect.states import Scheduled

    from tests.plan.test_successor import CONTINUES, _make

    package = _make(tmp_path / "plans" / "naptip-4.0", CONTINUES)
    db = store(tmp_path)
    env = environment(tmp_path, db, server, "", NAPTIP_PLAN_PACKAGES=str(package),
                      NAPTIP_AS_OF="2026-12-07", NAPTIP_REPORTS_DIR=str(tmp_path / "reports"),
                      COLUMNS="80")
    done = naptip(env, "--plan", "naptip-3.0", "sync")
    assert done.returncode == 0, done.stdout + done.stderr
    pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                           "plans-pool", "--type", "process"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert pool.returncode == 0, pool.stderr
    # in 2025, NAPTIP 3.0 alone is served: its duties under the names of old
    before = naptip(env, "--as-of", "2025-06-01", "deploy", "--work-pool", "plans-pool")
    assert before.returncode == 0, before.stderr
    assert "deployed meeting/enforcement-meeting (naptip-3.0)\n" in before.stdout
    assert client.read_deployment_by_name("meeting/enforcement-meeting").parameters == {
        "duty": "enforcement-meeting", "plan": "naptip-3.0"}
    done = naptip(env, "deploy", "--work-pool", "plans-pool")
    assert done.returncode == 0, done.stderr
    # the deployments no plan needs any more are paused, each named
    assert "paused meeting/enforcement-meeting: no plan needs it today" in done.stderr
    assert "paused final-evaluation/final-evaluation: " in done.stderr
    assert done.stdout.splitlines() == [
        "deployed daily-run/daily",
        "deployed final-evaluation/final-evaluation (naptip-3.0)",
        "deployed meeting/enforcement-meeting (naptip-4.0)",
        "deployed world-day/world-day (naptip-4.0)"]
    again = naptip(env, "deploy", "--work-pool", "plans-pool")
    assert again.returncode == 0 and again.stdout == done.stdout, again.stderr
    assert "paused" not in again.stderr  # nothing more to pause
    names = sorted(f"{client.read_flow(d.flow_id).name}/{d.name}"
                   for d in client.read_deployments()
                   if d.work_pool_name == "plans-pool" and not d.paused)
    assert names == ["daily-run/daily", "final-evaluation/final-evaluation (naptip-3.0)",
                     "meeting/enforcement-meeting (naptip-4.0)",
                     "world-day/world-day (naptip-4.0)"]  # once each, after two deploys
    meeting = client.read_deployment_by_name("meeting/enforcement-meeting (naptip-4.0)")
    assert meeting.parameters == {"duty": "enforcement-meeting", "plan": "naptip-4.0"}
    [schedule] = meeting.schedules
    assert "DTSTART;TZID=Asia/Kuala_Lumpur:2026" in schedule.schedule.rrule

    final = client.read_deployment_by_name("final-evaluation/final-evaluation (naptip-3.0)")
    assert final.parameters == {"duty": "final-evaluation", "plan": "naptip-3.0"}
    made = client.create_flow_run_from_deployment(final.id, state=Scheduled(
        scheduled_time=datetime(2026, 12, 7, 10, 0, tzinfo=PLAN_TZ)))
    executed = subprocess.run([sys.executable, "-m", "prefect", "flow-run", "execute",
                               str(made.id)], env=env, capture_output=True, text=True,
                              timeout=180)
    assert executed.returncode == 0, executed.stderr[-3000:]
    [record] = runs(db)
    assert record.id == str(made.id) and record.status == "done", record.note
    assert (record.plan_id, record.duty, record.day) == (
        "naptip-3.0", "final-evaluation", date(2026, 12, 7))
    assert {s["name"]: s["status"] for s in record.steps}["review-pack"] == "done"
    figures = json.loads((tmp_path / "reports" / "final.json").read_text("utf-8"))
    assert figures["years"] == [2021, 2022, 2023, 2024, 2025]  # NAPTIP 3.0's, not 4.0's
    assert client.read_flow_run(made.id).name == "final-evaluation naptip-3.0 2026-12-07"
