"""Testing helpers for naptip and its plugins; also a pytest plugin (entry point ``pytest11``).

Installed with naptip, the fixtures below are available in any pytest run, no conftest
needed::

    def test_my_duty(naptip_plugins, naptip_clock):
        loaded = naptip_plugins("mmea_sabah")          # my plugin + the built-ins it needs
        dates = [o.due for o in occurrences(loaded, plugin="mmea_sabah")]

Helpers (plain functions, usable without pytest):

- :func:`plugin_manager`: a plugin manager with only the named plugins plus the built-in
  plugins they depend on (the committees and agencies they refer to, and what they
  declare in ``NAPTIP_REQUIRES``); a plugin object can be given for a plugin that is
  not installed, or that is installed and being changed (it replaces the installed one);
- :func:`catalog` and :func:`problems`: what the plugins declare, and what is wrong;
- :func:`occurrences`: a plugin's duties and activities expanded into dated occurrences;
- :func:`submit_evidence`: evidence through naptip's checks and every plugin's validator,
  into a store; :func:`validate` runs only the plugins' validators on a draft;
- :func:`invoke`: run the ``naptip`` command line in-process, plugins' commands included;
- :func:`temporary_postgres`: a throwaway PostgreSQL database.

Fixtures: ``naptip_as_of`` (override it to move the clock), ``naptip_clock``,
``naptip_store``, ``naptip_plugins``, ``naptip_cli``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from click.testing import Result

    from naptip.base.evidence_types import EvidenceDraft
    from naptip.occurrences.schedule import Occurrence
    from naptip.plan.catalog import Catalog
    from naptip.plan.pluginmanager import LoadedPlugins
    from naptip.store.db import Database

__all__ = [
    "FIXED_DAY",
    "PG_SERVER",
    "catalog",
    "dependencies",
    "invoke",
    "occurrences",
    "plugin_manager",
    "problems",
    "submit_evidence",
    "temporary_postgres",
    "validate",
]

#: The day the ``naptip_clock`` fixture sets unless ``naptip_as_of`` is overridden.
FIXED_DAY = date(2024, 3, 1)

#: The server the tests and benchmarks use: 127.0.0.1:5432, user postgres, trust auth.
PG_SERVER = os.environ.get("NAPTIP_TEST_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_missing(server: str = PG_SERVER) -> str | None:
    """None when something answers at ``server``'s host and port; else the one line that
    says what to run first."""
    import socket

    from sqlalchemy.engine import make_url

    url = make_url(server)
    host, port = url.host or "127.0.0.1", url.port or 5432
    try:
        with socket.create_connection((host, port), timeout=5):
            return None
    except OSError:
        return (f"no PostgreSQL answers on {host}:{port}: run ./scripts/start-postgres first "
                "(it starts a throwaway server), or set NAPTIP_TEST_PG_URL")


@contextmanager
def temporary_postgres(prefix: str = "naptip_test", server: str = PG_SERVER) -> Iterator[str]:
    """Create a fresh database on ``server``, yield its URL, and drop it afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(server)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- plugin managers with only what a test needs -------------------------------------------

def _build(enable: set[str], objects: Mapping[str, object],
           plugins_dir: Path | str | None) -> LoadedPlugins:
    from naptip.plan.pluginmanager import build_plugin_manager, register_plugin

    environ = {"NAPTIP_ENABLE_PLUGINS": ",".join(sorted(enable)) or "-"}
    loaded = build_plugin_manager(plugins_dir=plugins_dir, environ=environ)
    for name, obj in objects.items():
        register_plugin(loaded, name, obj)
    return loaded


