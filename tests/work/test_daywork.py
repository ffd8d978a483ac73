"""The day's work without Prefect: catch-up, exactly-once, run summaries, naptip run/runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import select

from naptip.base.config import Settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog
from naptip.store.db import Database, open_database
from naptip.store.orm import ReminderSent, RunRecord
from naptip.work.daywork import DayPlan, DayWork, execute, plan_day
from naptip.work.runlog import recent
from tests.conftest import db_env

PEOPLE = [
    ContactInfo(name="ACP Lim Wei", email="lead@rmp.gov.my",
                roles=(Role(role="lead", scope="enforcement"),)),
    ContactInfo(name="Dato' Chair", email="chair@rmp.gov.my",
                roles=(Role(role="chair", scope="enforcement"),)),
    ContactInfo(name="Puan Media", email="media@kkmm.gov.my",
                roles=(Role(role="lead", scope="media"),)),
    ContactInfo(name="Encik Sekretariat", email="sec@mapo.gov.my",
                roles=(Role(role="secretariat", scope="nso-mapo"),)),
]


def store(path: Path, catalog: Catalog) -> Database:
    db = open_database(f"sqlite:///{path / 'naptip.db'}", blobs=path / "blobs")
    sync(db, catalog, build_schedule(catalog))
    ContactDirectory(db).upsert(PEOPLE, actor="test")
    return db


def run_day(db: Database, catalog: Catalog, day: date, outbox: Path) -> tuple[int, int]:
    """One run of the reminders step on ``day`` (catch-up as planned); (messages, items)."""
    plan = plan_day(db, day)
    work = DayWork(db=db, catalog=catalog, settings=Settings(), loaded=None, day=plan.day,
                   since=plan.since, outbox=outbox, trigger="test")
    summary = execute(work, DayPlan(day=plan.day, since=plan.since, steps=("reminders",)))
    assert summary.status == "done", summary
    [step] = summary.steps
    return step.counts.get("outbox", 0), step.counts.get("items", 0)


def sent(db: Database) -> set[tuple[str, str, str]]:
    with db.reading() as session:
        rows = list(session.execute(select(ReminderSent)).scalars())
    assert {r.status for r in rows} <= {"sent"}
    return {(r.occurrence_id, r.stage, r.recipient) for r in rows}


def test_a_year_day_by_day_and_in_one_catch_up_send_the_same_once_each(
        tmp_path: Path, builtin_catalog: Catalog) -> None:
    start, end = date(2024, 1, 1), date(2024, 12, 31)
    daily = store(tmp_path / "daily", builtin_catalog)
    daily_items = 0
    daily_messages = 0
    day = start
    while day <= end:
        messages, items = run_day(daily, builtin_catalog, day, tmp_path / "daily-outbox")
        daily_messages, daily_items = daily_messages + messages, daily_items + items
        day += timedelta(days=1)

    caught = store(tmp_path / "caught", builtin_catalog)
    first_messages, first_items = run_day(caught, builtin_catalog, start,
                                          tmp_path / "caught-outbox")
    messages, items = run_day(caught, builtin_catalog, end, tmp_path / "caught-outbox")
    assert recent(caught, 1)[0].since == start + timedelta(days=1)  # it caught up

    year = sent(daily)
    assert len(year) > 100  # a real year of reminders, escalations and meeting notices
    assert {"evidence-request", "meeting-14", "before-7", "overdue-1"} <= {s for _, s, _ in year}
    assert sent(caught) == year
    # once each: every ledger entry went out in exactly one message's items
    assert daily_items == len(year) == first_items + items
    # one digest per person (and channel) for the missed days, not one per missed day
    assert messages <= len(PEOPLE) < daily_messages
    assert len(list((tmp_path / "caught-outbox").glob("*.eml"))) == first_messages + messages


def test_a_rerun_sends_nothing_and_a_first_run_covers_only_its_day(
        synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    ContactDirectory(synced).upsert(PEOPLE, actor="test")
    assert plan_day(synced, date(2024, 7, 1)).since == date(2024, 7, 1)
    first = run_day(synced, builtin_catalog, date(2024, 7, 1), tmp_path / "outbox")
    assert first[0] > 0
    assert run_day(synced, builtin_catalog, date(2024, 7, 1), tmp_path / "outbox") == (0, 0)
    assert plan_day(synced, date(2024, 7, 9)).since == date(2024, 7, 2)
    # the catch-up window is bounded
    far = plan_day(synced, date(2026, 7, 9), catch_up_days=30)
    assert far.since == date(2026, 6, 9) and far.dropped > 600


def cli(run: Callable[..., Result], db: Database, *args: str) -> Result:
    return run(*args, env=db_env(db))


def test_naptip_run_records_its_summary_and_runs_show_reads_it(
        db: Database, run: Callable[..., Result]) -> None:
    ContactDirectory(db).upsert(PEOPLE, actor="test")
    first = cli(run, db, "run", "--as-of", "2024-07-01")
    assert first.exit_code == 0, first.output
    assert "sync" in first.output and "created" in first.output
    assert "invitations  done" in first.output and "calendars    done" in first.output
    feeds = db.blobs.parent / "calendars"  # beside the attachments, as the outbox is
    assert (feeds / "plan.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert len(list(feeds.glob("*.ics"))) >= 8  # the plan, 7 committees, the contacts
    second = cli(run, db, "run", "--as-of", "2024-07-04", "--dry-run")
    assert second.exit_code == 0, second.output
    assert "2024-07-02 to 2024-07-04 (dry run): done" in second.output
    listed = cli(run, db, "runs", "list")
    header, *lines = listed.output.splitlines()
    assert header.split() == ["run", "plan", "days", "covered", "status", "trigger", "host"]
    assert len(lines) == 2 and "2024-07-02..2024-07-04" in lines[0] and "dry-run" in lines[0]
    assert [line.split()[1] for line in lines] == ["naptip-3.0", "naptip-3.0"]
    run_id = lines[1].split()[0]
    shown = cli(run, db, "runs", "show", run_id)
    assert shown.exit_code == 0 and "2024-07-01: done" in shown.output
    assert "reminders    done: items" in shown.output and "outbox" in shown.output
    # a dry run is not a finished day: the next real run still covers 2 to 4 July
    assert plan_day(db, date(2024, 7, 4)).since == date(2024, 7, 2)
    missing = cli(run, db, "runs", "show", "nope")
    assert missing.exit_code == 1 and "no run 'nope'" in missing.output


@pytest.mark.parametrize("args", [["run", "--as-of", "2024-13-01"], ["runs", "show"]])
def test_bad_input_is_one_line(run: Callable[..., Result], tmp_path: Path,
                               args: list[str]) -> None:
    result = run(*args, env={"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}"})
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_run_after_the_plan_says_it_is_closed_and_what_it_still_does(
        db: Database, run: Callable[..., Result]) -> None:
    done = cli(run, db, "run", "--as-of", "2026-03-02")
    assert done.exit_code == 0, done.output
    assert ("note: NAPTIP 3.0 is closed since 2026-01-01 (it ran 2021-01-01 to 2025-12-31): "
            "reminders only for the final evaluation, returned and re-opened work; late "
            "evidence can still be submitted") in done.stderr
    assert "sync         done" in done.stdout
    inside = cli(run, db, "run", "--as-of", "2025-06-02")
    assert inside.exit_code == 0 and "note:" not in inside.stderr


def test_a_duty_flows_run_does_not_cut_the_daily_catch_up_short(
        synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    """Daily run on 1 July, the enforcement meeting's own flow on 13 August: the run of
    14 August still covers 2 July to 14 August (the duty's run did only its duty)."""
    ContactDirectory(synced).upsert(PEOPLE, actor="test")
    run_day(synced, builtin_catalog, date(2024, 7, 1), tmp_path / "outbox")
    duty = DayWork(db=synced, catalog=builtin_catalog, settings=Settings(), loaded=None,
                   day=date(2024, 8, 13), since=date(2024, 8, 13), outbox=tmp_path / "outbox",
                   trigger="prefect", duty="enforcement-meeting")
    summary = execute(duty, DayPlan(day=duty.day, since=duty.since, steps=("reminders",)))
    assert summary.status == "done" and summary.duty == "enforcement-meeting"
    assert plan_day(synced, date(2024, 8, 14)).since == date(2024, 7, 2)
    before = sent(synced)
    run_day(synced, builtin_catalog, date(2024, 8, 14), tmp_path / "outbox")
    caught = sent(synced) - before
    # the work of 2 July to 13 August went out: lead-time reminders, evidence requests
    stages = {s for _, s, _ in caught}
    assert "evidence-request" in stages and "before-7" in stages, stages
    assert ("enforcement-committee-meeting@2024-07-04", "evidence-request", "lead@rmp.gov.my"
            ) in caught  # asked for in July: a run covering 14 August alone leaves it out
    assert len(caught) > 15


def test_work_left_pending_keeps_its_days_in_the_next_catch_up(
        synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    """A run that found items claimed by a live run does not move the catch-up window past
    them: the next run covers its days again (and sends them once they are free)."""
    import os

    from naptip.store.liveness import host_name

    ContactDirectory(synced).upsert(PEOPLE, actor="test")
    run_day(synced, builtin_catalog, date(2024, 7, 1), tmp_path / "outbox")

    def hold(session: Any) -> None:  # that run is still sending one of its messages
        first = session.execute(select(RunRecord)).scalar_one()
        first.status, first.finished_at = "running", None
        row = session.execute(select(ReminderSent).limit(1)).scalar_one()
        row.status, row.claimed_by = "sending", first.id
        row.claim_host, row.claim_pid = host_name(), os.getpid()
        row.claimed_at = datetime.now(UTC)

    synced.write(hold)
    plan = plan_day(synced, date(2024, 7, 1))
    assert plan.since == date(2024, 7, 1)
    work = DayWork(db=synced, catalog=builtin_catalog, settings=Settings(), loaded=None,
                   day=plan.day, since=plan.since, outbox=tmp_path / "outbox")
    summary = execute(work, DayPlan(day=plan.day, since=plan.since, steps=("reminders",)))
    [step] = summary.steps
    assert summary.status == "done" and step.counts["pending"] == 1
    assert "1 item(s) for " in step.detail and ": being sent by run" in step.detail
    assert plan_day(synced, date(2024, 7, 3)).since == date(2024, 7, 1)


def test_a_run_on_another_machine_is_dead_once_its_heartbeat_is_stale(
        db: Database, builtin_catalog: Catalog) -> None:
    """A machine crash: the run's process cannot be checked from here, its heartbeat can."""
    from naptip.work import runlog

    work = DayWork(db=db, catalog=builtin_catalog, settings=Settings(), loaded=None,
                   day=date(2024, 7, 1), since=date(2024, 7, 1), trigger="prefect")
    fresh, old = runlog.start(work), runlog.start(work)

    def elsewhere(session: Any) -> None:
        for rid, age in ((fresh, 10), (old, 600)):
            row = session.get(RunRecord, rid)
            row.host, row.pid = "other-machine", 1
            row.heartbeat_at = datetime.now(UTC) - timedelta(seconds=age)

    db.write(elsewhere)
    [closed] = runlog.close_dead(db)
    assert closed.id == old and closed.status == "crashed"
    assert "no heartbeat since" in closed.note and "MYT" in closed.note
    assert runlog.get(db, fresh).status == "running"
    assert plan_day(db, date(2024, 7, 2)).since == date(2024, 7, 2)  # nothing covered


def test_an_idle_run_builds_the_schedule_once_and_claims_nothing(
        tmp_path: Path, builtin_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The steps share one schedule; a second run on the same day finds everything sent
    and takes no claim, rewrites no feed, adds nothing to the audit trail."""
    from naptip.occurrences import schedule as schedule_module
    from naptip.store.orm import AuditEntry

    db = store(tmp_path, builtin_catalog)
    monkeypatch.setenv("NAPTIP_CALENDAR_DIR", str(tmp_path / "feeds"))
    built: list[Catalog] = []
    real = schedule_module.build_schedule

    def counting(catalog: Catalog) -> Any:
        built.append(catalog)
        return real(catalog)

    monkeypatch.setattr(schedule_module, "build_schedule", counting)

    def run() -> dict[str, dict[str, int]]:
        plan = plan_day(db, date(2024, 7, 15))
        summary = execute(DayWork(db=db, catalog=builtin_catalog, settings=Settings(),
                                  loaded=None, day=plan.day, since=plan.since,
                                  outbox=tmp_path / "outbox", trigger="test"), plan)
        assert summary.status == "done", summary
        return {s.name: s.counts for s in summary.steps}

    first = run()
    assert len(built) == 1  # sync, invitations and calendars share it
    assert first["reminders"]["outbox"] > 0 and first["calendars"]["feeds rewritten"] == 12
    with db.reading() as session:
        audit_before = session.execute(select(AuditEntry.seq)).scalars().all()
        ledger_before = {(r.occurrence_id, r.stage, r.recipient, r.attempts, r.batch)
                         for r in session.execute(select(ReminderSent)).scalars()}
    feeds = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "feeds").glob("*.ics")}
    second = run()
    assert len(built) == 2
    assert second["reminders"] == {"items": 0, "pending": 0}
    assert second["invitations"] == {}
    assert second["calendars"]["feeds rewritten"] == 0 and second["calendars"]["feeds"] == 12
    with db.reading() as session:
        assert session.execute(select(AuditEntry.seq)).scalars().all() == audit_before
        assert {(r.occurrence_id, r.stage, r.recipient, r.attempts, r.batch)
                for r in session.execute(select(ReminderSent)).scalars()} == ledger_before
    assert {p.name: p.stat().st_mtime_ns
            for p in (tmp_path / "feeds").glob("*.ics")} == feeds
