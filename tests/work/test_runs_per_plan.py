"""One `naptip run` does the day's work of every plan that needs it (issue 19): with
NAPTIP 3.0 closed and its successor running, the run without --plan sends 3.0's re-opened
item and 4.0's reminders, one run each, recorded with its plan; a rerun sends nothing
twice; a successor's first run covers no day before its own; one plan's failure does not
stop the other's. Over aiosmtpd, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from click.testing import Result
from sqlalchemy import select

from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow, ReminderSent, RunRecord
from naptip.work import daywork
from naptip.work.runtypes import DayWork, StepResult
from tests.conftest import db_env
from tests.plan.test_successor import CONTINUES, _make
from tests.smtp_server import SmtpServer, smtp
from tests.work.test_fresh_install import directory

__all__ = ["smtp"]

Run = Callable[..., Result]
TODAY = date(2026, 12, 7)
REOPENED = "S20-O2-v@2023"
_SUMMARY = re.compile(r"^run (\w{12}) (\S+) (\S+)(?: to (\S+))?: (\w+)", re.M)


@pytest.fixture(scope="module")
def successor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _make(tmp_path_factory.mktemp("plans") / "naptip-4.0", CONTINUES)


@pytest.fixture
def env(db: Database, successor: Path, smtp: SmtpServer, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "naptip.toml"
    config.write_text(smtp.config(), encoding="utf-8")
    directory(db)
    return {**db_env(db), "NAPTIP_PLAN_PACKAGES": str(successor),
            "NAPTIP_CONFIG": str(config), "NAPTIP_USER": "secretariat", "COLUMNS": "80"}


def naptip(run: Run, env: dict[str, str], day: date, *args: str, code: int = 0) -> Result:
    with mock.patch("naptip.time.clock.real_today", return_value=day):
        result = run("--as-of", day.isoformat(), *args, env=env)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def summaries(result: Result) -> dict[str, tuple[str, str, str]]:
    """plan -> (first day, last day, status) of each run summary printed."""
    return {plan: (since, until or since, status)
            for _id, plan, since, until, status in _SUMMARY.findall(result.stdout)}


def sent(db: Database) -> list[tuple[str, str, str]]:
    with db.reading() as session:
        return sorted((plan, oid, stage) for plan, oid, stage in session.execute(
            select(OccurrenceRow.plan_id, ReminderSent.occurrence_id, ReminderSent.stage)
            .join(OccurrenceRow, OccurrenceRow.id == ReminderSent.occurrence_id)).all())


def test_one_run_does_each_plans_day_and_a_rerun_sends_nothing_twice(
        run: Run, db: Database, smtp: SmtpServer, env: dict[str, str]) -> None:
    # NAPTIP 3.0 ran until the end of November; an item of it is re-opened on 1 December
    naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")
    naptip(run, env, date(2026, 12, 1), "--plan", "naptip-3.0", "plan", "reopen",
           REOPENED, "--due", "2026-12-10", "--reason", "the auditors asked for it")
    before = len(smtp.handler.messages)
    with db.reading() as session:
        owner = session.execute(select(OccurrenceRow.owner).where(
            OccurrenceRow.id == REOPENED)).scalar_one()

    first = naptip(run, env, TODAY, "run")
    runs = summaries(first)
    # each plan in its own scope: 3.0 catches up from its own last run, 4.0's first run
    # covers its first day only (not from 3.0's last run)
    assert runs == {"naptip-3.0": ("2026-12-01", "2026-12-07", "done"),
                    "naptip-4.0": ("2026-12-07", "2026-12-07", "done")}
    assert "still reminding 1 re-opened" in first.stdout
    assert "NAPTIP 3.0 is closed since 2026-01-01" in first.stderr
    after = sent(db)
    reopened = {s for p, oid, s in after if oid == REOPENED and ".re" in s}
    assert reopened == {"before-7.re20261210"}
    assert any(p == "naptip-4.0" for p, _oid, _s in after)  # 4.0's own reminders
    new = smtp.handler.messages[before:]
    lead = {"legislative": "lead@agc.gov.my", "enforcement": "lead@rmp.gov.my",
            "victim-care": "lead@kpwkm.gov.my", "media": "lead@kkmm.gov.my",
            "forced-labour": "lead@mohr.gov.my", "monitoring": "lead@me.gov.my",
            "nso-mapo": "lead@mapo.gov.my"}[owner]
    mine = [m.text for m in new if lead in m.message["To"]]
    assert [t for t in mine if "This is your NAPTIP 3.0 reminder" in t and REOPENED in t]
    assert [t for t in mine if "This is your NAPTIP 4.0 reminder" in t]

    with db.reading() as session:
        recorded = session.execute(select(RunRecord.plan_id, RunRecord.since, RunRecord.day)
                                   .order_by(RunRecord.started_at)).all()
    assert [tuple(r) for r in recorded] == [
        ("naptip-3.0", date(2026, 11, 30), date(2026, 11, 30)),
        ("naptip-3.0", date(2026, 12, 1), TODAY), ("naptip-4.0", TODAY, TODAY)]
    listed = naptip(run, env, TODAY, "runs", "list")
    lines = listed.stdout.splitlines()
    assert lines[0].split()[:3] == ["run", "plan", "days"]
    assert [line.split()[1] for line in lines[1:4]] == ["naptip-4.0", "naptip-3.0",
                                                        "naptip-3.0"]
    assert all(len(line) <= 80 for line in lines)
    shown = naptip(run, env, TODAY, "runs", "show", lines[1].split()[0])
    assert " naptip-4.0 2026-12-07: done" in shown.stdout

    # the same day again: both plans run, nothing is sent twice
    count = len(smtp.handler.messages)
    again = naptip(run, env, TODAY, "run")
    assert set(summaries(again)) == {"naptip-3.0", "naptip-4.0"}
    assert len(smtp.handler.messages) == count and sent(db) == after

    # --plan keeps it to one plan
    one = naptip(run, env, date(2026, 12, 8), "--plan", "naptip-4.0", "run")
    assert set(summaries(one)) == {"naptip-4.0"}


def test_a_dry_run_before_a_new_plans_first_run_says_the_real_run_syncs_it(
        run: Run, db: Database, smtp: SmtpServer, env: dict[str, str]) -> None:
    naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")  # 4.0 never synced
    dry = naptip(run, env, TODAY, "run", "--dry-run")  # exit 0: nothing failed
    assert re.search(r"^run \w{12} naptip-4.0 2026-12-07 \(dry run\): done", dry.stdout, re.M)
    said = " ".join(dry.stdout.split())
    assert ("the store holds no schedule for naptip-4.0 yet: its first real run syncs it; "
            "the dry run cannot show its reminders or invitations until then") in said
    assert "failed" not in dry.stdout
    listed = naptip(run, env, TODAY, "runs", "list")
    assert "failed" not in listed.stdout
    real = naptip(run, env, TODAY, "run")  # the real run syncs and works as before
    assert summaries(real)["naptip-4.0"][2] == "done"
    again = naptip(run, env, TODAY, "run", "--dry-run")
    assert "no schedule" not in again.stdout


def test_one_plans_failure_does_not_stop_the_others(
        run: Run, db: Database, smtp: SmtpServer, env: dict[str, str]) -> None:
    naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")
    naptip(run, env, date(2026, 12, 1), "--plan", "naptip-3.0", "plan", "reopen",
           REOPENED, "--due", "2026-12-10", "--reason", "the auditors asked for it")
    original = daywork.STEP_FUNCTIONS["sync"]

    def broken(work: DayWork) -> StepResult:  # 4.0's sync breaks, 3.0's does not
        if work.catalog.structure.plan.id == "naptip-4.0":
            raise RuntimeError("disk on fire")
        return original(work)

    with mock.patch.dict(daywork.STEP_FUNCTIONS, {"sync": broken}):
        result = naptip(run, env, TODAY, "run", code=1)
    runs = summaries(result)
    assert runs["naptip-3.0"][2] == "done" and runs["naptip-4.0"][2] == "failed"
    assert "failed: RuntimeError: disk on fire" in result.stdout
    assert {s for _p, oid, s in sent(db) if oid == REOPENED and ".re" in s} == {
        "before-7.re20261210"}


def test_a_successors_first_run_covers_no_day_before_it_starts(
        run: Run, db: Database, env: dict[str, str]) -> None:
    naptip(run, env, date(2025, 12, 20), "run")  # 3.0 running: the only plan run
    first = naptip(run, env, date(2026, 1, 5), "run")
    runs = summaries(first)
    assert runs["naptip-4.0"][:2] == ("2026-01-05", "2026-01-05")
    assert runs["naptip-3.0"][:2] == ("2025-12-21", "2026-01-05")  # final evaluation
    with db.reading() as session:
        assert session.execute(select(RunRecord.plan_id).where(
            RunRecord.day == date(2025, 12, 20))).scalars().all() == ["naptip-3.0"]


def test_which_plans_need_the_days_work(synced: Database, successor: Path) -> None:
    from naptip.base.config import parse_settings
    from naptip.plan.lifecycle import reopen
    from naptip.plan.plans import ENV, load_plans
    from naptip.plan.pluginmanager import build_plugin_manager
    from naptip.work.planruns import plans_to_run

    registry = load_plans(build_plugin_manager(), parse_settings({}),
                          environ={ENV: str(successor)})
    old = registry.get("naptip-3.0").plan

    def ids(day: date, closing: frozenset[str] = frozenset()) -> list[str]:
        return [p.id for p in plans_to_run(registry, day, synced, lambda _p: closing)]

    assert ids(date(2025, 6, 1)) == ["naptip-3.0"]  # 4.0 is a draft: not run
    assert ids(TODAY) == ["naptip-4.0"]  # 3.0 closed with nothing to remind: left alone
    assert ids(TODAY, frozenset({"final-evaluation"})) == ["naptip-3.0", "naptip-4.0"]
    reopen(synced, old, [REOPENED], due=date(2027, 1, 31), reason="audit", actor="t",
           today=TODAY)
    [three, four] = plans_to_run(registry, TODAY, synced, lambda _p: frozenset())
    assert three.why == "closed, still reminding 1 re-opened" and four.id == "naptip-4.0"
    assert ids(TODAY) == ["naptip-3.0", "naptip-4.0"]
    with mock.patch.object(registry, "plans", {"naptip-3.0": registry.get("naptip-3.0")}):
        assert ids(TODAY) == ["naptip-3.0"]  # the only plan: run, closed or not


def test_a_closed_plans_items_are_worked_on_without_plan(
        run: Run, db: Database, env: dict[str, str]) -> None:
    """4.0 loaded (the default plan) and never synced: re-opening, explaining and late
    evidence of a 3.0 item go to 3.0, where the store files the item; never "no schedule
    for naptip-4.0"."""
    naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")
    reopened = naptip(run, env, TODAY, "plan", "reopen", REOPENED, "--due", "2026-12-31",
                      "--reason", "the auditors asked for it")
    assert "1 item(s) re-opened, due 2026-12-31" in reopened.stdout
    assert f"Occurrence {REOPENED}" in naptip(run, env, TODAY, "schedule", "explain",
                                              REOPENED).stdout
    submitted = naptip(run, env, TODAY, "evidence", "submit", REOPENED, "-v", "1=4",
                       "--done-on", "2023-05-01")
    assert "evidence #1 submitted" in submitted.stdout
    reviewed = naptip(run, env, TODAY, "evidence", "review", "1", "--accept", "--as",
                      "lead@me.gov.my")
    assert f"evidence #1 accepted for {REOPENED}" in reviewed.stdout
    naptip(run, env, TODAY, "--plan", "naptip-4.0", "sync")
    wrong = naptip(run, env, date(2031, 1, 2), "--plan", "naptip-4.0", "plan", "reopen",
                   REOPENED, "--due", "2031-02-01", "--reason", "x", code=1)
    assert (f"no occurrence '{REOPENED}' in NAPTIP 4.0 (it is naptip-3.0's: "
            "`naptip --plan naptip-3.0 plan reopen`)") in " ".join(wrong.output.split())


