"""Exactly-once with real processes: two concurrent `naptip remind` runs, and a run killed
(SIGKILL) in the middle of dispatch. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.store.db import Database
from naptip.store.orm import ReminderSent
from tests.conftest import db_env
from tests.smtp_server import SmtpServer, smtp

__all__ = ["smtp"]
NAPTIP = str(Path(sys.executable).parent / "naptip")
pytestmark = pytest.mark.slow


def leads(db: Database, n: int) -> list[str]:
    emails = [f"lead{i}@rmp.gov.my" for i in range(n)]
    ContactDirectory(db).upsert([
        ContactInfo(name=f"Officer {i}", email=e, roles=(Role(role="lead", scope="enforcement"),))
        for i, e in enumerate(emails)], actor="test")
    return emails


def start(db: Database, config: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, **db_env(db), "NAPTIP_CONFIG": str(config)}
    return subprocess.Popen([NAPTIP, "remind", "--as-of", "2024-02-01", "--committee",
                             "enforcement", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def statuses(db: Database) -> Counter[str]:
    with db.reading() as session:
        return Counter(r.status for r in session.execute(select(ReminderSent)).scalars())


def test_two_concurrent_runs_send_once(synced: Database, smtp: SmtpServer,
                                       tmp_path: Path) -> None:
    emails = leads(synced, 4)
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    procs = [start(synced, config) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    received = Counter(r for m in smtp.handler.messages for r in m.rcpt_tos)
    assert received == Counter(emails)  # each exactly once
    # the other run found them sent, or still being sent by the first (and says so)
    assert sum("nothing new to send" in out or "item(s) pending" in out
               for out, _ in outs) == 1
    assert set(statuses(synced)) == {"sent"}


def test_sigkill_during_dispatch_duplicates_at_most_the_message_in_flight(
        synced: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    emails = leads(synced, 5)
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config("[reminders]\nclaim_timeout_minutes = 0\n"), encoding="utf-8")
    smtp.handler.stall_after = 2  # the third message arrives, and its reply never comes
    proc = start(synced, config)
    deadline = time.monotonic() + 60
    while len(smtp.handler.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.handler.messages) == 3
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    smtp.handler.stall_after = None
    assert statuses(synced)["sending"] > 0  # claimed, fate unknown: not lost
    rerun = start(synced, config)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, (out, err)
    received = Counter(r for m in smtp.handler.messages for r in m.rcpt_tos)
    assert set(received) == set(emails)  # nothing lost
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= 1  # at most the message in flight
    assert received[emails[2]] == 2 and duplicates == 1  # ...and it was that one
    assert set(statuses(synced)) == {"sent"}


def test_claims_of_a_live_run_are_reported_pending_and_a_dead_runs_go_at_once(
        synced: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    """`remind` while another run holds the claims says what is pending, why and when (not
    "nothing new to send"), as --dry-run does; once that run is killed, its claims are
    released at once (not after claim_timeout_minutes, 30 by default)."""
    emails = leads(synced, 5)
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    smtp.handler.stall_after = 2  # the holder stays alive, stuck on its third message
    holder = start(synced, config)
    deadline = time.monotonic() + 60
    while len(smtp.handler.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.handler.messages) == 3
    outputs = []
    for args in (["--dry-run"], []):
        proc = start(synced, config, *args)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (out, err)
        outputs.append(out)
    for out in outputs:
        assert "nothing new to send" not in out and "would send" not in out
        assert "item(s) pending" in out
        said = " ".join(out.split())  # wrapped to the terminal's width
        assert f"being sent by process {holder.pid} on " in said
        assert "released at once if it dies" in said
        assert "at the latest by the first run after" in said and "MYT" in said
    assert outputs[0].split("pending", 1)[1] == outputs[1].split("pending", 1)[1]
    assert len(smtp.handler.messages) == 3  # the second run sent nothing

    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    smtp.handler.stall_after = None
    preview = start(synced, config, "--dry-run")
    out, err = preview.communicate(timeout=120)
    assert preview.returncode == 0 and "would send" in out and "pending" not in out, out
    rerun = start(synced, config)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, (out, err)
    assert "pending" not in out
    received = Counter(r for m in smtp.handler.messages for r in m.rcpt_tos)
    assert set(received) == set(emails)
    assert sum(n - 1 for n in received.values()) <= 1  # at most the message in flight
    assert set(statuses(synced)) == {"sent"}


def test_a_run_killed_mid_dispatch_is_closed_and_an_immediate_rerun_sends_its_claims(
        synced: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    """`naptip run` SIGKILLed mid-dispatch, then run again at once (the natural reaction
    to the alert): the dead run is closed as crashed, the rerun sends what it had claimed
    (at most the message in flight twice), nothing stays `sending`, and the catch-up
    window does not move past it."""
    from naptip.work.runlog import recent

    emails = leads(synced, 5)
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")  # claim_timeout_minutes: 30
    env = {**os.environ, **db_env(synced), "NAPTIP_CONFIG": str(config)}
    smtp.handler.stall_after = 2

    def run() -> subprocess.Popen[str]:
        return subprocess.Popen([NAPTIP, "run", "--as-of", "2024-02-01"], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    dead = run()
    deadline = time.monotonic() + 120
    while len(smtp.handler.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.handler.messages) == 3
    dead.send_signal(signal.SIGKILL)
    dead.wait(timeout=30)
    smtp.handler.stall_after = None
    assert statuses(synced)["sending"] > 0
    [crashed] = recent(synced)
    assert crashed.status == "crashed" and "is gone" in crashed.note  # as runs list shows

    rerun = run()
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, (out, err)
    assert f"run {crashed.id[:12]} (2024-02-01) had died: closed as crashed" in err
    assert "pending" not in out
    received = Counter((r, str(m.message["Subject"])) for m in smtp.handler.messages
                       for r in m.rcpt_tos)  # digests and invitations, each by subject
    assert set(emails) <= {r for r, _ in received}
    assert sum(n - 1 for n in received.values()) <= 1, received
    assert statuses(synced)["sending"] == 0 and statuses(synced)["failed"] == 0
    latest, first = recent(synced)
    assert first.status == "crashed" and latest.status == "done"
