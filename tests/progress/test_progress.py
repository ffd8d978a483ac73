"""The progress model on hand-made facts (no store): statuses, actuals, on-time rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from naptip.plan.catalog import Catalog
from naptip.progress.progress import (
    BreakdownFact,
    EvidenceFact,
    OccurrenceFact,
    ValueFact,
    build_progress,
)


def occ(oid: str, activity: str, period: int, due: date, kind: str = "progress-report",
        owner: str = "media") -> OccurrenceFact:
    return OccurrenceFact(id=oid, kind=kind, title=oid, owner=owner, activity_id=activity,
                          pillar="P1", period=period, due=due, progress="open")


def ev(eid: int, oid: str, status: str = "accepted", *values: ValueFact,
       submitted: date = date(2024, 1, 2), done: date | None = None,
       nil: bool = False, people: tuple[BreakdownFact, ...] = ()) -> EvidenceFact:
    return EvidenceFact(id=eid, occurrence_id=oid, status=status, nil=nil, done_on=done,
                        submitted_on=submitted, values=values, breakdown=people)


def test_statuses_and_actuals(builtin_catalog: Catalog) -> None:
    cat = builtin_catalog
    due = date(2024, 1, 31)
    facts = [occ("S9-O1-v@2023", "S9-O1-v", 2023, due),
             occ("S9-O1-iii@2023", "S9-O1-iii", 2023, due),
             occ("S9-O4-i@2023", "S9-O4-i", 2023, due),
             occ("S10-O1-i@deliverable", "S10-O1-i", 2025, date(2025, 12, 31),
                 kind="deliverable")]
    evidence = [
        ev(1, "S9-O1-v@2023", "accepted", ValueFact(indicator=1, kind="count", count=2)),
        ev(2, "S9-O1-v@2023", "returned", ValueFact(indicator=1, kind="count", count=99)),
        ev(3, "S9-O1-iii@2023", "submitted", ValueFact(indicator=1, kind="count", count=7),
           people=(BreakdownFact(indicator=1, dimension="sex", category="female", count=7),)),
        ev(4, "S10-O1-i@deliverable", "accepted", submitted=date(2023, 5, 1)),
    ]
    # S10-O1-i's deliverable was accepted early: but it has no document value or files
    p = build_progress(cat, facts, evidence, years=[2023], as_of=date(2024, 1, 15),
                       committee="media")
    status = {a.activity_id: a.status for a in p.activity_years}
    assert status["S9-O1-v"] == "done"
    assert status["S9-O1-iii"] == "due"  # pending evidence, due in 16 days
    assert status["S9-O4-i"] == "due"
    assert status["S10-O1-i"] == "done"  # the one-off deliverable is accepted already
    actual = {(i.activity_id, i.number): i for i in p.indicators}
    assert actual[("S9-O1-v", 1)].actual == 2 and actual[("S9-O1-v", 1)].met is True
    assert actual[("S9-O1-v", 1)].evidence == [1]
    assert actual[("S9-O1-iii", 1)].actual == 0
    assert p.people == []
    # the deliverable counts in 2023, the year it was delivered: on time, in this report
    assert (p.on_time["media"].accepted, p.on_time["media"].rate) == (2, 100.0)
    assert p.on_time["media"].evidence == [1, 4]

    later = build_progress(cat, facts, evidence, years=[2023], as_of=date(2024, 2, 1),
                           committee="media")
    status = {a.activity_id: a.status for a in later.activity_years}
    assert status["S9-O1-iii"] == status["S9-O4-i"] == "overdue"
    assert [o.id for o in later.overdue] == ["S9-O1-iii@2023", "S9-O4-i@2023"]

    before = build_progress(cat, facts, [], years=[2023], as_of=date(2022, 6, 1),
                            committee="media")
    assert {a.status for a in before.activity_years} <= {"not-started", "not-applicable"}


def test_late_work_is_not_on_time(builtin_catalog: Catalog) -> None:
    due = date(2024, 1, 31)
    facts = [occ("S9-O1-v@2023", "S9-O1-v", 2023, due),
             occ("S9-O1-iii@2023", "S9-O1-iii", 2023, due)]
    evidence = [ev(1, "S9-O1-v@2023", submitted=date(2024, 1, 31), done=date(2024, 1, 31)),
                ev(2, "S9-O1-iii@2023", submitted=date(2024, 1, 30), done=date(2024, 2, 1))]
    p = build_progress(builtin_catalog, facts, evidence, years=[2023],
                       as_of=date(2024, 6, 1), committee="media")
    assert (p.on_time["media"].accepted, p.on_time["media"].on_time) == (2, 1)
    assert p.on_time["media"].evidence == [1] and p.on_time["media"].rate == 50.0


def test_percentage_takes_the_latest_and_amounts_add_up(builtin_catalog: Catalog) -> None:
    from dataclasses import replace

    from naptip.base.model import Indicator, IndicatorKind

    cat = builtin_catalog
    base = cat.activities["S9-O1-v"]
    share = replace(base, indicators=(
        Indicator(text="share of women and girls", kind=IndicatorKind.PERCENTAGE,
                  target="at least 30% women and girls", target_value=Decimal(30)),
        Indicator(text="budget", kind=IndicatorKind.AMOUNT)))
    patched = Catalog(structure=cat.structure, committees=cat.committees,
                      activities={"S9-O1-v": share}, settings=cat.settings)
    facts = [occ("S9-O1-v@2022", "S9-O1-v", 2022, date(2023, 1, 31)),
             occ("S9-O1-v@2023", "S9-O1-v", 2023, date(2024, 1, 31))]
    evidence = [
        ev(1, "S9-O1-v@2022", "accepted",
           ValueFact(indicator=1, kind="percentage", percentage=Decimal(25)),
           ValueFact(indicator=2, kind="amount", amount=Decimal("100.25"))),
        ev(2, "S9-O1-v@2023", "accepted",
           ValueFact(indicator=1, kind="percentage", percentage=Decimal(35)),
           ValueFact(indicator=2, kind="amount", amount=Decimal("0.75"))),
    ]
    p = build_progress(patched, facts, evidence, years=[2022, 2023], as_of=date(2024, 6, 1))
    share_actual, amount = p.indicators
    assert share_actual.actual == 35 and share_actual.met is True
    assert share_actual.evidence == [1, 2]
    assert amount.actual == Decimal("101.00") and amount.met is None
    assert p.by_year[2022].done == p.by_year[2023].done == 1
