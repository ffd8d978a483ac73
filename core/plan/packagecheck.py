"""``naptip plugins check --path DIR``: check a plugin package before it is installed.

Catches what otherwise fails silently or only after a normal install: a pyproject without
the ``naptip`` entry point (the plugin would simply be absent), data files that are not
package-data (present in an editable install, missing in a normal one), unknown hooks or
arguments, and everything ``naptip plugins check`` finds in the plugin's contributions.
A data-only plugin (a TOML file or folder) is checked as the plugins folder would load it;
a plan package (a folder with plan.toml, naptip.plan.package) as a plan would be loaded.
"""

from __future__ import annotations

import fnmatch
import importlib
import sys
import tomllib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naptip.base.config import Settings
from naptip.base.errors import NaptipError

DATA_SUFFIXES = (".toml", ".json", ".csv", ".yaml", ".yml", ".txt", ".ics")


@dataclass
class PackageReport:
    """What was checked, and the problems found (one line each)."""

    plugins: list[str] = field(default_factory=list)
    #: what was checked: "plugin", or "plan package"
    kind: str = "plugin"
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def check_path(path: Path, settings: Settings | None = None,
               committees: Collection[str] | None = None) -> PackageReport:
    """Check the plugin or plan package at ``path``; ``committees``: the committee ids a
    plan package's entries may name (default: those of the installed plugins)."""
    if not path.exists():
        raise NaptipError(f"{path} does not exist")
    report = PackageReport()
    if (path / "plan.toml").is_file():
        _check_plan_package(path, report, committees)
    elif (path / "pyproject.toml").is_file():
        _check_package(path, report, settings)
    elif path.suffix == ".toml" or path.is_dir():
        _check_data_plugin(path, report, settings)
    else:
        raise NaptipError(f"{path} is neither a package (no pyproject.toml) nor a data-only "
                          "plugin (a .toml file or a folder of them)")
    return report


def _pyproject(root: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise NaptipError(f"{root / 'pyproject.toml'}: cannot read: {exc}") from None


def _check_package(root: Path, report: PackageReport, settings: Settings | None) -> None:
    meta = _pyproject(root)
    where = root / "pyproject.toml"
    eps = meta.get("project", {}).get("entry-points", {}).get("naptip", {})
    if not eps:
        report.problems.append(
            f"{where}: no [project.entry-points.naptip]: naptip would never find this plugin; "
            'add a line like  my_plugin = "my_package:plugin"')
        return
    setuptools = meta.get("tool", {}).get("setuptools", {})
    packages = setuptools.get("packages")
    if not isinstance(packages, list):
        packages = sorted({str(v).split(":")[0].split(".")[0] for v in eps.values()})
    package_data: dict[str, list[str]] = setuptools.get("package-data", {})
    for package in packages:
        folder = root / Path(*package.split("."))
        patterns = [*package_data.get(package, []), *package_data.get("*", [])]
        for file in sorted(folder.glob("*")):
            if file.suffix in DATA_SUFFIXES and not any(
                    fnmatch.fnmatch(file.name, p) for p in patterns):
                report.problems.append(
                    f"{where}: {file.relative_to(root)} is not package-data: it works in an "
                    f"editable install and is missing after `pip install`; add "
                    f'[tool.setuptools.package-data] "{package}" = ["*{file.suffix}"]')
    with _importable(root):
        for name, value in eps.items():
            report.plugins.append(name)
            module, _, attr = str(value).partition(":")
            try:
                obj: object = importlib.import_module(module)
                for part in filter(None, attr.split(".")):
                    obj = getattr(obj, part)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # SystemExit too: a plugin never ends naptip
                from naptip.plan.pluginmanager import describe

                report.problems.append(f"plugin {name!r}: entry point {value!r} cannot be "
                                       f"loaded: {describe(exc)}")
                continue
            _check_object(name, obj, report, settings)


@contextmanager
def _importable(root: Path) -> Iterator[None]:
    """Import from ``root`` for a while, then forget the modules imported from there (and
    only those: naptip's own modules stay, so its classes keep one identity)."""
    before = set(sys.modules)
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        inside = str(root.resolve())
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if str(Path(module_file).resolve()).startswith(inside) if module_file else False:
                del sys.modules[name]


def _check_object(name: str, obj: object, report: PackageReport,
                  settings: Settings | None) -> None:
    from naptip.plan.catalog import build_catalog
    from naptip.plan.pluginmanager import build_plugin_manager, register_plugin

    loaded = build_plugin_manager(environ={"NAPTIP_DISABLE_PLUGINS": name})
    register_plugin(loaded, name, obj)
    _collect(name, build_catalog(loaded, settings=settings), report)


def _check_data_plugin(path: Path, report: PackageReport, settings: Settings | None) -> None:
    from naptip.plan.catalog import build_catalog
    from naptip.plan.datafiles.dataplugins import FolderDataPlugin
    from naptip.plan.pluginmanager import build_plugin_manager, register_plugin

    name = path.stem
    report.plugins.append(name)
    try:
        obj = FolderDataPlugin(path)
    except NaptipError as exc:
        report.problems.append(f"plugin {name!r}: {exc}")
        return
    loaded = build_plugin_manager(environ={"NAPTIP_DISABLE_PLUGINS": name})
    register_plugin(loaded, name, obj)
    _collect(name, build_catalog(loaded, settings=settings), report)


def _check_plan_package(path: Path, report: PackageReport,
                        committees: Collection[str] | None) -> None:
    """Read the package strictly, as `naptip plan list` would load it (NAPTIP 3.0's own
    folder included): the first problem is one line naming the file and the entry."""
    from naptip.plan.package import load_plan_package

    report.kind = "plan package"
    if committees is None:
        from naptip.plan.catalog import build_catalog
        from naptip.plan.pluginmanager import build_plugin_manager

        committees = set(build_catalog(build_plugin_manager()).committees)
    try:
        package = load_plan_package(path, committees)
    except NaptipError as exc:
        report.plugins.append(path.name)
        report.problems.append(str(exc))  # it names the file and the entry
        return
    report.plugins.append(package.structure.plan.id)
    report.counts["activity"] = len(package.activities)


def _collect(name: str, catalog: Any, report: PackageReport) -> None:
    from naptip.plan.zonecheck import zone_warnings

    report.problems += [str(p) for p in catalog.problems if p.plugin == name]
    report.warnings += [str(w) for w in zone_warnings(catalog) if w.plugin == name]
    for key, plugin in catalog.declared_by.items():
        if plugin == name:
            kind = key.split(":", 1)[0]
            report.counts[kind] = report.counts.get(kind, 0) + 1
