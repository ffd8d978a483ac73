"""Sign-in integrity over real HTTP (issue 17, §3): a sign-in form posted from another
site is refused (login CSRF), and the sign-in rate limit believes X-Forwarded-For only
from configured proxies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from sqlalchemy import select

from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, WebToken
from tests.conftest import db_env
from tests.smtp_server import free_port
from tests.web_support import LEAD, OTHER_LEAD, form_csrf, people, serve

Run = Callable[..., Result]
NAPTIP = str(Path(sys.executable).with_name("naptip"))


@pytest.fixture
def store(synced: Database) -> Iterator[Database]:
    people(synced)
    yield synced


def signed_in(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.execute(select(AuditEntry.actor).where(
            AuditEntry.action == "web.signed_in")).scalars())


def test_a_sign_in_form_from_another_site_is_refused(store: Database,
                                                      builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, web.client() as victim:
        # the attacker's own valid link, posted by the attacker's page in the victim's
        # browser: no sign-in page of the portal was opened, so there is no form secret
        theirs = web.link(OTHER_LEAD).rsplit("/", 1)[1]
        forged = victim.post("/signin", data={"token": theirs})
        assert forged.status_code == 403 and "did not come from" in forged.text
        assert "naptip_session" not in forged.headers.get("set-cookie", "")
        # a form secret from another browser's page does not match this browser's cookie
        with web.client() as attacker:
            secret = form_csrf(attacker.get(f"/signin/{theirs}").text)
        assert victim.post("/signin", data={"token": theirs, "csrf": secret}
                           ).status_code == 403
        # the victim's own page, but the post says it comes from elsewhere
        mine = web.link(LEAD).rsplit("/", 1)[1]
        for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
            refused = web.sign_in(victim, mine, **headers)
            assert refused.status_code == 403, headers
        assert victim.get("/work").status_code == 401
        assert signed_in(store) == []
        # the browser's own post (Origin: null under the no-referrer policy) still works,
        # and the link was not used up by the refused posts
        ok = web.sign_in(victim, mine, origin="null", **{"sec-fetch-site": "same-origin"})
        assert ok.status_code == 303
        assert "ACP Lim Wei" in victim.get("/work").text
        page = victim.get(f"/signin/{theirs}")
        assert "samesite=strict" in page.headers["set-cookie"].lower()
        assert 'name="csrf"' in page.text
    assert signed_in(store) == [LEAD]
    with store.reading() as session:  # the attacker's link is still unused
        token = session.execute(select(WebToken).where(
            WebToken.contact_email == OTHER_LEAD)).scalar_one()
        assert token.used_at is None


def attempts(client: httpx.Client, forwarded: list[str]) -> list[int]:
    return [client.post("/signin", data={"token": f"guess-{n}"},
                        headers={"x-forwarded-for": f}).status_code
            for n, f in enumerate(forwarded)]


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(store: Database,
                                                          builtin_catalog: Catalog) -> None:
    spoofed = [f"203.0.113.{n}" for n in range(1, 6)]
    with serve(store, builtin_catalog, signin_per_minute=3) as web, web.client() as client:
        assert attempts(client, spoofed) == [403, 403, 403, 429, 429]
    trusted = ("127.0.0.1",)
    with serve(store, builtin_catalog, signin_per_minute=3,
               trusted_proxies=trusted) as web, web.client() as client:
        assert attempts(client, spoofed) == [403] * 5  # five clients behind the proxy
        # a client cannot hide behind values it prepends: the proxy appends the real one
        chained = [f"198.51.100.{n}, 192.0.2.7" for n in range(5)]
        assert attempts(client, chained) == [403, 403, 403, 429, 429]


def test_naptip_web_ignores_x_forwarded_for_unless_configured(
        store: Database, tmp_path: Path, run: Run) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text('[web]\ntrusted_proxies = ["127.0.0.1/8", "10.0.0.0/8"]\n',
                      encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[web]\ntrusted_proxies = ["the proxy"]\n', encoding="utf-8")
    r = run("web", env={**db_env(store), "NAPTIP_CONFIG": str(bad)})
    assert r.exit_code == 1 and "web.trusted_proxies: 'the proxy' is not an IP" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    for settings, expected in ((None, [403] * 10 + [429]), (config, [403] * 11)):
        port = free_port()
        env = {**os.environ, **db_env(store), "NAPTIP_AS_OF": "2024-02-14",
               "FORWARDED_ALLOW_IPS": "*"}  # uvicorn's own switch must change nothing
        env.pop("NAPTIP_CONFIG", None)
        if settings is not None:
            env["NAPTIP_CONFIG"] = str(settings)
        server = subprocess.Popen([NAPTIP, "web", "--port", str(port)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{url}/portal.css", timeout=2)
                    break
                except httpx.TransportError:
                    assert server.poll() is None, server.communicate()
                    assert time.monotonic() < deadline, "naptip web did not start"
                    time.sleep(0.2)
            with httpx.Client(base_url=url) as client:
                got = attempts(client, [f"203.0.113.{n}" for n in range(11)])
            assert got == expected, settings
        finally:
            server.terminate()
            server.wait(10)
