"""Before an HLC-MAPO meeting each lead committee's leads get, in their usual digest, the
recommendations their committee leads that are not yet implemented: once per meeting,
item and person (the reminder ledger), within the digest's cap; nothing for implemented
or not-accepted items, nothing once the plan is over. Over aiosmtpd, on SQLite and
PostgreSQL, with the synthetic set of tests/progress/recsupport.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from click.testing import Result
from sqlalchemy import select
from sqlalchemy import update as sql_update

from naptip.plan.catalog import Catalog
from naptip.progress.recommendations.refs import PlanRefs
from naptip.progress.recommendations.sets import import_set
from naptip.progress.recommendations.updates import UpdateDraft, review_update, submit_update
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow, Recommendation, RecommendationLink, ReminderSent
from tests.conftest import db_env
from tests.progress.recsupport import ITEMS, SET_ID, Item, add_set, at
from tests.smtp_server import Received, SmtpServer, smtp
from tests.work.test_fresh_install import LEADS, directory, naptip_run

__all__ = ["smtp"]

Run = Callable[..., Result]
_REC = re.compile(r"^\* (R\d+|M\d+) \(([^)]*)\): ", re.M)
HEADING = "== Recommendations for the HLC-MAPO meeting on "


def meetings(db: Database, year: int) -> list[OccurrenceRow]:
    with db.reading() as session:
        return list(session.execute(select(OccurrenceRow).where(
            OccurrenceRow.duty_id == "hlc-mapo-meeting",
            OccurrenceRow.due >= date(year, 1, 1), OccurrenceRow.due <= date(year, 12, 31))
            .order_by(OccurrenceRow.due)).scalars())


def adopt(run: Run, db: Database, on: date) -> None:
    result = run("--as-of", on.isoformat(), "adopt", "--on", on.isoformat(),
                 env=db_env(db))
    assert result.exit_code == 0, result.output


def listed(mail: Received) -> list[str]:
    return [m[0] for m in _REC.findall(mail.text.replace("\r\n", "\n"))]


def rec_rows(db: Database) -> list[tuple[str, str, str]]:
    with db.reading() as session:
        return sorted((r.occurrence_id, r.stage, r.recipient) for r in session.execute(
            select(ReminderSent).where(ReminderSent.stage.like("rec:%"))).scalars())


def test_leads_get_their_open_items_once_per_meeting(run: Run, synced: Database,
                                                     smtp: SmtpServer, tmp_path: Path) -> None:
    db = synced
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    add_set(db, SET_ID, ITEMS, issued_on=date(2023, 1, 15))
    june, december = meetings(db, 2024)
    day = june.due - timedelta(days=6)  # the meeting's reminders started 14 days before
    adopt(run, db, day)
    naptip_run(run, db, config, day)
    mails = {email: [m for m in smtp.handler.to(email) if HEADING in m.text]
             for email in LEADS.values()}
    # R1 (in progress), R2 and R4 (not started); not R3 (implemented), R5 (not
    # accepted), R6 (no lead committee)
    got = {email: [listed(m) for m in found] for email, found in mails.items() if found}
    assert got == {LEADS["legislative"]: [["R1"]], LEADS["enforcement"]: [["R2"]],
                   LEADS["victim-care"]: [["R4"]]}
    [mail] = mails[LEADS["legislative"]]
    text = mail.text.replace("\r\n", "\n")
    assert f"{HEADING}{june.due.strftime('%A')}, {june.due.day} June 2024 ==" in text
    r1 = text[text.index("* R1 "):]
    assert "Status: in progress; last update Thursday, 1 February 2024" in r1
    assert "Awaiting review: implemented, submitted Thursday, 1 February 2024" in r1
    # R1's update awaits review (a new one would be refused): none is asked for
    assert "Update: none now: your update awaits the secretariat's review" in r1
    assert "1 recommendation for HLC-MAPO" in mail.message["Subject"]
    assert "Recommendations for the HLC-MAPO meeting on" in mail.html
    assert rec_rows(db) == sorted([
        (june.id, f"rec:{SET_ID}:R1", LEADS["legislative"]),
        (june.id, f"rec:{SET_ID}:R2", LEADS["enforcement"]),
        (june.id, f"rec:{SET_ID}:R4", LEADS["victim-care"])])
    before = len(smtp.handler.messages)
    naptip_run(run, db, config, day)  # the same day again: nothing
    naptip_run(run, db, config, day + timedelta(days=4))  # the 2-day reminder: no items
    later = smtp.handler.messages[before:]
    assert not [m for m in later if HEADING in m.text]
    assert len(rec_rows(db)) == 3
    # the next meeting reviews them again: once more, each
    naptip_run(run, db, config, december.due - timedelta(days=3))
    again = [m for m in smtp.handler.messages if HEADING in m.text][3:]
    assert sorted(lead for m in again for lead in m.rcpt_tos) == sorted(
        [LEADS["legislative"], LEADS["enforcement"], LEADS["victim-care"]])
    assert len(rec_rows(db)) == 6
    assert {r[0] for r in rec_rows(db)} == {june.id, december.id}


def test_the_digest_cap_counts_the_rest_and_sends_them_once(
        run: Run, synced: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    db = synced
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config("[reminders]\ndigest_items = 3\n"), encoding="utf-8")
    directory(db)
    add_set(db, "media-2024", [Item(item=f"M{n}", text=f"Campaign {n}.", lead="media")
                               for n in range(1, 8)],
            issued_on=date(2024, 1, 10), source="Synthetic media review 2024")
    (june, _december) = meetings(db, 2024)
    day = june.due - timedelta(days=1)
    adopt(run, db, day)
    naptip_run(run, db, config, day)
    [mail] = [m for m in smtp.handler.to(LEADS["media"]) if HEADING in m.text]
    text = mail.text.replace("\r\n", "\n")
    # the meeting's agenda takes the cap's room before the lead's other (overdue) items
    assert listed(mail) == ["M1", "M2", "M3"]
    assert ("+ 1 more item due soon, 4 more recommendations for the HLC-MAPO meeting"
            in text)
    assert "It lists the 3 most urgent of your 8 items" in text
    assert "naptip recommendations list --committee media" in text
    assert "7 recommendations for HLC-MAPO" in mail.message["Subject"]
    assert len(rec_rows(db)) == 7  # listed or counted, each is delivered once
    before = len(smtp.handler.messages)
    naptip_run(run, db, config, june.due)
    assert not [m for m in smtp.handler.messages[before:] if HEADING in m.text]


def test_in_malay(run: Run, synced: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.people.contacts import ContactDirectory

    db = synced
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    ContactDirectory(db).upsert([ContactInfo(
        name="Ketua", email="ketua@agc.gov.my", language="ms",
        roles=(Role(role="lead", scope="legislative"),))], actor="test")
    add_set(db, SET_ID, ITEMS, issued_on=date(2023, 1, 15))
    (june, _december) = meetings(db, 2024)
    day = june.due - timedelta(days=2)
    adopt(run, db, day)
    naptip_run(run, db, config, day)
    [mail] = [m for m in smtp.handler.to("ketua@agc.gov.my")
              if "Syor untuk mesyuarat HLC-MAPO pada" in m.text]
    text = mail.text.replace("\r\n", "\n")
    assert "Status: sedang dilaksanakan; kemas kini terakhir Khamis, 1 Februari 2024" in text
    assert "Menunggu semakan: dilaksanakan, dihantar Khamis, 1 Februari 2024" in text
    assert "1 syor untuk HLC-MAPO" in mail.message["Subject"]


def test_nothing_after_the_plan_or_outside_a_meeting_window(
        run: Run, synced: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    db = synced
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    add_set(db, SET_ID, ITEMS, issued_on=date(2023, 1, 15))
    (june, _december) = meetings(db, 2024)
    day = june.due - timedelta(days=20)  # before the meeting's reminders start
    adopt(run, db, day)
    naptip_run(run, db, config, day)
    naptip_run(run, db, config, date(2026, 12, 7))  # the plan is over: no meeting
    assert not [m for m in smtp.handler.messages if HEADING in m.text]
    assert rec_rows(db) == []


def test_through_the_import_update_and_review_services(
        run: Run, synced: Database, smtp: SmtpServer, tmp_path: Path,
        builtin_catalog: Catalog) -> None:
    """The story of issue 22 on the read side: a set imported, an item updated by its
    lead and reviewed, then the digest before the June 2024 HLC-MAPO meeting and the
    follow-up report agree with what the services stored."""
    db = synced
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    path = tmp_path / "set.toml"
    path.write_text("""
