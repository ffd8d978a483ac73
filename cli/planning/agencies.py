"""``naptip agencies``: the member agencies, their ids, committees, states and plugins."""

from __future__ import annotations

import json
from typing import Any

import click

from naptip.cli.app import App, pass_app


@click.group("agencies")
def agencies_group() -> None:
    """Member agencies of the committees (ids to use in plugins, hosts and filters)."""


@agencies_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_agencies(app: App, as_json: bool) -> None:
    """Id, name, committees, state and the plugin that declared each agency."""
    catalog = app.catalog
    app.warn_problems()
    rows: list[dict[str, Any]] = [{
        "id": a.id, "name": a.name, "short_name": a.short_name, "name_ms": a.name_ms,
        "committees": list(a.committees), "state": a.state, "units": list(a.units),
        "declared_by": catalog.plugin_of("agency", a.id),
        "extended_by": sorted(catalog.agency_extended_by.get(a.id, ())),
    } for a in sorted(catalog.agencies.values(), key=lambda a: a.id)]
    if as_json:
        click.echo(json.dumps({"agencies": rows}, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    from naptip.cli.width import wrapped

    table = Table(title="naptip agencies", title_justify="left")
    for column in ("id", "short name", "name", "committees", "state", "declared by"):
        # ids whole (one committee a line); names fold at the terminal's width
        table.add_column(column, overflow="fold",
                         no_wrap=column in ("id", "short name", "committees"))
    for row in rows:
        plugins = " + ".join([row["declared_by"], *row["extended_by"]])
        table.add_row(row["id"], row["short_name"], row["name"], "\n".join(row["committees"]),
                      row["state"], plugins)
    Console().print(table)
    click.echo(wrapped("A plugin adds units, committees or a state to an agency with "
                       "[[agency_extension]] (docs/plugin-authors.md); it never declares the "
                       "agency again."))
