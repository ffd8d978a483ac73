"""Calendar feed speed, against icalendar building the same feed in the same run.

    .venv/bin/python -m bench.bench_calendar [--plugins N] [--activities N] [--duties N]
                                             [--rounds N]

For the real plan and for a synthetic plan of N plugins (each with --activities activities
and --duties duties, as in bench_schedule):

1. build the whole-plan feed from scratch (the publication ledger in a fresh SQLite store,
   each entry rendered, the feed assembled) and compare with icalendar building the same
   feed from the same entries: a ``Calendar`` with the same properties and VTIMEZONE, one
   ``Event`` (and its ``Alarm``s) per entry with the same properties, one ``to_ical()``.
   Both sides must give the same bytes. The two sides alternate, --rounds times each, and
   the medians are compared (ratio naptip/icalendar: naptip's ledger and store are what
   it costs above 1); the feed assembled again from the ledger (what a republish with
   nothing changed costs) is shown beside them;
2. publish every feed (the whole plan and one per committee) into an empty folder;
3. republish after one entry changed (one activity's text): the ledger bumps one SEQUENCE
   and only the feeds holding that entry are rendered again.
   Goal: well under the first publication (ratio incremental / full < 0.5).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vText

from naptip.base.model import Cadence
from naptip.calendars.entries import one_line
from naptip.calendars.feed import PRODID, REFRESH, TZ_FIRST, TZ_LAST
from naptip.calendars.ledger import Published
from naptip.calendars.publish import (
    Scope,
    feed_bytes,
    plan_scope,
    public_scopes,
    publish,
    publish_instant,
    record,
)
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.store.db import open_database
from naptip.time.cadence import cadence_of

from .bench_schedule import synthetic_catalog

DAY1, DAY2 = date(2023, 3, 1), date(2023, 3, 2)


def one_entry_changed(catalog: Catalog, revision: int = 1) -> Catalog:
    """The catalog with one activity's text changed: exactly one entry differs."""
    fulfilled = {a for d in catalog.duties.values() for a in d.fulfils}
    target = next(a for a in catalog.activities.values()
                  if cadence_of(a) is Cadence.DELIVERABLE and a.id not in fulfilled)
    out = copy.copy(catalog)
    text = f"{target.text} (revision {revision})"
    out.activities = {**catalog.activities, target.id: dataclasses.replace(target, text=text)}
    return out


def icalendar_event(p: Published) -> Event:
    """One entry as an icalendar ``Event`` with the properties naptip gives it."""
    e = p.entry
    ev = Event()
    ev.add("uid", vText(e.uid))
    ev.add("dtstamp", p.last_modified)
    ev.add("created", p.created)
    ev.add("last-modified", p.last_modified)
    ev.add("sequence", p.sequence)
    ev.add("status", "CANCELLED" if p.cancelled else "CONFIRMED")
    ev.add("summary", vText(e.summary))
    ev.add("dtstart", e.starts())
    ev.add("dtend", e.ends())
    ev.add("transp", "TRANSPARENT" if e.all_day else "OPAQUE")
    ev.add("categories", list(e.categories))
    ev.add("description", vText(e.description))
    if e.location:
        ev.add("location", vText(e.location))
    ev.add("x-naptip-occurrence", vText(one_line(e.occurrence)))
    ev.add("x-naptip-kind", vText(one_line(e.kind)))
    if not p.cancelled:
        for days in e.alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", vText(f"{e.summary}: in {days} "
                                           f"{'day' if days == 1 else 'days'}" if days
                                           else e.summary))
            alarm.add("trigger", timedelta(days=-days))
            ev.add_component(alarm)
    return ev


def icalendar_feed(catalog: Catalog, scope: Scope, published: Sequence[Published]) -> bytes:
    """The peer: icalendar building the whole feed from the same entries, in one go."""
    chosen = [p for p in published if scope.select(p.entry)]
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("uid", vText(scope.calendar_uid or f"naptip/{scope.key}@naptip"))
    cal.add("name", vText(one_line(scope.name)))
    cal.add("x-wr-calname", vText(one_line(scope.name)))
    cal.add("description", vText(one_line(scope.description)))
    cal.add("x-wr-caldesc", vText(one_line(scope.description)))
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vText("PT6H"))
    for tzid in sorted({p.entry.tzid for p in chosen if not p.entry.all_day}):
        cal.add_component(Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid,
                                               first_date=TZ_FIRST, last_date=TZ_LAST))
    for p in chosen:
        cal.add_component(icalendar_event(p))
    data: bytes = cal.to_ical()
    return data


