"""Services that the outer packages (notifications, calendars, flows) offer the command
line, found through the entry-point group ``naptip.services`` so that core never imports
them: e.g. ``outbox-send`` (``naptip outbox send``, which needs the SMTP transport)."""

from __future__ import annotations

import importlib.metadata
from typing import Any

from .errors import NaptipError

GROUP = "naptip.services"


def service(name: str) -> Any:
    """The object registered as ``name`` in the ``naptip.services`` group."""
    for entry in importlib.metadata.entry_points(group=GROUP):
        if entry.name == name:
            return entry.load()
    raise NaptipError(f"this installation of naptip has no {name!r} service "
                      "(reinstall it: pip install -e .)")
