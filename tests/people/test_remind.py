"""naptip remind against a real SMTP server on loopback (aiosmtpd): content, languages,
escaping, exactly-once, faults, hostile input and the escalation ladder."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import Result
from sqlalchemy import select, update

from naptip.base.config import ReminderSettings, parse_settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.notifications.dispatch import RunOptions, run_reminders
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow, ReminderSent
from tests.conftest import db_env
from tests.smtp_server import UNCAPPED, SmtpServer, smtp

__all__ = ["smtp"]

LEAD = "lead@rmp.gov.my"
CHAIR = "chair@rmp.gov.my"
SEC = "sec@mapo.gov.my"
KETUA = "ketua@rmp.gov.my"
LADDER = "S19-O1-viii@2023"  # enforcement's progress report due 2024-01-31, no supporters


def people(db: Database) -> None:
    ContactDirectory(db).upsert([
        ContactInfo(name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead",
                                                                 scope="enforcement"),)),
        ContactInfo(name="Dato' Chair", email=CHAIR, roles=(Role(role="chair",
                                                                  scope="enforcement"),)),
        ContactInfo(name="Encik Sekretariat", email=SEC,
                    roles=(Role(role="secretariat", scope="nso-mapo"),)),
    ], actor="test")


def cli(run: Callable[..., Result], db: Database, tmp_path: Path, config: str,
        *args: str) -> Result:
    path = tmp_path / "naptip.toml"
    path.write_text(config, encoding="utf-8")
    return run("--config", str(path), "remind", *args, env={**db_env(db)})


def ledger(db: Database, occurrence: str | None = None) -> list[tuple[str, str, str, str]]:
    with db.reading() as session:
        query = select(ReminderSent)
        if occurrence:
            query = query.where(ReminderSent.occurrence_id == occurrence)
        return sorted((r.occurrence_id, r.stage, r.recipient, r.status)
                      for r in session.execute(query).scalars())


def test_digest_delivered_parses_with_both_bodies(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    people(synced)
    result = cli(run, synced, tmp_path, smtp.config(UNCAPPED), "--as-of", "2024-01-24",
                 "--committee", "enforcement", "--to", LEAD)
    assert result.exit_code == 0, result.output
    [received] = smtp.handler.messages
    assert received.rcpt_tos == [LEAD]
    msg = received.message
    assert msg["To"].addresses[0].addr_spec == LEAD
    assert msg["To"].addresses[0].display_name == "ACP Lim Wei"
    assert msg["From"].addresses[0].addr_spec == "naptip@mapo.gov.my"
    subject = str(msg["Subject"])
    assert "overdue" in subject and "due this week" in subject
    assert subject.endswith("— Enforcement Committee")
    text, html = received.text, received.html
    assert "Dear ACP Lim Wei" in text and "== Overdue ==" in text
    assert text.index("== Overdue ==") < text.index("== Due soon ==")
    assert f"{LADDER}:" in text and "Wednesday, 31 January 2024" in text
    assert f"naptip evidence submit {LADDER}" in text
    assert "Evidence expected:" in text
    assert "<h2>Overdue</h2>" in html and LADDER in html
    assert "sent" in result.output and LEAD in result.output


def test_malay_contact_gets_the_malay_digest(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    ContactDirectory(synced).add(ContactInfo(
        name="Puan Aminah", email=KETUA, language="ms",
        roles=(Role(role="lead", scope="enforcement"),)), actor="test")
    result = cli(run, synced, tmp_path, smtp.config(UNCAPPED), "--as-of", "2024-01-24",
                 "--committee", "enforcement")
    assert result.exit_code == 0, result.output
    [received] = smtp.handler.to(KETUA)
    msg = received.message
    assert "tertunggak" in str(msg["Subject"])
    assert "Jawatankuasa Penguatkuasaan" in str(msg["Subject"])
    text = received.text
    assert "Salam sejahtera Puan Aminah" in text
    assert "Rabu, 31 Januari 2024" in text and "== Tertunggak ==" in text
    assert "Dear" not in text
    assert 'lang="ms"' in received.html


def test_hostile_title_injects_no_header_and_is_escaped(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    people(synced)
    hostile = ("Report\r\nBcc: victim@evil.example\r\nSubject: pwned "
               "<script>alert(1)</script> & <b>x</b>")
    with synced.engine.begin() as conn:  # as if a plugin had written it
        conn.execute(update(OccurrenceRow).where(OccurrenceRow.id == LADDER)
                     .values(title=hostile))
    result = cli(run, synced, tmp_path, smtp.config(UNCAPPED), "--as-of", "2024-01-24",
                 "--committee", "enforcement", "--to", LEAD)
    assert result.exit_code == 0, result.output
    [received] = smtp.handler.messages
    assert received.rcpt_tos == [LEAD]
    msg = received.message
    assert msg["Bcc"] is None and "pwned" not in str(msg["Subject"])
    assert len(msg.get_all("Subject") or []) == 1
    html = received.html
    assert "<script>" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in html
    head = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"evil.example" not in head


def test_same_day_twice_sends_once_and_dry_run_sends_nothing(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    people(synced)
    dry = cli(run, synced, tmp_path, smtp.config(), "--as-of", "2024-02-01", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Subject: NAPTIP:" in dry.output and "would send" in dry.output
    assert smtp.handler.messages == [] and ledger(synced) == []
    first = cli(run, synced, tmp_path, smtp.config(), "--as-of", "2024-02-01")
    assert first.exit_code == 0, first.output
    sent = len(smtp.handler.messages)
    assert sent == 3  # lead, chair, secretariat: one digest each, never one per item
    assert sorted(r for m in smtp.handler.messages for r in m.rcpt_tos) == sorted(
        [LEAD, CHAIR, SEC])
    rows = ledger(synced)
    assert rows and all(status == "sent" for *_, status in rows)
    again = cli(run, synced, tmp_path, smtp.config(), "--as-of", "2024-02-01")
    assert again.exit_code == 0 and "nothing new to send" in again.output
    assert len(smtp.handler.messages) == sent and ledger(synced) == rows


def test_escalation_ladder_worked_example(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    """Overdue by 1, 14 and 30 days: the lead, then the chair, then the secretariat, once each."""
    people(synced)
    steps = [("2024-02-01", ("overdue-1", LEAD)), ("2024-02-14", ("overdue-14", CHAIR)),
             ("2024-03-01", ("overdue-30", SEC))]
    expected: list[tuple[str, str, str, str]] = []
    before = {LEAD: 0, CHAIR: 0, SEC: 0}
    for day, (stage, who) in steps:
        for _ in range(2):  # a rerun of the same day adds nothing
            result = cli(run, synced, tmp_path, smtp.config(UNCAPPED), "--as-of", day,
                         "--committee", "enforcement")
            assert result.exit_code == 0, result.output
        if not expected:
            # the first run also catches up: lead of the 2024 report was reminded before
            pass
        expected.append((LADDER, stage, who, "sent"))
        assert [r for r in ledger(synced, LADDER) if r[1].startswith("overdue")] == sorted(
            expected)
        got = {p: sum(LADDER in m.text
                      for m in smtp.handler.to(p)) for p in before}
        assert got[who] == before[who] + 1
        assert sum(got.values()) == sum(before.values()) + 1
        before = got


def test_smtp_refusal_for_one_recipient_reported_and_retried(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    people(synced)
    smtp.handler.refuse = {CHAIR: "550 5.1.1 <chair@rmp.gov.my>: mailbox unavailable"}
    config = smtp.config("[reminders]\nretry_minutes = 0\n")
    failed = cli(run, synced, tmp_path, config, "--as-of", "2024-02-14")
    assert failed.exit_code == 1
    assert "550 5.1.1" in failed.output and "1 message(s) failed" in failed.output
    assert sorted(r for m in smtp.handler.messages for r in m.rcpt_tos) == [LEAD, SEC]
    assert {r[3] for r in ledger(synced) if r[2] == CHAIR} == {"failed"}
    smtp.handler.refuse = {}
    again = cli(run, synced, tmp_path, config, "--as-of", "2024-02-14")
    assert again.exit_code == 0, again.output
    assert sorted(r for m in smtp.handler.messages for r in m.rcpt_tos) == [CHAIR, LEAD, SEC]
    assert {r[3] for r in ledger(synced)} == {"sent"}


def test_temporary_4xx_waits_for_its_backoff(
        synced: Database, builtin_catalog: Catalog, smtp: SmtpServer, tmp_path: Path) -> None:
    people(synced)
    smtp.handler.refuse = {LEAD: "451 4.3.0 try again later"}
    settings = parse_settings({"mail": {"url": smtp.url}, "reminders": {"retry_minutes": 10}})
    opts = RunOptions(today=datetime(2024, 2, 1).date(), committee="enforcement", to=LEAD)
    first = run_reminders(synced, builtin_catalog, settings, None, opts)
    assert [(o.email, o.detail) for o in first.failed] == [(LEAD, "451 4.3.0 try again later")]
    smtp.handler.refuse = {}
    soon = run_reminders(synced, builtin_catalog, settings, None, opts)
    assert soon.outcomes == [] and smtp.handler.messages == []  # backing off
    [held] = soon.pending  # ...and it says so: why, and from when it goes
    assert held.delivery.contact.email == LEAD and held.items == first.failed[0].items > 0
    assert "451 4.3.0 try again later" in held.why and "backoff" in held.why
    assert held.when is not None and "at the latest by the first run after" in held.describe()
    later = datetime.now(UTC) + timedelta(minutes=11)
    after = run_reminders(synced, builtin_catalog, settings, None,
                          RunOptions(today=opts.today, committee="enforcement", to=LEAD,
                                     now=later))
    assert [o.status for o in after.outcomes] == ["sent"]
    assert [m.rcpt_tos for m in smtp.handler.messages] == [[LEAD]]
    with synced.reading() as session:
        attempts = {r.attempts for r in session.execute(select(ReminderSent)).scalars()}
    assert attempts == {2}


def test_smtp_down_fails_everyone_then_sends_the_missing(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    people(synced)
    down = (f'[mail]\nurl = "mailto://127.0.0.1:{smtp.port + 1}?mode=insecure'
            '&from=naptip@mapo.gov.my"\n[reminders]\nretry_minutes = 0\n')
    failed = cli(run, synced, tmp_path, down, "--as-of", "2024-02-01")
    assert failed.exit_code == 1
    assert "3 message(s) failed" in failed.output
    for who in (LEAD, CHAIR, SEC):
        assert who in failed.output
    assert {r[3] for r in ledger(synced)} == {"failed"}
    ok = cli(run, synced, tmp_path, smtp.config("[reminders]\nretry_minutes = 0\n"),
             "--as-of", "2024-02-01")
    assert ok.exit_code == 0, ok.output
    assert sorted(r for m in smtp.handler.messages for r in m.rcpt_tos) == sorted(
        [LEAD, CHAIR, SEC])


def test_malformed_url_is_reported_and_skipped_while_the_rest_is_sent(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    people(synced)
    run("contacts", "edit", LEAD, "--url", "nosuchservice://${NAPTIP_TEST_TOKEN}/x",
        env=db_env(synced))
    env = {**db_env(synced), "NAPTIP_TEST_TOKEN": "abc"}
    check = run("contacts", "check", env=env)
    assert check.exit_code == 1
    assert "nosuchservice://${NAPTIP_TEST_TOKEN}/x" in check.output
    assert "not a URL apprise understands" in check.output
    path = tmp_path / "naptip.toml"
    path.write_text(smtp.config(), encoding="utf-8")
    result = run("--config", str(path), "remind", "--as-of", "2024-02-01", env=env)
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output
    assert sorted(r for m in smtp.handler.messages for r in m.rcpt_tos) == sorted(
        [LEAD, CHAIR, SEC])


def test_no_mail_configured_writes_the_outbox(
        synced: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    people(synced)
    env = {**db_env(synced), "NAPTIP_OUTBOX_DIR": str(tmp_path / "outbox")}
    result = run("remind", "--as-of", "2024-02-01", env=env)
    assert result.exit_code == 0, result.output
    assert "outbox" in result.output
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3
    listing = run("outbox", "list", env=env)
    assert listing.exit_code == 0 and LEAD in listing.output
    ident = files[0].stem
    shown = run("outbox", "show", ident[-12:], env=env)
    assert shown.exit_code == 0 and "Subject: NAPTIP:" in shown.output
    assert "Dear " in shown.output
    missing = run("outbox", "show", "nope", env=env)
    assert missing.exit_code == 1 and "no message 'nope'" in missing.output


def test_mail_settings_are_checked(tmp_path: Path) -> None:
    from naptip.base.errors import NaptipError

    with pytest.raises(NaptipError, match=r"mail\.url"):
        parse_settings({"mail": {"url": "https://example.gov.my"}})
    with pytest.raises(NaptipError, match=r"reminders\.lead_times"):
        parse_settings({"reminders": {"lead_times": ["x"]}})
    s = parse_settings({"reminders": {"escalation": {"chair": 10, "lead": 2}}})
    assert s.reminders.escalation == (("lead", 2), ("chair", 10))
    assert ReminderSettings().lead_times == (30, 7, 1)


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return None


def test_extra_apprise_channel_gets_its_own_digest_once(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    """A contact's extra URL (here apprise's json:// to a web hook on loopback) gets the
    digest's text once, with its own ledger rows; e-mail goes as usual."""
    server = HTTPServer(("127.0.0.1", 0), Hook)
    Hook.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        people(synced)
        url = "json://127.0.0.1:${NAPTIP_TEST_HOOK_PORT}/hook"
        assert run("contacts", "edit", LEAD, "--url", url, env=db_env(synced)).exit_code == 0
        path = tmp_path / "naptip.toml"
        path.write_text(smtp.config(UNCAPPED), encoding="utf-8")
        env = {**db_env(synced), "NAPTIP_TEST_HOOK_PORT": str(server.server_port)}
        for _ in range(2):
            result = run("--config", str(path), "remind", "--as-of", "2024-02-01", "--to",
                         LEAD, env=env)
            assert result.exit_code == 0, result.output
        [posted] = Hook.received
        assert posted["title"].startswith("NAPTIP: ") and LADDER in posted["message"]
        assert "json://127.0.0.1:${NAPTIP_TEST_HOOK_PORT}/hook" not in posted["message"]
        assert [m.rcpt_tos for m in smtp.handler.messages] == [[LEAD]]
        keys = {r[2] for r in ledger(synced, LADDER)}
        assert len(keys) == 2 and LEAD in keys
    finally:
        server.shutdown()
        server.server_close()


