"""Where the feeds read the occurrences they publish: ONE function.

The store's synced schedule is authoritative (``naptip sync`` is its only writer): an
occurrence the store has withdrawn is not published, and one whose date had passed when a
later sync wanted to move it (a held change) is published with the date, time and host
the store kept. The rest of each entry (titles, indicators, why a date moved) comes from
the plugins' schedule, which the store was synced from. An occurrence the store holds but
the plugins' schedule lacks (a plugin or configuration error) keeps its entry as last
published: the feeds never cancel what the store has not withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from naptip.catalog import Catalog
from naptip.clock import PLAN_TZ
from naptip.db import Database
from naptip.materialise import require_schedule
from naptip.orm import OccurrenceRow
from naptip.schedule import Occurrence, build_schedule


@dataclass(frozen=True)
class StoredSchedule:
    """What the feeds publish, read from the store."""

    occurrences: list[Occurrence]  #: sorted by due date then id
    #: occurrences the store holds (not withdrawn) that the plugins' schedule lacks: a
    #: broken plugin or a refused configured change, or a sync refused or not yet run.
    #: Their entries stay in the feeds exactly as last published, never CANCELLED: only
    #: a sync that withdraws them from the store cancels them.
    kept: frozenset[str]


def stored_schedule(catalog: Catalog, db: Database) -> StoredSchedule:
    """Every occurrence of the stored schedule, and those the plugins no longer give."""
    with db.reading() as session:
        require_schedule(session, db, catalog)  # no schedule is not "everything withdrawn"
        stored = {row.id: (row.withdrawn, row.due, row.start_at, row.end_at, row.host)
                  for row in session.execute(select(OccurrenceRow)).scalars()}
    out: list[Occurrence] = []
    planned: set[str] = set()
    for o in build_schedule(catalog).occurrences:
        planned.add(o.id)
        kept = stored.get(o.id)
        if kept is None or kept[0]:
            continue  # not in the synced schedule, or withdrawn from it
        _, due, start, end, host = kept
        if (due, start, end, host) != (o.due, o.start, o.end, o.host):
            o = replace(o, due=due, host=host,  # instants are read back in UTC
                        start=start.astimezone(PLAN_TZ) if start else None,
                        end=end.astimezone(PLAN_TZ) if end else None)
        out.append(o)
    out.sort(key=lambda o: (o.due, o.id))
    missing = frozenset(oid for oid, (withdrawn, *_rest) in stored.items()
                        if not withdrawn and oid not in planned)
    return StoredSchedule(occurrences=out, kept=missing)


def occurrences_to_publish(catalog: Catalog, db: Database) -> list[Occurrence]:
    """Every occurrence of the stored schedule, sorted by due date then id."""
    return stored_schedule(catalog, db).occurrences
