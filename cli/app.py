"""The top-level group, its shared state and its error handling."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from naptip.base.errors import NaptipError, Problem
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.time.clock import parse_day
from naptip.work.context import App as App

if TYPE_CHECKING:
    pass

F = TypeVar("F", bound=Callable[..., Any])


class NaptipGroup(click.Group):
    """A group that turns every failure into one line and a non-zero exit.

    ``NAPTIP_DEBUG=1`` lets unexpected exceptions through with their traceback. A failure
    in a command a plugin added names the plugin.
    """

    #: command name -> the plugin that added it (filled by register_plugin_commands)
    command_plugins: dict[str, str]
    #: failures of plugins' naptip_register_commands at start-up, warned by every command
    command_problems: list[Problem]
    #: the plugins ``main`` loaded to find their commands, with what chose them: the
    #: command reuses them rather than loading every plugin a second time (issue 18)
    startup_plugins: tuple[tuple[str | None, ...], LoadedPlugins] | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_plugins = {}
        self.command_problems = []
        self.startup_plugins = None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            raise  # the reader (`| head`) has gone: click's main ends quietly
        except NaptipError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if os.environ.get("NAPTIP_DEBUG"):
                raise
            plugin = self.command_plugins.get(ctx.invoked_subcommand or "")
            who = (f"command {ctx.invoked_subcommand!r} of plugin {plugin!r} failed: "
                   if plugin else "")
            raise click.ClickException(who + one_line(exc)) from None


def one_line(exc: BaseException) -> str:
    """An unexpected failure as one line: never a SQL statement or its parameters (those
    are for NAPTIP_DEBUG=1), "disk full" said plainly, long text cut."""
    import errno

    from sqlalchemy.exc import SQLAlchemyError, StatementError

    from naptip.base.text import echo_cut

    name = type(exc).__name__
    detail = str(exc)
    if isinstance(exc, StatementError):
        name = type(exc.orig).__name__ if exc.orig is not None else name
        lines = str(exc.orig).strip().splitlines() if exc.orig is not None else []
        detail = lines[0] if lines else "database error"
    elif isinstance(exc, SQLAlchemyError):
        detail = detail.split("[SQL:")[0]
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or any(
            marker in detail.lower() for marker in ("disk is full", "no space left")):
        return "disk full: free some space and try again (nothing was stored)"
    if "readonly database" in detail.lower() or "read-only" in detail.lower():
        return ("the store is read-only here: it can be read, not changed (nothing was "
                "stored)")
    text = echo_cut(" ".join(detail.split()), 300)
    return f"unexpected {name}: {text} (NAPTIP_DEBUG=1 shows details)"


pass_app = click.make_pass_decorator(App)


def parse_day_option(value: str, param: click.Parameter | None) -> date:
    """A YYYY-MM-DD option value, or click's one-line "Invalid value" error."""
    try:
        return parse_day(value, "date")
    except NaptipError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-07-30",
                                 param=param) from None


def _set_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(App).as_of = parse_day_option(value, param)


def as_of_option(f: F) -> F:
    """``--as-of YYYY-MM-DD``: run as if today were that day (also NAPTIP_AS_OF)."""
    return click.option(
        "--as-of", metavar="YYYY-MM-DD", expose_value=False, callback=_set_as_of,
        is_eager=False, help="Run as if today were this day [env: NAPTIP_AS_OF].",
    )(f)


@click.group(cls=NaptipGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--plugins-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NAPTIP_PLUGINS_DIR",
    help="Folder of one-file plugins to load beside the installed ones [env: NAPTIP_PLUGINS_DIR].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="NAPTIP_CONFIG",
    help="Settings file (TOML) [env: NAPTIP_CONFIG; default: naptip.toml in the user's "
         "configuration folder, if present].",
)
@click.option(
    "--plan",
    "plan_id",
    metavar="ID",
    envvar="NAPTIP_PLAN",
    help="The plan to work on (`naptip plan list`) [env: NAPTIP_PLAN; default: the plan "
         "running today, else the one that started last].",
)
@as_of_option
@click.version_option(package_name="naptip", prog_name="naptip")
@click.pass_context
def cli(ctx: click.Context, plugins_dir: Path | None, config_path: Path | None,
        plan_id: str | None) -> None:
    """naptip: NAPTIP 3.0 and the plans after it as owned, dated, reminded and evidenced
    work."""
    app = ctx.ensure_object(App)
    app.plugins_dir = plugins_dir
    app.config_path = config_path
    app.plan_id = plan_id.strip() if plan_id and plan_id.strip() else None
    ctx.call_on_close(app.close)
    started = getattr(ctx.command, "startup_plugins", None)
    if started is not None and started[0] == plugin_choice(plugins_dir):
        app.use_loaded(started[1])
    if ctx.invoked_subcommand != "plugins":  # `plugins list|check` show them in full
        app.warn_failed()
        if isinstance(ctx.command, NaptipGroup):
            for problem in ctx.command.command_problems:
                app.warn_text(f"{problem} (its commands may be missing)")


def plugin_choice(plugins_dir: Path | None) -> tuple[str | None, ...]:
    """What decides which plugins load: the folder, and the variables that enable or
    disable plugins."""
    return (str(plugins_dir) if plugins_dir else None,
            *(os.environ.get(name) for name in ("NAPTIP_ENABLE_PLUGINS",
                                                "NAPTIP_DISABLE_PLUGINS")))


def register_plugin_commands(group: click.Group) -> LoadedPlugins | None:
    """Let plugins found through entry points or NAPTIP_PLUGINS_DIR add commands. Returns
    the plugins loaded (None when they could not be)."""
    try:
        loaded = build_plugin_manager()
    except NaptipError:
        return None  # reported properly when the command runs
    failed: list[Problem] = []  # warned by every command, listed by `plugins check`
    before = set(group.commands)
    for name, _result in loaded.call_each("naptip_register_commands", failed, cli=group):
        added = set(group.commands) - before
        before |= added
        if isinstance(group, NaptipGroup):
            group.command_plugins.update(dict.fromkeys(added, name))
    if isinstance(group, NaptipGroup):
        group.command_problems[:] = failed
    return loaded
