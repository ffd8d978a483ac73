"""The progress model of the plan, for the Monitoring and Evaluation Committee (no I/O).

It takes facts already read from the store (``OccurrenceFact``, ``EvidenceFact``: see
``naptip.reports.source`` for the few functions that read them) and the catalog, and
computes:

- per activity and plan year, a status (``STATUSES``);
- per activity indicator, the actual summed from *accepted* evidence against the plan's
  target where it gives one;
- per indicator that counts people, the people by sex, nationality and age group (never
  pooled across indicators: officers trained and victims served are different people);
- the on-time rate per committee: of the occurrences whose evidence was accepted, the
  share whose work was done and submitted by the due date;
- roll-ups by committee, pillar, strategic goal, objective and year.

Every figure carries the ids of the evidence rows it came from (``evidence``), so that a
reader can trace it. Submitted (pending) and returned evidence never counts as done and
never adds to an actual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from naptip.base.model import Activity, Cadence, IndicatorKind
from naptip.plan.catalog import Catalog
from naptip.time.cadence import cadence_of

__all__ = [
    "STATUSES",
    "ActivityYear",
    "BreakdownFact",
    "EvidenceFact",
    "EvidenceTally",
    "IndicatorActual",
    "OccurrenceFact",
    "OnTime",
    "OutputProgress",
    "OverdueGroup",
    "PeopleCounted",
    "Progress",
    "RollUp",
    "ValueFact",
    "as_known_on",
    "build_progress",
    "outputs_of",
]

DUE_WINDOW_DAYS = 30  #: "due" means due within this many days of the as-of day

#: Status of an activity in a year, worst first (a roll-up counts each).
STATUSES = ("overdue", "due", "on-track", "not-started", "nil-return", "done",
            "not-applicable")
DONE_LIKE = ("done", "nil-return")


# --- facts, as read from the store ---------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class OccurrenceFact:
    id: str
    kind: str
    title: str
    owner: str
    activity_id: str | None
    pillar: str | None
    period: int | None
    due: date
    progress: str  #: open, submitted, returned or accepted
    duty: str | None = None  #: the recurring duty it is an instance (or a step) of


@dataclass(frozen=True, slots=True, kw_only=True)
class ValueFact:
    indicator: int  #: 1-based, in the activity's order
    kind: str
    count: int | None = None
    amount: Decimal | None = None  #: MYR
    percentage: Decimal | None = None
    flag: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakdownFact:
    indicator: int
    dimension: str  #: sex, nationality or age
    category: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceFact:
    id: int
    occurrence_id: str
    status: str  #: submitted, accepted or returned
    nil: bool
    done_on: date | None
    submitted_on: date  #: the day (plan time zone) it was submitted
    submitted_by: str = ""
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    #: the reviewer's words with the last review: the reason for a return, a note on
    #: an acceptance
    review_note: str | None = None
    values: tuple[ValueFact, ...] = ()
    breakdown: tuple[BreakdownFact, ...] = ()
    attachments: tuple[tuple[str, str], ...] = ()  #: (sha256, original name)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


# --- results ---------------------------------------------------------------------------

@dataclass(slots=True, kw_only=True)
class IndicatorActual:
    activity_id: str
    number: int
    text: str
    kind: str
    target: str | None
    target_value: Decimal | None
    actual: Decimal = Decimal(0)  #: summed (count, amount, deliverables), latest (percentage)
    reported: int = 0  #: accepted evidence rows that reported on it
    evidence: list[int] = field(default_factory=list)
    #: a target for each year (a yearly deliverable, "1 report each year"): ``years`` of
    #: its timeline are in the report, ``years_met`` of them reached it
    per_year: bool = False
    years: int = 0
    years_met: int = 0
    #: the actual of each year of the report (the year each evidence row counts in)
    by_year: dict[int, Decimal] = field(default_factory=dict)

    @property
    def met(self) -> bool | None:
        """Whether the actual reaches the target (a yearly target: in every year of the
        report in the timeline); ``None`` when the plan gives no number."""
        if self.target_value is None or self.kind not in _NUMERIC:
            return None
        if self.per_year:  # None when no year of its timeline is in the report
            return self.years_met == self.years if self.years else None
        return self.actual >= self.target_value


_NUMERIC = {IndicatorKind.COUNT, IndicatorKind.AMOUNT, IndicatorKind.PERCENTAGE,
            IndicatorKind.DELIVERABLE, IndicatorKind.MILESTONE}


@dataclass(slots=True, kw_only=True)
class PeopleCounted:
    """The people one indicator counted, by sex, nationality and age group, from the
    breakdowns of its accepted evidence."""

    activity_id: str
    number: int
    text: str
    #: dimension (sex, nationality, age) -> category -> people
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    evidence: list[int] = field(default_factory=list)

    def total(self, dimension: str) -> int:
        return sum(self.counts.get(dimension, {}).values())


@dataclass(slots=True, kw_only=True)
class ActivityYear:
    activity_id: str
    year: int
    status: str
    owner: str
    pillar: str
    goal: str
    objective: str
    output: str = ""
    occurrences: list[str] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)  #: accepted evidence rows


@dataclass(slots=True, kw_only=True)
class RollUp:
    """Activity-years by status, for one committee, pillar, goal, objective or year."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    evidence: list[int] = field(default_factory=list)

    @property
    def applicable(self) -> int:
        return sum(n for s, n in self.counts.items() if s != "not-applicable")

    @property
    def done(self) -> int:
        return sum(self.counts[s] for s in DONE_LIKE)

    @property
    def percent_done(self) -> float:
        return round(100.0 * self.done / self.applicable, 1) if self.applicable else 0.0

    def add(self, item: ActivityYear) -> None:
        self.counts[item.status] += 1
        self.evidence.extend(item.evidence)


