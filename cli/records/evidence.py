"""``naptip evidence``: submit, review, list and show completion evidence."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import click

from naptip.base.errors import NaptipError
from naptip.base.text import echo_cut, safe
from naptip.cli.app import App, as_of_option, parse_day_option, pass_app
from naptip.cli.common import OUTPUT_FILE, actor_name, actor_option
from naptip.time.clock import PLAN_TZ, shown_time

MAX_ID = 2**31 - 1  #: evidence numbers are 32-bit on every database

#: options that take several KEY=VALUE words after one flag: --sex female=12 male=30
_MULTI = {"--value", "--sex", "--nationality", "--age"}


class KeyValueCommand(click.Command):
    """Lets ``--sex female=12 male=30`` mean ``--sex female=12 --sex male=30``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        out: list[str] = []
        current: str | None = None
        for arg in args:
            if arg.startswith("-"):
                current = arg if arg in _MULTI else None
                out.append(arg)
            elif current and "=" in arg and out[-1] != current:
                out += [current, arg]
            else:
                out.append(arg)
        return super().parse_args(ctx, out)


#: in a breakdown, "adult=40,child=2" is two pairs; "female=1,250" is one (1,250 people)
_NEXT_PAIR = re.compile(r",(?=\s*[^\W\d][^,=]*=)")


def _pairs(values: tuple[str, ...], option: str, *, split: bool = False) -> dict[str, str]:
    """KEY=VALUE words; a value is never split on its commas ("1,250", a narrative).
    Breakdowns (``split``) also take several pairs in one word: "adult=40,child=2"."""
    result: dict[str, str] = {}
    for item in values:
        for part in (_NEXT_PAIR.split(item) if split else [item]):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise click.BadParameter(f"{echo_cut(part)!r} is not KEY=VALUE",
                                         param_hint=option)
            if key.strip() in result:
                raise click.BadParameter(f"{echo_cut(key.strip())!r} is given twice",
                                         param_hint=option)
            result[key.strip()] = value.strip()
    return result


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    return None if value is None else parse_day_option(value, param)


@click.group("evidence")
def evidence_group() -> None:
    """Completion evidence: submit it, review it, list it."""


@evidence_group.command("submit", cls=KeyValueCommand)
@click.argument("occurrence_id")
@click.option("--value", "-v", "values", multiple=True, metavar="N=VALUE",
              help="Value of indicator N (1, 2...): a count, an amount in MYR, a percentage, "
                   "yes@YYYY-MM-DD for a milestone, or text.")
@click.option("--sex", multiple=True, metavar="CATEGORY=N",
              help="People counted by sex: female=12 male=30 (unknown allowed).")
@click.option("--nationality", multiple=True, metavar="COUNTRY=N",
              help="People counted by nationality: malaysian=30 indonesian=12.")
@click.option("--age", multiple=True, metavar="GROUP=N", help="child=3 adult=39 (unknown).")
@click.option("--file", "-f", "files", multiple=True, metavar="PATH",
              help="A document (repeat for several); stored by content, never by name.")
@click.option("--done-on", callback=_day, metavar="YYYY-MM-DD",
              help="When the work was done (not when you submit).")
@click.option("--note", help="A short note for the reviewer, at most 2,000 characters. No "
                             "personal data: naptip refuses MyKad, passport and phone numbers "
                             "but cannot recognise victims' names or addresses.")
@click.option("--link", "links", multiple=True, metavar="URL", help="A link (repeatable).")
@click.option("--nil", is_flag=True, help="A yearly return: no such work this year.")
@actor_option
@as_of_option
@pass_app
def submit(app: App, occurrence_id: str, values: tuple[str, ...], sex: tuple[str, ...],
           nationality: tuple[str, ...], age: tuple[str, ...], files: tuple[str, ...],
           done_on: date | None, note: str | None, links: tuple[str, ...], nil: bool,
           actor: str | None) -> None:
    """Submit evidence that the work of OCCURRENCE_ID was done.

    Never include victims' personal data (NAPTIP 3.0, S24): MyKad, passport and phone
    numbers are refused, in text and in the text of attached documents (text, Word, Excel,
    PowerPoint, OpenDocument, PDF, and the files inside a ZIP), but images and .doc/.xls
    files cannot be read, nor names and addresses detected: leave them out yourself.
    """
    from naptip.progress.evidence import EvidenceService, Submission

    breakdown = {dimension: _pairs(given, f"--{dimension}", split=True)
                 for dimension, given in (("sex", sex), ("nationality", nationality),
                                          ("age", age)) if given}
    submission = Submission(
        occurrence_id=occurrence_id.strip(), actor=actor_name(actor),
        values=_pairs(values, "--value"), breakdown=breakdown, files=files, done_on=done_on,
        note=note, links=links, nil=nil)
    app = app.for_occurrences([submission.occurrence_id])  # late evidence of a closed plan
    catalog = app.catalog
    app.warn_problems()
    service = EvidenceService(app.store(), catalog, app.loaded)
    evidence_id = service.submit(submission, today=app.today)
    click.echo(f"evidence #{evidence_id} submitted for {submission.occurrence_id}; it awaits "
               "review")


