"""Calendar feeds: round trip against the schedule, invariants, stability, publishing."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import recurring_ical_events
from click.testing import CliRunner, Result
from icalendar import Calendar

from naptip.base.model import Cadence
from naptip.calendars.entries import entries_from, occurrence_of_uid
from naptip.calendars.ledger import reconcile
from naptip.calendars.publish import (
    Scope,
    committee_scope,
    feed_bytes,
    link_token,
    links,
    plan_scope,
    public_scopes,
    publish,
    publish_instant,
    record,
    write_atomic,
)
from naptip.cli import cli
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.time.cadence import cadence_of

Run = Callable[..., Result]
PLAN_ID = "naptip-3.0"
D1, D2 = date(2023, 3, 1), date(2023, 3, 2)


# --- one publication of the built-in plan, shared by the read-only tests below ---

@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """`naptip calendar publish` run once into a folder, against a fresh SQLite store."""
    base = tmp_path_factory.mktemp("feeds")
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{base / 'naptip.db'}",
           "NAPTIP_BLOB_DIR": str(base / "blobs"), "XDG_CONFIG_HOME": str(base / "config"),
           "XDG_DATA_HOME": str(base / "data")}
    with pytest.MonkeyPatch.context() as mp:
        for name in ("NAPTIP_PLUGINS_DIR", "NAPTIP_ENABLE_PLUGINS", "NAPTIP_DISABLE_PLUGINS",
                     "NAPTIP_CONFIG", "NAPTIP_AS_OF", "NAPTIP_CALENDAR_KEEP_CANCELLED"):
            mp.delenv(name, raising=False)
        synced = CliRunner().invoke(cli, ["--as-of", "2023-01-01", "sync"], env=env,
                                    catch_exceptions=False)
        assert synced.exit_code == 0, synced.output
        result = CliRunner().invoke(cli, ["--as-of", "2023-01-01", "calendar", "publish",
                                          "--to", str(base / "out")], env=env,
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        yield base / "out", env


def _walk(cal: Any, name: str) -> list[Any]:
    """Components, untyped: the tests read properties by name."""
    return list(cal.walk(name))


def _feeds(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ics"))}


def _schedule_set(run: Run, committee: str | None) -> set[tuple[Any, ...]]:
    args = ["--as-of", "2023-06-01", "schedule", "--from", "2021-01-01", "--to", "2025-12-31",
            "--format", "json", *(["--committee", committee] if committee else [])]
    result = run(*args)
    assert result.exit_code == 0, result.output
    out = set()
    for o in json.loads(result.stdout)["occurrences"]:
        start = datetime.fromisoformat(o["start"]) if o["start"] else None
        end = datetime.fromisoformat(o["end"]) if o["end"] else None
        out.add((o["id"], date.fromisoformat(o["due"]), start, end))
    return out


def _expanded(data: bytes) -> set[tuple[Any, ...]]:
    cal: Any = Calendar.from_ical(data)
    out: set[tuple[Any, ...]] = set()
    for ev in recurring_ical_events.of(cal).between((2021, 1, 1), (2026, 1, 1)):
        oid = occurrence_of_uid(str(ev["UID"]), PLAN_ID)
        assert oid == str(ev["X-NAPTIP-OCCURRENCE"])
        start, end = ev["DTSTART"].dt, ev["DTEND"].dt
        if isinstance(start, datetime):
            out.add((oid, start.date(), start, end))
        else:
            out.add((oid, start, None, None))
    return out


def test_round_trip_every_feed_equals_the_schedule(
        published: tuple[Path, dict[str, str]], run: Run, builtin_catalog: Catalog) -> None:
    feeds = _feeds(published[0])
    expected_files = {"plan.ics", *(f"committee-{c}.ics" for c in builtin_catalog.committees)}
    assert set(feeds) == expected_files
    for name, data in feeds.items():
        committee = None if name == "plan.ics" else name.removeprefix("committee-")[:-4]
        want = _schedule_set(run, committee)
        assert want, name
        assert _expanded(data) == want, name


def _lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b""), "a bare LF"
    return data[:-2].split(b"\r\n")


def check_invariants(data: bytes) -> Any:
    """What no validator checks, on one feed."""
    assert all(len(line) <= 75 for line in _lines(data)), "a line longer than 75 octets"
    cal: Any = Calendar.from_ical(data)
    defined = {str(tz["TZID"]) for tz in _walk(cal, "VTIMEZONE")}
    uids: list[str] = []
    for ev in _walk(cal, "VEVENT"):
        uids.append(str(ev["UID"]))
        start, end = ev["DTSTART"], ev["DTEND"]
        assert end.dt > start.dt, ev["UID"]
        for prop in (start, end):
            tzid = prop.params.get("TZID")
            assert tzid is None or tzid in defined, f"undefined TZID {tzid}"
        timed = isinstance(start.dt, datetime)
        assert timed == (str(ev["X-NAPTIP-KIND"]) in {"meeting", "review"}
                         and ev.get("LOCATION") is not None), ev["UID"]
        if not timed:
            assert not isinstance(end.dt, datetime) and end.dt == start.dt + timedelta(days=1)
            assert start.params.get("VALUE") in (None, "DATE")
        assert ev["DTSTAMP"].dt == ev["LAST-MODIFIED"].dt
        triggers = [a["TRIGGER"].dt for a in _walk(ev, "VALARM")]
        if str(ev["STATUS"]) == "CANCELLED":
            assert triggers == [], "a cancelled entry rings"
        else:
            assert triggers and all(t <= timedelta(0) for t in triggers), ev["UID"]
    assert len(uids) == len(set(uids)), "duplicate UIDs"
    return cal


def test_invariants_on_every_published_feed(published: tuple[Path, dict[str, str]]) -> None:
    feeds = _feeds(published[0])
    for name, data in feeds.items():
        cal = check_invariants(data)
        assert any(tz["TZID"] == "Asia/Kuala_Lumpur" for tz in _walk(cal, "VTIMEZONE")), name
        assert b"\r\nDTSTART;VALUE=DATE:" in data and b"\r\nDTSTART;TZID=Asia/Kuala_Lumpur:" \
            in data, name


def test_support_items_are_marked_in_committee_feeds(
        published: tuple[Path, dict[str, str]]) -> None:
    cal = Calendar.from_ical((published[0] / "committee-legislative.ics").read_bytes())
    events = {str(e["X-NAPTIP-OCCURRENCE"]): e for e in _walk(cal, "VEVENT")}
    led = events["legislative-committee-meeting@2021-01-06"]
    supported = events["case-management-meeting@2021-01-07"]
    assert not str(led["SUMMARY"]).startswith("[Support]")
    assert str(supported["SUMMARY"]).startswith("[Support] ")
    assert "Supporting role" in [str(c) for c in supported["CATEGORIES"].cats]
    assert "the lead is NSO MAPO" in str(supported["DESCRIPTION"])


def test_descriptions_carry_activity_indicators_and_how_to_submit(
        published: tuple[Path, dict[str, str]], builtin_catalog: Catalog) -> None:
    cal = Calendar.from_ical((published[0] / "plan.ics").read_bytes())
    ev = next(e for e in _walk(cal, "VEVENT") if str(e["X-NAPTIP-OCCURRENCE"]) == "S1-O1-i@2022")
    activity = builtin_catalog.activities["S1-O1-i"]
    text = str(ev["DESCRIPTION"])
    assert activity.text in text
    assert all(ind.text in text for ind in activity.indicators)
    assert "naptip evidence submit S1-O1-i@2022" in text
    cats = [str(c) for c in ev["CATEGORIES"].cats]
    assert "Progress report" in cats and "Legislative Committee" in cats
    assert any(c.startswith("P") and " " in c for c in cats)  # the pillar
    assert ev["DTSTART"].dt == date(2023, 1, 31)


def test_export_equals_the_published_file_and_twice_gives_the_same_bytes(
        published: tuple[Path, dict[str, str]], run: Run, tmp_path: Path) -> None:
    folder, env = published
    first = run("--as-of", "2024-02-01", "calendar", "export", "--committee", "Media",
                "-o", str(tmp_path / "m.ics"), env=env)
    assert first.exit_code == 0, first.output
    again = run("calendar", "export", "-c", "media", env=env)  # real clock: nothing changed
    assert (tmp_path / "m.ics").read_bytes() == again.stdout_bytes
    assert again.stdout_bytes == (folder / "committee-media.ics").read_bytes()
    whole = run("calendar", "export", "--all", env=env)
    assert whole.stdout_bytes == (folder / "plan.ics").read_bytes()
    republish = run("calendar", "publish", "--to", str(folder), env=env)
    assert republish.exit_code == 0
    assert all(line.endswith("unchanged") for line in republish.stdout.splitlines())
    assert "0 new, 0 changed, 0 cancelled" in republish.stderr


def test_links_list_every_feed_address(published: tuple[Path, dict[str, str]], run: Run,
                                       builtin_catalog: Catalog) -> None:
    result = run("calendar", "links", "--base-url", "https://feeds.example/naptip/",
                 env=published[1])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("\t") for line in result.stdout.splitlines())
    assert lines["plan"] == "https://feeds.example/naptip/plan.ics"
    assert lines["committee:victim-care"] == \
        "https://feeds.example/naptip/committee-victim-care.ics"
    assert len(lines) == 1 + len(builtin_catalog.committees)  # no contacts yet
    assert all((published[0] / url.rsplit("/", 1)[1]).exists() for url in lines.values())


def test_cli_errors_are_one_line(published: tuple[Path, dict[str, str]], run: Run,
                                 tmp_path: Path) -> None:
    env = published[1]
    unknown = run("calendar", "export", "--committee", "nope", env=env)
    assert unknown.exit_code == 2 and "unknown committee 'nope'" in unknown.stderr
    both = run("calendar", "export", "--committee", "media", "--all", env=env)
    assert both.exit_code == 2 and "give one of --committee, --contact or --all" in both.stderr
    (tmp_path / "file").write_text("x")
    blocked = run("calendar", "export", "-o", str(tmp_path / "file" / "x.ics"), env=env)
    assert blocked.exit_code == 1 and blocked.stderr.startswith("Error: -o ")
    assert "is not a folder" in blocked.stderr and len(blocked.stderr.splitlines()) == 1
    assert "Traceback" not in blocked.output
    bad_keep = run("calendar", "publish", "--to", str(tmp_path), "--keep-cancelled", "-1",
                   env=env)
    assert bad_keep.exit_code == 2


# --- text: escaping, other scripts, and no injection ---

WEIRD = "Kempen, kesedaran; pemerdagangan orang\nbaris dua — 人口贩运 — மனித கடத்தல் — ✓"
INJECT = "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\r\nSUMMARY:injected"


def _variant(catalog: Catalog, **changes: dict[str, Any]) -> Catalog:
    """A copy of the catalog with some of its dictionaries replaced."""
    out = copy.copy(catalog)
    for name, value in changes.items():
        setattr(out, name, value)
    return out


def test_text_survives_and_cr_lf_injects_nothing(builtin_catalog: Catalog, db: Database) -> None:
    cat = builtin_catalog
    legislative = cat.committees["legislative"]
    committees = {**cat.committees, "legislative": dataclasses.replace(
        legislative, name=f"Legislative{INJECT}", lead_agency_short=f"AGC{INJECT}")}
    activities = {**cat.activities, "S1-O1-i": dataclasses.replace(
        cat.activities["S1-O1-i"], text=WEIRD + INJECT)}
    duty = cat.duties["legislative-committee-meeting"]
    duties = {**cat.duties, duty.id: dataclasses.replace(duty, title=f"Mesyuarat{INJECT}")}
    versions = {**cat.versions, duty.id: tuple(  # the schedule reads each version's fields
        dataclasses.replace(v, duty=duties[duty.id]) for v in cat.versions[duty.id])}
    weird = _variant(cat, committees=committees, activities=activities, duties=duties,
                     versions=versions)
    occurrences = build_schedule(weird).occurrences
    rec = record(db, weird, occurrences, now=publish_instant(D1), today=D1)
    scope = committee_scope(weird, "legislative")
    data = feed_bytes(weird, scope, rec.published)
    cal = check_invariants(data)
    events = list(_walk(cal, "VEVENT"))
    assert len(events) == len([o for o in occurrences if "legislative" in
                               (o.owner, *o.support, o.host)])
    assert "evil" not in {str(e["UID"]) for e in events}
    assert b"\r\nUID:evil" not in data and b"\r\nBEGIN:VEVENT\r\nUID:evil" not in data
    assert "\n" not in str(cal["X-WR-CALNAME"]) and "Legislative END:VEVENT" in str(
        cal["X-WR-CALNAME"])
    ev = next(e for e in events if str(e["X-NAPTIP-OCCURRENCE"]) == "S1-O1-i@2021")
    description = str(ev["DESCRIPTION"])
    assert WEIRD in description  # commas, semicolons, newlines, Malay, Chinese, Tamil
    assert "\r" not in description
    meeting = next(e for e in events if str(e["X-NAPTIP-OCCURRENCE"]).startswith(duty.id))
    assert str(meeting["SUMMARY"]).startswith("Mesyuarat END:VEVENT BEGIN:VEVENT UID:evil")


# --- stability: the ledger in the store (SQLite and PostgreSQL) ---

def _events(data: bytes) -> dict[str, Any]:
    return {str(e["X-NAPTIP-OCCURRENCE"]): e for e in _walk(Calendar.from_ical(data), "VEVENT")}


def _one_off(catalog: Catalog, *, before: int) -> str:
    """An activity with a single deliverable, not collected by a duty, ending before a year."""
    fulfilled = {a for d in catalog.duties.values() for a in d.fulfils}
    return next(a.id for a in catalog.activities.values()
                if cadence_of(a) is Cadence.DELIVERABLE and a.timeline.end < before
                and a.id not in fulfilled)


def test_same_data_same_bytes_and_one_change_bumps_one_sequence(
        builtin_catalog: Catalog, db: Database) -> None:
    cat = builtin_catalog
    scope = plan_scope(cat)
    first = feed_bytes(cat, scope, record(db, cat, build_schedule(cat).occurrences,
                                          now=publish_instant(D1), today=D1).published)
    rec = record(db, cat, build_schedule(cat).occurrences, now=publish_instant(D2), today=D2)
    assert not rec.touched
    assert feed_bytes(cat, scope, rec.published) == first

    moved = _one_off(cat, before=2025)
    activity = cat.activities[moved]
    changed = _variant(cat, activities={**cat.activities, moved: dataclasses.replace(
        activity, timeline=dataclasses.replace(activity.timeline, end=activity.timeline.end + 1))})
    rec = record(db, changed, build_schedule(changed).occurrences, now=publish_instant(D2),
                 today=D2)
    uid = f"{moved}@deliverable.{PLAN_ID}@naptip"
    assert (rec.changed, rec.created, rec.cancelled) == ([uid], [], [])
    before, after = _events(first), _events(feed_bytes(changed, scope, rec.published))
    assert before.keys() == after.keys()
    diff = {oid for oid in before if before[oid].to_ical() != after[oid].to_ical()}
    assert diff == {f"{moved}@deliverable"}
    ev = after[f"{moved}@deliverable"]
    assert int(ev["SEQUENCE"]) == 1 and ev["LAST-MODIFIED"].dt == publish_instant(D2)
    assert ev["DTSTART"].dt.year == activity.timeline.end + 1
    assert ev["CREATED"].dt == publish_instant(D1)
    assert {int(e["SEQUENCE"]) for oid, e in after.items() if oid not in diff} == {0}


def test_removed_activity_is_cancelled_once_then_leaves(builtin_catalog: Catalog,
                                                        db: Database) -> None:
    cat = builtin_catalog
    record(db, cat, build_schedule(cat).occurrences, now=publish_instant(D1), today=D1)
    gone = _one_off(cat, before=2026)
    without = _variant(cat, activities={k: v for k, v in cat.activities.items() if k != gone})
    occurrences = build_schedule(without).occurrences
    keep = 30
    scope = plan_scope(without)

    def feed(day: date) -> dict[str, Any]:
        rec = record(db, without, occurrences, now=publish_instant(day), today=day,
                     keep_cancelled_days=keep)
        data = feed_bytes(without, scope, rec.published)
        check_invariants(data)  # the cancelled entry included: it no longer rings
        return _events(data)

    day = D2
    events = feed(day)
    cancelled = {oid: e for oid, e in events.items() if str(e["STATUS"]) == "CANCELLED"}
    assert list(cancelled) == [f"{gone}@deliverable"]
    assert not _walk(cancelled[f"{gone}@deliverable"], "VALARM")
    assert int(cancelled[f"{gone}@deliverable"]["SEQUENCE"]) == 1
    assert len(events) == len(occurrences) + 1
    last_day = feed(day + timedelta(days=keep - 1))
    assert f"{gone}@deliverable" in last_day and last_day[f"{gone}@deliverable"].to_ical() \
        == cancelled[f"{gone}@deliverable"].to_ical()  # not re-stamped while cancelled
    after = feed(day + timedelta(days=keep))
    assert f"{gone}@deliverable" not in after and len(after) == len(occurrences)
    # it comes back: published again, with a higher SEQUENCE than the cancellation
    back = reconcile(db, entries_from(cat, build_schedule(cat).occurrences),
                     now=publish_instant(day + timedelta(days=keep + 1)),
                     today=day + timedelta(days=keep + 1), keep_cancelled_days=keep)
    assert back.restored == [f"{gone}@deliverable.{PLAN_ID}@naptip"]
    restored = next(p for p in back.published if p.entry.occurrence == f"{gone}@deliverable")
    assert restored.sequence == 2 and not restored.cancelled


# --- publishing: atomic files, private feeds by token ---

def test_private_feeds_are_named_by_a_stable_unguessable_token(
        builtin_catalog: Catalog, db: Database, tmp_path: Path) -> None:
    cat = builtin_catalog
    rec = record(db, cat, build_schedule(cat).occurrences, now=publish_instant(D1), today=D1)
    contact = Scope(key="contact:42", name="Aminah", description="what Aminah attends",
                    select=lambda e: e.involves("media"), committee="media")
    written = publish(db, cat, rec.published, tmp_path, [*public_scopes(cat), contact])
    token = link_token(db, "contact:42")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert written[-1].path == tmp_path / f"{token}.ics"
    assert _events((tmp_path / f"{token}.ics").read_bytes()).keys() == _events(
        (tmp_path / "committee-media.ics").read_bytes()).keys()
    assert links(db) == [("contact:42", f"{token}.ics")]
    again = publish(db, cat, rec.published, tmp_path, [contact])
    assert again[0].path == written[-1].path and not again[0].changed
    assert link_token(db, "contact:7") != token
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_atomic_leaves_identical_files_alone(tmp_path: Path) -> None:
    path = tmp_path / "f.ics"
    assert write_atomic(path, b"one")
    stat = path.stat()
    assert not write_atomic(path, b"one") and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert write_atomic(path, b"two") and path.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.ics"]


def test_publish_instant_follows_the_clock() -> None:
    assert publish_instant(date(2024, 7, 30)) == datetime(2024, 7, 29, 16, tzinfo=UTC)
    now = publish_instant(None)
    assert now.tzinfo is not None and now.microsecond == 0


def test_republish_renders_only_the_feeds_whose_entries_changed(
        builtin_catalog: Catalog, db: Database, tmp_path: Path) -> None:
    cat = builtin_catalog
    scopes = public_scopes(cat)
    rec = record(db, cat, build_schedule(cat).occurrences, now=publish_instant(D1), today=D1)
    assert all(w.changed for w in publish(db, cat, rec.published, tmp_path, scopes))
    (tmp_path / "committee-monitoring.ics").write_bytes(b"damaged")  # no digest: re-rendered
    moved = _one_off(cat, before=2025)
    activity = cat.activities[moved]
    changed = _variant(cat, activities={**cat.activities, moved: dataclasses.replace(
        activity, timeline=dataclasses.replace(activity.timeline, end=activity.timeline.end + 1))})
    rec = record(db, changed, build_schedule(changed).occurrences, now=publish_instant(D2),
                 today=D2)
    written = {w.path.name for w in publish(db, changed, rec.published, tmp_path, scopes)
               if w.changed}
    involved = {f"committee-{c}.ics" for c in (activity.owner, *activity.support)}
    assert written == {"plan.ics", "committee-monitoring.ics", *involved}
    for scope in scopes:  # what was left alone is exactly what a full render gives
        assert (tmp_path / str(scope.filename)).read_bytes() == feed_bytes(changed, scope,
                                                                           rec.published)


def test_feeds_in_a_folder_with_a_long_path_are_published_and_remembered(
        builtin_catalog: Catalog, db: Database, tmp_path: Path) -> None:
    """A shared folder's path can be longer than the store's keys (80 characters on
    PostgreSQL): the feeds' fingerprints are kept all the same."""
    folder = tmp_path / ("shared-calendars-of-the-secretariat-" * 4) / "calendars"
    assert len(str(folder)) > 80
    cat = builtin_catalog
    rec = record(db, cat, build_schedule(cat).occurrences, now=publish_instant(D1), today=D1)
    scopes = public_scopes(cat)
    assert all(w.changed for w in publish(db, cat, rec.published, folder, scopes))
    assert not any(w.changed for w in publish(db, cat, rec.published, folder, scopes))