def measure(label: str, catalog: Catalog, work: Path, rounds: int = 3) -> None:
    occurrences = build_schedule(catalog).occurrences
    scope = plan_scope(catalog)
    builds: list[float] = []
    records: list[float] = []
    peers: list[float] = []
    assembles: list[float] = []
    db = None
    for n in range(rounds):  # alternate which side goes first
        for side in (("naptip", "icalendar") if n % 2 == 0 else ("icalendar", "naptip")):
            if side == "naptip":
                if db is not None:
                    db.dispose()
                db = open_database(f"sqlite:///{work / f'{label}-{n}.db'}",
                                   blobs=work / "blobs")
                start = time.perf_counter()
                rec = record(db, catalog, occurrences, now=publish_instant(DAY1), today=DAY1)
                recorded = time.perf_counter()
                data = feed_bytes(catalog, scope, rec.published)
                builds.append(time.perf_counter() - start)
                records.append(recorded - start)
                start = time.perf_counter()
                feed_bytes(catalog, scope, rec.published)
                assembles.append(time.perf_counter() - start)
            else:
                start = time.perf_counter()
                # the entries the ledger gave (round 0 starts with naptip: it has them)
                peer = icalendar_feed(catalog, scope, rec.published)
                peers.append(time.perf_counter() - start)
    assert db is not None
    try:
        build_s, peer_s = statistics.median(builds), statistics.median(peers)
        ledger_s, assemble_s = statistics.median(records), statistics.median(assembles)
        events = data.count(b"BEGIN:VEVENT")
        same = "same bytes" if peer == data else "BYTES DIFFER"
        print(f"{label}: whole-plan feed of {events:,} entries ({len(data) / 1e6:.1f} MB), "
              f"median of {rounds}, alternating: naptip builds it in {build_s:.2f} s "
              f"(ledger and rendering {ledger_s:.2f} s, assembling "
              f"{build_s - ledger_s:.3f} s); icalendar builds the same events in "
              f"{peer_s:.2f} s ({same}); ratio naptip/icalendar {build_s / peer_s:.2f}; "
              f"the feed assembled again from the ledger {assemble_s:.3f} s")

        folder = work / f"{label}-feeds"
        scopes = public_scopes(catalog)
        start = time.perf_counter()
        first = publish(db, catalog, rec.published, folder, scopes)
        full_s = ledger_s + time.perf_counter() - start
        republishes: list[float] = []
        for revision in range(1, 4):  # median of three republishes, each with a new change
            changed = one_entry_changed(catalog, revision)
            start = time.perf_counter()
            rec2 = record(db, changed, build_schedule(changed).occurrences,
                          now=publish_instant(DAY2), today=DAY2)
            again = publish(db, changed, rec2.published, folder, scopes)
            republishes.append(time.perf_counter() - start)
        incr_s = statistics.median(republishes)
        rewritten = sum(w.changed for w in again)
        ratio = incr_s / full_s
        print(f"{label}: first publication of {len(first)} feeds {full_s:.2f} s; republish "
              f"with {len(rec2.changed)} changed entry ({rewritten} feeds rewritten) "
              f"{incr_s:.2f} s; ratio incremental/full {ratio:.2f} "
              f"(goal < 0.5: {'met' if ratio < 0.5 else 'NOT met'})")
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--plugins", type=int, default=100, help="synthetic plugins (100)")
    parser.add_argument("--activities", type=int, default=20, help="per plugin (20)")
    parser.add_argument("--duties", type=int, default=2, help="per plugin (2)")
    parser.add_argument("--rounds", type=int, default=3, help="samples of each side (3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        measure("real plan", build_catalog(build_plugin_manager(environ={})), work,
                args.rounds)
        synthetic = synthetic_catalog(args.plugins, activities=args.activities,
                                      duties=args.duties)
        measure(f"synthetic {args.plugins} plugins", synthetic, work, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
