"""Each version of a changed duty as RFC 5545 text that a calendar expands the same way."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from naptip.base.config import parse_settings
from naptip.occurrences.schedule import build_schedule
from naptip.occurrences.versiontext import version_texts
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import LoadedPlugins

KL = ZoneInfo("Asia/Kuala_Lumpur")
MONTHLY = ("DTSTART;TZID=Asia/Kuala_Lumpur:20210112T100000\n"
           "RRULE:FREQ=MONTHLY;BYDAY=2TU;UNTIL=20251231T155959Z\n"
           "EXDATE;TZID=Asia/Kuala_Lumpur:20240109T100000")


def _calendar_starts(text: str) -> list[datetime]:
    import recurring_ical_events
    from icalendar import Calendar, Event, vDDDLists, vRecur

    from naptip.time.recurrence import parse_recurrence

    r = parse_recurrence(text)
    event = Event()
    event.add("uid", "x@test")
    event.add("dtstart", r.dtstart)
    for rule in r.rrules:
        event.add("rrule", vRecur.from_ical(rule))
    excluded = sorted(r.cancelled)
    if excluded:
        event.add("exdate", vDDDLists(excluded))
    extra = sorted(set(r.slots) - set(_rule_only(text)))
    if extra:
        event.add("rdate", vDDDLists(extra))
    cal = Calendar()
    cal.add_component(event)
    found = recurring_ical_events.of(cal).between(datetime(2021, 1, 1, tzinfo=KL),
                                                  datetime(2026, 1, 1, tzinfo=KL))
    return sorted(e["DTSTART"].dt.astimezone(KL) for e in found)


def _rule_only(text: str) -> tuple[datetime, ...]:
    from naptip.time.recurrence import parse_recurrence

    lines = [ln for ln in text.splitlines() if not ln.startswith(("RDATE", "EXDATE"))]
    return parse_recurrence("\n".join(lines)).slots


@pytest.mark.parametrize("change", [
    {"from": "2023-07-01", "recurrence": MONTHLY},
    {"from": "2023-07-01", "recurrence": MONTHLY + "\nRDATE;TZID=Asia/Kuala_Lumpur:"
                                                   "20240620T100000"},
    {"from": "2022-03-01", "hosts": ["jim", "rmp"]},
])
def test_each_version_text_yields_exactly_its_occurrences(loaded: LoadedPlugins,
                                                          change: dict[str, object]) -> None:
    catalog = build_catalog(loaded, settings=parse_settings(
        {"duties": {"enforcement-meeting": change}}))
    schedule = build_schedule(catalog)
    texts = version_texts(catalog, schedule, "enforcement-meeting")
    assert [t.number for t in texts] == [1, 2]
    meetings = [o for o in schedule.occurrences
                if o.duty == "enforcement-meeting" and "/" not in o.id]
    for t in texts:
        label = catalog.versions["enforcement-meeting"][t.number - 1].label(2)
        mine = [o for o in meetings if o.version == label]
        assert [o.unshifted for o in mine] == [s.date() for s in t.instances]
        assert _calendar_starts(t.text) == list(t.instances)
    assert sum(len(t.instances) for t in texts) == len(meetings)


def test_unchanged_duty_keeps_its_own_text(builtin_catalog: Catalog) -> None:
    schedule = build_schedule(builtin_catalog)
    (only,) = version_texts(builtin_catalog, schedule, "enforcement-meeting")
    assert only.text == builtin_catalog.recurrences["enforcement-meeting"].text
