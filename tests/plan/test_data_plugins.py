"""Data-only plugins: a TOML file or folder in the plugins folder, checked by a JSON Schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from naptip.plan.datafiles import datafile
from naptip.plan.datafiles.dataschema import build_schema, locate, published_schema

DATA = """\
# MMEA Sabah: maintained by the agency's planning unit, reviewed like any document.
[plugin]
requires = ["enforcement"]
api_version = 1

[[agency]]
id = "mmea-sabah"
name = "Malaysian Maritime Enforcement Agency, Sabah"
short_name = "MMEA Sabah"
committees = ["enforcement"]
state = "sabah"

[[activity]]
id = "S21-O1-mmsb-i"
objective = "S21"
output = "S21-O1"
text = "Joint maritime patrols off the Sabah coast against trafficking by sea."
lead = "enforcement"
parties = ["MMEA Sabah"]
timeline = "2024-2025"

[[activity.indicator]]
text = "Number of joint patrols"
kind = "count"

[[duty]]
id = "mmea-sabah-briefing"
title = "MMEA Sabah quarterly briefing"
kind = "meeting"
owner = "enforcement"
hosts = ["mmea-sabah"]
duration_minutes = 90
recurrence = \"\"\"
DTSTART;TZID=Asia/Kuala_Lumpur:20240110T100000
RRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE;UNTIL=20251231T155959Z
\"\"\"
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    plugin = tmp_path / "plugins" / "mmea_sabah"
    plugin.mkdir(parents=True)
    (plugin / "activities.toml").write_text(DATA, encoding="utf-8")
    return tmp_path / "plugins"


def test_a_folder_adds_activity_and_duty_to_plan_schedule_and_export(
        folder: Path, run: Callable[..., Result]) -> None:
    check = run("--plugins-dir", str(folder), "plugins", "check")
    assert check.exit_code == 0, check.stdout
    assert check.stdout.startswith("ok: 8 plugins, 7 committees, 211 activity entries, "
                                   "6 agencies")
    shown = run("--plugins-dir", str(folder), "plan", "show", "S21-O1-mmsb-i")
    assert shown.exit_code == 0 and "plugin mmea_sabah" in shown.stdout
    schedule = run("--plugins-dir", str(folder), "--as-of", "2024-01-01", "schedule",
                   "--format", "json", "--to", "2024-01-31")
    rows = json.loads(schedule.stdout)["occurrences"]
    briefing = next(r for r in rows if r["duty"] == "mmea-sabah-briefing")
    assert (briefing["due"], briefing["host"], briefing["plugin"]) == (
        "2024-01-10", "mmea-sabah", "mmea_sabah")
    exported = json.loads(run("--plugins-dir", str(folder), "plan", "export").stdout)
    row = next(r for r in exported["activities"] if r["id"] == "S21-O1-mmsb-i")
    assert row["plugin"] == "mmea_sabah" and row["lead_committee"] == "enforcement"
    listed = json.loads(run("--plugins-dir", str(folder), "plugins", "list", "--json").stdout)
    mine = next(r for r in listed["plugins"] if r["name"] == "mmea_sabah")
    assert (mine["source"], mine["activities"], mine["duties"]) == ("data", 1, 1)
    assert (mine["requires"], mine["api_version"]) == (["enforcement"], 1)


def test_a_single_toml_file_is_a_plugin(tmp_path: Path, run: Callable[..., Result]) -> None:
    (tmp_path / "mmea_sabah.toml").write_text(DATA, encoding="utf-8")
    shown = run("--plugins-dir", str(tmp_path), "plan", "show", "S21-O1-mmsb-i")
    assert shown.exit_code == 0 and "plugin mmea_sabah" in shown.stdout


def test_a_data_plugin_declares_successive_versions_of_a_duty(
        folder: Path, run: Callable[..., Result]) -> None:
    """`from` as a TOML date (not only text) passes the schema; the later version takes over."""
    later = DATA.split("[[duty]]")[1].replace("INTERVAL=3;", "").replace(
        "20240110T100000", "20250108T100000").replace(
        'kind = "meeting"', 'kind = "meeting"\nfrom = 2025-01-01\ncancelled_turn = "keeps"')
    data = folder / "mmea_sabah" / "activities.toml"
    data.write_text(DATA + "\n[[duty]]" + later, encoding="utf-8")
    check = run("--plugins-dir", str(folder), "plugins", "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    schedule = run("--plugins-dir", str(folder), "--as-of", "2024-01-01", "schedule",
                   "--format", "json", "--from", "2024-01-01", "--to", "2025-03-31")
    dues = [r["due"] for r in json.loads(schedule.stdout)["occurrences"]
            if r["duty"] == "mmea-sabah-briefing"]
    # 10 April 2024 is Hari Raya Aidilfitri: the meeting moves to the next working day
    assert dues == ["2024-01-10", "2024-04-12", "2024-07-10", "2024-10-09",
                    "2025-01-08", "2025-02-12", "2025-03-12"]


