"""Finding a set and an item as people name them: ids in any case, a miss with what is
close."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naptip.base.lookup import suggestion
from naptip.base.text import echo_cut
from naptip.base.values import EvidenceError
from naptip.store.orm import Recommendation, RecommendationSet

__all__ = ["find_item", "find_set"]


def find_set(session: Session, set_id: str) -> RecommendationSet:
    given = set_id.strip()
    found = session.get(RecommendationSet, given) if len(given) <= 60 else None
    if found is None and len(given) <= 60:
        found = session.execute(select(RecommendationSet).where(
            func.lower(RecommendationSet.id) == given.lower())).scalars().first()
    if found is None:
        known = session.execute(select(RecommendationSet.id)).scalars().all()
        hint = suggestion(given, known)
        raise EvidenceError(f"no recommendation set {echo_cut(given)!r}"
                            + (hint or " (`naptip recommendations sets` lists them; "
                               "`naptip recommendations import` adds one)"))
    return found


def find_item(session: Session, set_id: str, item: str, *, lock: bool = False,
              ) -> Recommendation:
    """Item ``item`` of set ``set_id`` (``lock``: for update, in a write transaction)."""
    rset = find_set(session, set_id)
    query = select(Recommendation).where(Recommendation.set_id == rset.id,
                                         func.lower(Recommendation.item)
                                         == item.strip().lower()[:40])
    if lock:
        query = query.with_for_update()
    found = session.execute(query).scalars().first()
    if found is None:
        known = session.execute(select(Recommendation.item).where(
            Recommendation.set_id == rset.id)).scalars().all()
        hint = suggestion(item, known)
        raise EvidenceError(f"set {rset.id} has no item {echo_cut(item)!r}"
                            + (hint or f" (`naptip recommendations list --set {rset.id}`)"))
    return found
