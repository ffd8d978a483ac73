"""Calendar feed speed, against icalendar parsing the same bytes back in the same run.

    .venv/bin/python -m bench.bench_calendar [--plugins N] [--activities N] [--duties N]

For the real plan and for a synthetic plan of N plugins (each with --activities activities
and --duties duties, as in bench_schedule):

1. build the whole-plan feed from scratch (entries, the publication ledger in a fresh
   SQLite store, rendering) and compare with ``icalendar.Calendar.from_ical`` parsing the
   same bytes (ratio parse time / build time: above 1, building is the faster);
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
from datetime import date
from pathlib import Path

from icalendar import Calendar

from naptip.base.model import Cadence
from naptip.calendars.publish import (
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

from .bench_schedule import synthetic_catalog, timed

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


def measure(label: str, catalog: Catalog, work: Path) -> None:
    occurrences = build_schedule(catalog).occurrences
    db = open_database(f"sqlite:///{work / f'{label}.db'}", blobs=work / "blobs")
    try:
        start = time.perf_counter()
        rec = record(db, catalog, occurrences, now=publish_instant(DAY1), today=DAY1)
        ledger_s = time.perf_counter() - start  # entries recorded and rendered
        start = time.perf_counter()
        data = feed_bytes(catalog, plan_scope(catalog), rec.published)
        build_s = ledger_s + time.perf_counter() - start
        parse_s, parsed = timed(lambda: Calendar.from_ical(data), repeat=3)
        events = len(parsed.walk("VEVENT"))
        print(f"{label}: whole-plan feed of {events:,} entries ({len(data) / 1e6:.1f} MB) "
              f"built in {build_s:.2f} s (recording and rendering the entries {ledger_s:.2f} s, "
              f"assembling {build_s - ledger_s:.3f} s); icalendar parses the same "
              f"bytes in {parse_s:.2f} s; ratio parse/build {parse_s / build_s:.2f}")

        folder = work / f"{label}-feeds"
        scopes = public_scopes(catalog)
        start = time.perf_counter()
        first = publish(db, catalog, rec.published, folder, scopes)
        full_s = ledger_s + time.perf_counter() - start
        rounds = []
        for revision in range(1, 4):  # median of three republishes, each with a new change
            changed = one_entry_changed(catalog, revision)
            start = time.perf_counter()
            rec2 = record(db, changed, build_schedule(changed).occurrences,
                          now=publish_instant(DAY2), today=DAY2)
            again = publish(db, changed, rec2.published, folder, scopes)
            rounds.append(time.perf_counter() - start)
        incr_s = statistics.median(rounds)
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
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        measure("real plan", build_catalog(build_plugin_manager(environ={})), work)
        synthetic = synthetic_catalog(args.plugins, activities=args.activities,
                                      duties=args.duties)
        measure(f"synthetic {args.plugins} plugins", synthetic, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