def dependencies(loaded: LoadedPlugins, names: Sequence[str]) -> set[str]:
    """The plugins that ``names`` depend on (not including them).

    A plugin depends on the plugins that declare the committees and agencies its
    activities, duties, agencies and agency extensions refer to (not on what those refer
    to in turn), and on
    those in its ``NAPTIP_REQUIRES`` (transitively, as loading requires). The entries of
    NAPTIP 3.0's package (naptip.plan.package) count as the activities of the plugin
    whose committee owns them: ``plugin_manager("media")`` gives a catalog with the media
    committee's NAPTIP 3.0 work, valid.
    """
    from naptip.base.needs import needs_of
    from naptip.plan.catalog import PACKAGE_PREFIX, build_catalog

    full = build_catalog(loaded)
    owner = {key.split(":", 1)[1]: plugin for key, plugin in full.declared_by.items()
             if key.startswith(("committee:", "agency:"))}

    def declarer(key: str, plugin: str) -> str | None:
        kind, item_id = key.split(":", 1)
        if kind == "activity" and plugin.startswith(PACKAGE_PREFIX):
            return owner.get(full.activities[item_id].owner)
        return plugin

    wanted: set[str] = set()
    for name in names:
        refs: set[str] = set()
        for key, plugin in full.declared_by.items():
            if declarer(key, plugin) != name:
                continue
            kind, item_id = key.split(":", 1)
            if kind == "activity":
                a = full.activities[item_id]
                refs |= {c for c in (a.lead, *a.support) if c}
            elif kind == "duty":
                d = full.duties[item_id]
                refs |= {d.owner, *d.support, *d.hosts}
            elif kind == "agency":
                refs |= set(full.agencies[item_id].committees)
        refs |= {agency for agency, by in full.agency_extended_by.items() if name in by}
        wanted |= {owner[ref] for ref in refs if ref in owner}
    todo = [*names, *wanted]
    while todo:
        required = needs_of(loaded.pm.get_plugin(todo.pop())).requires
        new = {r for r in required if r in loaded.infos} - wanted
        wanted |= new
        todo += new
    return wanted - set(names)


def plugin_manager(*names: str, plugins: Mapping[str, object] | None = None,
                   plugins_dir: Path | str | None = None) -> LoadedPlugins:
    """A plugin manager with the named plugins and the plugins they depend on, only.

    ``names`` are installed plugins (entry points), one-file or data-only plugins in
    ``plugins_dir``, or keys of ``plugins``: objects (modules) registered under that name.
    An object replaces an installed plugin of the same name, so a plugin's own tests work
    whether or not it is installed.
    """
    objects = dict(plugins or {})
    every = _build_all(objects, plugins_dir)
    missing = [n for n in names if n not in every.infos and n not in objects]
    if missing:
        from naptip.base.errors import NaptipError

        failed = every.failed.get(missing[0])
        why = f": {failed[1]}" if failed else " (not installed, not in plugins_dir)"
        raise NaptipError(f"no plugin named {missing[0]!r}{why}")
    wanted = {*names, *dependencies(every, [*names, *objects])}
    return _build(wanted - set(objects), objects, plugins_dir)


def _build_all(objects: Mapping[str, object], plugins_dir: Path | str | None) -> LoadedPlugins:
    from naptip.plan.pluginmanager import build_plugin_manager, register_plugin

    environ = {"NAPTIP_DISABLE_PLUGINS": ",".join(objects)} if objects else {}
    loaded = build_plugin_manager(plugins_dir=plugins_dir, environ=environ)
    for name, obj in objects.items():
        register_plugin(loaded, name, obj)
    return loaded


def catalog(loaded: LoadedPlugins) -> Catalog:
    from naptip.plan.catalog import build_catalog

    return build_catalog(loaded)


def problems(loaded: LoadedPlugins, plugin: str | None = None) -> list[str]:
    """The problems found loading and validating the plugins (or one plugin), one line each.

    With only some built-in plugins loaded, the others' activities that refer to absent
    committees are problems of those built-ins: pass ``plugin`` to see only your own.
    """
    return [str(p) for p in catalog(loaded).problems if plugin is None or p.plugin == plugin]


def occurrences(source: LoadedPlugins | Catalog, *, plugin: str | None = None,
                start: date | None = None, end: date | None = None) -> list[Occurrence]:
    """The dated occurrences of the plugins' activities and duties (optionally of one plugin,
    between two days inclusive), in date order."""
    from naptip.occurrences.schedule import build_schedule
    from naptip.plan.catalog import Catalog

    cat = source if isinstance(source, Catalog) else catalog(source)
    schedule = build_schedule(cat)
    rows = schedule.between(start or date.min, end or date.max)
    return [o for o in rows if plugin is None or o.plugin == plugin]


def validate(loaded: LoadedPlugins, draft: EvidenceDraft) -> list[str]:
    """The plugins' validators on a draft: the refusal messages, ``[]`` when accepted."""
    from naptip.base.errors import Problem

    found: list[Problem] = []
    messages: list[str] = []
    for plugin, result in loaded.call_each("naptip_validate_evidence", found, draft=draft):
        for message in [result] if isinstance(result, str) else list(result or ()):
            messages.append(f"evidence refused by plugin {plugin!r}: {message}")
    return messages + [f"evidence not checked: {p}" for p in found]


