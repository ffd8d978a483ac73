"""`naptip sync` is the only writer of the schedule: idempotent, keeps history, keeps the
past, refuses risky changes unless confirmed, records what produced the schedule."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from naptip.base.config import parse_settings
from naptip.occurrences.materialise import SyncRefused, stored_provenance, sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, HeldChange, MetaValue, OccurrenceChange, OccurrenceRow

UNTIL = "UNTIL=20251231T155959Z"
EARLY = date(2021, 1, 1)  #: before any occurrence is due: nothing is in the past yet


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _changed_catalog() -> Catalog:
    return build_catalog(build_plugin_manager(environ={}), settings=parse_settings({
        "reporting": {"evidence_due": "02-15"},
        "duties": {"enforcement-meeting": {"recurrence": (
            "DTSTART;TZID=Asia/Kuala_Lumpur:20210209T100000\n"
            f"RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;{UNTIL.replace('2025', '2022')}")}}}))


def test_idempotent(db: Database, builtin_catalog: Catalog) -> None:
    plan = build_schedule(builtin_catalog)
    first = sync(db, builtin_catalog, plan, today=EARLY)
    assert len(first.created) == len(plan.occurrences) == 1151
    assert sync(db, builtin_catalog, plan, today=EARLY).skipped
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
    before = build_catalog(build_plugin_manager(environ={}))
    sync(db, before, build_schedule(before), today=EARLY)
    changed = _changed_catalog()
    result = sync(db, changed, build_schedule(changed), today=EARLY, confirm=True)
    assert len(result.withdrawn) == 12  # enforcement meetings of 2023-2025
    assert len(result.updated) > 500  # every progress report moved to 15 February
    with db.reading() as session:
        row = session.get(OccurrenceRow, "S9-O1-vi@2023")
        assert row is not None and row.unshifted.isoformat() == "2024-02-15"
        history = session.execute(select(OccurrenceChange).where(
            OccurrenceChange.occurrence_id == "S9-O1-vi@2023")).scalar_one()
        assert history.before["unshifted"] == "2024-01-31"
        assert history.after["unshifted"] == "2024-02-15"
        gone = session.get(OccurrenceRow, "enforcement-meeting@2023-05-09")
        assert gone is not None and gone.withdrawn
    back = sync(db, before, build_schedule(before), today=EARLY, confirm=True)
    assert len(back.restored) == 12
    assert _count(db, AuditEntry) == 3


def _snapshot(db: Database) -> tuple[int, int, str | None]:
    with db.reading() as session:
        meta = session.get(MetaValue, "schedule:naptip-3.0")
        withdrawn = session.execute(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.withdrawn.is_(True))).scalar_one()
        return _count(db, AuditEntry), int(withdrawn), meta.value if meta else None


def test_a_partial_plugin_set_is_refused_and_writes_nothing(db: Database) -> None:
    full = build_catalog(build_plugin_manager(environ={}))
    sync(db, full, build_schedule(full), today=EARLY)
    before = _snapshot(db)
    only = build_catalog(build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": "legislative"}))
    with pytest.raises(SyncRefused, match=r"would be withdrawn or moved .*--confirm"):
        sync(db, only, build_schedule(only), today=EARLY)
    assert _snapshot(db) == before
    dry = sync(db, only, build_schedule(only), today=EARLY, dry_run=True)
    assert len(dry.withdrawn) > 1000 and dry.risks()
    assert _snapshot(db) == before


def test_withdrawing_work_with_evidence_needs_confirm(db: Database) -> None:
    full = build_catalog(build_plugin_manager(environ={}))
    sync(db, full, build_schedule(full), today=EARLY)
    EvidenceService(db, full).submit(Submission(
        occurrence_id="S1-O1-i@2023", actor="agc", values={"1": "2"}), today=date(2024, 1, 5))
    moved = build_catalog(build_plugin_manager(environ={}), settings=parse_settings(
        {"reporting": {"evidence_due": "01-30"}}))
    # one day earlier for every report: a large share, and one carries evidence
    with pytest.raises(SyncRefused, match=r"with evidence would be withdrawn or moved "
                                          r"\(S1-O1-i@2023"):
        sync(db, moved, build_schedule(moved), today=EARLY)
    result = sync(db, moved, build_schedule(moved), today=EARLY, confirm=True)
    assert "S1-O1-i@2023" in result.with_evidence


def test_the_past_is_kept_and_the_attempt_recorded(db: Database) -> None:
    full = build_catalog(build_plugin_manager(environ={}))
    sync(db, full, build_schedule(full), today=EARLY)
    changed = _changed_catalog()
    result = sync(db, changed, build_schedule(changed), today=date(2024, 3, 1), confirm=True)
    assert "S9-O1-vi@2022" in result.held  # due 31 January 2023: passed
    assert "S9-O1-vi@2023" in result.held  # due 31 January 2024: passed too
    assert "S9-O1-vi@2024" in result.updated
    with db.reading() as session:
        row = session.get(OccurrenceRow, "S9-O1-vi@2022")
        assert row is not None and row.unshifted.isoformat() == "2023-01-31"
        held = session.execute(select(HeldChange).where(
            HeldChange.occurrence_id == "S9-O1-vi@2022")).scalar_one()
        assert held.after["unshifted"] == "2023-02-15"
        meeting = session.get(OccurrenceRow, "enforcement-meeting@2023-05-09")
        assert meeting is not None and not meeting.withdrawn  # a past meeting stays
    again = sync(db, changed, build_schedule(changed), today=date(2024, 3, 1), confirm=True)
    assert again.skipped
    assert _count(db, HeldChange) == len(result.held)


def test_provenance_is_recorded(db: Database, builtin_catalog: Catalog) -> None:
    sync(db, builtin_catalog, build_schedule(builtin_catalog), today=EARLY,
         plugins={"legislative": "0.1.0", "enforcement": None}, actor="nso")
    with db.reading() as session:
        recorded = stored_provenance(session, "naptip-3.0")
        entry = session.execute(select(AuditEntry)).scalar_one()
    assert recorded is not None
    assert recorded["plugins"] == {"enforcement": "-", "legislative": "0.1.0"}
    assert len(recorded["config"]) == 16 and recorded["by"] == "nso"
    assert '"plugins":{"enforcement":"-","legislative":"0.1.0"}' in entry.payload


def test_new_plugin_versions_are_recorded_without_changing_the_schedule(
        db: Database, builtin_catalog: Catalog) -> None:
    plan = build_schedule(builtin_catalog)
    sync(db, builtin_catalog, plan, today=EARLY, plugins={"legislative": "0.1.0"})
    again = sync(db, builtin_catalog, plan, today=EARLY, plugins={"legislative": "0.2.0"})
    assert not again.skipped and again.summary().startswith("0 new, 0 updated")
    with db.reading() as session:
        recorded = stored_provenance(session, "naptip-3.0")
    assert recorded is not None and recorded["plugins"] == {"legislative": "0.2.0"}
    assert sync(db, builtin_catalog, plan, today=EARLY, plugins={"legislative": "0.2.0"}
                ).skipped
    assert _count(db, AuditEntry) == 2


def test_a_store_synced_before_provenance_existed_can_be_synced(
        db: Database, builtin_catalog: Catalog) -> None:
    plan = build_schedule(builtin_catalog)
    sync(db, builtin_catalog, plan, today=EARLY)
    with db.engine.begin() as conn:  # as a store written by naptip before this change
        from sqlalchemy import text

        conn.execute(text("DELETE FROM meta WHERE key = 'sync:naptip-3.0'"))
    result = sync(db, builtin_catalog, plan, today=EARLY)
    assert not result.skipped
    with db.reading() as session:
        assert stored_provenance(session, "naptip-3.0") is not None


def test_config_fingerprint_covers_what_shapes_the_schedule() -> None:
    from naptip.occurrences.materialise import config_fingerprint

    base = config_fingerprint(parse_settings({}))
    assert config_fingerprint(parse_settings({"evidence": {"max_file_mb": 5}})) == base
    assert config_fingerprint(parse_settings({"reporting": {"evidence_due": "02-15"}})) != base
