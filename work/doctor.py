"""``naptip doctor``: is this machine's set-up sound? Each check returns its problems and
its warnings, one line each; the command prints them and exits 1 when there is a problem
(a warning, something not set up that naptip works without, never changes the exit).

Checks are plain functions of a :class:`Setup`, run in order: the built-in ones below,
then any registered under the entry-point group ``naptip.work.doctor`` (a callable taking the
Setup and returning a :class:`Checked`), so that the portal, the feeds, the mail and the
contact directory can add theirs without core importing them.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from naptip.base.errors import NaptipError
from naptip.store.db import Database

if TYPE_CHECKING:
    from naptip.plan.catalog import Catalog

GROUP = "naptip.doctor"


@dataclass(frozen=True)
class Checked:
    name: str  #: what was checked, e.g. "store"
    problems: tuple[str, ...] = ()
    detail: str = ""  #: what was found, when all is well
    #: what is not set up, though naptip works without it (the exit code stays 0)
    warnings: tuple[str, ...] = ()


@dataclass
class Setup:
    """What the checks look at: the environment and, opened once, the store."""

    environ: Mapping[str, str]
    open_store: Callable[[], Database]
    #: workers will run the flows (``naptip deploy``), whatever the server says yet
    expect_workers: bool = False
    #: the plan's catalog as the commands build it (None: from the installed plugins)
    open_catalog: Callable[[], Catalog] | None = None
    _db: Database | None = field(default=None, repr=False)
    _error: str | None = field(default=None, repr=False)

    def store(self) -> Database | None:
        """The store, or None when it cannot be opened (the store check says why)."""
        if self._db is None and self._error is None:
            try:
                self._db = self.open_store()
            except NaptipError as exc:
                self._error = str(exc)
        return self._db

    def catalog(self) -> Catalog:
        if self.open_catalog is not None:
            return self.open_catalog()
        from naptip.plan.catalog import build_catalog
        from naptip.plan.pluginmanager import build_plugin_manager

        return build_catalog(build_plugin_manager(environ=self.environ))

    @property
    def store_error(self) -> str | None:
        self.store()
        return self._error


Check = Callable[[Setup], Checked]


def check_store(setup: Setup) -> Checked:
    from naptip.store.migrate import schema_state

    db = setup.store()
    if db is None:
        return Checked("store", (setup.store_error or "the store cannot be opened",))
    state = schema_state(db.engine)  # open_store refused any other schema
    return Checked("store", detail=f"{db.describe()} at schema {state.current}")


def check_prefect(setup: Setup) -> Checked:
    from naptip.work.prefect_access import (
        deployments_by_plan,
        naptip_deployments,
        probe,
        verdict,
    )

    url = setup.environ.get("PREFECT_API_URL")
    if not url:
        return Checked("prefect", detail="PREFECT_API_URL not set: naptip serve starts "
                                         "its own, with credentials")
    found = probe(url, setup.environ.get("PREFECT_API_AUTH_STRING") or None)
    if not found.answers:
        return Checked("prefect", (f"the Prefect server at {url} does not answer",))
    said = verdict(found)
    problem = said.error or (said.warning.removeprefix("warning: ") if said.warning else None)
    if problem:
        return Checked("prefect", (problem,))
    auth = setup.environ.get("PREFECT_API_AUTH_STRING") or None
    found_deployments = naptip_deployments(url, auth)
    plans = "" if found_deployments is None else \
        f"; naptip deployments: {deployments_by_plan(found_deployments)}"
    return Checked("prefect", detail=f"{url} asks for credentials, takes ours{plans}")


def _workers_used(setup: Setup) -> list[str]:
    from naptip.work.prefect_access import pooled_deployments

    url = setup.environ.get("PREFECT_API_URL")
    if not url:
        return []
    return pooled_deployments(url, setup.environ.get("PREFECT_API_AUTH_STRING")) or []


def check_folders(setup: Setup) -> Checked:
    from naptip.work.shared_folders import check_identity, folders, in_data_folder

    db = setup.store()
    if db is None:
        return Checked("folders", detail="not checked: no store")
    if db.backend != "postgresql":
        return Checked("folders", detail="one machine (SQLite store): local folders")
    problems: list[str] = []
    workers = setup.expect_workers or bool(_workers_used(setup))
    for folder in folders(db, setup.environ):
        if workers and not folder.configured and in_data_folder(folder.path):
            problems.append(f"{folder.variable} is not set: with workers, the {folder.name} "
                            f"would stay in each machine's own {folder.path}; set it to a "
                            "folder every machine shares")
            continue
        found = check_identity(db, folder)
        if found:
            problems.append(found)
    return Checked("folders", tuple(problems),
                   detail="attachments, calendars, reports: the other machines' folders")


BUILTIN: tuple[Check, ...] = (check_store, check_prefect, check_folders)


def checks() -> list[Check]:
    """The built-in checks, then those of the ``naptip.doctor`` entry points."""
    found: list[Check] = list(BUILTIN)
    for entry in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: e.name):
        found.append(entry.load())
    return found


def run_checks(setup: Setup, selected: list[Check] | None = None) -> list[Checked]:
    results = []
    for check in checks() if selected is None else selected:
        try:
            results.append(check(setup))
        except NaptipError as exc:
            results.append(Checked(getattr(check, "__name__", "check"), (str(exc),)))
    return results


def default_setup(open_store: Callable[[], Database],
                  open_catalog: Callable[[], Catalog] | None = None) -> Setup:
    return Setup(environ=dict(os.environ), open_store=open_store, open_catalog=open_catalog)
