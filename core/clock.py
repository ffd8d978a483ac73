"""The plan's clock: a day that can be set, so any day of the plan can be previewed.

``--as-of YYYY-MM-DD`` (every command) or ``NAPTIP_AS_OF`` sets it; otherwise it is
today in the plan's time zone, Asia/Kuala_Lumpur.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .errors import NaptipError

PLAN_TZ = ZoneInfo("Asia/Kuala_Lumpur")


def parse_day(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise NaptipError(f"{what}: {text!r} is not a date like 2024-07-30") from None


def today(as_of: date | None = None, environ: Mapping[str, str] | None = None) -> date:
    """The day the engine works on."""
    if as_of is not None:
        return as_of
    env = os.environ if environ is None else environ
    text = env.get("NAPTIP_AS_OF")
    if text:
        return parse_day(text, "NAPTIP_AS_OF")
    return datetime.now(PLAN_TZ).date()


def real_today() -> date:
    """The real day in the plan's time zone, whatever ``--as-of`` says: work cannot have
    been done after it."""
    return datetime.now(PLAN_TZ).date()
