"""Recommendation sets seeded as ORM rows, for the read side's tests (the follow-up, its
report, the digest before an HLC-MAPO meeting), apart from the import/review services.

``seed_followup`` loads a small synthetic set whose figures the tests recompute by hand
(see ``EXPECTED``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from naptip.store.db import Database
from naptip.store.orm import (
    Recommendation,
    RecommendationLink,
    RecommendationSet,
    RecommendationUpdate,
)

PLAN = "naptip-3.0"
SET_ID = "synthetic-2023"


def at(day: str, hour: int = 2) -> datetime:
    """An instant on ``day`` (UTC; 02:00 UTC is 10:00 in Malaysia, the same day)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    item: str
    text: str
    lead: str | None
    support: Sequence[str] = ()
    theme: str | None = None
    links: Sequence[str] = ()  #: activity ids of NAPTIP 3.0
    #: (status, review, submitted day, reviewed day or None)
    updates: Sequence[tuple[str, str, str, str | None]] = ()


def add_set(db: Database, set_id: str, items: Sequence[Item], *, issued_on: date,
            source: str | None = None) -> dict[str, int]:
    """The set and its items, links and updates; returns item -> row id. An item's
    ``status`` column is its last accepted update's, as the review service keeps it."""

    def work(session: Session) -> dict[str, int]:
        session.add(RecommendationSet(
            id=set_id, source=source or f"Synthetic recommendations {set_id}",
            issued_on=issued_on, note="synthetic example for tests", created_by="tests",
            created_at=at(issued_on.isoformat())))
        session.flush()
        ids = {}
        for spec in items:
            accepted = [u for u in spec.updates if u[1] == "accepted"]
            row = Recommendation(set_id=set_id, item=spec.item, text=spec.text,
                                 theme=spec.theme, lead=spec.lead, support=list(spec.support),
                                 status=accepted[-1][0] if accepted else "not-started",
                                 updated_at=at(issued_on.isoformat()))
            session.add(row)
            session.flush()
            ids[spec.item] = row.id
            for activity in spec.links:
                session.add(RecommendationLink(recommendation_id=row.id, plan_id=PLAN,
                                               activity_id=activity, linked_by="tests",
                                               linked_at=at(issued_on.isoformat())))
            for status, review, submitted, reviewed in spec.updates:
                session.add(RecommendationUpdate(
                    recommendation_id=row.id, status=status, narrative=f"{status} note",
                    links=[], attachments=[], review=review, submitted_by=f"{spec.lead}.lead",
                    submitted_at=at(submitted),
                    reviewed_by="mapo.reviewer" if reviewed else None,
                    reviewed_at=at(reviewed) if reviewed else None,
                    review_reason="Say which agency." if review == "returned" else None))
            session.flush()
        return ids

    return db.write(work)


#: the synthetic set: lead committees, links to activities whose evidence
#: tests/report_seed.py seeds, and updates in every review state
ITEMS = (
    Item(item="R1", text="Amend the ATIPSOM Act.", lead="legislative", theme="law",
         support=("enforcement",), links=("S5-O2-i", "S1-O1-i"),
         updates=(("in-progress", "accepted", "2023-03-01", "2023-03-05"),
                  ("implemented", "submitted", "2024-02-01", None))),
    Item(item="R2", text="Train more officers.", lead="enforcement", links=("S7-O1-i",),
         updates=(("in-progress", "returned", "2023-04-01", "2023-04-03"),)),
    Item(item="R3", text="Publicise the hotline.", lead="media", links=("S9-O1-v",),
         updates=(("in-progress", "accepted", "2023-05-01", "2023-05-02"),
                  ("implemented", "accepted", "2024-01-10", "2024-01-20"))),
    Item(item="R4", text="Fund shelters.", lead="victim-care"),  # a gap
    Item(item="R5", text="Screen for forced labour.", lead="enforcement",
         updates=(("not-accepted", "accepted", "2023-06-01", "2023-06-02"),)),  # a gap
    Item(item="R6", text="Report every year.", lead=None, links=("S15-O4-i",),
         updates=(("in-progress", "accepted", "2024-08-01", "2024-08-02"),)),
)
