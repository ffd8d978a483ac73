"""A plan's life in the store (issue 19, items 4 and 5): the adoption day, closing after
the end date, and items re-opened on purpose; what each does to the reminders planned,
and the commands that set and show them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from unittest import mock

from click.testing import Result
from sqlalchemy import select

from naptip import ContactInfo, Role
from naptip.base.config import ReminderSettings
from naptip.people.reminders import Plan, latest_returns, plan_reminders, remindable_occurrences
from naptip.plan.catalog import Catalog
from naptip.plan.lifecycle import (
    BY_HAND,
    FIRST_RUN,
    LEGACY,
    PlanLife,
    adoption_for_run,
    plan_life,
    reopen,
)
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, RunRecord
from tests.conftest import db_env
from tests.people.test_reminder_policy import CHAIR, LEAD, SEC

Run = Callable[..., Result]
ME = ContactInfo(name="M&E lead", email="lead@monitoring.gov.my",
                 roles=(Role(role="lead", scope="monitoring"),))
EVERYONE = [LEAD, CHAIR, SEC, ME]
REPORT = "S20-O2-v@2023"  #: enforcement's progress report, due 2024-01-31
FINAL = "final-evaluation@2025-11-12/report"  #: the final evaluation's report, 2025-12-12


def _plan(db: Database, catalog: Catalog, day: date, life: PlanLife | None) -> Plan:
    rows = remindable_occurrences(db)
    returns = latest_returns(db, [r.id for r in rows if r.progress == "returned"])
    return plan_reminders(rows, EVERYONE, catalog, ReminderSettings(), day, returns=returns,
                          life=life)


def _stages(p: Plan, email: str, occurrence: str) -> list[str]:
    return [i.stage for d in p.deliveries if d.contact.email == email for i in d.items
            if i.occurrence_id == occurrence]


def test_work_due_before_the_adoption_day_is_one_older_item_to_the_owners_leads_only(
        synced: Database, builtin_catalog: Catalog) -> None:
    plan = builtin_catalog.structure.plan
    day, adopted_on, earlier = date(2024, 1, 26), date(2024, 1, 20), "S20-O2-v@2022"
    as_before = _plan(synced, builtin_catalog, day, PlanLife(plan=plan, adopted_on=plan.start))
    assert _stages(as_before, CHAIR.email, earlier) == ["overdue-14"]  # the ladder ran
    assert _stages(as_before, SEC.email, earlier) == ["overdue-30"]
    adopted = _plan(synced, builtin_catalog, day, PlanLife(plan=plan, adopted_on=adopted_on))
    assert _stages(adopted, LEAD.email, earlier) == ["older"]
    assert _stages(adopted, CHAIR.email, earlier) == []  # nobody up the ladder
    assert _stages(adopted, SEC.email, earlier) == []
    lead = next(d for d in adopted.deliveries if d.contact.email == LEAD.email)
    older = [i for i in lead.items if i.stage == "older"]
    assert len(older) > 10
    assert all(i.section == "older" and i.due < adopted_on for i in older)
    # work due from the adoption day on is reminded as usual
    assert _stages(adopted, LEAD.email, REPORT) == ["before-7"]
    assert all(i.stage != "older" for i in lead.items if i.due >= adopted_on)


def test_a_closed_plan_reminds_only_its_final_evaluation(synced: Database,
                                                          builtin_catalog: Catalog) -> None:
    plan = builtin_catalog.structure.plan
    life = PlanLife(plan=plan, adopted_on=plan.start)
    running = _plan(synced, builtin_catalog, date(2025, 12, 31), life)
    closed = _plan(synced, builtin_catalog, date(2026, 1, 15), life)
    assert _stages(running, SEC.email, REPORT) == ["overdue-30"]
    assert _stages(closed, SEC.email, REPORT) == []
    assert _stages(closed, LEAD.email, REPORT) == []
    assert _stages(closed, ME.email, FINAL) == ["overdue-1"]  # the final evaluation goes on
    assert {i.occurrence_id.split("@")[0] for d in closed.deliveries for i in d.items} == {
        "final-evaluation"}


def test_a_reopened_item_is_reminded_towards_its_new_deadline_in_stages_of_its_own(
        synced: Database, builtin_catalog: Catalog) -> None:
    plan = builtin_catalog.structure.plan
    adopt_all = PlanLife(plan=plan, adopted_on=plan.start)
    life = reopen(synced, plan, [REPORT], due=date(2026, 3, 31), reason="audit asked",
                  actor="sec", today=date(2026, 2, 1))
    assert life.reopened[REPORT].due == date(2026, 3, 31)
    life = PlanLife(plan=plan, adopted_on=adopt_all.adopted_on, reopened=life.reopened)
    assert _stages(_plan(synced, builtin_catalog, date(2026, 3, 25), life), LEAD.email,
                   REPORT) == ["before-7.re20260331"]
    late = _plan(synced, builtin_catalog, date(2026, 5, 5), life)
    assert _stages(late, SEC.email, REPORT) == ["overdue-30.re20260331"]
    item = next(i for d in late.deliveries for i in d.items if i.occurrence_id == REPORT)
    assert item.due == date(2026, 3, 31)  # the digest shows the new deadline
    with synced.reading() as session:
        assert audit.verify(session).ok


def test_the_first_run_records_its_day_once_and_a_store_in_use_before_keeps_the_start(
        db: Database, builtin_catalog: Catalog) -> None:
    plan = builtin_catalog.structure.plan
    preview, note = adoption_for_run(db, plan, date(2026, 12, 7), actor="t", dry_run=True)
    assert preview.adopted_on == date(2026, 12, 7) and note and note.startswith("would")
    assert plan_life(db, plan).adopted_on is None  # a dry run records nothing
    life, note = adoption_for_run(db, plan, date(2026, 12, 7), actor="t")
    assert (life.adopted_on, life.adopted_how) == (date(2026, 12, 7), FIRST_RUN) and note
    again, note = adoption_for_run(db, plan, date(2026, 12, 9), actor="t")
    assert again.adopted_on == date(2026, 12, 7) and note is None


def test_a_store_that_ran_before_adoption_days_existed_is_adopted_on_the_first_day(
        synced: Database, builtin_catalog: Catalog) -> None:
    from naptip.store.orm import MetaValue

    plan = builtin_catalog.structure.plan

    def legacy(session):  # type: ignore[no-untyped-def]
        session.delete(session.get(MetaValue, f"plan-life:{plan.id}"))
        now = datetime(2023, 5, 1, tzinfo=UTC)
        session.add(RunRecord(id="r1", plan_id=plan.id, day=date(2023, 5, 1),
                              since=date(2023, 5, 1),
                              status="done", trigger="cli", host="h", dry_run=False,
                              started_at=now, heartbeat_at=now, finished_at=now, steps=[]))

    synced.write(legacy)
    life, note = adoption_for_run(synced, plan, date(2026, 12, 7), actor="t")
    assert (life.adopted_on, life.adopted_how) == (plan.start, LEGACY) and note


def test_adopt_reopen_and_plan_list_on_the_command_line(run: Run, db: Database) -> None:
    env = db_env(db)
    first = run("--as-of", "2026-12-07", "sync", env=env)
    assert first.exit_code == 0, first.output
    assert "NAPTIP 3.0 adopted on 2026-12-07 (first sync)" in first.output
    listed = run("--as-of", "2026-12-07", "plan", "list", env=env)
    assert listed.exit_code == 0, listed.output
    assert "naptip-3.0" in listed.output and "closed since 2026-01-01" in listed.output
    assert "adopted 2026-12-07 (first sync)" in listed.output
    for args, message in (
            (("adopt", "--on", "2020-12-31"), "before NAPTIP 3.0 starts (2021-01-01)"),
            (("adopt", "--on", "2026-12-08"), "after today (2026-12-07)"),
            (("adopt", "--on", "7/12/2026"), "is not a date like"),
            (("plan", "reopen", "S20-O2-v@2023"), "--due YYYY-MM-DD"),
            (("plan", "reopen", "S20-O2-v@2023", "--due", "2027-01-31"), "say why"),
            (("plan", "reopen", "nope@2023", "--due", "2027-01-31", "--reason", "x"),
             "no occurrence 'nope@2023'"),
            (("plan", "reopen", "S20-O2-v@2023", "--due", "2026-01-31", "--reason", "x"),
             "before today"),
            (("plan", "reopen", "--undo", "S20-O2-v@2023"), "is not re-opened")):
        bad = run("--as-of", "2026-12-07", *args, env=env)
        assert bad.exit_code != 0 and message in bad.output, (args, bad.output)
        assert "Traceback" not in bad.output
    adopted = run("--as-of", "2026-12-07", "adopt", "--on", "2024-06-30", env=env)
    assert adopted.exit_code == 0, adopted.output
    reopened = run("--as-of", "2026-12-07", "plan", "reopen", "S20-O2-v@2023", "--due",
                   "2027-01-31", "--reason", "the auditors asked for it", env=env)
    assert reopened.exit_code == 0, reopened.output
    data = json.loads(run("--as-of", "2026-12-07", "plan", "list", "--format", "json",
                          env=env).output)
    assert data[0]["adopted_on"] == "2024-06-30" and data[0]["adopted_how"] == BY_HAND
    assert data[0]["state"] == "closed" and data[0]["closed_since"] == "2026-01-01"
    assert data[0]["reopened"]["S20-O2-v@2023"]["due"] == "2027-01-31"
    assert data[0]["reopened"]["S20-O2-v@2023"]["reason"] == "the auditors asked for it"
    status = run("--as-of", "2026-12-07", "status", "--format", "json", env=env)
    assert json.loads(status.output)["plan"] == {
        "id": "naptip-3.0", "state": "closed", "closed_since": "2026-01-01",
        "adopted_on": "2024-06-30"}
    table = run("--as-of", "2026-12-07", "status", env=env)
    assert "NAPTIP 3.0 is closed since 2026-01-01" in table.output
    assert "were due before the adoption day (2024-06-30)" in table.output
    running = run("--as-of", "2023-03-01", "status", env=env)
    assert "closed" not in running.output
    verified = run("audit", "verify", env=env)
    assert verified.exit_code == 0, verified.output
    with db.reading() as session:
        assert audit.verify(session).ok
    undone = run("--as-of", "2026-12-07", "plan", "reopen", "--undo", "S20-O2-v@2023", env=env)
    assert undone.exit_code == 0 and plan_life(db, _plan_of(db)).reopened == {}


def _plan_of(db: Database):  # type: ignore[no-untyped-def]
    from naptip.plan.plandata import load_plan_structure

    return load_plan_structure().plan


def test_adopt_done_records_the_day_then_imports_what_was_done(run: Run, synced: Database,
                                                                ) -> None:
    from naptip.store.orm import MetaValue
    from tests.conftest import ROOT

    env = db_env(synced)
    synced.write(lambda s: s.delete(s.get(MetaValue, "plan-life:naptip-3.0")))
    missing = run("--as-of", "2026-12-07", "adopt", "--done", "nowhere.csv", "--as", "Siti",
                  env=env)
    assert missing.exit_code == 1 and "nowhere.csv: no such file" in missing.output
    assert plan_life(synced, _plan_of(synced)).adopted_on is None  # nothing recorded
    done = run("--as-of", "2026-12-07", "adopt", "--on", "2024-01-01", "--as",
               "Siti (NSO MAPO)", "--done",
               str(ROOT / "examples" / "past-evidence" / "past-evidence.csv"), env=env)
    assert done.exit_code == 0, done.output
    assert "NAPTIP 3.0 adopted on 2024-01-01" in done.output
    assert "stored 6, refused 0" in done.output
    life = plan_life(synced, _plan_of(synced))
    assert (life.adopted_on, life.adopted_how) == (date(2024, 1, 1), BY_HAND)
    with synced.reading() as session:
        assert audit.verify(session).ok


def test_reopening_refuses_what_it_cannot_remind_and_personal_data(run: Run, synced: Database,
                                                                  ) -> None:
    from naptip.progress.evidence import EvidenceService, Submission

    env = db_env(synced)
    EvidenceService(synced, _catalog()).submit(
        Submission(occurrence_id="S4-O1-i@2023", actor="lead", values={"1": "2"}),
        today=date(2024, 1, 10))
    base = ("plan", "reopen", "--due", "2027-01-31", "--as", "Siti")
    for as_of, args, message in (
            ("2024-05-01", ("S20-O2-v@2023", "--reason", "x"), "NAPTIP 3.0 is not closed"),
            ("2026-12-07", ("S4-O1-i@2023", "--reason", "x"), "is awaiting review"),
            ("2026-12-07", ("S20-O2-v@2023", "--reason", "victim IC 900101-14-5678"),
             "re-opening refused"),
            ("2026-12-07", ("S20-O2-v@2023", "--reason", "x" * 501), "at most 500")):
        bad = run("--as-of", as_of, *base, *args, env=env)
        assert bad.exit_code == 1 and message in bad.output, (args[:1], bad.output)
        assert "900101" not in bad.output
    ok = run("--as-of", "2026-12-07", *base, "S20-O2-v@2023", "--reason", "audit", env=env)
    assert ok.exit_code == 0, ok.output
    again = run("--as-of", "2026-12-07", *base, "S20-O2-v@2023", "--reason", "audit", env=env)
    assert again.exit_code == 1 and "already re-opened, due 2027-01-31" in again.output
    with synced.reading() as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert actions.count("plan.reopen") == 1


def test_moving_the_adoption_day_after_reminders_went_out_needs_force(
        run: Run, synced: Database) -> None:
    from naptip.store.orm import ReminderSent

    env = db_env(synced)
    now = datetime(2023, 6, 1, tzinfo=UTC)
    synced.write(lambda s: s.add(ReminderSent(occurrence_id=REPORT, stage="before-30",
                                              recipient=LEAD.email, status="sent",
                                              created_at=now, sent_at=now)))
    moved = run("--as-of", "2026-12-07", "adopt", "--on", "2024-06-30", "--as", "Siti",
                env=env)
    assert moved.exit_code == 1 and "add --force" in moved.output
    assert "would summarise again work already reminded" in moved.output
    assert plan_life(synced, _plan_of(synced)).adopted_on == date(2021, 1, 1)
    forced = run("--as-of", "2026-12-07", "adopt", "--on", "2024-06-30", "--force", "--as",
                 "Siti", env=env)
    assert forced.exit_code == 0, forced.output
    assert plan_life(synced, _plan_of(synced)).adopted_on == date(2024, 6, 30)
    with mock.patch("naptip.time.clock.real_today", return_value=date(2026, 12, 7)):
        future = run("--as-of", "2030-01-01", "adopt", "--force", "--as", "Siti", env=env)
    assert future.exit_code == 0, future.output  # --as-of previews: the real day is kept
    assert plan_life(synced, _plan_of(synced)).adopted_on == date(2026, 12, 7)


def test_a_closed_plan_does_not_replay_the_days_it_missed_while_running(
        synced: Database, builtin_catalog: Catalog) -> None:
    from naptip.base.config import Settings
    from naptip.notifications.dispatch import RunOptions, run_reminders
    from naptip.people.contacts import ContactDirectory

    ContactDirectory(synced).upsert(EVERYONE, actor="test")
    result = run_reminders(synced, builtin_catalog, Settings(), None, RunOptions(
        today=date(2026, 12, 7), since=date(2025, 12, 6), dry_run=True))
    sent = {o.email: o.digest for o in result.outcomes if o.digest is not None}
    assert ME.email in sent and LEAD.email not in sent
    listed = [i for d in sent.values() for i in re.findall(r"^\* (\S+): ", d.text, re.M)]
    # the final evaluation only (its ladder reaches the secretariat), nothing of 2025's
    # last days replayed
    assert listed and all(i.startswith("final-evaluation@") for i in listed)


def _catalog() -> Catalog:
    from naptip.plan.catalog import build_catalog
    from naptip.plan.pluginmanager import build_plugin_manager

    return build_catalog(build_plugin_manager())