def test_a_closed_plans_older_items_are_summarised_once_per_lead(
        run: Run, db: Database, smtp: SmtpServer, env: dict[str, str]) -> None:
    """Issue 19's red team saw "N older items still open" again in December 2026: each
    plan's summary goes to each lead once (ledger stage ``older``); the closed plan's
    re-opened item's later digests do not carry it again. The other summary a lead gets
    is the successor's own, on its first run (its own adoption, its own older items)."""
    naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")  # adopted: summary
    assert [m for m in smtp.handler.messages if "older items" in m.message["Subject"]]
    naptip(run, env, date(2026, 12, 1), "--plan", "naptip-3.0", "plan", "reopen",
           REOPENED, "--due", "2026-12-10", "--reason", "the auditors asked for it")
    before = len(smtp.handler.messages)
    for day in (date(2026, 12, 3), TODAY, date(2026, 12, 9), date(2026, 12, 11)):
        naptip(run, env, day, "run")
    later = smtp.handler.messages[before:]
    three = [m for m in later if "your NAPTIP 3.0 reminder" in m.text]
    assert [m for m in three if REOPENED in m.text]  # the re-opened item is reminded
    assert not [m for m in three if "older item" in m.message["Subject"]
                or "due before naptip was adopted" in m.text]
    four = [(m.rcpt_tos[0], m.text.split("reminder for ")[1].split(".")[0]) for m in later
            if "your NAPTIP 4.0 reminder" in m.text and "due before naptip was adopted" in m.text]
    assert four and {day for _to, day in four} == {"Thursday, 3 December 2026"}
    assert len(four) == len({to for to, _day in four})  # once per lead


