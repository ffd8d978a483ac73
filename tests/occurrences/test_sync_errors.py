"""Nothing stored is withdrawn because of an error (issue 17, section 1).

Before: one bad rule in a dated duty change dropped the whole duty, its occurrences before
``from`` included; ``run`` and ``sync`` then withdrew them without ``--confirm``, exit 0,
and the feeds published them as CANCELLED. The same happened when a plugin broke.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from icalendar import Calendar
from sqlalchemy import select

from naptip.base.config import parse_settings
from naptip.occurrences.schedule import Schedule, build_schedule
from naptip.plan.catalog import build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow
from tests.conftest import db_env

Run = Callable[..., Result]
KL = "DTSTART;TZID=Asia/Kuala_Lumpur:"
UNTIL = "UNTIL=20251231T155959Z"
MONTHLY = f"{KL}20210112T100000\nRRULE:FREQ=MONTHLY;BYDAY=2TU;{UNTIL}"
MINUTELY = f"{KL}20230711T100000\nRRULE:FREQ=MINUTELY;{UNTIL}"
TODAY = date(2023, 6, 20)  #: the real day of these tests: before the change's 1 July


def _change(rule: str, start: str = "2023-07-01") -> str:
    return f'[[duties.enforcement-meeting]]\nfrom = {start}\nrecurrence = """\n{rule}\n"""\n'


def _meetings(plan: Schedule) -> list[tuple[str, date, str | None]]:
    return [(o.id, o.due, o.host) for o in plan.occurrences
            if o.duty == "enforcement-meeting" and "/" not in o.id]


def test_a_bad_rule_in_a_dated_change_leaves_the_other_versions_in_force() -> None:
    loaded = build_plugin_manager(environ={})
    baseline = _meetings(build_schedule(build_catalog(loaded)))
    raw = tomllib.loads(_change(MINUTELY) + '[[duties.enforcement-meeting]]\n'
                        'from = 2024-07-01\nhosts = ["rmp", "mmea"]\n')
    catalog = build_catalog(loaded, settings=parse_settings(raw))
    assert [str(p) for p in catalog.problems] == [
        "configuration [duties.enforcement-meeting[1]]: duty enforcement-meeting: "
        "recurrence: RRULE FREQ=MINUTELY is finer than daily: a duty happens at most once a "
        "day (use DAILY, WEEKLY, MONTHLY or YEARLY); this change is not applied (the duty's "
        "other versions stay in force)"]
    meetings = _meetings(build_schedule(catalog))
    late = date(2024, 7, 1)
    # The plugin's rule holds before and after the refused change; the later change holds.
    assert [m for m in meetings if m[1] < late] == [m for m in baseline if m[1] < late]
    assert [m[:2] for m in meetings] == [m[:2] for m in baseline]
    assert {m[2] for m in meetings if m[1] >= late} == {"rmp", "mmea"}
    assert len(catalog.versions["enforcement-meeting"]) == 2


def _feed_status(folder: Path, prefix: str) -> dict[str, str]:
    cal = Calendar.from_ical((folder / "plan.ics").read_bytes())
    return {str(e["UID"]): str(e.get("STATUS")) for e in cal.walk("VEVENT")
            if str(e["UID"]).startswith(prefix)}


def _stored(db: Database, prefix: str) -> dict[str, bool]:
    with db.reading() as session:
        rows = session.execute(select(OccurrenceRow).where(
            OccurrenceRow.id.startswith(prefix))).scalars()
        return {row.id: row.withdrawn for row in rows}


def test_a_refused_change_withdraws_nothing_and_cancels_nothing(
        run: Run, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("naptip.time.clock.real_today", lambda: TODAY)
    config = tmp_path / "naptip.toml"
    config.write_text(_change(MONTHLY), encoding="utf-8")
    feeds = tmp_path / "feeds"
    env = {**db_env(db), "NAPTIP_CONFIG": str(config), "NAPTIP_CALENDAR_DIR": str(feeds)}
    first = run("run", "--as-of", TODAY.isoformat(), env=env)
    assert first.exit_code == 0, first.output
    before = _stored(db, "enforcement-meeting@")
    published = _feed_status(feeds, "enforcement-meeting@")
    assert len(before) == 40 and not any(before.values())
    assert set(published.values()) == {"CONFIRMED"}

    # The change is edited into a rule naptip refuses: the plugin's rule would hold again
    # from July 2023, withdrawing the monthly meetings the store has.
    config.write_text(_change(MINUTELY), encoding="utf-8")
    for args in (["sync"], ["sync", "--confirm"]):
        refused = run(*args, "--as-of", "2023-06-21", env=env)
        assert refused.exit_code == 1, refused.output
        [error] = [line for line in refused.stderr.splitlines()
                   if not line.startswith("warning:")]
        assert error.startswith("Error: sync refused: 20 occurrence(s) would be withdrawn "
                                "(enforcement-meeting@2023-07-11, ")
        assert "FREQ=MINUTELY" in error and "--confirm does not override this" in error
    assert _stored(db, "enforcement-meeting@") == before
    dry = run("sync", "--dry-run", "--as-of", "2023-06-21", env=env)
    assert dry.exit_code == 0 and "\nrefused: 20 occurrence(s) would be withdrawn" in dry.stdout

    day = run("run", "--as-of", "2023-06-21", env=env)
    assert day.exit_code == 1
    assert "  sync         failed\n    failed: sync refused: 20 occurrence(s)" in day.stdout
    assert "  calendars    done" in day.stdout  # the other steps go on with the store
    assert _stored(db, "enforcement-meeting@") == before
    assert _feed_status(feeds, "enforcement-meeting@") == published


BROKEN = "import sys\nsys.exit(0)\n"
AGENCY = """from naptip import Activity, Indicator, IndicatorKind, Timeline, hookimpl

