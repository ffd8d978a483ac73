"""The outbox lives in the store: a run on one machine is visible from another, and
``naptip outbox send`` delivers it through [mail] once [mail] is configured, each message
once. Real SQLite and PostgreSQL, aiosmtpd for e-mail, the CLI as the secretariat runs it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import inspect, select, update

from naptip.base.config import Settings, parse_settings
from naptip.notifications.outbox_send import send_outbox
from naptip.store.db import Database, make_engine
from naptip.store.migrate import alembic_config, schema_state, upgrade
from naptip.store.orm import OutboxMessage
from naptip.testing import temporary_postgres
from tests.conftest import db_env
from tests.people.test_remind import CHAIR, LEAD, SEC, people
from tests.smtp_server import SmtpServer, smtp

__all__ = ["smtp"]


def machine(db: Database, tmp_path: Path, name: str, config: str = "") -> dict[str, str]:
    """The environment of one machine: the shared store, its own home and data folder."""
    home = tmp_path / name
    (home / "data").mkdir(parents=True, exist_ok=True)
    path = home / "naptip.toml"
    path.write_text(config, encoding="utf-8")
    return {**db_env(db), "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
            "NAPTIP_CONFIG": str(path)}


def remind_on(run: Callable[..., Result], env: dict[str, str]) -> None:
    done = run("remind", "--as-of", "2024-02-01", env=env)
    assert done.exit_code == 0, done.output
    assert "outbox" in done.output


def test_messages_written_on_one_machine_are_listed_and_shown_on_another(
        synced: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    people(synced)
    worker, secretariat = machine(synced, tmp_path, "b"), machine(synced, tmp_path, "a")
    remind_on(run, worker)
    assert not list((tmp_path / "b").rglob("*.eml"))  # nothing left on the worker's disk
    listing = run("outbox", "list", env=secretariat)
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert len(lines) == 3 and all("unsent" in line for line in lines)
    assert {LEAD, CHAIR, SEC} == {a for a in (LEAD, CHAIR, SEC) if a in listing.output}
    ident = lines[0].split()[0]
    shown = run("outbox", "show", ident[-12:], env=secretariat)
    assert shown.exit_code == 0, shown.output
    assert "Subject: NAPTIP:" in shown.output and "Dear " in shown.output
    assert f"Outbox: {ident}" in shown.output and ", unsent" in shown.output
    missing = run("outbox", "show", "nope", env=secretariat)
    assert missing.exit_code == 1 and "no message 'nope' in the outbox" in missing.output


def test_outbox_send_refuses_without_mail_then_sends_each_message_once(
        synced: Database, run: Callable[..., Result], tmp_path: Path,
        smtp: SmtpServer) -> None:
    people(synced)
    remind_on(run, machine(synced, tmp_path, "b"))
    bare = machine(synced, tmp_path, "a")
    refused = run("outbox", "send", env=bare)
    assert refused.exit_code == 1
    assert refused.output.strip() == ("Error: [mail] is not configured: nothing can be sent; "
                                      "add [mail] to the configuration "
                                      "(docs/configuration.md)")
    mail = machine(synced, tmp_path, "a", smtp.config())
    sent = run("outbox", "send", env=mail)
    assert sent.exit_code == 0, sent.output
    assert sent.output.splitlines()[-1] == "3 sent, 0 failed, 0 skipped"
    assert sorted(a for m in smtp.handler.messages for a in m.rcpt_tos) == sorted(
        [LEAD, CHAIR, SEC])
    froms = {str(m.message["From"]) for m in smtp.handler.messages}
    assert froms == {"NAPTIP Secretariat <naptip@mapo.gov.my>"}
    assert "Dear " in smtp.handler.messages[0].text
    again = run("outbox", "send", env=mail)
    assert again.exit_code == 0 and "nothing to send" in again.output
    ident = run("outbox", "list", env=mail).output.split()[0]
    named = run("outbox", "send", ident, env=mail)
    assert named.exit_code == 0 and "already sent" in named.output
    assert len(smtp.handler.messages) == 3
    assert run("outbox", "list", "--unsent", env=mail).output.strip() == \
        "no unsent message in the outbox"


def test_a_refused_message_stays_unsent_and_goes_next_time(
        synced: Database, run: Callable[..., Result], tmp_path: Path,
        smtp: SmtpServer) -> None:
    people(synced)
    remind_on(run, machine(synced, tmp_path, "b"))
    mail = machine(synced, tmp_path, "a", smtp.config())
    smtp.handler.refuse[CHAIR] = "450 4.2.1 mailbox busy"
    first = run("outbox", "send", env=mail)
    assert first.exit_code == 1
    assert "failed" in first.output and "450 4.2.1 mailbox busy" in first.output
    assert first.output.splitlines()[-1] == "2 sent, 1 failed, 0 skipped"
    smtp.handler.refuse.clear()
    second = run("outbox", "send", env=mail)
    assert second.exit_code == 0 and second.output.splitlines()[-1] == \
        "1 sent, 0 failed, 0 skipped"
    assert sorted(a for m in smtp.handler.messages for a in m.rcpt_tos) == sorted(
        [LEAD, CHAIR, SEC])


def test_concurrent_senders_send_each_message_once(
        synced: Database, run: Callable[..., Result], tmp_path: Path,
        smtp: SmtpServer) -> None:
    people(synced)
    remind_on(run, machine(synced, tmp_path, "b"))
    settings: Settings = parse_settings({"mail": {"url": smtp.url}})
    results: list[list[str]] = []

    def sender() -> None:
        outcomes = send_outbox(synced, settings)
        results.append([o.status for o in outcomes])

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.count("sent") for r in results) == 3
    assert len(smtp.handler.messages) == 3
    # a claim held by a sender that died is taken again after the claim timeout only
    with synced.reading() as session:
        one = session.execute(select(OutboxMessage.id)).scalars().first()
    synced.write(lambda s: s.execute(update(OutboxMessage).where(OutboxMessage.id == one)
                                     .values(status="sending",
                                             claimed_at=datetime.now(UTC))))
    assert [o.status for o in send_outbox(synced, settings, [str(one)])] == ["skipped"]
    later = datetime(2100, 1, 1, tzinfo=UTC)
    assert [o.status for o in send_outbox(synced, settings, [str(one)], now=later)] == \
        ["sent"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0008_adds_the_outbox_and_removes_it(backend: str, tmp_path: Path) -> None:
    from alembic import command

    def check(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine, "0007_evidence_contacts")
        assert "outbox_message" not in inspect(engine).get_table_names()
        upgrade(engine, "0008_outbox")
        assert schema_state(engine).current == "0008_outbox"
        columns = {c["name"] for c in inspect(engine).get_columns("outbox_message")}
        assert {"id", "batch", "to_email", "raw", "status", "sent_at", "host"} <= columns
        command.downgrade(alembic_config(engine), "0007_evidence_contacts")
        assert "outbox_message" not in inspect(engine).get_table_names()
        engine.dispose()

    if backend == "sqlite":
        check(f"sqlite:///{tmp_path / 'm.db'}")
    else:
        with temporary_postgres("naptip_outbox") as url:
            check(url)


def test_an_alert_without_mail_goes_to_the_outbox_in_the_store(synced: Database) -> None:
    from types import SimpleNamespace

    from naptip.store.outbox import entries
    from naptip.work.alerts import alert_failed_run

    people(synced)
    app = SimpleNamespace(settings=Settings(), db=synced)
    assert alert_failed_run(app, "daily-run 2024-01-24 crashed") == []
    [alert] = entries(synced)
    assert alert.to == SEC and alert.status == "unsent"
    assert alert.subject == "[naptip] run failed: daily-run 2024-01-24 crashed"
    assert alert.id.split("-", 1)[1].startswith("alert-")


def test_eml_files_of_an_older_naptip_are_pointed_at_not_lost(
        db: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    from email.message import EmailMessage

    old = db.blobs.parent / "outbox"  # where naptip wrote .eml files before 0007
    old.mkdir(parents=True)
    msg = EmailMessage()
    msg["To"], msg["Subject"] = LEAD, "an old digest"
    (old / "20240201T000000-abc.eml").write_bytes(msg.as_bytes())
    listed = run("outbox", "list", env=db_env(db))
    assert listed.exit_code == 0
    assert f"note: 1 older message(s) are .eml files in {old} (written before the outbox " \
        "moved into the store)" in listed.output
    assert (old / "20240201T000000-abc.eml").exists()