def test_a_reopened_items_digest_says_why_and_its_new_deadline_not_the_old_move(
        run: Run, db: Database, smtp: SmtpServer, env: dict[str, str]) -> None:
    """S4-O1-i@2025 was due Saturday 31 January 2026, moved to a working day: re-opened
    with a new deadline, its digest says who re-opened it, why and the new due date, not
    "Moved from Saturday, 31 January 2026" (the old date's shift)."""
    item = "S4-O1-i@2025"
    naptip(run, env, date(2026, 11, 30), "--plan", "naptip-3.0", "run")
    with db.reading() as session:
        row = session.execute(select(OccurrenceRow).where(OccurrenceRow.id == item)
                              ).scalar_one()
        assert row.unshifted == date(2026, 1, 31) != row.due  # moved off the weekend
    naptip(run, env, TODAY, "plan", "reopen", item, "--due", "2026-12-31", "--reason",
           "the auditors asked for it")
    before = len(smtp.handler.messages)
    naptip(run, env, date(2026, 12, 24), "run")
    [*mails] = [m for m in smtp.handler.messages[before:] if item in m.text]
    assert mails
    for mail in mails:
        text = " ".join(mail.text.split())
        assert ("Re-opened by the secretariat: the auditors asked for it; due Thursday, "
                "31 December 2026") in text
        assert "Moved from" not in text and "Moved from" not in mail.html
        assert "Re-opened by the secretariat: the auditors asked for it" in mail.html