@dataclass(slots=True, kw_only=True)
class OnTime:
    accepted: int = 0  #: occurrences whose evidence was accepted
    on_time: int = 0  #: ... of which the work was done and submitted by the due date
    evidence: list[int] = field(default_factory=list)  #: the on-time evidence rows

    @property
    def rate(self) -> float:
        return round(100.0 * self.on_time / self.accepted, 1) if self.accepted else 0.0


@dataclass(slots=True, kw_only=True)
class EvidenceTally:
    """A committee's evidence rows by review status (ids, in order)."""

    accepted: list[int] = field(default_factory=list)
    submitted: list[int] = field(default_factory=list)  #: awaiting review
    returned: list[int] = field(default_factory=list)

    def add(self, e: EvidenceFact) -> None:
        {"accepted": self.accepted, "submitted": self.submitted,
         "returned": self.returned}.get(e.status, self.submitted).append(e.id)


@dataclass(slots=True, kw_only=True)
class OverdueGroup:
    """Overdue occurrences of one committee that are one line of work: a recurring duty's
    meetings and their sub-steps (``world-day@2023-07-30/planning``) make one group, and
    so do a year's progress reports (or nil returns) of the committee's activities; a
    deliverable is a group of its own."""

    owner: str
    key: str  #: the duty id, or the occurrence id
    title: str
    occurrences: list[OccurrenceFact] = field(default_factory=list)  #: oldest first
    activities: list[str] = field(default_factory=list)  #: the activities they are for
    days_overdue: int = 0  #: of the oldest, on the as-of day

    @property
    def first_due(self) -> date:
        return self.occurrences[0].due

    @property
    def last_due(self) -> date:
        return self.occurrences[-1].due


