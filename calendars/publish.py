"""Feeds by scope, exported or published into a folder any web server can serve.

A scope is the whole plan, one committee (what it leads, supports or hosts; what it only
supports is marked), or one contact of the directory (what they lead, support or attend).
Public scopes have readable file names (``plan.ics``, ``committee-legislative.ics``);
private ones (contacts) are named by an unguessable token kept in the store and listed by
``naptip calendar links``. Files are written atomically and only when their bytes change,
so a web server's ETag and Last-Modified mean something. Entries are rendered once, when
the ledger records them: a republish renders only what changed, then assembles the feeds.

A feed is assembled only when what it is made of changed: each feed's fingerprint (its
scope and the bytes of the entries it shows) is kept in the store with the size and
modification time of the file written, per folder (``meta`` key ``feeds:<folder>``). A
republish whose ledger is as before and whose file is as it was left does not even select
its entries; one whose ledger changed selects them and assembles only the feeds whose
entries changed. A file changed, replaced or deleted behind naptip's back is rewritten.

Several plans in one store (issue 19): the feeds people subscribed to — NAPTIP 3.0's
public names and each contact's one private token — span plans: they show the entries of
every plan that has started, each occurrence once, named "NAPTIP: ..." rather than after
one plan, and assembled to the same bytes by every plan's run. A plan package's own
``PLAN-*.ics`` feeds show its entries only.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.contact_types import ContactInfo
from naptip.base.model import Plan
from naptip.calendars.audience import follows
from naptip.calendars.entries import Entry, entries_from
from naptip.calendars.feed import feed_events, render_feed
from naptip.calendars.ledger import (
    DEFAULT_KEEP_CANCELLED_DAYS,
    Published,
    Reconciled,
    published_row,
    reconcile,
    visible,
)
from naptip.occurrences.schedule import Occurrence, Schedule
from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import CalendarEntry, CalendarLink, MetaValue

if TYPE_CHECKING:
    from naptip.plan.pluginmanager import LoadedPlugins

PLAN_FILE = "plan.ics"


@dataclass(frozen=True, kw_only=True)
class Scope:
    """One feed: which entries it shows and how it is named."""

    key: str  #: "plan", "committee:ID", "contact:EMAIL" (a plan package's: "PLAN:plan"...)
    name: str
    description: str
    select: Callable[[Entry], bool]
    committee: str | None = None  #: entries this committee only supports are marked
    filename: str | None = None  #: None: private, named by a token (see ``link_token``)
    #: what ``select`` depends on beyond ``key`` (a contact's roles): part of the feed's
    #: fingerprint, so a changed role re-assembles the feed
    basis: str = ""
    #: True: the feed shows the entries of every plan that has started (``spanned_plans``),
    #: whichever plan's run writes it; False: its own plan's only
    spanning: bool = False
    calendar_uid: str = ""  #: the VCALENDAR's UID ("": ``naptip/KEY@naptip``)


#: what the feeds spanning plans call themselves (their names must not say one plan's)
SPANNING_TITLE = "NAPTIP"


def scope_key(catalog: Catalog, key: str) -> str:
    """A feed's key in the store (its link token, its fingerprint): NAPTIP 3.0's as they
    always were, a plan package's prefixed with its plan id, so that two plans in one
    store never share (or delete) each other's feeds."""
    return f"{catalog.occurrence_prefix}{key}"


def feed_file(catalog: Catalog, name: str) -> str:
    """A public feed's file name: a plan package's start with its plan id
    (``naptip-4.0-committee-enforcement.ics``); NAPTIP 3.0's are unchanged."""
    prefix = catalog.occurrence_prefix
    return f"{prefix[:-1]}-{name}" if prefix else name


def _spans(catalog: Catalog, spanning: bool | None) -> bool:
    """None: the built-in plan's feeds (the names subscribed to since 2021) span plans, a
    plan package's are its own."""
    return not catalog.occurrence_prefix if spanning is None else spanning


def _naming(catalog: Catalog, key: str, spanning: bool) -> tuple[str, str, str]:
    """(store key, title, calendar UID) of a feed: a spanning feed's depend on no plan, so
    every plan's run assembles the same bytes."""
    if spanning:
        return key, SPANNING_TITLE, f"naptip/{key}@naptip"
    plan = catalog.structure.plan
    full = scope_key(catalog, key)
    return full, plan.short_title, f"{plan.id}/{full}@naptip"


