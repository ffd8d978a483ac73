"""Shared fixtures: the real built-in plugins, per-test plugin registration, the CLI."""

from __future__ import annotations

import importlib.metadata
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

from .support import FakeEntryPoint

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
                 "NAPTIP_AS_OF", "NAPTIP_USER", "NAPTIP_OUTBOX_DIR"):
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


_TABLES = ("report_narrative", "report_snapshot", "run", "web_token", "held_change",
           "review", "attachment",
           "breakdown",
           "evidence_value", "evidence", "reminder_sent", "occurrence_change", "occurrence",
           "contact", "audit_log", "meta", "calendar_entry", "calendar_link",
           "outbox_message")


def _reset(db: Database) -> None:
    from sqlalchemy import text

    with db.engine.begin() as conn:
        if db.backend == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(_TABLES)} RESTART IDENTITY CASCADE"))
        else:
            for table in _TABLES:
                conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})


@pytest.fixture(scope="session")
def _pg_database(pg_url: str) -> Iterator[Database]:
    db = open_database(pg_url, blobs=Path("/nonexistent"))
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty, migrated store on each backend, with its own blob folder."""
    if request.param == "sqlite":
        store = open_database(f"sqlite:///{tmp_path / 'naptip.db'}", blobs=tmp_path / "blobs")
        yield store
        store.dispose()
        return
    shared: Database = request.getfixturevalue("_pg_database")
    _reset(shared)
    yield Database(url=shared.url, engine=shared.engine, blobs=tmp_path / "blobs")


@pytest.fixture
def synced(db: Database, builtin_catalog: Catalog) -> Database:
    """The store with the built-in plan's schedule materialised."""
    from naptip.occurrences.materialise import sync
    from naptip.occurrences.schedule import build_schedule

    loaded = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": ",".join(
        pluginmanager.BUILTIN_PLUGINS)})
    # recorded as `naptip sync` would, so that CLI runs on this store see the same plugins
    sync(db, builtin_catalog, build_schedule(builtin_catalog),
         plugins={name: info.version for name, info in loaded.infos.items()})
    return db


def db_env(db: Database) -> dict[str, str]:
    """Environment for CLI runs against this store."""
    return {"NAPTIP_DATABASE_URL": db.url, "NAPTIP_BLOB_DIR": str(db.blobs)}
