"""The schedule: every dated piece of expected work of the plan, as occurrences.

An occurrence has a stable id that the store, the calendars and the reminders share:

- ``S9-O1-vi@2023``        activity × year (progress report, yearly deliverable, nil return)
- ``S11-O1-ii@deliverable`` a one-off deliverable
- ``world-day@2024-07-30``  a duty instance, keyed by its rule date (before any shift);
  an instance that a dated change moved within its month keeps the id it had
- ``world-day@2024-07-30/report``  a milestone of that instance

Dates move by the working-day rules of the owner's (or host's) state: deadlines to the
previous working day, meetings to the next, observances not at all. The unshifted date is
kept, and every occurrence says which rule produced it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from naptip.base.model import Activity, Cadence, Duty, DutyKind, Milestone
from naptip.base.states import DEFAULT_STATE
from naptip.plan.catalog import Catalog, declarer
from naptip.time.cadence import cadence_of
from naptip.time.dutyversions import DutyVersion
from naptip.time.workdays import (
    next_working_day,
    previous_working_day,
    why_not_working,
)


class OccurrenceKind(StrEnum):
    PROGRESS_REPORT = "progress-report"
    DELIVERABLE = "deliverable"
    NIL_RETURN = "nil-return"
    MEETING = "meeting"
    REVIEW = "review"
    EVENT = "event"
    DEADLINE = "deadline"  #: a duty's own deadline or a milestone


class Shift(StrEnum):
    EARLIER = "earlier"  #: deadlines: the previous working day
    LATER = "later"  #: meetings: the next working day
    NONE = "none"  #: observances keep their day


_DUTY_OCCURRENCE = {
    DutyKind.MEETING: (OccurrenceKind.MEETING, Shift.LATER),
    DutyKind.REVIEW: (OccurrenceKind.REVIEW, Shift.LATER),
    DutyKind.EVENT: (OccurrenceKind.EVENT, Shift.NONE),
    DutyKind.DEADLINE: (OccurrenceKind.DEADLINE, Shift.EARLIER),
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Occurrence:
    id: str
    kind: OccurrenceKind
    title: str
    owner: str  #: committee id that answers for it
    support: tuple[str, ...]
    due: date  #: the working day it falls on (for a meeting: its day)
    unshifted: date  #: the date its rule gives
    state: str  #: whose working days apply
    rule: str  #: why it exists, in words
    plugin: str
    activity: str | None = None  #: the activity whose evidence it collects
    duty: str | None = None
    period: int | None = None  #: the plan year it is about
    host: str | None = None
    start: datetime | None = None  #: meetings and events with a time
    end: datetime | None = None
    shift: Shift = Shift.NONE
    lead_times: tuple[int, ...] | None = None
    #: which version of its duty (or reporting calendar) produced it, and from when
    version: str | None = None
    #: where its rule is written: the plugin, and any configuration file and key
    source: str = ""

    @property
    def shifted(self) -> bool:
        return self.due != self.unshifted

    def shift_reason(self) -> str | None:
        if not self.shifted:
            return None
        why = why_not_working(self.state, self.unshifted) or "not a working day"
        direction = "previous" if self.shift is Shift.EARLIER else "next"
        return (f"{self.unshifted:%a %d %b %Y} is {why}: {self.kind} moves to the {direction} "
                f"working day, {self.due:%a %d %b %Y}")


@dataclass
class Schedule:
    """All occurrences of the plan, sorted by due date then id."""

    occurrences: list[Occurrence]
    by_id: dict[str, Occurrence] = field(default_factory=dict)
    fulfilled_by: dict[str, str] = field(default_factory=dict)  #: activity -> duty
    _dues: list[date] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.occurrences.sort(key=lambda o: (o.due, o.id))
        self.by_id = {o.id: o for o in self.occurrences}
        self._dues = [o.due for o in self.occurrences]

    def between(self, start: date, end: date) -> list[Occurrence]:
        """Occurrences due from ``start`` to ``end``, both included."""
        lo = bisect.bisect_left(self._dues, start)
        hi = bisect.bisect_right(self._dues, end)
        return self.occurrences[lo:hi]


def build_schedule(catalog: Catalog) -> Schedule:
    """Expand every activity and duty of the catalog into occurrences."""
    builder = _Builder(catalog)
    fulfilled = {a: d.id for d in catalog.duties.values() for a in d.fulfils}
    for activity in catalog.activities.values():
        if activity.id not in fulfilled:
            builder.activity(activity)
    for duty in catalog.duties.values():
        builder.duty(duty)
    return Schedule(builder.out, fulfilled_by=fulfilled)


class _Builder:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.reporting = catalog.settings.reporting
        self.out: list[Occurrence] = []
        self.milestone_ids: set[str] = set()

    def _state(self, committee: str) -> str:
        found = self.catalog.committees.get(committee)
        return found.state if found else DEFAULT_STATE

    def _reporting_day(self, key: str, year: int, state: str) -> tuple[date, date, str, str]:
        """(rule date, due date, rule note, source) of ``reporting.<key>`` in ``year``.

        A ``[[reporting.change]]`` applies only to occurrences that were due on or after
        its ``from`` day under the calendar before it; a date it would put before that
        day is moved to it. Occurrences due before the change keep their date.
        """
        day: date = getattr(self.reporting, key).in_year(year)
        due = previous_working_day(state, day)
        note = f"{getattr(self.reporting, key)} (reporting.{key})"
        source = self.catalog.settings.where("reporting") if self.catalog.settings.source \
            else "default reporting calendar"
        for change in self.catalog.settings.reporting_changes:
            if due < change.start:
                continue
            day = max(getattr(change.calendar, key).in_year(year), change.start)
            due = previous_working_day(state, day)
            if due < change.start:
                due = next_working_day(state, day)
            note = (f"{getattr(change.calendar, key)} ({change.key}.{key}, in effect from "
                    f"{change.start})")
            source = self.catalog.settings.where(change.key)
        return day, due, note, source

    def activity(self, a: Activity) -> None:
        cadence = cadence_of(a)
        plugin = self.catalog.plugin_of("activity", a.id)
        state = self._state(a.owner)
        how = f"stated by {declarer(plugin)}" if a.cadence else "the default rule"
        common = dict(owner=a.owner, support=a.support, state=state, plugin=plugin,
                      activity=a.id, shift=Shift.EARLIER)
        if cadence is Cadence.DELIVERABLE:
            day, due, note, source = self._reporting_day("deliverable_due", a.timeline.end,
                                                         state)
            self.out.append(Occurrence(
                id=f"{self.catalog.occurrence_prefix}{a.id}@deliverable",
                kind=OccurrenceKind.DELIVERABLE,
                title=f"Deliverable: {_short(a.text)}", due=due,
                unshifted=day, period=a.timeline.end,
                source=f"{declarer(plugin)}; {source}",
                rule=(f"activity {a.id} has cadence {cadence} ({how}): one deliverable at the "
                      f"end of its timeline {a.timeline}, due {note} of {a.timeline.end}"),
                **common))  # type: ignore[arg-type]
            return
        for year in a.timeline.years():
            if cadence is Cadence.YEARLY_DELIVERABLE:
                kind = OccurrenceKind.DELIVERABLE
                day, due, note, source = self._reporting_day("yearly_deliverable_due", year,
                                                             state)
                what = (f"one deliverable for each year of its timeline {a.timeline}, due "
                        f"{note} of that year")
                title = f"Deliverable {year}: {_short(a.text)}"
            else:
                kind = (OccurrenceKind.NIL_RETURN if cadence is Cadence.ON_DEMAND
                        else OccurrenceKind.PROGRESS_REPORT)
                day, due, note, source = self._reporting_day("evidence_due", year + 1, state)
                report = ("a yearly return (work done, or nil)" if cadence is Cadence.ON_DEMAND
                          else "an annual progress report")
                what = (f"{report} for each year of its timeline {a.timeline}, due "
                        f"{note} of the following year")
                label = "Return" if cadence is Cadence.ON_DEMAND else "Progress report"
                title = f"{label} {year}: {_short(a.text)}"
            self.out.append(Occurrence(
                id=f"{self.catalog.occurrence_prefix}{a.id}@{year}", kind=kind, title=title,
                period=year, due=due, unshifted=day, source=f"{declarer(plugin)}; {source}",
                rule=f"activity {a.id} has cadence {cadence} ({how}): {what}",
                **common))  # type: ignore[arg-type]

    def duty(self, d: Duty) -> int:
        """Emit the duty's occurrences; return the turn its host rotation stopped at."""
        versions = self.catalog.versions.get(d.id)
        if versions is None:  # a catalog built by hand: one version, the whole plan
            versions = (DutyVersion(number=1, start=date.min, end=None, duty=d,
                                    recurrence=self.catalog.recurrences[d.id],
                                    sources=(f"plugin {self.catalog.plugin_of('duty', d.id)!r}",)),)
        plugin = self.catalog.plugin_of("duty", d.id)
        # The host rotation runs over the whole series, across versions, and on from the
        # plan this duty is carried on from (``[plan] continues``): where it stopped there.
        turn = 0
        previous = self.catalog.continued.get(d.id)
        if previous is not None:
            turn = _Builder(previous).duty(previous.duties[d.id])
        superseded: list[tuple[date, str]] = []
        for v in versions:
            turn, superseded = self._version(v, len(versions), plugin, turn, superseded)
        return turn

    def _version(self, v: DutyVersion, total: int, plugin: str, turn: int,
                 superseded: list[tuple[date, str]]) -> tuple[int, list[tuple[date, str]]]:
        """Emit the instances of one version that fall in its span; return the next turn
        and the instances of this version the next one replaces, as (rule day, id)."""
        d, recurrence = v.duty, v.recurrence
        kind, shift = _DUTY_OCCURRENCE[DutyKind(d.kind)]
        activity = d.fulfils[0] if len(d.fulfils) == 1 else None
        cancelled = recurrence.cancelled
        version = v.label(total)
        source = "; ".join(v.sources)
        slots: list[tuple[datetime, str | None, str, date, date, int | None]] = []
        for start in recurrence.slots:  # first the hosts and days, then the ids
            host = d.hosts[turn % len(d.hosts)] if d.hosts else None
            state = self._host_state(host) if host else self._state(d.owner)
            rule_day = start.date()
            day = _shift(state, rule_day, shift)
            n = None
            if v.covers(day) and start in cancelled:
                if d.cancelled_turn == "passes":
                    turn += 1
            elif v.covers(day):
                n, turn = turn, turn + 1
            slots.append((start, host, state, rule_day, day, n))
        ids = _inherited_ids(d.id, [rule_day for start, _h, _s, rule_day, day, _n in slots
                                    if day >= v.start and start not in cancelled], superseded)
        replaced: list[tuple[date, str]] = []
        for start, host, state, rule_day, day, n in slots:
            natural = f"{d.id}@{rule_day.isoformat()}"
            base = ids.get(rule_day, natural)
            if not v.covers(day):
                if v.end is not None and day >= v.end and start not in cancelled:
                    # An instance of the next version: the steps of this version's that
                    # were due before the change stay as they were.
                    replaced.append((rule_day, base))
                    for m in d.milestones:
                        self._milestone(d, m, base, rule_day, state, plugin, v, version,
                                        source, before=v.end)
                continue
            if n is None:  # cancelled
                continue
            moved = start + timedelta(days=(day - rule_day).days)
            kept = (f"; keeps the id of the {base.rsplit('@', 1)[1]} instance it replaces "
                    f"(moved within its month by version {v.number})"
                    if base != natural else "")
            rotation = (f"; host {host}: turn {n % len(d.hosts) + 1} of {len(d.hosts)} in the "
                        f"rotation {' → '.join(d.hosts)}, turn {n + 1} of the series (a "
                        f"cancelled meeting's turn {d.cancelled_turn})"
                        if host else "")
            self.out.append(Occurrence(
                id=base, kind=kind, title=d.title + (f" (host: {self._host_name(host)})"
                                                     if host else ""),
                owner=d.owner, support=d.support, due=day, unshifted=rule_day, state=state,
                plugin=plugin, duty=d.id, activity=activity, period=rule_day.year, host=host,
                start=moved if d.duration_minutes else None,
                end=moved + timedelta(minutes=d.duration_minutes) if d.duration_minutes else None,
                shift=shift, lead_times=d.lead_times, version=version, source=source,
                rule=(f"duty {d.id} ({d.kind}) recurs by {'; '.join(recurrence.rrules)} from "
                      f"{recurrence.dtstart:%Y-%m-%d %H:%M} {recurrence.tzid}{rotation}"
                      + (f"; {version}" if version else "") + kept),
            ))
            for m in d.milestones:
                self._milestone(d, m, base, rule_day, state, plugin, v, version, source)
        return turn, replaced

    def _milestone(self, d: Duty, m: Milestone, base: str, rule_day: date, state: str,
                   plugin: str, v: DutyVersion, version: str | None, source: str,
                   before: date | None = None) -> None:
        """One dated step of an instance (only those due before ``before``, if given)."""
        mkind, shift = _DUTY_OCCURRENCE[DutyKind(m.kind)]
        day = rule_day + timedelta(days=m.offset_days)
        when = (f"{abs(m.offset_days)} days {'before' if m.offset_days < 0 else 'after'}"
                if m.offset_days else "on the day of")
        due = _shift(state, day, shift)
        oid = f"{base}/{m.id}"
        if (before is not None and due >= before) or oid in self.milestone_ids:
            return  # a step the previous version kept (due before the change) stands
        if d.id in self.catalog.continued and due < self.catalog.structure.plan.start:
            return  # a step of a carried-on duty due before this plan starts: not its own
        note = ""
        if v.number > 1 and due < v.start:
            # A new version never adds work before the day it takes effect.
            day, due = v.start, next_working_day(state, v.start) if shift is not Shift.NONE \
                else v.start
            note = (f"; moved to {v.start}, the day version {v.number} takes effect (a new "
                    "version adds no work before it)")
        self.milestone_ids.add(oid)
        self.out.append(Occurrence(
            id=oid, kind=mkind, title=f"{m.title} ({d.title} {rule_day.year})",
            owner=d.owner, support=d.support, due=due, unshifted=day,
            state=state, plugin=plugin, duty=d.id, period=rule_day.year,
            shift=shift, lead_times=d.lead_times, version=version, source=source,
            rule=f"milestone {m.id} of duty {d.id}: {when} the instance of {rule_day}{note}",
        ))

    def _host_state(self, host: str) -> str:
        agency = self.catalog.agencies.get(host)
        return agency.state if agency else self._state(host)

    def _host_name(self, host: str) -> str:
        agency = self.catalog.agencies.get(host)
        if agency:
            return agency.short_name
        committee = self.catalog.committees.get(host)
        return committee.lead_agency_short if committee else host


