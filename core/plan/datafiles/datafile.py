"""Read a plugin's TOML data file (committee, agencies, activities) into model objects.

The built-in plugins keep their data in ``activities.toml`` next to their module; agency
plugins may do the same with :class:`DataPlugin`. The format is documented in
docs/plugin-authors.md. Unknown keys and wrong types are refused with the file, the entry
and the field named, so a typo never silently drops data.
"""

from __future__ import annotations

import contextlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from naptip.base.errors import DataFileError
from naptip.base.hookimpl import hookimpl
from naptip.base.model import (
    Activity,
    Agency,
    AgencyExtension,
    Cadence,
    Committee,
    Duty,
    DutyKind,
    Indicator,
    IndicatorKind,
    Milestone,
    Timeline,
)

_COMMITTEE_KEYS = {"id", "kind", "name", "name_ms", "lead_agency", "lead_agency_short",
                   "function", "pillars", "aliases", "state", "notes"}
_AGENCY_KEYS = {"id", "name", "short_name", "name_ms", "committees", "state", "units"}
_EXTENSION_KEYS = {"agency", "units", "committees", "state"}
_ACTIVITY_KEYS = {"id", "objective", "output", "parent", "text", "responsibility", "lead",
                  "support", "parties", "timeline", "cadence", "related_goals", "notes",
                  "indicator"}
_INDICATOR_KEYS = {"text", "kind", "target", "target_value", "disaggregate", "timeline"}
_DUTY_KEYS = {"id", "title", "owner", "kind", "recurrence", "duration_minutes", "hosts",
              "support", "parties", "milestone", "fulfils", "lead_times", "flow",
              "description", "notes", "from", "cancelled_turn"}
_MILESTONE_KEYS = {"id", "title", "offset_days", "kind"}


