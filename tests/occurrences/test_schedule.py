"""The schedule engine: occurrences, duties, rotation, reporting calendar, clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from naptip import Activity, Cadence, Duty, DutyKind, Indicator, IndicatorKind, Timeline, hookimpl
from naptip.base.config import (
    MonthDay,
    ReportingCalendar,
    Settings,
    parse_settings,
    review_month_problem,
)
from naptip.base.errors import NaptipError
from naptip.base.model import SECRETARIAT_ID
from naptip.occurrences.schedule import (
    OccurrenceKind,
    Schedule,
    build_schedule,
    plan_running,
    still_open,
)
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.time.workdays import is_working_day

UNTIL = "UNTIL=20251231T155959Z"


@pytest.fixture(scope="module")
def schedule_builtin(builtin_catalog: Catalog) -> Schedule:
    return build_schedule(builtin_catalog)


class DutyPlugin:
    def __init__(self, *duties: Duty) -> None:
        self.duties = duties

    @hookimpl
    def naptip_duties(self) -> Iterable[Duty]:
        return self.duties


def _duty(**changes: object) -> Duty:
    fields: dict[str, object] = dict(
        id="test-meeting", title="Test meeting", owner="victim-care", kind=DutyKind.MEETING,
        duration_minutes=60,
        recurrence=f"DTSTART;TZID=Asia/Kuala_Lumpur:20240410T100000\n"
                   f"RRULE:FREQ=YEARLY;{UNTIL}",
    )
    fields.update(changes)
    return Duty(**fields)  # type: ignore[arg-type]


def test_world_day_2024_is_a_tuesday_and_stays(schedule_builtin: Schedule) -> None:
    day = schedule_builtin.by_id["world-day@2024-07-30"]
    assert day.due == date(2024, 7, 30) and day.due.strftime("%A") == "Tuesday"
    assert day.kind is OccurrenceKind.EVENT and not day.shifted
    # 2022's falls on a Saturday and still stays: it is an observance.
    assert schedule_builtin.by_id["world-day@2022-07-30"].due == date(2022, 7, 30)
    # Its milestones are deadlines and move earlier.
    report = schedule_builtin.by_id["world-day@2022-07-30/report"]
    assert report.unshifted == date(2022, 8, 29)
    planning = schedule_builtin.by_id["world-day@2021-07-30/planning"]
    assert planning.unshifted == date(2021, 5, 31)
    assert [y for y in range(2021, 2026) if f"world-day@{y}-07-30" in schedule_builtin.by_id] \
        == [2021, 2022, 2023, 2024, 2025]


def test_world_day_collects_s9_o1_i_instead_of_its_own_cadence(schedule_builtin: Schedule) -> None:
    assert schedule_builtin.fulfilled_by["S9-O1-i"] == "world-day"
    assert "S9-O1-i@2024" not in schedule_builtin.by_id
    assert schedule_builtin.by_id["world-day@2024-07-30"].activity == "S9-O1-i"


def test_enforcement_meeting_host_rotates(schedule_builtin: Schedule) -> None:
    meetings = [o for o in schedule_builtin.occurrences if o.duty == "enforcement-meeting"]
    assert [o.host for o in meetings[:6]] == ["rmp", "jim", "customs", "mmea", "jtksm", "rmp"]
    assert len(meetings) == 20  # quarterly, 2021-2025
    example = schedule_builtin.by_id["enforcement-meeting@2023-05-09"]
    assert example.host == "jtksm"
    assert "(host: JTKSM)" in example.title
    assert example.start is not None and example.start.isoformat() == "2023-05-09T10:00:00+08:00"


def test_deadline_of_31_dec_2022_moves_to_friday(schedule_builtin: Schedule) -> None:
    deliverable = schedule_builtin.by_id["S10-O1-i@deliverable"]  # timeline 2021-2025
    assert deliverable.unshifted == date(2025, 12, 31)
    assert "S34-O2-i@2022" not in schedule_builtin.by_id  # the annual review collects it
    report = schedule_builtin.by_id["S11-O1-iii@2021"]  # progress report 2021
    assert (report.unshifted, report.due) == (date(2022, 1, 31), date(2022, 1, 31))
    s12 = schedule_builtin.by_id["S12-O2-iii@2022"]  # on demand: a nil return
    assert s12.kind is OccurrenceKind.NIL_RETURN


def test_meeting_on_hari_raya_moves_to_next_working_day(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    catalog = register_plugin(DutyPlugin(_duty()), "test-duty")
    assert catalog.problems == []
    occ = build_schedule(catalog).by_id["test-meeting@2024-04-10"]
    assert occ.due == date(2024, 4, 12)
    assert occ.start is not None and occ.start.date() == date(2024, 4, 12)
    assert "Eid al-Fitr" in (occ.shift_reason() or "")


def test_host_state_decides_working_days(
        register_plugin: Callable[[object, str], Catalog]) -> None:
    # Friday 3 March 2023 is the weekend in Kelantan, not in Putrajaya.
    class Kelantan:
        @hookimpl
        def naptip_agencies(self) -> list[object]:
            from naptip import Agency
            return [Agency(id="jtk-kelantan", name="JTK Kelantan", short_name="JTK Kelantan",
                           committees=("forced-labour",), state="kelantan")]

        @hookimpl
        def naptip_duties(self) -> list[Duty]:
            return [_duty(hosts=("jtk-kelantan", "victim-care"), recurrence=(
                "DTSTART;TZID=Asia/Kuala_Lumpur:20230303T100000\n"
                f"RRULE:FREQ=WEEKLY;INTERVAL=1;{UNTIL.replace('2025', '2023')}"))]

    catalog = register_plugin(Kelantan(), "kelantan")
    assert catalog.problems == []
    plan = build_schedule(catalog)
    first, second = plan.by_id["test-meeting@2023-03-03"], plan.by_id["test-meeting@2023-03-10"]
    assert (first.host, first.state, first.due) == ("jtk-kelantan", "kelantan", date(2023, 3, 5))
    assert (second.host, second.due) == ("victim-care", date(2023, 3, 10))


@pytest.mark.parametrize(("recurrence", "message"), [
    ("DTSTART;TZID=Asia/Kuala_Lumpur:20240410T100000\nRRULE:FREQ=FORTNIGHTLY;" + UNTIL,
     "FREQ must be one of DAILY, WEEKLY, MONTHLY, YEARLY"),
    ("DTSTART;TZID=Asia/Kuala_Lumpur:20240410T100000\nRRULE:FREQ=YEARLY;COUNT=3",
     "uses COUNT: give UNTIL instead"),
    ("DTSTART:20240410T100000\nRRULE:FREQ=YEARLY;" + UNTIL, "DTSTART has no time zone"),
    ("DTSTART;TZID=Asia/Kuala_Lumpur:20240410T100000\nRRULE:FREQ=YEARLY;"
     "UNTIL=20230101T000000Z", "UNTIL 2023-01-01 00:00 UTC is before DTSTART 2024-04-10"),
    ("DTSTART;TZID=Asia/Kuala_Lumpur:20240410T100000\nRRULE:FREQ=YEARLY", "has no UNTIL"),
    ("DTSTART;TZID=Asia/Kuala_Lumpur:20240410T100000", "needs an RRULE line"),
    ("DTSTART;TZID=Asia/Kuala_Lumpur:20200410T100000\nRRULE:FREQ=YEARLY;" + UNTIL,
     "outside the plan period"),
    ("SUMMARY:hello\nRRULE:FREQ=YEARLY;" + UNTIL, "unexpected line 'SUMMARY:hello'"),
])
def test_invalid_recurrence_is_one_line_naming_the_plugin(
        register_plugin: Callable[[object, str], Catalog], recurrence: str,
        message: str) -> None:
    catalog = register_plugin(DutyPlugin(_duty(recurrence=recurrence)), "agency-x")
    problems = [str(p) for p in catalog.problems]
    assert len(problems) == 1
    assert problems[0].startswith("plugin 'agency-x': duty test-meeting: recurrence: ")
    assert message in problems[0]
    assert "\n" not in problems[0]
    assert "test-meeting" not in catalog.duties


@pytest.mark.parametrize(("changes", "message"), [
    ({"owner": "nobody"}, "unknown committee 'nobody'"),
    ({"hosts": ("rmp", "atlantis-police")}, "unknown host 'atlantis-police'"),
    ({"fulfils": ("S99-O1-i",)}, "fulfils unknown activity S99-O1-i"),
    ({"fulfils": ("S9-O1-v",)},
     "owner 'victim-care' differs from 'media', the owner of S9-O1-v that it fulfils"),
    ({"id": "World Day"}, "id must be lower-case"),
    ({"id": "world-day"}, "duplicate id: already declared by plugin 'media'"),
])
def test_invalid_duty(register_plugin: Callable[[object, str], Catalog],
                      changes: dict[str, object], message: str) -> None:
    catalog = register_plugin(DutyPlugin(_duty(**changes)), "agency-x")
    assert len(catalog.problems) == 1 and message in str(catalog.problems[0])


def test_occurrence_ids_unique_and_stable_across_runs() -> None:
    def ids() -> list[str]:
        return [o.id for o in build_schedule(build_catalog(build_plugin_manager(
            environ={}))).occurrences]

    first, second = ids(), ids()
    assert first == second
    assert len(set(first)) == len(first)


def test_every_occurrence_within_its_activity_timeline(schedule_builtin: Schedule,
                                                       builtin_catalog: Catalog) -> None:
    for o in schedule_builtin.occurrences:
        if o.activity and not o.duty:
            assert o.period in builtin_catalog.activities[o.activity].timeline, o.id


def test_deadlines_and_meetings_land_on_working_days(schedule_builtin: Schedule) -> None:
    for o in schedule_builtin.occurrences:
        if o.shift == "earlier":
            assert is_working_day(o.state, o.due) and o.due <= o.unshifted, o.id
        elif o.shift == "later":
            assert is_working_day(o.state, o.due) and o.due >= o.unshifted, o.id
        else:
            assert o.due == o.unshifted


def test_reporting_calendar_is_configuration(loaded: LoadedPlugins) -> None:
    settings = parse_settings({"reporting": {"evidence_due": "02-15", "review_month": 4,
                                             "yearly_deliverable_due": "11-30"}})
    plan = build_schedule(build_catalog(loaded, settings=settings))
    assert plan.by_id["S1-O1-i@2021"].unshifted == date(2022, 2, 15)
    reviews = [o for o in plan.occurrences if o.duty == "annual-review" and "/" not in o.id]
    assert [o.unshifted for o in reviews] == [date(2022, 4, 13), date(2023, 4, 12),
                                              date(2024, 4, 10), date(2025, 4, 9)]
    # 10 April 2024 is Hari Raya: the review moves to the next working day.
    assert reviews[2].due == date(2024, 4, 12)


def test_duty_override_from_configuration(loaded: LoadedPlugins) -> None:
    settings = parse_settings({"duties": {"enforcement-meeting": {
        "recurrence": "DTSTART;TZID=Asia/Kuala_Lumpur:20210112T100000\n"
                      f"RRULE:FREQ=MONTHLY;BYDAY=2TU;{UNTIL}",
        "hosts": ["jim", "rmp"]}}})
    plan = build_schedule(build_catalog(loaded, settings=settings))
    meetings = [o for o in plan.occurrences if o.duty == "enforcement-meeting"]
    assert len(meetings) == 60
    assert [o.host for o in meetings[:3]] == ["jim", "rmp", "jim"]


@pytest.mark.parametrize(("raw", "message"), [
    ({"duties": {"no-such-duty": {"hosts": ["rmp"]}}}, "no plugin declares a duty"),
    ({"duties": {"enforcement-meeting": {"hosts": ["nobody"]}}}, "unknown agency or committee"),
])
def test_bad_duty_override_is_a_configuration_error(loaded: LoadedPlugins,
                                                    raw: dict[str, object], message: str) -> None:
    with pytest.raises(NaptipError, match=message):
        build_catalog(loaded, settings=parse_settings(raw))


@pytest.mark.parametrize(("raw", "message"), [
    ({"reporting": {"evidence_due": "31-01"}},
     "reporting.evidence_due: '31-01' is not a month-day"),
    ({"reporting": {"review_month": 13}}, "reporting.review_month: must be a month number"),
    ({"reporting": {"cutoff": "01-31"}}, "reporting.cutoff: unknown key"),
    ({"duties": {"x": {"lead_times": [-1]}}}, "duties.x.lead_times: must be a list of whole"),
    ({"evidence": {"max_file_mb": 0}}, "evidence.max_file_mb: must be a whole number of MB"),
])
def test_bad_settings(raw: dict[str, object], message: str) -> None:
    with pytest.raises(NaptipError, match=message):
        parse_settings(raw)


def test_plan_not_running_yields_only_what_is_still_open(builtin_catalog: Catalog,
                                                         schedule_builtin: Schedule) -> None:
    assert not plan_running(builtin_catalog, date(2020, 12, 31))
    assert plan_running(builtin_catalog, date(2021, 1, 1))
    assert not plan_running(builtin_catalog, date(2026, 1, 1))
    assert still_open(schedule_builtin, builtin_catalog, date(2020, 6, 1)) == []
    tail = still_open(schedule_builtin, builtin_catalog, date(2026, 1, 1))
    assert tail and all(o.due > date(2025, 12, 31) for o in tail)
    assert {o.period for o in tail} == {2025}
    everything_but_one = [o.id for o in schedule_builtin.occurrences][1:]
    assert [o.id for o in still_open(schedule_builtin, builtin_catalog, date(2026, 1, 1),
                                     everything_but_one)] \
        == [schedule_builtin.occurrences[0].id]


# --- property: no activity occurrence outside its timeline, for any timeline and cadence ---

years = st.integers(min_value=2021, max_value=2025)


@settings(max_examples=60, deadline=None)
@given(start=years, length=st.integers(min_value=0, max_value=4),
       cadence=st.sampled_from(list(Cadence)),
       evidence=st.sampled_from(["01-31", "02-29", "12-31"]))
def test_generated_activities_stay_in_their_timeline(start: int, length: int, cadence: Cadence,
                                                     evidence: str,
                                                     builtin_catalog: Catalog) -> None:
    end = min(start + length, 2025)
    activity = Activity(id="S1-O1-gen-i", objective="S1", output="S1-O1", text="generated",
                        indicators=(Indicator(text="n", kind=IndicatorKind.COUNT),),
                        timeline=Timeline(start=start, end=end), lead=None, cadence=cadence)
    catalog = Catalog(structure=builtin_catalog.structure,
                      committees=dict(builtin_catalog.committees),
                      activities={activity.id: activity},
                      declared_by={f"activity:{activity.id}": "gen"},
                      settings=Settings(reporting=ReportingCalendar(
                          evidence_due=MonthDay.parse(evidence))))
    plan = build_schedule(catalog)
    assert plan.occurrences
    for o in plan.occurrences:
        assert o.period in activity.timeline
        assert o.owner == SECRETARIAT_ID
        assert o.due <= date(end + 1, 12, 31)
        assert is_working_day(o.state, o.due) and o.due <= o.unshifted
    expected = 1 if cadence is Cadence.DELIVERABLE else end - start + 1
    assert len(plan.occurrences) == expected
    assert len({o.id for o in plan.occurrences}) == expected
    assert (plan.occurrences[-1].due - plan.occurrences[0].due) < timedelta(days=366 * 5)


month_days = st.sampled_from(["01-15", "01-31", "02-29", "03-31", "06-30", "12-31"])
_LOADED = build_plugin_manager(environ={})
_DEFAULT_ACTIVITY_IDS = {o.id for o in build_schedule(build_catalog(_LOADED)).occurrences
                         if o.id.startswith("S")}


@settings(max_examples=15, deadline=None)
@given(evidence=month_days, yearly=month_days, deliverable=month_days,
       review=st.integers(min_value=1, max_value=12))
def test_ids_unique_and_stable_for_any_reporting_calendar(
        evidence: str, yearly: str, deliverable: str, review: int) -> None:
    assume(review_month_problem(review, MonthDay.parse(evidence)) is None)
    config = parse_settings({"reporting": {"evidence_due": evidence,
                                           "yearly_deliverable_due": yearly,
                                           "deliverable_due": deliverable,
                                           "review_month": review}})
    first = [o.id for o in build_schedule(build_catalog(_LOADED, settings=config)).occurrences]
    again = [o.id for o in build_schedule(build_catalog(_LOADED, settings=config)).occurrences]
    assert sorted(first) == sorted(again)
    assert len(set(first)) == len(first)
    # An activity's occurrence ids do not depend on the calendar: only their dates do.
    assert {i for i in first if i.startswith("S")} == _DEFAULT_ACTIVITY_IDS
