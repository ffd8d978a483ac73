"""The ``naptip`` command line of the secretariat.

Sub-commands live in modules of their own and import only what they need: nothing here
imports Prefect, so commands that do not orchestrate start fast.
"""

from __future__ import annotations

import sys

from .app import cli
from .plan import plan
from .plugins import plugins
from .schedule import schedule

cli.add_command(plan)
cli.add_command(plugins)
cli.add_command(schedule)


def main() -> None:
    """Console entry point."""
    from .app import register_plugin_commands

    register_plugin_commands(cli)
    sys.exit(cli.main(prog_name="naptip", standalone_mode=True))


__all__ = ["cli", "main"]