@dataclass(frozen=True, kw_only=True, slots=True)
class DataFile:
    committee: Committee | None
    agencies: tuple[Agency, ...]
    activities: tuple[Activity, ...]
    duties: tuple[Duty, ...] = ()
    agency_extensions: tuple[AgencyExtension, ...] = ()


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> DataFileError:
        return DataFileError(f"{self.source}: {where}: {message}")

    def table(self, raw: Any, where: str, allowed: set[str]) -> Mapping[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "expected a table")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r}")
        return raw

    def text(self, raw: Mapping[str, Any], key: str, where: str, *, required: bool = True,
             ) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing {key!r}")
            return None
        if not isinstance(value, str):
            raise self.fail(where, f"{key!r} must be text")
        return " ".join(value.split())

    def req(self, raw: Mapping[str, Any], key: str, where: str) -> str:
        value = self.text(raw, key, where)
        assert value is not None
        return value

    def texts(self, raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(where, f"{key!r} must be a list of text")
        return tuple(" ".join(v.split()) for v in value)

    def integer(self, raw: Mapping[str, Any], key: str, where: str, default: int) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"{key!r} must be a whole number")
        return value

    def kind(self, raw: Mapping[str, Any], where: str, default: DutyKind | None) -> DutyKind:
        value = self.text(raw, "kind", where, required=default is None)
        if value is None:
            assert default is not None
            return default
        try:
            return DutyKind(value)
        except ValueError:
            allowed = ", ".join(k.value for k in DutyKind)
            raise self.fail(where, f"kind {value!r} is not one of {allowed}") from None

    def duty(self, raw: Any, n: int) -> Duty:
        t = self.table(raw, f"duty #{n}", _DUTY_KEYS)
        where = f"duty {t.get('id', f'#{n}')}"
        lead_times = t.get("lead_times")
        if lead_times is not None and (not isinstance(lead_times, list) or not all(
                isinstance(d, int) and not isinstance(d, bool) for d in lead_times)):
            raise self.fail(where, "'lead_times' must be a list of whole days")
        milestones = t.get("milestone", [])
        if not isinstance(milestones, list):
            raise self.fail(where, "'milestone' must be an array of tables ([[duty.milestone]])")
        start = t.get("from")
        if isinstance(start, str):
            with contextlib.suppress(ValueError):
                start = date.fromisoformat(start.strip())
        if start is not None and (isinstance(start, datetime) or not isinstance(start, date)):
            raise self.fail(where, "'from' must be a day like 2023-07-01")
        recurrence = t.get("recurrence")
        if not isinstance(recurrence, str):
            raise self.fail(where, "'recurrence' must be RFC 5545 text (DTSTART and RRULE lines)")
        return Duty(
            id=self.req(t, "id", where),
            title=self.req(t, "title", where),
            owner=self.req(t, "owner", where),
            kind=self.kind(t, where, None),
            recurrence=recurrence.strip(),
            duration_minutes=self.integer(t, "duration_minutes", where, 0),
            hosts=self.texts(t, "hosts", where),
            support=self.texts(t, "support", where),
            parties=self.texts(t, "parties", where),
            fulfils=self.texts(t, "fulfils", where),
            lead_times=None if lead_times is None else tuple(lead_times),
            flow=self.text(t, "flow", where, required=False) or "reminders",
            description=self.text(t, "description", where, required=False),
            notes=self.texts(t, "notes", where),
            effective_from=start,
            cancelled_turn=self.text(t, "cancelled_turn", where, required=False) or "passes",
            milestones=tuple(self.milestone(m, f"{where} milestone #{k}")
                             for k, m in enumerate(milestones, 1)),
        )

    def milestone(self, raw: Any, where: str) -> Milestone:
        t = self.table(raw, where, _MILESTONE_KEYS)
        return Milestone(
            id=self.req(t, "id", where),
            title=self.req(t, "title", where),
            offset_days=self.integer(t, "offset_days", where, 0),
            kind=self.kind(t, where, DutyKind.DEADLINE),
        )

    def timeline(self, raw: Mapping[str, Any], key: str, where: str) -> Timeline | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, int):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(where, f"{key!r} must be text like \"2021-2025\"")
        try:
            return Timeline.parse(value)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None

    def committee(self, raw: Any) -> Committee:
        t = self.table(raw, "[committee]", _COMMITTEE_KEYS)
        where = f"committee {t.get('id', '?')}"
        return Committee(
            id=self.req(t, "id", where),
            kind=self.text(t, "kind", where, required=False) or "committee",
            name=self.req(t, "name", where),
            name_ms=self.req(t, "name_ms", where),
            lead_agency=self.req(t, "lead_agency", where),
            lead_agency_short=self.req(t, "lead_agency_short", where),
            function=self.text(t, "function", where, required=False),
            pillars=self.texts(t, "pillars", where),
            aliases=self.texts(t, "aliases", where),
            state=self.text(t, "state", where, required=False) or "putrajaya",
            notes=self.texts(t, "notes", where),
        )

    def agency(self, raw: Any, n: int) -> Agency:
        t = self.table(raw, f"agency #{n}", _AGENCY_KEYS)
        where = f"agency {t.get('id', f'#{n}')}"
        return Agency(
            id=self.req(t, "id", where),
            name=self.req(t, "name", where),
            short_name=self.req(t, "short_name", where),
            name_ms=self.text(t, "name_ms", where, required=False),
            committees=self.texts(t, "committees", where),
            state=self.text(t, "state", where, required=False) or "putrajaya",
            units=self.texts(t, "units", where),
        )

    def agency_extension(self, raw: Any, n: int) -> AgencyExtension:
        t = self.table(raw, f"agency_extension #{n}", _EXTENSION_KEYS)
        where = f"agency_extension {t.get('agency', f'#{n}')}"
        return AgencyExtension(
            agency=self.req(t, "agency", where),
            units=self.texts(t, "units", where),
            committees=self.texts(t, "committees", where),
            state=self.text(t, "state", where, required=False),
        )

    def indicator(self, raw: Any, where: str) -> Indicator:
        t = self.table(raw, where, _INDICATOR_KEYS)
        kind = self.req(t, "kind", where)
        try:
            kind_value = IndicatorKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in IndicatorKind)
            raise self.fail(where, f"kind {kind!r} is not one of {allowed}") from None
        target_value = t.get("target_value")
        if target_value is not None and (
            isinstance(target_value, bool) or not isinstance(target_value, int | float)
        ):
            raise self.fail(where, "'target_value' must be a number")
        disaggregate = t.get("disaggregate", False)
        if not isinstance(disaggregate, bool):
            raise self.fail(where, "'disaggregate' must be true or false")
        return Indicator(
            text=self.text(t, "text", where, required=False) or "",
            kind=kind_value,
            target=self.text(t, "target", where, required=False),
            target_value=None if target_value is None else Decimal(str(target_value)),
            disaggregate=disaggregate,
            timeline=self.timeline(t, "timeline", where),
        )

    def activity(self, raw: Any, n: int) -> Activity:
        t = self.table(raw, f"activity #{n}", _ACTIVITY_KEYS)
        where = f"activity {t.get('id', f'#{n}')}"
        cadence = self.text(t, "cadence", where, required=False)
        try:
            cadence_value = Cadence(cadence) if cadence else None
        except ValueError:
            allowed = ", ".join(c.value for c in Cadence)
            raise self.fail(where, f"cadence {cadence!r} is not one of {allowed}") from None
        timeline = self.timeline(t, "timeline", where)
        if timeline is None:
            raise self.fail(where, "missing 'timeline'")
        indicators = t.get("indicator", [])
        if not isinstance(indicators, list):
            raise self.fail(where, "'indicator' must be an array of tables "
                                   "([[activity.indicator]])")
        return Activity(
            id=self.req(t, "id", where),
            objective=self.req(t, "objective", where),
            output=self.req(t, "output", where),
            parent=self.text(t, "parent", where, required=False),
            text=self.req(t, "text", where),
            responsibility=self.text(t, "responsibility", where, required=False),
            lead=self.text(t, "lead", where, required=False) or None,
            support=self.texts(t, "support", where),
            parties=self.texts(t, "parties", where),
            timeline=timeline,
            cadence=cadence_value,
            related_goals=self.texts(t, "related_goals", where),
            notes=self.texts(t, "notes", where),
            indicators=tuple(
                self.indicator(i, f"{where} indicator #{k}") for k, i in enumerate(indicators, 1)
            ),
        )


