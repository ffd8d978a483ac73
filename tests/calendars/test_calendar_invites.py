"""Meeting invitations against a real SMTP server on loopback (aiosmtpd), and per-contact
feeds: REQUEST, an update with a higher SEQUENCE when the meeting moves, a CANCEL when it
is cancelled, each sent once across reruns; a contact's feed holds exactly their items."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import recurring_ical_events
from click.testing import Result
from icalendar import Calendar
from sqlalchemy import func, select

from naptip.base.config import Settings, load_settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.calendars.audience import attendees, follows
from naptip.calendars.entries import entries_from, occurrence_of_uid
from naptip.calendars.invite import OUTBOX_ORGANIZER, InviteReport, invite
from naptip.calendars.publish import contact_scopes
from naptip.notifications.outbox import entries, message
from naptip.occurrences.schedule import build_schedule
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, CalendarEntry, ReminderSent
from tests.conftest import db_env
from tests.smtp_server import Received, SmtpServer, smtp

__all__ = ["smtp"]

Run = Callable[..., Result]
LEAD, MEMBER, OTHER = "lead@rmp.gov.my", "ahli@rmp.gov.my", "lead@kkmm.gov.my"
MEETING = "enforcement-committee-meeting@2023-07-06"
UID = f"{MEETING}.naptip-3.0@naptip"
RULE = "RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=1TH;UNTIL=20251231T155959Z"
MOVED = ('[duties.enforcement-committee-meeting]\nfrom = 2023-06-15\nrecurrence = """\n'
         f'DTSTART;TZID=Asia/Kuala_Lumpur:20230706T143000\n{RULE}\n')
CANCELLED = MOVED + "EXDATE;TZID=Asia/Kuala_Lumpur:20230706T143000\n"


def _sync_cli(run: Run, db: Database, config: Path | None, day: str,
              extra_env: dict[str, str] | None = None) -> None:
    """`naptip sync --confirm` as a deployment runs it on ``day`` (the real clock set to it:
    what is due before it is the past the store keeps)."""
    from unittest import mock

    option = ["--config", str(config)] if config else []
    with mock.patch("naptip.time.clock.real_today", return_value=date.fromisoformat(day)):
        result = run(*option, "--as-of", day, "sync", "--confirm",
                     env={**db_env(db), **(extra_env or {})})
    assert result.exit_code == 0, result.output


def people(db: Database) -> None:
    """The contacts, in a store synced with the built-in plan as of 2023-06-01."""
    from naptip.occurrences.materialise import sync
    from naptip.plan.catalog import build_catalog
    from naptip.plan.pluginmanager import BUILTIN_PLUGINS, build_plugin_manager

    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(BUILTIN_PLUGINS)})
    catalog = build_catalog(loaded)
    sync(db, catalog, build_schedule(catalog), today=date(2023, 6, 1),
         plugins={name: info.version for name, info in loaded.infos.items()})
    ContactDirectory(db).upsert([
        ContactInfo(name="ACP Lim Wei", email=LEAD, roles=(Role(role="lead",
                                                                 scope="enforcement"),)),
        ContactInfo(name="Puan Ahli", email=MEMBER, language="ms",
                    roles=(Role(role="member", scope="enforcement"),)),
        ContactInfo(name="Encik Media", email=OTHER, roles=(Role(role="lead", scope="media"),)),
    ], actor="test")


def _invite(run: Run, db: Database, tmp_path: Path, config: str, day: str,
            *args: str) -> Result:
    path = tmp_path / "naptip.toml"
    path.write_text(config, encoding="utf-8")
    _sync_cli(run, db, path, day)
    result = run("--config", str(path), "--as-of", day, "calendar", "invite", *args,
                 env=db_env(db))
    assert result.exit_code == 0, result.output
    return result


