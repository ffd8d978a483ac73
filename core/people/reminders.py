"""Who hears about what, and when: the reminder policy applied to the open occurrences.

Pure planning: from the occurrences still open, the contacts and the policy, it works out
for one day every (occurrence, stage, recipient) that is due, and groups them into one
digest per recipient channel. Nothing here sends or writes: ``reminder_ledger`` claims,
``naptip.notifications`` renders and sends.

Stages, counted in **calendar days** (due dates themselves already sit on working days
of the owner's state):

* ``before-N``: N days before a deadline (default 30, 7, 1), to the owner committee's
  leads and, marked as supporting, the supporting committees' leads. Only the nearest
  stage reached is sent, so a late start does not send the 30-day reminder 5 days out.
* ``overdue-N``: the escalation ladder after the due date (default lead +1, chair +14,
  secretariat +30). Every rung reached is sent once, to its own role.
* ``meeting-N``: N days before a meeting, review or event (default 14 and 2), to the
  owner committee's leads, chairs and members, the supporting leads, and the host.
* ``evidence-request``: after a meeting, review or event whose evidence (minutes, report)
  is not in, once, to the owner committee's leads — within ``EVIDENCE_REQUEST_DAYS`` of
  it, so a first run does not ask for every meeting since 2021.

Accepted work and work awaiting review are not reminded; returned work is, with the
reviewer's reason, in a new **round** of its own (the ledger keys each message exactly
once per (occurrence, stage, recipient), so a return needs new stage keys):

* ``returned-K`` (the K-th return of this occurrence): to the owner committee's leads, in
  their next digest, once per return — whatever day the run is for, even when every
  stage of the first round went out before;
* then the usual ladder resumes from the return, its keys marked ``.rK``: the lead-time
  reminders whose day comes after the return (``before-7.r1``), and after the due date
  the escalation ladder counted from the later of the due date and the return day
  (``overdue-14.r1``: the chair 14 days after the return). The lead's first rung (1 day
  or less) is what the ``returned-K`` item already says, so it is not sent again.
  A meeting's, review's or event's returned evidence gets the ``returned-K`` item only.

The plan's life (``naptip.plan.lifecycle``) changes this:

* ``older``: an occurrence due before the adoption day is not reminded or escalated;
  its owner's leads get it once, as one line of a summary that counts the older items
  still open (``naptip.notifications.digest``), with where to see them;
* a closed plan reminds only its final evaluation's duties and the ``returned-K`` item;
* an item re-opened after closing is reminded towards its new deadline, in stages of
  their own (``before-7.re20270131``: its new deadline), as a deadline even when it was a
  meeting (its minutes are what is missing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import select

from naptip.base.config import ReminderSettings
from naptip.base.contact_types import ContactInfo, ReminderPolicy
from naptip.base.errors import NaptipError, Problem
from naptip.base.model import SECRETARIAT_ID
from naptip.people.contacts import check_contact
from naptip.plan.catalog import Catalog
from naptip.plan.lifecycle import CLOSING_FLOWS, PlanLife
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow, Review
from naptip.time.clock import PLAN_TZ

MEETING_KINDS = frozenset({"meeting", "review", "event"})
#: who attends a meeting, review or event (its reminders, its invitations): these roles of
#: the owner committee, of the host, and of each supporting committee
MEETING_AUDIENCE: dict[str, tuple[str, ...]] = {
    "owner": ("lead", "chair", "member"), "host": ("lead", "member"), "support": ("lead",)}
#: an evidence request goes out from the day after a meeting/event, up to this many days
EVIDENCE_REQUEST_DAYS = 30
REMINDED_PROGRESS = ("open", "returned")


@dataclass(frozen=True, kw_only=True, slots=True)
class RecommendationNote:
    """What a digest says of one recommendation before the HLC-MAPO meeting that reviews
    it (``naptip.notifications.recommendations``)."""

    set_id: str
    source: str  #: the set's source: "US TIP Report 2025 — Malaysia"
    item: str  #: the item's id within its set: "R1"
    text: str
    status: str  #: not-started or in-progress
    last_update: date | None  #: the day its latest status update was submitted
    #: its updates awaiting review: (the status proposed, the day submitted)
    awaiting: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    """One occurrence as a digest shows it to one recipient; or, in the section
    ``recommendations``, one recommendation before the meeting occurrence that reviews it
    (``recommendation`` says which: the ledger keys it on that occurrence and a stage of
    its own)."""

    occurrence_id: str
    title: str
    kind: str
    #: overdue, due, meeting, older (due before the adoption day: counted) or
    #: recommendations
    section: str
    stage: str
    due: date
    days: int  #: days overdue (section overdue) or days to go
    unshifted: date | None  #: the rule's date, when the due date was moved
    moved_why: str | None = None  #: why it moved ("Saturday, the weekend in ...")
    owner: str
    owner_name: str
    owner_name_ms: str
    supporting: bool = False
    host: str | None = None
    returned_reason: str | None = None
    #: an item of a closed plan re-opened on purpose (``naptip plan reopen``): the reason
    #: given; ``due`` is then its new deadline, and ``unshifted`` is left out (the working-
    #: day shift of its original due date says nothing about the new one)
    reopened_reason: str | None = None
    indicators: tuple[tuple[str, str | None], ...] = ()  #: (text, target)
    activity: str | None = None
    duty: str | None = None
    recommendation: RecommendationNote | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Delivery:
    """One digest: the items due to one contact on one channel."""

    contact: ContactInfo
    channel: str  #: "email", or an extra apprise URL (with ${ENV} references)
    items: tuple[Item, ...]

    @property
    def key(self) -> str:
        """The ledger's recipient: the address, or address#hash-of-URL."""
        if self.channel == "email":
            return self.contact.email
        import hashlib

        return f"{self.contact.email}#{hashlib.sha256(self.channel.encode()).hexdigest()[:12]}"


