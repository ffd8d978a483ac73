"""The day's work as plain functions: plan it, then execute it step by step.

Given a day, everything due up to that day and not yet done: sync the schedule, send the
reminders and escalations (and the evidence requests after meetings and events, which are
reminder stages), send invitations, publish calendars. Each effect goes through the store's
exactly-once ledger, so a rerun, a retry or a second run racing this one sends nothing
twice.

Catch-up: a run covers every day since the last day the day's work covered (``since``;
never past work left claimed by another run, and a duty flow's run does not count), so after
days without a run one run does the missed work once — one digest per person, not one per
missed day. The summary of each run (counts, failures, duration) is kept in the store
(``naptip.work.runlog``).

No Prefect here: ``naptip.flows`` wraps these functions in tasks; ``naptip run`` calls
them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from naptip.base.errors import NaptipError
from naptip.base.model import Plan
from naptip.store.db import Database
from naptip.work.runtypes import DayWork as DayWork
from naptip.work.runtypes import RunSummary as RunSummary
from naptip.work.runtypes import StepResult as StepResult

#: the steps of the day's work, in the order they run
STEPS = ("sync", "reminders", "invitations", "calendars")
#: a run catches up at most this many missed days (older work is reported, not replayed)
CATCH_UP_DAYS = 366


@dataclass(frozen=True)
class DayPlan:
    day: date
    since: date
    steps: tuple[str, ...] = STEPS
    #: missed days older than the catch-up window, left out (reported by the run)
    dropped: int = 0

    def describe(self) -> str:
        span = (f"{self.since} to {self.day} ({(self.day - self.since).days + 1} days)"
                if self.since < self.day else str(self.day))
        return f"day's work for {span}: {', '.join(self.steps)}"


def plan_day(db: Database, day: date, *, since: date | None = None,
             catch_up_days: int = CATCH_UP_DAYS, plan: Plan | None = None) -> DayPlan:
    """The days a run on ``day`` covers: from the day after the last day the day's work
    fully covered (or ``since``), at most ``catch_up_days`` back; just ``day`` on a first
    run. A duty flow's runs do not count: they do only their duty's work.

    ``plan``: the plan the run works for: only its own runs count, and no day before it
    starts is covered (a successor's first run never replays its predecessor's days)."""
    from naptip.work.runlog import last_finished_day

    if since is None:
        last = last_finished_day(db, before=day, plan_id=plan.id if plan else None)
        since = last + timedelta(days=1) if last is not None else day
    if plan is not None:
        since = max(since, plan.start)
    since = min(since, day)
    oldest = day - timedelta(days=catch_up_days)
    dropped = max(0, (oldest - since).days)
    return DayPlan(day=day, since=max(since, oldest), dropped=dropped)


# --- the steps: each takes the DayWork and returns its StepResult, never raises ----------

def sync_schedule(work: DayWork) -> StepResult:
    """``naptip sync`` as the run's first step: the same audited sync, never confirmed on
    its own. A risky sync (occurrences with evidence withdrawn or moved, a large share of
    the plan) fails this step with its reason, and the other steps carry on with the
    schedule the store holds until someone runs ``naptip sync --confirm``."""
    if work.dry_run:
        return StepResult("sync", "skipped", detail=(
            f"dry run: {_unsynced(work)}" if _unsynced(work)
            else "dry run: the store is read as it is"))
    from naptip.occurrences.materialise import sync
    from naptip.time.clock import real_today

    versions = ({name: info.version for name, info in work.loaded.infos.items()}
                if work.loaded is not None else None)
    result = sync(work.db, work.catalog, work.schedule, actor=work.actor,
                  today=max(work.day, real_today()), plugins=versions)
    counts = {"created": len(result.created), "updated": len(result.updated),
              "withdrawn": len(result.withdrawn), "restored": len(result.restored),
              "past kept": len(result.held)}
    return StepResult("sync", "done", counts, "unchanged" if result.skipped else "")


def _unsynced(work: DayWork) -> str:
    """For a dry run on a store that holds no schedule for the plan yet (a newly loaded
    plan before its first real run): one line saying what a real run would do; else "".
    The real run's sync step fills the schedule; the dry run writes nothing, so it cannot
    show the plan's reminders or invitations until then."""
    from naptip.occurrences.materialise import stored_provenance

    plan_id = work.catalog.structure.plan.id
    with work.db.reading() as session:
        if stored_provenance(session, plan_id) is not None:
            return ""
    return (f"the store holds no schedule for {plan_id} yet: its first real run syncs it; "
            "the dry run cannot show its reminders or invitations until then")


def send_reminders(work: DayWork) -> StepResult:
    """Reminders, escalations and evidence requests for every day covered, once each."""
    from naptip.notifications.dispatch import RunOptions, run_reminders

    if work.dry_run and _unsynced(work):
        return StepResult("reminders", "skipped", detail="dry run: not synced yet")
    result = run_reminders(work.db, work.catalog, work.settings, work.loaded, RunOptions(
        today=work.day, since=work.since, dry_run=work.dry_run, actor=work.actor,
        outbox=work.outbox, environ=work.environ,
        retry_failed=work.retry_failed, duty=work.duty, run_id=work.run_id))
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    counts["items"] = sum(o.items for o in result.outcomes if o.status in ("sent", "outbox"))
    counts["pending"] = sum(p.items for p in result.pending)
    failures = [f"{o.email} ({o.channel}): {o.detail}" for o in result.failed]
    notes = [f"{len(result.unreached)} group(s) of reminders with nobody to receive them "
             "(naptip remind --dry-run lists them)"] if result.unreached else []
    notes += [p.describe() for p in result.pending]
    if result.adopted:
        notes.insert(0, result.adopted)
    return StepResult("reminders", "failed" if failures else "done", counts, "; ".join(notes),
                      failures)


