"""Build the plugin manager: find, filter, load and register plugins, never at import time.

Every plugin is loaded inside its own guard: a plugin that fails to import, fails to
register or breaks ``check_pending()`` becomes a :class:`~naptip.base.errors.Problem` naming the
plugin and its package, and the other plugins still load. "Fails" means any exception a
plugin's code raises, at import or in a hook, ``SystemExit`` and other ``BaseException``
subclasses included: a plugin never ends naptip. Only Ctrl-C (``KeyboardInterrupt``), which
is the user's, goes through.

Environment:

- ``NAPTIP_PLUGINS_DIR``: a folder of one-file plugins (``*.py``) and data-only plugins
  (``*.toml`` files, folders of them), like ``--plugins-dir``;
- ``NAPTIP_ENABLE_PLUGINS``: comma-separated allowlist of plugin names; only these load;
- ``NAPTIP_DISABLE_PLUGINS``: comma-separated blocklist of plugin names.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from naptip.base.errors import NaptipError, Problem
from naptip.base.needs import needs_of, unmet
from naptip.plan import hookspecs
from naptip.plan.datafiles.dataplugins import FolderDataPlugin, is_data_plugin
from naptip.plan.hookcheck import hook_problems

ENTRY_POINT_GROUP = "naptip"

#: The built-in plugins, in load order. They are registered through the ``naptip``
#: entry-point group of this distribution, exactly like external plugins.
BUILTIN_PLUGINS = (
    "legislative",
    "enforcement",
    "victim_care",
    "media",
    "forced_labour",
    "monitoring",
    "secretariat",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PluginInfo:
    name: str
    source: str  #: "entry-point" or "directory"
    module: str
    package: str | None = None  #: the distribution that provides it
    version: str | None = None
    builtin: bool = False


@dataclass
class LoadedPlugins:
    """The plugin manager with what was loaded and what went wrong."""

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: plugins that were found but are not loaded, with the one-line reason
    failed: dict[str, tuple[PluginInfo, str]] = field(default_factory=dict)

    def fail(self, plugin: str, message: str, *, broken: bool = True) -> None:
        """Record that ``plugin`` is not loaded, and why (a problem and a failed entry).
        ``broken``: it failed (the default), rather than being left out by a choice such
        as disabling a plugin it needs."""
        self.problem(plugin, message, broken=broken)
        info = self.infos.pop(plugin, None)
        if info is not None:
            self.failed[plugin] = (info, message)

    def problem(self, plugin: str, message: str, subject: str | None = None, *,
                broken: bool = True) -> None:
        info = self.infos.get(plugin)
        self.problems.append(Problem(plugin=plugin, message=message, subject=subject,
                                     package=info.package if info else None, broken=broken))

    def call_each(self, hook: str, problems: list[Problem], **kwargs: Any,
                  ) -> Iterator[tuple[str, Any]]:
        """Call every implementation of a collecting hook on its own, in load order.

        Yields ``(plugin name, result)``; an exception is appended to ``problems`` as a
        problem of that plugin (once: the same failure in several hooks is one problem). A
        result that is an iterator (a generator hook) is read to the end inside the guard, so
        that the plugin's code never runs unguarded in the caller.
        """
        caller = getattr(self.pm.hook, hook)
        for impl in caller.get_hookimpls():
            try:
                result = impl.function(*(kwargs[name] for name in impl.argnames))
                if isinstance(result, Iterator):
                    result = list(result)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                message = str(exc) if isinstance(exc, NaptipError) else (
                    f"hook {hook} raised {describe(exc)}")
                info = self.infos.get(impl.plugin_name)
                problem = Problem(plugin=impl.plugin_name, message=message,
                                  package=info.package if info else None, broken=True)
                if problem not in problems:
                    problems.append(problem)
                continue
            yield impl.plugin_name, result

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        callers = self.pm.get_hookcallers(plugin) if plugin is not None else None
        return sorted(c.name for c in callers or ())


def describe(exc: BaseException) -> str:
    """An exception as one line: its type and its text, whitespace folded."""
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r}): a plugin must never end naptip"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _names(value: str | None) -> set[str] | None:
    if value is None or not value.strip():
        return None
    return {n.strip() for n in value.split(",") if n.strip()}


def build_plugin_manager(
    *,
    plugins_dir: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
) -> LoadedPlugins:
    """Create a plugin manager with every enabled plugin loaded.

    ``plugins_dir`` (else ``NAPTIP_PLUGINS_DIR``) names a folder of one-file plugins.
    """
    env = os.environ if environ is None else environ
    enabled = _names(env.get("NAPTIP_ENABLE_PLUGINS"))
    disabled = _names(env.get("NAPTIP_DISABLE_PLUGINS")) or set()

    def wanted(name: str) -> bool:
        return (enabled is None or name in enabled) and name not in disabled

    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    loaded = LoadedPlugins(pm=pm)

    eps = sorted(entry_points(group=ENTRY_POINT_GROUP), key=_builtin_first)
    for ep in eps:
        if wanted(ep.name):
            _load_entry_point(loaded, ep)

    folder = plugins_dir if plugins_dir is not None else env.get("NAPTIP_PLUGINS_DIR")
    if folder:
        path = Path(folder)
        if not path.is_dir():
            raise NaptipError(f"plugins folder {str(path)!r} does not exist or is not a folder")
        for file in sorted(path.glob("*.py")):
            if not file.name.startswith("_") and wanted(file.stem):
                _load_file(loaded, file)
        for item in sorted(path.iterdir()):
            if is_data_plugin(item) and wanted(item.stem):
                _load_data(loaded, item)

    _check_pending(loaded)
    _check_needs(loaded)
    return loaded


def _check_needs(loaded: LoadedPlugins) -> None:
    """Unload every plugin whose declared needs are not met (until none is left)."""
    changed = True
    while changed:
        changed = False
        for name in list(loaded.infos):
            plugin = loaded.pm.get_plugin(name)
            try:
                message = unmet(needs_of(plugin), set(loaded.infos), set(loaded.failed))
            except KeyboardInterrupt:
                raise
            except BaseException as exc:
                message = f"cannot read its declared needs: {describe(exc)}"
            if message is not None:
                loaded.pm.unregister(plugin)
                loaded.fail(name, message, broken=message.startswith("cannot read"))
                changed = True


def _check_pending(loaded: LoadedPlugins) -> None:
    """Unregister, one by one, every plugin that implements a hook nobody specified."""
    while True:
        try:
            loaded.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            name = loaded.pm.get_name(exc.plugin) or "?"
            loaded.pm.unregister(exc.plugin)
            loaded.fail(name, f"implements an unknown hook: {describe(exc)}")
            continue
        return


def _builtin_first(ep: EntryPoint) -> tuple[int, str]:
    dist = getattr(ep, "dist", None)
    ours = dist is not None and dist.name == "naptip" and ep.name in BUILTIN_PLUGINS
    return (BUILTIN_PLUGINS.index(ep.name) if ours else len(BUILTIN_PLUGINS), ep.name)


def _load_entry_point(loaded: LoadedPlugins, ep: EntryPoint) -> None:
    dist = getattr(ep, "dist", None)
    package = dist.name if dist is not None else None
    info = PluginInfo(
        name=ep.name,
        source="entry-point",
        module=ep.value,
        package=package,
        version=dist.version if dist is not None else None,
        builtin=package == "naptip" and ep.name in BUILTIN_PLUGINS,
    )
    if ep.name in loaded.infos:
        other = loaded.infos[ep.name]
        loaded.problems.append(Problem(
            plugin=ep.name, package=package, broken=True,
            message=f"name already used by the plugin from {other.package or other.module}; "
                    "this one is not loaded",
        ))
        return
    loaded.infos[ep.name] = info
    try:
        obj = ep.load()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        loaded.fail(ep.name, f"failed to load {ep.value}: {describe(exc)}")
        return
    _register(loaded, ep.name, obj)


def _load_file(loaded: LoadedPlugins, file: Path) -> None:
    name = file.stem
    if name in loaded.infos:
        loaded.problems.append(Problem(
            plugin=name, package=str(file), broken=True,
            message="name already used by another plugin; this file is not loaded",
        ))
        return
    module_name = f"naptip_local_plugins.{name}"
    loaded.infos[name] = PluginInfo(name=name, source="directory", module=str(file),
                                    package=str(file))
    try:
        spec = importlib.util.spec_from_file_location(module_name, file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        sys.modules.pop(module_name, None)
        raise
    except BaseException as exc:
        sys.modules.pop(module_name, None)
        loaded.fail(name, f"failed to load {file.name}: {describe(exc)}")
        return
    _register(loaded, name, module)


class _Partial:
    """A plugin's valid hooks (and declared needs) without the ones that are wrong."""

    def __init__(self, plugin: object, leave_out: set[str]) -> None:
        self.__wrapped__ = plugin
        for attr in dir(plugin):
            if (attr.startswith("naptip_") and attr not in leave_out) or attr in (
                    "NAPTIP_REQUIRES", "NAPTIP_API_VERSION"):
                setattr(self, attr, getattr(plugin, attr))


