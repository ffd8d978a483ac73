"""Settings of a deployment, from a TOML file with sensible defaults for everything.

The file is ``--config FILE``, else ``NAPTIP_CONFIG``, else ``naptip.toml`` in the user's
configuration folder if it exists. Every key is optional; unknown keys and bad values are
refused with one line naming the file and the key. See docs/configuration.md.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import NaptipError


@dataclass(frozen=True, kw_only=True, slots=True)
class MonthDay:
    month: int
    day: int

    @classmethod
    def parse(cls, text: str) -> MonthDay:
        try:
            month, day = (int(x) for x in text.split("-"))
            date(2024, month, day)  # a leap year accepts 02-29
        except ValueError:
            raise ValueError(f"{text!r} is not a month-day like 01-31") from None
        return cls(month=month, day=day)

    def in_year(self, year: int) -> date:
        if (self.month, self.day) == (2, 29) and year % 4:
            return date(year, 2, 28)
        return date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReportingCalendar:
    """When evidence is due, and when the annual review takes place."""

    #: a year's progress reports and nil returns are due on this day of the following year
    evidence_due: MonthDay = MonthDay(month=1, day=31)
    #: a yearly deliverable is due on this day of its year
    yearly_deliverable_due: MonthDay = MonthDay(month=12, day=31)
    #: a one-off deliverable is due on this day of the last year of its timeline
    deliverable_due: MonthDay = MonthDay(month=12, day=31)
    #: the annual review meeting (2022-2025) takes place in this month
    review_month: int = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class DutyOverride:
    """Deployment-specific changes to a duty a plugin declares (a "regular" cadence)."""

    recurrence: str | None = None
    hosts: tuple[str, ...] | None = None
    lead_times: tuple[int, ...] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    reporting: ReportingCalendar = ReportingCalendar()
    #: the largest attachment accepted as evidence, in MB
    max_file_mb: int = 25
    duties: Mapping[str, DutyOverride] = field(default_factory=dict)
    source: Path | None = None


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("naptip") / "naptip.toml"


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None,
                  ) -> Settings:
    env = os.environ if environ is None else environ
    explicit = path or (Path(env["NAPTIP_CONFIG"]) if env.get("NAPTIP_CONFIG") else None)
    target = explicit or default_config_path()
    if not target.exists():
        if explicit is not None:
            raise NaptipError(f"configuration file {str(target)!r} does not exist")
        return Settings()
    try:
        raw = tomllib.loads(target.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NaptipError(f"cannot read configuration {target}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise NaptipError(f"configuration {target} is not UTF-8 text (byte {exc.start} "
                          "cannot be read): save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise NaptipError(f"configuration {target} is not valid TOML: {exc}") from None
    return parse_settings(raw, target)


def parse_settings(raw: Mapping[str, Any], source: Path | None = None) -> Settings:
    where = str(source) if source else "configuration"

    def fail(key: str, message: str) -> NaptipError:
        return NaptipError(f"{where}: {key}: {message}")

    def table(value: Any, key: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise fail(key, "must be a table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise fail(f"{key}.{unknown[0]}", "unknown key")
        return value

    top = table(raw, "top level", {"reporting", "duties", "evidence"})
    ev = table(top.get("evidence", {}), "evidence", {"max_file_mb"})
    max_file_mb = ev.get("max_file_mb", 25)
    if isinstance(max_file_mb, bool) or not isinstance(max_file_mb, int) or not (
            1 <= max_file_mb <= 1024):
        raise fail("evidence.max_file_mb", "must be a whole number of MB, 1 to 1024")
    rep = table(top.get("reporting", {}), "reporting",
                {"evidence_due", "yearly_deliverable_due", "deliverable_due", "review_month"})
    reporting_args: dict[str, Any] = {}
    for key in ("evidence_due", "yearly_deliverable_due", "deliverable_due"):
        if key in rep:
            value = rep[key]
            try:
                reporting_args[key] = MonthDay.parse(str(value))
            except ValueError as exc:
                raise fail(f"reporting.{key}", str(exc)) from None
    if "review_month" in rep:
        month = rep["review_month"]
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
            raise fail("reporting.review_month", "must be a month number 1-12")
        reporting_args["review_month"] = month
    duties: dict[str, DutyOverride] = {}
    for duty_id, value in table(top.get("duties", {}), "duties", set(top.get("duties", {}))
                                ).items():
        key = f"duties.{duty_id}"
        d = table(value, key, {"recurrence", "hosts", "lead_times"})
        recurrence = d.get("recurrence")
        if recurrence is not None and not isinstance(recurrence, str):
            raise fail(f"{key}.recurrence", "must be RFC 5545 text (DTSTART and RRULE lines)")
        hosts = d.get("hosts")
        if hosts is not None and (not isinstance(hosts, list)
                                  or not all(isinstance(h, str) for h in hosts)):
            raise fail(f"{key}.hosts", "must be a list of agency or committee ids")
        lead = d.get("lead_times")
        if lead is not None and (not isinstance(lead, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lead)):
            raise fail(f"{key}.lead_times", "must be a list of whole days (0 or more)")
        duties[duty_id] = DutyOverride(
            recurrence=recurrence,
            hosts=tuple(hosts) if hosts is not None else None,
            lead_times=tuple(lead) if lead is not None else None,
        )
    return Settings(reporting=ReportingCalendar(**reporting_args), duties=duties,
                    max_file_mb=max_file_mb, source=source)
