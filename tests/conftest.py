"""Shared fixtures: the real built-in plugins, per-test plugin registration, the CLI."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from naptip import pluginmanager
from naptip.catalog import Catalog, build_catalog
from naptip.cli import cli
from naptip.pluginmanager import LoadedPlugins, build_plugin_manager

from .support import FakeEntryPoint

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's own naptip settings."""
    for name in ("NAPTIP_PLUGINS_DIR", "NAPTIP_ENABLE_PLUGINS", "NAPTIP_DISABLE_PLUGINS",
                 "NAPTIP_DEBUG"):
        monkeypatch.delenv(name, raising=False)


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

        monkeypatch.setattr("naptip.pluginmanager.entry_points", entry_points)

    return install


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process; stderr is kept apart from stdout."""

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return invoke
