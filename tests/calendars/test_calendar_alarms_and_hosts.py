"""Calendar entries follow the configured policy and the host's role (issue 17, §2): VALARMs
ring on the `[reminders]` lead times the reminders use, a plugin's reminder policy included;
a host agency's feed shows the meetings it hosts as its own, not "[Support]"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from icalendar import Calendar

from naptip import hookimpl
from naptip.base.contact_types import ReminderPolicy
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.store.db import Database
from tests.conftest import db_env

Run = Callable[..., Result]
CONFIG = "[reminders]\nlead_times = [10, 3]\nmeeting_lead_times = [5]\n"
DEADLINE = "S1-O1-i@2022"  #: a progress report (no duty, no plugin policy)
MEETING = "legislative-committee-meeting@2023-04-05"  #: a meeting whose duty names no lead times
HOSTED = "enforcement-meeting@2023-05-09"  #: hosted by JTKSM, owned by enforcement


def _events(data: bytes) -> dict[str, Any]:
    cal: Any = Calendar.from_ical(data)
    return {str(e["X-NAPTIP-OCCURRENCE"]): e for e in cal.walk("VEVENT")}


def _days(event: Any) -> list[int]:
    return sorted((-a["TRIGGER"].dt // timedelta(days=1) for a in event.walk("VALARM")),
                  reverse=True)


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "naptip.toml"
    path.write_text(CONFIG, encoding="utf-8")
    yield path


def test_valarms_ring_on_the_configured_lead_times(run: Run, db: Database,
                                                    config: Path) -> None:
    args = ("--config", str(config), "--as-of", "2023-01-02")
    assert run(*args, "sync", env=db_env(db)).exit_code == 0
    feed = run(*args, "calendar", "export", "--all", env=db_env(db))
    assert feed.exit_code == 0, feed.output
    events = _events(feed.stdout_bytes)
    assert _days(events[DEADLINE]) == [10, 3]
    assert _days(events[MEETING]) == [5]
    alarm = next(iter(events[DEADLINE].walk("VALARM")))
    assert str(alarm["DESCRIPTION"]).endswith(": in 10 days")
    # the reminders ask the same policy: they go out on the days the alarms ring
    from naptip.base.config import load_settings
    from naptip.people.reminders import policy_for
    from naptip.plan.catalog import build_catalog
    from naptip.plan.pluginmanager import BUILTIN_PLUGINS, build_plugin_manager
    from naptip.store.orm import OccurrenceRow

    catalog = build_catalog(build_plugin_manager(environ={
        "NAPTIP_ENABLE_PLUGINS": ",".join(BUILTIN_PLUGINS)}), settings=load_settings(config))
    with db.reading() as session:
        row = session.get(OccurrenceRow, DEADLINE)
        assert row is not None
        policy = policy_for(row, catalog.settings.reminders, catalog, None, [])
    assert policy.lead_times == (10, 3)


class QuietPolicy:
    """A plugin's reminder policy for one activity: one reminder, two days before."""

    @hookimpl
    def naptip_reminder_policy(self, activity: str | None) -> ReminderPolicy | None:
        return ReminderPolicy(lead_times=(2,)) if activity == "S1-O1-i" else None


def test_valarms_follow_a_plugins_reminder_policy(
        synced: Database, loaded: LoadedPlugins,
        register_plugin: Callable[[object, str], Catalog]) -> None:
    from naptip.calendars.publish import plan_scope, publish_instant, record
    from naptip.calendars.source import occurrences_to_publish
    from naptip.people.reminders import policy_of

    catalog = register_plugin(QuietPolicy(), "quiet-policy")
    day = date(2023, 1, 2)
    published = record(synced, catalog, occurrences_to_publish(catalog, synced),
                       now=publish_instant(day), today=day, loaded=loaded).published
    from naptip.calendars.publish import feed_bytes

    events = _events(feed_bytes(catalog, plan_scope(catalog), published))
    assert _days(events[DEADLINE]) == [2]
    assert _days(events["S1-O1-ii@2022"]) == [30, 7, 1]
    reminded = policy_of(occurrence_id=DEADLINE, kind="progress-report", owner="legislative",
                         activity="S1-O1-i", duty=None, defaults=catalog.settings.reminders,
                         catalog=catalog, loaded=loaded, problems=[])
    assert reminded.lead_times == (2,)


def test_a_host_agencys_feed_shows_what_it_hosts_as_its_own(run: Run, db: Database) -> None:
    args = ("--as-of", "2023-01-02")
    assert run(*args, "sync", env=db_env(db)).exit_code == 0
    hosted = run(*args, "calendar", "export", "--committee", "jtksm", env=db_env(db))
    assert hosted.exit_code == 0, hosted.output
    event = _events(hosted.stdout_bytes)[HOSTED]
    assert str(event["SUMMARY"]).startswith("Enforcement coordination meeting")
    assert str(event["SUMMARY"]).endswith("(host: JTKSM)")
    assert "Supporting role" not in [str(c) for c in event["CATEGORIES"].cats]
    assert "Your committee supports this" not in str(event["DESCRIPTION"])
    # what a committee only supports is still marked in its feed
    legislative = _events(run(*args, "calendar", "export", "--committee", "legislative",
                              env=db_env(db)).stdout_bytes)
    assert str(legislative["case-management-meeting@2021-01-07"]["SUMMARY"]).startswith(
        "[Support] ")
