"""Alembic, driven from code: the migrations ship inside the package.

Checking the schema (what every command that reads the store does) needs no Alembic: the
revision in ``alembic_version`` is read with a plain query and compared with
:data:`SCHEMA_HEAD`. Alembic is imported only to upgrade (issue 18: it cost every such
command ~0.2 s of CPU).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

#: the newest migration's revision. Kept equal to Alembic's head of migrations/versions by
#: tests/store/test_migrations.py: update it with every new migration.
SCHEMA_HEAD = "0015_run_plan"
#: Alembic's version table (its default name, in the connection's default schema)
VERSION_TABLE = "alembic_version"


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

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
    """The store's schema revision (None: no version table, or an empty one) and the one
    this naptip needs, read without Alembic."""
    with engine.connect() as conn:
        current = current_revision(conn)
    return SchemaState(current=current, head=SCHEMA_HEAD)


def current_revision(conn: Connection) -> str | None:
    """What Alembic's ``MigrationContext.get_current_revision`` answers, by a plain query.
    Several rows (branches naptip never makes) come back joined, so never equal a head."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = sorted(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
    return ", ".join(rows) if rows else None


def alembic_head() -> str:
    """The head revision of the migration scripts, as Alembic finds it (imports Alembic)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

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
    if current != SCHEMA_HEAD and not (only_empty and current is not None):
        upgrade(engine, revision)
    return current


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
