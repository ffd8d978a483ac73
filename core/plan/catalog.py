"""The catalog: everything the plugins declare, validated against the plan's structure.

Invalid contributions are reported as problems naming the plugin and the id, and left
out; everything valid is kept, so one bad plugin never hides the others' work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol, TypeVar

from naptip.base.config import CANCELLED_TURN, DutyOverride, Settings
from naptip.base.errors import NaptipError, Problem
from naptip.base.model import (
    Activity,
    Agency,
    Cadence,
    Committee,
    Duty,
    DutyKind,
    Plan,
    PlanStructure,
)
from naptip.base.states import STATES
from naptip.plan.agencyext import apply_agency_extensions
from naptip.plan.entrycheck import activity_problem
from naptip.plan.package import load_builtin_package
from naptip.plan.plandata import BUILT_IN_PLAN, load_plan_structure
from naptip.plan.pluginmanager import LoadedPlugins, describe
from naptip.time.dutyversions import DutyVersion, resolve_versions
from naptip.time.recurrence import Recurrence, RecurrenceError, parse_recurrence
from naptip.time.workdays import configure_holidays

T = TypeVar("T")

_CADENCES = {c.value for c in Cadence}
_DUTY_KINDS = {k.value for k in DutyKind}
_SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class PlanActivities(Protocol):
    """A plan package's activities as the catalog takes them (naptip.plan.package)."""

    @property
    def name(self) -> str: ...

    @property
    def activities(self) -> tuple[Activity, ...]: ...

    @property
    def built_in(self) -> bool: ...

    def where(self, activity_id: str) -> str: ...


@dataclass
class Catalog:
    """Committees, agencies and activities by id, each with the plugin that declared it."""

    structure: PlanStructure
    committees: dict[str, Committee] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    activities: dict[str, Activity] = field(default_factory=dict)
    duties: dict[str, Duty] = field(default_factory=dict)
    recurrences: dict[str, Recurrence] = field(default_factory=dict)  #: duty id -> parsed
    #: duty id -> its versions in order (docs/configuration.md, "effective dates")
    versions: dict[str, tuple[DutyVersion, ...]] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)
    declared_by: dict[str, str] = field(default_factory=dict)  #: "kind:id" -> plugin name
    agency_extended_by: dict[str, list[str]] = field(default_factory=dict)  #: id -> plugins
    problems: list[Problem] = field(default_factory=list)
    #: suspicious but harmless (an EXDATE that cancels nothing): shown, not fatal
    warnings: list[Problem] = field(default_factory=list)
    #: put before the plan's activity occurrence ids ("naptip-4.0:"): empty for the
    #: built-in NAPTIP 3.0, whose ids stay as they always were (naptip.plan.package)
    occurrence_prefix: str = ""
    #: duties the plugins declare for another plan's period, left out of this one
    other_plan_duties: set[str] = field(default_factory=set)
    #: the other plans known (their periods decide which duties serve which plan)
    other_plans: tuple[Plan, ...] = ()
    #: duty id -> the predecessor plan's catalog, for the duties this plan carries on from
    #: it (``[plan] continues``, naptip.plan.plans): the schedule goes on with the
    #: predecessor's host rotation where it stopped
    continued: dict[str, Catalog] = field(default_factory=dict)

    def plugin_of(self, kind: str, item_id: str) -> str:
        return self.declared_by[f"{kind}:{item_id}"]

    def declarer(self, kind: str, item_id: str, *, quoted: bool = True) -> str:
        """Who declared an item, for people: "plugin 'media'" or "plan package
        naptip-3.0"."""
        return declarer(self.plugin_of(kind, item_id), quoted=quoted)

    def committee_id(self, name: str, *, short_names: bool = True) -> str | None:
        """Resolve a committee id, name, Malay name or source spelling (case-insensitive),
        or (``short_names``, for what people type) a short name: whole words of one
        committee's names only ("media and publicity", "victim care", "buruh paksa"; "&"
        reads as "and"). Reading the plan's printed wording needs ``short_names=False``:
        there "NSO MAPO" is a party, not the secretariat's committee."""
        key = " ".join(name.split()).casefold()
        for c in self.committees.values():
            if key in {n.casefold() for n in (c.id, c.name, c.name_ms, *c.aliases)}:
                return c.id
        if not short_names:
            return None
        phrase = f" {_words(key)} "
        if len(phrase.strip()) < 3 or phrase.strip() in _GENERIC_WORDS:
            return None
        found = {c.id for c in self.committees.values()
                 for n in (c.name, c.name_ms, *c.aliases) if phrase in f" {_words(n)} "}
        return found.pop() if len(found) == 1 else None

    def counts_by_plugin(self) -> dict[str, dict[str, int]]:
        """How many committees, agencies and activities each plugin declared."""
        plural = {"committee": "committees", "agency": "agencies", "activity": "activities",
                  "duty": "duties"}
        counts: dict[str, dict[str, int]] = {}
        for key, plugin in self.declared_by.items():
            per = counts.setdefault(plugin, dict.fromkeys(plural.values(), 0))
            per[plural[key.split(":", 1)[0]]] += 1
        return counts


