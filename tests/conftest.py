"""Shared fixtures: the real built-in plugins, per-test plugin registration, the CLI."""

from __future__ import annotations

import importlib.metadata
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from naptip.cli import cli
from naptip.plan import pluginmanager
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.store.db import Database, open_database
from naptip.testing import postgres_missing, temporary_postgres

from .support import FakeEntryPoint, adopted_at_start

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One user cache folder for the session (parsed plan data, naptip.plan.parsecache),
    set before any session fixture parses the plan: never the developer's own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory,
               ) -> None:
    """Tests never see (or write) the developer's own naptip settings, store or files."""
    for name in ("NAPTIP_PLUGINS_DIR", "NAPTIP_ENABLE_PLUGINS", "NAPTIP_DISABLE_PLUGINS",
                 "NAPTIP_DEBUG", "NAPTIP_DATABASE_URL", "NAPTIP_BLOB_DIR", "NAPTIP_CONFIG",
                 "NAPTIP_AS_OF", "NAPTIP_USER", "NAPTIP_OUTBOX_DIR", "NAPTIP_PLAN",
                 "NAPTIP_PLAN_PACKAGES"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))


@pytest.fixture(scope="session")
def builtin_catalog() -> Catalog:
    """The catalog of the installed built-in plugins only (read-only: do not mutate)."""
    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(
        pluginmanager.BUILTIN_PLUGINS)})
    return build_catalog(loaded)


@pytest.fixture
def loaded() -> LoadedPlugins:
    return build_plugin_manager(environ={})


@pytest.fixture
def register_plugin(loaded: LoadedPlugins) -> Iterator[Callable[[object, str], Catalog]]:
    """Register a plugin object for one test (llm's conftest pattern); returns the catalog."""
    names: list[str] = []

    def register(plugin: object, name: str) -> Catalog:
        loaded.pm.register(plugin, name=name)
        names.append(name)
        return build_catalog(loaded)

    yield register
    for name in names:
        plugin = loaded.pm.get_plugin(name)
        if plugin is not None:
            loaded.pm.unregister(plugin)


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Add fake entry points beside the real ones for this test."""
    real = importlib.metadata.entry_points

    def install(*fakes: FakeEntryPoint) -> None:
        def entry_points(*, group: str) -> list[Any]:
            return [*real(group=group), *(f for f in fakes if f.group == group)]

        monkeypatch.setattr("naptip.plan.pluginmanager.entry_points", entry_points)

    return install


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process; stderr is kept apart from stdout."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke


# --- the store: SQLite and the PostgreSQL on 127.0.0.1:5432, a fresh database per session ---

@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database created for this test session and dropped after it."""
    problem = postgres_missing()
    if problem:
        pytest.fail(problem, pytrace=False)
    with temporary_postgres() as url:
        yield url


_TABLES = ("recommendation_update", "recommendation_link", "recommendation",
           "recommendation_set", "report_narrative", "report_snapshot", "run", "web_token",
           "held_change",
           "review", "attachment",
           "breakdown",
           "evidence_value", "evidence", "reminder_sent", "occurrence_change", "occurrence",
           "contact", "audit_log", "meta", "calendar_entry", "calendar_link",
           "outbox_message")


def _reset(db: Database) -> None:
    """Empty every table and restart its ids.

    On PostgreSQL a TRUNCATE, not DELETE (which would be faster): DELETE leaves free space
    that later inserts fill, so rows would come back in another physical order, and some
    messages list rows in the order a query without ORDER BY returns them."""
    from sqlalchemy import text

    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in _TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})


_SEQUENCES: dict[str, list[tuple[str, str, str]]] = {}


def _pg_columns_with_sequences(db: Database) -> list[tuple[str, str, str]]:
    """(table, id column, sequence) for every table of _TABLES whose ids come from one."""
    from sqlalchemy import text

    if db.url not in _SEQUENCES:
        with db.engine.connect() as conn:
            columns = conn.execute(text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = 'public' "
                "AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')")).all()
            _SEQUENCES[db.url] = sorted(
                (table, column, conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                             {"t": f"public.{table}", "c": column}).scalar_one())
                for table, column in columns if table in _TABLES)
    return _SEQUENCES[db.url]


@pytest.fixture(scope="session")
def _pg_database(pg_url: str) -> Iterator[Database]:
    db = open_database(pg_url, blobs=Path("/nonexistent"))
    yield db
    db.dispose()


