"""Broken plugins are named with their package and error; the others still load."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import Result

from naptip import Activity, Committee, Indicator, IndicatorKind, Timeline, hookimpl
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.package import builtin_package_folder
from naptip.plan.pluginmanager import BUILTIN_PLUGINS, build_plugin_manager
from tests.support import FakeEntryPoint


def _activity(**changes: Any) -> Activity:
    fields: dict[str, Any] = dict(
        id="S9-O1-jim-i", objective="S9", output="S9-O1", text="Agency awareness day",
        indicators=(Indicator(text="Number of sessions", kind=IndicatorKind.COUNT),),
        timeline=Timeline(start=2023, end=2025), lead="enforcement",
    )
    fields.update(changes)
    return Activity(**fields)


class ActivityPlugin:
    def __init__(self, *activities: Activity) -> None:
        self.activities = activities

    @hookimpl
    def naptip_activities(self) -> tuple[Activity, ...]:
        return self.activities


def _raise_on_import() -> Any:
    raise ImportError("No module named 'naptip_broken.missing'")


def test_builtins_load_through_entry_points() -> None:
    loaded = build_plugin_manager(environ={})
    builtin = [i.name for i in loaded.infos.values() if i.builtin]
    assert builtin == list(BUILTIN_PLUGINS)
    assert all(loaded.infos[n].source == "entry-point" for n in builtin)
    assert all(loaded.infos[n].package == "naptip" for n in builtin)
    assert loaded.problems == []


def test_plugin_raising_on_import_is_named(fake_entry_points: Callable[..., None]) -> None:
    fake_entry_points(FakeEntryPoint("broken", _raise_on_import, package="naptip-broken"))
    loaded = build_plugin_manager(environ={})
    catalog = build_catalog(loaded)
    assert [str(p) for p in catalog.problems] == [
        "plugin 'broken' (naptip-broken): failed to load naptip_broken:plugin: "
        "ImportError: No module named 'naptip_broken.missing'"]
    assert len(catalog.activities) == 210


def test_duplicate_id_names_both_plugins(register_plugin: Callable[..., Catalog]) -> None:
    catalog = register_plugin(ActivityPlugin(_activity(id="S9-O1-i")), "copycat")
    assert [str(p) for p in catalog.problems] == [
        "plugin 'copycat': activity S9-O1-i: duplicate id: already declared by plan package "
        "naptip-3.0"]
    assert catalog.plugin_of("activity", "S9-O1-i") == "plan package naptip-3.0"


def test_unknown_objective_is_named(register_plugin: Callable[..., Catalog]) -> None:
    bad = _activity(id="S99-O1-i", objective="S99", output="S99-O1")
    catalog = register_plugin(ActivityPlugin(bad, _activity()), "s99")
    assert [str(p) for p in catalog.problems] == [
        "plugin 's99': activity S99-O1-i: unknown objective S99"]
    assert "S9-O1-jim-i" in catalog.activities  # the plugin's valid activity stays


@pytest.mark.parametrize(("changes", "message"), [
    ({"output": "S9-O9"}, "unknown output S9-O9"),
    ({"output": "S10-O1"}, "output S10-O1 belongs to objective S10, not S9"),
    ({"lead": "finance"}, "unknown committee 'finance'"),
    ({"support": ("nobody",)}, "unknown committee 'nobody'"),
    ({"timeline": Timeline(start=2025, end=2023)}, "timeline starts (2025) after it ends (2023)"),
    ({"timeline": Timeline(start=2019, end=2021)}, "outside the plan period 2021-2025"),
    ({"indicators": ()}, "has no indicator"),
    ({"indicators": (Indicator(text=" ", kind=IndicatorKind.COUNT),)},
     "indicator #1: has no text"),
    ({"id": "s9-o1-i"}, "id must look like S9-O1-i"),
    ({"id": "S9-O2-jim-i"}, "id must start with its output S9-O1-"),
    ({"related_goals": ("G12",)}, "unknown goal G12"),
])
def test_invalid_activity_is_reported(register_plugin: Callable[..., Catalog],
                                      changes: dict[str, Any], message: str) -> None:
    catalog = register_plugin(ActivityPlugin(_activity(**changes)), "agency")
    assert len(catalog.problems) == 1
    problem = str(catalog.problems[0])
    assert problem.startswith("plugin 'agency': activity ")
    assert message in problem
    assert len(catalog.activities) == 210


def test_exception_in_a_hook_is_named(register_plugin: Callable[..., Catalog]) -> None:
    class Exploding:
        @hookimpl
        def naptip_activities(self) -> list[Activity]:
            raise KeyError("S9")

    catalog = register_plugin(Exploding(), "exploding")
    assert [str(p) for p in catalog.problems] == [
        "plugin 'exploding': hook naptip_activities raised KeyError: 'S9'"]
    assert len(catalog.activities) == 210


@pytest.mark.parametrize(("result", "message"), [
    (42, "hook naptip_committees must return an iterable of Committee, not int"),
    ("legislative", "hook naptip_committees must return an iterable of Committee, not str"),
    ([{"id": "x"}], "hook naptip_committees returned dict as item #1; expected Committee"),
])
def test_malformed_return_is_named(register_plugin: Callable[..., Catalog], result: object,
                                   message: str) -> None:
    class Malformed:
        @hookimpl
        def naptip_committees(self) -> object:
            return result

    catalog = register_plugin(Malformed(), "malformed")
    assert [str(p) for p in catalog.problems] == [f"plugin 'malformed': {message}"]


def test_duplicate_committee(register_plugin: Callable[..., Catalog]) -> None:
    class Again:
        @hookimpl
        def naptip_committees(self) -> list[Committee]:
            return [Committee(id="media", name="Media", name_ms="Media", lead_agency="X",
                              lead_agency_short="X", pillars=("P1",))]

    catalog = register_plugin(Again(), "again")
    assert [str(p) for p in catalog.problems] == [
        "plugin 'again': committee media: duplicate id: already declared by plugin 'media'"]
    assert catalog.committees["media"].lead_agency_short == "KKMM"


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_plugins_dir(tmp_path: Path) -> None:
    _write(tmp_path, "good.py", "from naptip import hookimpl\n"
           "@hookimpl\ndef naptip_agencies():\n    from naptip import Agency\n"
           "    return [Agency(id='jtk-sabah', name='Labour Department of Sabah',"
           " short_name='JTK Sabah', committees=('forced-labour',), state='sabah')]\n")
    _write(tmp_path, "syntax.py", "def broken(:\n")
    _write(tmp_path, "unknown_hook.py", "from naptip import hookimpl\n"
           "@hookimpl\ndef naptip_actvities():\n    return []\n")
    _write(tmp_path, "_private.py", "raise SystemExit('never imported')\n")
    loaded = build_plugin_manager(plugins_dir=tmp_path, environ={})
    catalog = build_catalog(loaded)
    assert catalog.agencies["jtk-sabah"].short_name == "JTK Sabah"
    assert catalog.plugin_of("agency", "jtk-sabah") == "good"
    problems = [str(p) for p in catalog.problems]
    assert len(problems) == 2
    assert problems[0].startswith(f"plugin 'syntax' ({tmp_path / 'syntax.py'}): failed to load "
                                  "syntax.py: SyntaxError")
    assert problems[1].startswith("plugin 'unknown_hook' (")
    assert "unknown hook" in problems[1] and "naptip_actvities" in problems[1]
    # A wrong hook is reported, and the plugin's other hooks still load (issue 14).
    assert "unknown_hook" in loaded.infos and not loaded.hooks_of("unknown_hook")


def test_plugins_dir_from_environment(tmp_path: Path) -> None:
    _write(tmp_path, "extra.py", "X = 1\n")
    loaded = build_plugin_manager(environ={"NAPTIP_PLUGINS_DIR": str(tmp_path)})
    assert loaded.infos["extra"].source == "directory"


def test_missing_plugins_dir_is_an_error(tmp_path: Path, run: Callable[..., Result]) -> None:
    result = CliRunnerResult = run("--plugins-dir", str(tmp_path / "nope"), "plugins", "check")
    assert CliRunnerResult.exit_code == 1
    assert result.stderr.strip().endswith("does not exist or is not a folder")


def test_allowlist_and_blocklist() -> None:
    only = build_plugin_manager(environ={"NAPTIP_ENABLE_PLUGINS": "media, legislative"})
    assert set(only.infos) == {"media", "legislative"}
    without = build_plugin_manager(environ={"NAPTIP_DISABLE_PLUGINS": "media"})
    assert "media" not in without.infos and "legislative" in without.infos
    catalog = build_catalog(without)
    # Activities supported by the disabled committee are now invalid: that is reported.
    assert all("unknown committee 'media'" in str(p) for p in catalog.problems)
    assert catalog.problems


def test_plugins_check_clean(run: Callable[..., Result]) -> None:
    result = run("plugins", "check")
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 7 plugins, 7 committees, 210 activity entries")


def test_plugins_check_lists_every_problem_one_line_each(
        run: Callable[..., Result], tmp_path: Path,
        fake_entry_points: Callable[..., None]) -> None:
    fake_entry_points(FakeEntryPoint("broken", _raise_on_import, package="naptip-broken"))
    _write(tmp_path, "dupe.py", "from naptip import hookimpl, Activity, Indicator, Timeline\n"
           "@hookimpl\ndef naptip_activities():\n"
           "    ind = (Indicator(text='n', kind='count'),)\n"
           "    t = Timeline(start=2021, end=2021)\n"
           "    return [Activity(id='S1-O1-i', objective='S1', output='S1-O1', text='x',"
           " indicators=ind, timeline=t, lead=None),\n"
           "            Activity(id='S99-O1-i', objective='S99', output='S99-O1', text='x',"
           " indicators=ind, timeline=t, lead=None)]\n")
    _write(tmp_path, "cmd.py", "from naptip import hookimpl\n"
           "@hookimpl\ndef naptip_register_commands(cli):\n    raise RuntimeError('no')\n")
    result = run("--plugins-dir", str(tmp_path), "plugins", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "plugin 'broken' (naptip-broken): failed to load naptip_broken:plugin: "
        "ImportError: No module named 'naptip_broken.missing'",
        f"plugin 'dupe' ({tmp_path / 'dupe.py'}): activity S1-O1-i: duplicate id: "
        "already declared by plan package naptip-3.0",
        f"plugin 'dupe' ({tmp_path / 'dupe.py'}): activity S99-O1-i: unknown objective S99",
        f"plugin 'cmd' ({tmp_path / 'cmd.py'}): hook naptip_register_commands raised "
        "RuntimeError: no",
    ]
    assert "Traceback" not in result.output


def test_plugins_list_json(run: Callable[..., Result]) -> None:
    import json

    result = run("plugins", "list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    rows = {r["name"]: r for r in data["plugins"]}
    assert list(rows) == list(BUILTIN_PLUGINS)
    assert rows["media"]["package"] == "naptip"
    # the committees' NAPTIP 3.0 activities are the built-in plan package's (issue 19)
    assert rows["media"]["activities"] == 0 and rows["media"]["committees"] == 1
    assert rows["secretariat"]["activities"] == 0
    assert data["plan_packages"] == [{
        "name": "plan package naptip-3.0", "plan": "naptip-3.0",
        "source": str(builtin_package_folder()), "origin": "shipped with naptip",
        "built_in": True, "activities": 210}]
    assert rows["media"]["hooks"] == ["naptip_activities", "naptip_agencies",
                                      "naptip_agency_extensions", "naptip_committees",
                                      "naptip_duties"]
    assert rows["media"]["duties"] == 3 and rows["monitoring"]["duties"] == 3
    assert all(r["builtin"] for r in rows.values())
    assert data["problems"] == []


def test_plugins_list_table(run: Callable[..., Result]) -> None:
    result = run("plugins", "list")
    assert result.exit_code == 0
    for name in BUILTIN_PLUGINS:
        assert name in result.stdout
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80  # readable at 80 columns
    assert any("4 duties" in line for line in lines)  # not letters stacked vertically
    assert any(re.match(r"│ naptip-3.0 +│ - +│ plan package +│ 210 activities", line)
               for line in lines)


def test_plugin_commands_are_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from naptip.cli.app import register_plugin_commands

    _write(tmp_path, "hello.py", "import click\nfrom naptip import hookimpl\n"
           "@hookimpl\ndef naptip_register_commands(cli):\n"
           "    @cli.command()\n    def hello():\n        click.echo('hello from a plugin')\n")
    monkeypatch.setenv("NAPTIP_PLUGINS_DIR", str(tmp_path))
    group = click.Group("naptip")
    register_plugin_commands(group)
    assert "hello" in group.commands
