"""Recurrences that cannot mislead or stall (issue 7, part 3).

Every bad rule is one line naming the plugin (or configuration file and key) and the
duty; ``plugins check`` exits 1; other commands carry on without that duty.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import Result

from naptip import Activity, Cadence, Duty, DutyKind, Indicator, IndicatorKind, Timeline, hookimpl
from naptip.base.config import parse_settings
from naptip.base.errors import NaptipError
from naptip.occurrences.schedule import OccurrenceKind, build_schedule
from naptip.plan.catalog import Catalog
from naptip.time.recurrence import MAX_INSTANCES, RecurrenceError, parse_recurrence

Run = Callable[..., Result]
KL = "DTSTART;TZID=Asia/Kuala_Lumpur:"
UNTIL = "UNTIL=20251231T155959Z"
MEETING = f"{KL}20240409T100000\nRRULE:FREQ=MONTHLY;BYDAY=2TU;{UNTIL}"


def _plugin_file(folder: Path, name: str, recurrence: str, duty_id: str = "x-meeting") -> None:
    (folder / f"{name}.py").write_text(
        "from naptip import hookimpl, Duty, DutyKind\n"
        "@hookimpl\ndef naptip_duties():\n"
        f"    return [Duty(id={duty_id!r}, title='X', owner='media', kind=DutyKind.MEETING,\n"
        f"        recurrence={recurrence!r})]\n", encoding="utf-8")


@pytest.mark.parametrize("freq", ["MINUTELY", "SECONDLY", "HOURLY"])
def test_sub_daily_rules_are_refused_without_expanding(freq: str) -> None:
    # Before: 2.6 million MINUTELY instances were expanded and "ok" was printed;
    # SECONDLY never finished. Now the rule is refused before any expansion.
    with pytest.raises(RecurrenceError, match=f"FREQ={freq} is finer than daily"):
        parse_recurrence(f"{KL}20210101T000000\nRRULE:FREQ={freq};{UNTIL}")


def test_byhour_cannot_make_a_daily_rule_sub_daily() -> None:
    with pytest.raises(RecurrenceError, match="uses BYHOUR"):
        parse_recurrence(f"{KL}20210101T000000\nRRULE:FREQ=DAILY;BYHOUR=1,2,3;{UNTIL}")


def test_instances_are_capped_without_expanding_everything() -> None:
    text = f"{KL}20210101T090000\nRRULE:FREQ=DAILY;UNTIL=20301231T155959Z"
    with pytest.raises(RecurrenceError, match=f"more than {MAX_INSTANCES} instances"):
        parse_recurrence(text)
    with pytest.raises(RecurrenceError, match="at most 20 years"):
        parse_recurrence(f"{KL}20210101T090000\nRRULE:FREQ=YEARLY;UNTIL=99991231T155959Z")
    # A daily duty over the whole plan is within the cap.
    daily = parse_recurrence(f"{KL}20210101T090000\nRRULE:FREQ=DAILY;{UNTIL}")
    assert len(daily.instances) == 1826


def test_plugins_check_on_minutely_and_secondly_is_two_lines(run: Run, tmp_path: Path) -> None:
    _plugin_file(tmp_path, "minutely", f"{KL}20210101T000000\nRRULE:FREQ=MINUTELY;{UNTIL}",
                 "minute-duty")
    _plugin_file(tmp_path, "secondly", f"{KL}20210101T000000\nRRULE:FREQ=SECONDLY;{UNTIL}",
                 "second-duty")
    result = run("--plugins-dir", str(tmp_path), "plugins", "check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("plugin 'minutely'") and "duty minute-duty" in lines[0]
    assert lines[1].startswith("plugin 'secondly'") and "duty second-duty" in lines[1]
    assert all("finer than daily" in line for line in lines)
    # Other commands carry on without those duties.
    schedule = run("--plugins-dir", str(tmp_path), "--as-of", "2024-07-01", "schedule",
                   "--format", "json")
    assert schedule.exit_code == 0
    assert json.loads(schedule.stdout)["occurrences"]
    assert schedule.stderr.count("warning:") == 2


@pytest.mark.parametrize(("exdate", "message"), [
    ("EXDATE:20240514T100000", "EXDATE has no time zone (20240514T100000): write "
                               "EXDATE;TZID=Asia/Kuala_Lumpur:"),
    ("EXDATE;VALUE=DATE:20240514", "EXDATE;VALUE=DATE names a day, not an instance"),
])
def test_exdate_without_zone_is_one_line_naming_plugin_and_duty(
        run: Run, tmp_path: Path, exdate: str, message: str) -> None:
    # Before: every command stopped with "unexpected TypeError", naming nothing.
    _plugin_file(tmp_path, "agency_x", f"{MEETING}\n{exdate}")
    check = run("--plugins-dir", str(tmp_path), "plugins", "check")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [
        f"plugin 'agency_x' ({tmp_path / 'agency_x.py'}): duty x-meeting: recurrence: "
        + check.stdout.split("recurrence: ", 1)[1].strip()]
    assert message in check.stdout
    schedule = run("--plugins-dir", str(tmp_path), "--as-of", "2024-05-01", "schedule")
    assert schedule.exit_code == 0
    assert "warning: plugin 'agency_x'" in schedule.stderr and "x-meeting" in schedule.stderr


def test_exdate_matching_no_instance_is_a_warning_naming_the_date(run: Run,
                                                                  tmp_path: Path) -> None:
    # Before: silently ignored (wrong time of day: 09:00 instead of 10:00).
    _plugin_file(tmp_path, "agency_x",
                 f"{MEETING}\nEXDATE;TZID=Asia/Kuala_Lumpur:20240514T090000")
    check = run("--plugins-dir", str(tmp_path), "plugins", "check")
    assert check.exit_code == 0
    assert ("warning: plugin 'agency_x' (" in check.stderr
            and "duty x-meeting: recurrence: EXDATE 2024-05-14 09:00 (Asia/Kuala_Lumpur) "
                "matches no instance (instances start at 10:00)" in check.stderr)


def test_rdate_with_tzid_is_accepted() -> None:
    # Before: refused with dateutil's internal "unsupported TZID parm" message.
    r = parse_recurrence(f"{MEETING}\nRDATE;TZID=Asia/Kuala_Lumpur:20240620T100000")
    assert datetime(2024, 6, 20, 10, tzinfo=ZoneInfo("Asia/Kuala_Lumpur")) in r.instances


@pytest.mark.parametrize("dtstart", [
    "DTSTART:20240409T020000Z",
    "DTSTART;TZID=America/New_York:20240408T220000",
])
def test_foreign_zones_are_dated_in_kuala_lumpur(
        register_plugin: Callable[[object, str], Catalog], dtstart: str) -> None:
    # 02:00 UTC and 22:00 the day before in New York are 10:00 in Kuala Lumpur.
    rule = ("RRULE:FREQ=MONTHLY;BYDAY=2TU;" if dtstart.endswith("Z")
            else "RRULE:FREQ=MONTHLY;BYDAY=2MO;") + UNTIL

    class P:
        @hookimpl
        def naptip_duties(self) -> Iterable[Duty]:
            return [Duty(id="x-meeting", title="X", owner="media", kind=DutyKind.MEETING,
                         duration_minutes=60, recurrence=f"{dtstart}\n{rule}")]

    catalog = register_plugin(P(), "foreign")
    assert catalog.problems == []
    first = next(o for o in build_schedule(catalog).occurrences if o.duty == "x-meeting")
    assert first.start is not None
    assert str(first.start.tzinfo) == "Asia/Kuala_Lumpur"
    assert first.start.utcoffset() == ZoneInfo("Asia/Kuala_Lumpur").utcoffset(first.start)
    assert (first.due, first.start.hour) == (date(2024, 4, 9), 10)


def test_dtstart_not_an_instance_is_refused() -> None:
    # The annual review's DTSTART 2022-03-01 is not on "second Wednesday of March":
    # calendar programs count it as an instance, dateutil does not.
    with pytest.raises(RecurrenceError, match=r"DTSTART 2022-03-01 10:00 .* is not an "
                                              r"instance of its RRULE; its first instance "
                                              r"is 2022-03-09"):
        parse_recurrence(f"{KL}20220301T100000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2WE;{UNTIL}")


def test_builtin_duties_agree_with_a_calendar_program(builtin_catalog: Catalog) -> None:
    """Every built-in duty passes, and a calendar expanding the same text agrees."""
    import recurring_ical_events
    from icalendar import Calendar, Event, vRecur

    assert builtin_catalog.problems == [] and builtin_catalog.warnings == []
    assert builtin_catalog.recurrences["annual-review"].dtstart.date() == date(2022, 3, 9)
    tz = ZoneInfo("Asia/Kuala_Lumpur")
    for duty_id, recurrence in builtin_catalog.recurrences.items():
        cal = Calendar()
        event = Event()
        event.add("uid", f"{duty_id}@test")
        event.add("dtstart", recurrence.dtstart)
        for rule in recurrence.rrules:
            event.add("rrule", vRecur.from_ical(rule))
        cal.add_component(event)
        found = recurring_ical_events.of(cal).between(datetime(2021, 1, 1, tzinfo=tz),
                                                      datetime(2026, 1, 1, tzinfo=tz))
        assert [e["DTSTART"].dt for e in found] == list(recurrence.instances), duty_id


def _activity(cadence: object) -> Activity:
    return Activity(id="S1-O1-zz", objective="S1", output="S1-O1", text="A toolkit",
                    indicators=(Indicator(text="1 toolkit", kind=IndicatorKind.COUNT),),
                    timeline=Timeline(start=2022, end=2024), lead="media",
                    cadence=cadence)  # type: ignore[arg-type]


def test_cadence_given_as_text_is_coerced(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    # Before: accepted by validation, then scheduled as yearly progress reports.
    class P:
        @hookimpl
        def naptip_activities(self) -> Iterable[Activity]:
            return [_activity("deliverable")]

    catalog = register_plugin(P(), "texty")
    assert catalog.problems == []
    assert catalog.activities["S1-O1-zz"].cadence is Cadence.DELIVERABLE
    mine = [o for o in build_schedule(catalog).occurrences if o.activity == "S1-O1-zz"]
    assert [(o.id, o.kind) for o in mine] == [("S1-O1-zz@deliverable",
                                               OccurrenceKind.DELIVERABLE)]


def test_unknown_cadence_text_is_refused(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    class P:
        @hookimpl
        def naptip_activities(self) -> Iterable[Activity]:
            return [_activity("weekly")]

    catalog = register_plugin(P(), "texty")
    assert [str(p) for p in catalog.problems] == [
        "plugin 'texty': activity S1-O1-zz: cadence 'weekly' is not one of deliverable, "
        "on-demand, progress-report, yearly-deliverable"]


@pytest.mark.parametrize(("month", "reason"), [
    (1, "before the evidence it reviews is due"),
    (2, "before the evidence it reviews is due"),
    (11, "on or after the final evaluation"),
    (12, "on or after the final evaluation"),
])
def test_review_month_out_of_bounds_is_refused_with_the_reason(month: int, reason: str) -> None:
    with pytest.raises(NaptipError, match=f"reporting.review_month: {month} puts .*{reason}"):
        parse_settings({"reporting": {"review_month": month}})
    for fine in (3, 10):
        assert parse_settings({"reporting": {"review_month": fine}}).reporting.review_month \
            == fine


def test_bad_configured_recurrence_names_file_and_key_and_others_carry_on(
        run: Run, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text('[duties.enforcement-meeting]\nfrom = 2024-01-01\n'
                      'recurrence = "DTSTART;TZID=Asia/Kuala_'
                      'Lumpur:20210112T100000\\nRRULE:FREQ=MINUTELY;COUNT=5"\n',
                      encoding="utf-8")
    check = run("--config", str(config), "plugins", "check")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [
        f"configuration {config} [duties.enforcement-meeting]: duty enforcement-meeting: "
        "recurrence: RRULE FREQ=MINUTELY is finer than daily: a duty happens at most once a "
        "day (use DAILY, WEEKLY, MONTHLY or YEARLY); this change is not applied (the duty's "
        "other versions stay in force)"]
    schedule = run("--config", str(config), "--as-of", "2024-05-01", "schedule", "--format",
                   "json", "--to", "2024-12-31")
    assert schedule.exit_code == 0
    duties = {o["duty"] for o in json.loads(schedule.stdout)["occurrences"]}
    # the refused change alone is not applied: the version before it goes on
    assert "enforcement-meeting" in duties and "world-day" in duties
    assert schedule.stderr.count("warning:") == 1


def test_evidence_due_too_late_for_the_review_names_evidence_due() -> None:
    with pytest.raises(NaptipError, match=r"reporting.evidence_due: 03-31 is too late for the "
                                          r"annual review in month 3, .*move review_month too"):
        parse_settings({"reporting": {"evidence_due": "03-31"}})
    assert parse_settings({"reporting": {"evidence_due": "03-31", "review_month": 5}})


def test_rdate_in_utc_is_dated_in_kuala_lumpur() -> None:
    r = parse_recurrence(f"{MEETING}\nRDATE:20240620T020000Z")
    extra = [i for i in r.instances if i.date() == date(2024, 6, 20)]
    assert [(str(i.tzinfo), i.hour) for i in extra] == [("Asia/Kuala_Lumpur", 10)]


def test_two_instances_on_one_day_are_refused() -> None:
    # Occurrence ids are ID@day: a second instance the same day would collide.
    with pytest.raises(RecurrenceError, match="two instances on 2024-04-09"):
        parse_recurrence(f"{MEETING}\nRDATE;TZID=Asia/Kuala_Lumpur:20240409T150000")
