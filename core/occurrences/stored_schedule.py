"""The schedule as the store holds it: what every view shows where a store exists.

``naptip sync`` is the only writer of the stored schedule, and it keeps the past: an
occurrence whose date had passed when a later sync wanted to change it (another host, a
new rule) stays as it was, the attempt recorded as a held change. The plugins' schedule
(``build_schedule``) then differs from the store for that occurrence, and a view mixing
the two would show it half old, half new (the store's host with the new host's title).

:func:`as_stored` lays the store's rows over the plugins' schedule, field by field, so
that ``naptip schedule``, ``schedule explain``, the calendar feeds and the invitations show
exactly what the store holds (the reminders and the portal read the rows themselves).
What the store does not keep (the rule, the plugin, the lead times) comes from the
plugins' schedule, with a note when the store kept an older state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from naptip.occurrences.schedule import Occurrence, OccurrenceKind, Schedule, Shift
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow
from naptip.time.clock import PLAN_TZ

_SHIFT = {"meeting": Shift.LATER, "review": Shift.LATER, "event": Shift.NONE}


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRow:
    """The fields of a stored occurrence that shape how it is shown."""

    id: str
    kind: str
    title: str
    owner: str
    support: tuple[str, ...]
    host: str | None
    activity: str | None
    duty: str | None
    period: int | None
    due: date
    unshifted: date
    start: datetime | None
    end: datetime | None
    state: str
    progress: str
    withdrawn: bool

    @classmethod
    def of(cls, row: OccurrenceRow) -> StoredRow:
        return cls(id=row.id, kind=row.kind, title=row.title, owner=row.owner,
                   support=tuple(row.support or ()), host=row.host, activity=row.activity_id,
                   duty=row.duty_id, period=row.period, due=row.due, unshifted=row.unshifted,
                   start=row.start_at.astimezone(PLAN_TZ) if row.start_at else None,
                   end=row.end_at.astimezone(PLAN_TZ) if row.end_at else None,
                   state=row.region, progress=row.progress, withdrawn=row.withdrawn)

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn else self.progress

    def shown(self) -> dict[str, Any]:
        """The occurrence fields the store decides."""
        return {"kind": OccurrenceKind(self.kind), "title": self.title, "owner": self.owner,
                "support": self.support, "host": self.host, "activity": self.activity,
                "duty": self.duty, "period": self.period, "due": self.due,
                "unshifted": self.unshifted, "start": self.start, "end": self.end,
                "state": self.state}


def stored_rows(db: Database, catalog: Catalog) -> dict[str, StoredRow]:
    """Every stored occurrence of the catalog's plan (withdrawn ones included), by id."""
    with db.reading() as session:
        rows = session.execute(select(OccurrenceRow).where(
            OccurrenceRow.plan_id == catalog.structure.plan.id)).scalars()
        return {row.id: StoredRow.of(row) for row in rows}


def overlay(o: Occurrence, row: StoredRow) -> Occurrence:
    """``o`` as the store holds it; its rule says so when the store kept another state."""
    held = {k: v for k, v in row.shown().items() if getattr(o, k) != v}
    if not held:
        return o
    note = (f"as the store holds it: a later sync's change of {', '.join(sorted(held))} was "
            "held because its date had passed (`naptip schedule explain` lists it). The "
            "plugins and configuration now give: ")
    version = (f"the store keeps the state from before a later change; the plugins now "
               f"give {o.version}" if o.version else None)
    return replace(o, **held, rule=note + o.rule, version=version)


def kept_only(row: StoredRow) -> Occurrence:
    """An occurrence the store keeps that the plugins' schedule no longer has (a sync
    held its withdrawal because its date had passed)."""
    return Occurrence(
        id=row.id, plugin="", source="the store", lead_times=None,
        shift=_SHIFT.get(row.kind, Shift.EARLIER),
        rule=("as the store holds it: the plugins and configuration no longer have it; a "
              "sync kept it because its date had passed"),
        **row.shown())


def as_stored(planned: Schedule, rows: Mapping[str, StoredRow], *,
              unsynced: bool = True) -> Schedule:
    """The schedule every view shows where a store exists.

    Each occurrence the store holds (not withdrawn) is shown as stored; one the store keeps
    but the plugins no longer have is shown too. With ``unsynced`` (``naptip schedule``,
    a preview), occurrences the store does not hold or has withdrawn are shown as the
    plugins give them; without it (the feeds, invitations) they are left out.
    """
    out: list[Occurrence] = []
    for o in planned.occurrences:
        row = rows.get(o.id)
        if row is not None and not row.withdrawn:
            out.append(overlay(o, row))
        elif unsynced:
            out.append(o)
    out += [kept_only(row) for oid, row in rows.items()
            if not row.withdrawn and oid not in planned.by_id]
    return Schedule(out, fulfilled_by=dict(planned.fulfilled_by))
