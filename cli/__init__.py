"""The ``naptip`` command line of the secretariat.

Sub-commands live in modules of their own and import only what they need: nothing here
imports Prefect, so commands that do not orchestrate start fast.
"""

from __future__ import annotations

import os
import sys

from naptip.cli.app import cli
from naptip.cli.operations.db import db_group
from naptip.cli.operations.doctor import doctor_command
from naptip.cli.operations.orchestrate import deploy_command, serve_command
from naptip.cli.operations.outbox import outbox_group
from naptip.cli.operations.remind import remind_command
from naptip.cli.operations.run import run_command, runs_group
from naptip.cli.operations.sync import sync_command
from naptip.cli.operations.web import web_group
from naptip.cli.planning.agencies import agencies_group
from naptip.cli.planning.calendar import calendar_group
from naptip.cli.planning.life import adopt_command, plan_list, plan_reopen
from naptip.cli.planning.plan import plan
from naptip.cli.planning.plugin_kit import plugin_group
from naptip.cli.planning.plugins import plugins
from naptip.cli.planning.schedule import schedule
from naptip.cli.records.audit import audit_group
from naptip.cli.records.contacts import contacts_group
from naptip.cli.records.evidence import evidence_group
from naptip.cli.records.recommendations import recommendations_group
from naptip.cli.records.report import report_group
from naptip.cli.records.status import status_command

cli.add_command(plan)
plan.add_command(plan_list)
plan.add_command(plan_reopen)
cli.add_command(adopt_command)
cli.add_command(plugins)
cli.add_command(schedule)
cli.add_command(evidence_group)
cli.add_command(recommendations_group)
cli.add_command(status_command)
cli.add_command(db_group)
cli.add_command(audit_group)
cli.add_command(plugin_group)
cli.add_command(agencies_group)
cli.add_command(contacts_group)
cli.add_command(remind_command)
cli.add_command(outbox_group)
cli.add_command(calendar_group)
cli.add_command(report_group)
cli.add_command(sync_command)
cli.add_command(web_group)
cli.add_command(run_command)
cli.add_command(runs_group)
cli.add_command(serve_command)
cli.add_command(deploy_command)
cli.add_command(doctor_command)


def main() -> None:
    """Console entry point."""
    from pathlib import Path

    from naptip.cli.app import plugin_choice, register_plugin_commands

    folder = os.environ.get("NAPTIP_PLUGINS_DIR")
    choice = plugin_choice(Path(folder) if folder else None)
    loaded = register_plugin_commands(cli)
    if loaded is not None:  # the command uses them, if it chooses the same plugins
        cli.startup_plugins = (choice, loaded)
    try:
        try:
            cli.main(prog_name="naptip", standalone_mode=True)
        finally:
            cli.startup_plugins = None
            sys.stdout.flush()  # what is still buffered, while a broken pipe can be caught
    except BrokenPipeError:
        quiet_stdout()
        sys.exit(1)


def quiet_stdout() -> None:
    """Point standard output at /dev/null: the reader of a pipe (``| head``) has gone, and
    the interpreter's last flush must not complain about it."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


__all__ = ["cli", "main"]
