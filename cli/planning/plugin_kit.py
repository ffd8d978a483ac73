"""``naptip plugin``: tools for plugin authors (new package, data schema, spreadsheet import)."""

from __future__ import annotations

from pathlib import Path

import click

from naptip.cli.app import App, pass_app
from naptip.cli.common import OUTPUT_FILE
from naptip.plan.scaffold import Scaffold, check_name, write_scaffold


@click.group("plugin")
def plugin_group() -> None:
    """Write a plugin: a new package, the data format's schema, a spreadsheet import."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--agency", "agency", metavar="ID",
              help="The agency it works for: an existing agency id (see `naptip agencies "
                   "list`) is referred to, a new one is declared [default: NAME].")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Where to create naptip-NAME/.")
@pass_app
def new(app: App, name: str, agency: str | None, parent: Path) -> None:
    """Create naptip-NAME/: an installable plugin package with data, code, tests, README."""
    check_name(name)
    agency_id = check_name(agency) if agency else name
    known = app.catalog.agencies.get(agency_id)
    root = write_scaffold(Scaffold(name=name, agency=agency_id, agency_known=known), parent)
    click.echo(f"created {root}")
    click.echo(f"next: naptip plugins check --path {root} && pip install -e {root} && "
               f"python -m pytest {root / 'tests'}")


@plugin_group.command("schema")
def schema() -> None:
    """Print the JSON Schema of the plugin data format (for editors and CI)."""
    from naptip.plan.datafiles.dataschema import schema_text

    click.echo(schema_text(), nl=False)


@plugin_group.command("import")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=OUTPUT_FILE,
              required=True, help="The data-only plugin file to write (e.g. plugins/x.toml).")
def import_csv(source: Path, output: Path) -> None:
    """Turn a spreadsheet (CSV) of activities into a data-only plugin file.

    Columns: id, objective, output, text, timeline, indicator, indicator_kind; optional:
    lead, support, parties, responsibility, cadence, target, disaggregate. ';' separates
    list items; a row repeating the previous id adds an indicator to that activity.
    """
    from naptip.base.errors import NaptipError
    from naptip.plan.datafiles.csvimport import csv_to_toml

    text, count = csv_to_toml(source)
    if output.exists():
        raise NaptipError(f"{output} already exists; not overwritten")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NaptipError(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {count} activities to {output}; check: naptip --plugins-dir "
               f"{output.parent} plugins check")
