"""The feeds people subscribed to carry on across plans (issue 19): with NAPTIP 3.0 and
its successor (a 4.0 plan package continuing the enforcement meeting) in one store,
``committee-enforcement.ics``, ``plan.ics`` and each contact's private feed (the token
minted under 3.0) show 2021-2025 and 2026+ entries, each occurrence once; both plans'
publications write the same bytes and leave unchanged files alone; 4.0's own feeds hold
only 4.0's entries. Real files, icalendar parsing, SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import Result
from icalendar import Calendar

from naptip.store.db import Database
from tests.conftest import db_env
from tests.plan.test_successor import CONTINUES, _make
from tests.work.test_fresh_install import LEADS, directory

Run = Callable[..., Result]
BEFORE, TODAY = date(2024, 3, 1), date(2026, 12, 7)
LEAD = LEADS["enforcement"]


@pytest.fixture(scope="module")
def successor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("plans") / "naptip-4.0", CONTINUES)


def _naptip(run: Run, env: dict[str, str], day: date, *args: str) -> Result:
    with mock.patch("naptip.time.clock.real_today", return_value=day):
        result = run("--as-of", day.isoformat(), *args, env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result


def _events(path: Path) -> tuple[Calendar, list[Any]]:
    cal = Calendar.from_ical(path.read_bytes())
    return cal, [c for c in cal.walk("VEVENT")]


def _state(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.glob("*.ics")}


def _token(run: Run, env: dict[str, str], day: date, plan: str, key: str) -> str:
    lines = _naptip(run, env, day, "--plan", plan, "calendar", "links").stdout.splitlines()
    found = dict(line.split("\t") for line in lines)
    return found[key]


def test_subscribed_feeds_span_both_plans_and_stay_put(run: Run, db: Database,
                                                       successor: Path,
                                                       tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    env = {**db_env(db), "NAPTIP_PLAN_PACKAGES": str(successor), "NAPTIP_USER": "secretariat",
           "COLUMNS": "80"}
    directory(db)
    # under NAPTIP 3.0 alone: the lead subscribes to their private feed
    _naptip(run, env, BEFORE, "--plan", "naptip-3.0", "sync")
    _naptip(run, env, BEFORE, "--plan", "naptip-3.0", "calendar", "publish", "--to",
            str(folder))
    private = _token(run, env, BEFORE, "naptip-3.0", f"contact:{LEAD}")
    assert (folder / private).exists()

    # 2026-12-07: the successor synced, both plans' publications
    _naptip(run, env, TODAY, "--plan", "naptip-4.0", "sync")
    for plan in ("naptip-3.0", "naptip-4.0"):
        out = _naptip(run, env, TODAY, "--plan", plan, "calendar", "publish", "--to",
                      str(folder))
        assert "show naptip-3.0, naptip-4.0" in out.stderr
    # one token per contact, whichever plan lists it; no second token minted
    for plan in ("naptip-3.0", "naptip-4.0"):
        assert _token(run, env, TODAY, plan, f"contact:{LEAD}") == private
        assert not any(line.startswith("naptip-4.0:contact:") for line in _naptip(
            run, env, TODAY, "--plan", plan, "calendar", "links").stdout.splitlines())

    cal, events = _events(folder / "committee-enforcement.ics")
    assert str(cal["X-WR-CALNAME"]) == "NAPTIP: Enforcement Committee" or str(
        cal["X-WR-CALNAME"]).startswith("NAPTIP: ")
    assert "3.0" not in str(cal["X-WR-CALNAME"])
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids))
    meetings = {str(e["UID"]).split(".naptip-")[0]: str(e["UID"]) for e in events
                if str(e["UID"]).startswith("enforcement-meeting@")}
    occurrences = Counter(u.split(".naptip-")[0] for u in uids)
    assert max(occurrences.values()) == 1  # each occurrence once
    assert meetings["enforcement-meeting@2025-11-11"].endswith(".naptip-3.0@naptip")
    assert meetings["enforcement-meeting@2026-02-10"].endswith(".naptip-4.0@naptip")
    assert any(k.startswith("enforcement-meeting@2021-") for k in meetings)
    assert any(k.startswith("enforcement-meeting@2027-") for k in meetings)

    _cal, mine = _events(folder / private)
    my_uids = {str(e["UID"]) for e in mine}
    assert len(my_uids) == len(mine)
    assert {meetings["enforcement-meeting@2025-11-11"],
            meetings["enforcement-meeting@2026-02-10"]} <= my_uids

    plan_cal, whole = _events(folder / "plan.ics")
    whole_uids = [str(e["UID"]) for e in whole]
    assert len(whole_uids) == len(set(whole_uids))
    assert {p for u in whole_uids for p in ("naptip-3.0", "naptip-4.0") if f".{p}@" in u} \
        == {"naptip-3.0", "naptip-4.0"}
    assert "3.0" not in str(plan_cal["X-WR-CALNAME"])

    # 4.0's own feed: its entries only
    _own_cal, own = _events(folder / "naptip-4.0-committee-enforcement.ics")
    assert own and all(str(e["UID"]).endswith(".naptip-4.0@naptip") for e in own)
    assert len(own) < len(events)

    # each plan's day again: no file changes, not even its modification time
    state = _state(folder)
    for plan in ("naptip-4.0", "naptip-3.0", "naptip-4.0"):
        out = _naptip(run, env, TODAY, "--plan", plan, "calendar", "publish", "--to",
                      str(folder))
        assert "\twritten" not in out.stdout
        assert _state(folder) == state


def test_a_draft_plan_stays_out_of_the_spanning_feeds(run: Run, db: Database,
                                                      successor: Path,
                                                      tmp_path: Path) -> None:
    """Before the successor starts (2025), plan.ics is NAPTIP 3.0's alone, whichever
    plan publishes it."""
    folder = tmp_path / "feeds"
    env = {**db_env(db), "NAPTIP_PLAN_PACKAGES": str(successor), "NAPTIP_USER": "secretariat"}
    day = date(2025, 6, 2)
    _naptip(run, env, day, "--plan", "naptip-3.0", "sync")
    _naptip(run, env, day, "--plan", "naptip-4.0", "sync")
    for plan in ("naptip-3.0", "naptip-4.0"):
        out = _naptip(run, env, day, "--plan", plan, "calendar", "publish", "--to",
                      str(folder))
        assert "show naptip-3.0\n" in out.stderr
    _cal, events = _events(folder / "plan.ics")
    assert events and all(str(e["UID"]).endswith(".naptip-3.0@naptip") for e in events)
    assert os.path.exists(folder / "naptip-4.0-plan.ics")
