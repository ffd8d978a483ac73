"""What ``naptip recommendations sets|list|show`` print, as plain data (JSON-ready): the
sets with their counts, items with their owners, links and gaps, and one item with its
linked activities' state in the store (their occurrences done, awaiting review, overdue,
due, upcoming, as ``naptip status`` counts them) and its updates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from naptip.progress.recommendations.items import find_item, find_set
from naptip.progress.status import DUE_WINDOW_DAYS
from naptip.store.orm import OccurrenceRow, Recommendation, RecommendationSet
from naptip.time.clock import PLAN_TZ

__all__ = ["activity_states", "item_detail", "item_rows", "set_rows"]

_BUCKETS = ("done", "submitted", "overdue", "due", "upcoming")


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


def item_rows(session: Session, *, set_id: str | None = None, committee: str | None = None,
              gaps: bool = False) -> list[dict[str, Any]]:
    """Items in set, then import, order; ``committee``: led or supported by it;
    ``gaps``: only the ones no activity answers."""
    query = select(Recommendation).order_by(Recommendation.set_id, Recommendation.id)
    if set_id is not None:
        query = query.where(Recommendation.set_id == find_set(session, set_id).id)
    out = []
    for r in session.execute(query).scalars():
        if committee and committee != r.lead and committee not in (r.support or []):
            continue
        if gaps and r.links:
            continue
        out.append({"set": r.set_id, "item": r.item, "status": r.status, "lead": r.lead,
                    "support": list(r.support or []), "theme": r.theme, "text": r.text,
                    "links": len(r.links), "gap": not r.links,
                    "awaiting_review": any(u.review == "submitted" for u in r.updates)})
    return out


def activity_states(session: Session, pairs: list[tuple[str, str]], as_of: date,
                    ) -> dict[tuple[str, str], dict[str, int]]:
    """Each (plan, activity)'s occurrences in the store by bucket."""
    if not pairs:
        return {}
    o = OccurrenceRow
    soon = as_of + timedelta(days=DUE_WINDOW_DAYS)
    bucket = case((o.progress == "accepted", "done"), (o.due < as_of, "overdue"),
                  (o.progress == "submitted", "submitted"), (o.due <= soon, "due"),
                  else_="upcoming").label("bucket")
    activities = sorted({a for _, a in pairs})
    rows = session.execute(select(o.plan_id, o.activity_id, bucket, func.count())
                           .where(o.withdrawn.is_(False), o.activity_id.in_(activities))
                           .group_by(o.plan_id, o.activity_id, bucket)).all()
    out: dict[tuple[str, str], dict[str, int]] = {p: dict.fromkeys(_BUCKETS, 0)
                                                   for p in pairs}
    for plan_id, activity_id, name, n in rows:
        key = (plan_id, activity_id)
        if key in out:
            out[key][name] += n
    return out


def item_detail(session: Session, set_id: str, item: str, as_of: date) -> dict[str, Any]:
    r = find_item(session, set_id, item)
    pairs = [(k.plan_id, k.activity_id) for k in r.links]
    states = activity_states(session, pairs, as_of)
    return {
        "set": r.set_id, "source": r.set.source, "item": r.item, "text": r.text,
        "theme": r.theme, "status": r.status, "lead": r.lead,
        "support": list(r.support or []), "gap": not r.links, "as_of": as_of.isoformat(),
        "links": [{"plan": k.plan_id, "activity": k.activity_id,
                   "linked_by": k.linked_by, "linked_at": _shown(k.linked_at),
                   "occurrences": states[(k.plan_id, k.activity_id)]} for k in r.links],
        "updates": [{"id": u.id, "status": u.status, "narrative": u.narrative,
                     "links": list(u.links or []),
                     "files": [a.get("name") for a in u.attachments or []
                               if isinstance(a, dict)],
                     "review": u.review, "submitted_by": u.submitted_by,
                     "submitted_at": _shown(u.submitted_at), "reviewed_by": u.reviewed_by,
                     "reviewed_at": _shown(u.reviewed_at) if u.reviewed_at else None,
                     "reason": u.review_reason} for u in r.updates],
    }


def _shown(when: Any) -> str:
    return str(when.astimezone(PLAN_TZ).isoformat(timespec="minutes"))
