"""What ``naptip recommendations sets|list|show`` print, as plain data (JSON-ready): the
sets with their counts, items with their owners, links and gaps, and one item with its
linked activities' state in the store (their occurrences accepted, awaiting review, open
and overdue, as the follow-up report counts them: naptip.progress.recommendations.followup)
and its updates."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.progress.recommendations.followup import (
    ActivityProgress,
    ItemFollowUp,
    read_followup,
)
from naptip.progress.recommendations.items import find_item, find_set
from naptip.store.orm import Recommendation, RecommendationSet
from naptip.time.clock import PLAN_TZ

__all__ = ["item_detail", "item_rows", "set_rows"]


def set_rows(session: Session) -> list[dict[str, Any]]:
    out = []
    for s in session.execute(select(RecommendationSet).order_by(
            RecommendationSet.issued_on, RecommendationSet.id)).scalars():
        by_status: dict[str, int] = {}
        for r in s.items:
            by_status[r.status] = by_status.get(r.status, 0) + 1
        out.append({"set": s.id, "source": s.source, "issued": s.issued_on.isoformat(),
                    "url": s.url, "note": s.note, "items": len(s.items),
                    "gaps": sum(1 for r in s.items if not r.links),
                    "by_status": by_status})
    return out


def item_rows(session: Session, *, as_of: date, set_id: str | None = None,
              committee: str | None = None, gaps: bool = False) -> list[dict[str, Any]]:
    """Items in set, then import, order, with their status and review as of ``as_of``
    (the follow-up's read model, as the report says them); ``committee``: led or
    supported by it; ``gaps``: only the ones no activity answers."""
    query = select(Recommendation).order_by(Recommendation.set_id, Recommendation.id)
    if set_id is not None:
        query = query.where(Recommendation.set_id == find_set(session, set_id).id)
    out = []
    known: dict[int, ItemFollowUp] = {}
    for r in session.execute(query).scalars():
        if committee and committee != r.lead and committee not in (r.support or []):
            continue
        if gaps and r.links:
            continue
        if r.id not in known:
            known.update((i.id, i) for i in read_followup(session, r.set_id,
                                                          as_of=as_of).items)
        then = known[r.id]
        out.append({"set": r.set_id, "item": r.item, "status": then.status, "lead": r.lead,
                    "support": list(r.support or []), "theme": r.theme, "text": r.text,
                    "links": len(r.links), "gap": not r.links,
                    "awaiting_review": bool(then.awaiting)})
    return out


def item_detail(session: Session, set_id: str, item: str, as_of: date) -> dict[str, Any]:
    r = find_item(session, set_id, item)
    followup = read_followup(session, r.set_id, as_of=as_of)
    (then,) = [i for i in followup.items if i.id == r.id]
    progress = {(a.plan_id, a.activity_id): a for a in then.activities}
    facts = {u.id: u for u in then.updates}  # submitted by the day, reviewed as then
    return {
        "set": r.set_id, "source": r.set.source, "item": r.item, "text": r.text,
        "theme": r.theme, "status": then.status, "lead": r.lead,
        "support": list(r.support or []), "gap": not r.links, "as_of": as_of.isoformat(),
        "links": [{"plan": k.plan_id, "activity": k.activity_id,
                   "linked_by": k.linked_by, "linked_at": _shown(k.linked_at),
                   "occurrences": _occurrences(progress.get((k.plan_id, k.activity_id)))}
                  for k in r.links],
        "updates": [{"id": u.id, "status": u.status, "narrative": u.narrative,
                     "links": list(u.links or []),
                     "files": [a.get("name") for a in u.attachments or []
                               if isinstance(a, dict)],
                     "review": facts[u.id].review, "submitted_by": u.submitted_by,
                     "submitted_at": _shown(u.submitted_at),
                     "reviewed_by": facts[u.id].reviewed_by,
                     "reviewed_at": _shown(f) if (f := facts[u.id].reviewed_at) else None,
                     "reason": facts[u.id].review_reason}
                    for u in r.updates if u.id in facts],
    }


def _occurrences(a: ActivityProgress | None) -> dict[str, int]:
    """A linked activity's occurrences as the follow-up report counts them."""
    if a is None:
        return {"total": 0, "accepted": 0, "awaiting": 0, "open": 0, "overdue": 0}
    return {"total": a.total, "accepted": a.accepted, "awaiting": a.awaiting,
            "open": a.open, "overdue": a.overdue}


def _shown(when: Any) -> str:
    return str(when.astimezone(PLAN_TZ).isoformat(timespec="minutes"))
