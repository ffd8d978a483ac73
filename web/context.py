"""What every view of the portal shares: :class:`Portal`, the one context object.

A view is a plain async function of ``(portal, request)`` — or of ``(portal, request,
viewer)`` once :func:`signed_in` has found who is asking — in one module of
:mod:`naptip.web.views` per kind of page. It takes what it needs from the portal (the
database, the catalog, the evidence service, the plan's day, the templates and the
sign-in limit), never from variables of :func:`naptip.web.app.create_app`.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from naptip.base.errors import NaptipError
from naptip.people import signin
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog
from naptip.plan.plans import PlanRegistry
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow
from naptip.time.clock import shown_time
from naptip.time.clock import today as plan_today
from naptip.web import explain
from naptip.web.access import Viewer
from naptip.web.i18n import LANGUAGES, translator

#: shown in the browser on request; everything else is only ever downloaded
VIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "application/pdf"})
COOKIE = "naptip_session"
LANG_COOKIE = "naptip_lang"


class RateLimit:
    """At most ``limit`` attempts per client address in ``window`` seconds."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        hits = self.seen[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(self.seen) > 10_000:  # forget quiet clients
            for quiet in [k for k, v in self.seen.items() if not v and k != key]:
                del self.seen[quiet]
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


@dataclass
class Portal:
    """One portal: its settings, its store and plan, and what every page needs."""

    db: Database
    catalog: Catalog
    plugins: LoadedPlugins | None = None
    today: Callable[[], date] = plan_today  #: the plan's day (Asia/Kuala_Lumpur, --as-of)
    base_url: str = "http://127.0.0.1:8150"
    signin_per_minute: int = 10
    #: proxies whose X-Forwarded-For / -Proto are believed (``[web] trusted_proxies``)
    trusted_proxies: tuple[str, ...] = ()
    #: every plan the portal serves besides ``catalog``'s (``naptip web`` without --plan:
    #: every plan known); None: ``catalog``'s plan only
    registry: PlanRegistry | None = None
    #: a plan's catalog, built the first time one of its pages is asked for
    catalog_of: Callable[[str], Catalog] | None = None
    limiter: RateLimit = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimit(self.signin_per_minute)
        self.service = EvidenceService(self.db, self.catalog, self.plugins)
        self._catalogs: dict[str, Catalog] = {self.catalog.structure.plan.id: self.catalog}
        self._services: dict[str, EvidenceService] = {self.service.plan_id: self.service}
        self.env = Environment(loader=PackageLoader("naptip.web", "templates"),
                               autoescape=select_autoescape(default=True, default_for_string=True),
                               undefined=StrictUndefined)
        self.env.filters["shown_time"] = shown_time
        self.env.filters["state_name"] = explain.state_name

    # --- the plans it serves --------------------------------------------------------

    @property
    def plan_id(self) -> str:
        """The portal's own plan: ``--plan``'s, else the plan the commands default to."""
        return self.service.plan_id

    def serves(self, plan_id: str) -> bool:
        if plan_id == self.plan_id:
            return True
        return (self.registry is not None and self.catalog_of is not None
                and plan_id in self.registry.plans)

    def served_plans(self) -> list[str]:
        """The ids of the plans this portal serves, its own first."""
        others = [p for p in (self.registry.plans if self.registry and self.catalog_of
                              else ()) if p != self.plan_id]
        return [self.plan_id, *others]

    def plan_catalog(self, plan_id: str) -> Catalog | None:
        """The catalog of a plan this portal serves (None: it serves no such plan)."""
        if not self.serves(plan_id):
            return None
        if plan_id not in self._catalogs:
            assert self.catalog_of is not None
            self._catalogs[plan_id] = self.catalog_of(plan_id)
        return self._catalogs[plan_id]

    def loads(self, plan_id: str) -> bool:
        """Whether the catalog of a plan served builds (a plan package that does not load:
        its items are not found here; ``naptip plugins check`` says why)."""
        try:
            return self.plan_catalog(plan_id) is not None
        except NaptipError:
            return False

    def service_of(self, plan_id: str) -> EvidenceService:
        """The evidence service of a plan this portal serves (its catalog's forms, checks
        and plan)."""
        if plan_id not in self._services:
            catalog = self.plan_catalog(plan_id)
            if catalog is None:
                raise NaptipError(f"this portal does not serve plan {plan_id!r}")
            self._services[plan_id] = EvidenceService(self.db, catalog, self.plugins)
        return self._services[plan_id]

    def requested_plan(self, request: Request) -> Catalog | None:
        """The catalog of the plan a per-plan page names (``?plan=ID``; absent: the
        portal's own plan); None: a plan this portal does not serve (a 404)."""
        given = request.query_params.get("plan")
        if not given:
            return self.catalog
        try:
            return self.plan_catalog(given) if len(given) <= 100 else None
        except NaptipError:  # a plan package that does not load
            return None

    def plans_with_work(self) -> list[Catalog]:
        """The plans whose work *My work* lists today: the portal's own plan first, then
        the others ``naptip run`` does the day's work of (a closed plan while it still
        reminds something), oldest first."""
        if self.registry is None or self.catalog_of is None:
            return [self.catalog]
        from naptip.work.planruns import closing_duties, plans_to_run

        def closing_of(plan_id: str) -> frozenset[str]:
            try:
                catalog = self.plan_catalog(plan_id)
            except NaptipError:  # a plan package that does not load: its pages say so
                return frozenset()
            return closing_duties([(d.id, d.flow) for d in catalog.duties.values()]
                                  if catalog else [])

        others: list[Catalog] = []
        for planned in plans_to_run(self.registry, self.today(), self.db, closing_of):
            if planned.id == self.plan_id:
                continue
            try:
                catalog = self.plan_catalog(planned.id)
            except NaptipError:
                continue
            if catalog is not None:
                others.append(catalog)
        return [self.catalog, *others]

    # --- who is asking ---------------------------------------------------------------

    def viewer(self, request: Request) -> Viewer | None:
        secret = request.cookies.get(COOKIE)
        if not secret:
            return None
        email = signin.session_email(self.db, secret)
        if email is None:
            return None
        try:
            return Viewer(ContactDirectory(self.db).get(email))
        except NaptipError:
            return None

    def language(self, request: Request, viewer: Viewer | None, *,
                 reader: str | None = None) -> str:
        """The page's language: the one chosen in this browser, else the contact's (the
        signed-in viewer's, or ``reader``: a sign-in link's), else English."""
        chosen = request.cookies.get(LANG_COOKIE)
        if chosen in LANGUAGES:
            return chosen
        return viewer.contact.language if viewer else reader or "en"

    # --- pages -----------------------------------------------------------------------

    def page(self, request: Request, viewer: Viewer | None, template: str, *,
             status: int = 200, keep_session: bool = False, reader: str | None = None,
             plan: Catalog | None = None, **context: Any) -> HTMLResponse:
        """A page of the portal; ``plan``: the plan it is about (its name and closed
        banner; default: the portal's own plan)."""
        plan = plan or self.catalog
        language = self.language(request, viewer, reader=reader)
        secret = request.cookies.get(COOKIE, "")
        html = self.env.get_template(template).render(
            _=translator(language), lang=language, viewer=viewer,
            csrf=signin.csrf_token(secret) if viewer else "",
            path=request.url.path, committees=self.catalog.committees, viewable=VIEWABLE,
            plan_closed=self.closed_since(plan), plan_short=plan.structure.plan.short_title,
            plan_id=plan.structure.plan.id, own_plan=self.plan_id,
            **context)
        response = HTMLResponse(html, status_code=status)
        if viewer is None and request.cookies.get(COOKIE) and not keep_session:
            response.delete_cookie(COOKIE, path="/")  # forged, expired or revoked
        return response

    def closed_since(self, plan: Catalog | None = None) -> str | None:
        """The day the plan (default: the portal's own) closed (the day after its end),
        once it has: every page says so in one line (``naptip.plan.lifecycle``)."""
        from naptip.plan.lifecycle import PlanLife

        life = PlanLife(plan=(plan or self.catalog).structure.plan)
        return life.closed_since.isoformat() if life.closed(self.today()) else None

    def not_found(self, request: Request, viewer: Viewer | None) -> HTMLResponse:
        return self.page(request, viewer, "message.html", status=404, title="Not found",
                         message="Not found")

    def unknown_plan(self, request: Request, viewer: Viewer | None) -> HTMLResponse:
        """A per-plan page asked for a plan this portal does not serve (404)."""
        return self.page(request, viewer, "message.html", status=404, title="Not found",
                         message="This portal serves no such plan.",
                         detail="Plans served: " + ", ".join(self.served_plans()))

    def signed_out(self, request: Request) -> HTMLResponse:
        return self.page(request, None, "message.html", status=401, title="Sign in",
                         message="You are signed out.",
                         detail="Open the personal link in your latest reminder to sign in.")

    def forbidden(self, request: Request, viewer: Viewer | None) -> HTMLResponse:
        return self.page(request, viewer, "message.html", status=403, title="Refused",
                         message="This form has expired: go back, reload the page and "
                                 "send it again.")

    # --- sessions --------------------------------------------------------------------

    def csrf_ok(self, request: Request, given: str | None) -> bool:
        return signin.csrf_ok(request.cookies.get(COOKIE, ""), given)

    def cookie(self, response: Response, request: Request, secret: str) -> None:
        response.set_cookie(COOKIE, secret, max_age=int(signin.SESSION_TTL.total_seconds()),
                            path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")

    # --- what a viewer may see -------------------------------------------------------

    def visible_occurrence(self, viewer: Viewer, occurrence_id: str) -> OccurrenceRow | None:
        with self.db.reading() as session:
            row = session.get(OccurrenceRow, occurrence_id)
        if (row is None or not self.serves(row.plan_id) or row.withdrawn
                or not viewer.may_see(row) or not self.loads(row.plan_id)):
            return None
        return row

    def visible_evidence(self, viewer: Viewer, evidence_id: int,
                         ) -> tuple[Evidence, OccurrenceRow] | None:
        with self.db.reading() as session:
            evidence = session.get(Evidence, evidence_id)
            if evidence is None:
                return None
            row = session.get(OccurrenceRow, evidence.occurrence_id)
        if row is None or not self.serves(row.plan_id):
            return None
        if not (viewer.may_see(row) or viewer.may_review(row)) or not self.loads(row.plan_id):
            return None
        return evidence, row


Endpoint = Callable[[Request], Awaitable[Response]]
#: a view open to anyone (the sign-in pages, the stylesheet)
PublicView = Callable[[Portal, Request], Awaitable[Response]]
#: a view for a signed-in contact
SignedInView = Callable[[Portal, Request, Viewer], Awaitable[Response]]


def public(portal: Portal, view: PublicView) -> Endpoint:
    """The Starlette endpoint of a view anyone may open."""

    async def endpoint(request: Request) -> Response:
        return await view(portal, request)

    return functools.update_wrapper(endpoint, view)  # the route's name; ``__wrapped__``


def signed_in(portal: Portal, view: SignedInView) -> Endpoint:
    """The Starlette endpoint of a view for signed-in contacts: anyone else is told they
    are signed out (401)."""

    async def endpoint(request: Request) -> Response:
        viewer = await run_in_threadpool(portal.viewer, request)
        if viewer is None:
            return portal.signed_out(request)
        return await view(portal, request, viewer)

    return functools.update_wrapper(endpoint, view)  # the route's name; ``__wrapped__``
