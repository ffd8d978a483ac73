"""Who may review evidence: :func:`check_reviewer`, and :func:`own_test` (did this person
submit it?) that the portal also uses for its review queue.

Rules, in order:

1. the reviewer is not the submitter (self-review is refused): when a contact directory
   named both, the contacts are compared (a name on the command line and an e-mail in the
   portal are one person); otherwise names, without regard to case or spacing;
2. when a contact directory exists (contacts are in the store), the reviewer must be an
   active contact (:func:`naptip.store.actors.resolve`) with a reviewer or secretariat role
   (:data:`REVIEWER_ROLES`) or any role on the Monitoring and Evaluation Committee.

The directory is the reminders' contact directory (``naptip contacts``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from naptip.base.values import EvidenceError
from naptip.store.actors import Actor, matches, normal
from naptip.store.orm import Contact

#: contact roles that may accept or return evidence, whatever their scope
REVIEWER_ROLES = frozenset({"secretariat", "reviewer"})
#: a contact with any role on this committee (Monitoring and Evaluation) may review too
REVIEWING_COMMITTEE = "monitoring"


def same_person(a: str, b: str) -> bool:
    return normal(a) == normal(b)


def review_roles(roles: Iterable[str]) -> set[str]:
    """Roles as the rules read them: "ROLE:SCOPE" texts, any role on the reviewing
    committee counted as "m&e"."""
    found: set[str] = set()
    for text in roles:  # "reviewer:nso-mapo", "lead:monitoring"
        role, _, scope = text.casefold().partition(":")
        found.add("m&e" if scope == REVIEWING_COMMITTEE else role)
    return found


def own_test(session: Session, person: Actor, given: str | None = None,
             ) -> Callable[[str, int | None], bool]:
    """A test of evidence rows (their ``submitted_by``, ``submitter_contact``): did
    ``person`` submit it? The same contact when both are known; else the same name, where
    a contact's names are its e-mail and its name (when no other active contact has it)."""
    names = {normal(n) for n in (person.name, given) if n}
    if person.contact_id is not None:
        contact = session.get(Contact, person.contact_id)
        if contact is not None:
            names |= {normal(alias) for alias in (contact.email, contact.name) if alias
                      and [c.id for c in matches(session, alias)] == [contact.id]}

    def test(submitted_by: str, submitter_contact: int | None) -> bool:
        if person.contact_id is not None and submitter_contact is not None:
            return submitter_contact == person.contact_id
        return normal(submitted_by) in names

    return test


def check_reviewer(session: Session, reviewer: Actor, submitted_by: str,
                   submitter_contact: int | None = None, *, given: str | None = None) -> None:
    """Refuse (EvidenceError, one line) a reviewer who may not review this submission.
    ``reviewer`` is already resolved against the directory (its contact, if any)."""
    if own_test(session, reviewer, given)(submitted_by, submitter_contact):
        who = given or reviewer.name
        raise EvidenceError(f"self-review refused: {who!r} submitted this evidence"
                            + (f" (as {submitted_by!r})" if not same_person(who, submitted_by)
                               else "")
                            + "; another person must review it (--as NAME)")
    if reviewer.contact_id is not None and not review_roles(reviewer.roles) & (
            REVIEWER_ROLES | {"m&e"}):
        raise EvidenceError(f"{given or reviewer.name!r} may not review evidence: only "
                            "contacts with a reviewer or secretariat role, or a role on the "
                            "Monitoring and Evaluation Committee, may")
