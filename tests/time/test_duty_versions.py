"""A change takes effect from a day; the past stays as it was (issue 7, part 1).

Each test first shows the defect the way it was reported (a change without ``from``
rewrites the past), then that the same change with ``from`` leaves every occurrence
before that day exactly as it was: same id, date and host.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from naptip import Duty, DutyKind, hookimpl
from naptip.base.config import parse_settings
from naptip.occurrences.schedule import Occurrence, Schedule, build_schedule
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager

UNTIL = "UNTIL=20251231T155959Z"
KL = "DTSTART;TZID=Asia/Kuala_Lumpur:"
MONTHLY = f"{KL}20210112T100000\nRRULE:FREQ=MONTHLY;BYDAY=2TU;{UNTIL}"
CHANGE = date(2023, 7, 1)
Run = Callable[..., Result]
WIDE = {"COLUMNS": "250"}


def _plan(loaded: LoadedPlugins, raw: dict[str, object] | None = None) -> Schedule:
    return build_schedule(build_catalog(loaded, settings=parse_settings(raw or {})))


def _meetings(plan: Schedule, duty: str = "enforcement-meeting") -> list[Occurrence]:
    return [o for o in plan.occurrences if o.duty == duty and "/" not in o.id]


def _before(plan: Schedule, day: date) -> list[tuple[str, date, str | None]]:
    return [(o.id, o.due, o.host) for o in plan.occurrences if o.due < day]


@pytest.fixture(scope="module")
def loaded_module() -> LoadedPlugins:
    return build_plugin_manager(environ={})


@pytest.fixture(scope="module")
def baseline(loaded_module: LoadedPlugins) -> Schedule:
    return _plan(loaded_module)


def test_monthly_without_from_rewrites_the_past_as_reported(
        loaded_module: LoadedPlugins, baseline: Schedule) -> None:
    """The defect, reproduced: the documented example applied to the whole plan."""
    plan = _plan(loaded_module, {"duties": {"enforcement-meeting": {"recurrence": MONTHLY}}})
    old = {o.id: o for o in _meetings(baseline)}
    assert old["enforcement-meeting@2021-02-09"].host == "rmp"
    new = {o.id: o for o in _meetings(plan)}
    # The February 2021 meeting is now hosted by JIM, and meetings that never took place
    # appear in the past (19 more before June 2023 than were held).
    assert new["enforcement-meeting@2021-02-09"].host == "jim"
    phantom = [i for i in new if i not in old and new[i].due < date(2023, 6, 1)]
    assert len(phantom) == 19


def test_monthly_from_july_2023_keeps_every_earlier_meeting(
        loaded_module: LoadedPlugins, baseline: Schedule) -> None:
    plan = _plan(loaded_module, {"duties": {"enforcement-meeting": {
        "recurrence": MONTHLY, "from": CHANGE.isoformat()}}})
    assert _before(plan, CHANGE) == _before(baseline, CHANGE)
    after = [o for o in _meetings(plan) if o.due >= CHANGE]
    assert [o.due.month for o in after[:6]] == [7, 8, 9, 10, 11, 12]  # monthly now
    assert len(after) == 30  # July 2023 to December 2025
    # The rotation goes on from the last meeting held: May 2023 was JTKSM's turn (the
    # last of five), so July 2023 is RMP's.
    held = [o for o in _meetings(plan) if o.due < CHANGE]
    assert held[-1].host == "jtksm"
    assert [o.host for o in after[:3]] == ["rmp", "jim", "customs"]
    assert after[0].version and after[0].version.startswith("version 2 of 2, from 2023-07-01")
    assert "[duties.enforcement-meeting]" in after[0].source
    assert held[0].version and held[0].version.startswith("version 1 of 2")
    assert held[0].source == "plugin 'enforcement'"


def test_a_change_without_from_is_warned(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text('[duties.enforcement-meeting]\nhosts = ["jim", "rmp"]\n',
                      encoding="utf-8")
    result = run("--config", str(config), "plugins", "check")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: configuration {config} [duties.enforcement-meeting]: duty "
        "enforcement-meeting: no 'from': the change applies to the whole plan, past "
        "occurrences included (add from = YYYY-MM-DD to change it from a day on)"]


def test_toml_date_and_several_changes(loaded_module: LoadedPlugins, tmp_path: Path,
                                       baseline: Schedule) -> None:
    import tomllib

    raw = tomllib.loads(f'''
[[duties.enforcement-meeting]]
from = 2023-07-01
recurrence = """
{MONTHLY}
"""
[[duties.enforcement-meeting]]
from = 2024-07-01
hosts = ["rmp", "mmea"]
''')
    plan = _plan(loaded_module, raw)
    assert _before(plan, CHANGE) == _before(baseline, CHANGE)
    late = [o for o in _meetings(plan) if o.due >= date(2024, 7, 1)]
    assert {o.host for o in late} == {"rmp", "mmea"}
    assert late[0].version and late[0].version.startswith("version 3 of 3, from 2024-07-01")


def test_exdate_on_one_meeting_shifts_every_later_host_only_when_the_turn_is_kept(
        loaded_module: LoadedPlugins, baseline: Schedule) -> None:
    text = (f"{KL}20210209T100000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;{UNTIL}\n"
            "EXDATE;TZID=Asia/Kuala_Lumpur:20210511T100000")
    old = [(o.id, o.host) for o in _meetings(baseline)]
    kept = _meetings(_plan(loaded_module, {"duties": {"enforcement-meeting": {
        "recurrence": text, "cancelled_turn": "keeps"}}}))
    # "keeps" is what the engine did before: every later meeting changes host.
    assert [o.id for o in kept] == [i for i, _ in old if i != "enforcement-meeting@2021-05-11"]
    changed = [o.id for o, (_, host) in zip(kept[1:], old[2:], strict=True) if o.host != host]
    assert len(changed) == len(kept) - 1
    assert kept[1].host == "jim"  # JIM's cancelled turn is kept: it hosts August 2021
    passes = _meetings(_plan(loaded_module, {"duties": {"enforcement-meeting": {
        "recurrence": text}}}))
    # The default: the cancelled meeting's turn passes; nobody else's host changes.
    assert [(o.id, o.host) for o in passes] == [(i, h) for i, h in old
                                                if i != "enforcement-meeting@2021-05-11"]


def test_exdate_added_from_a_day_never_touches_what_is_before_it(
        loaded_module: LoadedPlugins, baseline: Schedule) -> None:
    text = (f"{KL}20210209T100000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;{UNTIL}\n"
            "EXDATE;TZID=Asia/Kuala_Lumpur:20210511T100000,20240213T100000")
    plan = _plan(loaded_module, {"duties": {"enforcement-meeting": {
        "recurrence": text, "cancelled_turn": "keeps", "from": "2024-01-01"}}})
    day = date(2024, 1, 1)
    assert _before(plan, day) == _before(baseline, day)
    ids = {o.id for o in _meetings(plan)}
    assert "enforcement-meeting@2021-05-11" in ids  # before the change: still held
    assert "enforcement-meeting@2024-02-13" not in ids


class VersionedPlugin:
    """A plugin declaring two successive versions of one duty."""

    def __init__(self, *duties: Duty) -> None:
        self.duties = duties

    @hookimpl
    def naptip_duties(self) -> Iterable[Duty]:
        return self.duties


def _duty(**changes: object) -> Duty:
    fields: dict[str, object] = dict(
        id="jtk-meeting", title="JTK meeting", owner="forced-labour", kind=DutyKind.MEETING,
        duration_minutes=60, hosts=("rmp", "jim", "jtksm"),
        recurrence=f"{KL}20210104T100000\nRRULE:FREQ=MONTHLY;BYDAY=1MO;{UNTIL}")
    fields.update(changes)
    return Duty(**fields)  # type: ignore[arg-type]


def test_plugin_declares_successive_versions(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    v2 = _duty(effective_from=date(2024, 1, 1),
               recurrence=f"{KL}20210104T100000\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO;"
                          f"{UNTIL}")
    catalog = register_plugin(VersionedPlugin(_duty(), v2), "jtk")
    assert catalog.problems == []
    meetings = [o for o in build_schedule(catalog).occurrences if o.duty == "jtk-meeting"]
    early = [o for o in meetings if o.due < date(2024, 1, 1)]
    late = [o for o in meetings if o.due >= date(2024, 1, 1)]
    assert len(early) == 36 and len(late) == 12  # monthly for 3 years, then every 2 months
    assert [o.host for o in late[:2]] == ["rmp", "jim"]  # 36 held: the rotation goes on
    assert late[0].version == "version 2 of 2, from 2024-01-01"
    assert late[0].source == "plugin 'jtk'"


def test_plugin_version_without_a_later_from_is_refused(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    catalog = register_plugin(VersionedPlugin(_duty(), _duty()), "jtk")
    assert [str(p) for p in catalog.problems] == [
        "plugin 'jtk': duty jtk-meeting: a later version needs a 'from' date after the "
        "previous version's"]


def test_plugin_data_file_declares_versions(tmp_path: Path, run: Run) -> None:
    (tmp_path / "jtk_versions.toml").write_text("", encoding="utf-8")
    (tmp_path / "jtk_versions.py").write_text(
        "from pathlib import Path\nfrom naptip.plan.datafiles.datafile import DataPlugin\n"
        "plugin = DataPlugin(path=Path(__file__).with_name('data.toml'))\n"
        "naptip_duties = plugin.naptip_duties\n", encoding="utf-8")
    (tmp_path / "data.toml").write_text(f'''
[[duty]]
id = "jtk-meeting"
title = "JTK meeting"
owner = "forced-labour"
kind = "meeting"
recurrence = """
{KL}20210104T100000
RRULE:FREQ=MONTHLY;BYDAY=1MO;{UNTIL}
"""

[[duty]]
id = "jtk-meeting"
from = 2024-01-01
title = "JTK meeting"
owner = "forced-labour"
kind = "meeting"
recurrence = """
{KL}20210104T100000
RRULE:FREQ=YEARLY;BYDAY=1MO;BYMONTH=1;{UNTIL}
"""
''', encoding="utf-8")
    result = run("--plugins-dir", str(tmp_path), "--as-of", "2024-01-01", "schedule",
                 "explain", "jtk-meeting@2025-01-06", env=WIDE)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "version 2 of 2, from 2024-01-01" in text
    assert re.search(r"source\s*│\s*plugin 'jtk_versions'\s*│", text)


def test_reporting_calendar_change_from_a_day(loaded_module: LoadedPlugins,
                                              baseline: Schedule) -> None:
    whole = _plan(loaded_module, {"reporting": {"evidence_due": "03-31", "review_month": 5}})
    # Reproduced: without a date, every due date moves, past ones included.
    assert whole.by_id["S1-O1-i@2021"].unshifted == date(2022, 3, 31)
    changed = _plan(loaded_module, {"reporting": {"change": [
        {"from": "2024-07-01", "evidence_due": "03-31", "review_month": 5}]}})
    day = date(2024, 7, 1)
    assert _before(changed, day) == _before(baseline, day)
    assert changed.by_id["S1-O1-i@2023"].due == baseline.by_id["S1-O1-i@2023"].due
    assert changed.by_id["S1-O1-i@2024"].unshifted == date(2025, 3, 31)
    assert "reporting.change[1].evidence_due, in effect from 2024-07-01" in \
        changed.by_id["S1-O1-i@2024"].rule
    reviews = [o.unshifted for o in _meetings(changed, "annual-review")]
    assert reviews == [date(2022, 3, 9), date(2023, 3, 8), date(2024, 3, 13), date(2025, 5, 14)]


def test_explain_shows_version_and_source(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text(f'[duties.enforcement-meeting]\nfrom = 2023-07-01\nrecurrence = """\n'
                      f'{MONTHLY}\n"""\n', encoding="utf-8")
    after = run("--config", str(config), "schedule", "explain",
                "enforcement-meeting@2023-07-11", env=WIDE)
    assert after.exit_code == 0, after.output
    text = " ".join(after.stdout.split())
    assert "version 2 of 2, from 2023-07-01" in text
    assert f"configuration {config} [duties.enforcement-meeting]" in text
    assert "holidays 0.109" in text
    before = run("--config", str(config), "schedule", "explain",
                 "enforcement-meeting@2023-05-09", env=WIDE)
    text = " ".join(before.stdout.split())
    assert "version 1 of 2, from 2021-01-01 until 2023-07-01" in text
    assert re.search(r"source\s*│\s*plugin 'enforcement'\s*│", text)


