"""A fresh install, as the issue found it (issue 19, "Must show"): on 2026-12-07, after
NAPTIP 3.0's end, with a directory of 8 officials, the first `naptip run` sends each lead
at most one message, which lists no item and counts the older open work of their
committee; nothing due before the adoption day is reminded item by item, nobody is
escalated, and the next day's run sends nothing. Adopting part-way through the plan
reminds what is due from the adoption day on and still summarises the rest. Over aiosmtpd,
on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from unittest import mock

from click.testing import Result
from sqlalchemy import func, select

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow, ReminderSent
from tests.conftest import db_env
from tests.smtp_server import SmtpServer, smtp

__all__ = ["smtp"]

Run = Callable[..., Result]
TODAY = date(2026, 12, 7)
LEADS = {"legislative": "lead@agc.gov.my", "enforcement": "lead@rmp.gov.my",
         "victim-care": "lead@kpwkm.gov.my", "media": "lead@kkmm.gov.my",
         "forced-labour": "lead@mohr.gov.my", "monitoring": "lead@me.gov.my",
         "nso-mapo": "lead@mapo.gov.my"}
SECRETARIAT = "sec@mapo.gov.my"
_ITEM = re.compile(r"^\* (\S+): ", re.M)
_OLDER = re.compile(r"^(\d+) items? of your committee's work due before naptip was adopted",
                    re.M)


def directory(db: Database) -> None:
    ContactDirectory(db).upsert([
        *(ContactInfo(name=f"Lead {c}", email=e, roles=(Role(role="lead", scope=c),))
          for c, e in LEADS.items()),
        ContactInfo(name="Secretariat", email=SECRETARIAT,
                    roles=(Role(role="secretariat", scope="nso-mapo"),)),
    ], actor="test")


def naptip_run(run: Run, db: Database, config: Path, day: date) -> Result:
    with mock.patch("naptip.time.clock.real_today", return_value=day):
        result = run("--config", str(config), "--as-of", day.isoformat(), "run",
                     env=db_env(db))
    assert result.exit_code == 0, result.output
    return result


def open_before(db: Database, owner: str, day: date) -> int:
    with db.reading() as session:
        return session.execute(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.owner == owner, OccurrenceRow.withdrawn.is_(False),
            OccurrenceRow.progress == "open", OccurrenceRow.due < day)).scalar_one()


def test_a_fresh_install_after_the_plans_end_sends_each_lead_one_summary_and_no_item(
        run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    first = naptip_run(run, db, config, TODAY)
    assert "NAPTIP 3.0 adopted on 2026-12-07 (first run)" in " ".join(first.output.split())
    messages = smtp.handler.messages
    assert len(messages) == len(LEADS)  # one per lead; none for the secretariat
    assert smtp.handler.to(SECRETARIAT) == []
    total = 0
    for committee, email in LEADS.items():
        [mail] = smtp.handler.to(email)
        text = mail.text.replace("\r\n", "\n")
        assert _ITEM.findall(text) == []  # no item by item
        [count] = _OLDER.findall(text)
        assert int(count) == open_before(db, committee, TODAY) > 0, committee
        assert f"{count} older items still open" in mail.message["Subject"]
        assert "overdue" not in mail.message["Subject"]
        assert f"naptip status --committee {committee} --list" in text
        assert f"{count} items of your committee" in mail.html
        total += int(count)
        assert len(mail.text) < 1500  # a short message, not 642 KB
    with db.reading() as session:
        stages = dict(session.execute(select(ReminderSent.stage, func.count())
                                      .group_by(ReminderSent.stage)).all())
    assert stages == {"older": total}  # no lead time, no rung of the ladder
    naptip_run(run, db, config, date(2026, 12, 8))
    assert len(smtp.handler.messages) == len(LEADS)  # the next day: nothing again


def test_adopting_part_way_reminds_from_the_adoption_day_and_summarises_the_rest(
        run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    day, adopted = date(2024, 2, 14), date(2024, 2, 1)
    with mock.patch("naptip.time.clock.real_today", return_value=day):
        done = run("--as-of", day.isoformat(), "adopt", "--on", adopted.isoformat(),
                   env=db_env(db))
    assert done.exit_code == 0, done.output
    naptip_run(run, db, config, day)
    [mail] = [m for m in smtp.handler.to(LEADS["enforcement"])  # not the invitations
              if "This is your NAPTIP 3.0 reminder" in m.text]
    text = mail.text.replace("\r\n", "\n")
    listed = _ITEM.findall(text)
    assert listed  # the work due from 1 February 2024 on
    with db.reading() as session:
        dues = dict(session.execute(select(OccurrenceRow.id, OccurrenceRow.due)
                                    .where(OccurrenceRow.id.in_(listed))).all())
    assert all(due >= adopted for due in dues.values())
    [count] = _OLDER.findall(text)
    assert int(count) == open_before(db, "enforcement", adopted)
    assert not [m for m in smtp.handler.to(SECRETARIAT)  # no escalation of older work
                if "This is your NAPTIP 3.0 reminder" in m.text]
    with db.reading() as session:
        older = session.execute(select(func.count()).select_from(ReminderSent).where(
            ReminderSent.stage == "older")).scalar_one()
        rungs = session.execute(select(ReminderSent.occurrence_id).where(
            ReminderSent.stage.like("overdue-%"))).scalars().all()
        late = dict(session.execute(select(OccurrenceRow.id, OccurrenceRow.due)
                                    .where(OccurrenceRow.id.in_(rungs))).all())
    assert older > 0 and all(due >= adopted for due in late.values())
