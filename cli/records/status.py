"""``naptip status``: done / due / overdue / upcoming per committee and pillar."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.lists import resolve_committee, show_items

if TYPE_CHECKING:
    from datetime import date

    from naptip.plan.lifecycle import PlanLife
    from naptip.store.db import Database


@click.command("status")
@click.option("--committee", "-c", help="Only this committee's work.")
@click.option("--year", "-y", type=click.IntRange(2000, 2100), help="Only this plan year.")
@click.option("--list", "as_list", is_flag=True,
              help="List the items behind the counts: overdue, due, awaiting review, "
                   "returned.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@as_of_option
@pass_app
def status_command(app: App, committee: str | None, year: int | None, as_list: bool,
                   fmt: str) -> None:
    """Progress of the plan per committee and pillar, on the as-of day."""
    from naptip.progress.status import DUE_WINDOW_DAYS, status

    catalog = app.catalog
    app.warn_problems()
    wanted = resolve_committee(catalog, committee) if committee else None
    db = app.store()
    as_of = app.today
    from naptip.plan.lifecycle import plan_life

    life = plan_life(db, catalog.structure.plan)
    if as_list:
        if fmt == "table":
            import shutil
            import textwrap

            width = max(40, shutil.get_terminal_size().columns)
            for line in life_lines(db, life, as_of, wanted):
                click.echo(textwrap.fill(line, width))
        show_items(db, catalog.structure.plan.id, as_of, wanted, year, fmt)
        return
    with db.reading() as session:
        report = status(session, catalog.structure.plan.id, as_of, committee=wanted, year=year)
    if fmt == "json":
        click.echo(json.dumps({
            "as_of": as_of.isoformat(), "due_window_days": DUE_WINDOW_DAYS,
            "plan": {"id": life.plan.id, "state": life.state(as_of),
                     "closed_since": (life.closed_since.isoformat()
                                      if life.closed(as_of) else None),
                     "adopted_on": life.adopted_on.isoformat() if life.adopted_on else None},
            "committee": wanted, "year": year,
            "by_committee": {k: {**asdict(v), "total": v.total}
                             for k, v in sorted(report.by_committee.items())},
            "by_pillar": {k: {**asdict(v), "total": v.total}
                          for k, v in sorted(report.by_pillar.items())},
            "total": {**asdict(report.total), "total": report.total.total},
        }, indent=2))
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from naptip.cli.bars import BAR_WIDTH, done_bar

    console = Console()
    wide = console.width >= 110  # at 80 columns: a shorter bar, pillar ids without names
    for line in life_lines(db, life, as_of, wanted):
        console.print(line, markup=False, highlight=False)

    def bar(done: int, total: int) -> Text:
        return done_bar(done, total, BAR_WIDTH if wide else 8)

    for title, rows in (("committee", report.by_committee), ("pillar", report.by_pillar)):
        table = Table(title=f"Status by {title} on {as_of}" + (f", {year}" if year else ""),
                      title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                      collapse_padding=True)
        table.add_column(title, no_wrap=True, overflow="ellipsis", max_width=40 if wide else 14)
        for column in ("done", "review", "overdue", f"due {DUE_WINDOW_DAYS}d", "later",
                       "total"):
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
        table.add_column("progress (done)" if wide else "done %", no_wrap=True)
        for key, c in sorted(rows.items()):
            name = key
            if title == "pillar" and key in catalog.structure.pillars:
                name = f"{key} {catalog.structure.pillars[key].name}" if wide else key
            elif title == "pillar":
                name = "- (duties)"
            table.add_row(name, str(c.done), str(c.submitted),
                          f"[red]{c.overdue}[/]" if c.overdue else "0", str(c.due),
                          str(c.upcoming), str(c.total), bar(c.done, c.total))
        t = report.total
        table.add_row("[bold]all", str(t.done), str(t.submitted), str(t.overdue), str(t.due),
                      str(t.upcoming), str(t.total), bar(t.done, t.total))
        console.print(table)
    show_runs_needing_attention(db)


def life_lines(db: Database, life: PlanLife, as_of: date, committee: str | None = None,
               ) -> list[str]:
    """The plan's state when it is not simply running, and the work left from before the
    adoption day (it is summarised, not reminded)."""
    from sqlalchemy import func, select

    from naptip.store.orm import OccurrenceRow

    lines = [] if life.state(as_of) == "running" else [life.describe(as_of)]
    if life.adopted_on is not None and life.adopted_on > life.plan.start:
        with db.reading() as session:
            older = session.execute(select(func.count()).select_from(OccurrenceRow).where(
                OccurrenceRow.plan_id == life.plan.id, OccurrenceRow.withdrawn.is_(False),
                OccurrenceRow.progress.in_(("open", "returned")),
                OccurrenceRow.due < min(life.adopted_on, as_of),
                OccurrenceRow.id.not_in(sorted(life.reopened)),
                *([OccurrenceRow.owner == committee] if committee else []))).scalar_one()
        if older:
            lines.append(f"{older} open item(s) were due before the adoption day "
                         f"({life.adopted_on}): not reminded one by one (`naptip evidence "
                         "import` records what was done)")
    return lines


def show_runs_needing_attention(db: Database) -> None:
    """The runs the secretariat must look at: a failed or crashed last run, an alert that
    was not delivered (it is in the outbox)."""
    from naptip.cli.operations.run import echo_note
    from naptip.work.runlog import needing_attention

    runs = needing_attention(db)
    if runs:
        click.echo("Runs needing attention (naptip runs show ID):")
    for r in runs:
        click.echo(f"  {r.id[:12]} {r.day} {r.status}")
        echo_note(r.note, "    ")
