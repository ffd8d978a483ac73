"""``naptip serve`` and ``naptip deploy``: the day's work on a schedule, with Prefect."""

from __future__ import annotations

import os
from datetime import time
from typing import Any

import click

from naptip.cli.app import App, pass_app


def _at(ctx: click.Context, param: click.Parameter, value: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a time like 07:00", param=param) from None


def daily_at_option(f: Any) -> Any:
    return click.option("--daily-at", default="07:00", show_default=True, callback=_at,
                        metavar="HH:MM[:SS]",
                        help="When daily-run runs, Asia/Kuala_Lumpur time.")(f)


@click.command("serve")
@daily_at_option
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port of the Prefect server started when PREFECT_API_URL does not "
                   "answer [default: 4200].")
@pass_app
def serve_command(app: App, daily_at: time, port: int | None) -> None:
    """Keep the deployments running on this machine: daily-run and the duties' flows on
    their schedules, on the Prefect server at PREFECT_API_URL or one started here (in the
    naptip data folder). Stops on Ctrl-C or SIGTERM."""
    from naptip.flows.serve import serve, served_duties
    from naptip.store.db import default_data_dir

    app.warn_problems()
    serve(served_duties(app), daily_at=daily_at, home=default_data_dir() / "prefect", port=port,
          say=lambda text: click.echo(text, err=True), app=app)


@click.command("deploy")
@click.option("--work-pool", "-p", required=True, metavar="POOL",
              help="The Prefect work pool whose workers run the flows.")
@daily_at_option
@pass_app
def deploy_command(app: App, work_pool: str, daily_at: time) -> None:
    """Register the deployments on the server at PREFECT_API_URL for workers of POOL
    (docs/deployment.md)."""
    from naptip.flows.serve import deploy, served_duties

    app.warn_problems()
    _refuse_local_folders(app)
    for name in deploy(served_duties(app), work_pool=work_pool, daily_at=daily_at,
                       say=lambda text: click.echo(text, err=True)):
        click.echo(f"deployed {name}")


def _refuse_local_folders(app: App) -> None:
    """Workers on other machines must write the same folders as this one (naptip doctor's
    folder check): refuse, in one line, to deploy for them otherwise."""
    from naptip.base.errors import NaptipError
    from naptip.work.doctor import Setup, check_folders

    found = check_folders(Setup(environ=dict(os.environ), open_store=lambda: app.db,
                                expect_workers=True))
    if found.problems:
        more = len(found.problems) - 1
        raise NaptipError(found.problems[0] + (f" (and {more} more: naptip doctor)"
                                               if more else ""))