@dataclass(frozen=True)
class Plan:
    deliveries: list[Delivery]
    unreached: list[str] = field(default_factory=list)  #: "no lead for enforcement: 3 items"
    problems: list[Problem] = field(default_factory=list)


def remindable_occurrences(db: Database, catalog: Catalog | None = None,
                           ) -> list[OccurrenceRow]:
    """THE source of the occurrences reminders are about: the store's synced schedule.

    Never writes: ``naptip sync`` is the only writer of the schedule. With ``catalog``,
    only its plan's occurrences (a store may hold several plans), and a store that holds
    no schedule for that plan is one line saying to run ``naptip sync``.
    """
    from naptip.occurrences.materialise import require_schedule

    query = select(OccurrenceRow).where(OccurrenceRow.withdrawn.is_(False),
                                        OccurrenceRow.progress.in_(REMINDED_PROGRESS))
    with db.reading() as session:
        if catalog is not None:
            require_schedule(session, db, catalog)
            query = query.where(OccurrenceRow.plan_id == catalog.structure.plan.id)
        return list(session.execute(
            query.order_by(OccurrenceRow.due, OccurrenceRow.id)).scalars())


@dataclass(frozen=True, slots=True)
class Returned:
    """The latest return of an occurrence's evidence: it opens reminder round ``number``."""

    number: int  #: 1 for the occurrence's first return, 2 for the next…
    day: date  #: the day it was returned (Kuala Lumpur)
    reason: str


def latest_returns(db: Database, occurrence_ids: Iterable[str]) -> dict[str, Returned]:
    """The latest return of each of these occurrences that was ever returned."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    found: dict[str, Returned] = {}
    with db.reading() as session:
        for start in range(0, len(ids), 500):
            rows = session.execute(
                select(Evidence.occurrence_id, Review.reason, Review.reviewed_at)
                .join(Review, Review.evidence_id == Evidence.id)
                .where(Evidence.occurrence_id.in_(ids[start:start + 500]),
                       Review.decision == "returned")
                .order_by(Review.reviewed_at, Review.id)).all()
            for oid, reason, at in rows:
                number = found[oid].number + 1 if oid in found else 1
                found[oid] = Returned(number=number, reason=reason or "",
                                      day=at.astimezone(PLAN_TZ).date())
    return found


def returned_reasons(db: Database, occurrence_ids: Iterable[str]) -> dict[str, str]:
    """The latest reviewer's reason for each returned occurrence."""
    return {oid: r.reason for oid, r in latest_returns(db, occurrence_ids).items()}