def _load_data(loaded: LoadedPlugins, path: Path) -> None:
    """A data-only plugin: a TOML file or a folder of them (naptip.plan.datafiles)."""
    name = path.stem
    if name in loaded.infos:
        loaded.problems.append(Problem(
            plugin=name, package=str(path), broken=True,
            message="name already used by another plugin; this data is not loaded"))
        return
    loaded.infos[name] = PluginInfo(name=name, source="data", module=str(path),
                                    package=str(path))
    try:
        obj = FolderDataPlugin(path)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        message = str(exc) if isinstance(exc, NaptipError) else describe(exc)
        loaded.fail(name, message)
        return
    _register(loaded, name, obj)


def _register(loaded: LoadedPlugins, name: str, obj: ModuleType | object) -> None:
    problems = hook_problems(loaded.pm, obj)
    if problems:
        # pluggy would refuse the whole plugin for one wrong hook: say precisely what is
        # wrong, and load the plugin's other hooks so nothing else is lost.
        for message in problems.values():
            loaded.problem(name, f"{message} (its other hooks are loaded)")
        obj = _Partial(obj, set(problems))
    try:
        loaded.pm.register(obj, name=name)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        loaded.fail(name, f"cannot be registered: {describe(exc)}")


def register_plugin(loaded: LoadedPlugins, name: str, obj: object) -> None:
    """Register a plugin object that is not installed (tests, tools), checked like the others.

    Its hooks are checked and its declared needs are met, or it is recorded as failed.
    """
    if name in loaded.infos:
        raise NaptipError(f"a plugin named {name!r} is already loaded; disable it first "
                          f"(NAPTIP_DISABLE_PLUGINS={name})")
    module = getattr(obj, "__name__", type(obj).__name__)
    loaded.infos[name] = PluginInfo(name=name, source="object", module=str(module))
    _register(loaded, name, obj)
    _check_needs(loaded)
