"""Every view shows what the store holds (issue 17, §2): a past meeting whose change a
later sync held (its date had passed) keeps the store's host in `naptip schedule`,
`schedule explain`, the calendar feeds, the invitations sent over SMTP (aiosmtpd) and the
portal over HTTP, on SQLite and PostgreSQL — never the store's host with the new title."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from click.testing import Result
from icalendar import Calendar

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import BUILTIN_PLUGINS, build_plugin_manager
from naptip.store.db import Database
from tests.conftest import db_env
from tests.smtp_server import SmtpServer, smtp
from tests.web_support import serve

__all__ = ["smtp"]

Run = Callable[..., Result]
MEETING = "enforcement-meeting@2023-08-08"  #: hosted by RMP (turn 11 of the rotation)
RMP_LEAD, JIM_LEAD, COMMITTEE_LEAD = "lead@rmp.gov.my", "lead@imi.gov.my", "ketua@rmp.gov.my"
#: from July 2023 JIM heads the rotation: the August 2023 meeting would be JIM's
NEW_HOSTS = ('[duties.enforcement-meeting]\nfrom = 2023-07-01\n'
             'hosts = ["jim", "rmp", "customs", "mmea", "jtksm"]\n')


def _sync(run: Run, db: Database, config: Path, day: str) -> Result:
    """`naptip sync` as a deployment runs it on ``day`` (the real clock set to it)."""
    with mock.patch("naptip.time.clock.real_today", return_value=date.fromisoformat(day)):
        result = run("--config", str(config), "--as-of", day, "sync", env=db_env(db))
    assert result.exit_code == 0, result.output
    return result


def _held_store(run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> Path:
    """A store synced in June 2023, then synced after the meeting with the new hosts: the
    meeting's change of host is held, the store keeps RMP."""
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    _sync(run, db, config, "2023-06-01")
    ContactDirectory(db).upsert([
        ContactInfo(name="Host RMP", email=RMP_LEAD, roles=(Role(role="lead", scope="rmp"),)),
        ContactInfo(name="Host JIM", email=JIM_LEAD, roles=(Role(role="lead", scope="jim"),)),
        ContactInfo(name="ACP Lim Wei", email=COMMITTEE_LEAD,
                    roles=(Role(role="lead", scope="enforcement"),)),
    ], actor="test")
    config.write_text(smtp.config(NEW_HOSTS), encoding="utf-8")
    synced = _sync(run, db, config, "2023-09-01")
    assert "1 past kept as they were" in synced.stdout
    return config


def _vevent(data: bytes, occurrence: str) -> Any:
    cal: Any = Calendar.from_ical(data)
    found = [e for e in cal.walk("VEVENT") if str(e["X-NAPTIP-OCCURRENCE"]) == occurrence]
    assert len(found) == 1
    return found[0]