def all_contacts(stored: Sequence[ContactInfo], loaded: LoadedPlugins | None,
                 scopes: Iterable[str]) -> tuple[list[ContactInfo], list[Problem]]:
    """The store's active contacts plus those plugins contribute (the store wins)."""
    problems: list[Problem] = []
    contacts = {c.email: c for c in stored if c.active}
    if loaded is not None:
        known = set(scopes)
        for plugin, result in loaded.call_each("naptip_contacts", problems):
            for info in result or ():
                if not isinstance(info, ContactInfo):
                    problems.append(Problem(plugin=plugin, message="naptip_contacts returned "
                                            f"{type(info).__name__}, not ContactInfo"))
                    continue
                try:
                    checked = check_contact(replace(info, source=plugin), known)
                except NaptipError as exc:
                    problems.append(Problem(plugin=plugin, message=f"contact: {exc}"))
                    continue
                contacts.setdefault(checked.email, checked)
    return sorted(contacts.values(), key=lambda c: c.email), problems


def policy_for(row: OccurrenceRow, defaults: ReminderSettings, catalog: Catalog,
               loaded: LoadedPlugins | None, problems: list[Problem]) -> ReminderSettings:
    """The configured defaults, then the duty's own lead times, then any plugin's policy."""
    return policy_of(occurrence_id=row.id, kind=row.kind, owner=row.owner,
                     activity=row.activity_id, duty=row.duty_id, defaults=defaults,
                     catalog=catalog, loaded=loaded, problems=problems)


def policy_of(*, occurrence_id: str, kind: str, owner: str, activity: str | None,
              duty: str | None, defaults: ReminderSettings, catalog: Catalog,
              loaded: LoadedPlugins | None, problems: list[Problem],
              lead_times: tuple[int, ...] | None = None) -> ReminderSettings:
    """The policy of one occurrence: the configured defaults (``[reminders]``), then the
    duty's own lead times (``lead_times`` when the caller knows the version in effect,
    else the duty's latest), then any plugin's ``naptip_reminder_policy``. The reminders
    and the calendars' VALARMs both ask here, so they ring on the same days."""
    policy = defaults
    found = catalog.duties.get(duty) if duty else None
    days_before = lead_times if lead_times is not None else (
        found.lead_times if found is not None else None)
    if days_before is not None:
        days = tuple(sorted(days_before, reverse=True))
        policy = (replace(policy, meeting_lead_times=days) if kind in MEETING_KINDS
                  else replace(policy, lead_times=days))
    if loaded is None:
        return policy
    args = {"occurrence_id": occurrence_id, "kind": kind, "owner": owner,
            "activity": activity, "duty": duty}
    for _plugin, result in loaded.call_each("naptip_reminder_policy", problems, **args):
        if isinstance(result, ReminderPolicy):
            if not result.enabled:
                return replace(policy, lead_times=(), escalation=(), meeting_lead_times=())
            changes = {k: getattr(result, k) for k in
                       ("lead_times", "escalation", "meeting_lead_times")
                       if getattr(result, k) is not None}
            return replace(policy, **changes)
    return policy


