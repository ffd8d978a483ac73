"""Committee lookup for the CLI and the ``status --list`` view."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import click

from ..catalog import Catalog
from ..errors import NaptipError
from ..lookup import unknown

if TYPE_CHECKING:
    from ..db import Database


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
    from ..status import status_items

    with db.reading() as session:
        items = status_items(session, plan_id, as_of, committee=committee, year=year)
    if fmt == "json":
        click.echo(json.dumps({"as_of": as_of.isoformat(), "committee": committee,
                               "year": year, "items": [
                                   {"id": i.id, "group": i.group, "due": i.due.isoformat(),
                                    "owner": i.owner, "title": i.title} for i in items]},
                              indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ..text import safe

    if not items:
        click.echo(f"Nothing overdue, due, awaiting review or returned on {as_of}.")
        return
    from rich import box

    # 80 columns with ids whole: no side borders; the owner goes with the title
    table = Table(title=f"Open items on {as_of}" + (f" for {committee}" if committee else ""),
                  title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    console = Console()
    group_w, id_w = max(len(i.group) for i in items), max(len(i.id) for i in items)
    room = console.width - (group_w + 10 + id_w + 6)  # what is left for the title
    table.add_column("group", no_wrap=True, min_width=group_w)
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("id", no_wrap=True, min_width=id_w)
    if room >= 16:  # else the ids alone: `schedule explain ID` has the rest
        table.add_column("what", overflow="ellipsis", no_wrap=True, max_width=room)
    for i in items:
        what = escape(safe(i.title)) if committee else f"{i.owner}: {escape(safe(i.title))}"
        table.add_row(i.group, i.due.isoformat(), i.id, *([what] if room >= 16 else []))
    console.print(table)