# --- property: no occurrence before a change's `from` day changes (date, host, id) ---

_LOADED = build_plugin_manager(environ={})
_BASE = build_schedule(build_catalog(_LOADED))
_DUTIES = ["enforcement-meeting", "case-management-meeting", "world-day",
           "media-committee-meeting", "annual-review"]
_RULES = {
    "monthly 2nd Tuesday": f"{KL}20210112T100000\nRRULE:FREQ=MONTHLY;BYDAY=2TU;{UNTIL}",
    "weekly Wednesday": f"{KL}20210106T090000\nRRULE:FREQ=WEEKLY;BYDAY=WE;{UNTIL}",
    "every 2 months 1st Friday": f"{KL}20210101T143000\nRRULE:FREQ=MONTHLY;INTERVAL=2;"
                                 f"BYDAY=1FR;{UNTIL}",
    "yearly 1 August": f"{KL}20210801T100000\nRRULE:FREQ=YEARLY;{UNTIL}",
    "monthly with cancellations": f"{MONTHLY}\nEXDATE;TZID=Asia/Kuala_Lumpur:"
                                  "20220208T100000,20230912T100000,20241008T100000",
}


@settings(max_examples=40, deadline=None)
@given(duty=st.sampled_from(_DUTIES),
       start=st.dates(min_value=date(2021, 1, 2), max_value=date(2025, 12, 31)),
       rule=st.sampled_from([None, *_RULES]),
       hosts=st.sampled_from([None, ["jim", "rmp"], ["mmea"], ["customs", "jtksm", "rmp"]]),
       turn=st.sampled_from([None, "passes", "keeps"]),
       evidence=st.sampled_from([None, "01-15", "02-28", "04-30"]))