@dataclass(slots=True, kw_only=True)
class OutputProgress:
    """One output of the plan (``S9-O1``): its activities' activity-years by status and
    its indicators, for "whether expected outputs are met"."""

    output_id: str
    objective: str
    text: str
    activities: list[str]
    rollup: RollUp
    indicators: list[IndicatorActual]

    @property
    def targeted(self) -> list[IndicatorActual]:
        """Its indicators with a numeric target judged in the report's years."""
        return [i for i in self.indicators if i.met is not None]

    @property
    def met(self) -> bool | None:
        """Met when every targeted indicator is met; ``None`` when none has a target."""
        targeted = self.targeted
        return all(i.met for i in targeted) if targeted else None


def outputs_of(catalog: Catalog, progress: Progress) -> list[OutputProgress]:
    """The plan's outputs that have activities in the report (in the catalog's order of
    their first activity), each with its activities, roll-up and indicators."""
    activities: dict[str, list[str]] = {}
    for a in catalog.activities.values():
        if progress.committee is None or a.owner == progress.committee:
            activities.setdefault(a.output, []).append(a.id)
    indicators: dict[str, list[IndicatorActual]] = {}
    for i in progress.indicators:
        indicators.setdefault(catalog.activities[i.activity_id].output, []).append(i)
    structure = catalog.structure
    out = []
    for output_id, ids in activities.items():
        output = structure.outputs.get(output_id)
        out.append(OutputProgress(
            output_id=output_id, objective=output.objective if output else "",
            text=output.text if output else "", activities=ids,
            rollup=progress.by_output.get(output_id, RollUp()),
            indicators=indicators.get(output_id, [])))
    return sorted(out, key=lambda o: _output_key(o.output_id))


def _output_key(output_id: str) -> tuple[int, int, str]:
    """S9-O2 before S10-O1 (plan order)."""
    match = re.match(r"S(\d+)-O(\d+)", output_id)
    return (int(match[1]), int(match[2]), output_id) if match else (10**6, 0, output_id)


@dataclass(slots=True, kw_only=True)
class Progress:
    as_of: date
    years: tuple[int, ...]
    committee: str | None
    activity_years: list[ActivityYear] = field(default_factory=list)
    indicators: list[IndicatorActual] = field(default_factory=list)
    #: per indicator that counts people and has accepted breakdowns, in plan order
    people: list[PeopleCounted] = field(default_factory=list)
    on_time: dict[str, OnTime] = field(default_factory=dict)
    by_committee: dict[str, RollUp] = field(default_factory=dict)
    by_pillar: dict[str, RollUp] = field(default_factory=dict)
    by_goal: dict[str, RollUp] = field(default_factory=dict)
    by_objective: dict[str, RollUp] = field(default_factory=dict)
    by_output: dict[str, RollUp] = field(default_factory=dict)
    by_year: dict[int, RollUp] = field(default_factory=dict)
    total: RollUp = field(default_factory=RollUp)
    overdue: list[OccurrenceFact] = field(default_factory=list)
    evidence: list[EvidenceFact] = field(default_factory=list)  #: every row in scope
    #: committee -> its evidence rows by review status
    evidence_by_committee: dict[str, EvidenceTally] = field(default_factory=dict)

    def days_overdue(self, o: OccurrenceFact) -> int:
        """Days from the due date to the as-of day."""
        return max(0, (self.as_of - o.due).days)

    def overdue_groups(self) -> list[OverdueGroup]:
        """The overdue occurrences by committee (in order of first appearance in
        ``by_committee``), a duty's meetings and sub-steps collapsed into one line; within a
        committee the longest overdue first."""
        groups: dict[tuple[str, str], OverdueGroup] = {}
        for o in self.overdue:  # sorted by due date
            key, title = _series(o)
            group = groups.get((o.owner, key))
            if group is None:
                group = groups[(o.owner, key)] = OverdueGroup(
                    owner=o.owner, key=key, title=title,
                    days_overdue=self.days_overdue(o))
            elif "/" in group.occurrences[0].id and "/" not in o.id:
                group.title = title  # the instance's title, not a step's
            if o.activity_id and o.activity_id not in group.activities:
                group.activities.append(o.activity_id)
            group.occurrences.append(o)
        rank = {c: n for n, c in enumerate(self.by_committee)}
        return sorted(groups.values(), key=lambda g: (rank.get(g.owner, len(rank)), g.owner,
                                                      -g.days_overdue, g.key))


