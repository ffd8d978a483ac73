"""Where the feeds read the occurrences they publish: ONE function.

The store's synced schedule is authoritative (``naptip sync`` is its only writer): an
occurrence the store has withdrawn is not published, one it does not hold yet is not
either, and one whose date had passed when a later sync wanted to change it (a held
change) is published exactly as the store kept it — date, time, host, title, state —
through ``naptip.stored_schedule.as_stored``, the same view ``naptip schedule`` shows.
What the store does not keep (indicators, why a date moved) comes from the plugins'
schedule, which the store was synced from.
"""

from __future__ import annotations

from naptip.catalog import Catalog
from naptip.db import Database
from naptip.materialise import require_schedule
from naptip.schedule import Occurrence, build_schedule
from naptip.stored_schedule import as_stored, stored_rows


def occurrences_to_publish(catalog: Catalog, db: Database) -> list[Occurrence]:
    """Every occurrence of the stored schedule, sorted by due date then id."""
    with db.reading() as session:
        require_schedule(session, db, catalog)  # no schedule is not "everything withdrawn"
    rows = stored_rows(db, catalog)
    return as_stored(build_schedule(catalog), rows, unsynced=False).occurrences
