"""NAPTIP 3.0 is the first plan package, shipped with naptip (issue 19).

Its structure and its 210 entries are a data-only package in naptip/data/plans/naptip-3.0,
read by the same loader as any package, flagged built-in: its occurrence ids keep no prefix.
The committee plugins keep their committees, agencies and duties.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from naptip.plan import package as package_module
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.package import builtin_package_folder, load_builtin_package, load_plan_package
from naptip.plan.plandata import load_plan_structure
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager

ROOT = Path(__file__).resolve().parents[2]


def test_the_built_in_plan_is_a_package_in_the_distribution() -> None:
    package = load_builtin_package()
    assert package.built_in and package.source == builtin_package_folder()
    assert package.source == ROOT / "core" / "data" / "plans" / "naptip-3.0"
    assert package.structure == load_plan_structure()
    assert len(package.activities) == 210
    assert not (ROOT / "core" / "data" / "plan.toml").exists()


def test_it_passes_the_loader_any_package_goes_through(builtin_catalog: Catalog) -> None:
    """Read strictly, as a package installed beside it would be, it gives the same 210
    entries; only the flag differs."""
    strict = load_plan_package(builtin_package_folder(), builtin_catalog.committees)
    assert not strict.built_in
    assert strict.activities == load_builtin_package().activities
    assert {a.id: a for a in strict.activities} == builtin_catalog.activities


def test_its_occurrence_ids_stay_unprefixed(builtin_catalog: Catalog) -> None:
    from naptip.occurrences.schedule import build_schedule

    assert builtin_catalog.occurrence_prefix == ""
    ids = {o.id for o in build_schedule(builtin_catalog).occurrences}
    assert len(ids) == 1151
    assert {"S1-O1-i@2021", "S9-O1-iii@2025", "S1-O1-iii@deliverable"} <= ids
    assert not any(":" in oid.split("@", 1)[0] for oid in ids)


def test_the_committee_plugins_declare_no_activity() -> None:
    loaded = build_plugin_manager(environ={})
    for plugin, result in loaded.call_each("naptip_activities", [],
                                           plan=load_plan_structure()):
        assert list(result or ()) == [], plugin


def test_plugin_activities_join_naptip_3_0_and_a_successor_takes_none(
        register_plugin: Callable[..., Catalog], loaded: LoadedPlugins, package: Path) -> None:
    """docs/plugin-authors.md: a plugin's [[activity]] entries belong to NAPTIP 3.0."""
    from tests.plan.test_plugin_loading import ActivityPlugin, _activity

    catalog = register_plugin(ActivityPlugin(_activity()), "jim")
    assert catalog.plugin_of("activity", "S9-O1-jim-i") == "jim"
    assert len(catalog.activities) == 211 and catalog.problems == []
    successor = load_plan_package(package, catalog.committees)
    other = build_catalog(loaded, structure=successor.structure, package=successor)
    assert "S9-O1-jim-i" not in other.activities
    assert set(other.declared_by[f"activity:{a}"] for a in other.activities) == {
        "plan package naptip-4.0"}


