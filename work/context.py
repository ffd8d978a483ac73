"""What a naptip process works with: its settings, its plugins and their catalog, its
store and its day, each built once on first use. The command line and the flows both
start from one (``naptip.cli`` and ``naptip.flows`` sit above this package)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from naptip.base.config import Settings, load_settings
from naptip.base.errors import NaptipError
from naptip.plan.catalog import Catalog
from naptip.plan.plans import KnownPlan, PlanRegistry, load_plans, plan_catalog
from naptip.plan.pluginmanager import LoadedPlugins, build_plugin_manager
from naptip.time.clock import today

if TYPE_CHECKING:
    from naptip.store.db import Database


@dataclass
class App:
    """What the commands share: the plugins and the catalog, built once, on first use."""

    plugins_dir: Path | None = None
    config_path: Path | None = None
    as_of: date | None = None  #: set by --as-of; else NAPTIP_AS_OF; else today
    #: set by --plan (or NAPTIP_PLAN); else the plan running today, else the latest
    plan_id: str | None = None
    _plans: PlanRegistry | None = field(default=None, repr=False)
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

    def for_plan(self, plan_id: str) -> App:
        """This process's settings, plugins, plans and store, scoped to another plan (its
        own catalog): ``naptip run`` without ``--plan`` works for each plan in turn. The
        store stays this App's to close."""
        scoped = App(plugins_dir=self.plugins_dir, config_path=self.config_path,
                     as_of=self.as_of, plan_id=plan_id)
        scoped._loaded, scoped._settings, scoped._plans = self.loaded, self.settings, self.plans
        scoped._db, scoped._shown = self._db, self._shown
        if plan_id == self.plan.id:
            scoped._catalog = self._catalog
        return scoped

    def for_occurrences(self, occurrence_ids: Iterable[str] = (),
                        evidence_id: int | None = None) -> App:
        """Scoped to the plan the store files these occurrences (or this evidence) under,
        when no plan was chosen (--plan, NAPTIP_PLAN) and that plan is another known one:
        a closed plan's items (re-opened, late evidence) are worked on without --plan.
        Else this App, whose own commands say what is wrong."""
        if self.plan_id is not None or not self.store_may_exist():
            return self
        from sqlalchemy import select

        from naptip.store.orm import Evidence, OccurrenceRow

        ids = [i.strip() for i in occurrence_ids]
        with self.db.reading() as session:
            if evidence_id is not None:
                ids += session.execute(select(Evidence.occurrence_id).where(
                    Evidence.id == evidence_id)).scalars().all()
            plans = set(session.execute(select(OccurrenceRow.plan_id).where(
                OccurrenceRow.id.in_(ids))).scalars()) if ids else set()
        if len(plans) != 1:
            return self
        [plan_id] = plans
        if plan_id == self.plan.id or plan_id not in self.plans.plans:
            return self
        return self.for_plan(plan_id)

    def use_loaded(self, loaded: LoadedPlugins) -> None:
        """Work with plugins already loaded with the same choice of plugins (the command
        line loads them once to find their commands)."""
        if self._loaded is None:
            self._loaded = loaded

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    @property
    def plans(self) -> PlanRegistry:
        """Every plan known: the built-in NAPTIP 3.0 and the plan packages that load."""
        if self._plans is None:
            self._plans = load_plans(self.loaded, self.settings)
        return self._plans

    @property
    def plan(self) -> KnownPlan:
        """The plan the commands work on: --plan, else the one running today, else the
        one that started most recently."""
        if self.plan_id is not None:
            return self.plans.get(self.plan_id)
        return self.plans.default(self.today)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = plan_catalog(self.loaded, self.plans, self.plan.id,
                                         settings=self.settings)
        return self._catalog

    @property
    def db(self) -> Database:
        """The store, opened for reading and writing evidence; never created here (only
        ``naptip sync`` and ``naptip db upgrade`` create a store)."""
        if self._db is None:
            from naptip.store.db import open_database

            self._db = open_database(upgrade=False)
        return self._db

    def writable_db(self) -> Database:
        """The store for commands that add to it (the contact directory): created, with
        its schema, when there is none yet. The schedule in it is still only written by
        ``naptip sync``."""
        if self._db is None:
            from naptip.store.db import open_database

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
        from naptip.occurrences.materialise import Provenance, stored_provenance
        from naptip.store.db import NO_STORE

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
        db, self._db = self._db, None  # closed once, even if Ctrl-C interrupts the closing
        if db is not None:
            db.dispose()

    @property
    def today(self) -> date:
        """The day the commands work on (the plan's clock)."""
        return today(self.as_of)

    def warn_problems(self) -> None:
        """Print plugin problems as warnings (once); the command goes on without them."""
        if self._warned:
            return
        self._warned = True
        from naptip.plan.zonecheck import zone_warnings

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
