"""Which plans the day's work is done for when no plan is named (``naptip run``, the
``daily-run`` flow): the plan the commands default to, every plan running today, and each
closed plan while its reminders still chase something (items re-opened on purpose,
returned evidence, its final evaluation's open work). Drafts (plans that have not started)
and closed plans with nothing left to remind are left alone.

Each plan's work is a run of its own, in its own scope (its catalog, its schedule, its
catch-up); they run one after another, oldest plan first.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date

from naptip.base.model import Duty
from naptip.plan.catalog import Catalog
from naptip.plan.lifecycle import CLOSING_FLOWS, PlanLife, still_reminded
from naptip.plan.plans import KnownPlan, PlanRegistry
from naptip.store.db import Database


@dataclass(frozen=True)
class PlanToRun:
    plan: KnownPlan
    why: str  #: one line: why the day's work is done for it

    @property
    def id(self) -> str:
        return self.plan.id


def closing_duties(duties: Collection[tuple[str, str | None]]) -> frozenset[str]:
    """The ids, among (duty id, flow) pairs, of the duties a closed plan still reminds."""
    return frozenset(d for d, flow in duties if flow in CLOSING_FLOWS)


def plans_to_run(registry: PlanRegistry, today: date, db: Database | None,
                 closing_of: Callable[[str], frozenset[str]]) -> list[PlanToRun]:
    """The plans whose day's work is due on ``today``, oldest first. ``db``: the store
    (None: there is none yet, so no closed plan has anything to remind); ``closing_of``:
    a plan id's closing duties (built only for the closed plans)."""
    default = registry.default(today)
    out = []
    for known in sorted(registry.plans.values(), key=lambda p: (p.plan.start, p.id)):
        life = PlanLife(plan=known.plan)
        state = life.state(today)
        if known.id == default.id:
            why = f"the plan {'running' if state == 'running' else 'to work on'} today"
        elif state == "running":
            why = "running"
        elif state == "closed" and db is not None:
            left = still_reminded(db, known.plan, closing_of(known.id), today)
            if not left:
                continue
            why = "closed, still reminding " + ", ".join(f"{n} {k}" for k, n in left.items())
        else:
            continue
        out.append(PlanToRun(plan=known, why=why))
    return out


@dataclass(frozen=True)
class DutyToServe:
    """A duty flow ``naptip serve`` / ``naptip deploy`` deploys, in its plan's scope."""

    plan: str
    duty: Duty


def duties_to_serve(plans: Sequence[PlanToRun], today: date,
                    catalog_of: Callable[[str], Catalog]) -> list[DutyToServe]:
    """The duty flows (duties whose ``flow`` is not plain reminders) of ``plans`` (from
    :func:`plans_to_run`), oldest plan first, duty by duty: every such duty of a plan that
    is running (or, as the default, not started yet), only the closing duties (its final
    evaluation) of a closed plan. A duty a successor carries on (``[plan] continues``)
    that both would deploy is deployed once: under the predecessor while it runs
    ``today``, else under the successor."""
    chosen: list[DutyToServe] = []
    running: set[str] = set()
    for to_run in plans:
        catalog = catalog_of(to_run.id)
        state = PlanLife(plan=to_run.plan.plan).state(today)
        if state == "running":
            running.add(to_run.id)
        flows = [d for d in catalog.duties.values() if d.flow != "reminders"
                 and (state != "closed" or d.flow in CLOSING_FLOWS)]
        for duty in sorted(flows, key=lambda d: d.id):
            earlier = [c for c in chosen if c.duty.id == duty.id]
            if earlier and duty.id in catalog.continued:
                if earlier[0].plan in running:
                    continue  # the predecessor serves the day: it keeps the duty
                chosen.remove(earlier[0])
            chosen.append(DutyToServe(plan=to_run.id, duty=duty))
    return chosen
