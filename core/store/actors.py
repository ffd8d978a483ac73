"""Who is acting on evidence: the name a front end gives, resolved against the contact
directory.

Without a contact directory (no contact in the store) a name is taken as given. Once a
directory exists, the name must be one active contact: matched by e-mail address, or by a
name that only one contact has (without regard to case or spacing). A miss is refused with
the nearest contacts as a suggestion; a name several contacts share asks for the e-mail.
The resolved contact is recorded with the evidence, and self-review compares contacts, so
that "Dual Role" on the command line and dual@moha.gov.my in the portal are one person.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naptip.base.values import EvidenceError
from naptip.store.orm import Contact

#: machine logins that name no person: acting under one of them needs ``--as``
SYSTEM_LOGINS = frozenset({"root", "admin", "administrator", "naptip", "postgres"})
#: the longest name the evidence and review rows keep (their columns' width)
MAX_RECORDED = 120


@dataclass(frozen=True)
class Actor:
    """A person acting on evidence: what is recorded as their name, and their contact."""

    name: str  #: the contact's e-mail when a directory named them, else the name given
    contact_id: int | None = None
    roles: tuple[str, ...] = ()  #: the contact's "ROLE:SCOPE" roles


def normal(name: str) -> str:
    """A name as compared: spacing collapsed, case folded."""
    return " ".join(name.split()).casefold()


def has_directory(session: Session) -> bool:
    return session.execute(select(func.count()).select_from(Contact)).scalar_one() > 0


def matches(session: Session, given: str) -> list[Contact]:
    """The active contacts ``given`` names: the one with that e-mail, else every contact
    with that name (case and spacing aside)."""
    key = normal(given)
    rows = session.execute(select(Contact).where(Contact.active.is_(True))
                           .order_by(Contact.id)).scalars().all()
    by_email = [c for c in rows if c.email and c.email.casefold() == key]
    return by_email or [c for c in rows if normal(c.name) == key]


def _actor(contact: Contact) -> Actor:
    email = contact.email or ""
    name = email if email and len(email) <= MAX_RECORDED else contact.name[:MAX_RECORDED]
    return Actor(name=name, contact_id=contact.id, roles=tuple(contact.roles or ()))


def resolve(session: Session, given: str, *, login: bool = False,
            hint: str = "--as NAME") -> Actor:
    """The person ``given`` names (EvidenceError, one line, when the directory has no such
    one active contact). ``login``: ``given`` is the machine's login, not a name the person
    gave; a system login (root) names nobody. ``hint`` says how to name oneself."""
    name = " ".join(given.split())[:MAX_RECORDED]
    if login and normal(name) in SYSTEM_LOGINS:
        raise EvidenceError(f"you are logged in as {name!r}, which names no person: say who "
                            f"you are with {hint} (your name or e-mail as in `naptip contacts "
                            "list`), or set NAPTIP_USER")
    if not has_directory(session):
        return Actor(name=name)
    found = matches(session, given)
    if len(found) == 1:
        return _actor(found[0])
    if found:
        emails = ", ".join(c.email or c.name for c in found[:5])
        raise EvidenceError(f"{len(found)} contacts are called {name!r}: name one by e-mail "
                            f"({hint}): {emails}")
    raise EvidenceError(f"{name!r}{' (your login)' if login else ''} is not an active "
                        "contact in the contact directory"
                        f"{_suggestion(session, given)}; name yourself with {hint}, your "
                        "name or e-mail as in `naptip contacts list`")


def _suggestion(session: Session, given: str) -> str:
    rows = session.execute(select(Contact.name, Contact.email)
                           .where(Contact.active.is_(True))).all()
    choices: dict[str, str] = {}
    for cname, email in rows:
        label = f"{cname} <{email}>" if email else cname
        choices[normal(cname)] = label
        if email:
            choices[email.casefold()] = label
            choices[email.split("@")[0].casefold()] = label
    close = difflib.get_close_matches(normal(given), list(choices), n=3, cutoff=0.6)
    labels = list(dict.fromkeys(choices[c] for c in close))
    return f" (did you mean {' or '.join(repr(x) for x in labels)}?)" if labels else ""


def person(session: Session, given: str) -> Actor:
    """``given`` resolved when the directory names one contact, else as given (to test
    ownership, where a miss refuses nothing)."""
    try:
        return resolve(session, given)
    except EvidenceError:
        return Actor(name=" ".join(given.split())[:MAX_RECORDED])