def parse_data(text: str, source: str) -> DataFile:
    """Parse the text of a data file; ``source`` names it in error messages. The result
    is cached by the text (naptip.plan.parsecache)."""
    from naptip.plan.parsecache import cached

    return cached(text, source, lambda: _parse_data(text, source), DataFile)


def _parse_data(text: str, source: str) -> DataFile:
    reader = _Reader(source)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(f"{source}: not valid TOML: {exc}") from None
    # [plugin] (declared needs) is read by naptip.plan.datafiles.dataplugins
    unknown = sorted(set(raw) - {"committee", "agency", "activity", "duty", "plugin",
                                 "agency_extension"})
    if unknown:
        raise reader.fail("top level", f"unknown table {unknown[0]!r}")
    committee = reader.committee(raw["committee"]) if "committee" in raw else None

    def rows(key: str) -> list[Any]:
        value = raw.get(key, [])
        if not isinstance(value, list):
            raise reader.fail("top level", f"{key!r} must be an array of tables ([[{key}]])")
        return value

    return DataFile(
        committee=committee,
        agencies=tuple(reader.agency(r, n) for n, r in enumerate(rows("agency"), 1)),
        activities=tuple(reader.activity(r, n) for n, r in enumerate(rows("activity"), 1)),
        duties=tuple(reader.duty(r, n) for n, r in enumerate(rows("duty"), 1)),
        agency_extensions=tuple(reader.agency_extension(r, n)
                                for n, r in enumerate(rows("agency_extension"), 1)),
    )


def load_data_file(path: Path) -> DataFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror}") from None
    return parse_data(text, str(path))


class DataPlugin:
    """A plugin whose hooks serve a TOML data file (how the built-in plugins are made).

    ``DataPlugin("my_package")`` serves ``activities.toml`` inside that package;
    ``DataPlugin(path=Path(...))`` serves a file. The file is read on first use.
    """

    def __init__(self, package: str | None = None, *, path: Path | None = None,
                 filename: str = "activities.toml") -> None:
        if (package is None) == (path is None):
            raise TypeError("DataPlugin needs a package or a path")
        self._package = package
        self._path = path
        self._filename = filename
        self._data: DataFile | None = None

    @property
    def data(self) -> DataFile:
        if self._data is None:
            if self._path is not None:
                self._data = load_data_file(self._path)
            else:
                assert self._package is not None
                resource = files(self._package).joinpath(self._filename)
                if not resource.is_file():
                    raise DataFileError(
                        f"{self._package}/{self._filename} is not in the installed package: "
                        "list it in [tool.setuptools.package-data] of the plugin's "
                        "pyproject.toml (an editable install hides this)")
                self._data = parse_data(resource.read_text(encoding="utf-8"),
                                        f"{self._package}/{self._filename}")
        return self._data

    @hookimpl
    def naptip_committees(self) -> Iterable[Committee]:
        return [self.data.committee] if self.data.committee else []

    @hookimpl
    def naptip_agencies(self) -> Iterable[Agency]:
        return self.data.agencies

    @hookimpl
    def naptip_agency_extensions(self) -> Iterable[AgencyExtension]:
        return self.data.agency_extensions

    @hookimpl
    def naptip_activities(self) -> Iterable[Activity]:
        return self.data.activities

    @hookimpl
    def naptip_duties(self) -> Iterable[Duty]:
        return self.data.duties
