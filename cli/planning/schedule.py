"""``naptip schedule``: what is due when, and why it exists."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import click

from naptip.base.errors import NaptipError
from naptip.cli.app import App, as_of_option, parse_day_option, pass_app
from naptip.occurrences.schedule import (
    Occurrence,
    OccurrenceKind,
    Schedule,
    build_schedule,
    plan_running,
)
from naptip.occurrences.schedule import still_open as open_after_plan
from naptip.plan.catalog import Catalog

if TYPE_CHECKING:
    from naptip.occurrences.stored_schedule import StoredRow

DEFAULT_DAYS = 60


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return None if value is None else parse_day_option(value, param)


def occurrence_dict(o: Occurrence) -> dict[str, Any]:
    return {
        "id": o.id, "kind": str(o.kind), "title": o.title, "owner": o.owner,
        "support": list(o.support), "host": o.host, "due": o.due.isoformat(),
        "unshifted": o.unshifted.isoformat(), "shifted": o.shifted, "state": o.state,
        "start": o.start.isoformat() if o.start else None,
        "end": o.end.isoformat() if o.end else None, "period": o.period,
        "activity": o.activity, "duty": o.duty, "plugin": o.plugin, "rule": o.rule,
        "shift_reason": o.shift_reason(), "version": o.version, "source": o.source,
    }


@click.group(invoke_without_command=True)
@click.option("--from", "start", callback=_day, metavar="YYYY-MM-DD",
              help="First day shown [default: the as-of day].")
@click.option("--to", "end", callback=_day, metavar="YYYY-MM-DD",
              help=f"Last day shown [default: {DEFAULT_DAYS} days after --from].")
@click.option("--committee", "-c", help="Owned, supported or hosted by this committee.")
@click.option("--kind", "-k", type=click.Choice([k.value for k in OccurrenceKind]),
              help="Only this kind of occurrence.")
@click.option("--agency", "-a", help="Hosted by this agency, or for an activity naming it.")
@click.option("--plugin", "plugin", help="Declared by this plugin.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@as_of_option
@click.pass_context
def schedule(ctx: click.Context, start: date | None, end: date | None, committee: str | None,
             kind: str | None, agency: str | None, plugin: str | None, fmt: str) -> None:
    """What is due, day by day (see also: naptip schedule explain ID)."""
    if ctx.invoked_subcommand is not None:
        return
    app = ctx.find_object(App)
    assert app is not None
    catalog = app.catalog
    app.warn_problems()
    as_of = app.today
    running = plan_running(catalog, as_of)
    first = start or as_of
    last = end or first + timedelta(days=DEFAULT_DAYS - 1)
    if not running and start is None and end is None:
        # Outside the plan the default is everything still open, wherever it falls.
        first, last = date.min, date.max
    if last < first:
        raise NaptipError(f"--to {last} is before --from {first}")
    wanted = None
    if committee:
        from naptip.base.lookup import match_id
        from naptip.cli.lists import resolve_committee

        wanted = (catalog.committee_id(committee) or match_id(committee, catalog.agencies)
                  or resolve_committee(catalog, committee))
    rows_stored = _stored_rows(app, catalog)
    plan = _as_stored(build_schedule(catalog), rows_stored)
    stored = ({oid: row.status for oid, row in rows_stored.items()}
              if rows_stored is not None else None)
    done = ({oid for oid, state in stored.items() if state == "accepted"}
            if stored is not None and not running else None)
    rows = _select(plan, running=running, as_of=as_of, done=done,
                   first=first, last=last, committee=wanted, kind=kind, catalog=catalog)
    if agency or plugin:
        from naptip.plan.agencies import agency_id, occurrence_involves, plugin_name

        by_agency = agency_id(catalog, agency) if agency else None
        by_plugin = plugin_name(catalog, set(app.loaded.infos), plugin) if plugin else None
        rows = [o for o in rows
                if (by_agency is None or occurrence_involves(catalog, o, by_agency))
                and (by_plugin is None or o.plugin == by_plugin)]
    if not running:
        p = catalog.structure.plan
        basis = ("work not yet accepted in the store" if done is not None
                 else "work due after the plan's end (no store found)")
        click.echo(f"note: the plan is not running on {as_of} ({p.short_title} runs {p.start} "
                   f"to {p.end}); showing only what is still open: {basis}", err=True)
    _warn_estimated(rows)
    if fmt == "json":
        click.echo(json.dumps({
            "as_of": as_of.isoformat(), "from": first.isoformat(), "to": last.isoformat(),
            "plan_running": running, "occurrences": [occurrence_dict(o) for o in rows],
        }, ensure_ascii=False, indent=2))
        return
    from naptip.cli.render import show_schedule

    title = None
    if not running and start is None and end is None:
        p = catalog.structure.plan
        title = (f"Still open after the plan's end ({p.end}), as of {as_of}: "
                 + ("work not yet accepted" if done is not None else "work due after the end"))
    show_schedule(rows, first, last, as_of, stored=stored, title=title)


def _warn_estimated(rows: list[Occurrence]) -> None:
    """Say which dates shown depend on a holiday the holiday data only estimates."""
    from naptip.time.workdays import estimated_holidays

    for o in rows:
        for day, name in estimated_holidays(o.state, o.unshifted, o.due):
            click.echo(f"warning: {o.id}: its date depends on an estimated holiday, {name} "
                       f"on {day:%a %d %b %Y}", err=True)


def _select(plan: Schedule, *, running: bool, as_of: date, first: date, last: date,
            committee: str | None, kind: str | None, catalog: Catalog,
            done: set[str] | None) -> list[Occurrence]:
    if running:
        rows = plan.between(first, last)
    else:
        open_ids = {o.id for o in open_after_plan(plan, catalog, as_of, done)}
        rows = [o for o in plan.between(first, last) if o.id in open_ids]
    return [o for o in rows
            if (committee is None or committee in (o.owner, *o.support, o.host))
            and (kind is None or o.kind == kind)]


def _stored_rows(app: App, catalog: Catalog) -> dict[str, StoredRow] | None:
    """The stored occurrences (their status: open, submitted, returned, accepted,
    withdrawn), when a synced store exists; never creates one. Warns (one line) when the
    plugins or configuration differ from the ones the store was synced with: the schedule
    shown is the store's (`naptip sync --dry-run` previews a change)."""
    if not app.store_may_exist():
        return None
    try:
        db = app.store()
    except NaptipError:
        return None
    from naptip.occurrences.stored_schedule import stored_rows

    return stored_rows(db, catalog) or None


def _as_stored(plan: Schedule, rows: dict[str, StoredRow] | None) -> Schedule:
    """What the store holds, where a store exists (see ``naptip.occurrences.stored_schedule``)."""
    if rows is None:
        return plan
    from naptip.occurrences.stored_schedule import as_stored

    return as_stored(plan, rows)


@schedule.command("explain")
@click.argument("occurrence_id")
@as_of_option
@pass_app
def explain(app: App, occurrence_id: str) -> None:
    """Why an occurrence exists, whose it is, and how its date was found."""
    app = app.for_occurrences([occurrence_id])  # a closed plan's item, without --plan
    catalog = app.catalog
    app.warn_problems()
    plan = _as_stored(build_schedule(catalog), _stored_rows(app, catalog))
    from naptip.base.lookup import match_id, unknown

    found = match_id(occurrence_id, plan.by_id)
    if found is None:
        raise NaptipError(unknown("occurrence has the id", occurrence_id, plan.by_id))
    o = plan.by_id[found]
    from naptip.cli.render import show_occurrence

    show_occurrence(catalog, plan, o, app.today)
    from naptip.cli.stored import show_stored

    show_stored(app, o.id)