[set]
source = "Synthetic review 2024"
issued = 2024-02-01

[[item]]
id = "R1"
text = "Identify victims proactively."
lead = "enforcement"
activities = ["S4-O1-i"]

[[item]]
id = "R2"
text = "Train labour inspectors."
lead = "forced-labour"

[[item]]
id = "R3"
text = "Publish yearly figures."
lead = "enforcement"
""", encoding="utf-8")
    refs = PlanRefs(committees=builtin_catalog.committees,
                    activities={"naptip-3.0": set(builtin_catalog.activities)},
                    default_plan="naptip-3.0")
    assert import_set(db, refs, path, set_id="rev-2024", importer="Secretariat",
                      now=at("2024-02-02")).refused == 0
    lead = "Lead enforcement"

    def update(item: str, status: str, day: str) -> None:
        submit_update(db, UpdateDraft(set_id="rev-2024", item=item, status=status,
                                      narrative=f"{status}: see the minutes.", actor=lead),
                      now=at(day))

    def accept(item: str, day: str) -> None:
        review_update(db, "rev-2024", item, accept=True, reason=None, actor="Secretariat",
                      now=at(day))

    update("R1", "in-progress", "2024-03-01")
    accept("R1", "2024-03-04")
    update("R1", "implemented", "2024-06-03")  # awaits review at the meeting
    update("R3", "implemented", "2024-04-01")
    accept("R3", "2024-04-02")
    june = meetings(db, 2024)[0]
    day = june.due - timedelta(days=10)
    adopt(run, db, day)
    naptip_run(run, db, config, day)
    [enforcement] = [m for m in smtp.handler.to(LEADS["enforcement"]) if HEADING in m.text]
    [labour] = [m for m in smtp.handler.to(LEADS["forced-labour"]) if HEADING in m.text]
    assert listed(enforcement) == ["R1"] and listed(labour) == ["R2"]  # R3 is implemented
    text = enforcement.text.replace("\r\n", "\n")
    assert "Status: in progress; last update Monday, 3 June 2024" in text
    assert "Awaiting review: implemented, submitted Monday, 3 June 2024" in text
    assert rec_rows(db) == sorted([(june.id, "rec:rev-2024:R1", LEADS["enforcement"]),
                                   (june.id, "rec:rev-2024:R2", LEADS["forced-labour"])])
    result = run("--as-of", day.isoformat(), "report", "recommendations", "--set",
                 "rev-2024", "--format", "json", env=db_env(db))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by_status"] == {"not-started": 1, "in-progress": 1, "implemented": 1,
                                 "not-accepted": 0}
    assert data["gaps"] == ["R2", "R3"] and data["awaiting_review"] == 1
    assert data["items"][0]["activities"][0]["activity"] == "S4-O1-i"
    with db.reading() as session:  # the column the review service keeps agrees
        stored = dict(session.execute(select(Recommendation.item, Recommendation.status)
                                      .where(Recommendation.set_id == "rev-2024")).all())
    assert stored == {i["item"]: i["status"] for i in data["items"]}
    # every recommendation row the services wrote is covered by the audit log
    verified = run("audit", "verify", env=db_env(db))
    assert verified.exit_code == 0, verified.output
    assert "recommendations match" in verified.stdout
    with db.engine.begin() as conn:  # a link moved to another activity behind its back
        conn.execute(sql_update(RecommendationLink).values(activity_id="S4-O1-ii"))
    tampered = run("audit", "verify", env=db_env(db))
    assert tampered.exit_code == 1
    assert "tampered: recommendation link #1 (naptip-3.0:S4-O1-ii)" in tampered.stderr
