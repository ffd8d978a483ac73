"""Issue 14 "Found": each failure an agency developer met, reproduced, now with a clear line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from naptip.base.needs import PLUGIN_API_VERSION
from naptip.plan.catalog import build_catalog
from naptip.plan.pluginmanager import build_plugin_manager

ACTIVITY = """
from naptip import Activity, Agency, Indicator, IndicatorKind, Timeline
from naptip import hookimpl

@hookimpl
def naptip_agencies():
    return [Agency(id="mmea-sabah", name="MMEA Sabah", short_name="MMEA Sabah",
                   committees=("enforcement",), state="sabah")]

def _activity():
    return Activity(id="S21-O1-mmsb-i", objective="S21", output="S21-O1",
                    text="Patrol the Sabah coast", lead="enforcement",
                    indicators=(Indicator(text="Patrols", kind=IndicatorKind.COUNT),),
                    timeline=Timeline(start=2023, end=2025))
"""


def _plugin(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(ACTIVITY + body, encoding="utf-8")
    return folder


def test_hook_name_typo_names_the_hook_and_keeps_the_rest(tmp_path: Path) -> None:
    # Found: `naptip_activity` dropped the whole plugin, agencies included, with
    # pluggy's wording only.
    folder = _plugin(tmp_path, "mmea", "@hookimpl\ndef naptip_activity():\n"
                                       "    return [_activity()]\n")
    catalog = build_catalog(build_plugin_manager(plugins_dir=folder, environ={}))
    assert "mmea-sabah" in catalog.agencies  # the plugin's other hooks still load
    [problem] = [str(p) for p in catalog.problems]
    assert problem.startswith("plugin 'mmea' (")
    assert "unknown hook 'naptip_activity': did you mean naptip_activities(plan)?" in problem


def test_wrong_argument_name_says_the_expected_signature(tmp_path: Path) -> None:
    folder = _plugin(tmp_path, "mmea", "@hookimpl\ndef naptip_activities(plann):\n"
                                       "    return [_activity()]\n")
    catalog = build_catalog(build_plugin_manager(plugins_dir=folder, environ={}))
    [problem] = [str(p) for p in catalog.problems]
    assert ("hook naptip_activities: unknown argument 'plann': did you mean 'plan'? "
            "expected naptip_activities(plan)") in problem
    assert "mmea-sabah" in catalog.agencies


def test_unmarked_hook_is_reported_not_ignored(tmp_path: Path) -> None:
    folder = _plugin(tmp_path, "mmea", "def naptip_activities():\n    return [_activity()]\n")
    catalog = build_catalog(build_plugin_manager(plugins_dir=folder, environ={}))
    [problem] = [str(p) for p in catalog.problems]
    assert "naptip_activities is not marked @naptip.hookimpl" in problem


def test_unmet_need_is_one_line_naming_both(tmp_path: Path) -> None:
    # Found: disabling a dependency gave one "unknown committee" line per activity.
    folder = _plugin(tmp_path, "mmea", "NAPTIP_REQUIRES = ('enforcement',)\n"
                                       "@hookimpl\ndef naptip_activities():\n"
                                       "    return [_activity()]\n")
    loaded = build_plugin_manager(plugins_dir=folder,
                                  environ={"NAPTIP_DISABLE_PLUGINS": "enforcement"})
    catalog = build_catalog(loaded)
    mine = [str(p) for p in catalog.problems if p.plugin == "mmea"]
    assert mine == [f"plugin 'mmea' ({folder / 'mmea.py'}): needs plugin 'enforcement', "
                    "which is not loaded (not installed or disabled)"]
    assert "mmea" in loaded.failed and "mmea" not in loaded.infos


def test_plugin_for_a_newer_api_is_refused(tmp_path: Path) -> None:
    folder = _plugin(tmp_path, "mmea", f"NAPTIP_API_VERSION = {PLUGIN_API_VERSION + 1}\n")
    loaded = build_plugin_manager(plugins_dir=folder, environ={})
    assert f"written for plugin API {PLUGIN_API_VERSION + 1}" in loaded.failed["mmea"][1]


def test_failed_plugin_is_listed_as_failed_and_every_command_warns_once(
        tmp_path: Path, run: Callable[..., Result]) -> None:
    # Found: a plugin that fails to load is simply absent; the only sign was "No such command".
    (tmp_path / "broken.py").write_text("import no_such_module\n", encoding="utf-8")
    listed = run("--plugins-dir", str(tmp_path), "plugins", "list", "--json")
    rows = {r["name"]: r for r in json.loads(listed.stdout)["plugins"]}
    assert rows["broken"]["status"] == "failed"
    assert "ModuleNotFoundError" in rows["broken"]["error"]
    assert rows["legislative"]["status"] == "loaded"
    for args in (("plan", "show", "S21-O1-i"), ("schedule", "--as-of", "2024-01-01"),
                 ("db", "--help")):
        result = run("--plugins-dir", str(tmp_path), *args)
        warnings = [line for line in result.stderr.splitlines() if "'broken'" in line]
        assert len(warnings) == 1, (args, result.stderr)
        assert warnings[0].startswith("warning: plugin 'broken'")


def test_error_in_a_plugin_command_names_the_plugin(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Callable[..., Result]) -> None:
    # Found: "unexpected AttributeError" with no plugin named.
    from naptip.cli import cli
    from naptip.cli.app import register_plugin_commands

    (tmp_path / "cmdplugin.py").write_text(
        "import click\nfrom naptip import hookimpl\n"
        "@hookimpl\ndef naptip_register_commands(cli):\n"
        "    @cli.command('mmea-report')\n    def report():\n        None.upper()\n",
        encoding="utf-8")
    monkeypatch.setenv("NAPTIP_PLUGINS_DIR", str(tmp_path))
    try:
        register_plugin_commands(cli)
        result = run("mmea-report")
    finally:
        cli.commands.pop("mmea-report", None)
    assert result.exit_code == 1
    assert ("command 'mmea-report' of plugin 'cmdplugin' failed: unexpected AttributeError"
            in result.stderr)


def test_a_plugin_command_gets_catalog_settings_and_the_as_of_day(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found: nothing said how a plugin command reaches the catalog, settings or --as-of.
    from naptip.testing import invoke

    (tmp_path / "daycmd.py").write_text(
        "import click\nfrom naptip import hookimpl\nfrom naptip.cli.app import pass_app\n"
        "@hookimpl\ndef naptip_register_commands(cli):\n"
        "    @cli.command('mmea-day')\n    @pass_app\n    def day(app):\n"
        "        click.echo(f'{app.today} {len(app.catalog.activities)} '\n"
        "                   f'{app.settings.reporting.review_month}')\n",
        encoding="utf-8")
    monkeypatch.setenv("NAPTIP_PLUGINS_DIR", str(tmp_path))
    result = invoke("--as-of", "2023-05-02", "mmea-day")
    assert result.exit_code == 0, result.stderr
    day, activities, _month = result.stdout.split()
    assert (day, activities) == ("2023-05-02", "210")


def test_a_data_file_missing_from_the_installed_package_says_package_data() -> None:
    # Found: a DataPlugin whose TOML is not package-data failed after a normal install
    # with an error that did not say why.
    from naptip import DataPlugin
    from naptip.testing import plugin_manager, problems

    missing = DataPlugin("naptip.plugins.media", filename="not-packaged.toml")
    loaded = plugin_manager("agency", plugins={"agency": missing})
    [problem] = problems(loaded, "agency")
    assert ("naptip.plugins.media/not-packaged.toml is not in the installed package: list it "
            "in [tool.setuptools.package-data]") in problem


def test_a_failing_register_commands_is_warned_by_every_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Found: the only sign of a plugin whose commands failed was "No such command".
    from naptip.testing import invoke

    (tmp_path / "badcmd.py").write_text(
        "from naptip import hookimpl\n@hookimpl\ndef naptip_register_commands(cli):\n"
        "    cli.add_commnd(None)\n", encoding="utf-8")
    monkeypatch.setenv("NAPTIP_PLUGINS_DIR", str(tmp_path))
    result = invoke("plan", "show", "S1-O1-i")
    assert result.exit_code == 0
    [warning] = [line for line in result.stderr.splitlines() if "badcmd" in line]
    assert warning.startswith("warning: plugin 'badcmd'")
    assert "hook naptip_register_commands raised AttributeError" in warning
    assert warning.endswith("(its commands may be missing)")
