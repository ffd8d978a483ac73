"""Where the feeds read the occurrences they publish: ONE function.

The store's synced schedule is authoritative (``naptip sync`` is its only writer): an
occurrence the store has withdrawn is not published, one it does not hold yet is not
either, and one whose date had passed when a later sync wanted to change it (a held
change) is published exactly as the store kept it — date, time, host, title, state —
through ``naptip.occurrences.stored_schedule.as_stored``, the same view ``naptip schedule`` shows.
What the store does not keep (indicators, why a date moved) comes from the plugins'
schedule, which the store was synced from.

An occurrence the store holds that the plugins' schedule lacks (a broken plugin, a
refused configured change, a withdrawal a sync held because its date had passed) keeps
its entry exactly as last published, or is published from the store's row if it never
was: the feeds never cancel what the store has not withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from naptip.occurrences.materialise import require_schedule
from naptip.occurrences.schedule import Occurrence, Schedule, build_schedule
from naptip.occurrences.stored_schedule import as_stored, stored_rows
from naptip.plan.catalog import Catalog
from naptip.store.db import Database


@dataclass(frozen=True)
class StoredSchedule:
    """What the feeds publish, read from the store."""

    occurrences: list[Occurrence]  #: sorted by due date then id
    #: those of them the store holds (not withdrawn) but the plugins' schedule lacks: their
    #: entries stay in the feeds exactly as last published, never CANCELLED.
    kept: frozenset[str]


def stored_schedule(catalog: Catalog, db: Database, planned: Schedule | None = None,
                    ) -> StoredSchedule:
    """Every occurrence of the stored schedule, and those the plugins no longer give.
    ``planned``: the plugins' schedule of ``catalog`` when the caller has built it already
    (the day's work builds it once for all its steps)."""
    with db.reading() as session:
        require_schedule(session, db, catalog)  # no schedule is not "everything withdrawn"
    planned = planned if planned is not None else build_schedule(catalog)
    shown = as_stored(planned, stored_rows(db, catalog), unsynced=False).occurrences
    kept = frozenset(o.id for o in shown if o.id not in planned.by_id)
    return StoredSchedule(occurrences=sorted(shown, key=lambda o: (o.due, o.id)), kept=kept)


def occurrences_to_publish(catalog: Catalog, db: Database) -> list[Occurrence]:
    """Every occurrence of the stored schedule, sorted by due date then id."""
    return stored_schedule(catalog, db).occurrences
