"""A plan's life in one store: the day naptip was adopted, closing, re-opened items.

* **Adopted on**: the first day naptip ran the plan's reminders for this store. Work due
  before it is *older*: it is not reminded or escalated one item at a time; each owner's
  leads get one summary that counts what is still open (``naptip.people.reminders``).
  A store's first reminder run records it (the run's first day); ``naptip adopt --on``
  sets it on purpose. A store that ran reminders before adoption days were recorded is
  taken as adopted on the plan's first day, so nothing it did changes.
* **Closed**: from the day after the plan's end date. Reminders stop, except the final
  evaluation's own duties, the answer to evidence a reviewer returned, and items the
  secretariat re-opens on purpose with a new deadline (``naptip plan reopen``). Late
  evidence can still be submitted and reviewed.

Everything here lives in the store's ``meta`` table, one JSON value per plan, and every
change is an audit entry.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.base.model import Plan
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import MetaValue, OccurrenceRow, ReminderSent, RunRecord
from naptip.store.personal_data import refusal, scan

#: how an adoption day came to be
FIRST_RUN = "first run"
FIRST_SYNC = "first sync"
BY_HAND = "naptip adopt"
LEGACY = "reminders ran before adoption days were recorded"
#: the longest reason kept for re-opening items
REASON_CHARS = 500
#: the flows whose duties a closed plan still reminds: its final evaluation
CLOSING_FLOWS = frozenset({"final-evaluation"})


@dataclass(frozen=True, slots=True)
class Reopened:
    """An item the secretariat re-opened after the plan closed: reminded towards ``due``."""

    due: date
    on: date
    by: str
    reason: str


@dataclass(frozen=True)
class PlanLife:
    plan: Plan
    adopted_on: date | None = None  #: None: not recorded yet (no reminder run so far)
    adopted_how: str | None = None
    reopened: Mapping[str, Reopened] = field(default_factory=dict)

    @property
    def closed_since(self) -> date:
        """The first day the plan is closed: the day after its end date."""
        return self.plan.end + timedelta(days=1)

    def state(self, today: date) -> str:
        """``draft`` before the plan's first day, ``running`` in its period, then
        ``closed``."""
        if today < self.plan.start:
            return "draft"
        return "running" if today <= self.plan.end else "closed"

    def closed(self, today: date) -> bool:
        return today >= self.closed_since

    def older(self, due: date) -> bool:
        """Due before the adoption day: summarised, never reminded one by one."""
        return self.adopted_on is not None and due < self.adopted_on

    def describe(self, today: date) -> str:
        """One line: the plan, its period and its state on ``today``."""
        p = self.plan
        state = self.state(today)
        if state == "closed":
            line = (f"{p.short_title} is closed since {self.closed_since} (it ran {p.start} "
                    f"to {p.end}): reminders only for the final evaluation, returned and "
                    "re-opened work; late evidence can still be submitted")
        elif state == "draft":
            line = f"{p.short_title} has not started: it runs {p.start} to {p.end}"
        else:
            line = f"{p.short_title} is running: {p.start} to {p.end}"
        return line


def _key(plan_id: str) -> str:
    return f"plan-life:{plan_id}"


def _load(raw: str | None) -> dict[str, Any]:
    return json.loads(raw) if raw else {}


def _life(plan: Plan, data: Mapping[str, Any]) -> PlanLife:
    adopted = data.get("adopted_on")
    reopened = {oid: Reopened(due=date.fromisoformat(r["due"]), on=date.fromisoformat(r["on"]),
                              by=r["by"], reason=r["reason"])
                for oid, r in (data.get("reopened") or {}).items()}
    return PlanLife(plan=plan, adopted_on=date.fromisoformat(adopted) if adopted else None,
                    adopted_how=data.get("adopted_how"), reopened=reopened)


def read_life(session: Session, plan: Plan) -> PlanLife:
    row = session.get(MetaValue, _key(plan.id))
    return _life(plan, _load(row.value if row else None))


def plan_life(db: Database, plan: Plan) -> PlanLife:
    with db.reading() as session:
        return read_life(session, plan)


def _ran_before(session: Session) -> bool:
    """Did reminders or the day's work run in this store before adoption days existed?

    Not when any plan's life is recorded: then the store knew adoption days, and the runs
    were that plan's (a successor loaded later is adopted by its own first run)."""
    recorded = session.execute(select(exists().where(
        MetaValue.key.startswith("plan-life:", autoescape=True)))).scalar()
    if recorded:
        return False
    ran = session.execute(select(exists().where(  # a finished run: not the one asking
        RunRecord.dry_run.is_(False), RunRecord.finished_at.is_not(None)))).scalar()
    return bool(ran or session.execute(select(exists().where(ReminderSent.id.is_not(None))))
                .scalar())


