"""Materialise the schedule into the store: ``naptip sync``, the only writer of the schedule.

Idempotent, keyed by occurrence id. New occurrences are inserted; changed ones are updated
with their previous values kept in ``occurrence_change``; occurrences the plan no longer has
are marked withdrawn (never deleted: evidence may refer to them). Three rules keep a shared
store safe from a careless or partial configuration:

- the past is kept: an occurrence whose due date has passed is never moved or withdrawn by
  a later sync; the attempted change is recorded in ``held_change`` instead;
- a risky sync is refused unless confirmed: one that would withdraw or move occurrences
  that carry evidence, or more than :data:`SMALL_SHARE` of the stored plan;
- nothing is withdrawn because of an error: while something is broken (a plugin that
  failed to load or raised in a hook, a configured change that was refused: a
  ``Problem`` marked ``broken``), a sync that would withdraw occurrences is refused,
  ``--confirm`` or not: what is missing may be missing only because of the error. Fix it,
  or disable the plugin on purpose (``NAPTIP_DISABLE_PLUGINS``), then sync. While the
  plugins' data has other problems (an unknown committee, a duplicate id: often the
  consequence of disabling a plugin), a sync that withdraws needs ``--confirm``;
- every sync records what produced the schedule (plugins and their versions, a fingerprint
  of the configuration) in ``meta`` and in its audit entry.

A fingerprint of the wanted schedule makes the common case (nothing changed) one read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naptip.base.config import Settings
from naptip.base.errors import NaptipError
from naptip.occurrences.schedule import Occurrence, Schedule
from naptip.plan.catalog import Catalog
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import (
    AuditHead,
    Evidence,
    HeldChange,
    MetaValue,
    OccurrenceChange,
    OccurrenceRow,
)
from naptip.time.clock import today as clock_today

_FIELDS = ("kind", "title", "owner", "support", "host", "activity_id", "duty_id", "pillar",
           "period", "due", "unshifted", "start_at", "end_at", "region")
_MOVES = ("due", "start_at", "end_at", "owner")  #: changes that move work in time or hands
SMALL_SHARE = 0.05  #: a sync withdrawing or moving more of the plan than this needs --confirm


class SyncRefused(NaptipError):
    """A sync that would change too much, or work that carries evidence."""


def _fields(o: Occurrence, catalog: Catalog) -> dict[str, Any]:
    activity = catalog.activities.get(o.activity) if o.activity else None
    pillar = (catalog.structure.objectives[activity.objective].primary_pillar
              if activity else None)
    return {"kind": str(o.kind), "title": o.title, "owner": o.owner, "support": list(o.support),
            "host": o.host, "activity_id": o.activity, "duty_id": o.duty, "pillar": pillar,
            "period": o.period, "due": o.due, "unshifted": o.unshifted, "start_at": o.start,
            "end_at": o.end, "region": o.state}


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def _fingerprint(values: dict[str, Any]) -> str:
    return hashlib.sha256(audit.canonical(_jsonable(values)).encode()).hexdigest()


def config_fingerprint(settings: Settings) -> str:
    """A short fingerprint of the settings that shape the schedule (the reporting calendar,
    duty changes, holiday corrections), not of the others (mail, reminders, limits) nor of
    where they came from."""
    shaping = (settings.reporting, settings.reporting_changes,
               sorted(settings.duties.items()),
               [replace(h, origin="") for h in settings.holidays])  # origin names the file
    text = repr(shaping)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Provenance:
    """What produced a schedule: the plugins (name -> version) and the configuration."""

    plugins: dict[str, str]
    config: str

    @classmethod
    def of(cls, catalog: Catalog, plugins: Mapping[str, str | None]) -> Provenance:
        return cls(plugins={k: v or "-" for k, v in sorted(plugins.items())},
                   config=config_fingerprint(catalog.settings))

    def describe(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.plugins.items()) or "no plugins"


def _key(plan_id: str) -> str:
    return f"schedule:{plan_id}"


def _provenance_key(plan_id: str) -> str:
    return f"sync:{plan_id}"


def stored_provenance(session: Session, plan_id: str) -> dict[str, Any] | None:
    """What the last sync recorded (plugins, config, schedule, at, by), or None: never
    synced."""
    row = session.get(MetaValue, _provenance_key(plan_id))
    if row is None:
        return None
    value: dict[str, Any] = json.loads(row.value)
    return value


def require_schedule(session: Session, db: Database, catalog: Catalog) -> None:
    """One line saying to run ``naptip sync`` when the store holds no schedule for the
    catalog's plan: what reads the schedule must never take "none" for "all withdrawn"."""
    plan_id = catalog.structure.plan.id
    if stored_provenance(session, plan_id) is None:
        raise NaptipError(f"the store at {db.describe()} holds no schedule for {plan_id}: "
                          "run `naptip sync` first")


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  #: updated in date or owner
    withdrawn: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  #: past occurrences kept as they were
    with_evidence: list[str] = field(default_factory=list)  #: withdrawn/moved, with evidence
    stored: int = 0  #: occurrences in the store before the sync (not withdrawn)
    skipped: bool = False  #: the store already had this exact schedule
    dry_run: bool = False
    #: what broke in the plugins or configuration this sync was made with (one line each)
    errors: list[str] = field(default_factory=list)
    #: the other problems of the plugins' data (one line each)
    problems: list[str] = field(default_factory=list)

    def blocked(self) -> str | None:
        """Why this sync is refused whatever --confirm says, or None: it would withdraw
        occurrences while something is broken that may be why they are missing."""
        if not (self.withdrawn and self.errors):
            return None
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return (f"{self._withdrawing()} while there is an error: {self.errors[0]}{more}. "
                "Fix it (`naptip plugins check` lists every error) and sync again; "
                "--confirm does not override this")

    def _withdrawing(self) -> str:
        first = sorted(self.withdrawn)  # the same ids whatever order the store returned
        ids = ", ".join(first[:3]) + ("…" if len(first) > 3 else "")
        return f"{len(self.withdrawn)} occurrence(s) would be withdrawn ({ids})"

    def risks(self) -> list[str]:
        """Why this sync needs --confirm (empty: it does not)."""
        reasons = []
        if self.withdrawn and self.problems:
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            reasons.append(f"{self._withdrawing()} while the plugins' data has problems: "
                           f"{self.problems[0]}{more}")
        if self.with_evidence:
            reasons.append(f"{len(self.with_evidence)} occurrence(s) with evidence would be "
                           f"withdrawn or moved ({', '.join(self.with_evidence[:3])}"
                           f"{'…' if len(self.with_evidence) > 3 else ''})")
        changed = len(self.withdrawn) + len(self.moved)
        if self.stored and changed > SMALL_SHARE * self.stored:
            reasons.append(f"{changed} of {self.stored} occurrences would be withdrawn or "
                           f"moved (more than {SMALL_SHARE:.0%})")
        return reasons

    def summary(self) -> str:
        if self.skipped:
            return "the store already has this schedule: nothing to change"
        parts = [f"{len(self.created)} new", f"{len(self.updated)} updated "
                 f"({len(self.moved)} moved)", f"{len(self.withdrawn)} withdrawn",
                 f"{len(self.restored)} restored", f"{len(self.held)} past kept as they were"]
        return ", ".join(parts)