def plan_scope(catalog: Catalog, *, spanning: bool | None = None) -> Scope:
    """The whole plan: ``plan.ics`` (every plan that has started) for NAPTIP 3.0, a plan
    package's own ``PLAN-plan.ics`` (``spanning``: choose)."""
    spans = _spans(catalog, spanning)
    key, title, uid = _naming(catalog, "plan", spans)
    what = "every plan" if spans else catalog.structure.plan.title
    return Scope(key=key, name=f"{title}: whole plan" if not spans else f"{title}: all plans",
                 description=f"{what}: every deadline, meeting and event",
                 select=lambda _e: True, filename=PLAN_FILE if spans else
                 feed_file(catalog, PLAN_FILE), spanning=spans, calendar_uid=uid)


def committee_scope(catalog: Catalog, committee: str, *, spanning: bool | None = None,
                    ) -> Scope:
    """What ``committee`` (a committee or an agency id) leads, supports or hosts: in every
    plan that has started (``committee-ID.ics``, NAPTIP 3.0's default) or in a plan
    package's alone (``PLAN-committee-ID.ics``)."""
    spans = _spans(catalog, spanning)
    key, title, uid = _naming(catalog, f"committee:{committee}", spans)
    c = catalog.committees.get(committee)
    agency = catalog.agencies.get(committee)
    name = c.name if c else agency.name if agency else committee
    where = "every NAPTIP plan" if spans else title
    return Scope(key=key, name=f"{title}: {name}",
                 description=f"{name}: what it leads, supports ([Support]) or hosts in "
                             f"{where}",
                 select=lambda e: e.involves(committee), committee=committee,
                 filename=f"committee-{committee}.ics" if spans else
                 feed_file(catalog, f"committee-{committee}.ics"), spanning=spans,
                 calendar_uid=uid)


def contact_scopes(db: Database, catalog: Catalog, *, loaded: LoadedPlugins | None = None,
                   spanning: bool = True) -> list[Scope]:
    """Private feeds, one per active contact of the directory (and of plugins, when
    ``loaded`` is given): what the contact leads, supports or attends, by their roles
    (``naptip.calendars.audience.follows``). ``publish`` names each file by the contact's
    token (``link_token(db, scope.key)``): ONE token per contact, whichever plan asks.
    ``spanning=False``: the one-plan feeds a plan package once gave its contacts."""
    from naptip.people.contacts import ContactDirectory
    from naptip.people.reminders import all_contacts

    known = set(catalog.committees) | set(catalog.agencies)
    contacts, _problems = all_contacts(ContactDirectory(db).all(), loaded, known)
    return [contact_scope(catalog, c, spanning=spanning) for c in contacts]


def contact_scope(catalog: Catalog, contact: ContactInfo, *, spanning: bool = True) -> Scope:
    """One contact's private feed, over every plan that has started (its key
    ``contact:EMAIL`` and token are the ones minted under NAPTIP 3.0, whichever plan's
    catalog is given). When all their roles are in one committee, what that committee only
    supports is marked ``[Support]`` as in the committee's feed. ``spanning=False``: a plan
    package's own one-plan feed (``PLAN:contact:EMAIL``), kept only for the tokens a plan
    package minted before feeds spanned plans (see ``publish_all``)."""
    key, title, uid = _naming(catalog, f"contact:{contact.email}", spanning)
    scopes = {r.scope for r in contact.roles}
    committee = next(iter(scopes)) if len(scopes) == 1 and scopes <= set(
        catalog.committees) else None
    where = "every NAPTIP plan" if spanning else title
    return Scope(key=key, name=f"{title}: {contact.name}",
                 description=f"What {contact.name} leads, supports or attends in {where}",
                 select=partial(follows, contact), committee=committee, filename=None,
                 basis=" ".join(sorted(f"{r.role}:{r.scope}" for r in contact.roles)),
                 spanning=spanning, calendar_uid=uid)


def public_scopes(catalog: Catalog, *, spanning: bool | None = None) -> list[Scope]:
    """The whole plan's feed and each committee's (see ``plan_scope``)."""
    return [plan_scope(catalog, spanning=spanning),
            *(committee_scope(catalog, c, spanning=spanning) for c in catalog.committees)]


