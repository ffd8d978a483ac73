"""The default cadence of an activity, used when its plugin does not state one.

The rule, in order (documented in docs/plugin-authors.md):

1. on demand — the activity or one of its indicators says "when necessary", "when needed",
   "as necessary" or "as needed": only a yearly nil-return prompt;
2. yearly deliverable — the activity or an indicator says "annual" (annual programme, work
   plan, budget, review): one deliverable for each year of the timeline;
3. deliverable — every indicator is a deliverable or a milestone ("1 toolkit", "ATIPSOM Act
   is amended"): one deliverable at the end of the timeline;
4. progress report — otherwise: an annual progress report for each year of the timeline.
"""

from __future__ import annotations

import re

from naptip.base.model import Activity, Cadence, IndicatorKind

_ON_DEMAND = re.compile(r"\b(?:when|as) (?:necessary|needed)\b", re.IGNORECASE)
_ANNUAL = re.compile(r"\bannual\b", re.IGNORECASE)
_ONE_OFF = {IndicatorKind.DELIVERABLE, IndicatorKind.MILESTONE}


def default_cadence(activity: Activity) -> Cadence:
    texts = [activity.text, *(i.text for i in activity.indicators)]
    if any(_ON_DEMAND.search(t) for t in texts):
        return Cadence.ON_DEMAND
    if any(_ANNUAL.search(t) for t in texts):
        return Cadence.YEARLY_DELIVERABLE
    if activity.indicators and all(i.kind in _ONE_OFF for i in activity.indicators):
        return Cadence.DELIVERABLE
    return Cadence.PROGRESS_REPORT


def cadence_of(activity: Activity) -> Cadence:
    """The activity's stated cadence, or the default rule's."""
    return activity.cadence or default_cadence(activity)
