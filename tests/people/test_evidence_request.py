"""Evidence requests after a meeting (issue 17, §2), sent over SMTP to aiosmtpd, on SQLite and
PostgreSQL: they reach the owner committee's leads only (only the owner submits evidence,
as docs/reminders.md says), suggest the minutes as a file, and count days in words that
agree with the number, in English and in Malay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from unittest import mock

from click.testing import Result

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.store.db import Database
from tests.conftest import db_env
from tests.smtp_server import UNCAPPED, SmtpServer, smtp

__all__ = ["smtp"]

Run = Callable[..., Result]
OWNER_EN, OWNER_MS, SUPPORTER = "lead@mapo.gov.my", "ketua@mapo.gov.my", "lead@agc.gov.my"
MEETING = "case-management-meeting@2023-02-02"  #: owned by NSO MAPO, supported by AGC...
EARLIER = "case-management-meeting@2023-01-05"
REPORT = "S1-O1-i@2022"  #: legislative's progress report, due Tue 31 January 2023


def _remind(run: Run, db: Database, config: Path, day: str) -> None:
    result = run("--config", str(config), "--as-of", day, "remind", env=db_env(db))
    assert result.exit_code == 0, result.output


def test_evidence_requests_reach_owners_with_the_minutes_and_plural_days(
        run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(UNCAPPED), encoding="utf-8")
    with mock.patch("naptip.time.clock.real_today", return_value=date(2023, 1, 1)):
        synced = run("--config", str(config), "--as-of", "2023-01-01", "sync", env=db_env(db))
    assert synced.exit_code == 0, synced.output
    ContactDirectory(db).upsert([
        ContactInfo(name="Owner", email=OWNER_EN, roles=(Role(role="lead", scope="nso-mapo"),)),
        ContactInfo(name="Pemilik", email=OWNER_MS, language="ms",
                    roles=(Role(role="lead", scope="nso-mapo"),)),
        ContactInfo(name="Supporter", email=SUPPORTER,
                    roles=(Role(role="lead", scope="legislative"),)),
    ], actor="test")

    _remind(run, db, config, "2023-01-30")
    supporter = "\n".join(m.text for m in smtp.handler.to(SUPPORTER))
    assert REPORT in supporter and "Due Tuesday, 31 January 2023 (in 1 day)" in supporter
    assert EARLIER not in supporter  # the owner's minutes: not the supporters' to send
    owner = "\n".join(m.text for m in smtp.handler.to(OWNER_EN))
    assert EARLIER in owner and "Held on Thursday, 5 January 2023 (25 days ago)" in owner

    sent = len(smtp.handler.messages)
    _remind(run, db, config, "2023-02-03")
    later = smtp.handler.messages[sent:]
    assert {m.rcpt_tos[0] for m in later if MEETING in m.text} == {OWNER_EN, OWNER_MS}
    (english,) = [m for m in later if m.rcpt_tos == [OWNER_EN]]
    (malay,) = [m for m in later if m.rcpt_tos == [OWNER_MS]]
    assert "Held on Thursday, 2 February 2023 (1 day ago): its minutes or report are not in " \
        "yet" in english.text
    assert f"Submit: naptip evidence submit {MEETING} --file MINUTES" in english.text
    assert "--file MINUTES</code>" in english.html and "--value 1=..." not in english.html
    assert "Diadakan pada Khamis, 2 Februari 2023 (1 hari lalu)" in malay.text
    assert f"Hantar: naptip evidence submit {MEETING} --file MINUTES" in malay.text
    for m in smtp.handler.messages:
        assert " 1 days" not in m.text and "--value 1=..." not in m.text
