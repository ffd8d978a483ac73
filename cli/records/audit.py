"""``naptip audit``: the hash-chained record of every write, and what it covers."""

from __future__ import annotations

from pathlib import Path

import click

from naptip.base.errors import NaptipError
from naptip.cli.app import App, pass_app
from naptip.cli.common import OUTPUT_FILE

_SHOWN = 20  #: problems listed before "and N more"


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


def _anchor(_ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    from naptip.store.audit import Anchor

    if value is None:
        return None
    try:
        return Anchor.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param=param) from None


@audit_group.command("verify")
@click.option("--anchor", callback=_anchor, metavar="SEQ:HASH",
              help="Also prove that the log still extends this anchor (from `audit anchor`).")
@click.option("--no-files", is_flag=True, help="Do not re-hash the attachments' files.")
@pass_app
def verify(app: App, anchor: object, no_files: bool) -> None:
    """Recompute the hash chain, check every evidence, review and attachment row (and the
    files' bytes) against it; exit 1 naming what does not match."""
    from naptip.base.text import safe
    from naptip.store.audit import Anchor, check_anchor
    from naptip.store.audit import verify as run_verify
    from naptip.store.audit_rows import verify_rows

    db = app.db
    with db.reading() as session:
        result = run_verify(session)
        if not result.ok:
            raise NaptipError(f"audit chain broken at entry {result.broken_at}: "
                              f"{result.reason}")
        if isinstance(anchor, Anchor):
            why = check_anchor(session, anchor)
            if why:
                raise NaptipError(f"audit log does not extend the anchor {anchor.seq}: {why}")
        problems = verify_rows(session, None if no_files else db.blobs)
    if problems:
        for problem in problems[:_SHOWN]:
            click.echo(f"tampered: {safe(str(problem))}", err=True)
        if len(problems) > _SHOWN:
            click.echo(f"tampered: … and {len(problems) - _SHOWN} more", err=True)
        raise NaptipError(f"audit verify found {len(problems)} row(s) or file(s) that do not "
                          "match the audit log")
    extent = f", extends anchor {anchor.seq}" if isinstance(anchor, Anchor) else ""
    click.echo(f"ok: {result.entries} audit entries, chain intact{extent}; evidence, reviews, "
               f"attachments, report snapshots, narratives and recommendations match")


@audit_group.command("anchor")
@click.option("--output", "-o", type=OUTPUT_FILE,
              help="Also append the anchor to this file (keep it outside the database).")
@pass_app
def anchor(app: App, output: Path | None) -> None:
    """Print the head of the chain as SEQ:HASH, to keep outside the store (a file, an
    e-mail): `audit verify --anchor SEQ:HASH` later proves the log still extends it."""
    from naptip.store.audit import head_anchor

    with app.db.reading() as session:
        head = head_anchor(session)
    if output is not None:
        try:
            with output.open("a", encoding="utf-8") as handle:
                handle.write(f"{head}\n")
        except OSError as exc:
            raise NaptipError(f"cannot write the anchor to {output}: {exc.strerror}") from None
    click.echo(str(head))
