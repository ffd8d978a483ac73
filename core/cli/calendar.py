"""``naptip calendar``: iCalendar feeds of the plan, per committee and for the whole plan.

icalendar is imported only when a calendar command runs (core does not depend on it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..errors import NaptipError
from .app import App, as_of_option, pass_app

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
    from naptip.calendars.publish import publish_instant, record
    from naptip.calendars.source import occurrences_to_publish

    catalog = app.catalog
    app.warn_problems()
    clock_set = app.as_of is not None or bool(os.environ.get("NAPTIP_AS_OF"))
    db = app.store()
    return record(db, catalog, occurrences_to_publish(catalog, db),
                  now=publish_instant(app.today if clock_set else None), today=app.today,
                  keep_cancelled_days=keep)


@calendar_group.command("export")
@click.option("--committee", "-c", metavar="C",
              help="Only what this committee (or agency) leads, supports or hosts.")
@click.option("--all", "whole", is_flag=True, help="The whole plan (the default).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output.")
@keep_option
@as_of_option
@pass_app
def export(app: App, committee: str | None, whole: bool, output: Path | None,
           keep: int) -> None:
    """One feed as .ics: the whole plan, or one committee's."""
    from naptip.calendars.publish import committee_scope, feed_bytes, plan_scope, write_atomic

    if committee and whole:
        raise click.UsageError("give --committee or --all, not both")
    catalog = app.catalog
    if committee:
        wanted = catalog.committee_id(committee) or (
            committee if committee in catalog.agencies else None)
        if wanted is None:
            raise click.BadParameter(f"unknown committee {committee!r}",
                                     param_hint="--committee")
        scope = committee_scope(catalog, wanted)
    else:
        scope = plan_scope(catalog)
    data = feed_bytes(catalog, scope, _recorded(app, keep).published)
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
    """Write one .ics per committee, the whole plan and each private feed into DIR."""
    from naptip.calendars.publish import contact_scopes, public_scopes
    from naptip.calendars.publish import publish as write_feeds

    recorded = _recorded(app, keep)
    scopes = [*public_scopes(app.catalog), *contact_scopes(app.db, app.catalog)]
    try:
        written = write_feeds(app.db, app.catalog, recorded.published, directory, scopes)
    except OSError as exc:
        raise NaptipError(f"cannot publish into {directory}: {exc.strerror or exc}") from None
    for w in written:
        state = "written" if w.changed else "unchanged"
        click.echo(f"{w.path.name}\t{w.entries} entries\t{state}")
    click.echo(f"{len(recorded.created)} new, {len(recorded.changed)} changed, "
               f"{len(recorded.cancelled)} cancelled, {len(recorded.restored)} restored "
               "since the last publication", err=True)


@calendar_group.command("links")
@click.option("--base-url", metavar="URL", default="",
              help="Where the published folder is served, e.g. https://host/feeds/")
@pass_app
def links(app: App, base_url: str) -> None:
    """The file (or URL) of every feed: public ones by name, private ones by token."""
    from naptip.calendars.publish import links as private_links
    from naptip.calendars.publish import public_scopes

    base = base_url.rstrip("/") + "/" if base_url else ""
    for scope in public_scopes(app.catalog):
        click.echo(f"{scope.key}\t{base}{scope.filename}")
    for key, name in private_links(app.db):
        click.echo(f"{key}\t{base}{name}")
