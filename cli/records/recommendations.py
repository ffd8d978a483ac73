"""``naptip recommendations``: sets of recommendations (a TIP Report's, an annual
review's) imported, linked to the plan's activities, owned, updated and reviewed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from naptip.base.text import safe
from naptip.cli.app import App, as_of_option, pass_app
from naptip.cli.common import actor_name, actor_option

if TYPE_CHECKING:
    from naptip.progress.recommendations.refs import PlanRefs

_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                       default="table", show_default=True)


def plan_refs(app: App) -> PlanRefs:
    """The committees, and every known plan's activities: the built-in NAPTIP 3.0's from
    its catalog (its package's and the plugins' own entries), a package plan's from its
    package. A plain activity id is the command's plan's (``naptip --plan``, else the
    plan running today), as every command's."""
    from naptip.plan.plans import plan_catalog
    from naptip.progress.recommendations.refs import PlanRefs

    catalog = app.catalog
    activities: dict[str, set[str]] = {}
    for plan_id, known in app.plans.plans.items():
        if known.package is not None and not known.built_in:
            activities[plan_id] = {a.id for a in known.package.activities}
            continue
        own = catalog if catalog.structure.plan.id == plan_id else plan_catalog(
            app.loaded, app.plans, plan_id, settings=app.settings)
        activities[plan_id] = set(own.activities)
    return PlanRefs(committees=catalog.committees, activities=activities,
                    default_plan=catalog.structure.plan.id)


@click.group("recommendations")
def recommendations_group() -> None:
    """Recommendations (a TIP Report's, a review's) followed up: import, link, update.

    See docs/recommendations.md.
    """


@recommendations_group.command("import")
@click.argument("file", metavar="FILE.toml|FILE.csv|FILE.xlsx", type=click.Path(path_type=Path))
@click.option("--set", "set_id", required=True, metavar="ID",
              help="The set's id: us-tip-2025, review-2024 (new, or one to add items to).")
@click.option("--source", metavar="TEXT", help="Where the set comes from (a new set from a "
              "sheet needs it): \"US TIP Report 2025 — Malaysia\".")
@click.option("--issued", metavar="YYYY-MM-DD", help="The day the source was issued.")
@click.option("--url", metavar="URL", help="Where its text is published.")
@click.option("--dry-run", is_flag=True, help="Check every row and store nothing.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only refused rows, warnings and the summary.")
@actor_option
@pass_app
def import_(app: App, file: Path, set_id: str, source: str | None, issued: str | None,
            url: str | None, dry_run: bool, quiet: bool, actor: str | None) -> None:
    """Import a set's items from FILE: a TOML set file, or a sheet with the columns id,
    text, theme, lead, support, activities.

    Every bad cell is named FILE:ROW; the good rows are stored and audited. Items
    imported before are recognised (nothing is stored twice); one whose text changed is
    refused, never overwritten. Exit 1 when a row was refused, 130 on Ctrl-C (nothing
    is stored then: the rows are stored together or not at all).
    """
    from naptip.progress.recommendations.sets import import_set

    result = None
    try:  # Ctrl-C anywhere, the store's connections closed too: one line, never a traceback
        refs = plan_refs(app)
        app.warn_problems()
        result = import_set(app.db, refs, file, set_id=set_id, source=source,
                            issued=issued, url=url, importer=actor_name(actor),
                            login=actor is None, dry_run=dry_run)
        for row in result.rows:
            if row.outcome == "refused" or row.warning or not quiet:
                for line in row.lines(result.file):
                    click.echo(safe(line))
        click.echo(result.summary())
        app.close()
    except KeyboardInterrupt:
        if result is None or result.dry_run or not result.count("stored"):
            # the rows are stored in one transaction: an interrupted one stored none
            said = f"{file.name}: interrupted: nothing was stored; import the file again"
        else:
            said = (f"{file.name}: interrupted after the import: {result.summary()} (see "
                    f"`naptip recommendations list --set {result.set_id}`)")
        click.echo(said, err=True)
        raise SystemExit(130) from None
    if result.refused:
        raise SystemExit(1)


@recommendations_group.command("sets")
@_FORMAT
@pass_app
def sets(app: App, fmt: str) -> None:
    """The sets imported, with their items by status and their gaps."""
    from naptip.progress.recommendations.listing import set_rows

    with app.db.reading() as session:
        rows = set_rows(session)
    if fmt == "json":
        click.echo(json.dumps({"sets": rows}, indent=2, ensure_ascii=False))
        return
    table = _table("Recommendation sets")
    table.add_column("set", no_wrap=True)
    table.add_column("issued", no_wrap=True)
    table.add_column("items", justify="right", no_wrap=True)
    table.add_column("done", justify="right", no_wrap=True)
    table.add_column("gaps", justify="right", no_wrap=True)
    table.add_column("source", ratio=1, overflow="fold")
    for r in rows:
        table.add_row(r["set"], r["issued"], str(r["items"]),
                      str(r["by_status"].get("implemented", 0)), str(r["gaps"]),
                      _text(r["source"]))
    _print(table if rows else "No recommendation set yet (`naptip recommendations import`).")