def send_invitations(work: DayWork) -> StepResult:
    """Meeting invitations, updates and cancellations due on the run's day, once each."""
    from naptip.calendars.invite import invite

    if work.dry_run and _unsynced(work):
        return StepResult("invitations", "skipped", detail="dry run: not synced yet")
    report = invite(work.db, work.catalog, work.settings, day=work.day, dry_run=work.dry_run,
                    loaded=work.loaded, outbox=work.outbox, environ=work.environ,
                    actor=work.actor, retry_failed=work.retry_failed,
                    schedule=work.schedule)
    work.shared.calendar_ledger = report.ledger  # the feeds start from it
    counts: dict[str, int] = {}
    for o in report.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    failures = [f"{o.email}: {o.detail}" for o in report.failed]
    return StepResult("invitations", "done" if report.ok else "failed", counts,
                      failures=failures)


#: where the run publishes the calendar feeds unless NAPTIP_CALENDAR_DIR says otherwise
CALENDAR_DIR_ENV = "NAPTIP_CALENDAR_DIR"


def calendar_dir(db: Database, environ: Mapping[str, str] | None = None) -> Path:
    """NAPTIP_CALENDAR_DIR, else a ``calendars`` folder beside the attachments folder:
    serve it with any web server for subscriptions."""
    import os

    env = os.environ if environ is None else environ
    return Path(env[CALENDAR_DIR_ENV]) if env.get(CALENDAR_DIR_ENV) else \
        db.blobs.parent / "calendars"


def publish_calendars(work: DayWork) -> StepResult:
    """Every calendar feed (whole plan, committees, contacts) written into the calendar
    folder; SEQUENCE grows only for entries that changed."""
    if work.dry_run:
        return StepResult("calendars", "skipped", detail="dry run: no feed is written")
    import os

    from naptip.calendars.ledger import DEFAULT_KEEP_CANCELLED_DAYS
    from naptip.calendars.publish import publish_all

    env = os.environ if work.environ is None else work.environ
    keep = int(env.get("NAPTIP_CALENDAR_KEEP_CANCELLED") or DEFAULT_KEEP_CANCELLED_DAYS)
    folder = calendar_dir(work.db, work.environ)
    report = publish_all(work.db, work.catalog, folder, day=work.day, loaded=work.loaded,
                         keep_cancelled_days=keep, schedule=work.schedule,
                         ledger=work.shared.calendar_ledger)
    counts = {"feeds": len(report.written),
              "feeds rewritten": sum(w.changed for w in report.written),
              "entries changed": len(report.recorded.created) + len(report.recorded.changed)
              + len(report.recorded.cancelled) + len(report.recorded.restored),
              "feeds removed": len(report.removed)}
    return StepResult("calendars", "done", counts, f"in {folder}")


def make_review_pack(work: DayWork) -> StepResult:
    """The annual review's (or the final evaluation's) pack: only in those duties' flows."""
    from naptip.work.reviewpack import review_pack

    return review_pack(work)


STEP_FUNCTIONS: dict[str, Callable[[DayWork], StepResult]] = {
    "sync": sync_schedule,
    "reminders": send_reminders,
    "invitations": send_invitations,
    "calendars": publish_calendars,
    "review-pack": make_review_pack,  # not in STEPS: run by the review duties' flows
}


def run_step(name: str, work: DayWork) -> StepResult:
    """One step; a failure becomes a failed StepResult with its one-line reason."""
    try:
        return STEP_FUNCTIONS[name](work)
    except NaptipError as exc:
        return StepResult(name, "failed", failures=[str(exc)])
    except Exception as exc:  # a step's bug must not hide the other steps' results
        return StepResult(name, "failed",
                          failures=[f"{type(exc).__name__}: {' '.join(str(exc).split())}"])


def execute(work: DayWork, plan: DayPlan | None = None, *, run_id: str | None = None,
            ) -> RunSummary:
    """Run every step of the plan and record the run's summary in the store.

    While it runs, the run's heartbeat is kept fresh; interrupted (Ctrl-C, SIGTERM turned
    into KeyboardInterrupt or SystemExit), its record is closed as ``interrupted`` and the
    interruption goes on."""
    from naptip.work import runlog

    plan = plan or DayPlan(day=work.day, since=work.since)
    run_id = runlog.start(replace(work, day=plan.day, since=plan.since), run_id=run_id)
    work = replace(work, day=plan.day, since=plan.since, run_id=run_id)
    try:
        with runlog.heartbeat(work.db, run_id):
            results = [run_step(name, work) for name in plan.steps]
    except BaseException as exc:
        runlog.close(work.db, run_id, "interrupted", f"interrupted: {_why(exc)}")
        raise
    return runlog.finish(work.db, run_id, results)


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "Ctrl-C or SIGTERM"
    if isinstance(exc, SystemExit):
        return f"exit {exc.code}"
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
