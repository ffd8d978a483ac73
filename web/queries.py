"""What the portal's pages read: a contact's work, the review queue, committee progress.

Each group is one indexed query with a limit (and a count when the group holds more than it
shows), so *My work* costs the same whether the store holds a year of one committee or the
whole plan with a million evidence rows. The groups and their counts travel in one
statement: on a busy machine each round trip to the database costs more than reading a
group from its index (bench/README.md has the figures and the plans).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    ScalarSelect,
    Select,
    String,
    Text,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import QueryableAttribute, Session

from naptip.plan.catalog import Catalog
from naptip.store.actors import person
from naptip.store.orm import Evidence, OccurrenceRow, Review
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


#: a statement of *My work*'s rows (columns of several types)
Rows = Select[*tuple[Any, ...]]

#: what a group's statement holds besides its shape: filled in at each execution
_PLAN = bindparam("plan_id", type_=String())
_SCOPES = bindparam("scopes", expanding=True, type_=String())
_ACTIVITIES = bindparam("supported_activities", expanding=True, type_=String())
_DUTIES = bindparam("supported_duties", expanding=True, type_=String())
_TODAY = bindparam("today", type_=Date())
_SOON = bindparam("soon", type_=Date())
_FIRST = bindparam("year_first", type_=Date())
_LAST = bindparam("year_last", type_=Date())


#: a viewer of up to this many committees has each group read committee by committee
SPLIT_OWNERS = 8


@dataclass(frozen=True)
class _Shape:
    """What decides the structure of a group's statement (the rest are parameters)."""

    scoped: bool  #: names the owners (not the secretariat's own view of everything)
    owners: int  #: the owners read one by one (0: all at once, ``owner IN``)
    year: bool


def _values(viewer: Viewer, catalog: Catalog, today: date, committee: str | None,
            year: int | None) -> tuple[_Shape, dict[str, object]]:
    """The statement's shape and the values of its parameters."""
    scopes = _scopes(viewer, committee)
    owners = sorted(scopes or ())
    supported = Supported.of(catalog, scopes) if scopes is not None else Supported()
    split = len(owners) if 2 <= len(owners) <= SPLIT_OWNERS else 0
    return _Shape(scopes is not None, split, year is not None), {
        "plan_id": catalog.structure.plan.id, "scopes": owners,
        **{f"owner_{i}": owner for i, owner in enumerate(owners[:split])},
        "supported_activities": sorted(supported.activities),
        "supported_duties": sorted(supported.duties),
        "today": today, "soon": today + timedelta(days=DUE_SOON_DAYS),
        "year_first": date(year or 1, 1, 1), "year_last": date(year or 1, 12, 31)}


def _where(name: str, shape: _Shape, owner: int | None = None) -> list[ColumnElement[bool]]:
    """A group's conditions: for the viewer's owners (``owner``: only the owner in
    parameter ``owner_<n>``)."""
    base = [OccurrenceRow.plan_id == _PLAN, OccurrenceRow.withdrawn.is_(False)]
    if name == "supporting":
        if not shape.scoped:  # the secretariat's own is everything: nothing only supported
            return [*base, false()]
        base += [OccurrenceRow.owner.not_in(_SCOPES),
                 or_(OccurrenceRow.activity_id.in_(_ACTIVITIES),
                     OccurrenceRow.duty_id.in_(_DUTIES)),
                 OccurrenceRow.progress.in_(("open", "returned", "submitted"))]
    elif owner is not None:
        base.append(OccurrenceRow.owner == bindparam(f"owner_{owner}", type_=String()))
    elif shape.scoped:  # ix_occurrence_work: (plan_id, withdrawn, owner, progress, due, id)
        base.append(OccurrenceRow.owner.in_(_SCOPES))
    if shape.year:
        base.append(OccurrenceRow.due.between(_FIRST, _LAST))
    conditions: dict[str, ColumnElement[bool]] = {
        "returned": OccurrenceRow.progress == "returned",
        "overdue": and_(OccurrenceRow.progress == "open", OccurrenceRow.due < _TODAY),
        "due": and_(OccurrenceRow.progress == "open", OccurrenceRow.due >= _TODAY,
                    OccurrenceRow.due <= _SOON),
        "awaiting": OccurrenceRow.progress == "submitted",
        "done": OccurrenceRow.progress == "accepted",
    }
    if name in conditions:
        base.append(conditions[name])
    return base


def _order(name: str, due: ColumnElement[Any] | QueryableAttribute[Any],
           oid: ColumnElement[Any] | QueryableAttribute[Any]) -> tuple[Any, ...]:
    return (due.desc(), oid.desc()) if name == "done" else (due, oid)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_SHOWN))


