"""``naptip audit``: the hash-chained record of every write."""

from __future__ import annotations

import click

from ..errors import NaptipError
from .app import App, pass_app


@click.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@pass_app
def verify(app: App) -> None:
    """Recompute the hash chain; exit 1 naming the first broken link."""
    from ..audit import verify as run_verify

    with app.db.reading() as session:
        result = run_verify(session)
    if not result.ok:
        raise NaptipError(f"audit chain broken at entry {result.broken_at}: {result.reason}")
    click.echo(f"ok: {result.entries} audit entries, chain intact")
