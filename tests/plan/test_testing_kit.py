"""``naptip.testing``: the helpers and pytest fixtures plugin authors use (issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace

import pytest
from click.testing import Result

from naptip import (
    Activity,
    Duty,
    DutyKind,
    EvidenceDraft,
    Indicator,
    IndicatorKind,
    Timeline,
    Value,
    hookimpl,
)
from naptip.base.values import EvidenceError
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.store.db import Database
from naptip.testing import occurrences, plugin_manager, problems, submit_evidence, validate


class MmeaSabah:
    """A plugin object, not installed: its activity is led by the Enforcement Committee."""

    @hookimpl
    def naptip_activities(self) -> list[Activity]:
        return [Activity(id="S21-O1-mmsb-i", objective="S21", output="S21-O1",
                         text="Patrol the Sabah coast", lead="enforcement",
                         indicators=(Indicator(text="Patrols", kind=IndicatorKind.COUNT),),
                         timeline=Timeline(start=2023, end=2025))]

    @hookimpl
    def naptip_duties(self) -> list[Duty]:
        return [Duty(id="mmea-sabah-briefing", title="MMEA Sabah briefing", owner="enforcement",
                     kind=DutyKind.MEETING, duration_minutes=60, hosts=("mmea",),
                     recurrence="DTSTART;TZID=Asia/Kuala_Lumpur:20240105T100000\n"
                                "RRULE:FREQ=MONTHLY;BYDAY=1FR;UNTIL=20240630T000000Z")]

    @hookimpl
    def naptip_validate_evidence(self, draft: EvidenceDraft) -> str | None:
        for _n, _indicator, value in draft.values:
            if isinstance(value, Value) and value.count is not None and value.count > 500:
                return "more than 500 patrols in a year is not credible"
        return None


def test_only_the_named_plugin_and_the_builtins_it_needs() -> None:
    loaded = plugin_manager("mmea_sabah", plugins={"mmea_sabah": MmeaSabah()})
    # The activity is led by the Enforcement Committee and the duty is hosted by MMEA,
    # which the enforcement plugin declares: nothing else is loaded.
    assert set(loaded.infos) == {"mmea_sabah", "enforcement"}
    assert problems(loaded, "mmea_sabah") == []


def test_an_installed_plugin_can_be_replaced_by_its_working_copy() -> None:
    # Found: the documented recipe failed with "Plugin name already registered" once the
    # plugin was installed. Here the built-in `media` stands for an installed plugin.
    replacement = SimpleNamespace(naptip_agencies=hookimpl(lambda: []))
    loaded = plugin_manager("media", plugins={"media": replacement})
    assert loaded.pm.get_plugin("media") is replacement
    assert loaded.infos["media"].source == "object"


def test_duties_and_activities_expand_into_occurrences() -> None:
    loaded = plugin_manager("mmea_sabah", plugins={"mmea_sabah": MmeaSabah()})
    mine = occurrences(loaded, plugin="mmea_sabah", start=date(2024, 1, 1),
                       end=date(2024, 6, 30))
    briefings = [o for o in mine if o.duty == "mmea-sabah-briefing"]
    assert [o.due for o in briefings][:3] == [date(2024, 1, 5), date(2024, 2, 2),
                                              date(2024, 3, 1)]
    assert all(o.host == "mmea" for o in briefings)
    yearly = [o for o in occurrences(loaded, plugin="mmea_sabah") if o.activity]
    assert [(o.activity, o.period) for o in yearly] == [
        ("S21-O1-mmsb-i", 2023), ("S21-O1-mmsb-i", 2024), ("S21-O1-mmsb-i", 2025)]


def test_evidence_goes_through_the_validators(naptip_store: Database,
                                              naptip_clock: date) -> None:
    loaded = plugin_manager("mmea_sabah", plugins={"mmea_sabah": MmeaSabah()})
    [due] = [o for o in occurrences(loaded, plugin="mmea_sabah") if o.period == 2023]
    with pytest.raises(EvidenceError, match="refused by plugin 'mmea_sabah': more than 500"):
        submit_evidence(naptip_store, loaded, due.id, {"1": "900"})
    number = submit_evidence(naptip_store, loaded, due.id, {"1": "42"})
    assert number == 1


def test_validate_runs_only_the_plugins_validators() -> None:
    loaded = plugin_manager("mmea_sabah", plugins={"mmea_sabah": MmeaSabah()})
    indicator = Indicator(text="Patrols", kind=IndicatorKind.COUNT)
    draft = EvidenceDraft(occurrence_id="x", occurrence_kind="report", owner="enforcement",
                          activity_id="S21-O1-mmsb-i",
                          values=((1, indicator, Value(kind=IndicatorKind.COUNT, count=501)),),
                          breakdown={}, files=(), done_on=None, note=None, links=(), nil=False)
    assert validate(loaded, draft) == [
        "evidence refused by plugin 'mmea_sabah': more than 500 patrols in a year is not "
        "credible"]


def test_clock_fixture_sets_the_day(naptip_clock: date,
                                    naptip_cli: Callable[..., Result]) -> None:
    assert naptip_clock == date(2024, 3, 1)
    result = naptip_cli("schedule", "--format", "json", "--committee", "enforcement",
                        plugins=["enforcement"])
    assert result.exit_code == 0, result.stderr
    assert '"as_of": "2024-03-01"' in result.stdout


class TestAnotherDay:
    @pytest.fixture
    def naptip_as_of(self) -> date:
        return date(2022, 7, 30)

    def test_the_clock_day_can_be_overridden(self, naptip_clock: date,
                                             naptip_cli: Callable[..., Result]) -> None:
        assert naptip_clock == date(2022, 7, 30)
        result = naptip_cli("schedule", "--format", "json", plugins=["media"])
        assert '"as_of": "2022-07-30"' in result.stdout


def test_unknown_plugin_name_is_one_line() -> None:
    from naptip.base.errors import NaptipError

    with pytest.raises(NaptipError, match="no plugin named 'nope'"):
        plugin_manager("nope")


def test_fixture_plugin_manager(naptip_plugins: Callable[..., LoadedPlugins]) -> None:
    # media's NAPTIP 3.0 activities (the built-in package's entries in activities/media.toml)
    # are supported by these committees, and by no others
    assert set(naptip_plugins("media").infos) == {"media", "forced_labour", "monitoring",
                                                  "secretariat"}
