"""The plan as data: frozen, keyword-only value objects.

Plugins create ``Committee``, ``Agency`` and ``Activity`` (with ``Indicator``) objects and
return them from their hook implementations; plan packages are read into ``Activity``
objects too. A plan's structure (pillars, goals, programme areas, objectives, outputs and
the other parties) is loaded by the core from its package's ``plan.toml`` (NAPTIP 3.0's:
``naptip/data/plans/naptip-3.0/plan.toml``) and handed to plugins as a ``PlanStructure``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "SECRETARIAT_ID",
    "Activity",
    "Agency",
    "AgencyExtension",
    "Cadence",
    "Committee",
    "Duty",
    "DutyKind",
    "Indicator",
    "IndicatorKind",
    "Milestone",
    "Output",
    "Party",
    "Pillar",
    "Plan",
    "PlanStructure",
    "ProgrammeArea",
    "SpecificObjective",
    "StrategicGoal",
    "Timeline",
]

#: The owner of every activity that names no NAPTIP committee (see the design brief).
SECRETARIAT_ID = "nso-mapo"


class IndicatorKind(StrEnum):
    """What kind of value completes an indicator."""

    COUNT = "count"  #: a non-negative whole number ("Number of sessions")
    AMOUNT = "amount"  #: money in MYR ("Total amount allocated")
    PERCENTAGE = "percentage"  #: a share in per cent
    MILESTONE = "milestone"  #: yes/no with a date ("ATIPSOM Act is amended")
    DELIVERABLE = "deliverable"  #: one or more documents ("1 toolkit on TIP")
    NARRATIVE = "narrative"  #: free text ("Effectiveness of the campaign/activity")


class Cadence(StrEnum):
    """How often an activity expects evidence (see ``naptip.time.cadence`` for the default)."""

    PROGRESS_REPORT = "progress-report"  #: a progress report for each year of the timeline
    DELIVERABLE = "deliverable"  #: a one-off deliverable due at the end of the timeline
    YEARLY_DELIVERABLE = "yearly-deliverable"  #: a deliverable every year of the timeline
    ON_DEMAND = "on-demand"  #: "when necessary": only a yearly nil-return prompt


_TIMELINE = re.compile(r"^\s*(\d{4})\s*(?:[-–]\s*(\d{4}))?\s*$")


@dataclass(frozen=True, kw_only=True, slots=True)
class Timeline:
    """Inclusive span of years, as printed in the TIMELINE column ("2021-2025", "2021")."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> Timeline:
        match = _TIMELINE.match(text)
        if not match:
            raise ValueError(f"timeline {text!r} is not YEAR or YEAR-YEAR")
        start = int(match.group(1))
        end = int(match.group(2) or start)
        return cls(start=start, end=end)

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    def years(self) -> range:
        return range(self.start, self.end + 1)

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.start <= year <= self.end


@dataclass(frozen=True, kw_only=True, slots=True)
class Plan:
    id: str
    title: str
    short_title: str
    start: date
    end: date
    timezone: str
    #: the plan this one follows (a plan package's ``[plan] predecessor``), and the ids of
    #: the predecessor's recurring duties that go on into this plan (``continues``)
    predecessor: str | None = None
    continues: tuple[str, ...] = ()

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


@dataclass(frozen=True, kw_only=True, slots=True)
class Pillar:
    id: str
    name: str
    description: str
    name_ms: str | None = None  #: the name in Malay (the plan is in English: a translation)


@dataclass(frozen=True, kw_only=True, slots=True)
class StrategicGoal:
    id: str
    text: str
    pillars: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class ProgrammeArea:
    id: str
    title: str
    goal: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SpecificObjective:
    id: str
    text: str
    area: str
    goal: str
    primary_pillar: str

    @property
    def number(self) -> int:
        return int(self.id[1:])


