"""The plan's clock: a day that can be set, so any day of the plan can be previewed.

``--as-of YYYY-MM-DD`` (every command) or ``NAPTIP_AS_OF`` sets it; otherwise it is
today in the plan's time zone, Asia/Kuala_Lumpur.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from naptip.base.errors import NaptipError

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


#: how a time is labelled wherever a person reads it (Malaysia Time, UTC+8, no DST)
ZONE_LABEL = "MYT"


def shown_time(moment: datetime | str, *, seconds: bool = False) -> str:
    """An instant as people read it, in the plan's zone and labelled:
    ``2024-07-30 16:06 MYT``. Stored instants are UTC; a naive one (or an ISO text
    without an offset) is taken as UTC. Every time shown by the CLI, the portal and the
    messages goes through here."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(PLAN_TZ)
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local.strftime(shape)} {ZONE_LABEL}"
