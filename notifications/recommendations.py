"""Recommendations in the leads' digest before an HLC-MAPO meeting.

The High Level Committee reviews the follow-up of the recommendation sets at its meetings
(the secretariat's duty ``hlc-mapo-meeting``). From the day the meeting's own reminders
start (the first of its meeting lead times, ``[reminders] meeting_lead_times`` or the
duty's own, 14 days by default) to the meeting day, each item not yet implemented (status
``not-started`` or ``in-progress``) goes to the leads of its lead committee, in their usual
digest, in a section of its own: its status, the day of its last update, the updates
awaiting review, and the ``naptip recommendations update`` command.

Exactly once per meeting, item and person: the reminder ledger keys each on the meeting's
occurrence, the stage ``rec:SET:ITEM`` (``rec:`` and a hash when that is longer than the
ledger's 40 characters) and the recipient. Implemented and not-accepted items are not
sent; nor is anything once the plan is closed, or for a meeting before the plan's
adoption day.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from naptip.base.config import ReminderSettings
from naptip.base.contact_types import ContactInfo
from naptip.base.errors import Problem
from naptip.people.reminders import (
    MEETING_KINDS,
    Delivery,
    Item,
    Plan,
    RecommendationNote,
    policy_for,
)
from naptip.plan.catalog import Catalog
from naptip.plan.lifecycle import PlanLife
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.recommendations.followup import (
    FollowUp,
    ItemFollowUp,
    read_followup,
    read_set_ids,
)
from naptip.store.db import Database
from naptip.store.orm import OccurrenceRow

__all__ = ["HLC_MEETING", "plan_recommendations", "rec_stage"]

HLC_MEETING = "hlc-mapo-meeting"  #: the duty whose meetings review the recommendations
STAGE_MAX = 40  #: the ledger's stage column


def rec_stage(set_id: str, item: str) -> str:
    """The ledger stage of one item: ``rec:us-tip-2025:R1``."""
    stage = f"rec:{set_id}:{item}"
    if len(stage) <= STAGE_MAX:
        return stage
    return "rec:" + hashlib.sha256(f"{set_id}\0{item}".encode()).hexdigest()[:STAGE_MAX - 4]


def upcoming_meetings(rows: Sequence[OccurrenceRow], catalog: Catalog,
                      defaults: ReminderSettings, today: date, *,
                      loaded: LoadedPlugins | None, life: PlanLife | None,
                      problems: list[Problem]) -> list[OccurrenceRow]:
    """The HLC-MAPO meetings whose reminders have started by ``today`` and that are not
    past."""
    if life is not None and life.closed(today):
        return []
    out = []
    for row in rows:
        if row.duty_id != HLC_MEETING or row.kind not in MEETING_KINDS:
            continue
        if life is not None and life.older(row.due):
            continue
        policy = policy_for(row, defaults, catalog, loaded, problems)
        if policy.meeting_lead_times and 0 <= (row.due - today).days <= max(
                policy.meeting_lead_times):
            out.append(row)
    return out


def _note(f: FollowUp, i: ItemFollowUp) -> RecommendationNote:
    return RecommendationNote(
        set_id=f.set_id, source=f.source, item=i.item, text=i.text, status=i.status,
        last_update=i.latest.submitted_on if i.latest else None,
        awaiting=tuple((u.status, u.submitted_on) for u in i.awaiting))


def plan_recommendations(db: Database, rows: Sequence[OccurrenceRow],
                         contacts: Sequence[ContactInfo], catalog: Catalog,
                         defaults: ReminderSettings, today: date, *,
                         loaded: LoadedPlugins | None = None, life: PlanLife | None = None,
                         committee: str | None = None) -> Plan:
    """The recommendations due in digests ``today`` (of the items ``committee`` leads),
    one delivery per lead and channel, to merge with the day's reminders."""
    problems: list[Problem] = []
    meetings = upcoming_meetings(rows, catalog, defaults, today, loaded=loaded, life=life,
                                 problems=problems)
    if not meetings:
        return Plan(deliveries=[], problems=problems)
    with db.reading() as session:
        followups = [read_followup(session, set_id, as_of=today, committee=committee)
                     for set_id in read_set_ids(session, issued_by=today)]
    leads: dict[str, list[ContactInfo]] = defaultdict(list)
    for c in contacts:
        for r in c.roles:
            if r.role == "lead":
                leads[r.scope].append(c)
    items: dict[str, list[Item]] = defaultdict(list)
    people: dict[str, ContactInfo] = {}
    unreached: dict[str, int] = defaultdict(int)
    for meeting in meetings:
        for f in followups:
            for i in f.items:
                if not i.open or not i.lead:
                    continue
                owner = catalog.committees.get(i.lead)
                item = Item(
                    occurrence_id=meeting.id, title=i.text, kind="recommendation",
                    section="recommendations", stage=rec_stage(f.set_id, i.item),
                    due=meeting.due, days=(meeting.due - today).days, unshifted=None,
                    owner=i.lead, owner_name=owner.name if owner else i.lead,
                    owner_name_ms=owner.name_ms if owner else i.lead, duty=meeting.duty_id,
                    recommendation=_note(f, i))
                if not leads.get(i.lead):
                    unreached[f"no lead for {i.lead}"] += 1
                for c in leads.get(i.lead, []):
                    people[c.email] = c
                    items[c.email].append(item)
    deliveries = [Delivery(contact=people[email], channel=channel, items=tuple(mine))
                  for email, mine in sorted(items.items())
                  for channel in ("email", *people[email].urls)]
    return Plan(deliveries=deliveries, problems=problems,
                unreached=[f"{who}: {n} recommendation(s) with nobody to receive them"
                           for who, n in sorted(unreached.items())])
