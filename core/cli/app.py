"""The top-level group, its shared state and its error handling."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..catalog import Catalog, build_catalog
from ..clock import parse_day, today
from ..config import Settings, load_settings
from ..errors import NaptipError, Problem
from ..pluginmanager import LoadedPlugins, build_plugin_manager

if TYPE_CHECKING:
    from ..db import Database

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_plugins = {}
        self.command_problems = []

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

    from ..text import echo_cut

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


@dataclass
class App:
    """What the commands share: the plugins and the catalog, built once, on first use."""

    plugins_dir: Path | None = None
    config_path: Path | None = None
    as_of: date | None = None  #: set by --as-of; else NAPTIP_AS_OF; else today
    _settings: Settings | None = field(default=None, repr=False)
    _db: Database | None = field(default=None, repr=False)
    _loaded: LoadedPlugins | None = field(default=None, repr=False)
    _catalog: Catalog | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)
    _shown: set[str] = field(default_factory=set, repr=False)
    _checked_provenance: bool = field(default=False, repr=False)

    @property
    def loaded(self) -> LoadedPlugins:
        if self._loaded is None:
            self._loaded = build_plugin_manager(plugins_dir=self.plugins_dir)
        return self._loaded

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = build_catalog(self.loaded, settings=self.settings)
        return self._catalog

    @property
    def db(self) -> Database:
        """The store, opened for reading and writing evidence; never created here (only
        ``naptip sync`` and ``naptip db upgrade`` create a store)."""
        if self._db is None:
            from ..db import open_database

            self._db = open_database(upgrade=False)
        return self._db

    def writable_db(self) -> Database:
        """The store for commands that add to it (the contact directory): created, with
        its schema, when there is none yet. The schedule in it is still only written by
        ``naptip sync``."""
        if self._db is None:
            from ..db import open_database

            self._db = open_database(upgrade=True)
        return self._db

    def store_may_exist(self) -> bool:
        """False when there is certainly no store (no SQLite file): checked without
        importing SQLAlchemy, so that the schedule and plan commands stay fast."""
        url = os.environ.get("NAPTIP_DATABASE_URL")
        if url is None:
            from platformdirs import user_data_path

            return (user_data_path("naptip") / "naptip.db").exists()
        if url.startswith("sqlite") and ":///" in url:
            return Path(url.split(":///", 1)[1].split("?", 1)[0]).exists()
        return True

    def plugin_versions(self) -> dict[str, str | None]:
        return {name: info.version for name, info in self.loaded.infos.items()}

    def store(self) -> Database:
        """The store with a synced schedule, or one line saying to run ``naptip sync``.

        Never writes. Warns (one line) when this command runs with another plugin set or
        configuration than the one that produced the stored schedule."""
        from ..db import NO_STORE
        from ..materialise import Provenance, stored_provenance

        db = self.db
        plan_id = self.catalog.structure.plan.id
        with db.reading() as session:
            recorded = stored_provenance(session, plan_id)
        if recorded is None:
            raise NaptipError(f"the store at {db.describe()} has no schedule for {plan_id}: "
                              f"{NO_STORE}")
        if not self._checked_provenance:
            self._checked_provenance = True
            mine = Provenance.of(self.catalog, self.plugin_versions())
            theirs_plugins: dict[str, str] = recorded.get("plugins") or {}
            if sorted(theirs_plugins) != sorted(mine.plugins):
                theirs = ", ".join(sorted(theirs_plugins)) or "none"
                click.echo(f"warning: this command runs with plugins {', '.join(mine.plugins)}"
                           f" but the stored schedule was synced with {theirs} (the store is "
                           "shown as synced; `naptip sync` changes it)", err=True)
            elif theirs_plugins != mine.plugins:
                changed = ", ".join(f"{k} {theirs_plugins[k]} -> {v}"
                                    for k, v in mine.plugins.items() if theirs_plugins[k] != v)
                click.echo(f"warning: plugin versions differ from the last sync ({changed}): "
                           "the store is shown as synced; `naptip sync` updates it", err=True)
            elif recorded.get("config") != mine.config:
                click.echo("warning: this command runs with another configuration than the "
                           "one the stored schedule was synced with (the store is shown as "
                           "synced; `naptip sync` changes it)", err=True)
        return db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None

    @property
    def today(self) -> date:
        """The day the commands work on (the plan's clock)."""
        return today(self.as_of)

    def warn_problems(self) -> None:
        """Print plugin problems as warnings (once); the command goes on without them."""
        if self._warned:
            return
        self._warned = True
        from ..zonecheck import zone_warnings

        for problem in [*self.catalog.problems, *self.catalog.warnings,
                        *zone_warnings(self.catalog)]:
            self._warn(str(problem))

    def warn_failed(self) -> None:
        """Warn (once) about every plugin that was found but could not be loaded."""
        try:
            loaded = self.loaded
        except NaptipError:
            return  # e.g. a missing plugins folder: reported by the commands that need it
        for problem in loaded.problems:
            self._warn(str(problem))

    def warn_text(self, text: str) -> None:
        """Print a warning line once per run."""
        self._warn(text)

    def _warn(self, text: str) -> None:
        if text not in self._shown:
            self._shown.add(text)
            click.echo(f"warning: {text}", err=True)


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
@as_of_option
@click.version_option(package_name="naptip", prog_name="naptip")
@click.pass_context
def cli(ctx: click.Context, plugins_dir: Path | None, config_path: Path | None) -> None:
    """naptip: NAPTIP 3.0 as owned, dated, reminded and evidenced work."""
    app = ctx.ensure_object(App)
    app.plugins_dir = plugins_dir
    app.config_path = config_path
    ctx.call_on_close(app.close)
    if ctx.invoked_subcommand != "plugins":  # `plugins list|check` show them in full
        app.warn_failed()
        if isinstance(ctx.command, NaptipGroup):
            for problem in ctx.command.command_problems:
                app.warn_text(f"{problem} (its commands may be missing)")


def register_plugin_commands(group: click.Group) -> None:
    """Let plugins found through entry points or NAPTIP_PLUGINS_DIR add commands."""
    try:
        loaded = build_plugin_manager()
    except NaptipError:
        return  # reported properly when the command runs
    failed: list[Problem] = []  # warned by every command, listed by `plugins check`
    before = set(group.commands)
    for name, _result in loaded.call_each("naptip_register_commands", failed, cli=group):
        added = set(group.commands) - before
        before |= added
        if isinstance(group, NaptipGroup):
            group.command_plugins.update(dict.fromkeys(added, name))
    if isinstance(group, NaptipGroup):
        group.command_problems[:] = failed
