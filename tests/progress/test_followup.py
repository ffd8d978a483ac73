"""The follow-up read model of a recommendation set, on a store seeded with known
evidence (tests/report_seed.py) and a synthetic set (tests/progress/recsupport.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService
from naptip.progress.recommendations.followup import (
    FollowUpError,
    read_followup,
    read_set_ids,
)
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow
from naptip.time.clock import PLAN_TZ
from tests.report_seed import seed

from .recsupport import ITEMS, SET_ID, Item, add_set


@pytest.fixture
def store(synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins,
          tmp_path: Path) -> Database:
    seed(EvidenceService(synced, builtin_catalog, loaded), tmp_path / "files")
    add_set(synced, SET_ID, ITEMS, issued_on=date(2023, 1, 15))
    return synced


def _recount(db: Database, activity: str, as_of: date) -> tuple[int, int, int, int]:
    """(total, accepted, open, overdue) of an activity, counted here by hand."""
    with db.reading() as s:
        occ = s.execute(select(OccurrenceRow.id, OccurrenceRow.due).where(
            OccurrenceRow.activity_id == activity, OccurrenceRow.withdrawn.is_(False))).all()
        done = {oid for oid, st, sub, rev in s.execute(select(
            Evidence.occurrence_id, Evidence.status, Evidence.submitted_at,
            Evidence.reviewed_at))
            if st == "accepted" and rev is not None
            and rev.astimezone(PLAN_TZ).date() <= as_of
            and sub.astimezone(PLAN_TZ).date() <= as_of}
    accepted = sum(1 for oid, _due in occ if oid in done)
    overdue = sum(1 for oid, due in occ if oid not in done and due < as_of)
    return len(occ), accepted, len(occ) - accepted, overdue


def test_items_statuses_counts_and_gaps(store: Database) -> None:
    as_of = date(2024, 6, 30)
    with store.reading() as s:
        f = read_followup(s, SET_ID, as_of=as_of)
    items = {i.item: i for i in f.items}
    assert [i.item for i in f.items] == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert {k: i.status for k, i in items.items()} == {
        "R1": "in-progress", "R2": "not-started", "R3": "implemented",
        "R4": "not-started", "R5": "not-accepted",
        "R6": "not-started"}  # R6's update came on 2024-08-01, after the day
    assert f.by_status == {"not-started": 3, "in-progress": 1, "implemented": 1,
                           "not-accepted": 1}
    assert f.by_committee == {
        "legislative": {"not-started": 0, "in-progress": 1, "implemented": 0,
                        "not-accepted": 0},
        "enforcement": {"not-started": 1, "in-progress": 0, "implemented": 0,
                        "not-accepted": 1},
        "media": {"not-started": 0, "in-progress": 0, "implemented": 1, "not-accepted": 0},
        "victim-care": {"not-started": 1, "in-progress": 0, "implemented": 0,
                        "not-accepted": 0},
        "": {"not-started": 1, "in-progress": 0, "implemented": 0, "not-accepted": 0}}
    assert [i.item for i in f.gaps] == ["R4", "R5"]
    r1 = items["R1"]
    assert r1.latest is not None and r1.latest.status == "implemented"
    assert r1.latest.review == "submitted" and [u.id for u in r1.awaiting] == [r1.latest.id]
    assert r1.accepted is not None and r1.accepted.reviewed_on == date(2023, 3, 5)
    assert r1.support == ("enforcement",) and r1.theme == "law"
    assert items["R2"].latest is not None and items["R2"].latest.review == "returned"
    assert items["R2"].latest.review_reason == "Say which agency."
    assert f.awaiting_review == 1
    assert [(a.plan_id, a.activity_id) for a in r1.activities] == [
        ("naptip-3.0", "S5-O2-i"), ("naptip-3.0", "S1-O1-i")]
    for item in f.items:
        for a in item.activities:
            assert a.known and a.owner is not None
            assert (a.total, a.accepted, a.open, a.overdue) == _recount(
                store, a.activity_id, as_of), a.activity_id
    # the seeded evidence: one 2023 report accepted for each of these
    s5 = r1.activities[0]
    assert s5.accepted == 1 and s5.owner == "legislative"
    assert items["R3"].activities[0].accepted == 1


def test_as_of_sees_only_what_was_known_that_day(store: Database) -> None:
    with store.reading() as s:
        early = read_followup(s, SET_ID, as_of=date(2024, 1, 15))
        late = read_followup(s, SET_ID, as_of=date(2026, 12, 7))
    items = {i.item: i for i in early.items}
    # R3's second update was reviewed on 01-20: still awaiting review on 01-15
    assert items["R3"].status == "in-progress"
    assert [u.status for u in items["R3"].awaiting] == ["implemented"]
    assert items["R1"].awaiting == ()  # submitted 2024-02-01
    # S5-O2-i@2023: returned, resubmitted on 01-12, accepted on 01-20
    s5 = items["R1"].activities[0]
    assert (s5.accepted, s5.awaiting) == (0, 1)
    assert (s5.total, s5.accepted, s5.open, s5.overdue) == _recount(
        store, "S5-O2-i", date(2024, 1, 15))
    assert late.by_status == {"not-started": 2, "in-progress": 2, "implemented": 1,
                              "not-accepted": 1}


def test_one_committee_and_unknown_sets(store: Database) -> None:
    with store.reading() as s:
        f = read_followup(s, SET_ID, as_of=date(2024, 6, 30), committee="enforcement")
        assert [i.item for i in f.items] == ["R2", "R5"]
        assert f.by_status["not-accepted"] == 1 and [i.item for i in f.gaps] == ["R5"]
        assert read_set_ids(s) == [SET_ID]
        assert read_set_ids(s, issued_by=date(2022, 12, 31)) == []
        with pytest.raises(FollowUpError, match="unknown recommendation set 'nope' "
                                               r"\(known: synthetic-2023\)"):
            read_followup(s, "nope", as_of=date(2024, 6, 30))


def test_an_activity_not_in_the_store_shows_zeros(db: Database) -> None:
    add_set(db, "x", [Item(item="A", text="t", lead="media", links=("S9-O1-v",))],
            issued_on=date(2024, 1, 1))
    with db.reading() as s:
        (item,) = read_followup(s, "x", as_of=date(2024, 6, 30)).items
    (a,) = item.activities
    assert not a.known and (a.total, a.open, a.owner) == (0, 0, None)
    assert not item.gap  # linked: the link is there, the plan is not synced here


def test_two_hundred_items_are_read_in_a_few_queries(store: Database) -> None:
    items = [Item(item=f"B{n}", text=f"item {n}", lead="media",
                  links=("S9-O1-v", "S9-O4-i"),
                  updates=(("in-progress", "accepted", "2024-01-02", "2024-01-03"),))
             for n in range(200)]
    add_set(store, "big", items, issued_on=date(2024, 1, 1))
    statements: list[Any] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        with store.reading() as s:
            f = read_followup(s, "big", as_of=date(2024, 6, 30))
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(f.items) == 200 and f.by_status["in-progress"] == 200
    selects = [st for st in statements if st.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6, selects
