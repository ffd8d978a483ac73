"""One reminder run: plan, claim, render, send one message per recipient, record results.

The order is what makes it exactly-once (see ``naptip.people.reminder_ledger``): the claim is
committed before anything leaves, and each message's result is committed right after it
leaves. A failed message is recorded with its reason and retried by a later run once its
backoff has passed; nothing is dropped without a line in the result.

A digest lists at most ``[reminders] digest_items`` items and counts the rest
(``naptip.notifications.digest.render``); the message carries all of them all the same:
each of its claimed rows, listed or only counted, is marked with its result, so an item
cut from a digest is delivered at its stage (docs/reminders.md, "A long digest").

Before an HLC-MAPO meeting the leads' digests also carry the recommendations their
committee leads (``naptip.notifications.recommendations``), through the same ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from naptip.base.config import Settings
from naptip.base.errors import NaptipError, Problem
from naptip.base.secret_urls import mask_url
from naptip.notifications.digest import Digest, render
from naptip.notifications.message import build_message
from naptip.notifications.outbox import outbox_of
from naptip.notifications.recommendations import HLC_MEETING, plan_recommendations
from naptip.notifications.transport import (
    OutboxTransport,
    SendError,
    SmtpTransport,
    parse_url,
    send_apprise,
)
from naptip.people.contacts import ContactDirectory
from naptip.people.reminder_ledger import Held, Holder, claim_all, mark, preview
from naptip.people.reminders import (
    Delivery,
    all_contacts,
    latest_returns,
    merge_plans,
    plan_reminders,
    remindable_occurrences,
)
from naptip.people.signin import digest_link, preview_link
from naptip.plan.catalog import Catalog
from naptip.plan.lifecycle import adoption_for_run
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.store.db import Database


class MailTransport(Protocol):
    def send(self, msg: EmailMessage, to_email: str) -> str: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Outcome:
    name: str
    email: str
    channel: str  #: "email" or the masked URL
    items: int
    status: str  #: sent, outbox, failed, skipped, would send
    detail: str
    digest: Digest | None = None


@dataclass
class RunResult:
    outcomes: list[Outcome] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: due items left out because another run holds them or they wait for a retry
    pending: list[Held] = field(default_factory=list)
    #: the line saying this run recorded the plan's adoption day (naptip.plan.lifecycle)
    adopted: str | None = None

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


@dataclass(frozen=True)
class RunOptions:
    today: date
    dry_run: bool = False
    committee: str | None = None
    to: str | None = None
    actor: str = "naptip"
    outbox: Path | None = None  #: also copy outbox messages here as .eml files
    environ: Mapping[str, str] | None = None
    now: datetime | None = None
    #: the first day to plan for (catch-up after missed days); None: today only
    since: date | None = None
    #: re-send failed messages now, not after the ledger's backoff: ``naptip run``,
    #: ``naptip remind`` and the flows all do (a person or a schedule asked for a run)
    retry_failed: bool = False
    duty: str | None = None  #: only this duty's occurrences (a duty's own flow)
    run_id: str | None = None  #: the run that claims (``naptip.work.runlog``); None: this process


def run_reminders(db: Database, catalog: Catalog, settings: Settings,
                  loaded: LoadedPlugins | None, opts: RunOptions) -> RunResult:
    rows = every_row = remindable_occurrences(db, catalog)
    if opts.committee:
        if opts.committee not in catalog.committees:
            raise NaptipError(f"no committee {opts.committee!r}; known: "
                              f"{', '.join(sorted(catalog.committees))}")
        rows = [r for r in rows if r.owner == opts.committee or opts.committee in r.support]
    if opts.duty:
        rows = [r for r in rows if r.duty_id == opts.duty]
    scopes = set(catalog.committees) | set(catalog.agencies)
    contacts, problems = all_contacts(ContactDirectory(db).all(), loaded, scopes)
    if opts.to:
        wanted = opts.to.strip().lower()
        contacts = [c for c in contacts if c.email == wanted]
        if not contacts:
            raise NaptipError(f"no contact {wanted!r} (naptip contacts list)")
    returns = latest_returns(db, [r.id for r in rows if r.progress == "returned"])
    first = min(opts.since or opts.today, opts.today)
    life, adopted = adoption_for_run(db, catalog.structure.plan, first, actor=opts.actor,
                            dry_run=opts.dry_run)
    if life.closed(opts.today):  # a closed plan does not replay the days it was running
        first = max(first, opts.today)
    plans = [plan_reminders(rows, contacts, catalog, settings.reminders,
                            first + timedelta(days=n), loaded=loaded, returns=returns,
                            life=life)
             for n in range((opts.today - first).days + 1)]
    if opts.duty in (None, HLC_MEETING):  # the recommendations the next HLC-MAPO reviews
        recs = plan_recommendations(db, every_row, contacts, catalog, settings.reminders,
                                    opts.today, loaded=loaded, life=life,
                                    committee=opts.committee)
        if recs.deliveries or recs.unreached or recs.problems:
            plans.append(recs)
    plan = merge_plans(plans)
    result = RunResult(unreached=plan.unreached, problems=problems + plan.problems,
                       adopted=adopted)
    deliveries: list[Delivery] = []
    for d in plan.deliveries:
        if d.channel != "email":
            try:
                parse_url(d.channel, opts.environ)
            except NaptipError as exc:
                result.outcomes.append(_outcome(d, "skipped", str(exc)))
                continue
        deliveries.append(d)
    if opts.dry_run:
        todo, result.pending = preview(db, deliveries, settings.reminders, now=opts.now,
                                       retry_failed=opts.retry_failed)
        for d in todo:
            digest = render(d.items, name=d.contact.name, language=d.contact.language,
                            today=opts.today, audience=_audience(catalog, d),
                            link=preview_link(opts.environ) if d.channel == "email" else None,
                            limit=settings.reminders.digest_items,
                            plan=catalog.structure.plan.short_title)
            result.outcomes.append(Outcome(d.contact.name, d.contact.email, _channel(d),
                                           len(d.items), "would send", digest.subject,
                                           digest))
        return result
    mail: MailTransport
    if settings.mail is not None:
        mail = SmtpTransport.from_settings(settings.mail, opts.environ)
        sender, sender_name, status = mail.sender, mail.sender_name, "sent"
    else:
        mail = OutboxTransport(outbox_of(db, opts.environ, copy_to=opts.outbox))
        sender, sender_name, status = "naptip@localhost.invalid", "NAPTIP", "outbox"
    claims = claim_all(db, deliveries, settings.reminders, actor=opts.actor, now=opts.now,
                       retry_failed=opts.retry_failed, holder=Holder(run_id=opts.run_id))
    result.pending = claims.held
    try:
        for c in claims.claimed:
            d = c.delivery
            email = d.channel == "email"
            link = digest_link(db, d.contact.email, opts.environ) if email else None
            digest = render(d.items, name=d.contact.name, language=d.contact.language,
                            today=opts.today, audience=_audience(catalog, d), link=link,
                            limit=settings.reminders.digest_items,
                            plan=catalog.structure.plan.short_title)
            try:
                if d.channel == "email":
                    msg = build_message(digest, to_name=d.contact.name, to_email=d.contact.email,
                                        sender=sender, sender_name=sender_name, batch=c.batch)
                    detail = mail.send(msg, d.contact.email)
                else:
                    detail = send_apprise(d.channel, title=digest.subject, body=digest.text,
                                          environ=opts.environ)
            except SendError as exc:
                mark(db, c.batch, error=str(exc), policy=settings.reminders)
                result.outcomes.append(_outcome(d, "failed", str(exc), digest))
                continue
            mark(db, c.batch, error=None, policy=settings.reminders)
            result.outcomes.append(_outcome(d, status if d.channel == "email" else "sent",
                                            detail, digest))
    finally:
        mail.close()
    return result


def _audience(catalog: Catalog, d: Delivery) -> list[tuple[str, str]]:
    """The committees the recipient serves, for the subject line."""
    found = [catalog.committees[r.scope] for r in d.contact.roles
             if r.scope in catalog.committees]
    return [(c.name, c.name_ms) for c in dict.fromkeys(found)]


def _channel(d: Delivery) -> str:
    return "email" if d.channel == "email" else mask_url(d.channel)


def _outcome(d: Delivery, status: str, detail: str, digest: Digest | None = None) -> Outcome:
    return Outcome(d.contact.name, d.contact.email, _channel(d), len(d.items), status, detail,
                   digest)