#: words that name no committee in particular
_GENERIC_WORDS = frozenset({"committee", "jawatankuasa", "special committee", "and", "dan",
                            "the", "khas", "issues", "isu"})


def declarer(name: str, *, quoted: bool = True) -> str:
    """A declarer's name (a plugin's, or a plan package's as :class:`PlanActivities`
    names it) as people read it: "plugin 'media'" (``quoted``, as in messages; else
    "plugin media", as in tables), "plan package naptip-3.0"."""
    if name.startswith(PACKAGE_PREFIX):
        return name
    return f"plugin {name!r}" if quoted else f"plugin {name}"


#: how the names of plan packages start, as declarers of activities
PACKAGE_PREFIX = "plan package "


def _words(text: str) -> str:
    """Lower-case words of a name: "&" as "and", punctuation and brackets as spaces."""
    cleaned = "".join(ch if ch.isalnum() else " " for ch in text.casefold().replace("&", " and "))
    return " ".join(cleaned.split())


def build_catalog(loaded: LoadedPlugins, structure: PlanStructure | None = None,
                  settings: Settings | None = None, *,
                  package: PlanActivities | None = None,
                  other_plans: Collection[Plan] = ()) -> Catalog:
    """Call the contribution hooks of every plugin and validate what they return.

    A duty override in ``settings`` that names no duty, or is invalid, is a configuration
    error (:class:`NaptipError`), not a plugin problem.

    ``package`` (a plan package's activities, naptip.plan.package) makes the catalog of
    that plan; without one it is NAPTIP 3.0's, the plan package shipped with naptip.
    Committees, agencies and duties come from the plugins; the activities from the
    package, each checked against the plugins' committees (an entry naming a committee
    that is not loaded is a problem naming its file, and is left out; in the built-in
    package, the entries a committee owns are left out without a problem when its plugin
    is not loaded, as they were when the plugins declared them). A package plan's
    activity occurrence ids get the plan's id as a prefix; the built-in one's do not, and
    the plugins' own activity entries (``naptip_activities``) join it. ``other_plans``: the
    other plans known; a duty whose every occurrence falls in one of their periods and none
    in this plan's serves that plan and is left out here without a problem.
    """
    catalog = Catalog(structure=structure or load_plan_structure(),
                      settings=settings or Settings(), other_plans=tuple(other_plans))
    configure_holidays(catalog.settings.holidays)
    catalog.problems.extend(loaded.problems)
    if package is None:
        package = _builtin_package(catalog)
    if package is not None and not package.built_in:
        catalog.occurrence_prefix = f"{catalog.structure.plan.id}:"
    builder = _Builder(catalog, loaded)
    for plugin, result in loaded.call_each("naptip_committees", catalog.problems):
        for committee in builder.items(plugin, "naptip_committees", result, Committee):
            builder.add_committee(plugin, committee)
    for plugin, result in loaded.call_each("naptip_agencies", catalog.problems):
        for agency in builder.items(plugin, "naptip_agencies", result, Agency):
            builder.add_agency(plugin, agency)
    apply_agency_extensions(catalog, loaded)
    if package is not None:
        for activity in _in_committee_order(package.activities, catalog):
            if package.built_in and activity.owner not in catalog.committees:
                continue  # its committee's plugin is not loaded: its work goes with it
            builder.add_activity(package.name, activity, source=package.where(activity.id))
    if package is None or package.built_in:
        for plugin, result in loaded.call_each("naptip_activities", catalog.problems,
                                               plan=catalog.structure):
            for activity in builder.items(plugin, "naptip_activities", result, Activity):
                builder.add_activity(plugin, activity)
    for plugin, result in loaded.call_each("naptip_duties", catalog.problems,
                                           plan=catalog.structure, settings=catalog.settings):
        for duty in builder.items(plugin, "naptip_duties", result, Duty):
            builder.add_duty(plugin, duty)
    _apply_overrides(catalog, builder.declared)
    return catalog


