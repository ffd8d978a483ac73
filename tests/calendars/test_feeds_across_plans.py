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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from click.testing import Result
from icalendar import Calendar

from naptip.store.db import Database
from naptip.store.orm import CalendarLink
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

    # 2026-12-07: the successor synced, both plans' publications; a one-plan private
    # feed 4.0 minted before feeds spanned plans keeps working, as 4.0's alone
    _naptip(run, env, TODAY, "--plan", "naptip-4.0", "sync")
    db.write(lambda session: session.add(CalendarLink(
        scope=f"naptip-4.0:contact:{LEAD}", token="minted-by-4-0",
        created_at=datetime(2026, 1, 5, tzinfo=UTC))))
    for plan in ("naptip-3.0", "naptip-4.0"):
        out = _naptip(run, env, TODAY, "--plan", plan, "calendar", "publish", "--to",
                      str(folder))
        assert "show naptip-3.0, naptip-4.0" in out.stderr
    # one token per contact, whichever plan lists it; no second token minted
    for plan in ("naptip-3.0", "naptip-4.0"):
        assert _token(run, env, TODAY, plan, f"contact:{LEAD}") == private
        keys = [line.split("\t")[0] for line in _naptip(
            run, env, TODAY, "--plan", plan, "calendar", "links").stdout.splitlines()]
        assert [k for k in keys if ":contact:" in k] == (
            [f"naptip-4.0:contact:{LEAD}"] if plan == "naptip-4.0" else [])

    cal, events = _events(folder / "committee-enforcement.ics")
    assert str(cal["X-WR-CALNAME"]) == "NAPTIP: Enforcement Committee"
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
    assert str(plan_cal["X-WR-CALNAME"]) == "NAPTIP: all plans"
    _old_cal, minted = _events(folder / "minted-by-4-0.ics")
    assert minted and all(str(e["UID"]).endswith(".naptip-4.0@naptip") for e in minted)
    assert {str(e["UID"]) for e in minted} < my_uids

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


def test_a_continued_occurrence_in_two_ledgers_shows_once_under_the_plan_owning_its_day(
        ) -> None:
    """Should both plans' ledgers hold one occurrence (a continued duty's, ids unchanged
    in form), the spanning feeds show it once: the plan whose period holds its day wins,
    whatever the order; other occurrences are all kept, in order."""
    from naptip.base.model import Plan
    from naptip.calendars.entries import Entry, uid_for
    from naptip.calendars.ledger import Published
    from naptip.calendars.publish import one_per_occurrence

    def published(occurrence: str, plan: str, day: str, cancelled: bool = False) -> Published:
        entry = Entry(uid=uid_for(occurrence, plan), occurrence=occurrence, kind="meeting",
                      summary="Enforcement meeting", description="", location=None,
                      categories=(), start=day, end=day, tzid="Asia/Kuala_Lumpur",
                      owner="enforcement", owner_name="Enforcement", support=(), host=None)
        stamp = datetime(2026, 1, 1, tzinfo=UTC)
        return Published(entry=entry, sequence=0, created=stamp, last_modified=stamp,
                         cancelled=cancelled, vevent=entry.uid.encode())

    old = Plan(id="naptip-3.0", title="NAPTIP 3.0", short_title="NAPTIP 3.0",
               start=date(2021, 1, 1), end=date(2025, 12, 31), timezone="Asia/Kuala_Lumpur")
    new = Plan(id="naptip-4.0", title="NAPTIP 4.0", short_title="NAPTIP 4.0",
               start=date(2026, 1, 1), end=date(2030, 12, 31), timezone="Asia/Kuala_Lumpur")
    late = published("enforcement-meeting@2026-02-10", "naptip-3.0", "2026-02-10")
    owned = published("enforcement-meeting@2026-02-10", "naptip-4.0", "2026-02-10",
                      cancelled=True)
    before = published("enforcement-meeting@2025-11-11", "naptip-3.0", "2025-11-11")
    after = published("enforcement-meeting@2026-05-12", "naptip-4.0", "2026-05-12")
    for items in ([before, late, owned, after], [before, owned, late, after]):
        assert one_per_occurrence(items, [old, new]) == [before, owned, after]
