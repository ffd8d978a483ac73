"""Versions of a duty: what rule, hosts and lead times were in effect from which day.

A duty changes part-way through the plan in two ways: its plugin declares successive
versions (several ``Duty`` objects with the same id and increasing ``effective_from``), or
the deployment's configuration changes it (``[duties.ID]`` with ``from = 2023-07-01``).
Both are cut into consecutive versions here; each version produces the instances of its
own span only, so an occurrence before the day a change takes effect is computed exactly
as it was before the change: the past stays put by construction.

Configuration changes are layered over the plugin's versions: a change with ``from = F``
applies to every version in effect on or after F (the configuration has the last word).
A change without ``from`` applies from the start of the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from naptip.base.config import DutyOverride, Settings
from naptip.base.model import Duty
from naptip.time.recurrence import Recurrence


@dataclass(frozen=True, kw_only=True, slots=True)
class DutyVersion:
    number: int  #: 1 for the first
    start: date  #: first day it is in effect
    end: date | None  #: the day the next version takes effect (not included); None: last
    duty: Duty  #: the duty's fields in effect
    recurrence: Recurrence
    sources: tuple[str, ...]  #: where it comes from: the plugin, then configuration keys

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)

    def label(self, total: int) -> str | None:
        """What occurrences carry as ``version``: None for a duty never changed."""
        return self.describe(total) if total > 1 or len(self.sources) > 1 else None

    def describe(self, total: int) -> str:
        """``version 2 of 3, from 2023-07-01 until 2024-07-01`` (sources are apart)."""
        span = f"from {self.start}" + (f" until {self.end}" if self.end else "")
        return f"version {self.number} of {total}, {span}"


def resolve_versions(
    plugin: str, declared: Sequence[tuple[Duty, Recurrence]], overrides: Sequence[DutyOverride],
    settings: Settings, plan_start: date, parse: Callable[[str], Recurrence],
) -> tuple[DutyVersion, ...]:
    """Cut a duty's plugin versions and configuration changes into consecutive versions.

    ``declared`` is sorted by ``effective_from``; ``parse`` parses (and may raise on) a
    recurrence given in configuration.
    """
    def start_of(d: Duty) -> date:
        return d.effective_from or plan_start

    base = [(max(start_of(d), plan_start), d, r) for d, r in declared]
    changes = [(o.start or plan_start, o) for o in overrides]
    parsed = {o.key: parse(o.recurrence) for o in overrides if o.recurrence is not None}
    cuts = sorted({s for s, _, _ in base} | {s for s, _ in changes})
    cuts = [c for c in cuts if c >= base[0][0]] or [base[0][0]]
    versions: list[DutyVersion] = []
    for n, cut in enumerate(cuts):
        _, duty, recurrence = [b for b in base if b[0] <= cut][-1]
        sources = [f"plugin {plugin!r}"]
        for start, o in changes:
            if start > cut:
                continue
            fields: dict[str, object] = {}
            if o.recurrence is not None:
                recurrence = parsed[o.key]
                fields["recurrence"] = recurrence.text
            if o.hosts is not None:
                fields["hosts"] = o.hosts
            if o.lead_times is not None:
                fields["lead_times"] = o.lead_times
            if o.cancelled_turn is not None:
                fields["cancelled_turn"] = o.cancelled_turn
            duty = replace(duty, **fields)  # type: ignore[arg-type]
            sources.append(settings.where(o.key))
        end = cuts[n + 1] if n + 1 < len(cuts) else None
        versions.append(DutyVersion(number=n + 1, start=cut, end=end, duty=duty,
                                    recurrence=recurrence, sources=tuple(sources)))
    return tuple(versions)