def spanned_plans(catalog: Catalog, day: date) -> list[Plan]:
    """The plans whose entries the spanning feeds show on ``day``: every plan known to
    ``catalog`` that has started (drafts are left out); before any has, the first to
    start. The same list whichever of them ``catalog`` is, so every plan's run writes the
    same spanning feeds."""
    plans = sorted({p.id: p for p in (catalog.structure.plan, *catalog.other_plans)}
                   .values(), key=lambda p: (p.start, p.id))
    started = [p for p in plans if p.start <= day]
    return started or [p for p in plans if p.start == plans[0].start]


def spanning_ledger(db: Database, catalog: Catalog, own: Sequence[Published], *, day: date,
                    keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
                    ) -> list[Published]:
    """What the spanning feeds show on ``day``: ``own`` (``catalog``'s whole ledger, as
    just recorded) and the stored ledger of every other plan of ``spanned_plans``, each
    occurrence once (see ``one_per_occurrence``), by start then UID."""
    plans = spanned_plans(catalog, day)
    mine = catalog.structure.plan.id
    rows = list(own) if any(p.id == mine for p in plans) else []
    others = [p.id for p in plans if p.id != mine]
    if others:
        with db.reading() as session:
            for plan_id in others:
                rows += [published_row(row) for row in session.execute(
                    select(CalendarEntry).where(CalendarEntry.uid.endswith(
                        f".{plan_id}@naptip", autoescape=True))).scalars()]
    shown = visible(rows, today=day, keep_cancelled_days=keep_cancelled_days)
    return one_per_occurrence(shown, plans)


def one_per_occurrence(published: Sequence[Published], plans: Sequence[Plan],
                       ) -> list[Published]:
    """Each occurrence once: a continued duty's occurrence (same id in two plans' ledgers)
    is kept under the plan whose period holds its day (else a confirmed one, else the
    later plan's); the order is kept."""
    periods = {p.id: p for p in plans}
    order = {p.id: n for n, p in enumerate(plans)}

    def plan_of(p: Published) -> str:
        return p.entry.uid.removeprefix(f"{p.entry.occurrence}.").removesuffix("@naptip")

    def rank(p: Published) -> tuple[bool, bool, int]:
        plan = periods.get(plan_of(p))
        day = date.fromisoformat(p.entry.start[:10])
        owns = plan is not None and plan.start <= day <= plan.end
        return owns, not p.cancelled, order.get(plan_of(p), -1)

    best: dict[str, Published] = {}
    for p in published:
        held = best.get(p.entry.occurrence)
        if held is None or rank(p) > rank(held):
            best[p.entry.occurrence] = p
    return [p for p in published if best[p.entry.occurrence] is p]


def publish_instant(as_of: date | None) -> datetime:
    """LAST-MODIFIED for what changes now: the start of the as-of day (KL) when the clock
    is set, else the current second."""
    if as_of is not None:
        from naptip.time.clock import PLAN_TZ

        return datetime(as_of.year, as_of.month, as_of.day, tzinfo=PLAN_TZ).astimezone(UTC)
    return datetime.now(UTC).replace(microsecond=0)


def record(db: Database, catalog: Catalog, occurrences: Iterable[Occurrence], *,
           now: datetime, today: date,
           keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
           keep: Collection[str] = (), loaded: LoadedPlugins | None = None,
           dry_run: bool = False) -> Reconciled:
    """Record in the ledger what the feeds publish now; return it. ``keep``: occurrence
    ids whose entries stay as last published (see ``reconcile``); ``loaded``: plugins
    whose reminder policy sets the VALARMs (see ``entries.entries_from``); ``dry_run``:
    work it out, record nothing."""
    return reconcile(db, entries_from(catalog, occurrences, loaded=loaded), now=now,
                     today=today, keep_cancelled_days=keep_cancelled_days, keep=keep,
                     dry_run=dry_run, plan_id=catalog.structure.plan.id)


def record_stored(db: Database, catalog: Catalog, *, now: datetime, today: date,
                  keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
                  loaded: LoadedPlugins | None = None, dry_run: bool = False,
                  schedule: Schedule | None = None) -> Reconciled:
    """``record`` the store's schedule (``naptip.calendars.source``): what the feeds, the
    invitations and ``calendar export`` publish. ``schedule``: the plugins' schedule of
    ``catalog``, when the caller has it already."""
    from naptip.calendars.source import stored_schedule

    source = stored_schedule(catalog, db, schedule)
    return record(db, catalog, source.occurrences, now=now, today=today,
                  keep_cancelled_days=keep_cancelled_days, keep=source.kept, loaded=loaded,
                  dry_run=dry_run)


