"""``naptip schedule``, ``naptip schedule explain``, ``--as-of`` and ``--config``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]
WIDE = {"COLUMNS": "250"}  # rich wraps at the terminal width: keep rows on one line


def test_schedule_json_window_and_filters(run: Run) -> None:
    result = run("--as-of", "2024-07-01", "schedule", "--to", "2024-08-31", "--format", "json",
                 "--committee", "media")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["as_of"], doc["from"], doc["to"], doc["plan_running"]) == (
        "2024-07-01", "2024-07-01", "2024-08-31", True)
    ids = [o["id"] for o in doc["occurrences"]]
    assert ids == ["media-committee-meeting@2024-07-11", "world-day@2024-07-30/publicity",
                   "world-day@2024-07-30", "world-day@2024-07-30/report"]
    publicity = doc["occurrences"][1]
    assert publicity["due"] == "2024-07-16" and publicity["kind"] == "deadline"


def test_schedule_kind_filter_and_default_window(run: Run) -> None:
    result = run("schedule", "--as-of", "2023-05-01", "--kind", "meeting", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["to"] == "2023-06-29"  # 60 days
    assert doc["occurrences"] and all(o["kind"] == "meeting" for o in doc["occurrences"])
    hosts = {o["id"]: o["host"] for o in doc["occurrences"]}
    assert hosts["enforcement-meeting@2023-05-09"] == "jtksm"


def test_as_of_from_environment(run: Run) -> None:
    result = run("schedule", "--format", "json", env={"NAPTIP_AS_OF": "2022-12-01"})
    assert json.loads(result.stdout)["as_of"] == "2022-12-01"


def test_schedule_table_marks_moved_dates(run: Run) -> None:
    result = run("schedule", "--as-of", "2022-12-20", "--to", "2023-01-31",
                 "--committee", "legislative", "--kind", "progress-report", env=WIDE)
    assert result.exit_code == 0
    assert "S1-O1-i@2022" in result.stdout
    assert "Progress report 2022: Monitor developments in legal" in result.stdout
    assert "in 42 d" in result.stdout and "past" not in result.stdout


def test_outside_the_plan_only_what_is_still_open(run: Run) -> None:
    before = run("schedule", "--as-of", "2020-06-01", "--format", "json")
    assert "the plan is not running on 2020-06-01" in before.stderr
    assert json.loads(before.stdout)["occurrences"] == []
    after = run("schedule", "--as-of", "2026-11-30", "--format", "json")
    assert "not running" in after.stderr
    occurrences = json.loads(after.stdout)["occurrences"]
    assert occurrences and all(o["due"] > "2025-12-31" for o in occurrences)
    assert all(o["period"] == 2025 for o in occurrences)


def test_explain(run: Run) -> None:
    result = run("schedule", "explain", "S9-O1-vi@2022", env=WIDE)
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "cadence progress-report" in out and "reporting.evidence_due" in out
    assert "Tuesday 31 January 2023" in out
    moved = " ".join(run("schedule", "explain", "S1-O1-i@2025", env=WIDE).stdout.split())
    assert "moves to the previous working day, Fri 30 Jan 2026" in moved
    world = " ".join(run("schedule", "explain", "world-day@2022-07-30", env=WIDE).stdout.split())
    assert "keeps its day" in world
    assert "collects the yearly evidence of S9-O1-i" in world


def test_explain_unknown_id_suggests(run: Run) -> None:
    result = run("schedule", "explain", "S9-O1-vi@2032")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no occurrence has the id 'S9-O1-vi@2032'; did you "
                                    "mean")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--as-of", "yesterday", "schedule"],
     "Invalid value for '--as-of': 'yesterday' is not a date like 2024-07-30"),
    (["schedule", "--from", "2024-13-01"], "Invalid value for '--from': '2024-13-01' is not a"),
    (["schedule", "--as-of", "2024-02-30"], "Invalid value for '--as-of'"),
    (["schedule", "--from", "2024-05-01", "--to", "2024-04-01"], "--to 2024-04-01 is before"),
    (["schedule", "--committee", "atlantis"], "unknown committee 'atlantis'"),
    (["schedule", "--kind", "party"], "'party' is not one of"),
])
def test_bad_arguments(run: Run, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_as_of_environment(run: Run) -> None:
    result = run("schedule", env={"NAPTIP_AS_OF": "30/07/2024"})
    assert result.exit_code == 1
    assert "NAPTIP_AS_OF: '30/07/2024' is not a date" in result.stderr


def test_config_file_changes_the_reporting_calendar(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    # The review must come after the evidence it reviews is due: it moves to May too.
    config.write_text('[reporting]\nevidence_due = "03-15"\nreview_month = 5\n',
                      encoding="utf-8")
    result = run("--config", str(config), "schedule", "explain", "S1-O1-i@2021", env=WIDE)
    assert "Tuesday 15 March 2022" in " ".join(result.stdout.split())


@pytest.mark.parametrize(("text", "message"), [
    ("[reporting\n", "is not valid TOML"),
    ('[reporting]\nreview_month = "March"\n', "reporting.review_month: must be a month"),
])
def test_bad_config_is_one_line(run: Run, tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text(text, encoding="utf-8")
    result = run("--config", str(config), "schedule")
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_is_an_error(run: Run, tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "none.toml"), "schedule")
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_plugins_check_names_the_plugin_of_a_bad_recurrence(run: Run, tmp_path: Path) -> None:
    (tmp_path / "bad_duty.py").write_text(
        "from naptip import hookimpl, Duty, DutyKind\n"
        "@hookimpl\ndef naptip_duties():\n"
        "    return [Duty(id='x-meeting', title='X', owner='media', kind=DutyKind.MEETING,\n"
        "        recurrence='DTSTART;TZID=Asia/Kuala_Lumpur:20220101T100000\\n"
        "RRULE:FREQ=MONTHLY;COUNT=4')]\n", encoding="utf-8")
    result = run("--plugins-dir", str(tmp_path), "plugins", "check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"plugin 'bad_duty' ({tmp_path / 'bad_duty.py'}): duty x-meeting: recurrence: RRULE "
        "'FREQ=MONTHLY;COUNT=4' uses COUNT: give UNTIL instead"]