def _in_committee_order(activities: Iterable[Activity], catalog: Catalog) -> list[Activity]:
    """A package's entries by their owner, in the order the plugins declare the committees
    (legislative, enforcement, victim-care, ... nso-mapo), then as written: the order the
    committee plugins gave NAPTIP 3.0's entries, which lists in reports follow. Owners
    that are not loaded come last."""
    rank = {committee: n for n, committee in enumerate(catalog.committees)}
    return sorted(activities, key=lambda a: rank.get(a.owner, len(rank)))


def _builtin_package(catalog: Catalog) -> PlanActivities | None:
    """NAPTIP 3.0's package, or None (and a problem naming its file and entry) when it
    cannot be read: the committees, agencies and duties still load."""
    try:
        return load_builtin_package()
    except NaptipError as exc:
        catalog.problems.append(Problem(plugin=f"{PACKAGE_PREFIX}{BUILT_IN_PLAN}",
                                        message=str(exc), broken=True,
                                        source=f"{PACKAGE_PREFIX}{BUILT_IN_PLAN}"))
        return None


def for_later_plan(catalog: Catalog, day: date | None) -> bool:
    """A configured change from ``day`` belongs to a later plan (one that starts after
    this plan ends and holds that day): this plan leaves it to that plan, which applies
    it to the duties it carries on (``[plan] continues``, naptip.plan.plans)."""
    plan = catalog.structure.plan
    return day is not None and day > plan.end and any(
        p.start <= day <= p.end for p in catalog.other_plans)


def _apply_overrides(catalog: Catalog, declared: dict[str, list[tuple[Duty, Recurrence]]],
                     ) -> None:
    """Cut every duty into versions: its plugin's, then the configuration's changes (those
    of a later plan's period excepted: that plan applies them)."""
    settings = catalog.settings
    for duty_id, overrides in settings.duties.items():
        if duty_id in catalog.other_plan_duties:
            continue  # a change of a duty of another plan: checked with that plan
        if duty_id not in catalog.duties:
            raise NaptipError(f"{settings.where('duties.' + duty_id)}: no plugin declares a "
                              f"duty {duty_id!r}")
        for o in overrides:
            if for_later_plan(catalog, o.start):
                continue
            check_hosts(catalog, o)
            _check_in_plan(catalog, o.start, settings.where(o.key))
    for change in settings.reporting_changes:
        _check_in_plan(catalog, change.start, settings.where(change.key), any_plan=True)
    parse = period_parser(catalog)
    for duty_id in list(catalog.duties):
        plugin = catalog.plugin_of("duty", duty_id)
        overrides = tuple(o for o in settings.duties.get(duty_id, ())
                          if not for_later_plan(catalog, o.start))

        for o in overrides:
            if o.start is None and (o.recurrence is not None or o.hosts is not None
                                    or o.cancelled_turn is not None):
                catalog.warnings.append(Problem(
                    plugin=plugin, subject=f"duty {duty_id}", source=settings.where(o.key),
                    message="no 'from': the change applies to the whole plan, past "
                            "occurrences included (add from = YYYY-MM-DD to change it from "
                            "a day on)"))
        versions = duty_versions(catalog, duty_id, plugin, declared[duty_id], overrides,
                                 catalog.structure.plan.start, parse)
        catalog.versions[duty_id] = versions
        catalog.duties[duty_id] = versions[-1].duty
        catalog.recurrences[duty_id] = versions[-1].recurrence


