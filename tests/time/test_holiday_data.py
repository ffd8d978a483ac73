"""Holiday data: pinned, visible, correctable (issue 7, part 2)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from importlib.metadata import version
from pathlib import Path

import holidays
import pytest
from click.testing import Result

from naptip import Agency, Committee, hookimpl
from naptip.base.config import parse_settings
from naptip.base.errors import NaptipError
from naptip.base.states import STATES
from naptip.cli.render import explain_extra
from naptip.occurrences.schedule import Occurrence, OccurrenceKind, Shift
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.time.workdays import (
    TESTED_HOLIDAYS,
    configure_holidays,
    estimated_holidays,
    holiday_data,
    is_working_day,
    next_working_day,
    parse_corrections,
    public_holidays,
    shipped_corrections,
    why_not_working,
)

Run = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _default_holidays() -> Iterator[None]:
    configure_holidays(())
    yield
    configure_holidays(())


def test_holidays_is_pinned_to_the_tested_range() -> None:
    # Before: "holidays>=0.60" with no upper bound; 0.60 had 2025's Islamic holidays as
    # estimates one day off.
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (pin,) = [d for d in deps if d.startswith("holidays")]
    assert pin == f"holidays{TESTED_HOLIDAYS}"
    low, high = re.findall(r"\d+\.\d+", TESTED_HOLIDAYS)
    installed = tuple(int(x) for x in version("holidays").split(".")[:2])
    assert tuple(map(int, low.split("."))) <= installed < tuple(map(int, high.split(".")))


def test_plan_period_depends_on_no_estimated_holiday_with_the_pinned_data() -> None:
    for state in STATES:
        assert estimated_holidays(state, date(2021, 1, 1), date(2025, 12, 31)) == [], state


def test_estimated_holiday_is_warned_in_explain() -> None:
    # 2028's Islamic holidays are still estimates in the pinned release.
    day = date(2028, 8, 4)
    assert "estimated" in public_holidays("putrajaya", 2028)[day].lower()
    meeting = Occurrence(id="x@2028-08-04", kind=OccurrenceKind.MEETING, title="x",
                         owner="media", support=(), due=next_working_day("putrajaya", day),
                         unshifted=day, state="putrajaya", rule="r", plugin="p",
                         shift=Shift.LATER)
    rows = dict(explain_extra(meeting))
    assert rows["holiday data"].startswith(f"holidays {version('holidays')}")
    assert "depends on an estimated holiday: Prophet Muhammad's Birthday (estimated) on " \
           "Fri 04 Aug 2028" in rows["warning"]


def test_awal_muharram_2024_substitute_day_is_shipped() -> None:
    """Source: Senarai Hari Kelepasan Am Persekutuan 2024 (JPM): Awal Muharram on Sunday
    7 July 2024 gives Monday 8 July 2024 in Saturday-Sunday states."""
    monday = date(2024, 7, 8)
    package = holidays.country_holidays("MY", subdiv="16", years=2024)
    assert monday not in package  # the defect: the package misses it
    assert not is_working_day("putrajaya", monday)
    assert "Awal Muharram (replacement holiday)" in (why_not_working("selangor", monday) or "")
    # Friday-Saturday states work on Sunday: no replacement (Johor rested Fri-Sat in 2024).
    assert is_working_day("kedah", monday) and is_working_day("johor", monday)
    assert next_working_day("putrajaya", date(2024, 7, 7)) == date(2024, 7, 9)


def test_every_shipped_correction_is_in_the_audit_and_cites_a_public_source() -> None:
    # The audit (docs/holidays.md) covers 2021-2026: the plan and the year after it, when
    # the final evaluation and overdue evidence are still dated.
    corrections = shipped_corrections()
    assert corrections
    for c in corrections:
        assert 2021 <= c.day.year <= 2026, c
        assert len(c.citation) > 40, c
        assert re.search(r"https?://[\w.-]+\.[a-z]{2,}/\S+", c.citation), c
        assert c.origin.startswith("naptip/data/holiday_corrections.toml [")


def test_a_shipped_correction_without_a_source_is_refused() -> None:
    text = '[[add]]\ndate = 2025-04-28\nstates = ["johor"]\nname = "Special holiday"\n'
    with pytest.raises(NaptipError, match=re.escape(
            "naptip/data/holiday_corrections.toml [add[1]]: a shipped correction needs its "
            "public source")):
        parse_corrections(text)
    assert parse_corrections(text + 'source = "x, 1 Jan 2025, https://example.org/x"\n')


def test_configuration_adds_and_removes_holidays(loaded: LoadedPlugins) -> None:
    raw = tomllib.loads('''
[[holidays.add]]
date = 2024-06-20
states = ["putrajaya"]
name = "Cuti peristiwa (test)"
source = "a test of the mechanism, not a real declaration"

[[holidays.remove]]
date = 2024-07-08
states = ["putrajaya"]
''')
    build_catalog(loaded, settings=parse_settings(raw))
    assert why_not_working("putrajaya", date(2024, 6, 20)) == \
        "Cuti peristiwa (test) (public holiday in Wilayah Persekutuan Putrajaya)"
    assert is_working_day("putrajaya", date(2024, 7, 8))
    assert not is_working_day("selangor", date(2024, 7, 8))  # only Putrajaya's removed
    assert "+ 2 from configuration" in holiday_data()
    build_catalog(loaded)  # a catalog without them puts the calendar back
    assert is_working_day("putrajaya", date(2024, 6, 20))


@pytest.mark.parametrize(("raw", "message"), [
    ({"holidays": {"add": [{"date": "2024-13-01"}]}}, "holidays.add[1].date: must be a day"),
    ({"holidays": {"add": [{"date": "2024-06-20", "states": ["sarawk"]}]}},
     "holidays.add[1].states: unknown state 'sarawk'"),
    ({"holidays": {"move": []}}, "holidays.move: unknown key"),
])
def test_bad_holiday_configuration(raw: dict[str, object], message: str) -> None:
    with pytest.raises(NaptipError, match=re.escape(message)):
        parse_settings(raw)


def test_unknown_state_fails_plugins_check_naming_plugin_and_committee(
        run: Run, tmp_path: Path) -> None:
    # Before: accepted, then `schedule` failed later with a message naming no plugin.
    (tmp_path / "sarawak_jtk.py").write_text(
        "from naptip import hookimpl, Committee, Agency\n"
        "@hookimpl\ndef naptip_committees():\n"
        "    return [Committee(id='sarawak-committee', name='S', name_ms='S', lead_agency='J',\n"
        "        lead_agency_short='J', pillars=('P1',), state='sarawk')]\n"
        "@hookimpl\ndef naptip_agencies():\n"
        "    return [Agency(id='jtk-swk', name='JTK', short_name='JTK',\n"
        "        committees=('forced-labour',), state='Sarawak')]\n", encoding="utf-8")
    result = run("--plugins-dir", str(tmp_path), "plugins", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"plugin 'sarawak_jtk' ({tmp_path / 'sarawak_jtk.py'}): "
                               "committee sarawak-committee: unknown state 'sarawk'; known: ")
    assert "agency jtk-swk: unknown state 'Sarawak' (of committees forced-labour)" in lines[1]


def test_plugin_objects_with_unknown_state(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    class P:
        @hookimpl
        def naptip_committees(self) -> Iterable[Committee]:
            return [Committee(id="c-x", name="C", name_ms="C", lead_agency="L",
                              lead_agency_short="L", pillars=("P1",), state="nowhere")]

        @hookimpl
        def naptip_agencies(self) -> Iterable[Agency]:
            return []

    catalog = register_plugin(P(), "p")
    assert "c-x" not in catalog.committees
    assert str(catalog.problems[0]).startswith("plugin 'p': committee c-x: unknown state")


def test_db_status_records_the_holiday_data(run: Run, tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
           "NAPTIP_BLOB_DIR": str(tmp_path / "blobs")}
    assert run("db", "upgrade", env=env).exit_code == 0  # `db status` never creates a store
    result = run("db", "status", "--json", env=env)
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["holiday data"] == holiday_data()
    assert f"holidays {version('holidays')}" in info["holiday data"]
    assert "holiday_corrections.toml" in info["holiday data"]


def test_schedule_warns_when_a_date_depends_on_an_estimated_holiday(run: Run,
                                                                   tmp_path: Path) -> None:
    # No date of the plan depends on an estimate with the pinned data; an estimated
    # holiday (as older releases had for 2025) is simulated through configuration.
    config = tmp_path / "naptip.toml"
    config.write_text('[[holidays.add]]\ndate = 2024-07-30\nname = "Test holiday (estimated)"\n'
                      'states = ["putrajaya"]\n', encoding="utf-8")
    result = run("--config", str(config), "--as-of", "2024-07-29", "schedule", "--to",
                 "2024-07-31", "--format", "json")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "estimated holiday" in line]
    assert warned and all("Test holiday (estimated) on Tue 30 Jul 2024" in w for w in warned)
    plain = run("--as-of", "2024-07-29", "schedule", "--to", "2024-07-31")
    assert "estimated" not in plain.stderr