def test_no_occurrence_before_from_changes(duty: str, start: date, rule: str | None,
                                           hosts: list[str] | None, turn: str | None,
                                           evidence: str | None) -> None:
    change: dict[str, object] = {"from": start.isoformat()}
    if rule:
        change["recurrence"] = _RULES[rule]
    if hosts:
        change["hosts"] = hosts
    if turn:
        change["cancelled_turn"] = turn
    raw: dict[str, object] = {"duties": {duty: change}}
    if evidence:
        raw["reporting"] = {"change": [{"from": start.isoformat(), "evidence_due": evidence,
                                        "review_month": 6}]}
    plan = build_schedule(build_catalog(_LOADED, settings=parse_settings(raw)))
    assert _before(plan, start) == _before(_BASE, start)
    # and nothing after it is lost or duplicated
    assert len({o.id for o in plan.occurrences}) == len(plan.occurrences)


@pytest.mark.parametrize(("raw", "message"), [
    ({"duties": {"x": {"from": "soon"}}}, "duties.x.from: 'soon' is not a day like 2024-07-01"),
    ({"duties": {"x": {"cancelled_turn": "skips"}}},
     "duties.x.cancelled_turn: must be one of passes, keeps"),
    ({"duties": {"x": [{"from": "2024-01-01"}, {"from": "2023-01-01"}]}},
     "duties.x: several changes need increasing 'from' dates"),
    ({"reporting": {"change": [{"evidence_due": "01-15"}]}},
     "reporting.change[1].from: missing"),
    ({"reporting": {"change": [{"from": "2024-01-01"}, {"from": "2023-01-01"}]}},
     "reporting.change[2].from: 2023-01-01 is not after the previous change's 2024-01-01"),
])
def test_bad_effective_dates_are_one_line(raw: dict[str, object], message: str) -> None:
    from naptip.base.errors import NaptipError

    with pytest.raises(NaptipError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_settings(raw)


def test_data_file_from_must_be_a_day() -> None:
    from naptip.base.errors import DataFileError
    from naptip.plan.datafiles.datafile import parse_data

    with pytest.raises(DataFileError, match="duty m: 'from' must be a day like 2023-07-01"):
        parse_data('[[duty]]\nid = "m"\nfrom = "soon"\nrecurrence = "x"\n', "t.toml")


def test_plugin_cancelled_turn_is_validated(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    catalog = register_plugin(VersionedPlugin(_duty(cancelled_turn="skips")), "jtk")
    assert [str(p) for p in catalog.problems] == [
        "plugin 'jtk': duty jtk-meeting: cancelled_turn 'skips' is not one of passes, keeps"]


def test_exdate_before_from_is_warned_as_cancelling_nothing(loaded_module: LoadedPlugins,
                                                            ) -> None:
    text = (f"{KL}20210209T100000\nRRULE:FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU;{UNTIL}\n"
            "EXDATE;TZID=Asia/Kuala_Lumpur:20210511T100000")
    catalog = build_catalog(loaded_module, settings=parse_settings({"duties": {
        "enforcement-meeting": {"recurrence": text, "from": "2024-01-01"}}}))
    assert [str(w) for w in catalog.warnings] == [
        "configuration [duties.enforcement-meeting]: duty enforcement-meeting: "
        "recurrence: EXDATE 2021-05-11 10:00 is before 'from' 2024-01-01: it cancels nothing "
        "(occurrences before the change stay as they were)"]


@pytest.mark.parametrize("raw", [
    {"duties": {"enforcement-meeting": {"from": "2030-01-01", "hosts": ["rmp"]}}},
    {"reporting": {"change": [{"from": "2020-01-01", "evidence_due": "01-15"}]}},
])
def test_from_outside_the_plan_is_refused(loaded_module: LoadedPlugins,
                                          raw: dict[str, object]) -> None:
    from naptip.base.errors import NaptipError

    with pytest.raises(NaptipError, match=r"from: 20\d\d-01-01 is outside the plan period "
                                          r"2021-01-01 to 2025-12-31"):
        build_catalog(loaded_module, settings=parse_settings(raw))