@dataclass(frozen=True, kw_only=True, slots=True)
class Output:
    id: str
    objective: str
    text: str
    goals: tuple[str, ...]
    related_goals: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Party:
    """Another party named in ASSIGNED RESPONSIBILITIES (NSO MAPO, CSOs, ...)."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    description: str | None = None
    note: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Committee:
    """A NAPTIP committee under MAPO (§5.1), or the secretariat (``kind="secretariat"``)."""

    id: str
    name: str
    name_ms: str
    lead_agency: str
    lead_agency_short: str
    pillars: tuple[str, ...]
    kind: str = "committee"
    function: str | None = None
    aliases: tuple[str, ...] = ()
    state: str = "putrajaya"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Agency:
    """A member agency of one or more committees (JIM, JTKSM, MMEA, a state department...)."""

    id: str
    name: str
    short_name: str
    committees: tuple[str, ...]
    name_ms: str | None = None
    state: str = "putrajaya"
    units: tuple[str, ...] = ()  #: its units or state offices ("MMEA Sabah Region")


@dataclass(frozen=True, kw_only=True, slots=True)
class AgencyExtension:
    """What a plugin adds to an agency another plugin declared (without declaring it again):
    units, membership of more committees, or the state whose working days apply."""

    agency: str  #: the id of the agency to extend
    units: tuple[str, ...] = ()
    committees: tuple[str, ...] = ()
    state: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Indicator:
    """One indicator of an activity, with its kind and any explicit target."""

    text: str
    kind: IndicatorKind
    target: str | None = None  #: the target as printed ("Minimum of 2", "1", "at least 30% ...")
    target_value: Decimal | None = None  #: the number in the target, where there is one
    disaggregate: bool = False  #: counts people: report by sex, nationality and age group
    timeline: Timeline | None = None  #: only where the source prints one per indicator


@dataclass(frozen=True, kw_only=True, slots=True)
class Activity:
    """One entry of the Appendix I matrix (an activity, or a lettered sub-item of one).

    ``lead`` is the committee named first in ASSIGNED RESPONSIBILITIES (``None`` when no
    committee is named: the secretariat owns it); ``support`` the other committees named;
    ``parties`` the other parties as printed. ``cadence=None`` means "use the default rule".
    """

    id: str
    objective: str
    output: str
    text: str
    indicators: tuple[Indicator, ...]
    timeline: Timeline
    lead: str | None
    support: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    cadence: Cadence | None = None
    responsibility: str | None = None  #: ASSIGNED RESPONSIBILITIES as printed
    parent: str | None = None  #: for a lettered sub-item: the activity it belongs to
    related_goals: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def owner(self) -> str:
        """The committee that answers for this activity: its lead, else the secretariat."""
        return self.lead or SECRETARIAT_ID


class DutyKind(StrEnum):
    """What a duty instance (or one of its milestones) is, which decides how it moves
    when it falls on a non-working day."""

    MEETING = "meeting"  #: moves to the next working day
    REVIEW = "review"  #: a review meeting: moves to the next working day
    EVENT = "event"  #: an observance on a fixed day (World Day): never moves
    DEADLINE = "deadline"  #: something due: moves to the previous working day


@dataclass(frozen=True, kw_only=True, slots=True)
class Milestone:
    """A dated step of each duty instance, ``offset`` days from the instance's rule date."""

    id: str
    title: str
    offset_days: int
    kind: DutyKind = DutyKind.DEADLINE


@dataclass(frozen=True, kw_only=True, slots=True)
class Duty:
    """A recurring duty: a meeting series, an observance, a yearly deliverable, a review.

    ``recurrence`` is RFC 5545 text: a ``DTSTART;TZID=...`` line, one or more ``RRULE``
    lines with ``UNTIL`` (in UTC, ``...Z``; never ``COUNT``), and optional ``EXDATE`` /
    ``RDATE`` lines. The same text feeds the schedule, the calendars and Prefect.
    """

    id: str
    title: str
    owner: str  #: committee id
    kind: DutyKind
    recurrence: str
    duration_minutes: int = 0  #: 0 for an all-day entry
    hosts: tuple[str, ...] = ()  #: agency or committee ids hosting instances in turn
    support: tuple[str, ...] = ()  #: committee ids
    parties: tuple[str, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    fulfils: tuple[str, ...] = ()  #: activity ids whose yearly evidence this duty collects
    lead_times: tuple[int, ...] | None = None  #: reminder days before; None = the default
    flow: str = "reminders"  #: the flow that runs for it
    description: str | None = None
    notes: tuple[str, ...] = ()
    #: the day this version of the duty takes effect (``from`` in data files); a plugin
    #: declares successive versions as several ``Duty`` objects with the same id. ``None``:
    #: from the start of the plan. Instances before it come from the previous version.
    effective_from: date | None = None
    #: a cancelled (EXDATE) instance's host turn: "passes" (used up: later hosts keep their
    #: turns) or "keeps" (that host hosts the next held instance; later turns move along)
    cancelled_turn: str = "passes"


@dataclass(frozen=True, kw_only=True, slots=True)
class PlanStructure:
    """The fixed structure of the plan that activities hang from."""

    plan: Plan
    pillars: Mapping[str, Pillar]
    goals: Mapping[str, StrategicGoal]
    areas: Mapping[str, ProgrammeArea]
    objectives: Mapping[str, SpecificObjective]
    outputs: Mapping[str, Output]
    parties: Mapping[str, Party]
    _party_names: Mapping[str, str] = field(default_factory=dict, repr=False)

    def party_id(self, name: str) -> str:
        """The party id for a printed party name; unknown names get a slug of their own."""
        key = name.strip().casefold()
        return self._party_names.get(key) or re.sub(r"[^a-z0-9]+", "-", key).strip("-")

    def outputs_of(self, objective: str) -> list[Output]:
        return [o for o in self.outputs.values() if o.objective == objective]