@pytest.mark.parametrize(("change", "expected"), [
    (('timeline = "2024-2025"', 'timline = "2024-2025"'),
     "activities.toml:20: activity[1].timline: unknown key; did you mean 'timeline'?"),
    (('kind = "count"', 'kind = "number"'),
     "activities.toml:24: activity[1].indicator[1].kind: 'number' is not one of count,"),
    (('duration_minutes = 90', 'duration_minutes = "90"'),
     "activities.toml:32: duty[1].duration_minutes: '90' is not of type 'integer'"),
    (('short_name = "MMEA Sabah"\n', ''),
     "activities.toml:6: agency[1]: missing key 'short_name'"),
])
def test_a_schema_error_names_file_line_and_key(
        folder: Path, run: Callable[..., Result], change: tuple[str, str],
        expected: str) -> None:
    path = folder / "mmea_sabah" / "activities.toml"
    path.write_text(DATA.replace(*change), encoding="utf-8")
    check = run("--plugins-dir", str(folder), "plugins", "check")
    assert check.exit_code == 1
    [line] = check.stdout.splitlines()
    assert line.startswith(f"plugin 'mmea_sabah' ({folder / 'mmea_sabah'}): {path.parent}/")
    assert expected in line
    listed = json.loads(run("--plugins-dir", str(folder), "plugins", "list", "--json").stdout)
    assert next(r for r in listed["plugins"] if r["name"] == "mmea_sabah")["status"] == "failed"


def test_declared_need_of_a_data_plugin(folder: Path, run: Callable[..., Result]) -> None:
    check = run("--plugins-dir", str(folder), "plugins", "check",
                env={"NAPTIP_DISABLE_PLUGINS": "enforcement"})
    mine = [line for line in check.stdout.splitlines() if "'mmea_sabah'" in line]
    assert mine == [f"plugin 'mmea_sabah' ({folder / 'mmea_sabah'}): needs plugin "
                    "'enforcement', which is not loaded (not installed or disabled)"]


def test_published_schema_is_the_built_one_and_matches_the_reader() -> None:
    schema = build_schema()
    assert published_schema() == schema
    props = schema["properties"]
    items = {name: props[name]["items"]["properties"] for name in ("agency", "activity", "duty")}
    assert set(props["committee"]["properties"]) == datafile._COMMITTEE_KEYS
    assert set(items["agency"]) == datafile._AGENCY_KEYS
    assert set(items["activity"]) == datafile._ACTIVITY_KEYS
    assert set(items["duty"]) == datafile._DUTY_KEYS
    assert set(items["activity"]["indicator"]["items"]["properties"]) == \
        datafile._INDICATOR_KEYS
    assert set(items["duty"]["milestone"]["items"]["properties"]) == datafile._MILESTONE_KEYS


def test_the_builtin_data_files_pass_the_schema() -> None:
    from naptip.plan.datafiles.dataschema import check_data_text

    root = Path(__file__).resolve().parents[2]
    committees = sorted(root.glob("plugins/*/committee.toml"))
    activities = sorted(root.glob("core/data/plans/naptip-3.0/activities/*.toml"))
    assert len(committees) == 7 and len(activities) == 6  # monitoring leads no activity
    for path in [*committees, *activities]:
        check_data_text(path.read_text(encoding="utf-8"), str(path))


def test_schema_command_prints_it(run: Callable[..., Result]) -> None:
    assert json.loads(run("plugin", "schema").stdout) == build_schema()


def test_locate_finds_nested_keys() -> None:
    assert locate(DATA, ["activity", 0, "indicator", 0, "kind"]) == 24
    assert locate(DATA, ["plugin", "requires"]) == 3
    assert locate(DATA, ["duty", 0]) == 26
