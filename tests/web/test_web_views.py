"""The portal's routes table against its views (``naptip.web.views``): every view is
routed once, and every view for signed-in contacts is behind a sign-in."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.routing import Route

import naptip.web.views
from naptip.plan.catalog import Catalog
from naptip.store.db import Database, open_database
from naptip.web.app import Portal, routes
from tests.web_support import OCCURRENCE, serve

#: a value for each path parameter of the routes table
SAMPLES = {"oid": OCCURRENCE, "eid": "1", "aid": "1", "cid": "enforcement", "token": "x"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'naptip.db'}", blobs=tmp_path / "blobs")
    yield db
    db.dispose()


def views() -> dict[str, Callable[..., object]]:
    """Every view of every module of ``naptip.web.views``: an async function of
    ``(portal, request)`` or ``(portal, request, viewer)``, by its dotted name."""
    found: dict[str, Callable[..., object]] = {}
    for info in pkgutil.iter_modules(naptip.web.views.__path__):
        module = importlib.import_module(f"naptip.web.views.{info.name}")
        for name, value in vars(module).items():
            if (inspect.iscoroutinefunction(value) and value.__module__ == module.__name__
                    and list(inspect.signature(value).parameters)
                    in (["portal", "request"], ["portal", "request", "viewer"])):
                found[f"{info.name}.{name}"] = value
    return found


def routed(route: Route) -> Callable[..., object]:
    """The view behind a route's endpoint (``public`` and ``signed_in`` wrap it)."""
    view: Callable[..., object] = inspect.unwrap(route.endpoint)
    return view


def test_every_view_is_routed_exactly_once(store: Database, builtin_catalog: Catalog) -> None:
    table = [r for r in routes(Portal(db=store, catalog=builtin_catalog))
             if isinstance(r, Route)]
    known = views()
    assert len(known) >= 16, sorted(known)  # the portal's pages, not an empty package
    by_view = [routed(r) for r in table]
    for name, view in known.items():
        assert by_view.count(view) == 1, f"{name} is routed {by_view.count(view)} times"
    assert len(by_view) == len(known), "a route whose view is not in naptip.web.views"


def test_every_signed_in_view_says_signed_out_without_a_session(
        store: Database, builtin_catalog: Catalog) -> None:
    table = [r for r in routes(Portal(db=store, catalog=builtin_catalog))
             if isinstance(r, Route)
             and "viewer" in inspect.signature(routed(r)).parameters]
    assert {r.path for r in table} >= {"/work", "/review", "/calendars", "/signout",
                                       "/occurrence/{oid:path}/evidence"}
    with serve(store, builtin_catalog) as web, web.client() as anonymous:
        for route in table:
            path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES[m.group(1)], route.path)
            method = "POST" if "POST" in (route.methods or ()) else "GET"
            response = anonymous.request(method, path, data={"csrf": "x"})
            assert response.status_code == 401, (method, path, response.status_code)
            assert "You are signed out." in response.text, path
