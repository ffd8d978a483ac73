"""``naptip report annual|final|committee|recommendations``: the M&E Committee's
reports."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import OUTPUT_FILE, actor_name, actor_option, write_output

if TYPE_CHECKING:
    from naptip.reports import Report

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
    f = click.option("--save", is_flag=True,
                     help="Also keep the report as presented in the store (its file, its "
                          "JSON and their hash, in the audit log): `naptip report list` and "
                          "`report show ID` give it back byte for byte.")(f)
    f = actor_option(f)
    return as_of_option(f)


@click.group("report")
def report_group() -> None:
    """Reports for the Monitoring and Evaluation Committee (annual review, final
    evaluation, a committee's progress)."""


def _emit(app: App, kind: str, fmt: str, output: Path | None, lang: str, *,
          year: int | None = None, committee: str | None = None, save: bool = False,
          actor: str | None = None) -> None:
    from naptip.reports import make_report, resolve_scope

    if fmt in ("pdf", "xlsx") and output is None:
        raise click.UsageError(f"--format {fmt} needs -o FILE")
    who = actor_name(actor) if save else ""
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
        if fmt == "pdf":
            status.update("building the report: printing to PDF with Chromium")
        content = _render(report, fmt, output)
        if output is None:
            click.echo(content.decode("utf-8"), nl=False)
        elif fmt != "xlsx":
            write_output(output, content)
    if output is not None:
        click.echo(f"wrote {output} ({report.title}, {fmt})", err=True)
    if save:
        from naptip.reports.snapshot import save_snapshot
        from naptip.reports.tabular import render_json

        saved = save_snapshot(db, kind=scope.kind, years=scope.years,
                              committee=scope.committee, lang=lang, fmt=fmt, as_of=app.today,
                              title=report.title, figures=render_json(report),
                              content=content, actor=who)
        click.echo(f"saved as report #{saved.id} (SHA-256 {saved.sha256}): "
                   f"`naptip report show {saved.id}` gives it back", err=True)


def _render(report: Report, fmt: str, output: Path | None) -> bytes:
    """The bytes presented: the file written, or what goes to standard output."""
    if fmt == "xlsx":
        from naptip.reports.tabular import write_xlsx

        assert output is not None
        write_output(output, lambda path: write_xlsx(report, path))
        return output.read_bytes()
    if fmt == "pdf":
        from naptip.reports.browser import html_to_pdf
        from naptip.reports.html import render_html

        return html_to_pdf(render_html(report))
    from naptip.reports import html as html_mod
    from naptip.reports import tabular

    text = {"html": html_mod.render_html, "json": tabular.render_json,
            "csv": tabular.render_csv}[fmt](report)
    return text.encode("utf-8")


@report_group.command("annual")
@click.option("--year", "-y", type=int, required=True, help="The plan year (2021–2025).")
@_output_options
@pass_app
def annual(app: App, year: int, fmt: str, output: Path | None, lang: str, save: bool,
           actor: str | None) -> None:
    """The Annual Review Report of one plan year."""
    _emit(app, "annual", fmt, output, lang, year=year, save=save, actor=actor)


@report_group.command("final")
@_output_options
@pass_app
def final(app: App, fmt: str, output: Path | None, lang: str, save: bool,
          actor: str | None) -> None:
    """The final evaluation: the whole plan, 2021–2025."""
    _emit(app, "final", fmt, output, lang, save=save, actor=actor)


@report_group.command("committee")
@click.argument("committee")
@click.option("--year", "-y", type=int, help="Only this plan year (default: all).")
@_output_options
@pass_app
def committee(app: App, committee: str, year: int | None, fmt: str, output: Path | None,
              lang: str, save: bool, actor: str | None) -> None:
    """One committee's progress, for its meeting (id, name or Malay name)."""
    _emit(app, "committee", fmt, output, lang, year=year, committee=committee, save=save,
          actor=actor)


@report_group.command("recommendations")
@click.option("--set", "set_id", required=True, metavar="ID",
              help="The recommendation set (`naptip recommendations sets`).")
@click.option("--committee", "-c", help="Only the items this committee leads (id, name or "
                                         "Malay name).")
@click.option("--lang", type=click.Choice(["en", "ms"]), default="en", show_default=True,
              help="Language of the report.")
@click.option("-o", "--output", type=OUTPUT_FILE,
              help="Write to this file (default: standard output; pdf and xlsx need a "
                   "file).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html",
              show_default=True)
@as_of_option
@pass_app
def recommendations(app: App, set_id: str, committee: str | None, lang: str,
                    output: Path | None, fmt: str) -> None:
    """The follow-up of a recommendation set: items by status, by lead committee, the gaps
    (no linked activity), then every item with its last update and linked activities."""
    from naptip.reports.recommendations import make_followup_report

    if fmt in ("pdf", "xlsx") and output is None:
        raise click.UsageError(f"--format {fmt} needs -o FILE")
    report = make_followup_report(app.store(), app.catalog, set_id, as_of=app.today,
                                  lang=lang, committee=committee)
    content = _render(report, fmt, output)
    if output is None:
        click.echo(content.decode("utf-8"), nl=False)
        return
    if fmt != "xlsx":
        write_output(output, content)
    click.echo(f"wrote {output} ({report.title}, {fmt})", err=True)


@report_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="As JSON.")
@pass_app
def list_saved(app: App, as_json: bool) -> None:
    """The reports saved with --save: number, report, as-of day, format, when and by whom."""
    import json

    from naptip.base.text import safe
    from naptip.reports.snapshot import list_snapshots

    saved = list_snapshots(app.db)
    if as_json:
        click.echo(json.dumps([{
            "id": s.id, "report": s.kind, "years": list(s.years), "committee": s.committee,
            "lang": s.lang, "format": s.format, "as_of": s.as_of.isoformat(),
            "title": s.title, "saved_at": s.saved_at.isoformat(), "saved_by": s.saved_by,
            "sha256": s.sha256, "bytes": s.size} for s in saved], indent=2,
            ensure_ascii=False))
        return
    if not saved:
        click.echo("no saved reports (save one with `naptip report ... --save`)")
        return
    def cut(text: str, width: int) -> str:
        text = safe(text)
        return text if len(text) <= width else text[:width - 1] + "…"

    from naptip.time.clock import shown_time

    for s in saved:  # three lines of at most 80 columns each
        click.echo(f"#{s.id:<4} {cut(s.title, 74)}")
        click.echo(f"      as of {s.as_of} · {s.format}, {s.lang} · {s.size:,} bytes · "
                   f"SHA-256 {s.sha256[:12]}…")
        click.echo(f"      saved {shown_time(s.saved_at)} by {cut(s.saved_by, 40)}")