@recommendations_group.command("list")
@click.option("--set", "set_id", metavar="ID", help="Only this set's items.")
@click.option("--committee", "-c", help="Led or supported by this committee.")
@click.option("--gaps", is_flag=True, help="Only the items no plan activity answers.")
@_FORMAT
@pass_app
def list_items(app: App, set_id: str | None, committee: str | None, gaps: bool,
               fmt: str) -> None:
    """Items with their status, lead and number of linked activities ("0 GAP": no
    activity answers it); `show` gives the whole text, JSON says which await review."""
    from naptip.cli.lists import resolve_committee
    from naptip.progress.recommendations.listing import item_rows

    wanted = resolve_committee(app.catalog, committee) if committee else None
    with app.db.reading() as session:
        rows = item_rows(session, as_of=app.today, set_id=set_id, committee=wanted,
                         gaps=gaps)
    if fmt == "json":
        click.echo(json.dumps({"items": rows}, indent=2, ensure_ascii=False))
        return
    from naptip.cli.width import cut, terminal_width

    table = _table("Recommendations")
    widths: list[int] = []

    def column(name: str, values: list[str], **kw: Any) -> None:
        width = max([len(name), *(len(v) for v in values)])
        widths.append(width)
        table.add_column(name, no_wrap=True, min_width=width, **kw)

    links = [f"{r['links']}" if not r["gap"] else "0 GAP" for r in rows]
    if set_id is None:
        column("set", [safe(r["set"]) for r in rows])
    column("item", [safe(r["item"]) for r in rows])
    column("status", [r["status"] for r in rows])
    column("lead", [r["lead"] or "-" for r in rows])
    column("links", links, justify="right")
    # the text takes what is left, cut with "…" (rich would squeeze the ids instead)
    room = max(terminal_width() - sum(widths) - 3 * len(widths) - 2, 12)
    table.add_column("text", no_wrap=True, min_width=min(room, 12))
    for r, linked in zip(rows, links, strict=True):
        cells = [_text(r["item"]), r["status"], r["lead"] or "-", linked,
                 _text(cut(safe(r["text"]), room))]
        table.add_row(*([_text(r["set"])] if set_id is None else []), *cells)
    _print(table if rows else "No recommendation matches.")


