"""The evidence portal as a Starlette application: server-rendered pages, plain forms.

Every page needs a session (from a sign-in link); every form carries the session's CSRF
token; what a contact may not see is 404. All evidence goes through the evidence service
(``naptip.progress.evidence``), so the portal checks nothing the CLI does not, and vice versa.

This module only assembles the application: the routes table over the views
(:mod:`naptip.web.views`, one module per kind of page), the shared
:class:`~naptip.web.context.Portal` they are given, and the security middleware.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from naptip.web.context import Portal, public, signed_in
from naptip.web.views import calendars, committee, files, occurrence, review, signin, static, work

__all__ = ["SECURITY_HEADERS", "Portal", "SecurityHeaders", "create_app", "routes"]

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self'; style-src 'self'; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the sign-in page's URL holds the link's secret
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]


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


def routes(portal: Portal) -> list[Route]:
    """Every page of the portal: anyone may open the sign-in pages and the stylesheet;
    everything else needs a session."""
    return [
        Route("/", public(portal, signin.home)),
        Route("/portal.css", public(portal, static.stylesheet)),
        Route("/signin/{token}", public(portal, signin.signin_page)),
        Route("/signin", public(portal, signin.signin_post), methods=["POST"]),
        Route("/signout", signed_in(portal, signin.signout), methods=["POST"]),
        Route("/lang", public(portal, signin.language)),
        Route("/work", signed_in(portal, work.work)),
        Route("/occurrence/{oid:path}/evidence", signed_in(portal, occurrence.submit),
              methods=["POST"]),
        Route("/occurrence/{oid:path}", signed_in(portal, occurrence.occurrence)),
        Route("/review", signed_in(portal, review.queue)),
        Route("/evidence/{eid:int}", signed_in(portal, review.evidence)),
        Route("/evidence/{eid:int}/review", signed_in(portal, review.review),
              methods=["POST"]),
        Route("/evidence/{eid:int}/files/{aid:int}", signed_in(portal, files.download)),
        Route("/committee/{cid}", signed_in(portal, committee.committee)),
        Route("/committee/{cid}/narrative", signed_in(portal, committee.narrative),
              methods=["POST"]),
        Route("/calendars", signed_in(portal, calendars.calendars)),
    ]


def create_app(portal: Portal) -> Starlette:
    """The ASGI application of one portal."""
    app = Starlette(routes=routes(portal))
    app.add_middleware(SecurityHeaders)
    if portal.trusted_proxies:  # the outermost layer: it sets the client's address
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(portal.trusted_proxies))
    app.state.portal = portal
    return app
