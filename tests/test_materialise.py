"""Occurrences are materialised idempotently; a changed plan updates them, keeping history."""

from __future__ import annotations

from sqlalchemy import func, select

from naptip.catalog import Catalog, build_catalog
from naptip.config import parse_settings
from naptip.db import Database
from naptip.materialise import sync
from naptip.orm import AuditEntry, OccurrenceChange, OccurrenceRow
from naptip.pluginmanager import build_plugin_manager
from naptip.schedule import build_schedule

UNTIL = "UNTIL=20251231T155959Z"


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_idempotent(db: Database, builtin_catalog: Catalog) -> None:
    plan = build_schedule(builtin_catalog)
    first = sync(db, builtin_catalog, plan)
    assert first.created == len(plan.occurrences) == 1151
    assert sync(db, builtin_catalog, plan).skipped
    assert _count(db, OccurrenceRow) == 1151
    assert _count(db, AuditEntry) == 1
    with db.reading() as session:
        row = session.get(OccurrenceRow, "S9-O1-vi@2023")
        assert row is not None
        assert (row.owner, row.pillar, row.progress, row.period) == ("media", "P1", "open", 2023)
        meeting = session.get(OccurrenceRow, "enforcement-meeting@2023-05-09")
        assert meeting is not None and meeting.host == "jtksm"
        assert meeting.start_at is not None and meeting.start_at.utcoffset() is not None


def test_changed_plan_updates_keeps_history_and_withdraws(db: Database) -> None:
    loaded = build_plugin_manager(environ={})
    before = build_catalog(loaded)
    sync(db, before, build_schedule(before))
    changed = build_catalog(loaded, settings=parse_settings({
        "reporting": {"evidence_due": "02-15"},
        "duties": {"enforcement-meeting": {"recurrence": (
            "DTSTART;TZID=Asia/Kuala_Lumpur:20210209T100000\n"
            f"RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;{UNTIL.replace('2025', '2022')}")}}}))
    result = sync(db, changed, build_schedule(changed))
    assert result.withdrawn == 12  # enforcement meetings of 2023-2025
    assert result.updated > 500  # every progress report moved to 15 February
    with db.reading() as session:
        row = session.get(OccurrenceRow, "S9-O1-vi@2023")
        assert row is not None and row.unshifted.isoformat() == "2024-02-15"
        history = session.execute(select(OccurrenceChange).where(
            OccurrenceChange.occurrence_id == "S9-O1-vi@2023")).scalar_one()
        assert history.before["unshifted"] == "2024-01-31"
        assert history.after["unshifted"] == "2024-02-15"
        gone = session.get(OccurrenceRow, "enforcement-meeting@2023-05-09")
        assert gone is not None and gone.withdrawn
    back = sync(db, before, build_schedule(before))
    assert back.restored == 12
    assert _count(db, AuditEntry) == 3
