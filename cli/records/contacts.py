"""``naptip contacts``: the directory of officials who receive digests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from naptip.base.contact_types import ContactInfo
from naptip.base.errors import NaptipError
from naptip.cli.app import App, pass_app
from naptip.cli.common import OUTPUT_FILE, actor_name, actor_option

if TYPE_CHECKING:
    from naptip.people.contacts import ContactDirectory


@click.group("contacts")
def contacts_group() -> None:
    """The contact directory: who receives reminders, in which language, in which role."""


def _directory(app: App, *, create: bool = False) -> ContactDirectory:
    """The directory in the store; ``create`` makes the store when there is none yet."""
    from naptip.people.contacts import ContactDirectory

    scopes = set(app.catalog.committees) | set(app.catalog.agencies)
    return ContactDirectory(app.writable_db() if create else app.db, scopes)


def _stored(app: App) -> list[ContactInfo]:
    """The stored contacts; none when there is no store yet (nothing is created)."""
    return _directory(app).all() if app.store_may_exist() else []


_LANG = click.Choice(["en", "ms"])


@contacts_group.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The official's name as it appears on mail.")
@click.option("--language", type=_LANG, default="en", show_default=True)
@click.option("--state", default="putrajaya", show_default=True,
              help="The state whose working days apply.")
@click.option("--role", "roles", multiple=True, metavar="ROLE:SCOPE",
              help="lead|chair|member|secretariat|reviewer : committee or agency id "
                   "(repeatable), e.g. lead:enforcement.")
@click.option("--url", "urls", multiple=True, metavar="APPRISE_URL",
              help="An extra channel; secrets as ${ENV_NAME} (repeatable).")
@actor_option
@pass_app
def add(app: App, email: str, name: str, language: str, state: str, roles: tuple[str, ...],
        urls: tuple[str, ...], actor: str | None) -> None:
    """Add a contact (identified by EMAIL)."""
    from naptip.people.contacts import parse_roles

    info = ContactInfo(name=name, email=email, language=language, state=state,
                       roles=parse_roles(roles), urls=urls)
    added = _directory(app, create=True).add(info, actor=actor_name(actor))
    click.echo(f"added {added.email}")


@contacts_group.command("edit")
@click.argument("email")
@click.option("--name")
@click.option("--language", type=_LANG)
@click.option("--state")
@click.option("--role", "roles", multiple=True, metavar="ROLE:SCOPE",
              help="Replaces the roles (repeatable).")
@click.option("--url", "urls", multiple=True, metavar="APPRISE_URL",
              help="Replaces the extra URLs (repeatable).")
@click.option("--clear-urls", is_flag=True, help="Remove every extra URL.")
@actor_option
@pass_app
def edit(app: App, email: str, name: str | None, language: str | None, state: str | None,
         roles: tuple[str, ...], urls: tuple[str, ...], clear_urls: bool,
         actor: str | None) -> None:
    """Change a contact; options not given keep their value."""
    from naptip.people.contacts import parse_roles

    directory = _directory(app)
    old = directory.get(email)
    new = ContactInfo(name=name or old.name, email=old.email,
                      language=language or old.language, state=state or old.state,
                      roles=parse_roles(roles) if roles else old.roles,
                      urls=() if clear_urls else (urls or old.urls))
    directory.upsert([new], actor=actor_name(actor))
    click.echo(f"changed {old.email}")


@contacts_group.command("remove")
@click.argument("email")
@actor_option
@pass_app
def remove(app: App, email: str, actor: str | None) -> None:
    """Deactivate a contact (the record of what was sent to them is kept)."""
    _directory(app).remove(email, actor=actor_name(actor))
    click.echo(f"removed {email.strip().lower()}")


@contacts_group.command("list")
@pass_app
def list_contacts(app: App) -> None:
    """Every active contact, store and plugins; URLs masked."""
    import textwrap

    from naptip.base.secret_urls import mask_url
    from naptip.base.text import safe
    from naptip.cli.width import terminal_width
    from naptip.people.reminders import all_contacts

    scopes = set(app.catalog.committees) | set(app.catalog.agencies)
    contacts, problems = all_contacts(_stored(app), app.loaded, scopes)

    # one block per contact, wrapped to the terminal's width (80 columns too): a table of
    # seven columns cut addresses and URLs in pieces
    width = terminal_width()
    click.echo(f"{len(contacts)} contact(s)")
    for c in contacts:
        click.echo()
        for n, line in enumerate((
                f"{c.email}  {safe(c.name)}",
                f"language {c.language}, state {c.state}, from "
                + ("the store" if c.source == "store" else f"plugin {c.source}"),
                "roles: " + (", ".join(map(str, c.roles)) or "none"),
                *(f"URL: {safe(mask_url(u))}" for u in c.urls))):
            click.echo(textwrap.fill(line, width, initial_indent="" if n == 0 else "  ",
                                     subsequent_indent="    ", break_on_hyphens=False))
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)


@contacts_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@actor_option
@pass_app
def import_contacts(app: App, file: Path, actor: str | None) -> None:
    """Add or replace contacts from a .csv or .toml FILE: all rows or none."""
    from naptip.people.contacts_io import read_contacts

    rows = read_contacts(file)
    directory = _directory(app, create=True)
    for n, info in enumerate(rows, 1):
        try:
            from naptip.people.contacts import check_contact

            check_contact(info, directory.scopes)
        except NaptipError as exc:
            raise NaptipError(f"{file}: contact {n}: {exc}; nothing imported") from None
    directory.upsert(rows, actor=actor_name(actor))
    click.echo(f"imported {len(rows)} contacts from {file}")


@contacts_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "toml"]), default="csv",
              show_default=True)
@click.option("-o", "--output", type=OUTPUT_FILE)
@pass_app
def export_contacts(app: App, fmt: str, output: Path | None) -> None:
    """The directory as CSV or TOML (URLs hold only ${ENV} references)."""
    from naptip.people.contacts_io import write_csv, write_toml

    contacts = _stored(app)
    text = write_csv(contacts) if fmt == "csv" else write_toml(contacts)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(contacts)} contacts to {output}")


@contacts_group.command("check")
@pass_app
def check(app: App) -> None:
    """Validate every address and URL ([mail] and contacts): exit 1 on any problem."""
    from naptip.people.contacts import check_contact
    from naptip.people.reminders import all_contacts

    try:
        from naptip.notifications.transport import SmtpTransport, parse_url
    except ImportError as exc:  # pragma: no cover - broken install
        raise NaptipError(f"notifications are not installed: {exc}") from None
    bad: list[str] = []
    mail = app.settings.mail
    if mail is None:
        click.echo("[mail] not configured: messages go to the local outbox")
    else:
        try:
            click.echo(f"[mail] {SmtpTransport.from_settings(mail).describe()}")
        except NaptipError as exc:
            bad.append(f"[mail]: {exc}")
    scopes = set(app.catalog.committees) | set(app.catalog.agencies)
    contacts, problems = all_contacts(_stored(app), app.loaded, scopes)
    bad.extend(str(p) for p in problems)
    for c in contacts:
        try:
            check_contact(c, scopes)
        except NaptipError as exc:
            bad.append(f"{c.email}: {exc}")
        for url in c.urls:
            try:
                parse_url(url)
            except NaptipError as exc:
                bad.append(f"{c.email}: {exc}")
    for line in bad:
        click.echo(f"error: {line}", err=True)
    click.echo(f"{len(contacts)} contacts checked, {len(bad)} problem(s)")
    if bad:
        raise SystemExit(1)