@recommendations_group.command("show")
@click.argument("set_id", metavar="SET")
@click.argument("item")
@_FORMAT
@as_of_option
@pass_app
def show(app: App, set_id: str, item: str, fmt: str) -> None:
    """One item: its text, owners, linked activities (their occurrences in the store as
    of today: accepted, awaiting review, open, overdue) and its updates."""
    from naptip.progress.recommendations.listing import item_detail

    with app.db.reading() as session:
        detail = item_detail(session, set_id, item, app.today)
    if fmt == "json":
        click.echo(json.dumps(detail, indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    console = Console(highlight=False)
    echo = console.print
    echo(f"[bold]{_text(detail['set'])} {_text(detail['item'])}[/bold] "
         f"({_text(detail['source'])})", soft_wrap=False)
    echo(_text(detail["text"]))
    if detail["theme"]:
        echo(f"theme:   {_text(detail['theme'])}")
    echo(f"status:  {detail['status']}")
    echo(f"lead:    {detail['lead'] or '- (the secretariat assigns it)'}")
    echo(f"support: {', '.join(detail['support']) or '-'}")
    if detail["gap"]:
        echo("GAP: no plan activity answers it (`naptip recommendations link`)")
    else:
        table = _table(f"Linked activities, occurrences as of {detail['as_of']}")
        table.add_column("activity", no_wrap=True)
        for name in ("occurrences", "accepted", "awaiting", "open", "overdue"):
            table.add_column(name, justify="right", no_wrap=True)
        for link in detail["links"]:
            n = link["occurrences"]
            shown = f"{link['plan']}:{link['activity']}"
            table.add_row(_text(shown), str(n["total"]) if n["total"] else "none stored",
                          str(n["accepted"]), str(n["awaiting"]), str(n["open"]),
                          str(n["overdue"]))
        echo(table)
    if not detail["updates"]:
        echo("No update yet (`naptip recommendations update`).")
    for u in detail["updates"]:
        echo(f"update #{u['id']} {u['submitted_at'][:10]} {u['status']} by "
             f"{_text(u['submitted_by'])}")
        echo(f"  {_text(u['narrative'])}")
        for link in u["links"]:
            echo(f"  link: {_text(link)}")
        for name in u["files"]:
            echo(f"  file: {_text(str(name))}")
        if u["reviewed_by"]:
            reason = f": {_text(u['reason'])}" if u["reason"] else ""
            echo(f"  {u['review']} {u['reviewed_at'][:10]} by {_text(u['reviewed_by'])}"
                 f"{reason}")
        else:
            echo(f"  {u['review']}: awaits the secretariat's review")


@recommendations_group.command("link")
@click.argument("set_id", metavar="SET")
@click.argument("item")
@click.argument("activities", nargs=-1, required=True, metavar="ACTIVITY...")
@click.option("--unlink", is_flag=True, help="Remove these links instead.")
@actor_option
@pass_app
def link(app: App, set_id: str, item: str, activities: tuple[str, ...], unlink: bool,
         actor: str | None) -> None:
    """Link an item to the activities that answer it: S4-O1-i (of the plan the command
    works on: --plan, else the plan running today) or naptip-3.0:S4-O1-i (another
    plan's). The secretariat's; audited."""
    from naptip.progress.recommendations import links

    changed = links.link(app.db, plan_refs(app), set_id, item, activities,
                         actor=actor_name(actor), login=actor is None, unlink=unlink)
    verb = "unlinked" if unlink else "linked"
    if changed.done:
        click.echo(f"{changed.item}: {verb} {', '.join(changed.done)}")
    if changed.unchanged:
        was = "not linked" if unlink else "already linked"
        click.echo(f"{changed.item}: {was}: {', '.join(changed.unchanged)}")


@recommendations_group.command("assign")
@click.argument("set_id", metavar="SET")
@click.argument("item")
@click.option("--lead", metavar="COMMITTEE", help="The lead committee (id or name).")
@click.option("--support", metavar="C,C",
              help="The supporting committees, separated by commas (replaces them; "
                   "\"\" clears them).")
@actor_option
@pass_app
def assign(app: App, set_id: str, item: str, lead: str | None, support: str | None,
           actor: str | None) -> None:
    """Give an item its lead and supporting committees. The secretariat's; audited."""
    from naptip.progress.recommendations import links
    from naptip.progress.recommendations.refs import split_list

    changed = links.assign(app.db, plan_refs(app), set_id, item, lead=lead,
                           support=None if support is None else split_list(
                               support, commas=True),
                           actor=actor_name(actor), login=actor is None)
    click.echo(f"{changed.item}: {'; '.join(changed.done or changed.unchanged)}")


@recommendations_group.command("update")
@click.argument("set_id", metavar="SET")
@click.argument("item")
@click.option("--status", required=True,
              type=click.Choice(["not-started", "in-progress", "implemented",
                                 "not-accepted"]),
              help="The item's status, as the lead sees it.")
@click.option("--narrative", required=True, metavar="TEXT",
              help="What was done, at most 2,000 characters. No personal data.")
@click.option("--link", "links", multiple=True, metavar="URL", help="A link (repeatable).")
@click.option("--file", "-f", "files", multiple=True, metavar="PATH",
              help="A document (repeatable); stored by content.")
@actor_option
@pass_app
def update(app: App, set_id: str, item: str, status: str, narrative: str,
           links: tuple[str, ...], files: tuple[str, ...], actor: str | None) -> None:
    """Report an item's progress, by a contact of its lead or supporting committees (or
    the secretariat). It awaits the secretariat's review."""
    from naptip.progress.recommendations.updates import UpdateDraft, submit_update

    draft = UpdateDraft(set_id=set_id, item=item, status=status, narrative=narrative,
                        links=links, files=files, actor=actor_name(actor))
    row = submit_update(app.db, draft, login=actor is None,
                        max_file_mb=app.settings.max_file_mb)
    click.echo(f"update #{row.id} submitted for {set_id} {item} ({status}); it awaits "
               "review")


@recommendations_group.command("review")
@click.argument("set_id", metavar="SET")
@click.argument("item")
@click.option("--accept", is_flag=True, help="Accept it: the item takes its status.")
@click.option("--return", "reason", metavar="REASON", help="Return it, saying why.")
@actor_option
@pass_app
def review(app: App, set_id: str, item: str, accept: bool, reason: str | None,
           actor: str | None) -> None:
    """Review an item's update awaiting review: the secretariat's; not one's own."""
    from naptip.progress.recommendations.updates import review_update

    if accept == (reason is not None):
        raise click.UsageError("give exactly one of --accept or --return REASON")
    row = review_update(app.db, set_id, item, accept=accept, reason=reason,
                        actor=actor_name(actor), login=actor is None)
    tail = f"; {set_id} {item} is now {row.status}" if accept else ""
    click.echo(f"update #{row.id} {row.review}{tail}")


def _text(value: Any) -> str:
    from rich.markup import escape

    return escape(safe(str(value)))


def _table(title: str) -> Any:
    from rich import box
    from rich.table import Table

    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def _print(what: Any) -> None:
    from rich.console import Console

    Console().print(what)
