"""``naptip run`` (the day's work) and ``naptip runs list|show`` (what the runs did)."""

from __future__ import annotations

import signal
from types import FrameType
from typing import TYPE_CHECKING

import click

from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import actor_name, actor_option

if TYPE_CHECKING:
    from naptip.store.db import Database
    from naptip.work.daywork import RunSummary
    from naptip.work.planruns import PlanToRun


@click.command("run")
@click.option("--dry-run", is_flag=True, help="Show what the run would do; send and write "
              "nothing but the run's summary.")
@click.option("--prefect", "use_prefect", is_flag=True,
              help="Run as a Prefect flow run on the server at PREFECT_API_URL.")
@as_of_option
@actor_option
@pass_app
def run_command(app: App, dry_run: bool, use_prefect: bool, actor: str | None) -> None:
    """Do the day's work: sync the schedule, send reminders, escalations and evidence
    requests, invitations, calendars — everything due up to today and not yet done,
    catching up the days since the last run. Without --plan, for every plan that needs
    it (the plan running today, and a closed plan while it still has re-opened, returned
    or final-evaluation work to remind), one run each. Exit 1 when a step failed (it is
    retried by the next run; nothing is sent twice)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        summaries = _run_plans(app, dry_run, use_prefect, actor)
    except KeyboardInterrupt:
        click.echo("interrupted: the run is closed as interrupted; the next run does "
                   "what it left", err=True)
        raise SystemExit(130) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    if any(s is None or s.failed for s in summaries):
        raise SystemExit(1)


def _run_plans(app: App, dry_run: bool, use_prefect: bool, actor: str | None,
               ) -> list[RunSummary | None]:
    """Each plan's run in turn, its summary shown as it ends; None for a plan whose run
    could not start (said in one line). One plan's failure never stops the next."""
    from naptip.base.errors import NaptipError
    from naptip.plan.lifecycle import PlanLife

    if use_prefect:
        from naptip.flows.client import run_on_server

        summaries = run_on_server(app.today, dry_run=dry_run, actor=actor_name(actor),
                                  config_path=app.config_path, plugins_dir=app.plugins_dir,
                                  plan_id=app.plan_id)
        for summary in summaries:
            show_summary(summary)
        return list(summaries)
    db = app.writable_db()  # a first run creates the store; its sync step fills it
    if not dry_run:
        _close_dead(app)
    scopes = [(app, "")] if app.plan_id is not None else [
        (app.for_plan(p.id), p.why) for p in _plans_to_run(app)]
    out: list[RunSummary | None] = []
    for n, (scoped, why) in enumerate(scopes):
        if n:
            click.echo("")
        plan = scoped.plans.get(scoped.plan_id) if scoped.plan_id else scoped.plan
        if len(scopes) > 1:
            click.echo(f"{plan.plan.short_title} ({plan.id}): {why}")
        try:
            life = PlanLife(plan=plan.plan)
            if life.state(scoped.today) != "running":
                click.echo(f"note: {life.describe(scoped.today)}", err=True)
            summary = _run(scoped, db, dry_run, actor)
        except NaptipError as exc:
            click.echo(f"error: {plan.id}: {exc}", err=True)
            out.append(None)
            continue
        show_summary(summary)
        out.append(summary)
    return out


def _plans_to_run(app: App) -> list[PlanToRun]:
    from naptip.base.errors import NaptipError
    from naptip.work.planruns import closing_duties, plans_to_run

    def closing_of(plan_id: str) -> frozenset[str]:
        try:
            catalog = app.for_plan(plan_id).catalog
        except NaptipError as exc:  # its own commands say so; the other plans run
            app.warn_text(f"{plan_id}: {exc}")
            return frozenset()
        return closing_duties([(d.id, d.flow) for d in catalog.duties.values()])

    return plans_to_run(app.plans, app.today, app.db, closing_of)


def _close_dead(app: App) -> None:
    from naptip.work.runlog import close_dead

    for dead in close_dead(app.db):  # their claims are free again: this run sends them
        app.warn_text(f"run {dead.id[:12]} ({dead.day}) had died: closed as crashed "
                      f"({dead.note.splitlines()[-1]})")


def echo_note(note: str, indent: str) -> None:
    """A run's note (why it crashed, an alert not delivered), wrapped to the terminal."""
    import shutil
    import textwrap

    width = max(40, shutil.get_terminal_size().columns)
    for line in note.splitlines():
        click.echo(textwrap.fill(line, width, initial_indent=indent,
                                 subsequent_indent=indent + "  ", break_on_hyphens=False))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run(app: App, db: Database, dry_run: bool, actor: str | None) -> RunSummary:
    """One plan's day's work (``app`` is scoped to it)."""
    from naptip.work.daywork import DayWork, execute, plan_day

    app.warn_problems()
    catalog = app.catalog
    plan = plan_day(db, app.today, plan=catalog.structure.plan)
    if plan.dropped:
        app.warn_text(f"{catalog.structure.plan.id}: {plan.dropped} missed day(s) older "
                      "than the catch-up window were not replayed")
    work = DayWork(db=db, catalog=catalog, settings=app.settings,
                   loaded=app.loaded, day=plan.day, since=plan.since, dry_run=dry_run,
                   actor=actor_name(actor), trigger="cli")
    return execute(work, plan)


def show_summary(summary: RunSummary) -> None:
    span = (f"{summary.since} to {summary.day}" if summary.since < summary.day
            else str(summary.day))
    dry = " (dry run)" if summary.dry_run else ""
    seconds = f" in {summary.seconds:.1f} s" if summary.seconds is not None else ""
    click.echo(f"run {summary.id[:12]} {summary.plan} {span}{dry}: {summary.status}{seconds} "
               f"({summary.trigger} on {summary.host})")
    echo_note(summary.note, "  ")
    for step in summary.steps:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(step.counts.items()) if v)
        extra = "; ".join(x for x in (counts, step.detail) if x)
        click.echo(f"  {step.name:<12} {step.status}" + (f": {extra}" if extra else ""))
        for failure in step.failures:
            click.echo(f"    failed: {failure}")


@click.group("runs")
def runs_group() -> None:
    """The day's work as it was run: when, what it covered, how it ended."""


@runs_group.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@pass_app
def runs_list(app: App, limit: int) -> None:
    """The latest runs, newest first."""
    from naptip.work.runlog import recent

    runs = recent(app.db, limit)
    if not runs:
        click.echo("no runs yet (naptip run)")
        return
    import shutil

    width = max(60, shutil.get_terminal_size().columns)
    plan_width = max(4, *(len(r.plan) for r in runs))
    click.echo(f"{'run':<12}  {'plan':<{plan_width}}  {'days covered':<22} {'status':<8} "
               f"{'trigger':<7} host")
    for r in runs:
        span = f"{r.since}..{r.day}" if r.since < r.day else str(r.day)
        failed = [s.name for s in r.steps if s.status == "failed"]
        line = (f"{r.id[:12]}  {r.plan:<{plan_width}}  {span:<22} {r.status:<8} "
                f"{r.trigger:<7} {r.host}"
                + (" dry-run" if r.dry_run else "")
                + (f" {r.duty}" if r.duty else ""))
        click.echo(line if len(line) <= width else line[:width - 1] + "…")
        if failed:
            click.echo(f"  failed: {', '.join(failed)}")
        echo_note(r.note, "  ")


@runs_group.command("show")
@click.argument("run_id")
@pass_app
def runs_show(app: App, run_id: str) -> None:
    """One run's steps, counts and failures."""
    from naptip.work.runlog import get

    show_summary(get(app.db, run_id))
