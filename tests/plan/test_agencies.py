"""Agencies as first-class: list, extend a built-in agency, filter plan and schedule by them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from naptip import AgencyExtension, hookimpl
from naptip.testing import catalog, plugin_manager, problems
from tests.plan.test_data_plugins import DATA

EXTEND = """
[[agency_extension]]
agency = "mmea"
units = ["MMEA Sabah Region"]
committees = ["forced-labour"]
"""


def _plugins(tmp_path: Path, text: str) -> str:
    (tmp_path / "mmea_sabah.toml").write_text(text, encoding="utf-8")
    return str(tmp_path)


def test_agencies_list_names_ids_committees_states_and_plugins(
        run: Callable[..., Result]) -> None:
    result = run("agencies", "list", "--json")
    rows = {r["id"]: r for r in json.loads(result.stdout)["agencies"]}
    assert set(rows) == {"rmp", "jim", "customs", "mmea", "jtksm"}
    assert rows["mmea"]["declared_by"] == "enforcement"
    assert rows["jtksm"]["committees"] == ["enforcement", "forced-labour"]
    assert rows["mmea"]["state"] == "putrajaya"
    table = run("agencies", "list")
    assert "│ mmea " in table.stdout and "MMEA" in table.stdout
    assert "[[agency_extension]]" in table.stdout


def test_redeclaring_a_builtin_agency_is_a_duplicate_extending_it_works(
        tmp_path: Path, run: Callable[..., Result]) -> None:
    # Found: declaring MMEA gave "duplicate id" and nothing explained how to extend it.
    again = DATA.replace('id = "mmea-sabah"\n', 'id = "mmea"\n', 1)
    check = run("--plugins-dir", _plugins(tmp_path, again), "plugins", "check")
    assert "agency mmea: duplicate id: already declared by plugin 'enforcement'" in check.stdout

    folder = _plugins(tmp_path, DATA + EXTEND)
    assert run("--plugins-dir", folder, "plugins", "check").exit_code == 0
    rows = {r["id"]: r for r in json.loads(
        run("--plugins-dir", folder, "agencies", "list", "--json").stdout)["agencies"]}
    assert rows["mmea"]["units"] == ["MMEA Sabah Region"]
    assert rows["mmea"]["committees"] == ["enforcement", "forced-labour"]
    assert (rows["mmea"]["declared_by"], rows["mmea"]["extended_by"]) == (
        "enforcement", ["mmea_sabah"])


def test_extension_of_an_unknown_agency_is_reported(
        tmp_path: Path, run: Callable[..., Result]) -> None:
    folder = _plugins(tmp_path, DATA + EXTEND.replace('"mmea"', '"mmae"'))
    check = run("--plugins-dir", folder, "plugins", "check")
    assert check.exit_code == 1
    assert "agency extension mmae: unknown agency 'mmae'" in check.stdout


def test_plan_show_by_agency_committee_spelling_and_plugin(
        tmp_path: Path, run: Callable[..., Result]) -> None:
    folder = _plugins(tmp_path, DATA)
    # Found: `plan show --committee mmea` was refused while `schedule --committee mmea` worked.
    for args in (("--committee", "mmea"), ("--agency", "MMEA Sabah"),
                 ("--plugin", "mmea_sabah")):
        shown = run("--plugins-dir", folder, "plan", "show", *args)
        assert shown.exit_code == 0, (args, shown.stderr)
        assert "S21-O1-mmsb-i" in shown.stdout
        assert "S21-O1-i " not in shown.stdout
    unknown = run("--plugins-dir", folder, "plan", "show", "--plugin", "nope")
    assert unknown.exit_code == 1 and "unknown plugin 'nope'" in unknown.stderr


def test_schedule_by_agency_and_plugin(tmp_path: Path, run: Callable[..., Result]) -> None:
    folder = _plugins(tmp_path, DATA)
    base = ("--plugins-dir", folder, "--as-of", "2024-01-01", "schedule", "--format", "json",
            "--to", "2024-12-31")
    by_plugin = json.loads(run(*base, "--plugin", "mmea_sabah").stdout)["occurrences"]
    assert by_plugin and {o["plugin"] for o in by_plugin} == {"mmea_sabah"}
    hosted = json.loads(run(*base, "--agency", "mmea").stdout)["occurrences"]
    assert {o["duty"] for o in hosted} == {"enforcement-meeting"}
    assert {o["host"] for o in hosted} == {"mmea"}
    sabah = json.loads(run(*base[:-1], "2025-06-30", "--agency", "mmea-sabah").stdout)[
        "occurrences"]
    assert {o["duty"] or o["activity"] for o in sabah} == {"mmea-sabah-briefing",
                                                           "S21-O1-mmsb-i"}


class MmeaSabahUnits:
    """A Python plugin extending the built-in MMEA through the hook."""

    @hookimpl
    def naptip_agency_extensions(self) -> list[AgencyExtension]:
        return [AgencyExtension(agency="mmea", units=("MMEA Sabah Region",), state="sabah"),
                AgencyExtension(agency="nope", units=("x",))]


def test_the_agency_extension_hook() -> None:
    loaded = plugin_manager("units", plugins={"units": MmeaSabahUnits()})
    cat = catalog(loaded)
    assert "enforcement" in loaded.infos  # declares mmea: a dependency through the extension
    mmea = cat.agencies["mmea"]
    assert (mmea.units, mmea.state) == (("MMEA Sabah Region",), "sabah")
    assert cat.agency_extended_by["mmea"] == ["units"]
    assert problems(loaded, "units") == [
        "plugin 'units': agency extension nope: unknown agency 'nope' (see `naptip agencies "
        "list`)"]
