"""Who may review evidence: one function, so that a contact directory can plug in.

Rules, in order:

1. the reviewer is not the submitter (self-review is refused), names compared without
   regard to case or spacing;
2. when a contact directory exists (contacts are in the store), the reviewer must be an
   active contact, matched by name or e-mail, with a reviewer role
   (:data:`REVIEWER_ROLES`: the secretariat, M&E).

The directory is reached through :data:`directory_lookup`, a function the reminders
work (issue 9) can replace with its own contact lookup without touching the review code.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .orm import Contact
from .values import EvidenceError

#: contact roles that may accept or return evidence
REVIEWER_ROLES = frozenset({"secretariat", "m&e", "reviewer"})


def same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def contact_roles(session: Session, name: str) -> set[str] | None:
    """The roles of the active contacts called ``name`` (by name or e-mail); None when
    there is no contact directory at all."""
    if session.execute(select(func.count()).select_from(Contact)).scalar_one() == 0:
        return None
    key = " ".join(name.split()).casefold()
    rows = session.execute(select(Contact.role, Contact.name, Contact.email)
                           .where(Contact.active.is_(True)))
    return {role.casefold() for role, cname, email in rows
            if key in {" ".join(cname.split()).casefold(), (email or "").casefold()}}


#: the directory seam: (session, reviewer name) -> roles, or None without a directory
directory_lookup: Callable[[Session, str], set[str] | None] = contact_roles


def check_reviewer(session: Session, reviewer: str, submitter: str) -> None:
    """Refuse (EvidenceError, one line) a reviewer who may not review this submission."""
    if same_person(reviewer, submitter):
        raise EvidenceError(f"self-review refused: {reviewer!r} submitted this evidence; "
                            "another person must review it (--as NAME)")
    roles = directory_lookup(session, reviewer)
    if roles is not None and not roles & REVIEWER_ROLES:
        allowed = ", ".join(sorted(REVIEWER_ROLES))
        raise EvidenceError(f"{reviewer!r} may not review evidence: only contacts with a "
                            f"reviewer role ({allowed}) may")
