"""Headless Chromium through chromedriver (Debian's chromium and chromium-driver): print a
page to PDF, take PNG screenshots and collect the browser console's errors.

The W3C WebDriver protocol is plain HTTP on loopback, so this needs no extra library.
``./scripts/install-browser`` installs the two packages.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from naptip.base.errors import NaptipError

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = "chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")
A4_CM = (21.0, 29.7)


class BrowserError(NaptipError):
    """Chromium is missing or failed to render."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Browser:
    base: str
    session: str
    console: list[dict[str, Any]] = field(default_factory=list)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.base}/session/{self.session}{path}",
                                         data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as exc:
            detail = json.loads(exc.read() or b"{}").get("value", {})
            raise BrowserError(f"chromium: {detail.get('message', exc)}".splitlines()[0]
                               ) from None

    def open(self, page: Path) -> None:
        self._call("POST", "/url", {"url": page.resolve().as_uri()})

    def console_errors(self) -> list[str]:
        """Console messages at level SEVERE since the last call."""
        entries = self._call("POST", "/se/log", {"type": "browser"}) or []
        self.console += entries
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    def pdf(self) -> bytes:
        width, height = A4_CM
        data = self._call("POST", "/print", {
            "page": {"width": width, "height": height}, "background": True,
            "margin": {"top": 0, "bottom": 0, "left": 0, "right": 0}})
        return base64.b64decode(data)

    def screenshot(self, width: int = 1240, height: int = 1754) -> bytes:
        self._call("POST", "/window/rect", {"width": width, "height": height})
        return base64.b64decode(self._call("GET", "/screenshot"))

    def scroll_to(self, y: int) -> None:
        self._call("POST", "/execute/sync", {"script": f"window.scrollTo(0, {y});",
                                             "args": []})

    def page_height(self) -> int:
        return int(self._call("POST", "/execute/sync", {
            "script": "return document.documentElement.scrollHeight;", "args": []}))


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium with a fresh profile, driven by chromedriver on loopback."""
    driver = shutil.which(CHROMEDRIVER)
    if not CHROMIUM.exists() or driver is None:
        raise BrowserError("PDF and PNG need Chromium and chromedriver: run "
                           "./scripts/install-browser (Debian packages chromium, "
                           "chromium-driver)")
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="naptip-chromium-") as profile:
        process = subprocess.Popen([driver, f"--port={port}", "--allowed-ips=127.0.0.1"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base)
            caps = {"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": str(CHROMIUM),
                                       "args": [*FLAGS, f"--user-data-dir={profile}"]}}}}
            request = urllib.request.Request(f"{base}/session", data=json.dumps(caps).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    session = json.loads(response.read())["value"]["sessionId"]
            except urllib.error.HTTPError as exc:
                message = json.loads(exc.read() or b"{}").get("value", {}).get("message", "")
                raise BrowserError(f"chromium did not start: {message.splitlines()[0]}"
                                   if message else f"chromium did not start: {exc}") from None
            browser = Browser(base=base, session=session)
            try:
                yield browser
            finally:
                urllib.request.urlopen(urllib.request.Request(
                    f"{base}/session/{session}", method="DELETE"), timeout=30).close()
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait(base: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/status", timeout=2) as response:
                if json.loads(response.read())["value"].get("ready"):
                    return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise BrowserError("chromedriver did not start in time")


def html_to_pdf(html: str) -> bytes:
    """Print the page to A4 PDF; a console error in the page is an error."""
    with tempfile.TemporaryDirectory(prefix="naptip-report-") as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        with chromium() as browser:
            browser.open(page)
            errors = browser.console_errors()
            if errors:
                raise BrowserError(f"the report page logged an error: {errors[0]}")
            return browser.pdf()


def screenshots(page: Path, out: Path, pages: int, *, width: int = 900,
                height: int = 1273) -> list[Path]:
    """PNG screenshots of the first ``pages`` screens of a page (A4 proportions)."""
    written = []
    with chromium() as browser:
        browser.open(page)
        errors = browser.console_errors()
        if errors:
            raise BrowserError(f"the page logged an error: {errors[0]}")
        browser.screenshot(width, height)  # sets the window size
        total = browser.page_height()
        for n in range(pages):
            if n * height >= total:
                break
            browser.scroll_to(n * height)
            path = out / f"{page.stem}-{n + 1}.png"
            path.write_bytes(browser.screenshot(width, height))
            written.append(path)
    return written
