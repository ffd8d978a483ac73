"""Malaysian working days: public holidays per state, and weekends per state and year.

Public holidays come from the ``holidays`` package (Malaysia, with state subdivisions).
Weekends it does not know, so they are here:

- Kedah, Kelantan and Terengganu rest Friday-Saturday;
- Johor rested Friday-Saturday until 31 December 2024 and Saturday-Sunday from 2025;
- every other state and federal territory, Putrajaya included, rests Saturday-Sunday.

A deadline on a non-working day moves to the previous working day; a meeting moves to the
next working day; an observance (World Day) stays on its day.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from importlib.metadata import version
from importlib.resources import files

import holidays

from naptip.base.config import HolidayChange, parse_holiday_changes
from naptip.base.errors import NaptipError
from naptip.base.states import STATES

#: the `holidays` releases this project is tested with (pyproject pins the same range)
TESTED_HOLIDAYS = ">=0.109,<0.110"
CORRECTIONS_FILE = "naptip/data/holiday_corrections.toml"
_configured: tuple[HolidayChange, ...] = ()


FRI, SAT, SUN = 4, 5, 6
_FRI_SAT = frozenset({FRI, SAT})
_SAT_SUN = frozenset({SAT, SUN})
_FRIDAY_SATURDAY_STATES = {"kedah", "kelantan", "terengganu"}
_JOHOR_SWITCH = date(2025, 1, 1)  # Johor rests Saturday-Sunday from this day


def check_state(state: str) -> str:
    """The state id, or a clear error naming the known ones."""
    if state not in STATES:
        raise NaptipError(f"unknown state {state!r}; known: {', '.join(sorted(STATES))}")
    return state


def weekend(state: str, day: date) -> frozenset[int]:
    """The weekdays (Monday=0) that are the weekend in ``state`` on ``day``."""
    if state in _FRIDAY_SATURDAY_STATES:
        return _FRI_SAT
    if state == "johor" and day < _JOHOR_SWITCH:
        return _FRI_SAT
    return _SAT_SUN


@lru_cache(maxsize=1)
def shipped_corrections() -> tuple[HolidayChange, ...]:
    """The corrections shipped with naptip (``naptip/data/holiday_corrections.toml``)."""
    text = files("naptip.data").joinpath("holiday_corrections.toml").read_text(encoding="utf-8")
    return parse_corrections(text)


def parse_corrections(text: str) -> tuple[HolidayChange, ...]:
    """The shipped corrections file's entries; unlike a deployment's own ``[holidays]``
    changes, each must cite its public source."""
    changes = parse_holiday_changes(tomllib.loads(text), CORRECTIONS_FILE)
    for change in changes:
        if not change.citation.strip():
            raise NaptipError(f"{change.origin}: a shipped correction needs its public "
                              "source (source = \"title, date, URL\")")
    return changes


def configure_holidays(changes: Iterable[HolidayChange]) -> None:
    """Apply a deployment's ``[holidays]`` changes (after the shipped corrections)."""
    global _configured
    new = tuple(changes)
    if new != _configured:
        _configured = new
        public_holidays.cache_clear()


def _applies(change: HolidayChange, state: str) -> bool:
    if "all" in change.states or state in change.states:
        return True
    return "saturday-sunday" in change.states and weekend(state, change.day) == _SAT_SUN


def change_states(change: HolidayChange) -> list[str]:
    """The state ids a holiday change applies to ("all" and "saturday-sunday" resolved)."""
    return [state for state in STATES if _applies(change, state)]


@lru_cache(maxsize=256)
def public_holidays(state: str, year: int) -> dict[date, str]:
    """Public holidays (federal and of the state) in ``year``, with their names: the
    `holidays` package's, then the shipped corrections, then the configuration's."""
    code = STATES[check_state(state)][1]
    days = dict(holidays.country_holidays("MY", subdiv=code, years=year).items())
    for change in (*shipped_corrections(), *_configured):
        if change.day.year == year and _applies(change, state):
            if change.remove:
                days.pop(change.day, None)
            else:
                days[change.day] = change.name
    return days


def holiday_data() -> str:
    """Which holiday data the working days come from, for ``db status`` and ``explain``."""
    configured = f" + {len(_configured)} from configuration" if _configured else ""
    return (f"holidays {version('holidays')} (tested {TESTED_HOLIDAYS}) + "
            f"{len(shipped_corrections())} correction(s) from {CORRECTIONS_FILE}{configured}")


def estimated_holidays(state: str, first: date, last: date) -> list[tuple[date, str]]:
    """Holidays from ``first`` to ``last`` whose date the package only estimates."""
    lo, hi = min(first, last), max(first, last)
    found: list[tuple[date, str]] = []
    for year in range(lo.year, hi.year + 1):
        found.extend((d, n) for d, n in sorted(public_holidays(state, year).items())
                     if lo <= d <= hi and "estimated" in n.lower())
    return found


def holiday_name(state: str, day: date) -> str | None:
    return public_holidays(state, day.year).get(day)


def is_working_day(state: str, day: date) -> bool:
    return day.weekday() not in weekend(state, day) and day not in public_holidays(state, day.year)


def why_not_working(state: str, day: date) -> str | None:
    """Why ``day`` is not a working day in ``state`` (None when it is one)."""
    name = holiday_name(state, day)
    if name:
        return f"{name} (public holiday in {STATES[state][0]})"
    if day.weekday() in weekend(state, day):
        return f"{day:%A}, the weekend in {STATES[state][0]}"
    return None


def previous_working_day(state: str, day: date) -> date:
    """``day`` if it is a working day, else the working day before it (deadlines)."""
    while not is_working_day(state, day):
        day -= timedelta(days=1)
    return day


def next_working_day(state: str, day: date) -> date:
    """``day`` if it is a working day, else the working day after it (meetings)."""
    while not is_working_day(state, day):
        day += timedelta(days=1)
    return day
