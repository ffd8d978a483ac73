"""Materialise the schedule into the store: idempotent, keyed by occurrence id.

New occurrences are inserted; changed ones are updated with their previous values kept
in ``occurrence_change``; occurrences the plan no longer has are marked withdrawn (never
deleted: evidence may refer to them). One audit entry records each batch. A fingerprint of
the whole schedule makes the common case — nothing changed — a single read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .catalog import Catalog
from .db import Database
from .orm import MetaValue, OccurrenceChange, OccurrenceRow
from .schedule import Occurrence, Schedule

_FIELDS = ("kind", "title", "owner", "support", "host", "activity_id", "duty_id", "pillar",
           "period", "due", "unshifted", "start_at", "end_at", "region")


def _fields(o: Occurrence, catalog: Catalog) -> dict[str, Any]:
    activity = catalog.activities.get(o.activity) if o.activity else None
    pillar = (catalog.structure.objectives[activity.objective].primary_pillar
              if activity else None)
    return {"kind": str(o.kind), "title": o.title, "owner": o.owner, "support": list(o.support),
            "host": o.host, "activity_id": o.activity, "duty_id": o.duty, "pillar": pillar,
            "period": o.period, "due": o.due, "unshifted": o.unshifted, "start_at": o.start,
            "end_at": o.end, "region": o.state}


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def _fingerprint(values: dict[str, Any]) -> str:
    return hashlib.sha256(audit.canonical(_jsonable(values)).encode()).hexdigest()


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    withdrawn: int = 0
    restored: int = 0
    skipped: bool = False  #: the store already had this exact schedule


def sync(db: Database, catalog: Catalog, schedule: Schedule, *, actor: str = "naptip",
         ) -> SyncResult:
    plan_id = catalog.structure.plan.id
    wanted = {o.id: _fields(o, catalog) for o in schedule.occurrences}
    prints = {oid: _fingerprint(values) for oid, values in wanted.items()}
    overall = hashlib.sha256("".join(f"{k}{prints[k]}" for k in sorted(prints)).encode()
                             ).hexdigest()
    key = f"schedule:{plan_id}"
    with db.reading() as session:
        stored = session.get(MetaValue, key)
        if stored is not None and stored.value == overall:
            return SyncResult(skipped=True)

    def work(session: Session) -> SyncResult:
        meta = session.get(MetaValue, key, with_for_update=True)
        if meta is not None and meta.value == overall:
            return SyncResult(skipped=True)
        now = datetime.now(UTC)
        existing = {row.id: row for row in session.execute(
            select(OccurrenceRow).where(OccurrenceRow.plan_id == plan_id)).scalars()}
        created, updated, restored = [], [], []
        for oid, values in wanted.items():
            row = existing.get(oid)
            if row is None:
                session.add(OccurrenceRow(id=oid, plan_id=plan_id, fingerprint=prints[oid],
                                          created_at=now, updated_at=now, progress="open",
                                          withdrawn=False, **values))
                created.append(oid)
                continue
            if row.withdrawn:
                row.withdrawn = False
                restored.append(oid)
            if row.fingerprint != prints[oid]:
                before = {f: getattr(row, f) for f in _FIELDS}
                changed = {f for f in _FIELDS if before[f] != values[f]}
                session.add(OccurrenceChange(
                    occurrence_id=oid, changed_at=now,
                    before=_jsonable({f: before[f] for f in changed}),
                    after=_jsonable({f: values[f] for f in changed})))
                for f in _FIELDS:
                    setattr(row, f, values[f])
                row.fingerprint, row.updated_at = prints[oid], now
                updated.append(oid)
        withdrawn = [oid for oid, row in existing.items()
                     if oid not in wanted and not row.withdrawn]
        for oid in withdrawn:
            existing[oid].withdrawn, existing[oid].updated_at = True, now
        if meta is None:
            session.add(MetaValue(key=key, value=overall))
        else:
            meta.value = overall
        session.flush()
        audit.append(session, actor=actor, action="occurrences.materialised", subject=plan_id,
                     payload={"schedule": overall, "created": created, "updated": updated,
                              "withdrawn": withdrawn, "restored": restored}, at=now)
        return SyncResult(created=len(created), updated=len(updated),
                          withdrawn=len(withdrawn), restored=len(restored))

    return db.write(work)
