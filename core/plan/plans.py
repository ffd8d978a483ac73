"""The plans naptip knows: NAPTIP 3.0, the plan package shipped with naptip, and the plan
packages installed beside it (issue 19).

Plan packages (naptip.plan.package) are found, in this order, through

* the configuration: ``[plans] packages = ["path", ...]`` (naptip.base.config);
* the environment variable ``NAPTIP_PLAN_PACKAGES``, folders separated by ``os.pathsep``;
* plugins implementing ``naptip_plan_packages()`` (naptip.plan.hookspecs).

Each is read and checked against the plugins' committees. A package that cannot be read,
or whose plan id is already known (the built-in one's included), is a problem naming it,
and is left out; the other plans still load, as with a broken plugin.

NAPTIP 3.0 is read by the same :func:`~naptip.plan.package.load_plan_package`, flagged
``built_in`` (its occurrence ids have no prefix); its entries' committees are checked one by
one when its catalog is built (naptip.plan.catalog), as plugins' entries are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from naptip.base.config import Settings
from naptip.base.errors import NaptipError, Problem
from naptip.base.model import Committee, Duty, Plan, PlanStructure
from naptip.plan.catalog import (
    Catalog,
    build_catalog,
    check_hosts,
    duty_versions,
    period_parser,
)
from naptip.plan.package import PlanPackage, load_builtin_package, load_plan_package
from naptip.plan.plandata import load_plan_structure
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.time.dutyversions import DutyVersion
from naptip.time.recurrence import Recurrence, RecurrenceError, continue_recurrence

__all__ = ["BUILT_IN", "KnownPlan", "PlanRegistry", "committee_ids", "load_plans",
           "plan_catalog"]

ENV = "NAPTIP_PLAN_PACKAGES"
BUILT_IN = "built-in"
#: what plan-package problems are attributed to when no plugin named the package
_WHO = "plan packages"


@dataclass(frozen=True)
class KnownPlan:
    """One plan: its structure, its package and where it comes from (``built-in``, or the
    package's folder and who named it). ``package`` is None only for a built-in package
    that cannot be read: its catalog then says why, naming the file and the entry."""

    structure: PlanStructure
    package: PlanPackage | None = None
    origin: str = BUILT_IN

    @property
    def plan(self) -> Plan:
        return self.structure.plan

    @property
    def built_in(self) -> bool:
        """NAPTIP 3.0, shipped with naptip: its occurrence and activity ids carry no plan
        id, and the plugins' own activity entries join it."""
        return self.origin == BUILT_IN

    @property
    def id(self) -> str:
        return self.structure.plan.id


@dataclass
class PlanRegistry:
    """The plans known to this process, by id (the built-in one first)."""

    plans: dict[str, KnownPlan] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def get(self, plan_id: str) -> KnownPlan:
        """The plan ``plan_id``, or one line naming the known ones."""
        found = self.plans.get(plan_id)
        if found is None:
            raise NaptipError(f"unknown plan {plan_id!r}; known: {', '.join(self.plans)} "
                              "(`naptip plan list` shows them)")
        return found

    def others(self, plan_id: str) -> tuple[Plan, ...]:
        return tuple(p.plan for p in self.plans.values() if p.id != plan_id)

    def default(self, today: date) -> KnownPlan:
        """The plan running ``today``; else the one that started most recently; else
        (every plan still to come) the one that starts first."""
        plans = list(self.plans.values())
        running = [p for p in plans if p.plan.start <= today <= p.plan.end]
        started = [p for p in plans if p.plan.start <= today]
        if running:
            return max(running, key=lambda p: p.plan.start)
        if started:
            return max(started, key=lambda p: p.plan.start)
        return min(plans, key=lambda p: p.plan.start)


def default_plan(registry: PlanRegistry, today: date) -> KnownPlan:
    return registry.default(today)


def committee_ids(loaded: LoadedPlugins) -> set[str]:
    """The committee ids the plugins declare (their problems are the catalog's to report)."""
    ids: set[str] = set()
    for _plugin, result in loaded.call_each("naptip_committees", []):
        try:
            ids.update(c.id for c in result or () if isinstance(c, Committee))
        except Exception:
            continue
    return ids


def package_folders(settings: Settings, loaded: LoadedPlugins,
                    environ: Mapping[str, str] | None = None,
                    problems: list[Problem] | None = None) -> list[tuple[Path, str]]:
    """Every package folder named, with who named it, without repeats (first wins)."""
    env = os.environ if environ is None else environ
    named: list[tuple[Path, str]] = [(p, settings.where("plans.packages"))
                                     for p in settings.plan_packages]
    named += [(Path(part).expanduser().absolute(), ENV)
              for part in env.get(ENV, "").split(os.pathsep) if part.strip()]
    failed: list[Problem] = [] if problems is None else problems
    for plugin, result in loaded.call_each("naptip_plan_packages", failed):
        try:
            items = list(result or ()) if not isinstance(result, str | Path) else [result]
        except TypeError:
            failed.append(Problem(plugin=plugin, message="hook naptip_plan_packages must "
                                  f"return folder paths, not {type(result).__name__}",
                                  broken=True))
            continue
        for item in items:
            if not isinstance(item, str | Path):
                failed.append(Problem(plugin=plugin, message="hook naptip_plan_packages "
                                      f"returned {type(item).__name__}; expected a folder "
                                      "path", broken=True))
                continue
            named.append((Path(item).expanduser().absolute(), f"plugin {plugin!r}"))
    seen: set[Path] = set()
    unique = []
    for path, who in named:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((path, who))
    return unique


def load_plans(loaded: LoadedPlugins, settings: Settings,
               environ: Mapping[str, str] | None = None,
               committees: Iterable[str] | None = None) -> PlanRegistry:
    """The built-in NAPTIP 3.0 and every plan package that loads (the others are
    problems naming them)."""
    builtin = load_plan_structure()
    try:
        package: PlanPackage | None = load_builtin_package()
    except NaptipError:
        package = None  # its catalog says why (naptip.plan.catalog)
    registry = PlanRegistry(plans={builtin.plan.id: KnownPlan(structure=builtin,
                                                               package=package)})
    folders = package_folders(settings, loaded, environ, registry.problems)
    if not folders:
        return registry
    known = set(committees) if committees is not None else committee_ids(loaded)
    for path, who in folders:
        source = f"plan package {path} (named by {who})"
        try:
            package = load_plan_package(path, known)
        except NaptipError as exc:
            registry.problems.append(Problem(plugin=_WHO, source=source, message=str(exc)
                                             .removeprefix(f"{path}: ")))
            continue
        plan_id = package.structure.plan.id
        other = registry.plans.get(plan_id)
        if other is not None:
            registry.problems.append(Problem(
                plugin=_WHO, source=source,
                message=f"plan id {plan_id!r} is already taken by {other.origin}: "
                        "this package is left out (give it another [plan] id)"))
            continue
        registry.plans[plan_id] = KnownPlan(structure=package.structure, package=package,
                                            origin=f"{path} ({who})")
    return registry


def plan_catalog(loaded: LoadedPlugins, registry: PlanRegistry, plan_id: str,
                 settings: Settings | None = None) -> Catalog:
    """The catalog of one plan: its package's structure and activities and the plugins'
    committees, agencies and the duties that fall in its period (the built-in plan also
    takes the plugins' own activity entries). Problems of packages that did not load are
    listed too (``naptip plugins check`` shows them)."""
    known = registry.get(plan_id)
    catalog = build_catalog(loaded, structure=known.structure, settings=settings,
                            package=known.package, other_plans=registry.others(plan_id))
    catalog.problems.extend(registry.problems)
    if known.plan.continues:
        _continue_duties(loaded, registry, known, catalog, settings, (plan_id,))
    _check_changes_served(catalog)
    return catalog


def _continue_duties(loaded: LoadedPlugins, registry: PlanRegistry, known: KnownPlan,
                     catalog: Catalog, settings: Settings | None,
                     seen: tuple[str, ...]) -> None:
    """Carry the duties ``[plan] continues`` names on from the predecessor into
    ``catalog``: the predecessor's latest version of each (its configured changes
    included), its rule running on from the first instance in this plan's period to this
    plan's end, its ids unchanged in form (``enforcement-meeting@2026-02-10``). An
    activity the duty fulfilled is the predecessor's: here the duty fulfils none. Every
    duty that cannot be carried on is a problem naming the package."""
    plan = known.plan
    source = f"plan package {known.package.source if known.package else known.origin}"

    def problem(message: str) -> None:
        catalog.problems.append(Problem(plugin=_WHO, source=source,
                                        subject=f"plan {plan.id}", message=message))

    before = registry.plans.get(plan.predecessor or "")
    if before is None:
        problem(f"predecessor: unknown plan {plan.predecessor!r}; known: "
                f"{', '.join(registry.plans)}: no duty is carried on")
        return
    if before.plan.end >= plan.start or before.id in seen:
        problem(f"predecessor: {before.id} ends {before.plan.end}, not before this plan "
                f"starts ({plan.start}): no duty is carried on")
        return
    previous = build_catalog(loaded, structure=before.structure, settings=settings,
                             package=before.package, other_plans=registry.others(before.id))
    if before.plan.continues:
        _continue_duties(loaded, registry, before, previous, settings, (*seen, before.id))
    for duty_id in plan.continues:
        duty = previous.duties.get(duty_id)
        if duty is None:
            problem(f"continues: {before.id} has no duty {duty_id!r}; its duties: "
                    f"{', '.join(sorted(previous.duties))}")
            continue
        if duty_id in catalog.duties:
            problem(f"continues: duty {duty_id!r} is already declared for {plan.id} by "
                    f"plugin {catalog.plugin_of('duty', duty_id)!r}: it is not carried on")
            continue
        try:
            recurrence = continue_recurrence(previous.recurrences[duty_id], plan.start,
                                             plan.end)
        except RecurrenceError as exc:
            problem(f"continues: duty {duty_id!r} cannot go on into {plan.start} to "
                    f"{plan.end}: {exc}")
            continue
        plugin = previous.plugin_of("duty", duty_id)
        carried = replace(duty, recurrence=recurrence.text, fulfils=(), effective_from=None)
        catalog.declared_by[f"duty:{duty_id}"] = plugin
        versions = _carried_versions(catalog, duty_id, plugin, carried, recurrence,
                                     f"plugin {plugin!r}, carried on from {before.id} "
                                     f"([plan] continues of {plan.id})")
        catalog.versions[duty_id] = versions
        catalog.duties[duty_id] = versions[-1].duty
        catalog.recurrences[duty_id] = versions[-1].recurrence
        catalog.continued[duty_id] = previous
        catalog.other_plan_duties.discard(duty_id)


def _carried_versions(catalog: Catalog, duty_id: str, plugin: str, carried: Duty,
                      recurrence: Recurrence, source: str) -> tuple[DutyVersion, ...]:
    """A carried-on duty's versions in the successor: the predecessor's latest, from the
    successor's first day, then each configured change (``[duties.ID]``) whose ``from``
    falls in the successor's period; the host rotation runs on across them."""
    plan = catalog.structure.plan
    changes = [o for o in catalog.settings.duties.get(duty_id, ())
               if o.start is not None and plan.start <= o.start <= plan.end]
    for change in changes:
        check_hosts(catalog, change)
    versions = duty_versions(catalog, duty_id, plugin, [(carried, recurrence)], changes,
                             plan.start, period_parser(catalog))
    return tuple(replace(v, sources=(source, *v.sources[1:])) for v in versions)


def _check_changes_served(catalog: Catalog) -> None:
    """A configured change from a day of this plan must change one of its duties: one that
    neither its plugins declare for it nor it carries on is an error naming the key."""
    plan = catalog.structure.plan
    for duty_id, changes in catalog.settings.duties.items():
        if duty_id in catalog.duties:
            continue
        for change in changes:
            if change.start is not None and plan.start <= change.start <= plan.end:
                raise NaptipError(
                    f"{catalog.settings.where(change.key)}: from: {change.start} is in "
                    f"{plan.id}, which has no duty {duty_id!r} (carry it on with [plan] "
                    "continues, or give a day of the plan that has it)")
