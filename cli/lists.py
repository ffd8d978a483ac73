"""Committee lookup for the CLI and the ``status --list`` view."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import click

from naptip.base.errors import NaptipError
from naptip.base.lookup import unknown
from naptip.plan.catalog import Catalog

if TYPE_CHECKING:
    from naptip.store.db import Database


def resolve_committee(catalog: Catalog, given: str) -> str:
    """A committee from its id or name (English or Malay, any case), or from its lead
    agency or a member agency (``-c RMP``); a miss says what is close."""
    found = catalog.committee_id(given)
    if found:
        return found
    key = " ".join(given.split()).casefold()
    for c in catalog.committees.values():
        if key == c.lead_agency_short.casefold():
            return c.id
    for a in catalog.agencies.values():
        if key in {a.id.casefold(), a.short_name.casefold(), a.name.casefold()}:
            if len(a.committees) == 1:
                return a.committees[0]
            raise NaptipError(f"agency {a.short_name} sits on {', '.join(a.committees)}: "
                              "name the committee (--committee)")
    names = [*catalog.committees, *(c.lead_agency_short for c in catalog.committees.values()),
             *(a.short_name for a in catalog.agencies.values())]
    raise NaptipError(unknown("committee", given, names).replace("no committee",
                                                                 "unknown committee", 1))


def show_items(db: Database, plan_id: str, as_of: date, committee: str | None,
               year: int | None, fmt: str) -> None:
    from naptip.progress.status import status_items

    with db.reading() as session:
        items = status_items(session, plan_id, as_of, committee=committee, year=year)
    if fmt == "json":
        click.echo(json.dumps({"as_of": as_of.isoformat(), "committee": committee,
                               "year": year, "items": [
                                   {"id": i.id, "group": i.group, "due": i.due.isoformat(),
                                    "owner": i.owner, "title": i.title} for i in items]},
                              indent=2, ensure_ascii=False))
        return
    from naptip.base.text import safe
    from naptip.cli.width import cut, terminal_width

    if not items:
        click.echo(f"Nothing overdue, due, awaiting review or returned on {as_of}.")
        return
    # the terminal's width, ids whole; a title that does not fit is cut with "…", and goes
    # on a line of its own under its id when the line has no room for it
    width = terminal_width()
    group_w, id_w = max(len(i.group) for i in items), max(len(i.id) for i in items)
    left = group_w + 2 + 10 + 2 + id_w + 2
    beside = width - left >= 20
    click.echo(f"Open items on {as_of}" + (f" for {committee}" if committee else ""))
    click.echo()
    head = f"{'group':<{group_w}}  {'due':<10}  {'id':<{id_w}}" + ("  what" if beside else "")
    click.echo(head.rstrip() + ("" if beside else "\n  what"))
    click.echo("─" * (width if beside else left - 2))
    for i in items:
        what = safe(i.title) if committee else f"{i.owner}: {safe(i.title)}"
        line = f"{i.group:<{group_w}}  {i.due.isoformat():<10}  {i.id}"
        if beside:
            click.echo(f"{line:<{left}}{cut(what, width - left)}")
        else:
            click.echo(line)
            click.echo(f"  {cut(what, width - 2)}")
