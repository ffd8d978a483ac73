"""``naptip calendar``: iCalendar feeds of the plan, per committee and for the whole plan.

icalendar is imported only when a calendar command runs (core does not depend on it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from naptip.base.errors import NaptipError
from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import OUTPUT_FILE, actor_name, actor_option

if TYPE_CHECKING:
    from naptip.calendars.ledger import Reconciled

F = TypeVar("F", bound=Callable[..., Any])
KEEP_ENV = "NAPTIP_CALENDAR_KEEP_CANCELLED"


def keep_option(f: F) -> F:
    return click.option(
        "--keep-cancelled", "keep", type=click.IntRange(min=0), default=60, show_default=True,
        envvar=KEEP_ENV, metavar="DAYS",
        help=f"Days an entry that left the plan stays in the feeds as CANCELLED "
             f"[env: {KEEP_ENV}].")(f)


@click.group("calendar")
def calendar_group() -> None:
    """iCalendar feeds: export one, or publish them all into a folder to serve."""


def _recorded(app: App, keep: int) -> Reconciled:
    """Record in the store what is published now (SEQUENCE, LAST-MODIFIED, CANCELLED)."""
    from naptip.calendars.publish import publish_instant, record_stored

    catalog = app.catalog
    app.warn_problems()
    clock_set = app.as_of is not None or bool(os.environ.get("NAPTIP_AS_OF"))
    db = app.store()
    return record_stored(db, catalog, now=publish_instant(app.today if clock_set else None),
                         today=app.today, keep_cancelled_days=keep, loaded=app.loaded)


@calendar_group.command("export")
@click.option("--committee", "-c", metavar="C",
              help="Only what this committee (or agency) leads, supports or hosts.")
@click.option("--contact", metavar="EMAIL",
              help="One contact's private feed: what they lead, support or attend.")
@click.option("--all", "whole", is_flag=True, help="The whole plan (the default).")
@click.option("--this-plan", "this_plan", is_flag=True,
              help="Only this plan's entries (a plan package's own PLAN-*.ics feed); "
                   "without it, the feed spans every plan that has started.")
@click.option("--output", "-o", type=OUTPUT_FILE,
              help="Write to this file (atomically) instead of standard output.")
@keep_option
@as_of_option
@pass_app
def export(app: App, committee: str | None, contact: str | None, whole: bool,
           this_plan: bool, output: Path | None, keep: int) -> None:
    """One feed as .ics: the whole plan, one committee's or one contact's.

    As published: over every plan that has started (NAPTIP 3.0 and its successor), unless
    --this-plan."""
    from naptip.calendars.publish import (
        committee_scope,
        contact_scopes,
        feed_bytes,
        plan_scope,
        spanning_ledger,
        write_atomic,
    )

    if sum(map(bool, (committee, contact, whole))) > 1:
        raise click.UsageError("give one of --committee, --contact or --all")
    catalog = app.catalog
    if contact:
        email = contact.strip().lower()
        found = [s for s in contact_scopes(app.db, catalog, loaded=app.loaded,
                                           spanning=not this_plan)
                 if s.key.endswith(f"contact:{email}")]
        if not found:
            raise click.BadParameter(f"no contact {contact.strip().lower()!r} "
                                     "(naptip contacts list)", param_hint="--contact")
        scope = found[0]
    elif committee:
        wanted = catalog.committee_id(committee) or (
            committee if committee in catalog.agencies else None)
        if wanted is None:
            raise click.BadParameter(f"unknown committee {committee!r}",
                                     param_hint="--committee")
        scope = committee_scope(catalog, wanted, spanning=not this_plan)
    else:
        scope = plan_scope(catalog, spanning=not this_plan)
    recorded = _recorded(app, keep)
    published = recorded.published if this_plan else spanning_ledger(
        app.db, catalog, recorded.ledger, day=app.today, keep_cancelled_days=keep)
    data = feed_bytes(catalog, scope, published)
    if output is None:
        click.echo(data, nl=False)  # bytes go to the binary stream as they are
        return
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise NaptipError(f"cannot write {output}: {exc.strerror or exc}") from None


@calendar_group.command("publish")
@click.option("--to", "directory", required=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the feeds into (created if missing).")
@keep_option
@as_of_option
@pass_app
def publish(app: App, directory: Path, keep: int) -> None:
    """Write one .ics per committee, the whole plan and each contact's feed into DIR.

    plan.ics, committee-ID.ics and the contacts' feeds span every plan that has started;
    a plan package also writes its own PLAN-*.ics. A contact's file is named by an
    unguessable token (`naptip calendar links`); the file of a contact removed from the
    directory is deleted."""
    from naptip.calendars.publish import publish_all, publish_instant

    app.warn_problems()
    clock_set = app.as_of is not None or bool(os.environ.get("NAPTIP_AS_OF"))
    try:
        report = publish_all(app.db, app.catalog, directory, day=app.today,
                             now=publish_instant(app.today if clock_set else None),
                             loaded=app.loaded, keep_cancelled_days=keep)
    except OSError as exc:
        raise NaptipError(f"cannot publish into {directory}: {exc.strerror or exc}") from None
    for w in report.written:
        state = "written" if w.changed else "unchanged"
        click.echo(f"{w.path.name}\t{w.entries} entries\t{state}")
    for path in report.removed:
        click.echo(f"{path.name}\t0 entries\tremoved (the contact left the directory)")
    from naptip.calendars.publish import spanned_plans

    plans = ", ".join(p.id for p in spanned_plans(app.catalog, app.today))
    click.echo(f"plan.ics, committee-*.ics and the contacts' feeds show {plans}", err=True)
    recorded = report.recorded
    click.echo(f"{len(recorded.created)} new, {len(recorded.changed)} changed, "
               f"{len(recorded.cancelled)} cancelled, {len(recorded.restored)} restored "
               "since the last publication", err=True)


@calendar_group.command("links")
@click.option("--base-url", metavar="URL", default="",
              help="Where the published folder is served, e.g. https://host/feeds/")
@pass_app
def links(app: App, base_url: str) -> None:
    """The file (or URL) of every feed: public ones by name, each contact's by its token.

    Keys without a plan prefix (plan, committee:ID, contact:EMAIL) span every plan that
    has started; PLAN:... keys are a plan package's own. A contact's token is made on
    first use and stays, one for all plans; send each contact only their own line."""
    from naptip.calendars.publish import contact_scopes, link_token, links, public_scopes

    base = base_url.rstrip("/") + "/" if base_url else ""
    catalog = app.catalog
    public = public_scopes(catalog, spanning=True)
    if catalog.occurrence_prefix:
        public += public_scopes(catalog, spanning=False)
    for scope in public:
        click.echo(f"{scope.key}\t{base}{scope.filename}")
    for scope in contact_scopes(app.db, catalog, loaded=app.loaded):
        click.echo(f"{scope.key}\t{base}{link_token(app.db, scope.key)}.ics")
    if catalog.occurrence_prefix:  # one-plan feeds minted before feeds spanned plans
        own = {s.key for s in contact_scopes(app.db, catalog, loaded=app.loaded,
                                             spanning=False)}
        for key, name in links(app.db):
            if key in own:
                click.echo(f"{key}\t{base}{name}")


@calendar_group.command("invite")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@as_of_option
@actor_option
@pass_app
def invite_command(app: App, dry_run: bool, actor: str | None) -> None:
    """E-mail meeting invitations (iTIP REQUEST), updates and cancellations, exactly once.

    To the attendees of every meeting, review and event in the next 90 days, from the
    contact directory; through [mail], or the local outbox without it. Exit 1 when a
    message failed: it is retried on a later run.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from naptip.calendars.invite import invite
    from naptip.calendars.publish import publish_instant

    app.warn_problems()
    clock_set = app.as_of is not None or bool(os.environ.get("NAPTIP_AS_OF"))
    report = invite(app.db, app.catalog, app.settings, day=app.today, dry_run=dry_run,
                    now=publish_instant(app.today) if clock_set else None, loaded=app.loaded,
                    actor=actor_name(actor))
    title = f"Invitations on {app.today}" + (" (dry run)" if dry_run else "")
    if not report.outcomes:
        click.echo(f"{title}: nothing new to send")
        return
    table = Table(title=title, title_justify="left")
    # the terminal's width: ids whole (the start under its id), the rest folds
    table.add_column("occurrence · start", no_wrap=True)
    table.add_column("to", overflow="fold")
    table.add_column("method · seq", overflow="fold")
    table.add_column("result", no_wrap=True)
    for o in report.outcomes:
        colour = "red" if o.status == "failed" else "green"
        method = f"{o.method} (update)" if o.update and o.method == "REQUEST" else o.method
        table.add_row(f"{escape(o.occurrence)}\n{escape(o.start[:16].replace('T', ' '))}",
                      escape(f"{o.name} <{o.email}>"), f"{method} · {o.sequence}",
                      f"[{colour}]{o.status}[/]")
    Console().print(table)  # the terminal's width: long cells fold
    for o in report.failed:  # whole, on lines of their own: what each failure said
        click.echo(f"failed: {o.occurrence} to {o.email}: {o.detail}")
    written = [o.detail for o in report.outcomes if o.status == "outbox" and o.detail]
    if written:
        click.echo(f"{len(written)} message(s) written to the outbox {Path(written[0]).parent} "
                   "(`naptip outbox list`)")
    via = sorted({o.detail for o in report.outcomes if o.detail and o.status == "sent"})
    if via:
        click.echo("sent through " + ", ".join(via))
    if not report.ok:
        click.echo(f"{len(report.failed)} invitation(s) failed; they are retried on the next "
                   "run", err=True)
        raise SystemExit(1)