def _rows(name: str, shape: _Shape, limit: ColumnElement[int]) -> Rows:
    """A group's first ``limit`` rows, in its order. An index keeps one owner's entries in
    (due, id) order, not several owners' together: for a viewer of several committees
    each committee's first rows are read from its own range of ``ix_occurrence_work``,
    and the first of those kept (instead of walking ``ix_occurrence_plan_due``)."""
    columns = (OccurrenceRow.id, OccurrenceRow.title, OccurrenceRow.kind,
               OccurrenceRow.owner, OccurrenceRow.due, OccurrenceRow.progress)
    if not shape.owners or name == "supporting":
        return (select(*columns).where(*_where(name, shape))
                .order_by(*_order(name, OccurrenceRow.due, OccurrenceRow.id)).limit(limit))
    each = [select(*columns).where(*_where(name, shape, owner=i))
            .order_by(*_order(name, OccurrenceRow.due, OccurrenceRow.id)).limit(limit)
            .subquery() for i in range(shape.owners)]
    merged = union_all(*(select(*part.c) for part in each)).subquery()
    return (select(*merged.c).order_by(*_order(name, merged.c.due, merged.c.id))
            .limit(limit))


def group_query(name: str, viewer: Viewer, catalog: Catalog, today: date, *,
                committee: str | None = None, year: int | None = None,
                limit: int = PAGE) -> Rows:
    """The rows of one group of *My work*, as the page reads them: the oldest first
    (overdue the longest at the top), except *done*, the latest first. For each of the
    viewer's own committees it is the first ``limit`` entries of one range of
    ``ix_occurrence_work`` (plan, withdrawn, owner, progress, due, id), read forwards
    (*done*: backwards), with nothing to sort."""
    shape, values = _values(viewer, catalog, today, committee, year)
    return _rows(name, shape, literal(_limit(limit))).params(values)


def count_query(name: str, viewer: Viewer, catalog: Catalog, today: date, *,
                committee: str | None = None, year: int | None = None,
                ) -> Select[int]:
    """How many items one group holds (the counts at the top of *My work*)."""
    shape, values = _values(viewer, catalog, today, committee, year)
    return (select(func.count()).select_from(OccurrenceRow)
            .where(*_where(name, shape)).params(values))


def overdue_query(viewer: Viewer, catalog: Catalog, today: date,
                  ) -> Rows:
    return group_query("overdue", viewer, catalog, today)


def _latest_reason(occurrence: ColumnElement[str]) -> ScalarSelect[str | None]:
    """The reviewer's reason of an occurrence's latest return (as ``latest_returns``)."""
    return (select(Review.reason).join(Evidence, Evidence.id == Review.evidence_id)
            .where(Evidence.occurrence_id == occurrence, Review.decision == "returned")
            .order_by(Review.reviewed_at.desc(), Review.id.desc()).limit(1)
            .scalar_subquery())


@lru_cache(maxsize=32)
def _work_statement(shape: _Shape) -> Rows:
    """The shape of *My work*'s one statement, built once: building it costs more than
    running it (tens of ms of SQLAlchemy on a busy machine); its values are parameters."""
    members = []
    for number, name in enumerate(GROUPS):
        limit = bindparam(f"limit_{name}", type_=Integer())
        rows = _rows(name, shape, limit).subquery()
        counted = (select(func.count()).select_from(OccurrenceRow)
                   .where(*_where(name, shape)).scalar_subquery())
        here = func.count().over()
        members.append(select(
            literal(number).label("grp"),
            func.row_number().over(order_by=_order(name, rows.c.due, rows.c.id)).label("pos"),
            case((here < limit, here), else_=counted).label("total"),
            (_latest_reason(rows.c.id) if name == "returned" else cast(null(), Text))
            .label("reason"),
            *rows.c))
    work = union_all(*members).subquery("work")
    return select(*work.c).order_by(work.c.grp, work.c.pos)


def work_query(viewer: Viewer, catalog: Catalog, today: date, *,
               committee: str | None = None, year: int | None = None,
               shown: Mapping[str, int] | None = None) -> Rows:
    """Every group of *My work* in one statement: each group's first rows (what its
    ``group_query`` reads), numbered in its order, with its total. The total is counted
    only for a group that fills its page (a scalar subquery the database evaluates only
    when asked); a shorter group's total is its number of rows."""
    shape, values = _values(viewer, catalog, today, committee, year)
    return _work_statement(shape).params({**values, **_limits(shown)})