def test_a_held_past_change_is_shown_as_stored_everywhere(
        run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    config = _held_store(run, db, smtp, tmp_path)
    args = ("--config", str(config), "--as-of", "2023-08-01")
    env = db_env(db)

    shown = run(*args, "schedule", "--from", "2023-08-08", "--to", "2023-08-08",
                "--format", "json", env=env)
    assert shown.exit_code == 0, shown.output
    (o,) = [o for o in json.loads(shown.stdout)["occurrences"] if o["id"] == MEETING]
    assert o["host"] == "rmp" and o["title"].endswith("(host: RMP)")
    assert o["rule"].startswith("as the store holds it: a later sync's change of host, title")
    # the November meeting, still to come when the change was synced, took the new host
    later = run(*args, "schedule", "--from", "2023-11-14", "--to", "2023-11-14",
                "--format", "json", env=env)
    (n,) = json.loads(later.stdout)["occurrences"]
    assert n["host"] == "rmp" and n["title"].endswith("(host: RMP)")  # turn 12 of the new list

    # another configuration than the synced one: one warning line, and still the store
    other = tmp_path / "other.toml"
    other.write_text(smtp.config(), encoding="utf-8")
    preview = run("--config", str(other), "--as-of", "2023-08-01", "schedule", "--from",
                  "2023-11-14", "--to", "2023-11-14", "--format", "json", env=env)
    assert [line for line in preview.stderr.splitlines() if "another configuration" in line]
    assert json.loads(preview.stdout)["occurrences"][0]["host"] == "rmp"  # not JIM

    explained = run(*args, "schedule", "explain", MEETING, env=env)
    assert explained.exit_code == 0, explained.output
    text = " ".join(explained.stdout.split())
    assert "(host: RMP)" in text and "(host: JIM)" not in text.split("held change")[0]
    assert "│ host │ rmp │" in text and "as the store holds it" in text

    feed = run(*args, "calendar", "export", "--committee", "enforcement", env=env)
    assert feed.exit_code == 0, feed.output
    event = _vevent(feed.stdout_bytes, MEETING)
    assert str(event["SUMMARY"]).endswith("(host: RMP)")
    assert str(event["LOCATION"]) == "Royal Malaysia Police (RMP), Putrajaya"
    assert "Host: Royal Malaysia Police (RMP)" in str(event["DESCRIPTION"])
    host_feed = run(*args, "calendar", "export", "--committee", "jim", env=env)
    assert MEETING not in host_feed.stdout  # JIM did not host it

    sent = run(*args, "calendar", "invite", env=env)
    assert sent.exit_code == 0, sent.output
    invited = {}
    for m in smtp.handler.messages:
        part = next(p for p in m.message.walk() if p.get_content_type() == "text/calendar")
        if MEETING in part.get_content():
            invited[m.rcpt_tos[0]] = _vevent(part.get_content().encode(), MEETING)
    assert set(invited) == {RMP_LEAD, COMMITTEE_LEAD}  # not JIM's lead
    for ev in invited.values():
        assert str(ev["SUMMARY"]).endswith("(host: RMP)")
        assert str(ev["LOCATION"]) == "Royal Malaysia Police (RMP), Putrajaya"

    catalog = _catalog(config)
    with serve(db, catalog, today=date(2023, 8, 1)) as web, web.client(COMMITTEE_LEAD) as lead:
        page = lead.get(f"/occurrence/{MEETING}")
        assert page.status_code == 200
        assert "(host: RMP)" in page.text and "(host: JIM)" not in page.text


def _catalog(config: Path) -> Catalog:
    from naptip.base.config import load_settings

    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(BUILTIN_PLUGINS)})
    return build_catalog(loaded, settings=load_settings(config))


def test_a_held_withdrawal_stays_in_every_view(run: Run, db: Database, smtp: SmtpServer,
                                               tmp_path: Path) -> None:
    """A change cancelling a meeting whose date had passed is held: the store keeps the
    meeting, so `schedule` lists it and the feeds publish it confirmed, not cancelled."""
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    _sync(run, db, config, "2023-06-01")
    config.write_text(smtp.config(
        '[duties.enforcement-meeting]\nfrom = 2023-07-01\nrecurrence = """\n'
        "DTSTART;TZID=Asia/Kuala_Lumpur:20230808T100000\n"
        "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;UNTIL=20251231T155959Z\n"
        'EXDATE;TZID=Asia/Kuala_Lumpur:20230808T100000\n"""\n'), encoding="utf-8")
    assert "1 past kept as they were" in _sync(run, db, config, "2023-09-01").stdout
    args = ("--config", str(config), "--as-of", "2023-08-01")
    shown = run(*args, "schedule", "--from", "2023-08-08", "--to", "2023-08-08",
                "--format", "json", env=db_env(db))
    (o,) = [o for o in json.loads(shown.stdout)["occurrences"] if o["id"] == MEETING]
    assert o["host"] == "rmp" and o["rule"].startswith(
        "as the store holds it: the plugins and configuration no longer have it")
    explained = run(*args, "schedule", "explain", MEETING, env=db_env(db))
    assert explained.exit_code == 0 and "no plugin now: the store keeps it" in explained.stdout
    feed = run(*args, "calendar", "export", "--committee", "enforcement", env=db_env(db))
    event = _vevent(feed.stdout_bytes, MEETING)
    assert str(event["STATUS"]) == "CONFIRMED" and str(event["SUMMARY"]).endswith(
        "(host: RMP)")
