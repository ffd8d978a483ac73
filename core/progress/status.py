"""Progress of the plan: done / due / overdue / upcoming, per committee and per pillar.

Computed in one grouped query over the occurrences (whose ``progress`` is kept in step
with their evidence), so it stays fast with millions of evidence rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from naptip.store.orm import OccurrenceRow

DUE_WINDOW_DAYS = 30  #: "due" means due within this many days; later is "upcoming"


@dataclass
class Counts:
    done: int = 0  #: evidence accepted
    submitted: int = 0  #: evidence awaiting review (and not yet past due)
    overdue: int = 0  #: past due, not done (awaiting review included)
    due: int = 0  #: due within the window, not done
    upcoming: int = 0  #: due later, not done

    @property
    def total(self) -> int:
        return self.done + self.submitted + self.overdue + self.due + self.upcoming

    def add(self, bucket: str, n: int) -> None:
        setattr(self, bucket, getattr(self, bucket) + n)


@dataclass
class StatusReport:
    as_of: date
    by_committee: dict[str, Counts] = field(default_factory=dict)
    by_pillar: dict[str, Counts] = field(default_factory=dict)
    total: Counts = field(default_factory=Counts)


def status_query(plan_id: str, as_of: date, *, committee: str | None = None,
                 year: int | None = None) -> Select[str, str | None, str, int]:
    o = OccurrenceRow
    soon = as_of + timedelta(days=DUE_WINDOW_DAYS)
    bucket = case(
        (o.progress == "accepted", "done"),
        (o.due < as_of, "overdue"),
        (o.progress == "submitted", "submitted"),
        (o.due <= soon, "due"),
        else_="upcoming",
    ).label("bucket")
    query = (select(o.owner, o.pillar, bucket, func.count().label("n"))
             .where(o.plan_id == plan_id, o.withdrawn.is_(False))
             .group_by(o.owner, o.pillar, bucket))
    if committee:
        query = query.where(o.owner == committee)
    if year:
        query = query.where(o.period == year)
    return query


def status(session: Session, plan_id: str, as_of: date, *, committee: str | None = None,
           year: int | None = None) -> StatusReport:
    report = StatusReport(as_of=as_of)
    rows = session.execute(status_query(plan_id, as_of, committee=committee, year=year))
    for owner, pillar, bucket, n in rows:
        report.by_committee.setdefault(owner, Counts()).add(bucket, n)
        report.by_pillar.setdefault(pillar or "-", Counts()).add(bucket, n)
        report.total.add(bucket, n)
    return report


@dataclass(frozen=True)
class Item:
    """One occurrence behind a count of the status report."""

    id: str
    title: str
    owner: str
    due: date
    group: str  #: overdue, due, awaiting review or returned


LIST_GROUPS = ("overdue", "due", "awaiting review", "returned")


def status_items(session: Session, plan_id: str, as_of: date, *, committee: str | None = None,
                 year: int | None = None) -> list[Item]:
    """The open work behind the counts: overdue, due within the window, awaiting review,
    and returned to its submitter; by group, then date."""
    o = OccurrenceRow
    soon = as_of + timedelta(days=DUE_WINDOW_DAYS)
    query = (select(o.id, o.title, o.owner, o.due, o.progress)
             .where(o.plan_id == plan_id, o.withdrawn.is_(False), o.progress != "accepted")
             .where((o.due <= soon) | o.progress.in_(("submitted", "returned")))
             .order_by(o.due, o.id))
    if committee:
        query = query.where(o.owner == committee)
    if year:
        query = query.where(o.period == year)
    items = []
    for oid, title, owner, due, progress in session.execute(query):
        if progress == "submitted":
            group = "awaiting review"
        elif progress == "returned":
            group = "returned"
        else:
            group = "overdue" if due < as_of else "due"
        items.append(Item(id=oid, title=title, owner=owner, due=due, group=group))
    return sorted(items, key=lambda i: (LIST_GROUPS.index(i.group), i.due, i.id))