def test_concurrent_publishers_record_once(builtin_catalog: Catalog, db: Database) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from naptip.store.orm import AuditEntry, CalendarEntry

    entries = entries_from(builtin_catalog, build_schedule(builtin_catalog).occurrences)
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: reconcile(db, entries, now=publish_instant(D1),
                                                    today=D1), range(2)))
    assert [len(r.published) for r in results] == [len(entries)] * 2
    with db.reading() as session:
        assert session.execute(select(func.max(CalendarEntry.sequence))).scalar() == 0
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert actions == ["calendar.published"]


def test_feeds_are_assembled_only_when_what_they_show_changed(
        builtin_catalog: Catalog, db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each feed's fingerprint is kept with the file written: a republish with the same
    ledger assembles nothing; a deleted file, a changed entry or a contact's changed roles
    re-assemble only the feeds concerned, and every file stays what a full render gives."""
    from naptip.base.contact_types import ContactInfo, Role
    from naptip.calendars import feed as feed_module
    from naptip.calendars import publish as publish_module
    from naptip.calendars.publish import contact_scope

    cat = builtin_catalog
    assembled: list[str] = []
    real = feed_module.render_feed

    def counting(items: Any, **args: Any) -> bytes:
        assembled.append(str(args["calendar_uid"]))
        return real(items, **args)

    monkeypatch.setattr(publish_module, "render_feed", counting)
    aminah = ContactInfo(name="Aminah", email="aminah@kkmm.example.gov.my",
                         roles=(Role(role="lead", scope="media"),))
    scopes = [*public_scopes(cat), contact_scope(cat, aminah)]

    def check(catalog: Catalog, published: Any, scopes: list[Scope]) -> int:
        """Publish each scope again and compare with a full render; how many feeds the
        publications assembled."""
        count = 0
        for scope in scopes:
            before = len(assembled)
            written = publish(db, catalog, published, tmp_path, [scope])[0]
            count += len(assembled) - before
            assert written.path.read_bytes() == feed_bytes(catalog, scope, published)
        return count

    rec = record(db, cat, build_schedule(cat).occurrences, now=publish_instant(D1), today=D1)
    first = publish(db, cat, rec.published, tmp_path, scopes)
    assert len(assembled) == len(scopes) == 9 and all(w.changed for w in first)
    assembled.clear()
    again = publish(db, cat, rec.published, tmp_path, scopes)
    assert assembled == [] and not any(w.changed for w in again)
    assert [w.entries for w in again] == [w.entries for w in first]

    (tmp_path / "committee-media.ics").unlink()
    assert [w.changed for w in publish(db, cat, rec.published, tmp_path, scopes)].count(True) == 1
    assert assembled == ["naptip/committee:media@naptip"]

    moved = _one_off(cat, before=2025)
    activity = cat.activities[moved]
    changed = _variant(cat, activities={**cat.activities, moved: dataclasses.replace(
        activity, timeline=dataclasses.replace(activity.timeline, end=activity.timeline.end + 1))})
    rec = record(db, changed, build_schedule(changed).occurrences, now=publish_instant(D2),
                 today=D2)
    assembled.clear()
    publish(db, changed, rec.published, tmp_path, scopes)
    involved = {"plan", *(f"committee:{c}" for c in (activity.owner, *activity.support))}
    if "media" in (activity.owner, *activity.support):
        involved.add(f"contact:{aminah.email}")
    assert sorted(assembled) == sorted(f"naptip/{k}@naptip" for k in involved)

    member = dataclasses.replace(aminah, roles=(Role(role="member", scope="media"),))
    assembled.clear()
    written = publish(db, changed, rec.published, tmp_path, [contact_scope(changed, member)])
    assert assembled == [f"naptip/contact:{aminah.email}@naptip"] and written[0].changed
    # every file is what a full render gives, and publishing again assembles none
    assert check(changed, rec.published, [*scopes[:-1], contact_scope(changed, member)]) == 0
