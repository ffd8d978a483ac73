"""Where the feeds read the occurrences they publish: ONE function, so it can be switched.

Today the schedule is built from the plugins, exactly as ``naptip schedule`` shows it.
When ``naptip sync`` becomes the only writer of the schedule in the store (issue 8), this
function is the one place to change: read the synced, non-withdrawn occurrences instead.
"""

from __future__ import annotations

from naptip.catalog import Catalog
from naptip.schedule import Occurrence, build_schedule


def occurrences_to_publish(catalog: Catalog) -> list[Occurrence]:
    """Every occurrence of the plan, sorted by due date then id."""
    return build_schedule(catalog).occurrences
