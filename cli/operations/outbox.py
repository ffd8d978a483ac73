"""``naptip outbox``: what was "sent" while no [mail] was configured, kept in the store
(so every machine sharing the store sees it), and sending it once [mail] is set."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from naptip.cli.app import App, pass_app

if TYPE_CHECKING:  # the store's modules load SQLAlchemy: only when a command runs
    from naptip.store.outbox import OutboxEntry


@click.group("outbox")
def outbox_group() -> None:
    """The outbox: messages kept in the store while no [mail] is configured."""


@outbox_group.command("list")
@click.option("--unsent", is_flag=True, help="Only the messages not sent yet.")
@pass_app
def list_outbox(app: App, unsent: bool) -> None:
    """Every message in the outbox, oldest first: id, status, recipient, subject."""
    from naptip.store.outbox import entries, older_files

    found = entries(app.db, unsent_only=unsent)
    folder, older = older_files(app.db)
    if older:
        click.echo(f"note: {older} older message(s) are .eml files in {folder} (written "
                   "before the outbox moved into the store)", err=True)
    if not found:
        click.echo("no unsent message in the outbox" if unsent else "the outbox is empty")
        return
    width = shutil.get_terminal_size().columns
    for e in found:
        line = f"{short_id(e.id, found)}  {e.status:<7} {e.to}  {e.subject}"
        click.echo(line if len(line) <= width else line[:width - 1] + "…")


def short_id(ident: str, among: list[OutboxEntry]) -> str:
    """The id's time and the start of its batch, when that is unique (``show``, ``send``
    and ``open`` take any unique part of an id)."""
    short = ident[:28]
    return short if sum(e.id.startswith(short) for e in among) == 1 else ident


@outbox_group.command("show")
@click.argument("message_id")
@click.option("--html", is_flag=True, help="Show the HTML part instead of the text.")
@pass_app
def show(app: App, message_id: str, html: bool) -> None:
    """One message: its headers, where it was written, whether it was sent, its text."""
    from naptip.store.outbox import find, message, text_of

    entry = find(app.db, message_id)
    msg = message(app.db, entry.id)
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        click.echo(f"{header}: {msg[header]}")
    sent = f"sent {entry.sent_at:%Y-%m-%d %H:%M} UTC" if entry.sent_at else entry.status
    click.echo(f"Outbox: {entry.id}, written on {entry.host}, {sent}"
               + (f" (last error: {entry.last_error})" if entry.last_error else ""))
    click.echo()
    if html:
        part = msg.get_body(preferencelist=("html",))
        click.echo(part.get_content() if part is not None else "")
    else:
        click.echo(text_of(msg))


@outbox_group.command("open")
@click.argument("message_id")
@pass_app
def open_message(app: App, message_id: str) -> None:
    """Open one message in the desktop's mail reader (from a temporary .eml file)."""
    from naptip.store.outbox import find, message

    entry = find(app.db, message_id)
    folder = Path(tempfile.mkdtemp(prefix="naptip-outbox-"))
    path = folder / f"{entry.id}.eml"
    path.write_bytes(message(app.db, entry.id).as_bytes())
    click.echo(str(path))
    click.launch(str(path))


@outbox_group.command("send")
@click.argument("message_ids", nargs=-1, metavar="[ID]...")
@pass_app
def send(app: App, message_ids: tuple[str, ...]) -> None:
    """Send the outbox's unsent messages (or those named) through [mail], each once,
    from [mail]'s sender. Exit 1 when one failed (it stays unsent, to send again)."""
    from naptip.notifications.outbox_send import send_outbox

    outcomes = send_outbox(app.db, app.settings, message_ids)
    if not outcomes:
        click.echo("nothing to send: no unsent message in the outbox")
        return
    for o in outcomes:
        short = o.id[:28] if sum(x.id.startswith(o.id[:28]) for x in outcomes) == 1 else o.id
        click.echo(f"{o.status:<7}  {short}  {o.to}"
                   + (f"  ({o.detail})" if o.status != "sent" else ""))
    sent = sum(o.status == "sent" for o in outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    click.echo(f"{sent} sent, {failed} failed, {len(outcomes) - sent - failed} skipped")
    if failed:
        raise SystemExit(1)
