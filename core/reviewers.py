"""Who may review evidence: one function, so that a contact directory can plug in.

Rules, in order:

1. the reviewer is not the submitter (self-review is refused), names compared without
   regard to case or spacing;
2. when a contact directory exists (contacts are in the store), the reviewer must be an
   active contact, matched by name or e-mail, with a reviewer or secretariat role
   (:data:`REVIEWER_ROLES`) or any role on the Monitoring and Evaluation Committee.

The directory is the reminders' contact directory (``naptip contacts``); it is reached
through :data:`directory_lookup`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .orm import Contact
from .values import EvidenceError

#: contact roles that may accept or return evidence, whatever their scope
REVIEWER_ROLES = frozenset({"secretariat", "reviewer"})
#: a contact with any role on this committee (Monitoring and Evaluation) may review too
REVIEWING_COMMITTEE = "monitoring"


def same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def contact_roles(session: Session, name: str) -> set[str] | None:
    """The roles of the active contacts called ``name`` (by name or e-mail); None when
    there is no contact directory at all."""
    if session.execute(select(func.count()).select_from(Contact)).scalar_one() == 0:
        return None
    key = " ".join(name.split()).casefold()
    rows = session.execute(select(Contact.roles, Contact.name, Contact.email)
                           .where(Contact.active.is_(True)))
    found: set[str] = set()
    for roles, cname, email in rows:
        if key not in {" ".join(cname.split()).casefold(), (email or "").casefold()}:
            continue
        for text in roles or ():  # "ROLE:SCOPE", e.g. "reviewer:nso-mapo", "lead:monitoring"
            role, _, scope = text.casefold().partition(":")
            found.add("m&e" if scope == REVIEWING_COMMITTEE else role)
    return found


#: the directory seam: (session, reviewer name) -> roles, or None without a directory
directory_lookup: Callable[[Session, str], set[str] | None] = contact_roles


def check_reviewer(session: Session, reviewer: str, submitter: str) -> None:
    """Refuse (EvidenceError, one line) a reviewer who may not review this submission."""
    if same_person(reviewer, submitter):
        raise EvidenceError(f"self-review refused: {reviewer!r} submitted this evidence; "
                            "another person must review it (--as NAME)")
    roles = directory_lookup(session, reviewer)
    if roles is not None and not roles & (REVIEWER_ROLES | {"m&e"}):
        raise EvidenceError(f"{reviewer!r} may not review evidence: only contacts with a "
                            "reviewer or secretariat role, or a role on the Monitoring and "
                            "Evaluation Committee, may")
