"""Agencies as first-class: who declared them, and which work involves them.

An activity involves an agency when its responsibility or parties name the agency (its id,
short name, English or Malay name, as whole words, any case); an occurrence involves it
when the agency hosts it or its activity involves the agency.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from naptip.base.errors import NaptipError

if TYPE_CHECKING:
    from naptip.base.model import Activity
    from naptip.occurrences.schedule import Occurrence
    from naptip.plan.catalog import Catalog


def agency_id(catalog: Catalog, value: str) -> str:
    """Resolve an agency id or short name (case-insensitive), or a one-line error."""
    key = " ".join(value.split()).casefold()
    for a in catalog.agencies.values():
        if key in {a.id.casefold(), a.short_name.casefold()}:
            return a.id
    known = ", ".join(sorted(catalog.agencies))
    raise NaptipError(f"unknown agency {value!r} (known: {known}; see `naptip agencies list`)")


def plugin_name(catalog: Catalog, known: set[str], value: str) -> str:
    if value in known:
        return value
    raise NaptipError(f"unknown plugin {value!r} (loaded: {', '.join(sorted(known))})")


def _pattern(catalog: Catalog, agency: str) -> re.Pattern[str]:
    a = catalog.agencies[agency]
    names = {n for n in (a.id, a.short_name, a.name, a.name_ms) if n}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def activity_involves(catalog: Catalog, a: Activity, agency: str) -> bool:
    pattern = _pattern(catalog, agency)
    return any(pattern.search(text) for text in (a.responsibility or "", *a.parties))


def occurrence_involves(catalog: Catalog, o: Occurrence, agency: str) -> bool:
    if o.host == agency:
        return True
    activity = catalog.activities.get(o.activity) if o.activity else None
    return activity is not None and activity_involves(catalog, activity, agency)
