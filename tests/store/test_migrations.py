"""Migrations run forward on empty SQLite and PostgreSQL, and match the ORM exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from naptip.base.errors import NaptipError
from naptip.store.db import Database, make_engine, open_database
from naptip.store.migrate import (
    SCHEMA_HEAD,
    alembic_head,
    current_revision,
    schema_state,
    upgrade,
)
from naptip.store.orm import Base
from tests.support import SCHEMA_HEAD as HEAD


def _diff(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_the_orm(db: Database) -> None:
    state = schema_state(db.engine)
    assert state.current == state.head == HEAD
    assert _diff(db) == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"occurrence", "evidence", "audit_log", "reminder_sent", "contact"} <= tables


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'w.db'}", blobs=tmp_path / "b")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    upgrade(engine)
    upgrade(engine, "head")  # idempotent
    from alembic import command

    from naptip.store.migrate import alembic_config

    command.downgrade(alembic_config(engine), "base")
    assert schema_state(engine).current is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert schema_state(engine).current == HEAD
    engine.dispose()


def test_an_outdated_schema_is_not_changed_silently(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0000')"))
    engine.dispose()
    with pytest.raises(NaptipError, match="run `naptip db upgrade`"):
        open_database(f"sqlite:///{path}", blobs=tmp_path / "b")


def test_the_schema_head_constant_is_alembics_head() -> None:
    """The store is checked against SCHEMA_HEAD without Alembic: it must be the head of
    the migration scripts (a new migration updates both)."""
    assert SCHEMA_HEAD == alembic_head() == HEAD


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_plain_revision_query_agrees_with_alembic(backend: str, tmp_path: Path) -> None:
    from alembic import command

    from naptip.store.migrate import alembic_config
    from naptip.testing import temporary_postgres

    def run(url: str) -> None:
        engine = make_engine(url)

        def both() -> tuple[str | None, str | None]:
            with engine.connect() as conn:
                return (current_revision(conn),
                        MigrationContext.configure(conn).get_current_revision())

        try:
            assert both() == (None, None)  # no version table at all
            upgrade(engine, "0001")
            assert both() == ("0001", "0001")
            upgrade(engine)
            assert both() == (HEAD, HEAD)
            assert schema_state(engine).current == HEAD
            command.downgrade(alembic_config(engine), "base")
            assert "alembic_version" in inspect(engine).get_table_names()
            assert both() == (None, None)  # the table is there, empty
        finally:
            engine.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path / 'rev.db'}")
    else:
        with temporary_postgres("naptip_rev") as url:
            run(url)


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(NaptipError, match="cannot open the database") as info:
        open_database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", blobs=tmp_path)
    assert "secret" not in str(info.value)
    with pytest.raises(NaptipError, match="only SQLite and PostgreSQL"):
        open_database("mysql://x@127.0.0.1/y", blobs=tmp_path)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0002_converts_amounts_to_exact_sen(backend: str, tmp_path: Path) -> None:
    from decimal import Decimal

    from naptip.testing import temporary_postgres

    def run(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine, "0001")
        now = "2024-01-01 00:00:00+00:00"
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO occurrence (id, plan_id, kind, title, owner, support, due, "
                "unshifted, region, progress, withdrawn, fingerprint, created_at, updated_at) "
                "VALUES ('S5-O2-i@2023', 'naptip-3.0', 'progress-report', 't', 'legislative',"
                " '[]', '2024-01-31', '2024-01-31', 'putrajaya', 'submitted', false, 'f', "
                ":now, :now)"), {"now": now})
            conn.execute(text(
                "INSERT INTO evidence (id, occurrence_id, status, nil, links, submitted_by, "
                "submitted_at) VALUES (1, 'S5-O2-i@2023', 'submitted', false, '[]', 'a', "
                ":now)"), {"now": now})
            conn.execute(text(
                "INSERT INTO evidence_value (id, evidence_id, indicator, kind, amount) "
                "VALUES (1, 1, 2, 'amount', 1250000.50)"))
        upgrade(engine)
        assert schema_state(engine).current == HEAD
        with engine.connect() as conn:
            assert conn.execute(text("SELECT amount FROM evidence_value")).scalar() \
                == 125000050
        engine.dispose()
        db = open_database(url, blobs=tmp_path / "b")
        from naptip.store.orm import EvidenceValue

        with db.reading() as session:
            value = session.get(EvidenceValue, 1)
            assert value is not None and value.amount == Decimal("1250000.50")
        db.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        with temporary_postgres("naptip_mig") as url:
            run(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0007_adds_the_contacts_of_evidence_and_reviews(backend: str, tmp_path: Path) -> None:
    """Existing evidence and its reviews survive, with no contact, both ways (a SQLite
    copy of ``evidence`` would fail: other tables refer to it)."""
    from naptip.testing import temporary_postgres

    def run(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine, "0006_runs")
        now = "2024-01-01 00:00:00+00:00"
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO occurrence (id, plan_id, kind, title, owner, support, due, "
                "unshifted, region, progress, withdrawn, fingerprint, created_at, updated_at) "
                "VALUES ('S5-O2-i@2023', 'naptip-3.0', 'progress-report', 't', 'legislative',"
                " '[]', '2024-01-31', '2024-01-31', 'putrajaya', 'accepted', false, 'f', "
                ":now, :now)"), {"now": now})
            conn.execute(text(
                "INSERT INTO evidence (id, occurrence_id, status, nil, links, submitted_by, "
                "submitted_at) VALUES (1, 'S5-O2-i@2023', 'accepted', false, '[]', 'Aminah', "
                ":now)"), {"now": now})
            conn.execute(text(
                "INSERT INTO review (id, evidence_id, decision, reviewer, reviewed_at) "
                "VALUES (1, 1, 'accepted', 'Siti', :now)"), {"now": now})
        upgrade(engine)
        assert schema_state(engine).current == HEAD
        with engine.connect() as conn:
            assert conn.execute(text("SELECT submitted_by, submitter_contact FROM evidence")
                                ).one() == ("Aminah", None)
            assert conn.execute(text("SELECT reviewer, reviewer_contact FROM review")
                                ).one() == ("Siti", None)
        from alembic import command

        from naptip.store.migrate import alembic_config

        command.downgrade(alembic_config(engine), "0006_runs")
        assert "submitter_contact" not in {c["name"] for c in
                                           inspect(engine).get_columns("evidence")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM review")).scalar() == 1
        engine.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        with temporary_postgres("naptip_mig7") as url:
            run(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0010_marks_old_duty_runs_and_dates_old_running_runs(backend: str,
                                                            tmp_path: Path) -> None:
    """Runs recorded before 0010: a duty flow's run (no sync step) no longer counts as the
    day's work; a run left "running" has its start as its last heartbeat (so it reads as
    crashed and the next run closes it)."""
    from datetime import date

    from naptip.testing import temporary_postgres
    from naptip.work import runlog
    from naptip.work.daywork import plan_day

    def run(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine, "0009_report_snapshots")
        with engine.begin() as conn:
            for rid, day, status, steps in (
                    ("daily", "2024-07-01", "done", '[{"name": "sync", "status": "done"}]'),
                    ("duty", "2024-08-13", "done", '[{"name": "reminders", "status": "done"}]'),
                    ("lost", "2024-08-14", "running", "[]")):
                conn.execute(text(
                    "INSERT INTO run (id, day, since, status, trigger, host, dry_run, "
                    "started_at, steps) VALUES (:id, :day, :day, :status, 'prefect', 'h', "
                    "false, '2024-08-14 00:00:00+00:00', :steps)"),
                    {"id": rid, "day": day, "status": status, "steps": steps})
        upgrade(engine)
        engine.dispose()
        db = open_database(url, blobs=tmp_path / "b")
        assert plan_day(db, date(2024, 8, 15)).since == date(2024, 7, 2)
        assert runlog.get(db, "duty").duty == "(duty)"
        assert runlog.get(db, "lost").status == "crashed"
        assert [r.id for r in runlog.close_dead(db)] == ["lost"]
        db.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        with temporary_postgres("naptip_mig10") as url:
            run(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0011_adds_report_narratives(backend: str, tmp_path: Path) -> None:
    """The narratives table comes after 0010; the saved reports' rows survive both ways."""
    from naptip.testing import temporary_postgres

    def run(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine, "0010_run_liveness")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO report_snapshot (id, kind, years, committee, lang, format, "
                "as_of, title, saved_at, saved_by, figures, content, sha256) VALUES (1, "
                "'annual', '[2023]', NULL, 'en', 'json', '2024-06-30', 't', "
                "'2024-07-01 00:00:00+00:00', 'Siti', '{}', :c, :h)"),
                {"c": b"{}", "h": "0" * 64})
        upgrade(engine)
        assert schema_state(engine).current == HEAD
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO report_narrative (committee, kind, year, gaps, challenges, "
                "adjustments, actions, entered_at, entered_by) VALUES ('media', 'annual', "
                "2023, 'g', '', 'a', '', '2024-02-15 02:00:00+00:00', 'Aminah')"))
            conn.execute(text(
                "INSERT INTO report_narrative (committee, kind, year, gaps, challenges, "
                "adjustments, actions, entered_at, entered_by) VALUES ('victim-care', "
                "'final', NULL, '', 'c', '', 'x', '2024-04-01 02:00:00+00:00', 'Mei')"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT committee, year, gaps FROM report_narrative "
                                     "ORDER BY id")).all() == [("media", 2023, "g"),
                                                               ("victim-care", None, "")]
        from alembic import command

        from naptip.store.migrate import alembic_config

        command.downgrade(alembic_config(engine), "0010_run_liveness")
        assert "report_narrative" not in inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT saved_by FROM report_snapshot")).scalar() == "Siti"
        upgrade(engine)
        assert schema_state(engine).current == HEAD
        engine.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        with temporary_postgres("naptip_mig11") as url:
            run(url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0015_gives_earlier_runs_naptip_3s_plan(backend: str, tmp_path: Path) -> None:
    """Runs recorded before 0015 served NAPTIP 3.0: they keep counting for its catch-up
    and none for another plan's; down and up again keeps the runs."""
    from datetime import date

    from alembic import command

    from naptip.store.migrate import alembic_config
    from naptip.testing import temporary_postgres
    from naptip.work import runlog
    from naptip.work.daywork import plan_day

    def run(url: str) -> None:
        engine = make_engine(url)
        upgrade(engine, "0014_recommendations")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO run (id, day, since, status, trigger, host, dry_run, "
                "started_at, steps) VALUES ('old', '2025-12-20', '2025-12-20', 'done', "
                "'cli', 'h', false, '2025-12-20 00:00:00+00:00', '[]')"))
        upgrade(engine)
        engine.dispose()
        db = open_database(url, blobs=tmp_path / "b")
        assert runlog.get(db, "old").plan == "naptip-3.0"
        assert runlog.last_finished_day(db, plan_id="naptip-3.0") == date(2025, 12, 20)
        assert runlog.last_finished_day(db, plan_id="naptip-4.0") is None
        assert plan_day(db, date(2026, 1, 5)).since == date(2025, 12, 21)
        db.dispose()
        engine = make_engine(url)
        command.downgrade(alembic_config(engine), "0014_recommendations")
        assert "plan_id" not in {c["name"] for c in inspect(engine).get_columns("run")}
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT id, plan_id FROM run")).all() == [
                ("old", "naptip-3.0")]
        engine.dispose()

    if backend == "sqlite":
        run(f"sqlite:///{tmp_path / 'old.db'}")
    else:
        with temporary_postgres("naptip_mig14") as url:
            run(url)
