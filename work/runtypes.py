"""What a run of the day's work is given and what it gives back: shared by the run itself
(``naptip.work.daywork``) and its record in the store (``naptip.work.runlog``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naptip.base.config import Settings
from naptip.occurrences.schedule import Schedule
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.store.db import Database

if TYPE_CHECKING:
    from naptip.calendars.ledger import Published


class Shared:
    """What the steps of one run would each build from the same catalog: built once, on
    first use, and shared (``dataclasses.replace`` of a DayWork keeps the same one)."""

    def __init__(self) -> None:
        self._schedule: tuple[Catalog, Schedule] | None = None
        #: the calendar ledger as the run's invitations step recorded it for its day
        #: (``InviteReport.ledger``): the calendars step publishes it without recording
        #: it again; None: not recorded yet
        self.calendar_ledger: Sequence[Published] | None = None

    def schedule(self, catalog: Catalog) -> Schedule:
        """The plugins' schedule of ``catalog`` (``build_schedule``), expanded once."""
        if self._schedule is None or self._schedule[0] is not catalog:
            from naptip.occurrences.schedule import build_schedule

            self._schedule = (catalog, build_schedule(catalog))
        return self._schedule[1]


@dataclass(frozen=True)
class DayWork:
    """What a run works with: the store, the plan, the settings, and the days it covers."""

    db: Database
    catalog: Catalog
    settings: Settings
    loaded: LoadedPlugins | None
    day: date
    since: date  #: the first day covered (== day unless catching up)
    dry_run: bool = False
    actor: str = "naptip"
    trigger: str = "cli"  #: cli, prefect, ...
    environ: Mapping[str, str] | None = None
    outbox: Path | None = None
    #: re-send failed messages now rather than after the ledger's backoff (the daily run)
    retry_failed: bool = True
    duty: str | None = None  #: only this duty's work (a duty's own flow)
    run_id: str | None = None  #: the run's record (``naptip.work.runlog``): who holds its claims
    #: what the steps share (the schedule), built once per run
    shared: Shared = field(default_factory=Shared, compare=False, repr=False)

    @property
    def schedule(self) -> Schedule:
        """The plugins' schedule, expanded once for all the steps of the run."""
        return self.shared.schedule(self.catalog)

    @property
    def days(self) -> int:
        return (self.day - self.since).days + 1


@dataclass
class StepResult:
    name: str
    status: str  #: done, failed, not available, skipped
    counts: dict[str, int] = field(default_factory=dict)
    detail: str = ""
    failures: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "counts": self.counts,
                "detail": self.detail, "failures": self.failures}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StepResult:
        return cls(name=str(data["name"]), status=str(data["status"]),
                   counts=dict(data.get("counts") or {}), detail=str(data.get("detail", "")),
                   failures=list(data.get("failures") or []))


@dataclass(frozen=True)
class RunSummary:
    id: str
    day: date
    since: date
    status: str
    trigger: str
    host: str
    dry_run: bool
    seconds: float | None
    steps: list[StepResult]
    duty: str | None = None  #: a duty flow's run; None: the day's work
    note: str = ""  #: why it crashed, an alert that was not delivered...
    plan: str = ""  #: the id of the plan whose day's work it did
    started_at: datetime | None = None

    @property
    def failed(self) -> bool:
        return self.status == "failed"