def submit_evidence(store: Database, loaded: LoadedPlugins, occurrence_id: str,
                    values: Mapping[str, str] | None = None, *, today: date | None = None,
                    actor: str = "tester", **fields: Any) -> int:
    """Submit evidence for an occurrence the way ``naptip evidence submit`` does.

    The store is brought up to date with the plugins' schedule first. Every naptip check
    and every plugin validator runs; a refusal raises :class:`naptip.base.values.EvidenceError`
    (its message names the plugin). Returns the evidence number. ``fields`` are the other
    fields of :class:`naptip.progress.evidence.Submission` (``note``, ``files``, ``breakdown``...).
    """
    from naptip.occurrences.materialise import sync
    from naptip.occurrences.schedule import build_schedule
    from naptip.progress.evidence import EvidenceService, Submission
    from naptip.time.clock import today as clock_today

    cat = catalog(loaded)
    sync(store, cat, build_schedule(cat))
    service = EvidenceService(store, cat, loaded)
    submission = Submission(occurrence_id=occurrence_id, actor=actor,
                            values=dict(values or {}), **fields)
    return service.submit(submission, today=clock_today(today))


def invoke(*args: str, plugins: Sequence[str] | None = None,
           objects: Mapping[str, object] | None = None,
           env: Mapping[str, str] | None = None) -> Result:
    """Run ``naptip ARGS`` in-process with plugins' commands; stdout and stderr apart.

    ``plugins`` limits the run to those plugins and the ones they depend on. ``objects``
    (name -> plugin object) adds the commands of plugins that are not installed.
    """
    from click.testing import CliRunner

    from naptip.cli import cli
    from naptip.cli.app import register_plugin_commands

    environ = dict(env or {})
    if plugins is not None:
        wanted = {*plugins, *dependencies(_build_all({}, None), list(plugins))}
        environ["NAPTIP_ENABLE_PLUGINS"] = ",".join(sorted(wanted)) or "-"
    before = set(cli.commands)
    saved = {k: os.environ.get(k) for k in environ}
    os.environ.update(environ)
    try:
        register_plugin_commands(cli)
        for name, obj in (objects or {}).items():
            hook = getattr(obj, "naptip_register_commands", None)
            if hook is not None and name not in cli.command_plugins.values():
                added = set(cli.commands)
                hook(cli=cli)
                cli.command_plugins.update(dict.fromkeys(set(cli.commands) - added, name))
        return CliRunner().invoke(cli, list(args), env=environ, catch_exceptions=False)
    finally:
        for name in set(cli.commands) - before:
            del cli.commands[name]
            cli.command_plugins.pop(name, None)
        cli.command_problems.clear()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- pytest fixtures (this module is registered through the ``pytest11`` entry point) ----

@pytest.fixture
def naptip_as_of() -> date:
    """The day the clock is set to; override this fixture to choose another."""
    return FIXED_DAY


@pytest.fixture
def naptip_clock(naptip_as_of: date, monkeypatch: pytest.MonkeyPatch) -> date:
    """Sets naptip's clock (``NAPTIP_AS_OF``) to ``naptip_as_of`` for the test."""
    monkeypatch.setenv("NAPTIP_AS_OF", naptip_as_of.isoformat())
    return naptip_as_of


@pytest.fixture
def naptip_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """An empty, migrated SQLite store in a temporary folder, also used by the CLI."""
    from naptip.store.db import open_database

    url = f"sqlite:///{tmp_path / 'naptip.db'}"
    monkeypatch.setenv("NAPTIP_DATABASE_URL", url)
    monkeypatch.setenv("NAPTIP_BLOB_DIR", str(tmp_path / "blobs"))
    store = open_database(url, blobs=tmp_path / "blobs")
    yield store
    store.dispose()


@pytest.fixture
def naptip_plugins() -> Callable[..., LoadedPlugins]:
    """:func:`plugin_manager`, as a fixture."""
    return plugin_manager


@pytest.fixture
def naptip_cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """:func:`invoke`, as a fixture (the user's own settings and plugins folder ignored)."""
    for name in ("NAPTIP_PLUGINS_DIR", "NAPTIP_CONFIG", "NAPTIP_ENABLE_PLUGINS",
                 "NAPTIP_DISABLE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    return invoke