def test_unknown_recipient_or_committee_is_one_line(
        synced: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    env = db_env(synced)
    nobody = run("remind", "--to", "nobody@rmp.gov.my", env=env)
    assert nobody.exit_code == 1 and "no contact 'nobody@rmp.gov.my'" in nobody.output
    bad = run("remind", "--committee", "nonesuch", env=env)
    assert bad.exit_code == 2 and "unknown committee" in bad.output


def test_missing_mail_secret_stops_before_anything_is_claimed(
        synced: Database, run: Callable[..., Result], tmp_path: Path) -> None:
    people(synced)
    config = ('[mail]\nurl = "mailtos://naptip:${NAPTIP_NO_SUCH_SECRET}@127.0.0.1:1'
              '?from=naptip@mapo.gov.my"\n')
    result = cli(run, synced, tmp_path, config, "--as-of", "2024-02-01")
    assert result.exit_code == 1
    assert "environment variable NAPTIP_NO_SUCH_SECRET is not set" in result.output
    assert result.output.count("\n") == 1 and ledger(synced) == []


def test_summary_table_fits_80_columns_and_keeps_addresses_whole(
        synced: Database, run: Callable[..., Result], tmp_path: Path, smtp: SmtpServer) -> None:
    long = "a.very.long.address.of.the.committee.lead@enforcement.police.gov.my"
    ContactDirectory(synced).upsert([ContactInfo(
        name="Superintendent Aminah binti Abdullah", email=long,
        roles=(Role(role="lead", scope="enforcement"),))], actor="test")
    path = tmp_path / "naptip.toml"
    path.write_text(smtp.config(), encoding="utf-8")
    out = run("--config", str(path), "remind", "--as-of", "2024-02-01", "--dry-run",
              env={**db_env(synced), "COLUMNS": "80"})
    assert out.exit_code == 0, out.output
    table = out.output[out.output.index("Reminders on 2024-02-01"):out.output.index("└")]
    assert max(len(line) for line in table.splitlines()) <= 80, table
    cells = "".join(line.split("│")[1].strip() for line in table.splitlines()
                    if line.startswith("│"))
    assert f"<{long}>" in cells  # folded over lines, never cut short with "…"