def _feed_args(scope: Scope) -> dict[str, Any]:
    return {"name": scope.name, "calendar_uid": scope.calendar_uid or f"naptip/{scope.key}@naptip",
            "description": scope.description, "committee": scope.committee}


def feed_bytes(catalog: Catalog, scope: Scope, published: Sequence[Published]) -> bytes:
    """The feed's bytes from ``published``: for a spanning scope, give what
    ``spanning_ledger`` returns (the feeds of every plan)."""
    return render_feed([p for p in published if scope.select(p.entry)], **_feed_args(scope))


@dataclass(frozen=True)
class Written:
    scope: str
    path: Path
    entries: int
    changed: bool  #: False: the file already had these bytes and was left alone


#: part of every feed's fingerprint: change it when ``render_feed`` assembles the same
#: entries into other bytes, so that every feed is assembled again
FEED_FORMAT = "1"


def publish(db: Database, catalog: Catalog, published: Sequence[Published], directory: Path,
            scopes: Sequence[Scope]) -> list[Written]:
    """Write one file per scope into ``directory`` (created if missing); assemble only the
    feeds whose fingerprint or file changed (see the module)."""
    directory.mkdir(parents=True, exist_ok=True)
    tokens = dict(_tokens(db))
    key = _manifest_key(directory)
    before = _manifest(db, key)
    after = dict(before)
    state = hashlib.sha256(FEED_FORMAT.encode())
    for p in published:
        state.update(_entry_digest(p))
    whole = state.hexdigest()
    out = []
    for scope in scopes:
        name = scope.filename or f"{tokens.get(scope.key) or link_token(db, scope.key)}.ics"
        path = directory / name
        args = _feed_args(scope)
        known = before.get(name)
        definition = _digest(json.dumps([FEED_FORMAT, scope.key, args, scope.basis]).encode())
        quick = _digest(f"{definition}\0{whole}".encode())
        if known is not None and known.get("quick") == quick and _same_file(path, known):
            out.append(Written(scope.key, path, int(known["entries"]), False))
            continue
        items = [p for p in published if scope.select(p.entry)]
        content = hashlib.sha256(definition.encode())
        for event in feed_events(items, scope.committee):
            content.update(hashlib.sha256(event).digest())
        made = content.hexdigest()
        if known is not None and known.get("content") == made and _same_file(path, known):
            changed = False
        else:
            changed = write_atomic(path, render_feed(items, **args))
        stat = path.stat()
        after[name] = {"quick": quick, "content": made, "entries": len(items),
                       "size": stat.st_size, "mtime": stat.st_mtime_ns}
        out.append(Written(scope.key, path, len(items), changed))
    if after != before:
        _save_manifest(db, key, after)
    return out


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_digest(p: Published) -> bytes:
    return hashlib.sha256(p.vevent + b"\0" + (p.vevent_support or b"-")).digest()


def _same_file(path: Path, known: dict[str, Any]) -> bool:
    """The file is still the one naptip wrote (same size and modification time)."""
    try:
        stat = path.stat()
    except OSError:
        return False
    return stat.st_size == known.get("size") and stat.st_mtime_ns == known.get("mtime")


def _manifest_key(directory: Path) -> str:
    """The meta row of a folder's feeds: a digest of its path, as a path of any length
    must fit ``meta.key`` (80 characters; PostgreSQL enforces it)."""
    digest = hashlib.sha256(str(directory.resolve()).encode("utf-8")).hexdigest()
    return f"feeds:{digest}"