def _limits(shown: Mapping[str, int] | None) -> dict[str, int]:
    return {f"limit_{name}": _limit((shown or {}).get(name, PAGE)) for name in GROUPS}


def my_work(session: Session, viewer: Viewer, catalog: Catalog, today: date, *,
            committee: str | None = None, year: int | None = None,
            shown: Mapping[str, int] | None = None) -> dict[str, Group]:
    """A contact's work in GROUPS order, each group with its total and its first
    ``shown[name]`` items (PAGE by default)."""
    scopes = viewer.scopes()
    items: dict[str, list[WorkItem]] = {name: [] for name in GROUPS}
    totals = dict.fromkeys(GROUPS, 0)
    shape, values = _values(viewer, catalog, today, committee, year)
    for r in session.execute(_work_statement(shape), {**values, **_limits(shown)}):
        name = GROUPS[r.grp]
        totals[name] = int(r.total)
        items[name].append(WorkItem(
            id=r.id, title=r.title, kind=r.kind, owner=r.owner, due=r.due, progress=r.progress,
            reason=r.reason,
            role=("attending" if r.kind in ("meeting", "review", "event") and r.owner not in
                  scopes else "lead" if r.owner in scopes or viewer.secretariat
                  else "supporting"),
            days_late=max(0, (today - r.due).days) if r.progress in ("open", "returned")
            else 0))
    return {name: Group(name, items[name], totals[name]) for name in GROUPS}


@dataclass(frozen=True)
class Queued:
    evidence_id: int
    occurrence_id: str
    title: str
    owner: str
    submitted_by: str
    submitted_at: datetime


def review_queue(session: Session, viewer: Viewer, plan_ids: Sequence[str],
                 ) -> list[Queued]:
    """Submissions awaiting review, of the plans ``plan_ids``, that this viewer may
    review, oldest first (never their own)."""
    query = (select(Evidence, OccurrenceRow)
             .join(OccurrenceRow, OccurrenceRow.id == Evidence.occurrence_id)
             .where(Evidence.status == "submitted", OccurrenceRow.plan_id.in_(plan_ids))
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


#: the groups of a closed plan's *My work*: only what its reminders still chase
CLOSED_GROUPS = ("returned", "overdue", "due", "awaiting")


def closed_plan_work(session: Session, viewer: Viewer, catalog: Catalog, today: date,
                     closing: frozenset[str], *, committee: str | None = None,
                     year: int | None = None) -> dict[str, Group]:
    """A closed plan's part of a contact's work: what its reminders still chase (items
    re-opened on purpose, towards their new deadline; returned evidence; its final
    evaluation's open work, ``closing``: those duties' ids) and what of it awaits review.
    Few rows: read whole, not paged."""
    from naptip.plan.lifecycle import read_life

    plan = catalog.structure.plan
    reopened = {oid: again for oid, again in read_life(session, plan).reopened.items()
                if today >= again.on}
    scopes = _scopes(viewer, committee)
    query = (select(OccurrenceRow.id, OccurrenceRow.title, OccurrenceRow.kind,
                    OccurrenceRow.owner, OccurrenceRow.due, OccurrenceRow.progress,
                    _latest_reason(OccurrenceRow.id.expression).label("reason"))
             .where(OccurrenceRow.plan_id == plan.id, OccurrenceRow.withdrawn.is_(False),
                    OccurrenceRow.progress.in_(("open", "returned", "submitted")),
                    or_(OccurrenceRow.progress != "open",
                        OccurrenceRow.id.in_(sorted(reopened)),
                        OccurrenceRow.duty_id.in_(sorted(closing))))
             .order_by(OccurrenceRow.due, OccurrenceRow.id).limit(MAX_SHOWN))
    if scopes is not None:
        query = query.where(OccurrenceRow.owner.in_(sorted(scopes)))
    items: dict[str, list[WorkItem]] = {name: [] for name in CLOSED_GROUPS}
    for r in session.execute(query):
        due = reopened[r.id].due if r.id in reopened else r.due
        if year is not None and due.year != year:
            continue
        name = ("returned" if r.progress == "returned" else "awaiting"
                if r.progress == "submitted" else "overdue" if due < today else "due")
        items[name].append(WorkItem(
            id=r.id, title=r.title, kind=r.kind, owner=r.owner, due=due,
            progress=r.progress, role="lead",
            reason=r.reason if r.progress == "returned" else None,
            days_late=max(0, (today - due).days) if r.progress in ("open", "returned")
            else 0))
    return {name: Group(name, sorted(found, key=lambda i: (i.due, i.id)), len(found))
            for name, found in items.items()}
