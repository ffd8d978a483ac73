"""``naptip web``: the evidence portal, its sign-in links and their revocation.

The web server's modules (Starlette, uvicorn) are imported only when it starts.
"""

from __future__ import annotations

import os
from datetime import timedelta

import click

from naptip.cli.app import App, pass_app
from naptip.cli.common import actor_name, actor_option

DEFAULT_PORT = 8150


def _base_url(given: str | None, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> str:
    return (given or os.environ.get("NAPTIP_WEB_URL") or f"http://{host}:{port}").rstrip("/")


@click.group("web", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (put an HTTPS proxy in front for other machines).")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT,
              show_default=True)
@click.option("--base-url", metavar="URL",
              help="The portal's public address [env: NAPTIP_WEB_URL].")
@click.pass_context
def web_group(ctx: click.Context, host: str, port: int, base_url: str | None) -> None:
    """Serve the evidence portal: committee leads submit and reviewers review in a browser.

    It serves every plan known (My work lists each plan the day's run works for);
    `naptip --plan ID web` serves that plan only."""
    if ctx.invoked_subcommand is not None:
        return
    import uvicorn

    from naptip.web.app import Portal, create_app
    from naptip.web.server import server_config

    app = ctx.ensure_object(App)
    catalog = app.catalog
    every = app.plan_id is None  # --plan (or NAPTIP_PLAN) keeps the portal to one plan
    portal = Portal(db=app.db, catalog=catalog, plugins=app.loaded,
                    today=lambda: app.today, base_url=_base_url(base_url, host, port),
                    trusted_proxies=catalog.settings.web.trusted_proxies,
                    registry=app.plans if every else None,
                    catalog_of=(lambda plan_id: app.for_plan(plan_id).catalog) if every
                    else None)
    click.echo(f"naptip portal on http://{host}:{port} (store: {app.db.describe()})", err=True)
    uvicorn.Server(server_config(create_app(portal), host=host, port=port)).run()


@web_group.command("link")
@click.argument("contact")
@click.option("--minutes", type=click.IntRange(1, 7 * 24 * 60), default=30, show_default=True,
              help="How long the link stays valid (it works once).")
@click.option("--base-url", metavar="URL",
              help="The portal's public address [env: NAPTIP_WEB_URL].")
@actor_option
@pass_app
def link_command(app: App, contact: str, minutes: int, base_url: str | None,
                 actor: str | None) -> None:
    """Print a single-use sign-in link for CONTACT (an e-mail address)."""
    from naptip.people.signin import issue_link, link_url

    secret = issue_link(app.db, contact, ttl=timedelta(minutes=minutes),
                        actor=actor_name(actor))
    click.echo(link_url(_base_url(base_url), secret))


@web_group.command("revoke")
@click.argument("contact")
@actor_option
@pass_app
def revoke_command(app: App, contact: str, actor: str | None) -> None:
    """Sign CONTACT out everywhere and cancel their unused sign-in links."""
    from naptip.people.signin import revoke

    ended = revoke(app.db, contact, actor=actor_name(actor))
    click.echo(f"{contact.strip().lower()}: {ended} session(s) and link(s) ended")