def _manifest(db: Database, key: str) -> dict[str, dict[str, Any]]:
    """file name -> what it was assembled from (see the module); {} when unknown."""
    with db.reading() as session:
        row = session.get(MetaValue, key)
        if row is None:
            return {}
        try:
            value = json.loads(row.value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def _save_manifest(db: Database, key: str, manifest: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(manifest, sort_keys=True, separators=(",", ":"))

    def work(session: Session) -> None:
        row = session.get(MetaValue, key)
        if row is None:
            session.add(MetaValue(key=key, value=text))
        else:
            row.value = text

    db.write(work)


def _forget(db: Database, directory: Path, names: Collection[str]) -> None:
    """Drop deleted feeds from the folder's fingerprints."""
    key = _manifest_key(directory)
    manifest = _manifest(db, key)
    if any(name in manifest for name in names):
        _save_manifest(db, key, {k: v for k, v in manifest.items() if k not in names})


@dataclass(frozen=True)
class PublishReport:
    recorded: Reconciled  #: what changed in the ledger since the last publication
    written: list[Written]  #: every feed, written or left alone
    removed: list[Path]  #: feeds of contacts no longer in the directory, deleted


def publish_all(db: Database, catalog: Catalog, directory: Path, *, day: date,
                now: datetime | None = None, loaded: LoadedPlugins | None = None,
                keep_cancelled_days: int = DEFAULT_KEEP_CANCELLED_DAYS,
                schedule: Schedule | None = None,
                ledger: Sequence[Published] | None = None) -> PublishReport:
    """Record what is published on ``day`` and write every feed into ``directory``: the
    whole plan, each committee, each active contact (named by token). The feed of a
    contact who left the directory is deleted, so their address stops working.

    Those feeds span plans: ``plan.ics``, ``committee-ID.ics`` and each contact's one
    private feed show the entries of every plan that has started (``spanning_ledger``),
    whichever plan ``catalog`` is, so each plan's run writes the same bytes. A plan
    package's run also writes its own one-plan feeds (``PLAN-plan.ics``,
    ``PLAN-committee-ID.ics``) and keeps up the one-plan private feeds it minted tokens for
    before feeds spanned plans (``PLAN:contact:EMAIL``); it mints no new one.

    ``now``: LAST-MODIFIED of what changed (default the current second; see
    :func:`publish_instant`). What ``naptip calendar publish`` and the daily run call.
    ``schedule``: the plugins' schedule of ``catalog``, when the caller has it already.
    ``ledger``: the whole calendar ledger (``Reconciled.ledger``) as this same run just
    recorded it for ``day`` (the day's invitations step): then it is not recorded again
    and the report shows no entry changed, as a second recording would."""
    if ledger is not None:
        recorded = Reconciled(published=visible(ledger, today=day,
                                                keep_cancelled_days=keep_cancelled_days),
                              ledger=list(ledger))
    else:
        recorded = record_stored(db, catalog, now=now or publish_instant(None), today=day,
                                 keep_cancelled_days=keep_cancelled_days, loaded=loaded,
                                 schedule=schedule)
    contacts = contact_scopes(db, catalog, loaded=loaded)
    spanning = spanning_ledger(db, catalog, recorded.ledger, day=day,
                               keep_cancelled_days=keep_cancelled_days)
    written = publish(db, catalog, spanning, directory,
                      [*public_scopes(catalog, spanning=True), *contacts])
    current = {s.key for s in contacts}
    if catalog.occurrence_prefix:  # a plan package's own feeds, beside the spanning ones
        minted = {key for key, _token in _tokens(db)}
        own = [s for s in contact_scopes(db, catalog, loaded=loaded, spanning=False)
               if s.key in minted]  # never a new token: only those minted before
        written += publish(db, catalog, recorded.published, directory,
                           [*public_scopes(catalog, spanning=False), *own])
        current |= {s.key for s in own}
    removed = []
    for key, name in links(db):
        path = directory / name
        if key.startswith(("contact:", scope_key(catalog, "contact:"))) \
                and key not in current and path.exists():
            path.unlink()
            removed.append(path)
    if removed:
        _forget(db, directory, {path.name for path in removed})
    return PublishReport(recorded=recorded, written=written, removed=removed)


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` in one step (readers see old or new, never half);
    leave it alone when it already holds these bytes. True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def link_token(db: Database, scope: str) -> str:
    """The unguessable, stable file name of a private feed (created on first use)."""
    with db.reading() as session:
        token = session.execute(select(CalendarLink.token).where(CalendarLink.scope == scope)
                                ).scalar_one_or_none()
    if token is not None:
        return token

    def work(session: Session) -> str:
        found = session.get(CalendarLink, scope)
        if found is not None:
            return found.token
        made = secrets.token_urlsafe(32)
        session.add(CalendarLink(scope=scope, token=made, created_at=datetime.now(UTC)))
        return made

    return db.write(work, creates=True)  # runs on several workers race to make it


def _tokens(db: Database) -> list[tuple[str, str]]:
    """(scope, token) of every private feed: one query for all of them."""
    with db.reading() as session:
        return [(scope, token) for scope, token in session.execute(
            select(CalendarLink.scope, CalendarLink.token)).all()]


def links(db: Database) -> list[tuple[str, str]]:
    """(scope, file name) of every private feed, by scope."""
    with db.reading() as session:
        rows = session.execute(select(CalendarLink).order_by(CalendarLink.scope)).scalars()
        return [(row.scope, f"{row.token}.ics") for row in rows]
