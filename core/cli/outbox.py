"""``naptip outbox``: read what a fresh install "sent" (the local .eml folder)."""

from __future__ import annotations

import click

from .app import App, pass_app


@click.group("outbox")
def outbox_group() -> None:
    """The local outbox: messages written as .eml files when no [mail] is configured."""


@outbox_group.command("list")
@pass_app
def list_outbox(app: App) -> None:
    """Every message in the outbox, oldest first."""
    from naptip.notifications.outbox import entries, outbox_dir

    folder = outbox_dir(app.db)
    found = entries(folder)
    if not found:
        click.echo(f"the outbox {folder} is empty")
        return
    for e in found:
        click.echo(f"{e.id}  {e.to}  {e.subject}")


@outbox_group.command("show")
@click.argument("message_id")
@click.option("--html", is_flag=True, help="Show the HTML part instead of the text.")
@pass_app
def show(app: App, message_id: str, html: bool) -> None:
    """One message: its headers and its text (or HTML)."""
    from naptip.notifications.outbox import find, outbox_dir, read_message, text_of

    entry = find(outbox_dir(app.db), message_id)
    msg = read_message(entry.path)
    for header in ("From", "To", "Subject", "Date", "Message-ID"):
        click.echo(f"{header}: {msg[header]}")
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
    """Open one message in the desktop's mail reader."""
    from naptip.notifications.outbox import find, outbox_dir

    entry = find(outbox_dir(app.db), message_id)
    click.echo(str(entry.path))
    click.launch(str(entry.path))
