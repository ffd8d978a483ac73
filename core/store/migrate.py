"""Alembic, driven from code: the migrations ship inside the package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", "naptip.store:migrations")
    if engine is not None:
        config.attributes["engine"] = engine
    return config


@dataclass(frozen=True)
class SchemaState:
    current: str | None
    head: str


def schema_state(engine: Engine) -> SchemaState:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    return SchemaState(current=current, head=head)


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


#: the PostgreSQL advisory lock that serialises schema changes (any constant will do)
SCHEMA_LOCK = 0x6E61707469700001


def upgrade_locked(engine: Engine, revision: str = "head", *,
                   only_empty: bool = False) -> str | None:
    """Upgrade under a lock, so that processes starting at once on a fresh store do not
    race each other creating tables: an advisory lock on PostgreSQL, a lock file beside
    the SQLite file. The loser of the race finds the schema current and does nothing.
    ``only_empty`` creates the schema of an empty database and leaves an older schema
    alone (``naptip db upgrade`` changes that). Returns the revision found under the lock
    (before upgrading)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({SCHEMA_LOCK})")
            conn.commit()
            try:
                return _upgrade_if_needed(engine, revision, only_empty)
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({SCHEMA_LOCK})")
                conn.commit()
    database = engine.url.database
    if not database or database == ":memory:":
        return _upgrade_if_needed(engine, revision, only_empty)
    with _file_lock(Path(database).with_name(Path(database).name + ".schema-lock")):
        return _upgrade_if_needed(engine, revision, only_empty)


def _upgrade_if_needed(engine: Engine, revision: str, only_empty: bool) -> str | None:
    current = schema_state(engine).current
    if current != _head() and not (only_empty and current is not None):
        upgrade(engine, revision)
    return current


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