@evidence_group.command("import")
@click.argument("file", metavar="FILE.csv|FILE.xlsx", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and store nothing.")
@click.option("--quiet", "-q", is_flag=True, help="Print only refused rows and the summary.")
@actor_option
@as_of_option
@pass_app
def import_(app: App, file: Path, dry_run: bool, quiet: bool, actor: str | None) -> None:
    """Import past evidence from a spreadsheet: one row per occurrence.

    Each row goes through the checks of `evidence submit` (and of `evidence review` when
    its status is accepted), victims' personal data refused; stored rows are marked as
    imported from FILE, row N. Rows imported before are recognised and not stored twice.
    Exit 1 when any row was refused, 130 on Ctrl-C (the rows stored until then are whole:
    import the same file again for the rest). Columns: see docs/evidence.md.
    """
    from naptip.progress.evidence import EvidenceService
    from naptip.progress.evidence_import import ImportInterrupted, import_evidence

    catalog = app.catalog
    app.warn_problems()
    service = EvidenceService(app.store(), catalog, app.loaded)
    try:
        report = import_evidence(service, file, importer=actor_name(actor),
                                 login=actor is None, today=app.today, dry_run=dry_run)
    except ImportInterrupted as stop:
        click.echo(f"{file.name}: {stop}", err=True)
        raise SystemExit(130) from None
    for row in report.rows:
        if row.outcome == "refused" or not quiet:
            click.echo(str(row))
    if report.stopped:
        click.echo(f"error: {report.stopped}", err=True)
    for problem in service.warnings:
        click.echo(f"warning: {problem}", err=True)
    click.echo(report.summary())
    if report.refused or report.stopped:
        raise SystemExit(1)


@evidence_group.command("review")
@click.argument("evidence_id", type=click.IntRange(min=1, max=MAX_ID))
@click.option("--accept", is_flag=True, help="Accept it: the occurrence counts as done.")
@click.option("--return", "reason", metavar="REASON",
              help="Return it to the submitter, saying why.")
@actor_option
@pass_app
def review(app: App, evidence_id: int, accept: bool, reason: str | None,
           actor: str | None) -> None:
    """Accept evidence, or return it with a reason."""
    from naptip.progress.evidence import EvidenceService

    if accept == (reason is not None):
        raise click.UsageError("give exactly one of --accept or --return REASON")
    app = app.for_occurrences(evidence_id=evidence_id)  # a closed plan's evidence
    service = EvidenceService(app.store(), app.catalog, app.loaded)
    evidence = service.review(evidence_id, accept=accept, reason=reason,
                              actor=actor_name(actor), login=actor is None)
    click.echo(f"evidence #{evidence.id} {evidence.status} for {evidence.occurrence_id}")
    for problem in service.warnings:
        click.echo(f"warning: {problem}", err=True)


@evidence_group.command("list")
@click.option("--committee", "-c", help="Owned by this committee.")
@click.option("--year", "-y", type=click.IntRange(2000, 2100), help="Plan year of the work.")
@click.option("--status", type=click.Choice(["submitted", "accepted", "returned"]))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_app
def list_evidence(app: App, committee: str | None, year: int | None, status: str | None,
                  fmt: str) -> None:
    """Evidence submitted, newest first."""
    from sqlalchemy import select

    from naptip.store.orm import Evidence, OccurrenceRow

    catalog = app.catalog
    from naptip.cli.lists import resolve_committee

    wanted = resolve_committee(catalog, committee) if committee else None
    query = (select(Evidence, OccurrenceRow).join(OccurrenceRow)
             .where(OccurrenceRow.plan_id == catalog.structure.plan.id)
             .order_by(Evidence.id.desc()))
    if wanted:
        query = query.where(OccurrenceRow.owner == wanted)
    if year:
        query = query.where(OccurrenceRow.period == year)
    if status:
        query = query.where(Evidence.status == status)
    with app.db.reading() as session:
        rows = [_summary(e, o) for e, o in session.execute(query)]
    if fmt == "json":
        click.echo(json.dumps({"evidence": rows}, indent=2, ensure_ascii=False))
        return
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # fits 80 columns with ids whole: no side borders, owner left to --committee
    table = Table(title="Evidence", title_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("occurrence", no_wrap=True,
                     min_width=max((len(r["occurrence"]) for r in rows), default=10))
    table.add_column("status", no_wrap=True, min_width=9)
    table.add_column("submitted", no_wrap=True, min_width=10)
    table.add_column("by", overflow="fold", ratio=1)
    table.add_column("files", justify="right", no_wrap=True, min_width=5)
    for r in rows:
        table.add_row(str(r["id"]), r["occurrence"], r["status"], r["submitted_at"][:10],
                      escape(safe(r["submitted_by"])), str(r["files"]))
    Console().print(table if rows else "No evidence matches.")


def _summary(e: Any, o: Any) -> dict[str, Any]:
    return {"id": e.id, "occurrence": o.id, "owner": o.owner, "period": o.period,
            "status": e.status, "nil": e.nil,
            "submitted_at": e.submitted_at.astimezone(PLAN_TZ).isoformat(),
            "submitted_by": e.submitted_by, "reviewed_by": e.reviewed_by,
            "files": len(e.attachments),
            "imported": ({"file": e.imported_from, "row": e.imported_row}
                         if e.imported_from is not None else None)}


@evidence_group.command("show")
@click.argument("evidence_id", type=click.IntRange(min=1, max=MAX_ID))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@pass_app
def show(app: App, evidence_id: int, fmt: str) -> None:
    """Everything about one submission: values, breakdowns, files, reviews."""
    from naptip.store.orm import Evidence, OccurrenceRow

    with app.db.reading() as session:
        e = session.get(Evidence, evidence_id)
        if e is None:
            raise NaptipError(f"no evidence has the number {evidence_id}")
        o = session.get(OccurrenceRow, e.occurrence_id)
        doc = {
            **_summary(e, o), "title": o.title if o else None,
            "done_on": e.done_on.isoformat() if e.done_on else None, "note": e.note,
            "links": e.links,
            "values": [{"indicator": v.indicator, "kind": v.kind, "value": _value(v)}
                       for v in e.values],
            "breakdown": [{"indicator": b.indicator, "dimension": b.dimension,
                           "category": b.category, "count": b.count} for b in e.breakdown],
            "attachments": [{"name": a.original_name, "sha256": a.sha256, "size": a.size,
                             "media_type": a.media_type} for a in e.attachments],
            "reviews": [{"decision": r.decision, "reason": r.reason, "reviewer": r.reviewer,
                         "at": r.reviewed_at.astimezone(PLAN_TZ).isoformat()}
                        for r in e.reviews],
        }
    if fmt == "json":
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Evidence #{evidence_id}", show_header=False, title_justify="left")
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")

    def shown(value: object) -> str:
        return escape(safe(str(value)))

    for key in ("occurrence", "title", "owner", "status", "nil", "done_on", "submitted_at",
                "submitted_by", "reviewed_by", "note"):
        if doc.get(key) not in (None, False, ""):
            value = shown_time(doc[key]) if key == "submitted_at" else doc[key]
            table.add_row(key.replace("_", " "), shown(value))
    if doc["imported"]:
        table.add_row("imported", f"from {shown(doc['imported']['file'])}, row "
                                  f"{doc['imported']['row']}")
    for v in doc["values"]:
        table.add_row(f"indicator {v['indicator']}", f"{shown(v['value'])} ({v['kind']})")
    for b in doc["breakdown"]:
        table.add_row(f"by {b['dimension']}", f"{shown(b['category'])}: {b['count']}")
    for n, a in enumerate(doc["attachments"], 1):
        table.add_row(f"file {n}", f"{shown(a['name'])} · {a['media_type']} · {a['size']:,} "
                                   "bytes")
    for link in doc["links"]:
        table.add_row("link", shown(link))
    for r in doc["reviews"]:
        when = shown_time(r["at"])
        table.add_row("review", f"{r['decision']} by {shown(r['reviewer'])} on {when}"
                                + (f": {shown(r['reason'])}" if r["reason"] else ""))
    Console().print(table)
    for n, a in enumerate(doc["attachments"], 1):  # whole, on a line of their own
        click.echo(f"file {n} sha256 {a['sha256']}")


@evidence_group.command("get")
@click.argument("evidence_id", type=click.IntRange(min=1, max=MAX_ID))
@click.option("--file", "number", type=click.IntRange(1, 10_000), default=1, show_default=True,
              help="Which attachment (as numbered by `evidence show`).")
@click.option("--output", "-o", required=True, metavar="PATH",
              type=OUTPUT_FILE, help="Where to write it (must not exist).")
@pass_app
def get(app: App, evidence_id: int, number: int, output: Path) -> None:
    """Export an attachment, checked against its SHA-256 on the way out."""
    from naptip.store.blobs import BlobStore
    from naptip.store.orm import Evidence

    db = app.db
    with db.reading() as session:
        e = session.get(Evidence, evidence_id)
        if e is None:
            raise NaptipError(f"no evidence has the number {evidence_id}")
        if not 1 <= number <= len(e.attachments):
            raise NaptipError(f"evidence #{evidence_id} has {len(e.attachments)} file(s); "
                              f"there is no file {number}")
        attachment = e.attachments[number - 1]
        sha, name = attachment.sha256, attachment.original_name
    if not output.parent.is_dir():
        raise NaptipError(f"folder {output.parent} does not exist")
    size = BlobStore(db.blobs).export(sha, output)
    click.echo(f"wrote {output} ({size:,} bytes, sha256 verified) from file {number} "
               f"{safe(name)!r} of evidence #{evidence_id}")


def _value(v: Any) -> Any:
    for item in (v.count, v.amount, v.percentage):
        if item is not None:
            return str(item)
    if v.flag is not None:
        return ("yes" if v.flag else "no") + (f"@{v.on_date.isoformat()}" if v.on_date else "")
    return v.text
