"""Migrations run forward on empty SQLite and PostgreSQL, and match the ORM exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from naptip.db import Database, make_engine, open_database
from naptip.errors import NaptipError
from naptip.migrate import schema_state, upgrade
from naptip.orm import Base

HEAD = "0006_runs"  #: the newest migration: one line to update


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

    from naptip.migrate import alembic_config

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


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(NaptipError, match="cannot open the database") as info:
        open_database("postgresql+psycopg://nobody:secret@127.0.0.1:1/none", blobs=tmp_path)
    assert "secret" not in str(info.value)
    with pytest.raises(NaptipError, match="only SQLite and PostgreSQL"):
        open_database("mysql://x@127.0.0.1/y", blobs=tmp_path)
