"""After a crash, with a real ``prefect server start`` and ``naptip serve`` as real processes:
an interrupted serve (Ctrl-C, a power loss) never leaves the daily job stuck behind its
dead run; dead runs are closed in Prefect and in ``naptip runs``, and the secretariat is
alerted. The Prefect server is the one the tests/flows package shares (its conftest)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest

from naptip.store.db import Database
from tests.flows.test_orchestration_e2e import NAPTIP, SEC, environment, runs, store
from tests.smtp_server import SmtpServer, smtp

__all__ = ["smtp"]

pytestmark = pytest.mark.slow
FAST = {"PREFECT_RUNNER_POLL_FREQUENCY": "1", "NAPTIP_HEARTBEAT_SECONDS": "1",
        "NAPTIP_SWEEP_SECONDS": "2"}


def wait_for(what: str, check: Callable[[], Any], timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Serve:
    """``naptip serve`` in its own process group, as a terminal (or systemd) runs it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log_path = log
        self.log: IO[str] = log.open("a")
        self.proc = subprocess.Popen([NAPTIP, "serve"], env=env, stdout=self.log,
                                     stderr=self.log, start_new_session=True)

    def text(self) -> str:
        return self.log_path.read_text()

    def ready(self) -> bool:
        assert self.proc.poll() is None, self.text()[-3000:]
        return "serving" in self.text()

    def signal_group(self, sig: int) -> int:
        os.killpg(self.proc.pid, sig)
        code = self.proc.wait(90)
        self.log.close()
        return code


def daily_deployment(client: Any) -> Any:
    return wait_for("the daily deployment", lambda: _read(client, "daily-run/daily"))


def _read(client: Any, name: str) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


def start_daily(client: Any, day: str) -> Any:
    deployment = daily_deployment(client)
    return client.create_flow_run_from_deployment(deployment.id, parameters={"day": day})


def state_of(client: Any, flow_run: Any) -> str:
    state = client.read_flow_run(flow_run.id).state
    return state.type.value if state is not None else "?"


def record(db: Database, flow_run: Any) -> Any:
    return next((r for r in runs(db) if r.id == str(flow_run.id)), None)


def stuck_run(client: Any, db: Database, smtp: SmtpServer, day: str) -> Any:
    """A daily run of the served deployment, stuck on its first e-mail."""
    smtp.handler.stall_after = len(smtp.handler.messages)
    flow_run = start_daily(client, day)
    wait_for("the run to reach its first e-mail",
             lambda: record(db, flow_run) is not None and
             len(smtp.handler.messages) > (smtp.handler.stall_after or 0))
    assert state_of(client, flow_run) == "RUNNING"
    return flow_run


def alerts(smtp: SmtpServer) -> list[str]:
    return [str(m.message["Subject"]) for m in smtp.handler.messages
            if SEC in m.rcpt_tos and str(m.message["Subject"]).startswith("[naptip] run failed")]


def test_ctrl_c_or_a_power_loss_mid_run_never_stops_the_daily_job(
        server: str, client: Any, tmp_path: Path, smtp: SmtpServer) -> None:
    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config(), **FAST)

    # 1. Ctrl-C on serve while a daily-run runs: the run is closed, its slot freed
    first = Serve(env, tmp_path / "serve1.log")
    wait_for("serve", first.ready)
    interrupted = stuck_run(client, db, smtp, "2024-01-24")
    assert first.signal_group(signal.SIGINT) == 0, first.text()[-3000:]
    smtp.handler.stall_after = None
    assert state_of(client, interrupted) == "CRASHED", first.text()[-3000:]
    assert record(db, interrupted).status == "crashed"

    # 2. serve again: the next daily-run runs (it does not wait for the dead one's slot)
    second = Serve(env, tmp_path / "serve2.log")
    wait_for("serve", second.ready)
    after = start_daily(client, "2024-01-24")
    wait_for("the next run to complete",
             lambda: state_of(client, after) in ("COMPLETED", "FAILED"), timeout=150)
    assert state_of(client, after) == "COMPLETED"
    assert record(db, after).status == "done"

    # 3. a power loss mid-run (serve and its flow run killed at once)
    lost = stuck_run(client, db, smtp, "2024-02-01")
    second.signal_group(signal.SIGKILL)
    smtp.handler.stall_after = None
    assert state_of(client, lost) == "RUNNING"  # nobody told Prefect
    third = Serve(env, tmp_path / "serve3.log")
    try:
        wait_for("serve", third.ready)
        assert f"closed dead run {client.read_flow_run(lost.id).name}" in third.text()
        assert state_of(client, lost) == "CRASHED"
        assert record(db, lost).status == "crashed"
        assert any("crashed" in a and "2024-02-01" in a for a in alerts(smtp)), alerts(smtp)
        again = start_daily(client, "2024-02-01")
        wait_for("the run after the power loss",
                 lambda: state_of(client, again) in ("COMPLETED", "FAILED"), timeout=150)
        assert state_of(client, again) == "COMPLETED"
    finally:
        assert third.signal_group(signal.SIGTERM) == 0, third.text()[-3000:]
    assert not any(r.status == "running" for r in runs(db))


