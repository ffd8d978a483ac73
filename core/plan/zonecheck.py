"""Warn about duties whose DTSTART is not in the plan's time zone, showing Kuala Lumpur time.

``DTSTART;TZID=UTC:20240110T100000`` is valid RFC 5545 and schedules the meeting at 18:00
in Kuala Lumpur, which is rarely what an agency meant: it is a warning, not an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from naptip.base.errors import Problem
from naptip.time.clock import PLAN_TZ

if TYPE_CHECKING:
    from naptip.plan.catalog import Catalog


def zone_warnings(catalog: Catalog) -> list[Problem]:
    found: list[Problem] = []
    for duty_id, recurrence in catalog.recurrences.items():
        zone = str(recurrence.dtstart.tzinfo)
        if zone == str(PLAN_TZ):
            continue
        local = recurrence.dtstart.astimezone(PLAN_TZ)
        given = recurrence.dtstart
        found.append(Problem(
            plugin=catalog.plugin_of("duty", duty_id), subject=f"duty {duty_id}",
            message=(f"DTSTART is in {zone}, not {PLAN_TZ}: {given:%Y-%m-%d %H:%M} {zone} is "
                     f"{local:%Y-%m-%d %H:%M} in Kuala Lumpur; if {given:%H:%M} was meant, "
                     f"write DTSTART;TZID={PLAN_TZ}:{given:%Y%m%dT%H%M%S}")))
    return found