def _sync_builtin(db: Database, catalog: Catalog) -> None:
    """Materialise the built-in plan's schedule, recorded as `naptip sync` would record it
    (so that CLI runs on this store see the same plugins), in a store that adopted the
    plan on its first day (`naptip adopt --on 2021-01-01`): the reminders of any day of
    the plan are those of a store in use all along. Tests of adopting part-way start
    from ``db`` (empty) instead."""
    from naptip.occurrences.materialise import sync
    from naptip.occurrences.schedule import build_schedule

    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(
        pluginmanager.BUILTIN_PLUGINS)})
    sync(db, catalog, build_schedule(catalog),
         plugins={name: info.version for name, info in loaded.infos.items()})
    adopted_at_start(db)


@pytest.fixture(scope="session")
def _sqlite_templates(tmp_path_factory: pytest.TempPathFactory, builtin_catalog: Catalog,
                      ) -> dict[str, Path]:
    """Two SQLite files made once per session and copied for each test: an empty, migrated
    store ("empty"; migrating costs ~1 s) and the same with the built-in plan synced
    ("synced")."""
    folder = tmp_path_factory.mktemp("store-templates")
    empty, synced = folder / "empty.db", folder / "synced.db"
    open_database(f"sqlite:///{empty}", blobs=folder / "blobs").dispose()
    shutil.copyfile(empty, synced)
    store = open_database(f"sqlite:///{synced}", blobs=folder / "blobs")
    _sync_builtin(store, builtin_catalog)
    store.dispose()
    for path in (empty, synced):  # closed cleanly: the WAL is checkpointed and gone
        assert not path.with_name(path.name + "-wal").exists()
    return {"empty": empty, "synced": synced}


_PG_SNAPSHOT = "synced_snapshot"


@pytest.fixture(scope="session")
def _pg_synced_snapshot(_pg_database: Database, builtin_catalog: Catalog) -> str:
    """The built-in plan synced once on PostgreSQL and kept in a schema of its own, copied
    back into the emptied tables for each test that asks for ``synced``."""
    from sqlalchemy import text

    _reset(_pg_database)
    _sync_builtin(_pg_database, builtin_catalog)
    with _pg_database.engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {_PG_SNAPSHOT}"))
        for table in (*_TABLES, "audit_head"):
            conn.execute(text(f"CREATE TABLE {_PG_SNAPSHOT}.{table} AS "
                              f"SELECT * FROM public.{table}"))
    return _PG_SNAPSHOT


def _pg_restore_synced(db: Database, snapshot: str) -> None:
    from sqlalchemy import text

    _reset(db)
    with db.engine.begin() as conn:
        for table in reversed(_TABLES):  # parents before the rows that refer to them
            conn.execute(text(f"INSERT INTO {table} SELECT * FROM {snapshot}.{table}"))
        conn.execute(text("DELETE FROM audit_head"))
        conn.execute(text(f"INSERT INTO audit_head SELECT * FROM {snapshot}.audit_head"))
        for table, column, sequence in _pg_columns_with_sequences(db):
            conn.execute(text(f"SELECT setval('{sequence}', COALESCE(MAX({column}), 0) + 1, "
                              f"false) FROM {table}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated store on each backend, with its own blob folder.

    For a test that asks for ``synced``, the store starts as a copy of the built-in plan
    synced once per session (see ``synced``)."""
    wants_synced = "synced" in request.fixturenames
    if request.param == "sqlite":
        templates: dict[str, Path] = request.getfixturevalue("_sqlite_templates")
        path = tmp_path / "naptip.db"
        shutil.copyfile(templates["synced" if wants_synced else "empty"], path)
        store = open_database(f"sqlite:///{path}", blobs=tmp_path / "blobs")
        yield store
        store.dispose()
        return
    shared: Database = request.getfixturevalue("_pg_database")
    if wants_synced:
        _pg_restore_synced(shared, request.getfixturevalue("_pg_synced_snapshot"))
    else:
        _reset(shared)
    yield Database(url=shared.url, engine=shared.engine, blobs=tmp_path / "blobs")


@pytest.fixture
def synced(db: Database) -> Database:
    """The store with the built-in plan's schedule materialised, as `naptip sync` with the
    built-in plugins leaves it (today's date: the session's). Synced once per session and
    copied (``db`` does it when a test asks for this fixture)."""
    return db


def db_env(db: Database) -> dict[str, str]:
    """Environment for CLI runs against this store."""
    return {"NAPTIP_DATABASE_URL": db.url, "NAPTIP_BLOB_DIR": str(db.blobs)}