def sync(db: Database, catalog: Catalog, schedule: Schedule, *, actor: str = "naptip",
         today: date | None = None, confirm: bool = False, dry_run: bool = False,
         plugins: Mapping[str, str | None] | None = None) -> SyncResult:
    """Bring the store's schedule in line with ``schedule``.

    Raises :class:`SyncRefused` (writing nothing) when the sync is risky and not confirmed,
    or would withdraw occurrences while ``catalog`` has problems (confirmed or not).
    ``dry_run`` computes the same result and writes nothing.
    """
    plan_id = catalog.structure.plan.id
    day = today or clock_today()
    wanted = {o.id: _fields(o, catalog) for o in schedule.occurrences}
    prints = {oid: _fingerprint(values) for oid, values in wanted.items()}
    overall = hashlib.sha256("".join(f"{k}{prints[k]}" for k in sorted(prints)).encode()
                             ).hexdigest()
    origin = Provenance.of(catalog, plugins if plugins is not None else {})

    def unchanged(session: Session, meta: MetaValue | None) -> bool:
        """The store has this schedule, from these plugins and configuration."""
        if meta is None or meta.value != overall:
            return False
        recorded = stored_provenance(session, plan_id)
        return (recorded is not None and recorded.get("plugins") == origin.plugins
                and recorded.get("config") == origin.config)

    with db.reading() as session:
        if unchanged(session, session.get(MetaValue, _key(plan_id))):
            return SyncResult(skipped=True, dry_run=dry_run)

    def work(session: Session) -> SyncResult:
        if not dry_run:  # one sync at a time: concurrent syncs queue on the audit head
            session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update())
        meta = session.get(MetaValue, _key(plan_id), with_for_update=not dry_run)
        if unchanged(session, meta):
            return SyncResult(skipped=True, dry_run=dry_run)
        now = datetime.now(UTC)
        existing = {row.id: row for row in session.execute(
            select(OccurrenceRow).where(OccurrenceRow.plan_id == plan_id)).scalars()}
        evidenced = set(session.execute(
            select(Evidence.occurrence_id).join(OccurrenceRow)
            .where(OccurrenceRow.plan_id == plan_id).group_by(Evidence.occurrence_id)
        ).scalars())
        result = SyncResult(stored=sum(not r.withdrawn for r in existing.values()),
                            dry_run=dry_run,
                            errors=[str(p) for p in catalog.problems if p.broken],
                            problems=[str(p) for p in catalog.problems if not p.broken])
        held: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for oid, values in wanted.items():
            row = existing.get(oid)
            if row is None:
                if not dry_run:
                    session.add(OccurrenceRow(id=oid, plan_id=plan_id, fingerprint=prints[oid],
                                              created_at=now, updated_at=now, progress="open",
                                              withdrawn=False, **values))
                result.created.append(oid)
                continue
            if row.fingerprint == prints[oid] and not row.withdrawn:
                continue
            before = {f: getattr(row, f) for f in _FIELDS}
            changed = [f for f in _FIELDS if before[f] != values[f]]
            if changed and row.due < day:
                held.append((oid, _jsonable({f: before[f] for f in changed}),
                             _jsonable({f: values[f] for f in changed})))
                continue
            if row.withdrawn:
                result.restored.append(oid)
                if not dry_run:
                    row.withdrawn = False
            if changed:
                result.updated.append(oid)
                if any(f in _MOVES for f in changed):
                    result.moved.append(oid)
                    if oid in evidenced:
                        result.with_evidence.append(oid)
                if not dry_run:
                    session.add(OccurrenceChange(
                        occurrence_id=oid, changed_at=now,
                        before=_jsonable({f: before[f] for f in changed}),
                        after=_jsonable({f: values[f] for f in changed})))
                    for f in changed:
                        setattr(row, f, values[f])
            if not dry_run:
                row.fingerprint, row.updated_at = prints[oid], now
        for oid, row in existing.items():
            if oid in wanted or row.withdrawn:
                continue
            if row.due < day:
                held.append((oid, {"withdrawn": False}, {"withdrawn": True}))
                continue
            result.withdrawn.append(oid)
            if oid in evidenced:
                result.with_evidence.append(oid)
            if not dry_run:
                row.withdrawn, row.updated_at = True, now
        result.held = [oid for oid, _b, _a in held]
        if dry_run:
            return result
        blocked = result.blocked()
        if blocked is not None:
            raise SyncRefused(f"sync refused: {blocked}")
        if result.risks() and not confirm:
            raise SyncRefused("sync refused: " + "; ".join(result.risks())
                              + ". Check with `naptip sync --dry-run`; if it is meant, run "
                              "`naptip sync --confirm`")
        _record_held(session, held, overall, now)
        if meta is None:
            session.add(MetaValue(key=_key(plan_id), value=overall))
        else:
            meta.value = overall
        record = {"plugins": origin.plugins, "config": origin.config, "schedule": overall,
                  "at": now.isoformat(), "by": actor}
        prov = session.get(MetaValue, _provenance_key(plan_id))
        if prov is None:
            session.add(MetaValue(key=_provenance_key(plan_id), value=audit.canonical(record)))
        else:
            prov.value = audit.canonical(record)
        session.flush()
        audit.append(session, actor=actor, action="occurrences.materialised", subject=plan_id,
                     payload={"schedule": overall, "plugins": origin.plugins,
                              "config": origin.config, "created": result.created,
                              "updated": result.updated, "withdrawn": result.withdrawn,
                              "restored": result.restored, "held": result.held,
                              "confirmed": bool(result.risks())}, at=now)
        return result

    if dry_run:
        with db.reading() as session:
            return work(session)
    return db.write(work)


def _record_held(session: Session, held: list[tuple[str, dict[str, Any], dict[str, Any]]],
                 overall: str, now: datetime) -> None:
    """Record each held change once (a repeated sync of the same schedule adds nothing)."""
    if not held:
        return
    ids = [oid for oid, _b, _a in held]
    latest: dict[str, dict[str, Any]] = {}
    newest = (select(func.max(HeldChange.id)).where(HeldChange.occurrence_id.in_(ids))
              .group_by(HeldChange.occurrence_id))
    for row in session.execute(select(HeldChange).where(HeldChange.id.in_(newest))).scalars():
        latest[row.occurrence_id] = row.after
    for oid, before, after in held:
        if latest.get(oid) != after:
            session.add(HeldChange(occurrence_id=oid, attempted_at=now, schedule=overall,
                                   before=before, after=after))


def held_changes(session: Session, occurrence_id: str) -> list[HeldChange]:
    return list(session.execute(select(HeldChange).where(
        HeldChange.occurrence_id == occurrence_id).order_by(HeldChange.id)).scalars())
