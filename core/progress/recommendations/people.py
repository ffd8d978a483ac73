"""Who acts on recommendations, resolved against the contact directory as evidence's
submitters and reviewers are (naptip.store.actors): the secretariat imports sets, links
and assigns items and reviews updates; an item's lead or supporting committee's contacts
(or the secretariat) submit its updates. Without a contact directory a name is taken as
given, as ``evidence submit`` takes it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from naptip.base.values import EvidenceError
from naptip.store.actors import Actor, resolve
from naptip.store.personal_data import refusal, scan

__all__ = ["SECRETARIAT_ROLE", "acting", "committees_of", "is_secretariat", "may_update",
           "secretariat"]

#: the contact role of the secretariat (NSO MAPO): "secretariat:nso-mapo"
SECRETARIAT_ROLE = "secretariat"


def acting(session: Session, given: str, *, login: bool = False) -> Actor:
    """The person ``given`` names (the personal-data guard first, so that a refusal
    never echoes an identity number)."""
    findings = scan(given, "the name given with --as")
    if findings:
        raise EvidenceError(refusal(findings, "name refused"))
    return resolve(session, given, login=login)


def _roles(actor: Actor) -> list[tuple[str, str]]:
    return [(role.casefold(), scope.casefold()) for text in actor.roles
            for role, _, scope in [text.partition(":")]]


def is_secretariat(actor: Actor) -> bool:
    """Without a directory anyone may act as the secretariat (as anyone may review
    evidence); with one, a contact with a secretariat role."""
    return actor.contact_id is None or any(role == SECRETARIAT_ROLE
                                           for role, _ in _roles(actor))


def committees_of(actor: Actor) -> set[str]:
    """The committees the contact has a role on ("lead:enforcement" is enforcement)."""
    return {scope for _, scope in _roles(actor) if scope}


def secretariat(actor: Actor, given: str, doing: str) -> None:
    """Refuse (one line) anyone but the secretariat."""
    if not is_secretariat(actor):
        raise EvidenceError(f"{given!r} may not {doing}: only the secretariat may (a "
                            f"contact with a {SECRETARIAT_ROLE} role, `naptip contacts "
                            "list`)")


def may_update(actor: Actor, given: str, committees: Iterable[str | None], item: str) -> None:
    """Refuse (one line) anyone but a contact of the item's lead or supporting committees,
    or the secretariat."""
    owners = [c for c in committees if c]
    if is_secretariat(actor) or committees_of(actor) & {c.casefold() for c in owners}:
        return
    named = ", ".join(owners) or "none yet (the secretariat assigns them)"
    raise EvidenceError(f"{given!r} may not update {item}: only contacts of its lead or "
                        f"supporting committees ({named}) or the secretariat may")
