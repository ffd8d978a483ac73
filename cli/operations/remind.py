"""``naptip remind``: send today's digests (or show them with ``--dry-run``)."""

from __future__ import annotations

import shutil
import textwrap

import click

from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import actor_name, actor_option


@click.command("remind")
@click.option("--dry-run", is_flag=True, help="Show the digests that would be sent; send none.")
@click.option("--committee", "-c", help="Only work owned or supported by this committee.")
@click.option("--to", "to", metavar="EMAIL", help="Only this contact's digest.")
@as_of_option
@actor_option
@pass_app
def remind_command(app: App, dry_run: bool, committee: str | None, to: str | None,
                   actor: str | None) -> None:
    """Send each contact one digest of what is due, overdue and coming up (exactly once).

    Without [mail] in the configuration the messages go to the outbox (in the store)
    (`naptip outbox list`). Exit 1 when a message failed: it is retried on a later run
    (failed messages are retried at once by every run, as `naptip run` does). Items that
    another run is sending are listed as pending, with why and when they go.
    """
    from naptip.notifications.dispatch import RunOptions, run_reminders

    catalog = app.catalog
    app.warn_problems()
    wanted = None
    if committee:
        wanted = catalog.committee_id(committee)
        if wanted is None:
            raise click.BadParameter(f"unknown committee {committee!r}", param_hint="--committee")
    result = run_reminders(app.store(), catalog, app.settings, app.loaded, RunOptions(
        today=app.today, dry_run=dry_run, committee=wanted, to=to, actor=actor_name(actor),
        retry_failed=True))
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()  # the terminal's width (80 when not a terminal): cells wrap
    if dry_run:
        for o in result.outcomes:
            if o.digest is not None:
                click.echo(f"--- to {o.name} <{o.email}> ({o.channel})")
                click.echo(f"Subject: {o.digest.subject}\n")
                click.echo(o.digest.text)
    title = f"Reminders on {app.today}" + (" (dry run)" if dry_run else "")
    table = Table(title=title, title_justify="left")
    table.add_column("to", overflow="fold")  # an address is never cut short
    for column in ("channel", "items", "result", "detail"):
        table.add_column(column)
    for o in result.outcomes:
        colour = {"failed": "red", "skipped": "yellow"}.get(o.status, "green")
        table.add_row(escape(f"{o.name} <{o.email}>"), escape(o.channel), str(o.items),
                      f"[{colour}]{o.status}[/]", escape(o.detail))
    if result.outcomes:
        console.print(table)
    elif result.pending:
        click.echo(f"{title}: nothing to send now; "
                   f"{sum(p.items for p in result.pending)} item(s) pending")
    else:
        click.echo(f"{title}: nothing new to send")
    width = max(40, shutil.get_terminal_size().columns)
    for held in result.pending:
        click.echo(textwrap.fill(f"pending: {held.describe()}", width, subsequent_indent="  ",
                                 break_on_hyphens=False))
    for line in result.unreached:
        click.echo(f"warning: {line}", err=True)
    for problem in result.problems:
        click.echo(f"warning: {problem}", err=True)
    if result.failed:
        click.echo(f"{len(result.failed)} message(s) failed; they are retried on the next run",
                   err=True)
        raise SystemExit(1)