class _Dated(Protocol):
    @property
    def due(self) -> date: ...
    @property
    def kind(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Reopened:
    due: date
    kind: str


def _life_stages(row: OccurrenceRow, policy: ReminderSettings, today: date,
                 back: Returned | None, life: PlanLife | None, closing: frozenset[str],
                 ) -> tuple[date, list[tuple[str, str, str, int]]]:
    """(the due date shown, the stages reached) once the plan's life is applied."""
    if life is None:
        return row.due, _stages(row, policy, today, back)
    again = life.reopened.get(row.id)
    if again is not None and today >= again.on:  # towards its new deadline, as a deadline
        mark = f".re{again.due:%Y%m%d}"
        return again.due, [(f"{stage}{mark}", section, role, days) for stage, section, role, days
                           in _stages(_Reopened(again.due, "deadline"), policy, today)]
    if life.older(row.due) and (back is None or life.older(back.day)):
        return row.due, [("older", "older", "owner-lead", (today - row.due).days)]
    stages = _stages(row, policy, today, back)
    if life.closed(today) and row.duty_id not in closing:
        stages = [s for s in stages if s[0].startswith("returned-")]
    return row.due, stages


def _stages(row: _Dated, policy: ReminderSettings, today: date,
            back: Returned | None = None) -> list[tuple[str, str, str, int]]:
    """(stage, section, role, days) reached today for this occurrence; ``back``: its
    latest return, whose round replaces the stages before it (see the module). ``role`` is
    a contact role of the owner committee (``lead``, ``chair``...; ``lead`` also reaches
    the supporting committees' leads), ``meeting`` (the meeting's audience),
    ``secretariat``, ``returned`` (the owner's leads: their work came back) or
    ``owner-lead``: the owner's leads only (evidence requests: only the owner submits
    evidence, see ``naptip.web.access``)."""
    if back is not None:
        return _round(row, policy, today, back)
    delta = (today - row.due).days  # > 0: overdue by delta days
    if row.kind in MEETING_KINDS:
        if 1 <= delta <= EVIDENCE_REQUEST_DAYS:
            return [("evidence-request", "overdue", "owner-lead", delta)]
        reached = [n for n in policy.meeting_lead_times if 0 <= -delta <= n]
        return [(f"meeting-{min(reached)}", "meeting", "meeting", -delta)] if reached else []
    if delta < 0 or (delta == 0 and 0 not in dict(policy.escalation).values()):
        reached = [n for n in policy.lead_times if -delta <= n]
        return [(f"before-{min(reached)}", "due", "lead", -delta)] if reached else []
    return [(f"overdue-{n}", "overdue", role, delta) for role, n in policy.escalation
            if delta >= n]


def _round(row: _Dated, policy: ReminderSettings, today: date, back: Returned,
           ) -> list[tuple[str, str, str, int]]:
    """The stages of the round a return opened. A run for a day before the return (a
    preview with --as-of) counts the return as made that day."""
    start = min(back.day, today)
    late = (today - row.due).days  # > 0: overdue by this many days
    out = [(f"returned-{back.number}", "overdue" if late > 0 else "due", "returned",
            abs(late))]
    if row.kind in MEETING_KINDS:
        return out
    mark = f".r{back.number}"
    if late < 0 or (late == 0 and 0 not in dict(policy.escalation).values()):
        reached = [n for n in policy.lead_times
                   if -late <= n and row.due - timedelta(days=n) > start]
        return out + ([(f"before-{min(reached)}{mark}", "due", "lead", -late)]
                      if reached else [])
    base = max(row.due, start)
    since = (today - base).days
    return out + [(f"overdue-{n}{mark}", "overdue", role, late)
                  for role, n in policy.escalation
                  if since >= n and not (role == "lead" and n <= 1 and base == start)]


def plan_reminders(rows: Sequence[OccurrenceRow], contacts: Sequence[ContactInfo],
                   catalog: Catalog, defaults: ReminderSettings, today: date, *,
                   loaded: LoadedPlugins | None = None,
                   reasons: dict[str, str] | None = None,
                   returns: Mapping[str, Returned] | None = None,
                   life: PlanLife | None = None) -> Plan:
    """Every digest due today: one per contact and channel, items grouped in it.

    ``life``: the plan's adoption day, closing and re-opened items (see the module);
    None: every open occurrence is reminded as if adopted on the plan's first day.

    ``returns``: the latest return of each returned occurrence (``latest_returns``): a
    returned occurrence is reminded in the round its return opened. ``reasons`` alone
    (older callers) only shows the reviewer's reason on the usual stages."""
    problems: list[Problem] = []
    by_role: dict[tuple[str, str], list[ContactInfo]] = defaultdict(list)
    secretariat: list[ContactInfo] = []
    for c in contacts:
        for r in c.roles:
            by_role[(r.role, r.scope)].append(c)
            if r.role == "secretariat":
                secretariat.append(c)
    items: dict[str, list[Item]] = defaultdict(list)
    keys: set[tuple[str, str, str]] = set()
    people: dict[str, ContactInfo] = {}
    unreached: dict[str, int] = defaultdict(int)
    returns = returns or {}
    reasons = {**(reasons or {}), **{oid: r.reason for oid, r in returns.items()}}
    closing = frozenset(d.id for d in catalog.duties.values() if d.flow in CLOSING_FLOWS)

    def reach(who: list[ContactInfo], item: Item, missing: str) -> None:
        if not who:
            unreached[missing] += 1
        for c in who:
            people[c.email] = c
            key = (c.email, item.occurrence_id, item.stage)
            if key not in keys:
                keys.add(key)
                items[c.email].append(item)

    for row in rows:
        policy = policy_for(row, defaults, catalog, loaded, problems)
        committee = catalog.committees.get(row.owner)
        activity = catalog.activities.get(row.activity_id) if row.activity_id else None
        back = returns.get(row.id) if row.progress == "returned" else None
        due, stages = _life_stages(row, policy, today, back, life, closing)
        again = life.reopened.get(row.id) if life is not None else None
        reopened = again.reason if again is not None and today >= again.on else None
        for stage, section, role, days in stages:
            item = Item(
                occurrence_id=row.id, title=row.title, kind=row.kind, section=section,
                stage=stage, due=due, days=days,
                unshifted=row.unshifted if row.unshifted != row.due and reopened is None
                else None,
                moved_why=_why_moved(row) if reopened is None else None,
                reopened_reason=reopened,
                owner=row.owner, owner_name=committee.name if committee else row.owner,
                owner_name_ms=committee.name_ms if committee else row.owner,
                host=_host_name(catalog, row.host), returned_reason=reasons.get(row.id),
                indicators=tuple((i.text, i.target) for i in activity.indicators)
                if activity else (), activity=row.activity_id, duty=row.duty_id)
            if role == "meeting":
                reach([c for r in MEETING_AUDIENCE["owner"] for c in by_role[(r, row.owner)]],
                      item, f"no lead for {row.owner}")
                if row.host:
                    reach([c for r in MEETING_AUDIENCE["host"] for c in by_role[(r, row.host)]],
                          item, f"no contact for host {row.host}")
            elif role in ("returned", "owner-lead"):  # only the owner submits evidence
                reach(by_role[("lead", row.owner)], item, f"no lead for {row.owner}")
            elif role == "secretariat":
                reach(secretariat or by_role[("lead", SECRETARIAT_ID)], item,
                      "no secretariat contact")
            else:
                reach(by_role[(role, row.owner)], item, f"no {role} for {row.owner}")
            if role in ("lead", "meeting"):
                for other in row.support:
                    reach([c for r in MEETING_AUDIENCE["support"] for c in by_role[(r, other)]],
                          replace(item, supporting=True), f"no lead for {other} (supporting)")
    deliveries = []
    for email in sorted(items):
        contact = people[email]
        ordered = tuple(sorted(items[email], key=_order))
        for channel in ("email", *contact.urls):
            deliveries.append(Delivery(contact=contact, channel=channel, items=ordered))
    return Plan(deliveries=deliveries,
                unreached=[f"{who}: {n} reminder(s) with nobody to receive them"
                           for who, n in sorted(unreached.items())],
                problems=problems)


def merge_plans(plans: Sequence[Plan]) -> Plan:
    """Several days' plans as one: one digest per contact and channel, each (occurrence,
    stage) once, the earliest day's item kept. A catch-up run sends what the missed days
    would have sent, in one message per person."""
    if len(plans) == 1:  # one day's plan already has each (occurrence, stage) once
        plan = plans[0]
        return Plan(deliveries=list(plan.deliveries), unreached=list(dict.fromkeys(
            plan.unreached)), problems=list({str(p): p for p in plan.problems}.values()))
    merged: dict[tuple[str, str], tuple[Delivery, dict[tuple[str, str], Item]]] = {}
    unreached: dict[str, None] = {}
    problems: dict[str, Problem] = {}
    for plan in plans:
        for d in plan.deliveries:
            _, items = merged.setdefault((d.contact.email, d.channel), (d, {}))
            for item in d.items:
                items.setdefault((item.occurrence_id, item.stage), item)
        unreached.update(dict.fromkeys(plan.unreached))
        problems.update({str(p): p for p in plan.problems})
    return Plan(deliveries=[replace(d, items=tuple(sorted(items.values(), key=_order)))
                            for d, items in merged.values()],
                unreached=list(unreached), problems=list(problems.values()))


def _order(item: Item) -> tuple[int, date, str]:
    """Most urgent first; items of one occurrence (a meeting's recommendations: in their
    sets' order) keep the order they were planned in."""
    return ({"overdue": 0, "due": 1, "meeting": 2, "recommendations": 3,
             "older": 4}[item.section], item.due, item.occurrence_id)


def _host_name(catalog: Catalog, host: str | None) -> str | None:
    if host is None:
        return None
    agency = catalog.agencies.get(host)
    if agency is not None:
        return f"{agency.name} ({agency.short_name})"
    committee = catalog.committees.get(host)
    return committee.name if committee else host


def _why_moved(row: OccurrenceRow) -> str | None:
    if row.unshifted == row.due:
        return None
    from naptip.time.workdays import why_not_working

    try:
        return why_not_working(row.region, row.unshifted)
    except NaptipError:
        return None
