"""Linking an item to the plan activities that answer it, and giving it its owners (a
lead committee, supporting committees): the secretariat's, audited
(``recommendation.linked``, ``recommendation.unlinked``, ``recommendation.assigned``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from naptip.base.values import EvidenceError
from naptip.progress.recommendations.items import find_item
from naptip.progress.recommendations.people import acting, secretariat
from naptip.progress.recommendations.refs import PlanRefs
from naptip.store import audit
from naptip.store.audit_recommendations import row_key, rows_payload
from naptip.store.db import Database
from naptip.store.orm import RecommendationLink

__all__ = ["Changed", "assign", "link"]


@dataclass(frozen=True)
class Changed:
    """What a command changed: ``done`` and ``unchanged`` as people write them."""

    item: str  #: "us-tip-2025 R3"
    done: tuple[str, ...]
    unchanged: tuple[str, ...] = ()


def link(db: Database, refs: PlanRefs, set_id: str, item: str, activities: Sequence[str], *,
         actor: str, login: bool = False, unlink: bool = False,
         now: datetime | None = None) -> Changed:
    """Link (``unlink``: remove the links of) ``activities`` to the item. Every activity
    is checked before anything is written; linking one already linked (or unlinking one
    not linked) changes nothing and says so."""
    if not activities:
        raise EvidenceError("name at least one activity (S4-O1-i, or naptip-4.0:S1-O1-i)")
    wanted: list[tuple[str, str]] = []
    for given in activities:
        pair = refs.activity(given)
        if pair not in wanted:
            wanted.append(pair)
    when = now or datetime.now(UTC)

    def work(session: Session) -> Changed:
        person = acting(session, actor, login=login)
        secretariat(person, actor, "link recommendations")
        rec = find_item(session, set_id, item, lock=True)
        have = {(k.plan_id, k.activity_id): k for k in rec.links}
        label = f"{rec.set_id} {rec.item}"
        if unlink:
            gone = [have[p] for p in wanted if p in have]
            done = tuple(refs.shown(*p) for p in wanted if p in have)
            unchanged = tuple(refs.shown(*p) for p in wanted if p not in have)
            if not gone:
                return Changed(label, (), unchanged)
            keys = tuple(row_key(k) for k in gone)
            for k in gone:
                session.delete(k)
            session.flush()
            audit.append(session, actor=person.name, action="recommendation.unlinked",
                         subject=f"{rec.set_id}/{rec.item}", at=when,
                         payload={"activities": list(done),
                                  "rows": rows_payload(deleted=keys)})
            return Changed(label, done, unchanged)
        new = [RecommendationLink(recommendation_id=rec.id, plan_id=p, activity_id=a,
                                  linked_by=person.name, linked_at=when)
               for p, a in wanted if (p, a) not in have]
        done = tuple(refs.shown(k.plan_id, k.activity_id) for k in new)
        unchanged = tuple(refs.shown(*p) for p in wanted if p in have)
        if not new:
            return Changed(label, (), unchanged)
        session.add_all(new)
        session.flush()
        audit.append(session, actor=person.name, action="recommendation.linked",
                     subject=f"{rec.set_id}/{rec.item}", at=when,
                     payload={"activities": list(done), "rows": rows_payload(*new)})
        return Changed(label, done, unchanged)

    return db.write(work, creates=True)


def assign(db: Database, refs: PlanRefs, set_id: str, item: str, *, lead: str | None,
           support: Sequence[str] | None, actor: str, login: bool = False,
           now: datetime | None = None) -> Changed:
    """Give the item its lead committee and/or its supporting committees (``support``
    replaces them all; an empty list clears them)."""
    if lead is None and support is None:
        raise EvidenceError("give --lead COMMITTEE and/or --support C,C")
    new_lead = refs.committee(lead) if lead is not None else None
    new_support = None if support is None else list(dict.fromkeys(
        refs.committee(s) for s in support))
    when = now or datetime.now(UTC)

    def work(session: Session) -> Changed:
        person = acting(session, actor, login=login)
        secretariat(person, actor, "assign recommendations")
        rec = find_item(session, set_id, item, lock=True)
        label = f"{rec.set_id} {rec.item}"
        lead_now = new_lead if new_lead is not None else rec.lead
        support_now = [s for s in (new_support if new_support is not None
                                   else list(rec.support or [])) if s != lead_now]
        if lead_now == rec.lead and support_now == list(rec.support or []):
            return Changed(label, (), ("owners unchanged",))
        done = []
        if lead_now != rec.lead:
            done.append(f"lead {rec.lead or '-'} -> {lead_now}")
        if support_now != list(rec.support or []):
            done.append(f"support {', '.join(rec.support or []) or '-'} -> "
                        f"{', '.join(support_now) or '-'}")
        previous = {"lead": rec.lead, "support": list(rec.support or [])}
        rec.lead, rec.support, rec.updated_at = lead_now, support_now, when
        session.flush()
        audit.append(session, actor=person.name, action="recommendation.assigned",
                     subject=f"{rec.set_id}/{rec.item}", at=when,
                     payload={"lead": lead_now, "support": support_now,
                              "previous": previous, "rows": rows_payload(rec)})
        return Changed(label, tuple(done))

    return db.write(work)
