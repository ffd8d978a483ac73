"""What the portal's pages read: a contact's work, the review queue, committee progress.

Each group is one indexed query with a limit, so *My work* costs the same whether the store
holds a year of one committee or the whole plan with a million evidence rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from naptip.actors import person
from naptip.catalog import Catalog
from naptip.orm import Evidence, OccurrenceRow
from naptip.reviewers import own_test

from .access import Viewer

GROUPS = ("overdue", "returned", "due", "awaiting", "done")
DUE_SOON_DAYS = 30
GROUP_LIMIT = 100


@dataclass(frozen=True)
class WorkItem:
    id: str
    title: str
    kind: str
    owner: str
    due: date
    progress: str
    role: str  #: lead, supporting or attending
    reason: str | None = None  #: the reviewer's, when returned


@dataclass(frozen=True)
class Supported:
    """What a set of committees supports, from the catalog: activity and duty ids."""

    activities: frozenset[str] = frozenset()
    duties: frozenset[str] = frozenset()

    @classmethod
    def of(cls, catalog: Catalog, scopes: set[str]) -> Supported:
        return cls(frozenset(a.id for a in catalog.activities.values()
                             if scopes & set(a.support)),
                   frozenset(d.id for d in catalog.duties.values() if scopes & set(d.support)))


def _mine(viewer: Viewer, catalog: Catalog, committee: str | None,
          ) -> ColumnElement[bool] | None:
    """Occurrences the viewer works on (None: all, for the secretariat). Supporting work
    is found by the catalog's activity and duty ids, which the indexes serve."""
    scopes = {committee} if committee else (None if viewer.secretariat else viewer.scopes())
    if scopes is None:
        return None
    if committee and not viewer.may_see_committee(committee):
        scopes = set()
    supported = Supported.of(catalog, scopes)
    return or_(OccurrenceRow.owner.in_(sorted(scopes)),
               OccurrenceRow.activity_id.in_(sorted(supported.activities)),
               OccurrenceRow.duty_id.in_(sorted(supported.duties)))


def group_query(name: str, viewer: Viewer, catalog: Catalog, today: date, *,
                committee: str | None = None, year: int | None = None,
                ) -> Select[OccurrenceRow]:
    """The query of one group of *My work* (overdue, returned, due, awaiting, done)."""
    base = [OccurrenceRow.plan_id == catalog.structure.plan.id,
            OccurrenceRow.withdrawn.is_(False)]
    mine = _mine(viewer, catalog, committee)
    if mine is not None:
        base.append(mine)
    if year:
        base.append(OccurrenceRow.due.between(date(year, 1, 1), date(year, 12, 31)))
    conditions: dict[str, ColumnElement[bool]] = {
        "overdue": and_(OccurrenceRow.progress == "open", OccurrenceRow.due < today),
        "returned": OccurrenceRow.progress == "returned",
        "due": and_(OccurrenceRow.progress == "open", OccurrenceRow.due >= today,
                    OccurrenceRow.due <= today + timedelta(days=DUE_SOON_DAYS)),
        "awaiting": OccurrenceRow.progress == "submitted",
        "done": OccurrenceRow.progress == "accepted",
    }
    # the latest first where the list only grows (overdue, done); else the soonest first
    order = OccurrenceRow.due.desc() if name in ("overdue", "done") else OccurrenceRow.due
    return (select(OccurrenceRow).where(*base, conditions[name])
            .order_by(order, OccurrenceRow.id).limit(GROUP_LIMIT))


def overdue_query(viewer: Viewer, catalog: Catalog, today: date,
                  ) -> Select[OccurrenceRow]:
    return group_query("overdue", viewer, catalog, today)


def my_work(session: Session, viewer: Viewer, catalog: Catalog, today: date, *,
            committee: str | None = None, year: int | None = None,
            ) -> dict[str, list[WorkItem]]:
    """A contact's work in groups, each at most GROUP_LIMIT items."""
    scopes = viewer.scopes()
    groups: dict[str, list[WorkItem]] = {}
    for name in GROUPS:
        query = group_query(name, viewer, catalog, today, committee=committee, year=year)
        rows = session.execute(query).scalars().all()
        groups[name] = [WorkItem(
            id=r.id, title=r.title, kind=r.kind, owner=r.owner, due=r.due, progress=r.progress,
            role=("attending" if r.kind in ("meeting", "review", "event") and r.owner not in
                  scopes else "lead" if r.owner in scopes or viewer.secretariat
                  else "supporting")) for r in rows]
    return groups


@dataclass(frozen=True)
class Queued:
    evidence_id: int
    occurrence_id: str
    title: str
    owner: str
    submitted_by: str
    submitted_at: datetime


def review_queue(session: Session, viewer: Viewer, plan_id: str) -> list[Queued]:
    """Submissions awaiting review that this viewer may review, oldest first (never their
    own)."""
    query = (select(Evidence, OccurrenceRow)
             .join(OccurrenceRow, OccurrenceRow.id == Evidence.occurrence_id)
             .where(Evidence.status == "submitted", OccurrenceRow.plan_id == plan_id)
             .order_by(Evidence.submitted_at, Evidence.id).limit(500))
    if not viewer.reviews_all:
        query = query.where(OccurrenceRow.owner.in_(sorted(viewer.scopes(("reviewer",)))))
    own = own_test(session, person(session, viewer.email), viewer.email)
    return [Queued(e.id, o.id, o.title, o.owner, e.submitted_by, e.submitted_at)
            for e, o in session.execute(query).all()
            if not own(e.submitted_by, e.submitter_contact)]


@dataclass(frozen=True)
class Bar:
    year: int
    pillar: str
    accepted: int
    total: int


def committee_progress(session: Session, committee: str, plan_id: str) -> list[Bar]:
    """Accepted out of all, by year and pillar, for the occurrences a committee owns."""
    year = func.extract("year", OccurrenceRow.due)
    # grouped by the bare column: PostgreSQL does not see two COALESCE(pillar, $n) with
    # separate parameters as the same expression (a 500 on the committee page)
    rows = session.execute(
        select(year, OccurrenceRow.pillar, OccurrenceRow.progress, func.count())
        .where(OccurrenceRow.plan_id == plan_id, OccurrenceRow.withdrawn.is_(False),
               OccurrenceRow.owner == committee)
        .group_by(year, OccurrenceRow.pillar, OccurrenceRow.progress)
    ).all()
    totals: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for y, pillar, progress, n in rows:
        cell = totals[(int(y), str(pillar or "-"))]
        cell[1] += int(n)
        if progress == "accepted":
            cell[0] += int(n)
    return [Bar(y, p, a, t) for (y, p), (a, t) in sorted(totals.items())]
