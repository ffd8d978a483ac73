"""The follow-up of a recommendation set, as of a day (pure reads, no writes).

For one set (optionally only the items one committee leads): each item with its status,
its latest status update and that update's review, the updates awaiting review, and the
plan activities linked to it with their progress in the store; the items by status, by
lead committee and status, and the gaps (items no activity answers).

What counts is what was known at the end of the as-of day (plan time zone), as in the
progress reports (:func:`naptip.progress.progress.as_known_on`): an update submitted
later is not seen, an update reviewed later is still awaiting review, and an item's
status is the one its last update *accepted by that day* gave (``not-started`` until
then). Links are the item's structure and count whenever they were made.

An activity's progress counts its occurrences in the store (withdrawn ones left out), all
years: accepted (its evidence accepted), awaiting review, open (not accepted) and overdue
(open and past due), as the progress report judges an occurrence. An activity with no
occurrence in the store (another plan not synced here, an id since removed) shows zeros
and ``known=False``.

Six queries in all, whatever the number of items: the set, its items, their links, their
updates, the linked activities' occurrences and those occurrences' evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.progress.progress import EvidenceFact, as_known_on
from naptip.progress.recommendations.refs import STATUSES
from naptip.store.orm import (
    Evidence,
    OccurrenceRow,
    Recommendation,
    RecommendationLink,
    RecommendationSet,
    RecommendationUpdate,
)
from naptip.time.clock import PLAN_TZ

__all__ = [
    "OPEN_STATUSES",
    "STATUSES",
    "ActivityProgress",
    "FollowUp",
    "FollowUpError",
    "ItemFollowUp",
    "UpdateFact",
    "read_followup",
    "read_set_ids",
]

#: not yet implemented (and not refused): what the leads are reminded of
OPEN_STATUSES = ("not-started", "in-progress")
NO_LEAD = ""  #: the key of items with no lead committee in ``by_committee``


class FollowUpError(NaptipError):
    """A follow-up that cannot be read as asked (an unknown set)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateFact:
    """A lead's status update, as it stood on the as-of day."""

    id: int
    status: str  #: the status it proposes
    narrative: str
    review: str  #: submitted, accepted, returned or withdrawn (on the as-of day)
    submitted_by: str
    submitted_on: date
    reviewed_by: str | None
    reviewed_on: date | None
    reviewed_at: datetime | None  #: the instant, which orders same-day reviews
    review_reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityProgress:
    """A linked activity's occurrences in the store, on the as-of day."""

    plan_id: str
    activity_id: str
    owner: str | None  #: the committee its occurrences belong to (None: none stored)
    total: int
    accepted: int
    awaiting: int  #: open, with evidence awaiting review
    open: int  #: not accepted
    overdue: int  #: open and past due

    @property
    def known(self) -> bool:
        return self.total > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemFollowUp:
    id: int  #: the row's id
    item: str  #: the id within its set: "R1"
    text: str
    theme: str | None
    lead: str | None
    support: tuple[str, ...]
    status: str
    accepted: UpdateFact | None  #: the update that gave the status
    latest: UpdateFact | None  #: the last update submitted, whatever its review
    awaiting: tuple[UpdateFact, ...]  #: updates awaiting review, oldest first
    activities: tuple[ActivityProgress, ...]
    updates: tuple[UpdateFact, ...] = ()  #: all it had by the as-of day, oldest first

    @property
    def gap(self) -> bool:
        """No plan activity answers it."""
        return not self.activities

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUp:
    set_id: str
    source: str
    issued_on: date
    url: str | None
    note: str | None
    as_of: date
    committee: str | None  #: only the items it leads, when given
    items: tuple[ItemFollowUp, ...]  #: in the set's order

    @property
    def by_status(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for i in self.items:
            counts[i.status] = counts.get(i.status, 0) + 1
        return counts

    @property
    def by_committee(self) -> dict[str, dict[str, int]]:
        """Lead committee -> status -> items, committees in order of first appearance
        (items with no lead under ``NO_LEAD``)."""
        out: dict[str, dict[str, int]] = {}
        for i in self.items:
            row = out.setdefault(i.lead or NO_LEAD, dict.fromkeys(STATUSES, 0))
            row[i.status] = row.get(i.status, 0) + 1
        return out

    @property
    def gaps(self) -> tuple[ItemFollowUp, ...]:
        return tuple(i for i in self.items if i.gap)

    @property
    def awaiting_review(self) -> int:
        return sum(len(i.awaiting) for i in self.items)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _day(instant: datetime | None) -> date | None:
    return instant.astimezone(PLAN_TZ).date() if instant is not None else None


def read_set_ids(session: Session, *, issued_by: date | None = None) -> list[str]:
    """The sets in the store (issued on or before ``issued_by``, when given), oldest
    first."""
    s = RecommendationSet
    query = select(s.id).order_by(s.issued_on, s.id)
    if issued_by is not None:
        query = query.where(s.issued_on <= issued_by)
    return list(session.scalars(query))


def read_followup(session: Session, set_id: str, *, as_of: date,
                  committee: str | None = None) -> FollowUp:
    """The follow-up of set ``set_id`` on ``as_of`` (of the items ``committee`` leads)."""
    rs = RecommendationSet  # columns, not the ORM object (which would load its items)
    s = session.execute(select(rs.id, rs.source, rs.issued_on, rs.url, rs.note)
                        .where(rs.id == set_id)).first()
    if s is None:
        known = ", ".join(read_set_ids(session)) or "none loaded"
        raise FollowUpError(f"unknown recommendation set {set_id!r} (known: {known})")
    r = Recommendation
    query = (select(r.id, r.item, r.text, r.theme, r.lead, r.support)
             .where(r.set_id == set_id).order_by(r.id))
    if committee is not None:
        query = query.where(r.lead == committee)
    items = session.execute(query).all()
    ids = [row[0] for row in items]
    links = _links(session, ids)
    updates = _updates(session, ids, as_of)
    progress = _activities(session, {(p, a) for rows in links.values() for p, a in rows},
                           as_of)
    out = []
    for rid, item, text, theme, lead, support in items:
        mine = updates.get(rid, [])
        accepted = [u for u in mine if u.review == "accepted"]
        last = max(accepted, key=lambda u: (u.reviewed_at or _EPOCH, u.id), default=None)
        out.append(ItemFollowUp(
            id=rid, item=item, text=text, theme=theme, lead=lead,
            support=tuple(support or ()), status=last.status if last else "not-started",
            accepted=last, latest=mine[-1] if mine else None,
            awaiting=tuple(u for u in mine if u.review == "submitted"),
            activities=tuple(progress[key] for key in links.get(rid, [])),
            updates=tuple(mine)))
    return FollowUp(set_id=s.id, source=s.source, issued_on=s.issued_on, url=s.url,
                    note=s.note, as_of=as_of, committee=committee, items=tuple(out))


def _links(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    out: dict[int, list[tuple[str, str]]] = {}
    if not ids:
        return out
    k = RecommendationLink
    for rid, plan_id, activity_id in session.execute(
            select(k.recommendation_id, k.plan_id, k.activity_id)
            .where(k.recommendation_id.in_(ids)).order_by(k.recommendation_id, k.id)):
        out.setdefault(rid, []).append((plan_id, activity_id))
    return out


def _updates(session: Session, ids: Sequence[int], as_of: date,
             ) -> dict[int, list[UpdateFact]]:
    """Each item's updates known at the end of ``as_of``, oldest first."""
    out: dict[int, list[UpdateFact]] = {}
    if not ids:
        return out
    u = RecommendationUpdate
    for row in session.execute(
            select(u.recommendation_id, u.id, u.status, u.narrative, u.review,
                   u.submitted_by, u.submitted_at, u.reviewed_by, u.reviewed_at,
                   u.review_reason)
            .where(u.recommendation_id.in_(ids)).order_by(u.recommendation_id, u.id)):
        submitted = _day(row[6])
        if submitted is None or submitted > as_of:
            continue
        at: datetime | None = row[8]
        reviewed = _day(at)
        review, by, reason = row[4], row[7], row[9]
        if reviewed is not None and reviewed > as_of:  # not yet reviewed on that day
            review, by, reviewed, at, reason = "submitted", None, None, None, None
        out.setdefault(row[0], []).append(UpdateFact(
            id=row[1], status=row[2], narrative=row[3], review=review,
            submitted_by=row[5], submitted_on=submitted, reviewed_by=by,
            reviewed_on=reviewed, reviewed_at=at, review_reason=reason))
    return out


def _activities(session: Session, wanted: set[tuple[str, str]], as_of: date,
                ) -> dict[tuple[str, str], ActivityProgress]:
    """The progress of each (plan, activity) in ``wanted``: two queries in all."""
    if not wanted:
        return {}
    o, e = OccurrenceRow, Evidence
    plans = sorted({p for p, _a in wanted})
    activities = sorted({a for _p, a in wanted})
    scope = (o.plan_id.in_(plans), o.activity_id.in_(activities), o.withdrawn.is_(False))
    occurrences = [r for r in session.execute(
        select(o.id, o.plan_id, o.activity_id, o.owner, o.due).where(*scope))
        if (r[1], r[2]) in wanted]
    evidence = as_known_on((
        EvidenceFact(id=r[0], occurrence_id=r[1], status=r[2], nil=bool(r[3]),
                     done_on=None, submitted_on=_day(r[4]) or as_of,
                     reviewed_on=_day(r[5]))
        for r in session.execute(
            select(e.id, e.occurrence_id, e.status, e.nil, e.submitted_at, e.reviewed_at)
            .join(o, o.id == e.occurrence_id).where(*scope))), as_of)
    accepted = {f.occurrence_id for f in evidence if f.accepted}
    waiting = {f.occurrence_id for f in evidence if f.status == "submitted"}
    tally: dict[tuple[str, str], list[int]] = {key: [0, 0, 0, 0] for key in wanted}
    owners: dict[tuple[str, str], str] = {}
    for oid, plan_id, activity_id, owner, due in occurrences:
        key = (plan_id, activity_id or "")
        owners.setdefault(key, owner)
        counts = tally[key]
        counts[0] += 1
        if oid in accepted:
            counts[1] += 1
        else:
            counts[2] += oid in waiting
            counts[3] += due < as_of
    return {key: ActivityProgress(plan_id=key[0], activity_id=key[1], owner=owners.get(key),
                                  total=c[0], accepted=c[1], awaiting=c[2],
                                  open=c[0] - c[1], overdue=c[3])
            for key, c in tally.items()}
