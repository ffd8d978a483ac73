"""``naptip doctor``: check this machine's set-up (docs/deployment.md)."""

from __future__ import annotations

import click

from naptip.cli.app import App, pass_app


@click.command("doctor")
@pass_app
def doctor_command(app: App) -> None:
    """Check the set-up of this machine: the store reachable and at the current schema,
    the Prefect API asking for credentials (and taking ours), the folders shared with the
    other machines when the store is PostgreSQL. One line per check; exit 1 when one
    found a problem. What is not set up but not needed (the portal's and the feeds'
    addresses, mail, contacts without roles, committees without a lead) is a warning
    line, and leaves the exit code 0."""
    from naptip.store.db import open_database
    from naptip.work.doctor import default_setup, run_checks

    results = run_checks(default_setup(lambda: open_database(upgrade=False),
                                       lambda: app.catalog))
    problems = 0
    for result in results:
        if result.problems:
            for problem in result.problems:
                problems += 1
                click.echo(f"problem  {result.name}: {problem}")
        elif not result.warnings:
            click.echo(f"ok       {result.name}: {result.detail}")
        for warning in result.warnings:
            click.echo(f"warning  {result.name}: {warning}")
    if problems:
        click.echo(f"{problems} problem(s): see docs/deployment.md", err=True)
        raise SystemExit(1)