@report_group.command("show")
@click.argument("snapshot_id", metavar="ID", type=click.IntRange(min=1))
@click.option("-o", "--output", type=OUTPUT_FILE,
              help="Write the file as presented here (pdf and xlsx need one; default: "
                   "standard output).")
@click.option("--json", "as_json", is_flag=True,
              help="Give the report's JSON figures instead of the file.")
@pass_app
def show_saved(app: App, snapshot_id: int, output: Path | None, as_json: bool) -> None:
    """Give back saved report ID exactly as it was presented (checked against its hash)."""
    from naptip.reports.snapshot import load_snapshot

    saved = load_snapshot(app.db, snapshot_id)
    data = saved.figures.encode("utf-8") if as_json else saved.content
    if output is None:
        if not as_json and saved.info.format in ("pdf", "xlsx"):
            raise click.UsageError(f"report #{snapshot_id} is {saved.info.format}: give -o FILE")
        click.echo(data, nl=False)
        return
    write_output(output, data)
    what = "JSON" if as_json else saved.info.format
    click.echo(f"wrote {output} (report #{snapshot_id}, {saved.info.title}, {what}, "
               f"SHA-256 {hashlib.sha256(data).hexdigest()})", err=True)


from naptip.cli.records.narrative import narrative_group  # noqa: E402  (the group is defined above)

report_group.add_command(narrative_group)
