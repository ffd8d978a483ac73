"""The contact directory: validation (officials only, no secrets) and audited changes.

A contact is identified by its e-mail address. Names and addresses must be an official's:
text that looks like a MyKad, passport or phone number is refused (NAPTIP 3.0, S24), and
so are addresses at personal web-mail providers. Extra URLs may not carry a secret: a
password or token is written as ``${ENV_NAME}`` and read from the environment at send time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.contact_types import LANGUAGES, ContactInfo, Role
from naptip.base.errors import NaptipError
from naptip.base.lookup import match_id, unknown
from naptip.base.secret_urls import ENV_REF, literal_password, mask_url
from naptip.base.states import STATES
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import Contact
from naptip.store.personal_data import scan

#: personal web-mail providers: a digest about official work goes to an official mailbox
PERSONAL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.com.my", "hotmail.com", "outlook.com",
    "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
    "gmx.com", "mail.com", "yandex.com", "zoho.com"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def check_email(email: str) -> str:
    """The address, normalised (lower case), or a one-line error."""
    text = email.strip().lower()
    if not text or _CONTROL.search(email):
        raise NaptipError(f"e-mail {email!r}: must be one address on one line")
    try:
        address = Address(addr_spec=text)
    except (HeaderParseError, ValueError, IndexError):
        raise NaptipError(f"e-mail {text!r} is not an address like name@agency.gov.my"
                          ) from None
    if not address.domain or "." not in address.domain or address.addr_spec != text:
        raise NaptipError(f"e-mail {text!r} is not an address like name@agency.gov.my")
    if address.domain in PERSONAL_DOMAINS:
        raise NaptipError(f"e-mail {text!r}: a personal web-mail address; use the person's "
                          "official address")
    if scan(address.username, "the e-mail address"):
        raise NaptipError(f"e-mail {text!r}: looks like it holds an identity or phone "
                          "number; use an official address")
    return text


def check_name(name: str) -> str:
    text = name.strip()
    if not text or len(text) > 200 or _CONTROL.search(name):
        raise NaptipError("name: must be one line of 1 to 200 characters")
    findings = scan(text, "the name")
    if findings:
        raise NaptipError(f"contact refused: found what looks like {findings[0].what} in the "
                          "name. Only officials' names belong in the directory (NAPTIP 3.0, "
                          "S24)")
    return text


def check_url(url: str) -> str:
    """A URL that is safe to store: no literal password or token (``${ENV}`` instead)."""
    text = url.strip()
    if not text or _CONTROL.search(url) or not _SCHEME.match(text):
        raise NaptipError(f"URL {mask_url(text)!r} is not an apprise URL like "
                          "tgram://${TELEGRAM_TOKEN}/CHAT_ID")
    if literal_password(text):
        raise NaptipError(f"URL {mask_url(text)!r}: write the password as ${{ENV_NAME}}; "
                          "secrets never enter the store")
    if not text.lower().startswith(("mailto:", "mailtos:")) and not ENV_REF.search(text):
        raise NaptipError(f"URL {mask_url(text)!r}: its token must be an ${{ENV_NAME}} "
                          "reference; secrets never enter the store")
    return text


def check_contact(info: ContactInfo, scopes: Iterable[str] | None = None) -> ContactInfo:
    """The contact, normalised, or a one-line error naming what is wrong."""
    if info.language not in LANGUAGES:
        raise NaptipError(f"language {info.language!r}: must be one of {', '.join(LANGUAGES)}")
    if info.state not in STATES:
        raise NaptipError(f"state {info.state!r}: known: {', '.join(sorted(STATES))}")
    known = set(scopes) if scopes is not None else None
    roles = []
    for role in info.roles:
        if known is not None:  # ids match whatever their case: lead:Media is lead:media
            scope = match_id(role.scope, known)
            if scope is None:
                raise NaptipError(f"role {role}: "
                                  + unknown("committee or agency", role.scope, known))
            role = Role(role=role.role, scope=scope)
        roles.append(role)
    return ContactInfo(name=check_name(info.name), email=check_email(info.email),
                       language=info.language, state=info.state,
                       roles=tuple(dict.fromkeys(roles)),
                       urls=tuple(check_url(u) for u in info.urls), active=info.active,
                       source=info.source)


def parse_roles(texts: Sequence[str]) -> tuple[Role, ...]:
    try:
        return tuple(Role.parse(t) for t in texts if t.strip())
    except ValueError as exc:
        raise NaptipError(str(exc)) from None


def to_info(row: Contact) -> ContactInfo:
    return ContactInfo(name=row.name, email=row.email or "", language=row.language,
                       state=row.region, roles=tuple(Role.parse(r) for r in row.roles),
                       urls=tuple(row.urls), active=row.active)


def _payload(info: ContactInfo) -> dict[str, object]:
    # URLs hold only ${ENV} references, but are masked anyway: the log is for everyone
    return {"name": info.name, "email": info.email, "language": info.language,
            "state": info.state, "roles": [str(r) for r in info.roles],
            "urls": [mask_url(u) for u in info.urls], "active": info.active}


class ContactDirectory:
    """Reads and audited writes of the contact directory."""

    def __init__(self, db: Database, scopes: Iterable[str] | None = None) -> None:
        self.db = db
        self.scopes = set(scopes) if scopes is not None else None

    def all(self, *, include_inactive: bool = False) -> list[ContactInfo]:
        with self.db.reading() as session:
            rows = session.execute(select(Contact).order_by(Contact.email)).scalars().all()
            return [to_info(r) for r in rows if include_inactive or r.active]

    def get(self, email: str) -> ContactInfo:
        key = email.strip().lower()
        with self.db.reading() as session:
            row = session.execute(select(Contact).where(Contact.email == key)).scalar_one_or_none()
            if row is None:
                raise NaptipError(f"no contact {key!r} (naptip contacts list)")
            return to_info(row)

    def add(self, info: ContactInfo, *, actor: str) -> ContactInfo:
        return self.upsert([info], actor=actor, create_only=True)[0]

    def upsert(self, infos: Sequence[ContactInfo], *, actor: str, create_only: bool = False,
               ) -> list[ContactInfo]:
        """Add or replace contacts (by e-mail) in one transaction: all or nothing."""
        checked = [check_contact(i, self.scopes) for i in infos]
        seen: set[str] = set()
        for info in checked:
            if info.email in seen:
                raise NaptipError(f"{info.email} appears twice")
            seen.add(info.email)

        def work(session: Session) -> list[ContactInfo]:
            now = datetime.now(UTC)
            for info in checked:
                row = session.execute(select(Contact).where(Contact.email == info.email)
                                      ).scalar_one_or_none()
                if row is not None and create_only and row.active:
                    raise NaptipError(f"contact {info.email} exists: use `naptip contacts edit`")
                action = ("contact.added" if row is None or (create_only and not row.active)
                          else "contact.changed")
                if row is None:
                    row = Contact(email=info.email, created_at=now)
                    session.add(row)
                row.name, row.language, row.region = info.name, info.language, info.state
                row.roles = [str(r) for r in info.roles]
                row.urls = list(info.urls)
                row.active, row.updated_at = info.active, now
                session.flush()
                audit.append(session, actor=actor, action=action, subject=info.email,
                             payload=_payload(info), at=now)
            return checked

        return self.db.write(work)

    def remove(self, email: str, *, actor: str) -> None:
        """Deactivate a contact: the ledger of what was sent to them keeps its meaning."""
        key = email.strip().lower()

        def work(session: Session) -> None:
            row = session.execute(select(Contact).where(Contact.email == key)
                                  ).scalar_one_or_none()
            if row is None or not row.active:
                raise NaptipError(f"no contact {key!r} (naptip contacts list)")
            row.active, row.updated_at = False, datetime.now(UTC)
            audit.append(session, actor=actor, action="contact.removed", subject=key,
                         payload={"email": key})

        self.db.write(work)