def _inherited_ids(duty: str, days: list[date], superseded: list[tuple[date, str]],
                   ) -> dict[date, str]:
    """The id of each instance of a version (by rule day), from its first day on.

    An instance keeps the id of the previous version's instance it replaces in the same
    calendar month — the one with its own id first, then the one on its rule day, then in
    date order — so a dated change that moves a meeting within its month updates the same
    occurrence (the same calendar UID) rather than cancelling it and adding another. An
    instance with no counterpart in its month has its own id (``DUTY@RULE-DAY``); one of
    the previous version's with none leaves the plan.
    """
    ids = {day: f"{duty}@{day.isoformat()}" for day in days}
    months: dict[tuple[int, int], tuple[list[date], list[tuple[date, str]]]] = {}
    for day in days:
        months.setdefault((day.year, day.month), ([], []))[0].append(day)
    for old in superseded:
        months.setdefault((old[0].year, old[0].month), ([], []))[1].append(old)
    rules: tuple[Callable[[date, tuple[date, str]], bool], ...] = (
        lambda new, old: ids[new] == old[1], lambda new, old: new == old[0],
        lambda _new, _old: True)
    for new_days, olds in months.values():
        left, waiting = sorted(new_days), sorted(olds)
        for rule in rules:
            for old in list(waiting):
                found = next((new for new in left if rule(new, old)), None)
                if found is not None:
                    ids[found] = old[1]
                    left.remove(found)
                    waiting.remove(old)
    return ids


def _short(text: str, limit: int = 90) -> str:
    """The start of an activity's text, cut on a word, for titles."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _shift(state: str, day: date, shift: Shift) -> date:
    if shift is Shift.EARLIER:
        return previous_working_day(state, day)
    if shift is Shift.LATER:
        return next_working_day(state, day)
    return day


def plan_running(catalog: Catalog, day: date) -> bool:
    plan = catalog.structure.plan
    return plan.start <= day <= plan.end


def still_open(schedule: Schedule, catalog: Catalog, as_of: date,
               done: Iterable[str] | None = None) -> list[Occurrence]:
    """What is still open on ``as_of`` when the plan is not running.

    Before the plan nothing is open yet. After it: work due after its end, and (when a
    record of completed work is given) everything not done.
    """
    plan = catalog.structure.plan
    if as_of < plan.start:
        return []
    end = plan.end
    if done is None:
        return [o for o in schedule.occurrences if o.due > end]
    finished = set(done)
    return [o for o in schedule.occurrences if o.id not in finished]
