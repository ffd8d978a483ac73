"""``naptip plan show`` and ``naptip plan export``."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]


def test_show_tree_filtered_by_committee_and_year(run: Run) -> None:
    result = run("plan", "show", "--committee", "Legislation Committee", "--year", "2021")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "S1-O1-iii" in out  # legislative leads
    assert "S3-O1-i" in out
    assert "S7-O2-ii" in out  # legislative supports
    assert "S9-O1-i " not in out  # media's
    assert "P2 Prosecution & Enforcement" in out


def test_show_filters_by_pillar_goal_objective(run: Run) -> None:
    out = run("plan", "show", "--pillar", "p4").stdout
    assert "P4 Partnership" in out and "P1 Prevention" not in out
    out = run("plan", "show", "--objective", "S24").stdout
    assert "S24-O1-i" in out and "S25-O1-i" not in out
    out = run("plan", "show", "--goal", "G9").stdout
    assert "S33-O1-iii" in out and "S9-O1-i " not in out


def test_show_year_excludes_activities_outside_their_timeline(run: Run) -> None:
    out = run("plan", "show", "--objective", "S11", "--year", "2024").stdout
    assert "S11-O1-i " in out
    assert "S11-O1-ii " not in out  # 2021 only
    assert "S11-O1-iii " not in out  # 2021-2022


@pytest.mark.parametrize(("item", "expected"), [
    ("S9", ["Specific objective S9", "A3 Public Awareness and Prevention", "S9-O5"]),
    ("s9-o2", ["Output S9-O2", "S9-O2-i-a", "S9-O2-i-b", "G3"]),
    ("S11-O1-vi", ["Special Committee to Review FL Issues", "forced-labour",
                   "Number of workers and employers reached",
                   "declared by    │ plan package naptip-3.0"]),
    ("S22-O1-i", ["2023-2025", "At least 1 follow-up consultation workshop"]),
])
def test_show_one_item(run: Run, item: str, expected: list[str]) -> None:
    result = run("plan", "show", item)
    assert result.exit_code == 0, result.output
    for text in expected:
        assert text in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["plan", "show", "S99"], "no objective, output or activity has the id 'S99'"),
    (["plan", "show", "--committee", "finance"], "unknown committee 'finance'"),
    (["plan", "show", "--pillar", "P9"], "unknown id 'P9'"),
    (["plan", "show", "--year", "soon"], "'soon' is not a valid integer"),
    (["plan", "show", "--objective", "S11", "--year", "2030"], "no activity matches"),
    (["plan", "export", "--format", "xml"], "'xml' is not one of 'json', 'csv'"),
])
def test_bad_arguments_are_one_line(run: Run, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_export_json(run: Run) -> None:
    result = run("plan", "export", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == "naptip.catalog/1"
    assert doc["plan"]["id"] == "naptip-3.0"
    rows = doc["activities"]
    assert len(rows) == 210
    assert rows[0]["id"] == "S1-O1-i" and rows[-1]["id"] == "S34-O2-i"
    by_id = {r["id"]: r for r in rows}
    row = by_id["S9-O1-iv"]
    assert row == {
        "id": "S9-O1-iv", "parent": None, "pillar": "P1", "goal": "G3",
        "programme_area": "A3", "objective": "S9", "output": "S9-O1",
        "output_goals": ["G3"], "output_related_goals": [], "related_goals": [],
        "text": "Assess awareness campaigns and activities for effectiveness and improvement.",
        "indicators": [{"text": "Effectiveness of the campaign/activity", "kind": "narrative",
                        "target": None, "target_value": None, "disaggregate": False,
                        "timeline_start": 2022, "timeline_end": 2025}],
        "responsibility": "Media & Publicity Committee, Monitoring & Evaluation Committee, "
                          "MAPO Members, other relevant government agencies",
        "lead_committee": "media", "owner": "media", "supporting_committees": ["monitoring"],
        "other_parties": ["MAPO Members", "other relevant government agencies"],
        "other_party_ids": ["mapo-members", "government-agencies"],
        "timeline_start": 2022, "timeline_end": 2025, "cadence": "progress-report",
        "cadence_stated": True, "notes": [], "plugin": "plan package naptip-3.0",
    }
    assert by_id["S9-O2-i-b"]["parent"] == "S9-O2-i"
    assert by_id["S8-O1-ii"]["lead_committee"] is None
    assert by_id["S8-O1-ii"]["owner"] == "nso-mapo"
    assert {c["id"] for c in doc["committees"]} == {
        "legislative", "enforcement", "victim-care", "media", "forced-labour", "monitoring",
        "nso-mapo"}


def test_export_csv_to_file(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "plan.csv"
    result = run("plan", "export", "--format", "csv", "-o", str(target))
    assert result.exit_code == 0
    assert "wrote 210 activity entries" in result.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 210
    row = next(r for r in rows if r["id"] == "S5-O2-i")
    assert row["indicators"] == "1 set of guidelines | Value of assets seized"
    assert row["indicator_kinds"] == "deliverable | amount"
    assert row["supporting_committees"] == "enforcement"


def test_export_to_unwritable_place_is_one_line(run: Run, tmp_path: Path) -> None:
    result = run("plan", "export", "-o", str(tmp_path / "missing" / "plan.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: -o {tmp_path / 'missing' / 'plan.json'}: the "
                                    "folder")
    assert len(result.stderr.splitlines()) == 1


def test_plan_and_schedule_do_not_import_heavy_libraries() -> None:
    """Commands that do not orchestrate start fast: no Prefect, apprise, icalendar, or even
    SQLAlchemy (the store is not needed to show the plan or its schedule)."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from naptip.cli import cli\n"
        "r = CliRunner().invoke(cli, ['plan', 'show', '--objective', 'S9'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(cli, ['plan', 'export'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(cli, ['schedule', '--as-of', '2024-07-01'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(cli, ['schedule', 'explain', 'world-day@2024-07-30'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('prefect', 'apprise', 'icalendar', 'sqlalchemy'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("naptip")
    out = subprocess.run([str(exe), "plan", "show", "S34-O2-i"], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "Annual Review Report" in out.stdout
    bad = subprocess.run([str(exe), "plan", "show", "S99-O1-i"], capture_output=True,
                         text=True, check=False)
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith(
        "Error: no objective, output or activity has the id 'S99-O1-i'; did you mean S9-O1-i")
