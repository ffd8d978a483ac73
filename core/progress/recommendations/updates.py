"""An item's progress: status updates by its owners, reviewed by the secretariat.

An update says the item's status (not-started, in-progress, implemented, not-accepted)
with a short narrative and its evidence (links, documents), checked as evidence is
(victims' personal data in the narrative, the links and the documents' text refused).
One update awaits review at a time. The secretariat accepts it (the item takes its
status) or returns it with a reason; nobody reviews their own update. Each write is
audited (``recommendation.updated``, ``recommendation.accepted``,
``recommendation.returned``) with the digests of the rows it wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.text import control_character, echo_cut
from naptip.base.values import EvidenceError
from naptip.progress.recommendations.items import find_item
from naptip.progress.recommendations.people import acting, is_secretariat, may_update
from naptip.progress.recommendations.refs import MAX_TEXT, STATUSES
from naptip.store import audit
from naptip.store.audit_recommendations import rows_payload
from naptip.store.blobs import BlobStore, StoredBlob, sniff
from naptip.store.db import Database
from naptip.store.doc_text import TextBudget, extract_texts
from naptip.store.orm import RecommendationUpdate
from naptip.store.personal_data import Finding, refusal, scan
from naptip.store.reviewers import own_test, same_person
from naptip.time.clock import shown_time

__all__ = ["UpdateDraft", "referenced_blobs", "review_update", "submit_update"]

_LINK = re.compile(r"^https?://[^\s]+$")
MAX_LINKS = 20
MAX_FILES = 20


@dataclass(frozen=True, kw_only=True)
class UpdateDraft:
    set_id: str
    item: str
    status: str
    narrative: str
    actor: str
    links: Sequence[str] = ()
    files: Sequence[str] = ()


def _check(draft: UpdateDraft, blobs: BlobStore) -> tuple[str, list[str], list[Path]]:
    status = draft.status.strip().lower()
    if status not in STATUSES:
        raise EvidenceError(f"status {echo_cut(draft.status)!r}: use one of "
                            f"{', '.join(STATUSES)}")
    narrative = draft.narrative.strip()
    if not narrative:
        raise EvidenceError("an update needs its narrative (--narrative TEXT): what was done")
    if len(narrative) > MAX_TEXT:
        raise EvidenceError(f"the narrative is longer than {MAX_TEXT:,} characters: keep it "
                            "short (attach a document for more, with no personal data)")
    control = control_character(narrative)
    if control:
        raise EvidenceError(f"the narrative holds the control character {control} "
                            "(invisible; pasted from another program?): remove it")
    links = list(dict.fromkeys(link.strip() for link in draft.links if link.strip()))
    if len(links) > MAX_LINKS or len(draft.files) > MAX_FILES:
        raise EvidenceError(f"at most {MAX_LINKS} links and {MAX_FILES} files an update")
    findings: list[Finding] = scan(narrative, "the narrative")
    for n, link in enumerate(links, 1):
        findings += scan(link, f"link {n}")
    paths = [blobs.check_path(p) for p in draft.files]
    budget = TextBudget()
    for path in paths:
        findings += scan(path.name, "a file name")
        with path.open("rb") as handle:
            media = sniff(handle.read(8192), path.name)
        budget.start(path.name)
        findings += [f for part in extract_texts(path, media, path.name, budget)
                     for f in scan(part.text, part.where, tick=budget.tick)]
    if findings:
        raise EvidenceError(refusal(findings, "update refused"))
    bad = [link for link in links
           if not _LINK.match(link) or len(link) > 2000 or control_character(link)]
    if bad:
        raise EvidenceError(f"link {echo_cut(bad[0])!r} is not an http(s) address")
    return status, links, paths


def submit_update(db: Database, draft: UpdateDraft, *, login: bool = False,
                  max_file_mb: int = 25, now: datetime | None = None) -> RecommendationUpdate:
    """Store an update awaiting review, by a contact of the item's lead or supporting
    committees or the secretariat. Everything is checked before anything is written."""
    blobs = BlobStore(db.blobs, max_bytes=max_file_mb * 1024 * 1024)
    findings = scan(draft.actor, "the name given with --as")
    if findings:
        raise EvidenceError(refusal(findings, "name refused"))
    with db.reading() as session:  # refuse early: before reading the documents
        person = acting(session, draft.actor, login=login)
        rec = find_item(session, draft.set_id, draft.item)
        may_update(person, draft.actor, [rec.lead, *(rec.support or [])],
                   f"{rec.set_id} {rec.item}")
    status, links, paths = _check(draft, blobs)
    when = now or datetime.now(UTC)

    def work(session: Session, stored: list[StoredBlob]) -> RecommendationUpdate:
        person = acting(session, draft.actor, login=login)
        rec = find_item(session, draft.set_id, draft.item, lock=True)
        may_update(person, draft.actor, [rec.lead, *(rec.support or [])],
                   f"{rec.set_id} {rec.item}")
        pending = _pending(session, rec.id)
        if pending is not None:
            raise EvidenceError(f"{rec.set_id} {rec.item} has update #{pending.id} awaiting "
                                "review; it must be reviewed before a new one is submitted")
        update = RecommendationUpdate(
            recommendation_id=rec.id, status=status, narrative=draft.narrative.strip(),
            links=links, attachments=[{"sha256": b.sha256, "name": b.original_name,
                                       "size": b.size, "media_type": b.media_type}
                                      for b in stored],
            review="submitted", submitted_by=person.name, submitter_contact=person.contact_id,
            submitted_at=when)
        session.add(update)
        session.flush()
        audit.append(session, actor=person.name, action="recommendation.updated",
                     subject=f"{rec.set_id}/{rec.item}", at=when,
                     payload={"update": update.id, "status": status, "links": len(links),
                              "attachments": [[b.sha256, b.size, b.media_type]
                                              for b in stored],
                              "rows": rows_payload(update)})
        return update

    # a sweep waits until the rows referring to the new blobs are committed
    with blobs.writing() if paths else nullcontext():
        stored = [blobs.put(p, p.name) for p in paths]
        return db.write(lambda session: work(session, stored))


def _pending(session: Session, recommendation_id: int) -> RecommendationUpdate | None:
    return session.execute(select(RecommendationUpdate).where(
        RecommendationUpdate.recommendation_id == recommendation_id,
        RecommendationUpdate.review == "submitted")).scalars().first()


def review_update(db: Database, set_id: str, item: str, *, accept: bool,
                  reason: str | None, actor: str, login: bool = False,
                  now: datetime | None = None) -> RecommendationUpdate:
    """Accept (the item takes the update's status) or return, with a reason, the item's
    update awaiting review, as the secretariat; self-review refused."""
    reason = " ".join(reason.split()) if reason else None
    if not accept and not reason:
        raise EvidenceError("returning an update needs a reason (--return REASON)")
    if reason and len(reason) > MAX_TEXT:
        raise EvidenceError(f"the reason is longer than {MAX_TEXT:,} characters")
    findings = (scan(reason, "the reason") if reason else []) + scan(
        actor, "the name given with --as")
    if findings:
        raise EvidenceError(refusal(findings, "review refused"))
    when = now or datetime.now(UTC)

    def work(session: Session) -> RecommendationUpdate:
        rec = find_item(session, set_id, item, lock=True)
        label = f"{rec.set_id} {rec.item}"
        update = _pending(session, rec.id)
        if update is None:
            last = rec.updates[-1] if rec.updates else None
            said = (f"; its last, #{last.id}, was {last.review} by {last.reviewed_by} on "
                    f"{shown_time(last.reviewed_at)}" if last and last.reviewed_at else "")
            raise EvidenceError(f"{label} has no update awaiting review{said}")
        reviewer = acting(session, actor, login=login)
        if own_test(session, reviewer, actor)(update.submitted_by, update.submitter_contact):
            raise EvidenceError(f"self-review refused: {actor!r} submitted update #{update.id}"
                                + (f" (as {update.submitted_by!r})"
                                   if not same_person(actor, update.submitted_by) else "")
                                + "; another person of the secretariat must review it "
                                "(--as NAME)")
        if not is_secretariat(reviewer):
            raise EvidenceError(f"{actor!r} may not review updates: only the secretariat may "
                                "(a contact with a secretariat role)")
        decision = "accepted" if accept else "returned"
        update.review, update.reviewed_by, update.reviewer_contact = (
            decision, reviewer.name, reviewer.contact_id)
        update.reviewed_at, update.review_reason = when, reason
        written: list[object] = [update]
        previous = rec.status
        if accept:
            rec.status, rec.updated_at = update.status, when
            written.append(rec)
        session.flush()
        audit.append(session, actor=reviewer.name, action=f"recommendation.{decision}",
                     subject=f"{rec.set_id}/{rec.item}", at=when,
                     payload={"update": update.id, "reason": reason,
                              "status": rec.status, "previous": previous,
                              "rows": rows_payload(*written)})  # type: ignore[arg-type]
        return update

    return db.write(work)


def referenced_blobs(session: Session) -> set[str]:
    """The blobs updates' documents are (``naptip db sweep`` keeps them)."""
    return {str(a["sha256"]) for (attachments,) in session.execute(
        select(RecommendationUpdate.attachments)) for a in attachments or []
        if isinstance(a, dict) and "sha256" in a}
