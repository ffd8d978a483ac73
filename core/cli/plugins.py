"""``naptip plugins``: what is installed, and whether it is all valid."""

from __future__ import annotations

import json
from typing import Any

import click

from .app import App, pass_app


@click.group()
def plugins() -> None:
    """Installed plugins: list them, check them."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_plugins(app: App, as_json: bool) -> None:
    """Name, version, package, hooks and what each plugin contributes."""
    loaded, catalog = app.loaded, app.catalog
    counts = catalog.counts_by_plugin()
    rows: list[dict[str, Any]] = []
    for info in loaded.infos.values():
        per = counts.get(info.name, {"committees": 0, "agencies": 0, "activities": 0,
                                     "duties": 0})
        rows.append({
            "name": info.name,
            "version": info.version,
            "package": info.package,
            "module": info.module,
            "source": info.source,
            "builtin": info.builtin,
            "hooks": loaded.hooks_of(info.name),
            **per,
        })
    if as_json:
        click.echo(json.dumps({"plugins": rows,
                               "problems": [str(p) for p in catalog.problems]}, indent=2))
        return
    app.warn_problems()
    from rich.console import Console
    from rich.table import Table

    table = Table(title="naptip plugins", title_justify="left")
    table.add_column("name", no_wrap=True, style="bold")
    table.add_column("version", no_wrap=True)
    table.add_column("package", no_wrap=True)
    # one folded column, so that the table stays readable at 80 columns
    table.add_column("contributes · hooks", overflow="fold", ratio=1)
    for row in rows:
        made = ", ".join(f"{row[k]} {k}" for k in ("committees", "activities", "agencies",
                                                      "duties") if row[k])
        hooks = " ".join(h.removeprefix("naptip_") for h in row["hooks"])
        table.add_row(row["name"], row["version"] or "-", row["package"] or "-",
                      f"{made or 'nothing'}\n[dim]{hooks}[/]")
    Console().print(table)


@plugins.command("check")
@pass_app
def check(app: App) -> None:
    """Validate every plugin: exit 0 when clean, 1 with one line per problem."""
    catalog = app.catalog
    problems = list(catalog.problems)
    # Commands are added at start-up, where failures cannot be shown; check them here.
    probe = click.Group("naptip")
    for _name, _result in app.loaded.call_each("naptip_register_commands", problems, cli=probe):
        pass
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.exceptions.Exit(1)
    click.echo(
        f"ok: {len(app.loaded.infos)} plugins, {len(catalog.committees)} committees, "
        f"{len(catalog.activities)} activity entries, {len(catalog.agencies)} agencies, "
        f"{len(catalog.duties)} duties"
    )