def _write(session: Session, plan: Plan, data: dict[str, Any]) -> None:
    row = session.get(MetaValue, _key(plan.id), with_for_update=True)
    text = json.dumps(data, sort_keys=True)
    if row is None:
        session.add(MetaValue(key=_key(plan.id), value=text))
    else:
        row.value = text


def adoption_for_run(db: Database, plan: Plan, first_day: date, *, actor: str,
                     dry_run: bool = False, how: str = FIRST_RUN,
                     ) -> tuple[PlanLife, str | None]:
    """The plan's life as a reminder run starting on ``first_day`` sees it: the first
    such run records the adoption day (a dry run only previews it). The second value is
    a line saying so when this run recorded (or would record) it."""
    with db.reading() as session:
        life = read_life(session, plan)
        if life.adopted_on is not None:
            return life, None
        legacy = _ran_before(session)
    day, how = (plan.start, LEGACY) if legacy else (max(first_day, plan.start), how)
    note = (f"{plan.short_title} adopted on {day} ({how}): older work is summarised, not "
            "reminded (naptip adopt)")
    if dry_run:
        return PlanLife(plan=plan, adopted_on=day, adopted_how=how,
                        reopened=life.reopened), "would record: " + note
    life = _record_adoption(db, plan, day, how=how, actor=actor, only_if_missing=True)
    return life, note if life.adopted_on == day and life.adopted_how == how else None


def adopt(db: Database, plan: Plan, day: date, *, actor: str, today: date,
          force: bool = False) -> PlanLife:
    """``naptip adopt --on DAY``: set the adoption day on purpose (audited). Moving a
    day already recorded once reminders went out needs ``force``: earlier would remind
    old work item by item, later would summarise work already reminded."""
    if day < plan.start:
        raise NaptipError(f"the adoption day {day} is before {plan.short_title} starts "
                          f"({plan.start})")
    if day > today:
        raise NaptipError(f"the adoption day {day} is after today ({today})")
    with db.reading() as session:
        life = read_life(session, plan)
        sent = session.execute(select(exists().where(
            ReminderSent.occurrence_id == OccurrenceRow.id,
            OccurrenceRow.plan_id == plan.id))).scalar()
    if life.adopted_on == day:
        return life
    if life.adopted_on is not None and sent and not force:
        raise NaptipError(
            f"{plan.short_title} was adopted on {life.adopted_on} and reminders went out "
            f"since: moving the day to {day} would "
            + ("remind the work due in between item by item" if day < life.adopted_on
               else "summarise again work already reminded")
            + "; add --force to move it anyway")
    return _record_adoption(db, plan, day, how=BY_HAND, actor=actor, only_if_missing=False)


def _record_adoption(db: Database, plan: Plan, day: date, *, how: str, actor: str,
                     only_if_missing: bool) -> PlanLife:
    def work(session: Session) -> PlanLife:
        row = session.get(MetaValue, _key(plan.id), with_for_update=True)
        data = _load(row.value if row else None)
        if only_if_missing and data.get("adopted_on"):  # another run recorded it first
            return _life(plan, data)
        before = data.get("adopted_on")
        data.update(adopted_on=day.isoformat(), adopted_how=how)
        _write(session, plan, data)
        audit.append(session, actor=actor, action="plan.adopt", subject=plan.id,
                     payload={"adopted_on": day.isoformat(), "how": how, "before": before})
        return _life(plan, data)

    return db.write(work, creates=True)  # two first syncs at once


