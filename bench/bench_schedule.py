"""Schedule expansion speed, against recurring-ical-events in the same run.

    .venv/bin/python -m bench.bench_schedule [--plugins N]

1. The real plan: every built-in activity and duty expanded for 2021-2025, cold (first
   call in this process, which imports the holiday calendars) and warm.
2. A synthetic plan of 100 plugins x 200 activities with 20 duties each.
3. The peer: recurring-ical-events expanding the same 2,000 duty recurrences from the
   equivalent iCalendar text, versus naptip parsing and expanding them from the same
   RFC 5545 text into dated, working-day-shifted occurrences.

Goals: naptip at least as fast as the peer (ratio >= 1); the real plan under 100 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from naptip import Activity, Cadence, Duty, DutyKind, Indicator, IndicatorKind, Timeline, hookimpl
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.time.recurrence import parse_recurrence

UNTIL = "UNTIL=20251231T155959Z"
RULES = [  # (RRULE, DTSTART) pairs: a realistic mix of cadences
    ("FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU", "20210209T100000"),
    ("FREQ=MONTHLY;BYDAY=1TH", "20210107T143000"),
    ("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=30", "20210730T000000"),
    ("FREQ=WEEKLY;BYDAY=MO", "20210104T090000"),
    ("FREQ=MONTHLY;INTERVAL=6;BYDAY=4WE", "20210623T100000"),
]
CADENCES = list(Cadence)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds over ``repeat`` runs, and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


class SyntheticPlugin:
    def __init__(self, n: int, outputs: list[tuple[str, str]], committees: list[str],
                 activities: int, duties: int) -> None:
        self.n, self.outputs, self.committees = n, outputs, committees
        self.activity_count, self.duty_count = activities, duties

    @hookimpl
    def naptip_activities(self) -> list[Activity]:
        out = []
        for k in range(self.activity_count):
            objective, output = self.outputs[(self.n * 7 + k) % len(self.outputs)]
            start = 2021 + (k % 3)
            out.append(Activity(
                id=f"{output}-p{self.n}-a{k}", objective=objective, output=output,
                text=f"Synthetic activity {k} of plugin {self.n}",
                indicators=(Indicator(text="Number of sessions", kind=IndicatorKind.COUNT),),
                timeline=Timeline(start=start, end=2025),
                lead=self.committees[k % len(self.committees)],
                cadence=CADENCES[k % len(CADENCES)],
            ))
        return out

    @hookimpl
    def naptip_duties(self) -> list[Duty]:
        return [self.duty(k) for k in range(self.duty_count)]

    def duty(self, k: int) -> Duty:
        rule, start = RULES[k % len(RULES)]
        return Duty(
            id=f"p{self.n}-duty-{k}", title=f"Duty {k} of plugin {self.n}",
            owner=self.committees[k % len(self.committees)],
            kind=DutyKind.MEETING if k % 4 else DutyKind.DEADLINE, duration_minutes=120,
            recurrence=f"DTSTART;TZID=Asia/Kuala_Lumpur:{start}\nRRULE:{rule};{UNTIL}",
        )


def synthetic_catalog(plugins: int, activities: int, duties: int) -> Catalog:
    loaded = build_plugin_manager(environ={})
    base = build_catalog(loaded)
    outputs = [(o.objective, o.id) for o in base.structure.outputs.values()]
    committees = sorted(base.committees)
    for n in range(plugins):
        loaded.pm.register(SyntheticPlugin(n, outputs, committees, activities, duties),
                           name=f"synthetic-{n}")
    catalog = build_catalog(loaded)
    assert not catalog.problems, catalog.problems[:3]
    return catalog


def ical_text(duties: list[Duty]) -> bytes:
    """The duties as a VCALENDAR, built by the icalendar library (no string joining)."""
    from icalendar import Calendar, Event, vRecur

    cal = Calendar()
    cal.add("prodid", "-//naptip bench//EN")
    cal.add("version", "2.0")
    tz = ZoneInfo("Asia/Kuala_Lumpur")
    for duty in duties:
        recurrence = parse_recurrence(duty.recurrence)
        event = Event()
        event.add("uid", f"{duty.id}@bench.naptip")
        event.add("summary", duty.title)
        start = recurrence.dtstart.astimezone(tz)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=duty.duration_minutes or 60))
        for rule in recurrence.rrules:
            event.add("rrule", vRecur.from_ical(rule))
        cal.add_component(event)
    text: bytes = cal.to_ical()
    return text


def peer_expand(text: bytes) -> int:
    import recurring_ical_events
    from icalendar import Calendar

    calendar = Calendar.from_ical(text)
    tz = ZoneInfo("Asia/Kuala_Lumpur")
    found = recurring_ical_events.of(calendar).between(
        datetime(2021, 1, 1, tzinfo=tz), datetime(2026, 1, 1, tzinfo=tz))
    return len(found)


def naptip_expand(duties: list[Duty], base: Catalog) -> int:
    """Parse the same RFC 5545 text and expand into shifted occurrences."""
    catalog = Catalog(structure=base.structure, committees=base.committees,
                      agencies=base.agencies, settings=base.settings)
    for duty in duties:
        catalog.duties[duty.id] = duty
        catalog.recurrences[duty.id] = parse_recurrence(duty.recurrence)
        catalog.declared_by[f"duty:{duty.id}"] = "bench"
    return len(build_schedule(catalog).occurrences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugins", type=int, default=100, help="synthetic plugins (100)")
    args = parser.parse_args(argv)
    plugins = args.plugins
    repeat = 5

    real = build_catalog(build_plugin_manager(environ={}))
    start = time.perf_counter()
    cold = build_schedule(real)
    cold_s = time.perf_counter() - start
    warm_s, schedule = timed(lambda: build_schedule(real), repeat=20)
    n_real = len(schedule.occurrences)
    assert n_real == len(cold.occurrences)
    print(f"real plan: {n_real} occurrences; cold {cold_s * 1000:.1f} ms (includes importing "
          f"the holiday calendars), warm {warm_s * 1000:.1f} ms = {n_real / warm_s:,.0f} occ/s; "
          f"goal < 100 ms: {'met' if warm_s < 0.1 else 'NOT met'} warm, "
          f"{'met' if cold_s < 0.1 else 'not met'} cold")

    catalog = synthetic_catalog(plugins, activities=200, duties=20)
    synth_s, synth = timed(lambda: build_schedule(catalog), repeat=3)
    n_synth = len(synth.occurrences)
    print(f"synthetic: {plugins} plugins x 200 activities + 20 duties: {n_synth:,} occurrences "
          f"in {synth_s:.2f} s = {n_synth / synth_s:,.0f} occ/s")

    duties = [d for d in catalog.duties.values() if d.id.startswith("p")]
    text = ical_text(duties)
    ours_s, ours_n = timed(lambda: naptip_expand(duties, real), repeat=repeat)
    peer_s, peer_n = timed(lambda: peer_expand(text), repeat=repeat)
    ours_rate, peer_rate = ours_n / ours_s, peer_n / peer_s
    print(f"peer comparison, {len(duties):,} recurrences from RFC 5545 text: naptip "
          f"{ours_n:,} occurrences in {ours_s:.2f} s ({ours_rate:,.0f} occ/s); "
          f"recurring-ical-events {peer_n:,} in {peer_s:.2f} s ({peer_rate:,.0f} occ/s)")
    print(f"ratio naptip/peer throughput: {ours_rate / peer_rate:.2f} "
          f"(goal >= 1: {'met' if ours_rate >= peer_rate else 'NOT met'})")
    if ours_n != peer_n:
        print(f"note: instance counts differ ({ours_n} vs {peer_n})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