def check_hosts(catalog: Catalog, change: DutyOverride) -> None:
    """A configured change's hosts must be agencies or committees of the catalog."""
    unknown = [h for h in change.hosts or () if not _is_host(catalog, h)]
    if unknown:
        raise NaptipError(f"{catalog.settings.where(change.key)}: hosts: unknown agency or "
                          f"committee {unknown[0]!r}")


def period_parser(catalog: Catalog) -> Callable[[str], Recurrence]:
    """Parse a configured recurrence once, refusing one outside the catalog's plan."""
    parsed: dict[str, Recurrence] = {}

    def parse(text: str) -> Recurrence:
        if text not in parsed:
            recurrence = parse_recurrence(text)
            problem = _period_problem(recurrence, catalog.structure)
            if problem:
                raise RecurrenceError(problem.removeprefix("recurrence: "))
            parsed[text] = recurrence
        return parsed[text]

    return parse


def duty_versions(catalog: Catalog, duty_id: str, plugin: str,
                  declared: Sequence[tuple[Duty, Recurrence]],
                  overrides: Sequence[DutyOverride], start: date,
                  parse: Callable[[str], Recurrence]) -> tuple[DutyVersion, ...]:
    """The versions of a duty from ``start`` on: ``declared`` (its plugin's), then the
    configured changes. A change whose recurrence is refused is not applied: it is an
    error (sync then refuses to withdraw anything, see naptip.occurrences.materialise) and
    the duty keeps its other versions, before and after the change, as they were."""
    settings = catalog.settings
    applied: list[DutyOverride] = []
    for o in overrides:
        try:
            recurrence = parse(o.recurrence) if o.recurrence is not None else None
        except RecurrenceError as exc:
            catalog.problems.append(Problem(
                plugin=plugin, subject=f"duty {duty_id}", source=settings.where(o.key),
                message=f"recurrence: {exc}; this change is not applied (the duty's "
                        "other versions stay in force)", broken=True))
            continue
        applied.append(o)
        if recurrence is None:
            continue
        warnings = list(recurrence.warnings)
        if o.start is not None:
            warnings += [
                f"EXDATE {day:%Y-%m-%d %H:%M} is before 'from' {o.start}: it "
                "cancels nothing (occurrences before the change stay as they were)"
                for day in sorted(recurrence.cancelled) if day.date() < o.start]
        for warning in warnings:
            catalog.warnings.append(Problem(
                plugin=plugin, subject=f"duty {duty_id}",
                message=f"recurrence: {warning}", source=settings.where(o.key)))
    return resolve_versions(plugin, declared, applied, settings, start, parse)


def _check_in_plan(catalog: Catalog, day: date | None, where: str, *,
                   any_plan: bool = False) -> None:
    """A configured 'from' day must lie in the plan (``any_plan``: in any known plan: a
    change of the reporting calendar made in NAPTIP 3.0 stays in force in its successor)."""
    plan = catalog.structure.plan
    plans = (plan, *catalog.other_plans) if any_plan else (plan,)
    if day is not None and not any(p.start <= day <= p.end for p in plans):
        raise NaptipError(f"{where}: from: {day} is outside the plan period {plan.start} to "
                          f"{plan.end}")


def _is_host(catalog: Catalog, host: str) -> bool:
    return host in catalog.agencies or host in catalog.committees