def test_the_failure_alert_goes_to_the_outbox_when_mail_is_down_and_says_so(
        server: str, client: Any, tmp_path: Path) -> None:
    """The secretariat has e-mail only and SMTP is down (the likeliest failure): the alert
    is written to the outbox, and runs list and status say it was not delivered."""
    from naptip.flows.serve import free_port
    from naptip.notifications.outbox import entries, message
    from tests.flows.test_orchestration_e2e import naptip

    db = store(tmp_path)
    down = f"mailto://127.0.0.1:{free_port()}?mode=insecure&from=naptip@mapo.gov.my"
    env = environment(tmp_path, db, server, f'[mail]\nurl = "{down}"\n')
    failed = naptip(env, "run", "--prefect", "--as-of", "2024-01-24")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    # a few lines of Prefect's log, no traceback (the Prefect UI keeps them), the summary
    assert "Traceback" not in failed.stderr and len(failed.stderr.splitlines()) < 20
    assert "reminders    failed" in failed.stdout
    outbox = [message(db, e.id) for e in entries(db)]  # kept in the store
    subjects = [str(m["Subject"]) for m in outbox]
    assert len(subjects) == 1 and subjects[0].startswith("[naptip] run failed: daily-run")
    assert outbox[0]["To"] == SEC
    [run] = runs(db)
    assert run.status == "failed" and run.note is not None
    assert run.note.startswith(f"alert not delivered: {SEC}: ")
    assert "written to the outbox" in run.note
    listed = " ".join(naptip(env, "runs", "list").stdout.split())  # wrapped to 80 columns
    assert "alert not delivered" in listed and "written to the outbox" in listed
    status = naptip(env, "status", "--as-of", "2024-01-24")
    assert status.returncode == 0, status.stderr
    assert "Runs needing attention" in status.stdout
    assert "alert not delivered" in status.stdout