_HOST = re.compile(r"\s*\(host: [^)]*\)$")
_PER_YEAR_KINDS = ("progress-report", "nil-return")


def _series(o: OccurrenceFact) -> tuple[str, str]:
    """The key and title of the overdue line ``o`` belongs to."""
    if o.duty:
        return o.duty, _HOST.sub("", o.title)  # the host rotates: the duty is one line
    if o.kind in _PER_YEAR_KINDS and o.period is not None:
        return f"{o.kind}@{o.period}", o.title.split(":", 1)[0]
    return o.id, o.title


def _occurrence_status(o: OccurrenceFact, evidence: Sequence[EvidenceFact], as_of: date,
                       year: int) -> str:
    accepted = [e for e in evidence if e.accepted]
    if accepted:
        return "nil-return" if all(e.nil for e in accepted) else "done"
    if o.due < as_of:
        return "overdue"
    if o.due <= as_of + timedelta(days=DUE_WINDOW_DAYS):
        return "due"
    if evidence or as_of >= date(year, 1, 1):
        return "on-track"
    return "not-started"


def _combine(statuses: Iterable[str]) -> str:
    found = set(statuses)
    if not found:
        return "not-applicable"
    if found <= set(DONE_LIKE):
        return "done" if "done" in found else "nil-return"
    for status in ("overdue", "due"):
        if status in found:
            return status
    if found & set(DONE_LIKE) or "on-track" in found:
        return "on-track"
    return "not-started"


