"""``naptip report annual|final|committee``: the M&E Committee's reports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .app import App, as_of_option, pass_app
from .common import OUTPUT_FILE

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("html", "pdf", "xlsx", "json", "csv")


def _output_options(f: F) -> F:
    f = click.option("--lang", type=click.Choice(["en", "ms"]), default="en",
                     show_default=True, help="Language of the report.")(f)
    f = click.option("-o", "--output", type=OUTPUT_FILE,
                     help="Write to this file (default: standard output; pdf and xlsx "
                          "need a file).")(f)
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="html",
                     show_default=True)(f)
    return as_of_option(f)


@click.group("report")
def report_group() -> None:
    """Reports for the Monitoring and Evaluation Committee (annual review, final
    evaluation, a committee's progress)."""


def _emit(app: App, kind: str, fmt: str, output: Path | None, lang: str, *,
          year: int | None = None, committee: str | None = None) -> None:
    from ..reports import make_report, resolve_scope

    if fmt in ("pdf", "xlsx") and output is None:
        raise click.UsageError(f"--format {fmt} needs -o FILE")
    catalog = app.catalog
    app.warn_problems()
    scope = resolve_scope(catalog, kind, year=year, committee=committee)
    db = app.store()
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("building the report") as status:
        def step(what: str) -> None:
            status.update(f"building the report: {what}")

        report = make_report(db, catalog, scope, as_of=app.today, lang=lang,
                             plugins=app.loaded, charts=fmt in ("html", "pdf"), step=step)
        for problem in report.warnings:
            click.echo(f"warning: {problem}", err=True)
        if fmt == "xlsx":
            from ..reports.tabular import write_xlsx

            assert output is not None
            write_xlsx(report, output)
        elif fmt == "pdf":
            from ..reports.browser import html_to_pdf
            from ..reports.html import render_html

            assert output is not None
            status.update("building the report: printing to PDF with Chromium")
            output.write_bytes(html_to_pdf(render_html(report)))
        else:
            from ..reports import html as html_mod
            from ..reports import tabular

            text = {"html": html_mod.render_html, "json": tabular.render_json,
                    "csv": tabular.render_csv}[fmt](report)
            if output is None:
                click.echo(text, nl=False)
            else:
                output.write_text(text, encoding="utf-8")
    if output is not None:
        click.echo(f"wrote {output} ({report.title}, {fmt})", err=True)


@report_group.command("annual")
@click.option("--year", "-y", type=int, required=True, help="The plan year (2021–2025).")
@_output_options
@pass_app
def annual(app: App, year: int, fmt: str, output: Path | None, lang: str) -> None:
    """The Annual Review Report of one plan year."""
    _emit(app, "annual", fmt, output, lang, year=year)


@report_group.command("final")
@_output_options
@pass_app
def final(app: App, fmt: str, output: Path | None, lang: str) -> None:
    """The final evaluation: the whole plan, 2021–2025."""
    _emit(app, "final", fmt, output, lang)


@report_group.command("committee")
@click.argument("committee")
@click.option("--year", "-y", type=int, help="Only this plan year (default: all).")
@_output_options
@pass_app
def committee(app: App, committee: str, year: int | None, fmt: str, output: Path | None,
              lang: str) -> None:
    """One committee's progress, for its meeting (id, name or Malay name)."""
    _emit(app, "committee", fmt, output, lang, year=year, committee=committee)
