"""Passwordless sign-in for the evidence portal: link tokens and sessions.

A sign-in link carries a random secret; the store keeps only its SHA-256. The link is
single-use and short-lived: exchanging it marks it used and creates a session (another
random secret, also stored hashed) that the browser keeps in an HttpOnly cookie. Sign-out
and ``naptip web revoke`` end sessions and unused links at once. Every issue, sign-in,
sign-out and revocation is in the audit log with the contact as actor (or whoever revoked).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import Contact, WebToken

LINK_TTL = timedelta(minutes=30)  #: `naptip web link`
DIGEST_LINK_TTL = timedelta(hours=72)  #: the link in a digest, read some time after sending
SESSION_TTL = timedelta(hours=12)


class SignInError(NaptipError):
    """A link or session that does not (or no longer) sign anyone in."""


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def csrf_token(session_secret: str) -> str:
    """The form token of a session: derived from its secret, never stored."""
    return hmac.new(session_secret.encode("utf-8"), b"naptip-csrf", hashlib.sha256).hexdigest()


def csrf_ok(session_secret: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_secret), given or "")


def _contact(session: Session, email: str) -> Contact:
    key = email.strip().lower()
    row = session.execute(select(Contact).where(Contact.email == key)).scalar_one_or_none()
    if row is None or not row.active:
        raise NaptipError(f"no contact {key!r} (naptip contacts list)")
    return row


def issue_link(db: Database, email: str, *, ttl: timedelta = LINK_TTL, actor: str,
               now: datetime | None = None) -> str:
    """A new single-use sign-in secret for an active contact."""
    secret = secrets.token_urlsafe(32)
    when = now or datetime.now(UTC)

    def work(session: Session) -> None:
        contact = _contact(session, email)
        assert contact.email is not None
        session.add(WebToken(kind="link", digest=digest_of(secret), contact_email=contact.email,
                             created_at=when, expires_at=when + ttl))
        audit.append(session, actor=actor, action="web.link_issued", subject=contact.email,
                     payload={"expires_at": (when + ttl).isoformat()}, at=when)

    db.write(work)
    return secret


def link_url(base_url: str, secret: str, then: str | None = None) -> str:
    """The sign-in link of ``secret``; ``then``: the portal page it opens after signing in
    (``/occurrence/S19-O1-viii@2023``)."""
    url = f"{base_url.rstrip('/')}/signin/{secret}"
    return f"{url}?{urlencode({'next': then})}" if then else url


def _live_token(session: Session, secret: str, kind: str, when: datetime) -> WebToken | None:
    """The token of ``secret`` and ``kind`` while it lasts (not revoked, not expired)."""
    token = session.execute(select(WebToken).where(
        WebToken.digest == digest_of(secret), WebToken.kind == kind)).scalar_one_or_none()
    if token is None or token.revoked_at is not None or token.expires_at <= when:
        return None
    return token


def link_owner(db: Database, secret: str, *, now: datetime | None = None) -> str | None:
    """Whose sign-in link this is while it lasts, used or not (None: unknown, revoked or
    expired). A digest's links share one secret: the first signs in, the others open
    their page in the browser already signed in as the same person."""
    with db.reading() as session:
        token = _live_token(session, secret, "link", now or datetime.now(UTC))
        return None if token is None else token.contact_email


@dataclass(frozen=True)
class SignedIn:
    email: str
    session_secret: str


def exchange(db: Database, secret: str, *, now: datetime | None = None,
             replaces: str | None = None) -> SignedIn:
    """Trade a link secret for a new session (the old session, if any, is ended)."""
    when = now or datetime.now(UTC)
    session_secret = secrets.token_urlsafe(32)

    def work(session: Session) -> SignedIn:
        token = session.execute(select(WebToken).where(
            WebToken.digest == digest_of(secret), WebToken.kind == "link"
        ).with_for_update()).scalar_one_or_none()
        if token is None:
            raise SignInError("this sign-in link is not valid")
        if token.used_at is not None or token.revoked_at is not None:
            raise SignInError("this sign-in link was already used")
        if token.expires_at <= when:
            raise SignInError("this sign-in link has expired")
        contact = _contact(session, token.contact_email)
        assert contact.email is not None
        token.used_at = when
        if replaces:
            session.execute(update(WebToken).where(
                WebToken.digest == digest_of(replaces), WebToken.kind == "session",
                WebToken.revoked_at.is_(None)).values(revoked_at=when))
        session.add(WebToken(kind="session", digest=digest_of(session_secret),
                             contact_email=contact.email, created_at=when,
                             expires_at=when + SESSION_TTL))
        audit.append(session, actor=contact.email, action="web.signed_in",
                     subject=contact.email, payload={"link": token.id}, at=when)
        return SignedIn(contact.email, session_secret)

    return db.write(work)


def session_email(db: Database, session_secret: str, *, now: datetime | None = None,
                  ) -> str | None:
    """Whose session this is, or None (unknown, expired, revoked, or contact removed)."""
    with db.reading() as session:
        token = _live_token(session, session_secret, "session", now or datetime.now(UTC))
        if token is None:
            return None
        contact = session.execute(select(Contact).where(
            Contact.email == token.contact_email)).scalar_one_or_none()
        return token.contact_email if contact is not None and contact.active else None


def sign_out(db: Database, session_secret: str, *, now: datetime | None = None) -> None:
    when = now or datetime.now(UTC)

    def work(session: Session) -> None:
        token = session.execute(select(WebToken).where(
            WebToken.digest == digest_of(session_secret), WebToken.kind == "session",
            WebToken.revoked_at.is_(None)).with_for_update()).scalar_one_or_none()
        if token is None:
            return
        token.revoked_at = when
        audit.append(session, actor=token.contact_email, action="web.signed_out",
                     subject=token.contact_email, payload={}, at=when)

    db.write(work)


def revoke(db: Database, email: str, *, actor: str, now: datetime | None = None) -> int:
    """End every session and unused link of a contact; the number ended."""
    key = email.strip().lower()
    when = now or datetime.now(UTC)

    def work(session: Session) -> int:
        known = session.execute(select(Contact.id).where(Contact.email == key)).scalar()
        if known is None:
            raise NaptipError(f"no contact {key!r} (naptip contacts list)")
        ended = session.execute(update(WebToken).where(
            WebToken.contact_email == key, WebToken.revoked_at.is_(None),
            WebToken.used_at.is_(None) | (WebToken.kind == "session"),
        ).values(revoked_at=when))
        audit.append(session, actor=actor, action="web.revoked", subject=key,
                     payload={"ended": _count(ended)}, at=when)
        return _count(ended)

    return db.write(work)


def digest_link(db: Database, email: str, environ: Mapping[str, str] | None = None,
                *, now: datetime | None = None) -> str | None:
    """The personal sign-in link a digest carries, or None when no portal address is set.

    ``NAPTIP_WEB_URL`` is the portal's public address (``https://naptip.example.gov.my``);
    without it digests carry no link. Each call issues a fresh single-use link.
    """
    env = os.environ if environ is None else environ
    base = env.get("NAPTIP_WEB_URL", "").strip()
    if not base:
        return None
    return link_url(base, issue_link(db, email, ttl=DIGEST_LINK_TTL, actor="naptip", now=now))


def preview_link(environ: Mapping[str, str] | None = None) -> str | None:
    """What a digest's link looks like, for a dry run: no secret issued, none stored."""
    env = os.environ if environ is None else environ
    base = env.get("NAPTIP_WEB_URL", "").strip()
    return link_url(base, "PERSONAL-LINK") if base else None


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
