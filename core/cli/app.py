"""The top-level group, its shared state and its error handling."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from ..catalog import Catalog, build_catalog
from ..errors import NaptipError, Problem
from ..pluginmanager import LoadedPlugins, build_plugin_manager


class NaptipGroup(click.Group):
    """A group that turns every failure into one line and a non-zero exit.

    ``NAPTIP_DEBUG=1`` lets unexpected exceptions through with their traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except NaptipError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if os.environ.get("NAPTIP_DEBUG"):
                raise
            text = " ".join(str(exc).split())
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {text} (NAPTIP_DEBUG=1 shows details)"
            ) from None


@dataclass
class App:
    """What the commands share: the plugins and the catalog, built once, on first use."""

    plugins_dir: Path | None = None
    _loaded: LoadedPlugins | None = field(default=None, repr=False)
    _catalog: Catalog | None = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    @property
    def loaded(self) -> LoadedPlugins:
        if self._loaded is None:
            self._loaded = build_plugin_manager(plugins_dir=self.plugins_dir)
        return self._loaded

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = build_catalog(self.loaded)
        return self._catalog

    def warn_problems(self) -> None:
        """Print plugin problems as warnings (once); the command goes on without them."""
        if self._warned:
            return
        self._warned = True
        for problem in self.catalog.problems:
            click.echo(f"warning: {problem}", err=True)


pass_app = click.make_pass_decorator(App)


@click.group(cls=NaptipGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--plugins-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="NAPTIP_PLUGINS_DIR",
    help="Folder of one-file plugins to load beside the installed ones [env: NAPTIP_PLUGINS_DIR].",
)
@click.version_option(package_name="naptip", prog_name="naptip")
@click.pass_context
def cli(ctx: click.Context, plugins_dir: Path | None) -> None:
    """naptip: NAPTIP 3.0 as owned, dated, reminded and evidenced work."""
    ctx.obj = App(plugins_dir=plugins_dir)


def register_plugin_commands(group: click.Group) -> None:
    """Let plugins found through entry points or NAPTIP_PLUGINS_DIR add commands."""
    try:
        loaded = build_plugin_manager()
    except NaptipError:
        return  # reported properly when the command runs
    ignored: list[Problem] = []  # reported by `naptip plugins check`
    for _name, _result in loaded.call_each("naptip_register_commands", ignored, cli=group):
        pass