def _calendar(m: Received) -> tuple[str, Any]:
    """The MIME method of the text/calendar alternative, and the calendar it carries."""
    msg = m.message
    assert msg.get_content_type() == "multipart/mixed"
    alternative = next(p for p in msg.iter_parts()
                       if p.get_content_type() == "multipart/alternative")
    part = next(p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar")
    attached = [p for p in msg.iter_attachments() if p.get_filename() == "invite.ics"]
    assert len(attached) == 1
    cal: Any = Calendar.from_ical(part.get_content())
    assert Calendar.from_ical(attached[0].get_content()).to_ical() == cal.to_ical()
    return str(part.get_param("method")), cal


def _about(smtp: SmtpServer, address: str) -> list[tuple[str, Any, Received]]:
    """Every message to ``address`` about the meeting, in order: (MIME method, VEVENT, mail)."""
    out = []
    for m in smtp.handler.to(address):
        method, cal = _calendar(m)
        events = list(cal.walk("VEVENT"))
        assert len(events) == 1
        assert method == str(cal["METHOD"]), "MIME method differs from the calendar's METHOD"
        if str(events[0]["UID"]) == UID:
            out.append((method, events[0], m))
    return out


def test_request_update_cancel_each_sent_once(run: Run, db: Database, smtp: SmtpServer,
                                              tmp_path: Path) -> None:
    people(db)
    dry = _invite(run, db, tmp_path, smtp.config(), "2023-06-01", "--dry-run")
    assert "would send" in dry.stdout and MEETING in dry.stdout and not smtp.handler.messages
    _invite(run, db, tmp_path, smtp.config(), "2023-06-01")
    first = {a: _about(smtp, a) for a in (LEAD, MEMBER)}
    for address, got in first.items():
        assert [(method, int(ev["SEQUENCE"])) for method, ev, _m in got] == [("REQUEST", 0)]
        _method, ev, m = got[0]
        assert str(ev["ORGANIZER"]) == "mailto:naptip@mapo.gov.my"
        assert str(ev["ATTENDEE"]) == f"mailto:{address}"
        assert ev["DTSTART"].dt == datetime(2023, 7, 6, 2, 0, tzinfo=UTC)
        assert str(ev["STATUS"]) == "CONFIRMED" and not list(ev.walk("VALARM"))
        assert m.rcpt_tos == [address]
    assert "Invitation: Enforcement Committee meeting" in str(first[LEAD][0][2].message["Subject"])
    assert str(first[MEMBER][0][2].message["Subject"]).startswith("Jemputan:")
    assert _about(smtp, OTHER) == []  # media's lead is not an attendee
    count = len(smtp.handler.messages)
    assert count > 2  # the other coming meetings of enforcement too

    again = _invite(run, db, tmp_path, smtp.config(), "2023-06-01")
    assert "nothing new to send" in again.stdout and len(smtp.handler.messages) == count

    # the meeting moves (a duty change from a day on: 10:00 -> 14:30): one update each
    _invite(run, db, tmp_path, smtp.config(MOVED + '"""\n'), "2023-06-02")
    _invite(run, db, tmp_path, smtp.config(MOVED + '"""\n'), "2023-06-03")
    for address in (LEAD, MEMBER):
        got = _about(smtp, address)
        assert [(method, int(ev["SEQUENCE"])) for method, ev, _m in got] == [
            ("REQUEST", 0), ("REQUEST", 1)]
        assert got[1][1]["DTSTART"].dt == datetime(2023, 7, 6, 6, 30, tzinfo=UTC)
        assert got[1][1]["UID"] == got[0][1]["UID"]
    assert str(_about(smtp, LEAD)[1][2].message["Subject"]).startswith("Updated invitation:")

    # it is cancelled (an EXDATE): one CANCEL each, with a higher SEQUENCE
    _invite(run, db, tmp_path, smtp.config(CANCELLED + '"""\n'), "2023-06-04")
    _invite(run, db, tmp_path, smtp.config(CANCELLED + '"""\n'), "2023-06-05")
    for address in (LEAD, MEMBER):
        got = _about(smtp, address)
        assert [(method, int(ev["SEQUENCE"])) for method, ev, _m in got] == [
            ("REQUEST", 0), ("REQUEST", 1), ("CANCEL", 2)]
        assert str(got[2][1]["STATUS"]) == "CANCELLED"
        assert str(got[2][1]["ATTENDEE"]) == f"mailto:{address}"
    with db.reading() as session:
        stages = sorted((r.stage, r.recipient, r.status) for r in session.execute(
            select(ReminderSent).where(ReminderSent.occurrence_id == MEETING)).scalars())
    assert stages == sorted((f"{stage}", a, "sent") for stage in ("invite-0", "invite-1",
                                                                   "cancel-2")
                            for a in (LEAD, MEMBER))


def test_a_refused_invitation_fails_then_is_retried_once(
        run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    people(db)
    smtp.handler.refuse[MEMBER] = "550 5.1.1 mailbox unavailable"
    path = tmp_path / "naptip.toml"
    path.write_text(smtp.config(), encoding="utf-8")
    failed = run("--config", str(path), "--as-of", "2023-06-01", "calendar", "invite",
                 env=db_env(db))
    assert failed.exit_code == 1 and "550 5.1.1 mailbox unavailable" in failed.stdout
    assert "retried on the next run" in failed.stderr and "Traceback" not in failed.output
    assert _about(smtp, MEMBER) == [] and len(_about(smtp, LEAD)) == 1
    del smtp.handler.refuse[MEMBER]
    _invite(run, db, tmp_path, smtp.config(), "2023-06-02")  # after the backoff
    _invite(run, db, tmp_path, smtp.config(), "2023-06-03")
    assert [int(ev["SEQUENCE"]) for _m, ev, _r in _about(smtp, MEMBER)] == [0]
    assert len(_about(smtp, LEAD)) == 1


def test_without_mail_invitations_go_to_the_outbox(db: Database, builtin_catalog: Catalog,
                                                   tmp_path: Path) -> None:
    people(db)
    day = date(2023, 6, 1)
    now = datetime(2023, 5, 31, 16, tzinfo=UTC)
    dry = invite(db, builtin_catalog, Settings(), day=day, dry_run=True, now=now,
                 outbox=tmp_path / "out")
    assert dry.ok and dry.outcomes and {o.status for o in dry.outcomes} == {"would send"}
    assert not (tmp_path / "out").exists()
    report = invite(db, builtin_catalog, Settings(), day=day, now=now, outbox=tmp_path / "out")
    assert report.ok and len(report.sent) == len(dry.outcomes)
    assert {o.status for o in report.sent} == {"outbox"}
    assert invite(db, builtin_catalog, Settings(), day=day, now=now,
                  outbox=tmp_path / "out").outcomes == []
    mails = entries(db)  # kept in the store, and copied to the folder given
    assert len(mails) == len(report.sent) == len(list((tmp_path / "out").glob("*.eml")))
    msg = message(db, mails[0].id)
    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    cal: Any = Calendar.from_ical(part.get_content())
    ev = next(iter(cal.walk("VEVENT")))
    assert str(ev["ORGANIZER"]) == f"mailto:{OUTBOX_ORGANIZER.email}"
    assert part.get_param("method") == "REQUEST" == str(cal["METHOD"])
    assert ev["DTSTAMP"].dt == now


# --- per-contact feeds ---

def _expanded(data: bytes) -> set[str]:
    cal: Any = Calendar.from_ical(data)
    return {str(occurrence_of_uid(str(ev["UID"]), "naptip-3.0")) for ev in
            recurring_ical_events.of(cal).between((2021, 1, 1), (2026, 1, 1))}


def _schedule(run: Run, env: dict[str, str], committee: str) -> list[dict[str, Any]]:
    result = run("--as-of", "2023-06-01", "schedule", "--from", "2021-01-01", "--to",
                 "2025-12-31", "--format", "json", "--committee", committee, env=env)
    assert result.exit_code == 0, result.output
    occurrences: list[dict[str, Any]] = json.loads(result.stdout)["occurrences"]
    return occurrences


def test_contact_feeds_hold_exactly_the_contacts_items(run: Run, db: Database,
                                                       tmp_path: Path) -> None:
    people(db)
    env = db_env(db)
    published = run("--as-of", "2023-06-01", "calendar", "publish", "--to", str(tmp_path / "f"),
                    env=env)
    assert published.exit_code == 0, published.output
    listed = run("calendar", "links", "--base-url", "https://x.example/f", env=env)
    assert listed.exit_code == 0, listed.output
    links = dict(line.split("\t") for line in listed.stdout.splitlines())
    feeds = {}
    for address in (LEAD, MEMBER, OTHER):
        name = links[f"contact:{address}"].removeprefix("https://x.example/f/")
        assert len(name) == 43 + 4 and address not in name
        feeds[address] = (tmp_path / "f" / name).read_bytes()
    # a lead: everything the committee leads, supports or hosts = `schedule --committee`
    assert _expanded(feeds[LEAD]) == {o["id"] for o in _schedule(run, env, "enforcement")}
    assert _expanded(feeds[OTHER]) == {o["id"] for o in _schedule(run, env, "media")}
    # a member: the meetings, reviews and events the committee owns or hosts
    member = {o["id"] for o in _schedule(run, env, "enforcement")
              if o["kind"] in ("meeting", "review", "event")
              and "enforcement" in (o["owner"], o["host"])}
    assert member and _expanded(feeds[MEMBER]) == member
    exported = run("--as-of", "2023-06-01", "calendar", "export", "--contact", MEMBER.upper(),
                   env=env)
    assert exported.exit_code == 0 and exported.stdout_bytes == feeds[MEMBER]
    unknown = run("calendar", "export", "--contact", "nobody@rmp.gov.my", env=env)
    assert unknown.exit_code == 2 and "no contact 'nobody@rmp.gov.my'" in unknown.stderr
    assert "Traceback" not in unknown.output
    # a contact who leaves the directory: their feed is deleted, the others stay
    ContactDirectory(db).remove(OTHER, actor="test")
    gone = tmp_path / "f" / links[f"contact:{OTHER}"].removeprefix("https://x.example/f/")
    again = run("--as-of", "2023-06-02", "calendar", "publish", "--to", str(tmp_path / "f"),
                env=env)
    assert again.exit_code == 0, again.output
    assert f"{gone.name}\t0 entries\tremoved" in again.stdout and not gone.exists()
    assert (tmp_path / "f" / links[f"contact:{LEAD}"].removeprefix("https://x.example/f/")
            ).read_bytes() == feeds[LEAD]
    relisted = run("calendar", "links", env=env).stdout
    assert f"contact:{OTHER}" not in relisted and f"contact:{LEAD}" in relisted


def test_every_attendee_has_the_meeting_in_their_feed(builtin_catalog: Catalog,
                                                      db: Database) -> None:
    people(db)
    contacts = ContactDirectory(db).all()
    scopes = {s.key: s for s in contact_scopes(db, builtin_catalog)}
    assert set(scopes) == {f"contact:{c.email}" for c in contacts}
    invited = 0
    for entry in entries_from(builtin_catalog, build_schedule(builtin_catalog).occurrences):
        for c in attendees(contacts, entry):
            invited += 1
            assert follows(c, entry) and scopes[f"contact:{c.email}"].select(entry)
    assert invited


def test_removed_contact_has_no_feed(builtin_catalog: Catalog, db: Database) -> None:
    people(db)
    assert f"contact:{OTHER}" in {s.key for s in contact_scopes(db, builtin_catalog)}
    ContactDirectory(db).remove(OTHER, actor="test")
    keys = {s.key for s in contact_scopes(db, builtin_catalog)}
    assert f"contact:{OTHER}" not in keys and f"contact:{LEAD}" in keys


def test_itip_names_with_quotes_and_commas_round_trip(builtin_catalog: Catalog) -> None:
    from naptip.calendars.itip import REQUEST, Person, itip_calendar
    from naptip.calendars.vevent import render_vevent

    entry = next(e for e in entries_from(builtin_catalog,
                                         build_schedule(builtin_catalog).occurrences)
                 if e.kind == "meeting")
    stamp = datetime(2023, 5, 31, 16, tzinfo=UTC)
    vevent = render_vevent(entry, sequence=3, created=stamp, last_modified=stamp,
                           cancelled=False)
    name = 'Dato\' Sri "Ali", Ketua; Bahagian'
    data = itip_calendar(vevent, entry, method=REQUEST, stamp=stamp,
                         organizer=Person(name="Urus Setia, MAPO", email="sec@mapo.gov.my"),
                         attendee=Person(name=name, email="ali@rmp.gov.my"))
    cal: Any = Calendar.from_ical(data)
    ev = next(iter(cal.walk("VEVENT")))
    assert ev["ATTENDEE"].params["CN"] == name.replace('"', "'")
    assert str(ev["ATTENDEE"]) == "mailto:ali@rmp.gov.my"
    assert ev["ORGANIZER"].params["CN"] == "Urus Setia, MAPO"
    assert int(ev["SEQUENCE"]) == 3 and str(ev["UID"]) == entry.uid
    assert len(list(cal.walk("VEVENT"))) == 1 and not list(cal.walk("VALARM"))


def test_an_invitation_lost_in_a_crash_is_sent_again_after_the_claim_timeout(
        db: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    people(db)
    day, now = date(2023, 6, 1), datetime(2023, 5, 31, 16, tzinfo=UTC)
    out = tmp_path / "out"
    first = invite(db, builtin_catalog, Settings(), day=day, now=now, outbox=out)
    assert first.ok and len(entries(db)) == len(first.sent)
    # a run died after claiming this one: its row is still "sending"
    key = (ReminderSent.occurrence_id == MEETING) & (ReminderSent.recipient == LEAD)
    db.write(lambda s: s.execute(update(ReminderSent).where(key).values(status="sending")))
    soon = invite(db, builtin_catalog, Settings(), day=day, now=now + timedelta(minutes=10),
                  outbox=out)
    assert soon.outcomes == []  # another run may still be sending it
    later = invite(db, builtin_catalog, Settings(), day=day, now=now + timedelta(minutes=31),
                   outbox=out)
    assert [(o.occurrence, o.email, o.stage, o.update) for o in later.sent] == [
        (MEETING, LEAD, "invite-0", False)]
    assert invite(db, builtin_catalog, Settings(), day=day, now=now + timedelta(hours=2),
                  outbox=out).outcomes == []


def _outbox_about(db: Database, uid: str) -> list[tuple[str, str, int]]:
    """(recipient, METHOD, SEQUENCE) of every outbox message about ``uid``, oldest first
    (ids start with the second they were written, then the batch)."""
    out = []
    for e in sorted(entries(db), key=lambda e: e.id):
        msg = message(db, e.id)
        part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
        cal: Any = Calendar.from_ical(part.get_content())
        ev = next(iter(cal.walk("VEVENT")))
        assert part.get_param("method") == str(cal["METHOD"])
        if str(ev["UID"]) == uid:
            out.append((str(ev["ATTENDEE"]).removeprefix("mailto:"), str(cal["METHOD"]),
                        int(ev["SEQUENCE"])))
    return sorted(out, key=lambda m: (m[2], m[1], m[0]))


def test_attendees_who_are_no_longer_invited_get_a_cancel(run: Run, db: Database,
                                                          tmp_path: Path) -> None:
    """Another host takes the turn (a duty change): the old host's contact gets a CANCEL,
    the committee an update; a contact whose role is removed gets a CANCEL; once each."""
    people(db)
    host = "ketua@rmp.gov.my"
    ContactDirectory(db).add(ContactInfo(name="Host RMP", email=host,
                                         roles=(Role(role="lead", scope="rmp"),)), actor="test")
    out = tmp_path / "out"
    uid = "enforcement-meeting@2023-08-08.naptip-3.0@naptip"

    def invite_cli(config: str, day: str) -> None:
        path = tmp_path / "naptip.toml"
        path.write_text(config, encoding="utf-8")
        _sync_cli(run, db, path, day)
        result = run("--config", str(path), "--as-of", day, "calendar", "invite",
                     env={**db_env(db), "NAPTIP_OUTBOX_DIR": str(out)})
        assert result.exit_code == 0, result.output

    invite_cli("", "2023-06-01")
    assert _outbox_about(db, uid) == [(MEMBER, "REQUEST", 0), (host, "REQUEST", 0),
                                       (LEAD, "REQUEST", 0)]
    jim = '[duties.enforcement-meeting]\nfrom = 2023-06-15\nhosts = ["jim"]\n'
    invite_cli(jim, "2023-06-02")
    invite_cli(jim, "2023-06-03")
    assert _outbox_about(db, uid)[3:] == [(host, "CANCEL", 1), (MEMBER, "REQUEST", 1),
                                           (LEAD, "REQUEST", 1)]
    ContactDirectory(db).upsert([ContactInfo(name="Puan Ahli", email=MEMBER, language="ms",
                                             roles=(Role(role="member", scope="media"),))],
                                actor="test")
    invite_cli(jim, "2023-06-04")
    invite_cli(jim, "2023-06-05")
    assert _outbox_about(db, uid)[3:] == sorted(
        [(host, "CANCEL", 1), (MEMBER, "CANCEL", 1), (MEMBER, "REQUEST", 1),
         (LEAD, "REQUEST", 1)], key=lambda m: (m[2], m[1], m[0]))


def test_hostile_text_injects_no_header(builtin_catalog: Catalog) -> None:
    import dataclasses
    import email
    from email import policy

    from naptip.calendars.itip import CANCEL, Person, build_invitation, itip_calendar
    from naptip.calendars.vevent import render_vevent

    entry = next(e for e in entries_from(builtin_catalog,
                                         build_schedule(builtin_catalog).occurrences)
                 if e.kind == "meeting")
    entry = dataclasses.replace(entry, summary="Mesyuarat\r\nBcc: evil@example.com\r\n"
                                               "X-Evil: 1 — 人口贩运")
    stamp = datetime(2023, 5, 31, 16, tzinfo=UTC)
    vevent = render_vevent(entry, sequence=1, created=stamp, last_modified=stamp,
                           cancelled=True)
    people = {"organizer": Person(name="Urus Setia\r\nBcc: x@y.z", email="sec@mapo.gov.my"),
              "attendee": Person(name="Ali", email="ali@rmp.gov.my")}
    calendar = itip_calendar(vevent, entry, method=CANCEL, stamp=stamp, **people)
    msg = build_invitation(entry, calendar, method=CANCEL, update=True, language="en",
                           batch="b" * 32, stamp=stamp, **people)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert str(parsed["Subject"]).startswith("Cancelled: Mesyuarat Bcc: evil@example.com")
    assert "人口贩运" in str(parsed["Subject"])
    cal: Any = Calendar.from_ical(calendar)
    assert str(cal["METHOD"]) == "CANCEL" and len(list(cal.walk("VEVENT"))) == 1


ENFORCEMENT = "enforcement-meeting@2023-08-08"  #: second Tuesday of August 2023, 10:00
SECOND_WEDNESDAY = (
    '[duties.enforcement-meeting]\nfrom = 2023-07-01\nrecurrence = """\n'
    "DTSTART;TZID=Asia/Kuala_Lumpur:20230809T100000\n"
    'RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE;UNTIL=20251231T155959Z\n"""\n')


def _august(smtp: SmtpServer, address: str) -> list[tuple[str, Any, Received]]:
    """Every message to ``address`` about an enforcement meeting of August 2023."""
    out = []
    for m in smtp.handler.to(address):
        method, cal = _calendar(m)
        (event,) = list(cal.walk("VEVENT"))
        if str(event["X-NAPTIP-OCCURRENCE"]).startswith("enforcement-meeting@2023-08"):
            out.append((method, event, m))
    return out


def test_a_meeting_moved_to_another_day_of_its_month_is_one_update(
        run: Run, db: Database, smtp: SmtpServer, tmp_path: Path) -> None:
    """A dated change moving the meeting from Tuesday 8 to Wednesday 9 August keeps its id
    and UID: each attendee gets one REQUEST with a higher SEQUENCE, no CANCEL and no second
    invitation (issue 17, §2)."""
    from naptip.store.orm import OccurrenceRow

    people(db)
    _invite(run, db, tmp_path, smtp.config(), "2023-06-01")
    _invite(run, db, tmp_path, smtp.config(SECOND_WEDNESDAY), "2023-06-02")
    _invite(run, db, tmp_path, smtp.config(SECOND_WEDNESDAY), "2023-06-03")  # nothing new
    uid = f"{ENFORCEMENT}.naptip-3.0@naptip"
    for address in (LEAD, MEMBER):
        got = _august(smtp, address)
        assert [(method, str(ev["UID"]), int(ev["SEQUENCE"])) for method, ev, _m in got] == [
            ("REQUEST", uid, 0), ("REQUEST", uid, 1)]
        assert got[0][1]["DTSTART"].dt == datetime(2023, 8, 8, 2, 0, tzinfo=UTC)
        assert got[1][1]["DTSTART"].dt == datetime(2023, 8, 9, 2, 0, tzinfo=UTC)
    assert str(_august(smtp, LEAD)[1][2].message["Subject"]).startswith("Updated invitation:")
    with db.reading() as session:
        row = session.get(OccurrenceRow, ENFORCEMENT)
        assert row is not None and not row.withdrawn
        assert (row.due, row.unshifted) == (date(2023, 8, 9), date(2023, 8, 9))
        assert session.get(OccurrenceRow, "enforcement-meeting@2023-08-09") is None
    explained = run("--config", str(tmp_path / "naptip.toml"), "--as-of", "2023-06-03",
                    "schedule", "explain", ENFORCEMENT, env=db_env(db))
    assert "keeps the id of the 2023-08-08 instance it replaces" in " ".join(
        explained.stdout.replace("│", " ").split())


def _ledger_and_audit(db: Database) -> tuple[list[tuple[str, int, str, str]], int]:
    with db.reading() as session:
        rows = sorted((r.uid, r.sequence, r.status, r.fingerprint)
                      for r in session.execute(select(CalendarEntry)).scalars())
        audited = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    return rows, int(audited)


def _planned(report: InviteReport) -> list[tuple[str, str, str, int, str]]:
    return sorted((o.occurrence, o.email, o.method, o.sequence, str(o.update))
                  for o in report.outcomes)


def test_a_dry_run_records_nothing_and_foresees_what_the_run_sends(
        run: Run, db: Database, tmp_path: Path) -> None:
    """`calendar invite --dry-run` left the calendar ledger advanced: the real run after it
    then found no change and sent no update. A dry run writes nothing, and lists exactly
    what the run then sends: first invitations, then a host change's updates and CANCEL."""
    from naptip.plan.catalog import build_catalog
    from naptip.plan.pluginmanager import BUILTIN_PLUGINS, build_plugin_manager

    people(db)
    host = "ketua@rmp.gov.my"
    ContactDirectory(db).add(ContactInfo(name="Host RMP", email=host,
                                         roles=(Role(role="lead", scope="rmp"),)), actor="test")
    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(BUILTIN_PLUGINS)})
    out = tmp_path / "out"
    day, now = date(2023, 6, 1), datetime(2023, 5, 31, 16, tzinfo=UTC)
    catalog = build_catalog(loaded)
    before = _ledger_and_audit(db)
    dry = invite(db, catalog, Settings(), day=day, dry_run=True, now=now, outbox=out)
    assert _ledger_and_audit(db) == before and not out.exists()
    sent = invite(db, catalog, Settings(), day=day, now=now, outbox=out)
    assert dry.outcomes and _planned(dry) == _planned(sent)

    config = tmp_path / "naptip.toml"
    config.write_text('[duties.enforcement-meeting]\nfrom = 2023-06-15\nhosts = ["jim"]\n',
                      encoding="utf-8")
    _sync_cli(run, db, config, "2023-06-02")
    moved = build_catalog(loaded, settings=load_settings(config))
    day, now = date(2023, 6, 2), datetime(2023, 6, 1, 16, tzinfo=UTC)
    before = _ledger_and_audit(db)
    dry = invite(db, moved, Settings(), day=day, dry_run=True, now=now, outbox=out)
    assert _ledger_and_audit(db) == before
    meeting = "enforcement-meeting@2023-08-08"
    assert (meeting, host, "CANCEL", 1, "True") in _planned(dry)
    assert (meeting, LEAD, "REQUEST", 1, "True") in _planned(dry)
    assert _planned(dry) == _planned(invite(db, moved, Settings(), day=day, now=now,
                                            outbox=out))
