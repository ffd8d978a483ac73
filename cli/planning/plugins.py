"""``naptip plugins``: what is installed, and whether it is all valid."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from naptip.base.needs import needs_of
from naptip.cli.app import App, pass_app


@click.group()
def plugins() -> None:
    """Installed plugins: list them, check them."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_plugins(app: App, as_json: bool) -> None:
    """Name, version, package, hooks and what each plugin contributes; and the plan
    package that declares the plan's activities."""
    loaded, catalog = app.loaded, app.catalog
    counts = catalog.counts_by_plugin()
    rows: list[dict[str, Any]] = []
    for info in loaded.infos.values():
        needs = needs_of(loaded.pm.get_plugin(info.name))
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
            "requires": list(needs.requires),
            "api_version": needs.api_version,
            "status": "loaded",
            "error": None,
            **per,
        })
    for info, reason in loaded.failed.values():
        rows.append({
            "name": info.name, "version": info.version, "package": info.package,
            "module": info.module, "source": info.source, "builtin": info.builtin,
            "hooks": [], "requires": [], "api_version": None, "status": "failed",
            "error": reason,
            "committees": 0, "agencies": 0, "activities": 0, "duties": 0,
        })
    packages = _package_rows(app, counts)
    if as_json:
        click.echo(json.dumps({"plugins": rows, "plan_packages": packages,
                               "problems": [str(p) for p in catalog.problems]}, indent=2))
        return
    app.warn_problems()
    from rich.console import Console
    from rich.markup import escape
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
                      f"[red]FAILED[/red]: {escape(row['error'])}" if row["error"] else
                      f"{made or 'nothing'}\n[dim]{hooks}[/]")
    for row in packages:
        table.add_row(row["plan"], "-", "plan package",
                      f"{row['activities']} activities\n[dim]{escape(row['origin'])}[/]")
    Console().print(table)


def _package_rows(app: App, counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The plan package of the plan worked on, which declares its activities (NAPTIP 3.0's
    is shipped with naptip: issue 19)."""
    from naptip.plan.catalog import PACKAGE_PREFIX
    from naptip.plan.package import builtin_package_folder

    known = app.plan
    name = f"{PACKAGE_PREFIX}{known.id}"
    folder = known.package.source if known.package else builtin_package_folder()
    return [{"name": name, "plan": known.id, "source": str(folder),
             "origin": "shipped with naptip" if known.built_in else known.origin,
             "built_in": known.built_in,
             "activities": counts.get(name, {}).get("activities", 0)}]


@plugins.command("check")
@click.option("--path", "path", type=click.Path(path_type=Path),
              help="Check this plugin package (folder with pyproject.toml), data-only "
                   "plugin (TOML file or folder) or plan package (folder with plan.toml) "
                   "before it is installed.")
@pass_app
def check(app: App, path: Path | None) -> None:
    """Validate every plugin: exit 0 when clean, 1 with one line per problem.

    Warnings (such as a duty whose DTSTART is not in Kuala Lumpur time) are shown but do
    not fail the check.
    """
    if path is not None:
        _check_path(app, path)
        return
    catalog = app.catalog
    problems = list(catalog.problems)
    # Commands are added at start-up, where failures cannot be shown; check them here.
    probe = click.Group("naptip")
    for _name, _result in app.loaded.call_each("naptip_register_commands", problems, cli=probe):
        pass
    from naptip.plan.zonecheck import zone_warnings

    for warning in [*catalog.warnings, *zone_warnings(catalog)]:
        click.echo(f"warning: {warning}", err=True)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        raise click.exceptions.Exit(1)
    click.echo(
        f"ok: {len(app.loaded.infos)} plugins, {len(catalog.committees)} committees, "
        f"{len(catalog.activities)} activity entries, {len(catalog.agencies)} agencies, "
        f"{len(catalog.duties)} duties"
    )


def _check_path(app: App, path: Path) -> None:
    from naptip.plan.packagecheck import check_path

    report = check_path(path, app.settings, committees=set(app.catalog.committees))
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if report.problems:
        for problem in report.problems:
            click.echo(problem)
        raise click.exceptions.Exit(1)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items()))
    click.echo(f"ok: {path}: {report.kind} {', '.join(report.plugins)} "
               f"({counts or 'nothing declared'})")