def build_progress(catalog: Catalog, occurrences: Iterable[OccurrenceFact],
                   evidence: Iterable[EvidenceFact], *, years: Sequence[int], as_of: date,
                   committee: str | None = None) -> Progress:
    """The progress of the plan in ``years`` on ``as_of`` (optionally of one committee).

    Only what was known on ``as_of`` counts: evidence submitted after it is left out, and
    a review made after it is not seen (the row is still awaiting review), so that a
    report as of a past day is the report that could be presented that day."""
    wanted = set(years)
    evidence = as_known_on(evidence, as_of)
    progress = Progress(as_of=as_of, years=tuple(years), committee=committee)
    occ = [o for o in occurrences
           if (committee is None or o.owner == committee)
           and (o.period in wanted or o.kind == "deliverable")]
    by_occurrence: dict[str, list[EvidenceFact]] = {}
    for e in evidence:
        by_occurrence.setdefault(e.occurrence_id, []).append(e)
    # A one-off deliverable is one act: it counts in the year it was delivered (the year
    # its accepted evidence says the work was done, within its timeline), else its due year.
    one_off = {a.id for a in catalog.activities.values()
               if cadence_of(a) is Cadence.DELIVERABLE}
    delivered: dict[str, int] = {}
    for o in occ:
        if o.kind == "deliverable" and o.activity_id in one_off and o.period is not None:
            accepted = [e for e in by_occurrence.get(o.id, []) if e.accepted]
            if accepted:
                work = accepted[0].done_on or accepted[0].submitted_on
                start = catalog.activities[o.activity_id].timeline.start
                delivered[o.id] = min(max(work.year, start), o.period)
    in_scope = {o.id for o in occ if delivered.get(o.id, o.period) in wanted}
    by_activity: dict[str, list[OccurrenceFact]] = {}
    for o in occ:
        if o.activity_id:
            by_activity.setdefault(o.activity_id, []).append(o)

    structure = catalog.structure
    for activity in catalog.activities.values():
        if committee is not None and activity.owner != committee:
            continue
        objective = structure.objectives[activity.objective]
        mine = by_activity.get(activity.id, [])
        for year in years:
            item = ActivityYear(activity_id=activity.id, year=year, status="not-applicable",
                                owner=activity.owner, pillar=objective.primary_pillar,
                                goal=objective.goal, objective=objective.id,
                                output=activity.output)
            if year in activity.timeline:
                if activity.id in one_off and len(mine) == 1:
                    item.status = _one_off_year(item, mine[0], by_occurrence, as_of, year,
                                                delivered.get(mine[0].id))
                else:
                    item.status = _activity_year(item, mine, by_occurrence, as_of, year)
            progress.activity_years.append(item)

    for item in progress.activity_years:
        for key, table in ((item.owner, progress.by_committee), (item.pillar, progress.by_pillar),
                           (item.goal, progress.by_goal),
                           (item.objective, progress.by_objective),
                           (item.output, progress.by_output)):
            table.setdefault(key, RollUp()).add(item)
        progress.by_year.setdefault(item.year, RollUp()).add(item)
        progress.total.add(item)

    for o in occ:
        if o.id not in in_scope:
            continue
        rows = by_occurrence.get(o.id, [])
        progress.evidence.extend(rows)
        for e in rows:
            progress.evidence_by_committee.setdefault(o.owner, EvidenceTally()).add(e)
        year = delivered.get(o.id, o.period or o.due.year)
        if _occurrence_status(o, rows, as_of, year) == "overdue":
            progress.overdue.append(o)
        accepted = [e for e in rows if e.accepted]
        if accepted:
            tally = progress.on_time.setdefault(o.owner, OnTime())
            tally.accepted += 1
            last = accepted[-1]
            if last.submitted_on <= o.due and (last.done_on is None or last.done_on <= o.due):
                tally.on_time += 1
                tally.evidence.append(last.id)
    progress.overdue.sort(key=lambda o: (o.due, o.id))
    progress.evidence.sort(key=lambda e: e.id)

    accepted_by_activity: dict[str, list[EvidenceFact]] = {}
    occ_by_id = {o.id: o for o in occ}
    year_of: dict[int, int] = {}  #: evidence row -> the plan year it counts in
    for e in progress.evidence:
        o = occ_by_id[e.occurrence_id]
        year_of[e.id] = delivered.get(o.id, o.period or o.due.year)
        if e.accepted and not e.nil and o.activity_id:
            accepted_by_activity.setdefault(o.activity_id, []).append(e)
    for activity in catalog.activities.values():
        if committee is not None and activity.owner != committee:
            continue
        rows = accepted_by_activity.get(activity.id, [])
        actuals = _actuals(activity, rows)
        yearly = {y: _actuals(activity, [e for e in rows if year_of.get(e.id) == y])
                  for y in years} if rows else {}
        for n, actual in enumerate(actuals):
            actual.by_year = {y: yearly[y][n].actual if rows else Decimal(0) for y in years}
        if cadence_of(activity) is Cadence.YEARLY_DELIVERABLE or any(
                _EACH_YEAR.search(ind.target or "") for ind in activity.indicators):
            in_scope_years = [y for y in years if y in activity.timeline]
            for actual in actuals:
                _per_year(actual, in_scope_years)
        progress.indicators.extend(actuals)
        progress.people.extend(_people(activity, rows))
    return progress


def _people(activity: Activity, rows: list[EvidenceFact]) -> list[PeopleCounted]:
    """One table per indicator of ``activity`` that the accepted ``rows`` broke down."""
    tables: dict[int, PeopleCounted] = {}
    for e in rows:
        for b in e.breakdown:
            table = tables.get(b.indicator)
            if table is None:
                known = 1 <= b.indicator <= len(activity.indicators)
                text = activity.indicators[b.indicator - 1].text if known else ""
                table = tables[b.indicator] = PeopleCounted(
                    activity_id=activity.id, number=b.indicator, text=text)
            counts = table.counts.setdefault(b.dimension, {})
            counts[b.category] = counts.get(b.category, 0) + b.count
            if not table.evidence or table.evidence[-1] != e.id:
                table.evidence.append(e.id)
    return [tables[n] for n in sorted(tables)]


