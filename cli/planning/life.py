"""``naptip adopt``, ``naptip plan list`` and ``naptip plan reopen``: a plan's life in
the store (``naptip.plan.lifecycle``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from naptip.base.errors import NaptipError
from naptip.cli.app import App, as_of_option, parse_day_option, pass_app
from naptip.cli.common import actor_name, actor_option


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return None if value is None else parse_day_option(value, param)


def _written_day(app: App) -> date:
    """The day a change is recorded as made: --as-of previews, it never records a day
    after the real one."""
    from naptip.time.clock import real_today

    return min(app.today, real_today())


@click.command("adopt")
@click.option("--on", "on", metavar="YYYY-MM-DD", callback=_day,
              help="The adoption day (default: today, or the --as-of day).")
@click.option("--done", "done", metavar="FILE.csv|FILE.xlsx", type=click.Path(path_type=Path),
              help="Then import what was already done: `naptip evidence import FILE`.")
@click.option("--force", is_flag=True,
              help="Move an adoption day already recorded after reminders went out.")
@actor_option
@as_of_option
@pass_app
@click.pass_context
def adopt_command(ctx: click.Context, app: App, on: date | None, done: Path | None,
                  force: bool, actor: str | None) -> None:
    """Record the day this store started running the plan.

    Work due before it is not reminded or escalated one item at a time: each committee's
    leads get one summary of how many older items are still open, with where to see them.
    The first `naptip run` records its own day when nobody ran this first. To record what
    was already done before, import it: --done FILE, or `naptip evidence import FILE`
    (see docs/adopting.md).
    """
    from naptip.plan.lifecycle import adopt

    catalog = app.catalog
    plan = catalog.structure.plan
    if done is not None and not done.is_file():
        raise NaptipError(f"{done}: no such file")
    who = actor_name(actor)
    # the importing needs the schedule: checked before anything is recorded
    db = app.store() if done is not None else app.writable_db()
    today = _written_day(app)
    life = adopt(db, plan, on or today, actor=who, today=today, force=force)
    click.echo(f"{plan.short_title} adopted on {life.adopted_on}: work due before it is "
               "summarised once per committee lead, not reminded item by item")
    if done is not None:
        from naptip.cli.records.evidence import import_

        ctx.invoke(import_, file=done, dry_run=False, quiet=False, actor=actor)


@click.command("list")
@click.option("--reopened", is_flag=True, help="Also list the items re-opened on purpose.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@as_of_option
@pass_app
def plan_list(app: App, reopened: bool, fmt: str) -> None:
    """Every plan known: period, state (draft, running, closed), adoption day, and where
    it comes from (built-in, or a plan package's folder). `*` marks the plan commands work
    on (`naptip --plan ID` chooses another)."""
    from naptip.plan.lifecycle import PlanLife, plan_life

    registry = app.plans
    for problem in registry.problems:
        app.warn_text(str(problem))
    chosen = app.plan.id
    stored = app.store_may_exist()
    today = app.today
    lives = [plan_life(app.db, k.plan) if stored else PlanLife(plan=k.plan)
             for k in registry.plans.values()]
    if fmt == "json":
        click.echo(json.dumps([{
            "id": life.plan.id, "title": life.plan.title,
            "short_title": life.plan.short_title,
            "start": life.plan.start.isoformat(), "end": life.plan.end.isoformat(),
            "state": life.state(today), "chosen": life.plan.id == chosen,
            "origin": known.origin,
            "package": str(known.package.source) if known.package else None,
            "closed_since": life.closed_since.isoformat() if life.closed(today) else None,
            "adopted_on": life.adopted_on.isoformat() if life.adopted_on else None,
            "adopted_how": life.adopted_how,
            "reopened": {oid: {"due": r.due.isoformat(), "on": r.on.isoformat(), "by": r.by,
                               "reason": r.reason} for oid, r in sorted(life.reopened.items())},
        } for known, life in zip(registry.plans.values(), lives, strict=True)], indent=2))
        return
    for known, life in zip(registry.plans.values(), lives, strict=True):
        plan = life.plan
        state = life.state(today)
        since = f" since {life.closed_since}" if state == "closed" else ""
        mark = "*" if plan.id == chosen else " "
        adopted = (f"adopted {life.adopted_on} ({life.adopted_how})" if life.adopted_on
                   else "not adopted yet (its first `naptip run` records the day)")
        click.echo(f"{mark} {plan.id}  {plan.short_title}  {plan.start} to {plan.end}  "
                   f"{state}{since}")
        click.echo(f"    {adopted}")
        click.echo(f"    from: {known.origin}")
        if life.reopened:
            click.echo(f"    {len(life.reopened)} item(s) re-opened after closing")
        if reopened:
            for oid, r in sorted(life.reopened.items()):
                click.echo(f"    {oid}  due {r.due}  re-opened {r.on} by {r.by}: {r.reason}")


@click.command("reopen")
@click.argument("occurrences", nargs=-1, required=True, metavar="OCCURRENCE...")
@click.option("--due", "due", metavar="YYYY-MM-DD", callback=_day,
              help="The new deadline the reminders count towards.")
@click.option("--reason", default="", help="Why (kept in the audit log).")
@click.option("--undo", is_flag=True, help="Stop reminding these items again.")
@actor_option
@as_of_option
@pass_app
def plan_reopen(app: App, occurrences: tuple[str, ...], due: date | None, reason: str,
                undo: bool, actor: str | None) -> None:
    """Re-open items of a closed plan: they are reminded again towards a new deadline.

    A closed plan reminds only its final evaluation and returned evidence; late evidence
    can always be submitted without re-opening anything.
    """
    from naptip.plan.lifecycle import close_again, reopen

    app = app.for_occurrences(occurrences)  # a closed plan's items, without --plan
    plan = app.catalog.structure.plan
    db = app.store()
    if undo:
        close_again(db, plan, occurrences, actor=actor_name(actor))
        click.echo(f"{len(set(occurrences))} item(s) no longer re-opened")
        return
    if due is None:
        raise NaptipError("give the new deadline: --due YYYY-MM-DD")
    reopen(db, plan, occurrences, due=due, reason=reason, actor=actor_name(actor),
           today=_written_day(app))
    click.echo(f"{len(set(occurrences))} item(s) re-opened, due {due}: the next run "
               "reminds their committees")


__all__ = ["adopt_command", "plan_list", "plan_reopen"]
