"""The evidence portal as a Starlette application: server-rendered pages, plain forms.

Every page needs a session (from a sign-in link); every form carries the session's CSRF
token; what a contact may not see is 404. All evidence goes through the evidence service
(``naptip.progress.evidence``), so the portal checks nothing the CLI does not, and vice versa.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from naptip.base.errors import NaptipError
from naptip.base.values import EvidenceError
from naptip.people import signin
from naptip.people.contacts import ContactDirectory
from naptip.people.reminders import returned_reasons
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService
from naptip.reports.narrative import FIELDS, Narrative, committee_narratives, save_narrative
from naptip.store.blobs import TEXT_TYPES
from naptip.store.db import Database
from naptip.store.orm import Attachment, Evidence, OccurrenceRow
from naptip.time.clock import shown_time
from naptip.time.clock import today as plan_today
from naptip.web import explain, forms, queries
from naptip.web.access import Viewer
from naptip.web.calendar_links import CalendarLink, calendar_links, feeds_url
from naptip.web.i18n import GROUP_LABELS, LANGUAGES, link_language, translator
from naptip.web.refusals import refusal
from naptip.web.uploads import BadForm, TooLarge, read_form

#: shown in the browser on request; everything else is only ever downloaded
VIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "application/pdf"})
COOKIE = "naptip_session"
#: the sign-in page's own CSRF secret: a sign-in form posted from another site lacks it
SIGNIN_COOKIE = "naptip_signin"
SIGNIN_FORM_TTL = 3600  #: seconds the sign-in page's form stays valid
LANG_COOKIE = "naptip_lang"
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self'; style-src 'self'; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the sign-in page's URL holds the link's secret
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
#: the portal's one stylesheet (web/static/portal.css)
CSS = (Path(__file__).parent / "static" / "portal.css").read_text(encoding="utf-8")


class SecurityHeaders:
    """Adds the portal's security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
    db: Database
    catalog: Catalog
    plugins: LoadedPlugins | None = None
    today: Callable[[], date] = plan_today  #: the plan's day (Asia/Kuala_Lumpur, --as-of)
    base_url: str = "http://127.0.0.1:8150"
    signin_per_minute: int = 10
    #: proxies whose X-Forwarded-For / -Proto are believed (``[web] trusted_proxies``)
    trusted_proxies: tuple[str, ...] = ()
    limiter: RateLimit = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimit(self.signin_per_minute)
        self.service = EvidenceService(self.db, self.catalog, self.plugins)
        self.env = Environment(loader=PackageLoader("naptip.web", "templates"),
                               autoescape=select_autoescape(default=True, default_for_string=True),
                               undefined=StrictUndefined)
        self.env.filters["shown_time"] = shown_time
        self.env.filters["state_name"] = explain.state_name

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

    def page(self, request: Request, viewer: Viewer | None, template: str, *,
             status: int = 200, keep_session: bool = False, reader: str | None = None,
             **context: Any) -> HTMLResponse:
        language = self.language(request, viewer, reader=reader)
        secret = request.cookies.get(COOKIE, "")
        html = self.env.get_template(template).render(
            _=translator(language), lang=language, viewer=viewer,
            csrf=signin.csrf_token(secret) if viewer else "",
            path=request.url.path, committees=self.catalog.committees, viewable=VIEWABLE,
            **context)
        response = HTMLResponse(html, status_code=status)
        if viewer is None and request.cookies.get(COOKIE) and not keep_session:
            response.delete_cookie(COOKIE, path="/")  # forged, expired or revoked
        return response

    def not_found(self, request: Request, viewer: Viewer | None) -> HTMLResponse:
        return self.page(request, viewer, "message.html", status=404, title="Not found",
                         message="Not found")

    def signed_out(self, request: Request) -> HTMLResponse:
        return self.page(request, None, "message.html", status=401, title="Sign in",
                         message="You are signed out.",
                         detail="Open the personal link in your latest reminder to sign in.")

    def csrf_ok(self, request: Request, given: str | None) -> bool:
        return signin.csrf_ok(request.cookies.get(COOKIE, ""), given)

    def cookie(self, response: Response, request: Request, secret: str) -> None:
        response.set_cookie(COOKIE, secret, max_age=int(signin.SESSION_TTL.total_seconds()),
                            path="/", httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")

    def visible_occurrence(self, viewer: Viewer, occurrence_id: str) -> OccurrenceRow | None:
        with self.db.reading() as session:
            row = session.get(OccurrenceRow, occurrence_id)
        if (row is None or row.plan_id != self.service.plan_id or row.withdrawn
                or not viewer.may_see(row)):
            return None
        return row

    def visible_evidence(self, viewer: Viewer, evidence_id: int,
                         ) -> tuple[Evidence, OccurrenceRow] | None:
        with self.db.reading() as session:
            evidence = session.get(Evidence, evidence_id)
            if evidence is None:
                return None
            row = session.get(OccurrenceRow, evidence.occurrence_id)
        if row is None or row.plan_id != self.service.plan_id:
            return None
        if not (viewer.may_see(row) or viewer.may_review(row)):
            return None
        return evidence, row


Handler = Callable[[Portal, Request, Viewer], Awaitable[Response]]


def create_app(portal: Portal) -> Starlette:
    """The ASGI application of one portal."""

    def signed_in(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            viewer = await run_in_threadpool(portal.viewer, request)
            if viewer is None:
                return portal.signed_out(request)
            return await handler(portal, request, viewer)

        return endpoint

    async def home(request: Request) -> Response:
        viewer = await run_in_threadpool(portal.viewer, request)
        if viewer is None:
            return portal.signed_out(request)
        return RedirectResponse("/work", status_code=303)

    async def signin_page(request: Request) -> Response:
        token = request.path_params["token"]
        then = local_path(request.query_params.get("next"))
        if then is not None:  # another item of the same digest, in a signed-in browser
            viewer = await run_in_threadpool(portal.viewer, request)
            if viewer is not None and viewer.email == await run_in_threadpool(
                    signin.link_owner, portal.db, token):
                return RedirectResponse(then, status_code=303)
        nonce = secrets.token_urlsafe(32)
        # the session cookie stays: signing in again ends that session (``replaces``)
        response = portal.page(request, None, "signin.html", token=token, then=then or "",
                               signin_csrf=signin.csrf_token(nonce), keep_session=True,
                               reader=await run_in_threadpool(link_language, portal.db, token))
        response.set_cookie(SIGNIN_COOKIE, nonce, max_age=SIGNIN_FORM_TTL, path="/signin",
                            httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    async def signin_post(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        if not portal.limiter.allow(client):
            return portal.page(request, None, "message.html", status=429, title="Sign in",
                               message="Too many sign-in attempts: wait a minute.")
        form = await request.form(max_files=0, max_fields=5)
        if not (same_site(request, portal.base_url) and signin.csrf_ok(
                request.cookies.get(SIGNIN_COOKIE, ""), str(form.get("csrf") or ""))):
            # login CSRF: another site posting its own link would sign this browser in
            return portal.page(request, None, "message.html", status=403, title="Sign in",
                               message="This sign-in form did not come from the portal's "
                                       "own sign-in page, or has expired.",
                               detail="Open your personal sign-in link again and press "
                                      "the button.")
        token = str(form.get("token") or "")
        # a forged post carries another's link: only past the check above is it the reader's
        reader = await run_in_threadpool(link_language, portal.db, token)
        try:
            done = await run_in_threadpool(signin.exchange, portal.db, token,
                                           replaces=request.cookies.get(COOKIE))
        except signin.SignInError as exc:
            return portal.page(request, None, "message.html", status=403, title="Sign in",
                               message=refusal(str(exc), portal.language(
                                   request, None, reader=reader)),
                               detail="Open the personal link in your latest reminder to "
                                      "sign in.", reader=reader)
        then = local_path(str(form.get("next") or "")) or "/work"
        response = RedirectResponse(then, status_code=303)
        portal.cookie(response, request, done.session_secret)
        response.delete_cookie(SIGNIN_COOKIE, path="/signin")
        return response

    async def signout(portal: Portal, request: Request, viewer: Viewer) -> Response:
        form = await request.form(max_files=0, max_fields=5)
        if not portal.csrf_ok(request, str(form.get("csrf") or "")):
            return forbidden(request, viewer)
        await run_in_threadpool(signin.sign_out, portal.db, request.cookies.get(COOKIE, ""))
        response = portal.page(request, None, "message.html", title="Sign out",
                               message="You are signed out.",
                               detail="Open the personal link in your latest reminder to "
                                      "sign in.")
        response.delete_cookie(COOKIE, path="/")
        return response

    def forbidden(request: Request, viewer: Viewer | None) -> Response:
        return portal.page(request, viewer, "message.html", status=403, title="Refused",
                           message="This form has expired: go back, reload the page and "
                                   "send it again.")

    async def language(request: Request) -> Response:
        to = request.query_params.get("to", "en")
        back = request.query_params.get("next", "/work")
        if not back.startswith("/") or back.startswith("//"):
            back = "/work"
        response = RedirectResponse(back, status_code=303)
        if to in LANGUAGES:
            response.set_cookie(LANG_COOKIE, to, max_age=365 * 86400, path="/",
                                samesite="lax", httponly=True)
        return response

    async def work(portal: Portal, request: Request, viewer: Viewer) -> Response:
        committee = request.query_params.get("committee") or None
        year_text = request.query_params.get("year") or ""
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None

        shown = {name: shown_count(request.query_params.get(f"show_{name}"))
                 for name in queries.GROUPS}

        def load() -> dict[str, queries.Group]:
            with portal.db.reading() as session:
                groups = queries.my_work(session, viewer, portal.catalog, portal.today(),
                                         committee=committee, year=year, shown=shown)
            returned = groups["returned"]
            reasons = returned_reasons(portal.db, [i.id for i in returned.items])
            groups["returned"] = queries.Group("returned", [
                replace(i, reason=reasons.get(i.id)) for i in returned.items], returned.total)
            return groups

        groups = await run_in_threadpool(load)
        years = range(portal.catalog.structure.plan.start.year,
                      portal.catalog.structure.plan.end.year + 1)
        kept = {f"show_{name}": n for name, n in shown.items() if n != queries.PAGE}
        more = {g.name: "/work?" + query_string(
            committee=committee, year=year,
            **{**kept, f"show_{g.name}": len(g.items) + g.more}) + f"#group-{g.name}"
            for g in groups.values()}
        return portal.page(request, viewer, "work.html", groups=groups, labels=GROUP_LABELS,
                           action=queries.ACTION, more=more, page_size=queries.PAGE,
                           committee=committee, year=year, years=list(years),
                           my_committees=sorted(viewer.scopes()) if not viewer.secretariat
                           else sorted(portal.catalog.committees))

    def occurrence_context(row: OccurrenceRow, language: str) -> dict[str, Any]:
        activity = portal.catalog.activities.get(row.activity_id) if row.activity_id else None
        with portal.db.reading() as session:
            history = session.execute(select(Evidence).where(
                Evidence.occurrence_id == row.id).order_by(Evidence.id)).scalars().all()
        moved_why = None
        if row.unshifted != row.due:
            try:
                moved_why = explain.why_moved(row.region, row.unshifted, language)
            except NaptipError:
                moved_why = None
        indicators = portal.service.form(row)
        owner = portal.catalog.committees.get(row.owner)
        who = (owner.name_ms if language == "ms" else owner.name) if owner else row.owner
        return {"row": row, "activity": activity, "indicators": indicators,
                "history": history, "moved_why": moved_why,
                "ask": explain.ask(who=who, title=row.title, due=row.due,
                                   today=portal.today(), progress=row.progress,
                                   indicators=indicators, language=language),
                "status_of": lambda status: explain.status_word(status, language)}

    async def occurrence(portal: Portal, request: Request, viewer: Viewer) -> Response:
        row = await run_in_threadpool(portal.visible_occurrence, viewer,
                                      request.path_params["oid"])
        if row is None:
            return portal.not_found(request, viewer)
        context = await run_in_threadpool(occurrence_context, row,
                                          portal.language(request, viewer))
        return portal.page(request, viewer, "occurrence.html", errors={}, given={}, again=[],
                           may_submit=viewer.may_submit(row), notice=request.query_params.get(
                               "done") == "1", **context)

    async def submit(portal: Portal, request: Request, viewer: Viewer) -> Response:
        row = await run_in_threadpool(portal.visible_occurrence, viewer,
                                      request.path_params["oid"])
        if row is None or not viewer.may_submit(row):
            return portal.not_found(request, viewer)
        try:
            form = await read_form(request.headers.get("content-type", ""), request.stream(),
                                   max_file_bytes=portal.service.blobs.max_bytes)
        except TooLarge as exc:
            return portal.page(request, viewer, "message.html", status=413,
                               title="Too large",
                               message=refusal(str(exc), portal.language(request, viewer)),
                               detail="Nothing was stored.")
        except BadForm as exc:
            return portal.page(request, viewer, "message.html", status=400,
                               title="Refused",
                               message=refusal(str(exc), portal.language(request, viewer)))
        try:
            if not portal.csrf_ok(request, form.get("csrf")):
                return forbidden(request, viewer)
            errors: dict[str, str] = {}
            try:
                indicators = portal.service.form(row)
                sub = forms.submission(form, occurrence_id=row.id, actor=viewer.email,
                                       indicators=indicators)
                await run_in_threadpool(portal.service.submit, sub, today=portal.today())
            except forms.FieldError as exc:
                errors[exc.field] = refusal(str(exc), portal.language(request, viewer))
            except EvidenceError as exc:
                errors[forms.field_of(str(exc))] = refusal(str(exc),
                                                           portal.language(request, viewer))
        finally:
            form.cleanup()
        if errors:
            context = await run_in_threadpool(occurrence_context, row,
                                              portal.language(request, viewer))
            given = {k: v[0] for k, v in form.fields.items() if k != "csrf"}
            # a browser cannot be handed files back: name them, to be attached again
            again = [u.name for u in form.files if u.name]
            return portal.page(request, viewer, "occurrence.html", status=422, errors=errors,
                               given=given, again=again, may_submit=True, notice=False,
                               **context)
        return RedirectResponse(f"/occurrence/{row.id}?done=1", status_code=303)

    async def queue(portal: Portal, request: Request, viewer: Viewer) -> Response:
        if not viewer.reviewer:
            return portal.not_found(request, viewer)

        def load() -> list[queries.Queued]:
            with portal.db.reading() as session:
                return queries.review_queue(session, viewer, portal.service.plan_id)

        return portal.page(request, viewer, "queue.html", queue=await run_in_threadpool(load))

    async def evidence(portal: Portal, request: Request, viewer: Viewer) -> Response:
        found = await run_in_threadpool(portal.visible_evidence, viewer,
                                        request.path_params["eid"])
        if found is None:
            return portal.not_found(request, viewer)
        item, row = found
        return portal.page(request, viewer, "evidence.html", evidence=item, row=row,
                           indicators=portal.service.form(row),
                           may_review=viewer.may_review(row) and item.status == "submitted",
                           own=await run_in_threadpool(portal.service.is_own, item,
                                                       viewer.email), errors={},
                           notice=request.query_params.get("done") == "1")

    async def review(portal: Portal, request: Request, viewer: Viewer) -> Response:
        found = await run_in_threadpool(portal.visible_evidence, viewer,
                                        request.path_params["eid"])
        if found is None or not viewer.may_review(found[1]):
            return portal.not_found(request, viewer)
        item, row = found
        form = await request.form(max_files=0, max_fields=10)
        if not portal.csrf_ok(request, str(form.get("csrf") or "")):
            return forbidden(request, viewer)
        errors: dict[str, str] = {}
        own = await run_in_threadpool(portal.service.is_own, item, viewer.email)
        if own:
            errors["form"] = "You submitted this evidence: another reviewer must review it."
        else:
            accept = form.get("decision") == "accept"
            reason = str(form.get("reason") or "") or None
            try:
                await run_in_threadpool(lambda: portal.service.review(
                    item.id, accept=accept, reason=reason, actor=viewer.email))
            except EvidenceError as exc:
                errors["reason" if "reason" in str(exc) else "form"] = refusal(
                    str(exc), portal.language(request, viewer))
        if errors:
            return portal.page(request, viewer, "evidence.html", status=422, evidence=item,
                               row=row, indicators=portal.service.form(row), may_review=True,
                               own=own, errors=errors,
                               notice=False)
        return RedirectResponse(f"/evidence/{item.id}?done=1", status_code=303)

    async def download(portal: Portal, request: Request, viewer: Viewer) -> Response:
        found = await run_in_threadpool(portal.visible_evidence, viewer,
                                        request.path_params["eid"])
        if found is None:
            return portal.not_found(request, viewer)
        item, _row = found
        attachment = next((a for a in item.attachments
                           if a.id == request.path_params["aid"]), None)
        if attachment is None:
            return portal.not_found(request, viewer)
        return attachment_response(portal, attachment,
                                   view=request.query_params.get("view") == "1")

    async def committee(portal: Portal, request: Request, viewer: Viewer) -> Response:
        cid = request.path_params["cid"]
        if cid not in portal.catalog.committees or not viewer.may_see_committee(cid):
            return portal.not_found(request, viewer)

        def load() -> list[queries.Bar]:
            with portal.db.reading() as session:
                return queries.committee_progress(session, cid, portal.service.plan_id)

        return await committee_page(portal, request, viewer, cid, errors={},
                                    notice=request.query_params.get("done") == "1")

    async def committee_page(portal: Portal, request: Request, viewer: Viewer, cid: str, *,
                             errors: dict[str, str], notice: bool,
                             status: int = 200) -> Response:
        def load() -> tuple[list[queries.Bar], list[Narrative]]:
            with portal.db.reading() as session:
                return (queries.committee_progress(session, cid, portal.service.plan_id),
                        committee_narratives(session, cid))

        bars, narratives = await run_in_threadpool(load)
        years = list(portal.catalog.structure.plan.years)
        return portal.page(request, viewer, "committee.html", status=status,
                           committee=portal.catalog.committees[cid], bars=bars,
                           narratives=narratives, may_speak=viewer.may_speak_for(cid),
                           years=years, this_year=min(max(portal.today().year, years[0]),
                                                      years[-1]),
                           errors=errors, notice=notice)

    async def narrative(portal: Portal, request: Request, viewer: Viewer) -> Response:
        cid = request.path_params["cid"]
        if cid not in portal.catalog.committees or not viewer.may_see_committee(cid):
            return portal.not_found(request, viewer)
        if not viewer.may_speak_for(cid):
            return forbidden(request, viewer)
        form = await request.form(max_files=0, max_fields=10)
        if not portal.csrf_ok(request, str(form.get("csrf") or "")):
            return forbidden(request, viewer)
        which = str(form.get("report") or "")
        parts = {name: str(form.get(name) or "").strip() or None for name in FIELDS}
        errors: dict[str, str] = {}
        if which != "final" and not (which.isdigit()
                                     and int(which) in portal.catalog.structure.plan.years):
            errors["report"] = "Choose a plan year or the final report."
        else:
            try:
                await run_in_threadpool(lambda: save_narrative(
                    portal.db, committee=cid, kind="final" if which == "final" else "annual",
                    year=None if which == "final" else int(which), parts=parts,
                    actor=f"{viewer.contact.name} <{viewer.email}>"))
            except NaptipError as exc:
                errors["narrative"] = refusal(str(exc), portal.language(request, viewer))
        if errors:
            return await committee_page(portal, request, viewer, cid, errors=errors,
                                        notice=False, status=422)
        return RedirectResponse(f"/committee/{cid}?done=1", status_code=303)

    async def calendars(portal: Portal, request: Request, viewer: Viewer) -> Response:
        def load() -> list[CalendarLink]:
            return calendar_links(viewer.contact, portal.db, portal.catalog, feeds_url())

        return portal.page(request, viewer, "calendars.html",
                           links=await run_in_threadpool(load))

    async def stylesheet(request: Request) -> Response:
        return Response(CSS, media_type="text/css")

    routes = [
        Route("/", home),
        Route("/portal.css", stylesheet),
        Route("/signin/{token}", signin_page),
        Route("/signin", signin_post, methods=["POST"]),
        Route("/signout", signed_in(signout), methods=["POST"]),
        Route("/lang", language),
        Route("/work", signed_in(work)),
        Route("/occurrence/{oid:path}/evidence", signed_in(submit), methods=["POST"]),
        Route("/occurrence/{oid:path}", signed_in(occurrence)),
        Route("/review", signed_in(queue)),
        Route("/evidence/{eid:int}", signed_in(evidence)),
        Route("/evidence/{eid:int}/review", signed_in(review), methods=["POST"]),
        Route("/evidence/{eid:int}/files/{aid:int}", signed_in(download)),
        Route("/committee/{cid}", signed_in(committee)),
        Route("/committee/{cid}/narrative", signed_in(narrative), methods=["POST"]),
        Route("/calendars", signed_in(calendars)),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(SecurityHeaders)
    if portal.trusted_proxies:  # the outermost layer: it sets the client's address
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(portal.trusted_proxies))
    app.state.portal = portal
    return app


def attachment_response(portal: Portal, attachment: Attachment, *, view: bool = False,
                        ) -> Response:
    """A stored document as a download, never sniffed as HTML. Images and PDFs may be
    viewed in the browser (``view``), in a sandbox that runs nothing."""
    media = ("text/plain; charset=utf-8" if attachment.media_type in TEXT_TYPES
             else attachment.media_type)
    inline = view and attachment.media_type in VIEWABLE
    path: Path = portal.service.blobs.path_of(attachment.sha256)
    response = FileResponse(path, media_type=media, filename=attachment.original_name,
                            content_disposition_type="inline" if inline else "attachment")
    if inline:  # enforced together with the portal's own policy
        response.headers["content-security-policy"] = "sandbox"
    return response


def same_site(request: Request, base_url: str) -> bool:
    """Whether a form post came from the portal's own pages, as far as the browser says:
    ``Sec-Fetch-Site`` and ``Origin`` when sent (``Origin: null`` is what a browser sends
    under the portal's no-referrer policy, so the form's CSRF token decides then)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True
    own = {f"{request.url.scheme}://{request.url.netloc}",
           "{0.scheme}://{0.netloc}".format(urlsplit(base_url))}
    return origin.rstrip("/") in own


def local_path(text: str | None) -> str | None:
    """A page of the portal to go to after signing in (never another site, never the
    sign-in pages themselves), or None."""
    if not text or not text.startswith("/") or text.startswith(("//", "/\\", "/signin")):
        return None
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or len(text) > 500 or any(c < " " for c in text):
        return None
    return text


def shown_count(text: str | None) -> int:
    """How many items of a group to show, from the page's ``show_<group>`` parameter."""
    if text and text.isdigit() and len(text) <= 9:
        return max(queries.PAGE, min(int(text), queries.MAX_SHOWN))
    return queries.PAGE


def query_string(**params: object) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
