"""``naptip sync``: the one command that writes the schedule into the store."""

from __future__ import annotations

import json

import click

from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import actor_name, actor_option


@click.command("sync")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--confirm", is_flag=True,
              help="Allow a sync that withdraws or moves work with evidence, or much of the "
                   "plan.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@actor_option
@as_of_option
@pass_app
def sync_command(app: App, dry_run: bool, confirm: bool, as_json: bool,
                 actor: str | None) -> None:
    """Write the schedule of the installed plugins and configuration into the store.

    Occurrences whose date has passed are kept as they were (the attempted change is
    recorded; `naptip schedule explain ID` shows it). A sync that would withdraw or move
    occurrences that carry evidence, or more than a small share of the plan, is refused
    unless --confirm is given. A sync that would withdraw occurrences while a plugin or the
    configuration has errors is refused even with --confirm: fix the errors first.
    """
    from naptip.occurrences.materialise import sync
    from naptip.occurrences.schedule import build_schedule
    from naptip.store.db import open_database
    from naptip.time import clock

    catalog = app.catalog
    app.warn_problems()
    who = actor_name(actor)
    # The past is the real past: --as-of cannot reopen occurrences that are really due.
    real = clock.real_today()
    day = max(app.today, real)
    if app.today < real:
        click.echo(f"note: occurrences due before {real} (today) are kept as they are, "
                   "whatever --as-of says", err=True)
    db = open_database(upgrade=not dry_run)
    try:
        result = sync(db, catalog, build_schedule(catalog), actor=who, today=day,
                      confirm=confirm, dry_run=dry_run, plugins=app.plugin_versions())
        adopted = None
        if not dry_run and result.blocked() is None and (confirm or not result.risks()):
            from naptip.plan.lifecycle import FIRST_SYNC, adoption_for_run

            # a store's first sync is the day it adopts the plan (naptip adopt changes it)
            adopted = adoption_for_run(db, catalog.structure.plan, app.today, actor=who,
                                       how=FIRST_SYNC)[1]
    finally:
        db.dispose()
    if as_json:
        click.echo(json.dumps({
            "dry_run": dry_run, "skipped": result.skipped, "created": result.created,
            "updated": result.updated, "moved": result.moved, "withdrawn": result.withdrawn,
            "restored": result.restored, "held": result.held,
            "with_evidence": result.with_evidence, "needs_confirm": result.risks(),
            "refused": result.blocked(),
        }, indent=2))
        return
    prefix = "dry run, nothing written: " if dry_run else "synced: "
    click.echo(prefix + result.summary())
    if adopted:
        click.echo(adopted)
    if dry_run:
        for label, ids in (("withdraw", result.withdrawn), ("move", result.moved),
                           ("keep past", result.held)):
            for oid in ids[:20]:
                click.echo(f"  {label}: {oid}")
            if len(ids) > 20:
                click.echo(f"  … and {len(ids) - 20} more to {label}")
        blocked = result.blocked()
        if blocked is not None:
            click.echo(f"refused: {blocked}")
        for reason in result.risks():
            click.echo(f"needs --confirm: {reason}")
