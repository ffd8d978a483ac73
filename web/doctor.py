"""``naptip doctor``'s look at the portal's and the feeds' public addresses, registered
under the ``naptip.doctor`` entry points (core does not import the portal)."""

from __future__ import annotations

from urllib.parse import urlsplit

from naptip.web.calendar_links import FEEDS_ENV, feeds_url
from naptip.work.doctor import Checked, Setup

WEB_ENV = "NAPTIP_WEB_URL"


def _address(value: str, variable: str, name: str) -> Checked | None:
    """A problem when the address is set but is not a web address; else None."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return Checked(name, (f"{variable} is {value!r}: give the public address, "
                              "https://host/...",))
    return None


def check_portal(setup: Setup) -> Checked:
    value = setup.environ.get(WEB_ENV, "").strip()
    if not value:
        return Checked("portal", warnings=(
            f"{WEB_ENV} not set: digests give CLI lines, no portal links",))
    return _address(value, WEB_ENV, "portal") or Checked(
        "portal", detail=f"digests link to {value.rstrip('/')}")


def check_feeds(setup: Setup) -> Checked:
    value = setup.environ.get(FEEDS_ENV, "").strip()
    if not value:
        return Checked("feeds", warnings=(
            f"{FEEDS_ENV} not set: no feed addresses in the portal",))
    return _address(value, FEEDS_ENV, "feeds") or Checked(
        "feeds", detail=f"feeds served at {feeds_url(setup.environ)}")