class _Builder:
    def __init__(self, catalog: Catalog, loaded: LoadedPlugins) -> None:
        self.catalog = catalog
        self.loaded = loaded
        #: duty id -> the versions its plugin declared, in order of effective_from
        self.declared: dict[str, list[tuple[Duty, Recurrence]]] = {}

    def problem(self, plugin: str, subject: str | None, message: str, *,
                broken: bool = False, source: str | None = None) -> None:
        info = self.loaded.infos.get(plugin)
        self.catalog.problems.append(Problem(plugin=plugin, subject=subject, message=message,
                                             package=info.package if info else None,
                                             broken=broken, source=source))

    def items(self, plugin: str, hook: str, result: object, cls: type[T]) -> Iterator[T]:
        if result is None:
            return
        if isinstance(result, str | bytes) or not isinstance(result, Iterable):
            self.problem(plugin, None, f"hook {hook} must return an iterable of "
                                       f"{cls.__name__}, not {type(result).__name__}",
                         broken=True)
            return
        # Only the plugin's iteration is guarded (never this generator's own yield, which
        # must let GeneratorExit through); any failure in it is the plugin's, SystemExit too.
        n = 0
        try:
            iterator = iter(result)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:
            self.problem(plugin, None, f"hook {hook} raised {describe(exc)}", broken=True)
            return
        while True:
            try:
                item = next(iterator)
            except StopIteration:
                return
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                self.problem(plugin, None, f"hook {hook} raised {describe(exc)}",
                             broken=True)
                return
            n += 1
            if isinstance(item, cls):
                yield item
            else:
                self.problem(plugin, None, f"hook {hook} returned {type(item).__name__} "
                                           f"as item #{n}; expected {cls.__name__}",
                             broken=True)

    def _claim(self, plugin: str, kind: str, item_id: str, source: str | None = None) -> bool:
        key = f"{kind}:{item_id}"
        other = self.catalog.declared_by.get(key)
        if other is not None:
            self.problem(plugin, f"{kind} {item_id}",
                         f"duplicate id: already declared by {declarer(other)}", source=source)
            return False
        self.catalog.declared_by[key] = plugin
        return True

    def add_committee(self, plugin: str, c: Committee) -> None:
        subject = f"committee {c.id}"
        if not _SLUG.match(c.id):
            self.problem(plugin, subject, "id must be lower-case words joined by '-'")
            return
        if c.kind not in ("committee", "secretariat"):
            self.problem(plugin, subject, f"kind {c.kind!r} is not committee or secretariat")
            return
        unknown = [p for p in c.pillars if p not in self.catalog.structure.pillars]
        if unknown:
            self.problem(plugin, subject, f"unknown pillar {unknown[0]}")
            return
        if not c.name.strip() or not c.lead_agency.strip():
            self.problem(plugin, subject, "name and lead agency must not be empty")
            return
        if c.state not in STATES:
            self.problem(plugin, subject, f"unknown state {c.state!r}; known: "
                                          f"{', '.join(sorted(STATES))}")
            return
        if self._claim(plugin, "committee", c.id):
            self.catalog.committees[c.id] = c

    def add_agency(self, plugin: str, a: Agency) -> None:
        subject = f"agency {a.id}"
        if not _SLUG.match(a.id):
            self.problem(plugin, subject, "id must be lower-case words joined by '-'")
            return
        unknown = [c for c in a.committees if c not in self.catalog.committees]
        if unknown:
            self.problem(plugin, subject, f"unknown committee {unknown[0]!r}")
            return
        if a.state not in STATES:
            self.problem(plugin, subject, f"unknown state {a.state!r} (of committees "
                                          f"{', '.join(a.committees) or 'none'}); known: "
                                          f"{', '.join(sorted(STATES))}")
            return
        if self._claim(plugin, "agency", a.id):
            self.catalog.agencies[a.id] = a

    def add_activity(self, plugin: str, a: Activity, source: str | None = None) -> None:
        if (isinstance(a.cadence, str) and not isinstance(a.cadence, Cadence)
                and a.cadence in _CADENCES):
            # A Python plugin may pass cadence="deliverable": the schedule compares enum
            # members, so a valid name is coerced (any other text is refused below).
            a = replace(a, cadence=Cadence(a.cadence))
        message = activity_problem(a, self.catalog.structure, self.catalog.committees)
        if message is not None:
            self.problem(plugin, f"activity {a.id}", message, source=source)
            return
        if self._claim(plugin, "activity", a.id, source):
            self.catalog.activities[a.id] = a

    def add_duty(self, plugin: str, d: Duty) -> None:
        """Validate a duty and parse (expand) its recurrence once."""
        if self._serves_another_plan(d):
            self.catalog.other_plan_duties.add(d.id)
            return
        message = self._duty_problem(d)
        if message is None:
            try:
                recurrence = parse_recurrence(d.recurrence)
            except RecurrenceError as exc:
                message = f"recurrence: {exc}"
            else:
                message = _period_problem(recurrence, self.catalog.structure)
        if message is not None:
            self.problem(plugin, f"duty {d.id}", message)
            return
        for warning in recurrence.warnings:
            info = self.loaded.infos.get(plugin)
            self.catalog.warnings.append(Problem(plugin=plugin, subject=f"duty {d.id}",
                                                 message=f"recurrence: {warning}",
                                                 package=info.package if info else None))
        earlier = self.declared.get(d.id)
        if earlier is not None and self.catalog.declared_by.get(f"duty:{d.id}") == plugin:
            # A later version of a duty this plugin already declared.
            starts = [e.effective_from for e, _ in earlier]
            if d.effective_from is None or any(s is not None and s >= d.effective_from
                                               for s in starts):
                self.problem(plugin, f"duty {d.id}", "a later version needs a 'from' date "
                             "after the previous version's")
                return
            earlier.append((d, recurrence))
            return
        if self._claim(plugin, "duty", d.id):
            self.catalog.duties[d.id] = d
            self.catalog.recurrences[d.id] = recurrence
            self.declared[d.id] = [(d, recurrence)]

    def _serves_another_plan(self, d: Duty) -> bool:
        """For this slice a duty serves the plan its occurrences fall in: one whose every
        occurrence lies outside this plan's period and inside another known plan's is
        that plan's (a recurrence that cannot be read is checked as usual)."""
        others = self.catalog.other_plans
        if not others:
            return False
        try:
            instances = parse_recurrence(d.recurrence).instances
        except RecurrenceError:
            return False
        if not instances:
            return False
        first, last = instances[0].date(), instances[-1].date()
        plan = self.catalog.structure.plan
        if last >= plan.start and first <= plan.end:
            return False
        return any(p.start <= first and last <= p.end for p in others)

    def _duty_problem(self, d: Duty) -> str | None:
        c = self.catalog
        if not _SLUG.match(d.id):
            return "id must be lower-case words joined by '-'"
        if not d.title.strip():
            return "title is empty"
        if d.kind not in _DUTY_KINDS:
            return f"kind {d.kind!r} is not one of {', '.join(sorted(_DUTY_KINDS))}"
        for committee in (d.owner, *d.support):
            if committee not in c.committees:
                return f"unknown committee {committee!r}"
        unknown_hosts = [h for h in d.hosts if not _is_host(c, h)]
        if unknown_hosts:
            return f"unknown host {unknown_hosts[0]!r} (not an agency or committee id)"
        unknown_acts = [a for a in d.fulfils if a not in c.activities]
        if unknown_acts:
            return f"fulfils unknown activity {unknown_acts[0]}"
        # One owner, one figure: the duty's occurrences are its activities' occurrences, so
        # the schedule, reminders, status and reports must all name the activity's owner.
        foreign = [a for a in d.fulfils if c.activities[a].owner != d.owner]
        if foreign:
            owner = c.activities[foreign[0]].owner
            return (f"owner {d.owner!r} differs from {owner!r}, the owner of {foreign[0]} "
                    f"that it fulfils: make {owner!r} the owner (and {d.owner!r} support)")
        if d.duration_minutes < 0:
            return "duration_minutes is negative"
        if d.cancelled_turn not in CANCELLED_TURN:
            return f"cancelled_turn {d.cancelled_turn!r} is not one of {', '.join(CANCELLED_TURN)}"
        plan = c.structure.plan
        if d.effective_from is not None and not plan.start <= d.effective_from <= plan.end:
            return (f"from {d.effective_from} is outside the plan period {plan.start} to "
                    f"{plan.end}")
        if d.lead_times is not None and any(n < 0 for n in d.lead_times):
            return "lead_times must not be negative"
        ids = [m.id for m in d.milestones]
        if len(set(ids)) != len(ids):
            return "milestone ids must be unique"
        bad = [m.id for m in d.milestones if not _SLUG.match(m.id) or m.kind not in _DUTY_KINDS]
        if bad:
            return f"milestone {bad[0]!r}: id must be lower-case words, kind a duty kind"
        return None


def _period_problem(recurrence: Recurrence, structure: PlanStructure) -> str | None:
    plan = structure.plan
    first, last = recurrence.instances[0].date(), recurrence.instances[-1].date()
    if first < plan.start or last > plan.end:
        return (f"recurrence: runs {first} to {last}, outside the plan period "
                f"{plan.start} to {plan.end}")
    return None