@hookimpl
def naptip_activities():
    return [Activity(id="S9-O1-jim-i", objective="S9", output="S9-O1", text="Awareness day",
                     indicators=(Indicator(text="Sessions", kind=IndicatorKind.COUNT),),
                     timeline=Timeline(start=2023, end=2025), lead="enforcement")]
"""


def test_a_broken_plugin_withdraws_nothing_until_disabled_on_purpose(
        run: Run, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("naptip.time.clock.real_today", lambda: TODAY)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "jim.py").write_text(AGENCY, encoding="utf-8")
    feeds = tmp_path / "feeds"
    env = {**db_env(db), "NAPTIP_PLUGINS_DIR": str(plugins),
           "NAPTIP_CALENDAR_DIR": str(feeds)}
    assert run("run", "--as-of", TODAY.isoformat(), env=env).exit_code == 0
    ids = {"S9-O1-jim-i@2023": False, "S9-O1-jim-i@2024": False, "S9-O1-jim-i@2025": False}
    assert _stored(db, "S9-O1-jim-i@") == ids
    assert set(_feed_status(feeds, "S9-O1-jim-i@").values()) == {"CONFIRMED"}

    (plugins / "jim.py").write_text(BROKEN + AGENCY, encoding="utf-8")
    refused = run("sync", "--confirm", "--as-of", "2023-06-21", env=env)
    assert refused.exit_code == 1
    assert ("Error: sync refused: 3 occurrence(s) would be withdrawn (S9-O1-jim-i@2023, "
            "S9-O1-jim-i@2024, S9-O1-jim-i@2025) while there is an error: plugin 'jim' "
            f"({plugins / 'jim.py'}): failed to load jim.py: SystemExit(0)") in refused.stderr
    day = run("run", "--as-of", "2023-06-21", env=env)
    assert day.exit_code == 1 and "sync refused" in day.stdout
    assert _stored(db, "S9-O1-jim-i@") == ids
    status = _feed_status(feeds, "S9-O1-jim-i@")
    assert len(status) == 3 and set(status.values()) == {"CONFIRMED"}

    # Disabled on purpose, the plugin is no error: its work is withdrawn and cancelled.
    off = {**env, "NAPTIP_DISABLE_PLUGINS": "jim"}
    assert run("run", "--as-of", "2023-06-22", env=off).exit_code == 0
    assert _stored(db, "S9-O1-jim-i@") == dict.fromkeys(ids, True)
    assert set(_feed_status(feeds, "S9-O1-jim-i@").values()) == {"CANCELLED"}


def test_withdrawing_because_of_a_data_problem_needs_confirm(
        run: Run, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A problem in the plugins' data (here an unknown committee) is not something that
    broke, and may follow from disabling a plugin on purpose: --confirm lets it through."""
    monkeypatch.setattr("naptip.time.clock.real_today", lambda: TODAY)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "jim.py").write_text(AGENCY, encoding="utf-8")
    env = {**db_env(db), "NAPTIP_PLUGINS_DIR": str(plugins)}
    assert run("sync", "--as-of", TODAY.isoformat(), env=env).exit_code == 0
    (plugins / "jim.py").write_text(AGENCY.replace('lead="enforcement"', 'lead="enforcment"'),
                                    encoding="utf-8")
    refused = run("sync", "--as-of", TODAY.isoformat(), env=env)
    assert refused.exit_code == 1
    assert ("Error: sync refused: 3 occurrence(s) would be withdrawn (S9-O1-jim-i@2023, "
            "S9-O1-jim-i@2024, S9-O1-jim-i@2025) while the plugins' data has problems: "
            "plugin 'jim'") in refused.stderr and "sync --confirm" in refused.stderr
    assert not any(_stored(db, "S9-O1-jim-i@").values())
    done = run("sync", "--confirm", "--as-of", TODAY.isoformat(), env=env)
    assert done.exit_code == 0, done.output
    assert all(_stored(db, "S9-O1-jim-i@").values())
