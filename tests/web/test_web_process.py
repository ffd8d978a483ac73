"""`naptip web` as a real process: it serves the portal; a printed link signs in."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from naptip.store.db import Database
from tests.conftest import db_env
from tests.smtp_server import free_port
from tests.web.test_web_security import store
from tests.web_support import LEAD, form_csrf

__all__ = ["store"]
NAPTIP = str(Path(sys.executable).parent / "naptip")
pytestmark = pytest.mark.slow


def test_naptip_web_serves_and_a_printed_link_signs_in(
        store: Database, run: Callable[..., Result]) -> None:
    port = free_port()
    env = {**os.environ, **db_env(store), "NAPTIP_AS_OF": "2024-02-14"}
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
        printed = run("web", "link", LEAD, "--base-url", url, env=db_env(store))
        link = printed.output.strip()
        with httpx.Client(base_url=url) as client:
            signed_out = client.get("/work")
            assert signed_out.status_code == 401
            assert client.get(link).status_code == 200
            token = link.rsplit("/", 1)[1]
            page = client.get(f"/signin/{token}")
            assert client.post("/signin", data={"token": token, "csrf": form_csrf(page.text)}
                               ).status_code == 303
            page = client.get("/work", params={"year": "2024"})  # overdue, oldest first
            assert page.status_code == 200 and "S19-O1-viii@2023" in page.text
            assert client.get("/lang", params={"to": "ms", "next": "/work"},
                              follow_redirects=True).text.count("Kerja saya") >= 1
    finally:
        server.terminate()
        server.wait(10)
