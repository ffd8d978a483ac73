"""What the store says about an occurrence: its status and the changes a sync held back."""

from __future__ import annotations

import shutil
import textwrap
from typing import TYPE_CHECKING

import click

from naptip.base.errors import NaptipError
from naptip.base.text import safe
from naptip.time.clock import shown_time

if TYPE_CHECKING:
    from naptip.cli.app import App


def show_stored(app: App, occurrence_id: str) -> None:
    """Print the stored row's status and any held changes (nothing when there is no store)."""
    if not app.store_may_exist():
        click.echo("in the store: no store yet (`naptip sync` creates it)")
        return
    from naptip.occurrences.materialise import held_changes
    from naptip.store.orm import OccurrenceRow

    try:
        db = app.db
    except NaptipError:
        click.echo("in the store: no store yet (`naptip sync` creates it)")
        return
    with db.reading() as session:
        row = session.get(OccurrenceRow, occurrence_id)
        held = held_changes(session, occurrence_id) if row is not None else []
        if row is None:
            click.echo("in the store: not synced yet (`naptip sync`)")
            return
        state = "withdrawn" if row.withdrawn else row.progress
        click.echo(f"in the store: {state}, due {row.due.isoformat()}")
        for change in held:
            wanted = ", ".join(f"{k} {safe(str(change.before.get(k)))} -> {safe(str(v))}"
                               for k, v in sorted(change.after.items()))
            click.echo(textwrap.fill(
                f"held change (the date had passed; kept as it was): a sync on "
                f"{shown_time(change.attempted_at)} wanted {wanted}",
                width=max(40, shutil.get_terminal_size().columns), subsequent_indent="  ",
                break_on_hyphens=False))
