"""The marker plugins use: ``@naptip.hookimpl``."""

from __future__ import annotations

import pluggy

hookimpl = pluggy.HookimplMarker("naptip")
