"""What the portal's pages read: a contact's work, the review queue, committee progress.

Each group is one indexed query with a limit (and a count when the group holds more than it
shows), so *My work* costs the same whether the store holds a year of one committee or the
whole plan with a million evidence rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from naptip.plan.catalog import Catalog
from naptip.store.actors import person
from naptip.store.orm import Evidence, OccurrenceRow
from naptip.store.reviewers import own_test
from naptip.web.access import Viewer

#: My work's groups, in the order a lead acts on them: what needs their action first
#: (returned, overdue, due soon), then what waits on others, what is done, and last the
#: other committees' work their committees only support
GROUPS = ("returned", "overdue", "due", "awaiting", "done", "supporting")
ACTION = ("returned", "overdue", "due")
DUE_SOON_DAYS = 30
PAGE = 25  #: items a group shows at first, and how many more each "show more" adds
MAX_SHOWN = 10_000


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
    days_late: int = 0  #: days past its due date, while not submitted


@dataclass(frozen=True)
class Group:
    name: str
    items: list[WorkItem]
    total: int  #: how many the group holds; ``items`` are the first of them

    @property
    def more(self) -> int:
        """How many the next "show more" adds (0: the group is complete)."""
        return min(PAGE, self.total - len(self.items))


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


def _scopes(viewer: Viewer, committee: str | None) -> set[str] | None:
    """The committees whose work is the viewer's own (None: all, for the secretariat)."""
    if committee:
        return {committee} if viewer.may_see_committee(committee) else set()
    return None if viewer.secretariat else viewer.scopes()


def _where(name: str, viewer: Viewer, catalog: Catalog, today: date,
           committee: str | None, year: int | None) -> list[ColumnElement[bool]]:
    base = [OccurrenceRow.plan_id == catalog.structure.plan.id,
            OccurrenceRow.withdrawn.is_(False)]
    scopes = _scopes(viewer, committee)
    if name == "supporting":
        if scopes is None:  # the secretariat's own is everything: nothing only supported
            return [*base, false()]
        supported = Supported.of(catalog, scopes)
        base += [OccurrenceRow.owner.not_in(sorted(scopes)),
                 or_(OccurrenceRow.activity_id.in_(sorted(supported.activities)),
                     OccurrenceRow.duty_id.in_(sorted(supported.duties))),
                 OccurrenceRow.progress.in_(("open", "returned", "submitted"))]
    elif scopes is not None:  # ix_occurrence_work: (plan_id, owner, progress, due)
        base.append(OccurrenceRow.owner.in_(sorted(scopes)))
    if year:
        base.append(OccurrenceRow.due.between(date(year, 1, 1), date(year, 12, 31)))
    conditions: dict[str, ColumnElement[bool]] = {
        "returned": OccurrenceRow.progress == "returned",
        "overdue": and_(OccurrenceRow.progress == "open", OccurrenceRow.due < today),
        "due": and_(OccurrenceRow.progress == "open", OccurrenceRow.due >= today,
                    OccurrenceRow.due <= today + timedelta(days=DUE_SOON_DAYS)),
        "awaiting": OccurrenceRow.progress == "submitted",
        "done": OccurrenceRow.progress == "accepted",
    }
    if name in conditions:
        base.append(conditions[name])
    return base


def group_query(name: str, viewer: Viewer, catalog: Catalog, today: date, *,
                committee: str | None = None, year: int | None = None,
                limit: int = PAGE) -> Select[OccurrenceRow]:
    """The query of one group of *My work*: the oldest first (overdue the longest at the
    top), except *done*, the latest first. For the viewer's own committees it reads
    ``ix_occurrence_work`` (plan, owner, progress, due) forwards."""
    order = OccurrenceRow.due.desc() if name == "done" else OccurrenceRow.due
    return (select(OccurrenceRow)
            .where(*_where(name, viewer, catalog, today, committee, year))
            .order_by(order, OccurrenceRow.id).limit(max(1, min(limit, MAX_SHOWN))))


def count_query(name: str, viewer: Viewer, catalog: Catalog, today: date, *,
                committee: str | None = None, year: int | None = None,
                ) -> Select[int]:
    """How many items one group holds (the counts at the top of *My work*)."""
    return (select(func.count()).select_from(OccurrenceRow)
            .where(*_where(name, viewer, catalog, today, committee, year)))


def overdue_query(viewer: Viewer, catalog: Catalog, today: date,
                  ) -> Select[OccurrenceRow]:
    return group_query("overdue", viewer, catalog, today)


def my_work(session: Session, viewer: Viewer, catalog: Catalog, today: date, *,
            committee: str | None = None, year: int | None = None,
            shown: Mapping[str, int] | None = None) -> dict[str, Group]:
    """A contact's work in GROUPS order, each group with its total and its first
    ``shown[name]`` items (PAGE by default)."""
    scopes = viewer.scopes()
    groups: dict[str, Group] = {}
    for name in GROUPS:
        limit = (shown or {}).get(name, PAGE)
        rows = session.execute(group_query(name, viewer, catalog, today, committee=committee,
                                           year=year, limit=limit)).scalars().all()
        total = len(rows) if len(rows) < limit else int(session.execute(count_query(
            name, viewer, catalog, today, committee=committee, year=year)).scalar_one())
        groups[name] = Group(name, [WorkItem(
            id=r.id, title=r.title, kind=r.kind, owner=r.owner, due=r.due, progress=r.progress,
            role=("attending" if r.kind in ("meeting", "review", "event") and r.owner not in
                  scopes else "lead" if r.owner in scopes or viewer.secretariat
                  else "supporting"),
            days_late=max(0, (today - r.due).days) if r.progress in ("open", "returned")
            else 0) for r in rows], total)
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
