"""The evidence portal served for real (uvicorn on a loopback port) and its people."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import httpx
import uvicorn

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.people.signin import issue_link, link_url
from naptip.plan.catalog import Catalog
from naptip.plan.plans import PlanRegistry
from naptip.store.db import Database
from naptip.web.app import Portal, create_app
from naptip.web.server import server_config

from .smtp_server import free_port

LEAD = "lead@rmp.gov.my"
OTHER_LEAD = "lead@agc.gov.my"
REVIEWER = "reviewer@mapo.gov.my"
OCCURRENCE = "S19-O1-viii@2023"  #: enforcement, counts people, due 2024-01-31
OTHERS = "S1-O1-v@2023"  #: legislative's
TODAY = date(2024, 2, 14)


def people(db: Database) -> None:
    ContactDirectory(db).upsert([
        ContactInfo(name="ACP Lim Wei", email=LEAD,
                    roles=(Role(role="lead", scope="enforcement"),)),
        ContactInfo(name="Puan Aishah", email=OTHER_LEAD, language="ms",
                    roles=(Role(role="lead", scope="legislative"),)),
        ContactInfo(name="Encik Razak", email=REVIEWER,
                    roles=(Role(role="reviewer", scope="nso-mapo"),)),
    ], actor="test")


@dataclass
class Served:
    portal: Portal
    url: str

    def link(self, email: str) -> str:
        return link_url(self.url, issue_link(self.portal.db, email, actor="test"))

    @contextmanager
    def client(self, email: str | None = None) -> Iterator[httpx.Client]:
        """An HTTP client, signed in as ``email`` through a fresh link."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            if email is not None:
                response = self.sign_in(client, self.link(email).rsplit("/", 1)[1])
                assert response.status_code == 303, response.text
            yield client

    def sign_in(self, client: httpx.Client, token: str, **headers: str) -> httpx.Response:
        """Open the sign-in page of ``token`` and press its button, as a browser does."""
        page = client.get(f"/signin/{token}")
        return client.post("/signin", data={"token": token, "csrf": form_csrf(page.text)},
                            headers=headers)

    def csrf(self, client: httpx.Client, path: str) -> str:
        return form_csrf(client.get(path).text)


def form_csrf(page: str) -> str:
    """The CSRF token of the first form on a page."""
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


@contextmanager
def serve(db: Database, catalog: Catalog, *, today: date = TODAY,
          signin_per_minute: int = 1000, trusted_proxies: tuple[str, ...] = (),
          registry: PlanRegistry | None = None,
          catalog_of: Callable[[str], Catalog] | None = None) -> Iterator[Served]:
    """The portal served as ``naptip web`` serves it (the same uvicorn configuration);
    ``registry`` and ``catalog_of``: the other plans it serves (as without --plan)."""
    port = free_port()
    portal = Portal(db=db, catalog=catalog, today=lambda: today,
                    base_url=f"http://127.0.0.1:{port}", signin_per_minute=signin_per_minute,
                    trusted_proxies=trusted_proxies, registry=registry,
                    catalog_of=catalog_of)
    server = uvicorn.Server(server_config(create_app(portal), host="127.0.0.1", port=port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the portal did not start")
        time.sleep(0.02)
    try:
        yield Served(portal, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(10)