@pytest.mark.parametrize("mode", ["in-process", "prefect"])
def test_sigterm_closes_the_run_record(server: str, client: Any, tmp_path: Path,
                                       smtp: SmtpServer, mode: str) -> None:
    """SIGTERM mid-run: `naptip run` closes its record as interrupted; under Prefect the
    flow run is Crashed and its crash hook closes the record; one line, no traceback."""
    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config(), **FAST)
    smtp.handler.stall_after = 0
    args = [NAPTIP, "run", "--as-of", "2024-01-24"] + (["--prefect"] if mode == "prefect" else [])
    proc = subprocess.Popen(args, env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    wait_for("the run's first e-mail", lambda: smtp.handler.messages)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    smtp.handler.stall_after = None
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "interrupted: the run is closed as interrupted" in err
    [run] = runs(db)
    if mode == "prefect":
        assert run.status == "crashed", run.note
        assert client.read_flow_run(run.id).state.type.value == "CRASHED"
    else:
        assert run.status == "interrupted" and run.note == "interrupted: Ctrl-C or SIGTERM"


def test_serve_after_serve_was_sigkilled_replaces_the_orphaned_server(
        prefect_template: Path, tmp_path: Path) -> None:
    """SIGKILL of serve leaves its Prefect server running: the next serve says so, stops
    it and starts its own (it does not report "started" while attached to the orphan)."""
    from naptip.flows.serve import free_port
    from naptip.store.liveness import process_alive
    from tests.flows.conftest import prefect_home
    from tests.flows.test_orchestration_e2e import port_open

    db = store(tmp_path)
    env = environment(tmp_path, db, None, "", XDG_DATA_HOME=str(tmp_path / "data"))
    home = prefect_home(prefect_template, tmp_path / "data" / "naptip" / "prefect")
    port = str(free_port())
    log = tmp_path / "serve.log"

    def serve() -> subprocess.Popen[bytes]:
        with log.open("a") as out:
            return subprocess.Popen([NAPTIP, "serve", "--port", port], env=env, stdout=out,
                                    stderr=out)

    first = serve()
    wait_for("serve", lambda: "serving" in log.read_text(), timeout=150)
    orphan = int((home / "server.pid").read_text())
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert port_open(int(port))  # its server lives on
    log.write_text("")
    second = serve()
    try:
        wait_for("serve again", lambda: "serving" in log.read_text(), timeout=150)
        text = log.read_text()
        assert (f"stopping the Prefect server a previous naptip serve left running "
                f"(pid {orphan})") in text
        assert "started a Prefect server" in text
        assert int((home / "server.pid").read_text()) != orphan
        assert not process_alive(orphan)
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(60)
    assert code == 0, log.read_text()[-3000:]
    assert not port_open(int(port))


def test_a_machine_crash_mid_run_is_detected_closed_and_alerted_by_the_next_run(
        server: str, client: Any, tmp_path: Path, smtp: SmtpServer) -> None:
    """Worker and flow run killed together (SIGKILL of the process running the flow):
    Prefect still says Running and nobody is alerted. The next run closes it (Crashed in
    Prefect, crashed in runs list), alerts the secretariat, and sends what it had claimed."""
    from tests.flows.test_orchestration_e2e import ledger, naptip

    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config(), **FAST)
    smtp.handler.stall_after = 1
    dead = subprocess.Popen([NAPTIP, "run", "--prefect", "--as-of", "2024-01-24"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for("the run's second e-mail", lambda: len(smtp.handler.messages) >= 2)
    dead.send_signal(signal.SIGKILL)
    dead.wait(30)
    smtp.handler.stall_after = None
    [lost] = runs(db)
    assert client.read_flow_run(lost.id).state.type.value == "RUNNING"
    assert any(status == "sending" for *_, status in ledger(db))

    again = naptip(env, "run", "--prefect", "--as-of", "2024-01-24")
    assert again.returncode == 0, again.stdout + again.stderr
    assert client.read_flow_run(lost.id).state.type.value == "CRASHED"
    closed = next(r for r in runs(db) if r.id == lost.id)
    assert closed.status == "crashed" and "is gone" in (closed.note or "")
    assert any("crashed" in a and "2024-01-24" in a for a in alerts(smtp)), alerts(smtp)
    assert {status for *_, status in ledger(db)} == {"sent"}
    received = [(r, str(m.message["Subject"])) for m in smtp.handler.messages
                for r in m.rcpt_tos if not str(m.message["Subject"]).startswith("[naptip]")]
    assert len(received) - len(set(received)) <= 1  # at most the message in flight twice
    listed = naptip(env, "runs", "list")
    assert f"{lost.id[:12]}" in listed.stdout and "crashed" in listed.stdout


def test_a_sigkilled_worker_s_run_is_closed_and_an_immediate_rerun_sends_its_claims(
        server: str, client: Any, tmp_path: Path, smtp: SmtpServer) -> None:
    """A worker SIGKILLed mid-dispatch: its flow run ends Crashed and the crash hook closes
    the run's record (it stayed `running` for ever); the natural reaction, an immediate
    re-run, sends what the dead run had claimed: nothing lost, nothing left `sending`."""
    import sys

    from tests.flows.test_orchestration_e2e import ledger, naptip

    db = store(tmp_path)
    env = environment(tmp_path, db, server, smtp.config(), **FAST)
    pool = subprocess.run([sys.executable, "-m", "prefect", "work-pool", "create",
                           "naptip-kill", "--type", "process"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert pool.returncode == 0, pool.stderr
    assert naptip(env, "deploy", "--work-pool", "naptip-kill").returncode == 0
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                               "naptip-kill"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        smtp.handler.stall_after = 1
        flow_run = start_daily(client, "2024-02-01")
        wait_for("the run's second e-mail", lambda: len(smtp.handler.messages) >= 2,
                 timeout=180)
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        wait_for("the run to be closed",
                 lambda: (found := record(db, flow_run)) is not None
                 and found.status != "running", timeout=120)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(30)
        smtp.handler.stall_after = None
    assert state_of(client, flow_run) == "CRASHED"
    closed = record(db, flow_run)
    assert closed.status == "crashed" and (closed.note or "").startswith("crashed: ")
    from collections import Counter

    before = ledger(db)
    left = Counter(status for *_, status in before)
    assert set(left) - {"sent"}, left  # claimed by the dead run and not sent
    owed = {r for _o, _s, r, status in before if status != "sent"}
    seen = len(smtp.handler.messages)

    again = naptip(env, "run", "--prefect", "--as-of", "2024-02-01")
    assert again.returncode == 0, again.stdout + again.stderr
    assert {status for *_, status in ledger(db)} == {"sent"}
    # the rerun sent only what the dead run had not sent (a message the stalled server took
    # but never acknowledged counts as not sent: that is the bound's duplicate)
    digests = {r for m in smtp.handler.messages[seen:] for r in m.rcpt_tos
               if str(m.message["Subject"]).startswith("NAPTIP:")}
    assert digests and digests <= owed, (digests, owed)