def reopen(db: Database, plan: Plan, occurrence_ids: Iterable[str], *, due: date,
           reason: str, actor: str, today: date) -> PlanLife:
    """Re-open items of a closed plan on purpose: they are reminded towards ``due``."""
    ids = sorted(set(occurrence_ids))
    reason = " ".join(reason.split())
    if not reason:
        raise NaptipError("say why the items are re-opened (--reason)")
    if len(reason) > REASON_CHARS:
        raise NaptipError(f"the reason is {len(reason)} characters long: at most "
                          f"{REASON_CHARS}")
    findings = scan(reason, "the reason")
    if findings:
        raise NaptipError(refusal(findings, "re-opening refused"))
    life = PlanLife(plan=plan)
    if not life.closed(today):
        raise NaptipError(f"{plan.short_title} is not closed on {today} (it ends "
                          f"{plan.end}): its items are still reminded as they are")
    if due < today:
        raise NaptipError(f"the new deadline {due} is before today ({today})")

    def work(session: Session) -> PlanLife:
        found = {oid: (progress, withdrawn) for oid, progress, withdrawn in session.execute(
            select(OccurrenceRow.id, OccurrenceRow.progress, OccurrenceRow.withdrawn)
            .where(OccurrenceRow.plan_id == plan.id, OccurrenceRow.id.in_(ids))).all()}
        missing = [i for i in ids if i not in found]
        if missing:
            other = session.execute(select(OccurrenceRow.plan_id).where(
                OccurrenceRow.id == missing[0])).scalar()
            raise NaptipError(f"no occurrence {missing[0]!r} in {plan.short_title} " + (
                f"(it is {other}'s: `naptip --plan {other} plan reopen`)" if other
                else "(naptip schedule lists them)"))
        for i in ids:
            progress, withdrawn = found[i]
            if withdrawn:
                raise NaptipError(f"{i} was withdrawn from the plan: there is nothing to "
                                  "re-open")
            if progress in ("accepted", "submitted"):
                state = "accepted" if progress == "accepted" else "awaiting review"
                raise NaptipError(f"{i} is {state}: there is nothing to remind")
        row = session.get(MetaValue, _key(plan.id), with_for_update=True)
        data = _load(row.value if row else None)
        entry = {"due": due.isoformat(), "on": today.isoformat(), "by": actor,
                 "reason": reason}
        already = data.get("reopened") or {}
        if all(already.get(i, {}).get("due") == entry["due"] for i in ids):
            raise NaptipError(f"already re-opened, due {due} (naptip plan list --reopened)")
        data.setdefault("reopened", {}).update({i: entry for i in ids})
        _write(session, plan, data)
        audit.append(session, actor=actor, action="plan.reopen", subject=plan.id,
                     payload={"occurrences": ids, **entry})
        return _life(plan, data)

    return db.write(work, creates=True)  # the plan's row may be made meanwhile


def close_again(db: Database, plan: Plan, occurrence_ids: Iterable[str], *,
                actor: str) -> PlanLife:
    """Undo :func:`reopen` for these items (audited)."""
    ids = sorted(set(occurrence_ids))

    def work(session: Session) -> PlanLife:
        row = session.get(MetaValue, _key(plan.id), with_for_update=True)
        data = _load(row.value if row else None)
        reopened = data.get("reopened") or {}
        missing = [i for i in ids if i not in reopened]
        if missing:
            raise NaptipError(f"{missing[0]} is not re-opened (naptip plan list --reopened)")
        for i in ids:
            del reopened[i]
        data["reopened"] = reopened
        _write(session, plan, data)
        audit.append(session, actor=actor, action="plan.close-again", subject=plan.id,
                     payload={"occurrences": ids})
        return _life(plan, data)

    return db.write(work)


def still_reminded(db: Database, plan: Plan, closing: Collection[str], today: date,
                   ) -> dict[str, int]:
    """What a closed plan's reminders still chase on ``today``, counted: its items
    re-opened on purpose, its returned evidence, its final evaluation's open work
    (``closing``: those duties' ids). Empty: the plan's day's work has nothing to remind."""
    with db.reading() as session:
        life = read_life(session, plan)
        rows = session.execute(select(
            OccurrenceRow.id, OccurrenceRow.progress, OccurrenceRow.duty_id).where(
            OccurrenceRow.plan_id == plan.id, OccurrenceRow.withdrawn.is_(False),
            OccurrenceRow.progress.in_(("open", "returned")))).all()
    counts = {"re-opened": 0, "returned": 0, "final evaluation": 0}
    for oid, progress, duty in rows:
        again = life.reopened.get(oid)
        if again is not None and today >= again.on:
            counts["re-opened"] += 1
        elif progress == "returned":
            counts["returned"] += 1
        elif duty in closing:
            counts["final evaluation"] += 1
    return {k: n for k, n in counts.items() if n}
