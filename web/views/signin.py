"""Signing in and out: the personal link's page and form, signing out, the language."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from naptip.people import signin
from naptip.web.access import Viewer
from naptip.web.context import COOKIE, LANG_COOKIE, Portal
from naptip.web.i18n import LANGUAGES, link_language
from naptip.web.refusals import refusal

#: the sign-in page's own CSRF secret: a sign-in form posted from another site lacks it
SIGNIN_COOKIE = "naptip_signin"
SIGNIN_FORM_TTL = 3600  #: seconds the sign-in page's form stays valid


async def home(portal: Portal, request: Request) -> Response:
    viewer = await run_in_threadpool(portal.viewer, request)
    if viewer is None:
        return portal.signed_out(request)
    return RedirectResponse("/work", status_code=303)


async def signin_page(portal: Portal, request: Request) -> Response:
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


async def signin_post(portal: Portal, request: Request) -> Response:
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
        return portal.forbidden(request, viewer)
    await run_in_threadpool(signin.sign_out, portal.db, request.cookies.get(COOKIE, ""))
    response = portal.page(request, None, "message.html", title="Sign out",
                           message="You are signed out.",
                           detail="Open the personal link in your latest reminder to "
                                  "sign in.")
    response.delete_cookie(COOKIE, path="/")
    return response


async def language(portal: Portal, request: Request) -> Response:
    to = request.query_params.get("to", "en")
    back = request.query_params.get("next", "/work")
    if not back.startswith("/") or back.startswith("//"):
        back = "/work"
    response = RedirectResponse(back, status_code=303)
    if to in LANGUAGES:
        response.set_cookie(LANG_COOKIE, to, max_age=365 * 86400, path="/",
                            samesite="lax", httponly=True)
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