def as_known_on(evidence: Iterable[EvidenceFact], day: date) -> list[EvidenceFact]:
    """The evidence as it stood at the end of ``day`` (plan time zone)."""
    out = []
    for e in evidence:
        if e.submitted_on > day:
            continue
        if e.reviewed_on is not None and e.reviewed_on > day:
            e = replace(e, status="submitted", reviewed_by=None, reviewed_on=None,
                        review_note=None)
        out.append(e)
    return out


def _activity_year(item: ActivityYear, mine: list[OccurrenceFact],
                   by_occurrence: dict[str, list[EvidenceFact]], as_of: date,
                   year: int) -> str:
    this_year = [o for o in mine if o.period == year]
    statuses = []
    for o in this_year:
        rows = by_occurrence.get(o.id, [])
        item.occurrences.append(o.id)
        item.evidence.extend(e.id for e in rows if e.accepted)
        statuses.append(_occurrence_status(o, rows, as_of, year))
    if this_year:
        return _combine(statuses)
    return "on-track" if as_of >= date(year, 1, 1) else "not-started"


def _one_off_year(item: ActivityYear, o: OccurrenceFact,
                  by_occurrence: dict[str, list[EvidenceFact]], as_of: date, year: int,
                  delivered: int | None) -> str:
    """A year of a one-off deliverable's timeline: done in the year it was delivered (with
    its evidence), on track (or overdue, once its deadline has passed) in the years before,
    nothing left to do in the years after."""
    rows = by_occurrence.get(o.id, [])
    if delivered is not None and year > delivered:
        return "not-applicable"  # delivered in an earlier year: counted there, once
    item.occurrences.append(o.id)
    if delivered == year:
        item.evidence.extend(e.id for e in rows if e.accepted)
        return _occurrence_status(o, rows, as_of, year)
    if delivered is not None:  # delivered in a later year: worked toward, in time
        return "on-track" if as_of >= date(year, 1, 1) else "not-started"
    return _occurrence_status(o, rows, as_of, year)


_EACH_YEAR = re.compile(r"\b(each|every|per|a) year\b|\bannually\b", re.IGNORECASE)


def _per_year(actual: IndicatorActual, years: list[int]) -> None:
    """Judge a yearly target year by year: 2 reports in 4 years do not meet "1 report
    each year"."""
    actual.per_year, actual.years = True, len(years)
    if actual.target_value is None:
        return
    actual.years_met = sum(1 for y in years if actual.by_year.get(y, 0) >= actual.target_value)


def _actuals(activity: Activity, rows: list[EvidenceFact]) -> list[IndicatorActual]:
    out = []
    for number, ind in enumerate(activity.indicators, 1):
        actual = IndicatorActual(activity_id=activity.id, number=number, text=ind.text,
                                 kind=str(ind.kind), target=ind.target,
                                 target_value=ind.target_value)
        latest: Decimal | None = None
        for e in rows:
            value = next((v for v in e.values if v.indicator == number), None)
            if ind.kind is IndicatorKind.DELIVERABLE:
                if value is None and not e.attachments:
                    continue
                actual.actual += 1  # one accepted submission delivers it once
            elif value is None:
                continue
            elif ind.kind is IndicatorKind.COUNT:
                actual.actual += value.count or 0
            elif ind.kind is IndicatorKind.AMOUNT:
                actual.actual += value.amount or Decimal(0)
            elif ind.kind is IndicatorKind.PERCENTAGE:
                latest = value.percentage  # a share is not summed: the latest one stands
            elif ind.kind is IndicatorKind.MILESTONE:
                actual.actual = max(actual.actual, Decimal(1 if value.flag else 0))
            actual.reported += 1
            actual.evidence.append(e.id)
        if latest is not None:
            actual.actual = latest
        out.append(actual)
    return out
