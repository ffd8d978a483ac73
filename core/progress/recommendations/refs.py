"""What a recommendation refers to: committees (its lead and supporting ones) and plan
activities (the ones that answer it), named as people write them, checked against the
plans naptip knows."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from naptip.base.lookup import suggestion
from naptip.base.model import Committee
from naptip.base.text import echo_cut
from naptip.base.values import EvidenceError

__all__ = ["MAX_TEXT", "REVIEWS", "STATUSES", "PlanRefs", "split_list"]

#: an item's status: what its last accepted update said (``not-started`` until then)
STATUSES = ("not-started", "in-progress", "implemented", "not-accepted")
#: an update's review state
REVIEWS = ("submitted", "accepted", "returned")
#: a recommendation's text, an update's narrative: short, as the report prints them
MAX_TEXT = 2_000
#: several ids in one cell or option: "S4-O1-i; S5-O2-i", or one a line
_SEPARATORS = re.compile(r"[;\n\r]+")


def split_list(text: str, *, commas: bool = False) -> list[str]:
    """The ids in a cell: separated by ``;`` or new lines (and ``,`` when ``commas``:
    committee lists, whose names have no commas), blanks left out, repeats once."""
    parts = _SEPARATORS.split(text)
    if commas:
        parts = [p for part in parts for p in part.split(",")]
    return list(dict.fromkeys(" ".join(p.split()) for p in parts if p.strip()))


@dataclass(frozen=True)
class PlanRefs:
    """The committees (by id) and each known plan's activity ids; an activity id without
    a plan (``S4-O1-i``) is one of ``default_plan`` (the plan the command works on:
    ``naptip --plan``, else the plan running today), another plan's is written
    ``naptip-4.0:S1-O1-i`` (the plan's id in any case)."""

    committees: Mapping[str, Committee]
    activities: Mapping[str, Collection[str]]
    default_plan: str

    def committee(self, given: str) -> str:
        """The committee id ``given`` names: its id, English or Malay name or an alias,
        in any case (as ``naptip plan import`` reads a matrix)."""
        key = " ".join(given.split()).casefold()
        for c in self.committees.values():
            if key in {n.casefold() for n in (c.id, c.name, c.name_ms, *c.aliases) if n}:
                return c.id
        raise EvidenceError(f"unknown committee {echo_cut(given)!r} (known: "
                            f"{', '.join(sorted(self.committees))})")

    def activity(self, given: str) -> tuple[str, str]:
        """(plan id, activity id) of ``given``: ``S4-O1-i`` or ``PLAN:ID``."""
        text = "".join(given.split())
        plan_id, sep, activity = text.rpartition(":")
        if not sep:
            plan_id = self.default_plan
        plan_id = next((p for p in self.activities if p.casefold() == plan_id.casefold()),
                       plan_id)
        known = self.activities.get(plan_id)
        if known is None:
            raise EvidenceError(f"unknown plan {echo_cut(plan_id)!r} in activity "
                                f"{echo_cut(given)!r} (known: {', '.join(self.activities)})")
        found = activity if activity in known else next(
            (a for a in known if a.casefold() == activity.casefold()), None)
        if found is None:
            hint = suggestion(activity, known)
            raise EvidenceError(f"unknown activity {echo_cut(given)!r} of {plan_id}"
                                + (hint or " (see `naptip plan show`)"))
        return plan_id, found

    def shown(self, plan_id: str, activity_id: str) -> str:
        """An activity named with its plan (``naptip-3.0:S2-O1-i``): two plans may have
        the same activity ids, and a plain id means the command's plan."""
        return f"{plan_id}:{activity_id}"
