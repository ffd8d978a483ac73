"""Reading the store for reports: the few small functions that know its tables.

Everything the reports need from the store goes through these functions, so that a change
of the store (money in integer sen, a schedule written only by ``naptip sync``) is adapted
here and nowhere else. They use plain column selects, not ORM objects, so that a year with
hundreds of thousands of evidence rows reads in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from naptip.progress.progress import BreakdownFact, EvidenceFact, OccurrenceFact, ValueFact
from naptip.store.orm import (
    Attachment,
    Breakdown,
    Evidence,
    EvidenceValue,
    OccurrenceChange,
    OccurrenceRow,
    Review,
)

PLAN_TZ = ZoneInfo("Asia/Kuala_Lumpur")


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleChange:
    occurrence_id: str
    changed_on: date
    before: dict[str, Any]
    after: dict[str, Any]


def _day(instant: datetime | None) -> date | None:
    return instant.astimezone(PLAN_TZ).date() if instant is not None else None


def _amount(value: Any) -> Decimal | None:
    """Money as stored, in MYR (the one place to adapt when the store keeps sen)."""
    return None if value is None else Decimal(value)


def _in_scope(plan_id: str, years: Sequence[int], committee: str | None,
              ) -> list[ColumnElement[bool]]:
    """Occurrences of the plan about ``years`` (of one committee), and every one-off
    deliverable (whose one occurrence, at the end of its timeline, also answers for the
    years before)."""
    o = OccurrenceRow
    where = [o.plan_id == plan_id, o.withdrawn.is_(False),
             o.period.in_(list(years)) | (o.kind == "deliverable")]
    if committee is not None:
        where.append(o.owner == committee)
    return where


def read_occurrences(session: Session, plan_id: str, years: Sequence[int],
                     committee: str | None = None) -> list[OccurrenceFact]:
    o = OccurrenceRow
    query = (select(o.id, o.kind, o.title, o.owner, o.activity_id, o.pillar, o.period, o.due,
                    o.progress, o.duty_id)
             .where(*_in_scope(plan_id, years, committee)).order_by(o.due, o.id))
    return [OccurrenceFact(id=r[0], kind=r[1], title=r[2], owner=r[3], activity_id=r[4],
                           pillar=r[5], period=r[6], due=r[7], progress=r[8], duty=r[9])
            for r in session.execute(query)]


def read_evidence(session: Session, plan_id: str, years: Sequence[int],
                  committee: str | None = None, *, details: bool = True,
                  ) -> list[EvidenceFact]:
    """Every evidence row of the occurrences ``read_occurrences`` gives, with its values,
    breakdowns and files (``details=False``: only what statuses need, for the trend over
    past years). One query per table, joined to the occurrences in SQL."""
    e, o = Evidence, OccurrenceRow
    scope = _in_scope(plan_id, years, committee)
    rows = session.execute(
        select(e.id, e.occurrence_id, e.status, e.nil, e.done_on, e.submitted_at,
               e.submitted_by, e.reviewed_by, e.reviewed_at)
        .join(o, o.id == e.occurrence_id).where(*scope).order_by(e.id)).all()
    if not rows or not details:
        return [EvidenceFact(id=r[0], occurrence_id=r[1], status=r[2], nil=bool(r[3]),
                             done_on=r[4], submitted_on=_day(r[5]) or r[5],
                             reviewed_on=_day(r[8])) for r in rows]
    values: dict[int, list[ValueFact]] = {}
    v = EvidenceValue
    for vr in session.execute(
            select(v.evidence_id, v.indicator, v.kind, v.count, v.amount, v.percentage, v.flag)
            .join(e, e.id == v.evidence_id).join(o, o.id == e.occurrence_id).where(*scope)):
        values.setdefault(vr[0], []).append(ValueFact(
            indicator=vr[1], kind=vr[2], count=vr[3], amount=_amount(vr[4]),
            percentage=None if vr[5] is None else Decimal(vr[5]), flag=vr[6]))
    people: dict[int, list[BreakdownFact]] = {}
    b = Breakdown
    for br in session.execute(
            select(b.evidence_id, b.indicator, b.dimension, b.category, b.count)
            .join(e, e.id == b.evidence_id).join(o, o.id == e.occurrence_id).where(*scope)):
        people.setdefault(br[0], []).append(BreakdownFact(indicator=br[1], dimension=br[2],
                                                          category=br[3], count=br[4]))
    notes: dict[int, str | None] = {}
    rv = Review
    for rr in session.execute(
            select(rv.evidence_id, rv.reason)
            .join(e, e.id == rv.evidence_id).join(o, o.id == e.occurrence_id).where(*scope)
            .order_by(rv.reviewed_at, rv.id)):
        notes[rr[0]] = rr[1]  # the last review's words stand
    files: dict[int, list[tuple[str, str]]] = {}
    a = Attachment
    for ar in session.execute(
            select(a.evidence_id, a.sha256, a.original_name)
            .join(e, e.id == a.evidence_id).join(o, o.id == e.occurrence_id).where(*scope)
            .order_by(a.id)):
        files.setdefault(ar[0], []).append((ar[1], ar[2]))
    return [EvidenceFact(id=r[0], occurrence_id=r[1], status=r[2], nil=bool(r[3]),
                         done_on=r[4], submitted_on=_day(r[5]) or r[5], submitted_by=r[6],
                         reviewed_by=r[7], reviewed_on=_day(r[8]),
                         review_note=notes.get(r[0]) if r[8] is not None else None,
                         values=tuple(values.get(r[0], ())),
                         breakdown=tuple(people.get(r[0], ())),
                         attachments=tuple(files.get(r[0], ())))
            for r in rows]


def read_changes(session: Session, plan_id: str, years: Sequence[int],
                 as_of: date | None = None) -> list[ScheduleChange]:
    """What changed in the plan's schedule (the store's history): changes made during
    ``years``, and changes to the occurrences of ``years`` whenever they were made (up to
    ``as_of``, when given)."""
    c, o = OccurrenceChange, OccurrenceRow
    out = []
    for r in session.execute(select(c.occurrence_id, c.changed_at, c.before, c.after, o.period)
                             .join(o, o.id == c.occurrence_id)
                             .where(o.plan_id == plan_id).order_by(c.changed_at, c.id)):
        day = _day(r[1])
        if as_of is not None and day is not None and day > as_of:
            continue
        if day is not None and (day.year in years or r[4] in years):
            out.append(ScheduleChange(occurrence_id=r[0], changed_on=day, before=r[2],
                                      after=r[3]))
    return out