@pytest.fixture
def broken_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the built-in package, used as the built-in one for this test."""
    folder = tmp_path / "naptip-3.0"
    shutil.copytree(builtin_package_folder(), folder)
    monkeypatch.setattr(package_module, "builtin_package_folder", lambda: folder)
    load_builtin_package.cache_clear()
    yield folder
    monkeypatch.undo()
    load_builtin_package.cache_clear()


def test_plugins_check_names_the_file_and_entry_of_a_broken_built_in_package(
        broken_builtin: Path, run: Callable[..., Result]) -> None:
    media = broken_builtin / "activities" / "media.toml"
    text = media.read_text(encoding="utf-8")
    media.write_text(text.replace('objective = "S9"', 'objective = "S99"', 1),
                     encoding="utf-8")
    result = run("plugins", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (f"plan package naptip-3.0: {media}: activity S9-O1-i: unknown "
                        "objective S99")
    # without the package its duties' activities are missing: said, not hidden
    assert all("fulfils unknown activity" in line for line in lines[1:])
    assert "Traceback" not in result.output


def test_an_entry_naming_an_unknown_committee_is_one_line_and_left_out(
        broken_builtin: Path) -> None:
    legislative = broken_builtin / "activities" / "legislative.toml"
    text = legislative.read_text(encoding="utf-8")
    legislative.write_text(text.replace('support = []', 'support = ["finance"]', 1),
                           encoding="utf-8")
    catalog = build_catalog(build_plugin_manager(environ={}))
    assert [str(p) for p in catalog.problems] == [
        f"plan package naptip-3.0 ({legislative}): activity S1-O1-i: unknown committee "
        "'finance'"]
    assert "S1-O1-i" not in catalog.activities and len(catalog.activities) == 209


def test_a_disabled_committee_plugin_leaves_its_entries_out() -> None:
    """As when the committee plugins declared them: the media committee's own entries go
    with it; entries of others it supports are problems."""
    catalog = build_catalog(build_plugin_manager(environ={"NAPTIP_DISABLE_PLUGINS": "media"}))
    assert not any(a.owner == "media" for a in catalog.activities.values())
    assert catalog.problems and all("unknown committee 'media'" in str(p)
                                    for p in catalog.problems)
    assert all(str(p).startswith("plan package naptip-3.0 (") for p in catalog.problems)


@pytest.mark.slow
def test_a_normal_install_ships_the_package(tmp_path: Path) -> None:
    """Not only the editable install: pip-install a copy of the sources (offline) and run
    naptip from it."""
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "tests", "docs", "bench", "build", "*.egg-info", "__pycache__",
        ".*cache"))
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-index", "--no-build-isolation", "--target", str(site), str(source)],
                   check=True, capture_output=True, text=True)
    shipped = site / "naptip" / "data" / "plans" / "naptip-3.0"
    assert sorted(p.name for p in (shipped / "activities").glob("*.toml")) == [
        "enforcement.toml", "forced-labour.toml", "legislative.toml", "media.toml",
        "nso-mapo.toml", "victim-care.toml"]
    env = {**os.environ, "PYTHONPATH": str(site), "NAPTIP_CONFIG": os.devnull}
    env.pop("NAPTIP_PLUGINS_DIR", None)
    out = subprocess.run([sys.executable, "-c", "from naptip.cli import main; main()",
                          "plugins", "list", "--json"],
                         env=env, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["problems"] == []
    [row] = data["plan_packages"]
    assert row["source"] == str(shipped) and row["activities"] == 210


def test_plugins_check_path_reads_a_plan_package_as_a_plan(
        run: Callable[..., Result], tmp_path: Path) -> None:
    """`plugins check --path` takes a plan package, the built-in folder like any other."""
    folder = builtin_package_folder()
    ok = run("plugins", "check", "--path", str(folder))
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == f"ok: {folder}: plan package naptip-3.0 (210 activity)\n"
    copy = tmp_path / "naptip-3.0"
    shutil.copytree(folder, copy)
    legislative = copy / "activities" / "legislative.toml"
    legislative.write_text(legislative.read_text(encoding="utf-8").replace(
        "support = []", 'support = ["finance"]', 1), encoding="utf-8")
    bad = run("plugins", "check", "--path", str(copy))
    assert bad.exit_code == 1
    assert bad.stdout == (f"{legislative}: activity S1-O1-i: unknown committee 'finance'\n")


def test_entries_come_in_the_committees_order_as_the_plugins_gave_them(
        builtin_catalog: Catalog) -> None:
    """Lists in the reports follow the catalog's order: the package's files are read by
    name (enforcement.toml first), the catalog keeps the committees' order."""
    order = list(builtin_catalog.committees)
    owners = [order.index(a.owner) for a in builtin_catalog.activities.values()]
    assert owners == sorted(owners)
    assert order[:2] == ["legislative", "enforcement"] and order[-1] == "nso-mapo"
    first = list(builtin_catalog.activities)[:3]
    assert first == ["S1-O1-i", "S1-O1-ii", "S1-O1-iii"]
