"""The audit covers the evidence, not only itself.

Each write of an evidence, attachment or review row records, in its audit entry, a hash
of the row's content (:func:`evidence_digest` and friends). :func:`verify_rows` then
checks, against the audit log, that

- every evidence, attachment and review row matches what its entry recorded;
- nothing exists without its entry (a row added, or the log emptied or cut short);
- nothing an entry recorded is missing (a row deleted);
- evidence is accepted or returned only with the review that did it;
- every attachment's bytes still hash to its SHA-256 (a blob overwritten or deleted);
- saved reports and report narratives match what their entries recorded;
- the recommendations follow-up's rows (sets, items, links, updates) match the latest
  entry naming each (naptip.store.audit_recommendations).

What it cannot prove is in docs/audit.md: someone with write access to the database who
rewrites every row *and* recomputes the whole chain is caught only by an external anchor
(``naptip audit anchor``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.store.audit_digest import RowProblem, check_blob, digest, plain
from naptip.store.audit_recommendations import recommendation_problems
from naptip.store.orm import (
    Attachment,
    AuditEntry,
    Evidence,
    ReportNarrative,
    ReportSnapshot,
    Review,
)

SUBMITTED = "evidence.submitted"
REVIEWED = ("evidence.accepted", "evidence.returned")
SNAPSHOT = "report.saved"
NARRATIVE = "report.narrative"


def evidence_digest(e: Evidence) -> str:
    """What was submitted: the row, its values and its breakdown (not the review state)."""
    values = sorted([v.indicator, v.kind, plain(v.count), plain(v.amount),
                     plain(v.percentage), v.flag, plain(v.on_date), v.text]
                    for v in e.values)
    breakdown = sorted([b.indicator, b.dimension, b.category, b.count] for b in e.breakdown)
    return digest([e.id, e.occurrence_id, e.nil, e.done_on, e.note, list(e.links or []),
                    e.submitted_by, e.submitted_at, values, breakdown,
                    *_contact(e.submitter_contact), *_imported(e)])


def attachment_digest(a: Attachment) -> str:
    return digest([a.id, a.evidence_id, a.sha256, a.size, a.media_type, a.original_name,
                    a.created_at])


def review_digest(r: Review) -> str:
    return digest([r.id, r.evidence_id, r.decision, r.reason, r.reviewer, r.reviewed_at,
                    *_contact(r.reviewer_contact)])


def _contact(contact_id: int | None) -> list[Any]:
    """The contact column in a digest: absent when NULL, so that rows written before the
    column existed (migration 0007) keep the digest their audit entry recorded; once set,
    changing or clearing it is caught."""
    return [] if contact_id is None else [["contact", contact_id]]


def _imported(e: Evidence) -> list[Any]:
    """Where imported evidence came from (``naptip evidence import``): absent for evidence
    submitted otherwise, so that older rows keep the digest their entry recorded."""
    if e.imported_from is None and e.imported_row is None and e.import_key is None:
        return []
    return [["imported", e.imported_from, e.imported_row, e.import_key]]


def snapshot_digest(r: ReportSnapshot) -> str:
    """A saved report: what was asked, its JSON and the bytes presented (by their hashes)."""
    figures = hashlib.sha256(r.figures.encode("utf-8")).hexdigest()
    content = hashlib.sha256(r.content).hexdigest()
    return digest([r.id, r.kind, list(r.years), r.committee, r.lang, r.format, r.as_of,
                    r.title, r.saved_at, r.saved_by, figures, content, r.sha256])


def narrative_digest(r: ReportNarrative) -> str:
    """A committee's narrative for a report, as entered."""
    return digest([r.id, r.committee, r.kind, r.year, r.gaps, r.challenges, r.adjustments,
                    r.actions, r.entered_at, r.entered_by])


@dataclass
class _Recorded:
    seq: int
    digest: str | None  #: None for entries written before row digests existed


def _recorded(session: Session) -> tuple[dict[int, _Recorded], dict[int, _Recorded],
                                         dict[int, _Recorded]]:
    evidence: dict[int, _Recorded] = {}
    attachments: dict[int, _Recorded] = {}
    reviews: dict[int, _Recorded] = {}
    rows = session.execute(select(AuditEntry.seq, AuditEntry.action, AuditEntry.payload)
                           .where(AuditEntry.action.in_((SUBMITTED, *REVIEWED)))
                           .order_by(AuditEntry.seq)
                           .execution_options(yield_per=2000))
    for seq, action, payload in rows:
        doc = json.loads(payload)
        if action == SUBMITTED:
            evidence[int(doc["evidence"])] = _Recorded(seq, doc.get("digest"))
            for key, digest in (doc.get("attachment_rows") or {}).items():
                attachments[int(key)] = _Recorded(seq, digest)
        elif "review" in doc:
            reviews[int(doc["review"])] = _Recorded(seq, doc.get("digest"))
    return evidence, attachments, reviews


def _recorded_snapshots(session: Session, action: str = SNAPSHOT,
                        key: str = "snapshot") -> dict[int, _Recorded]:
    out: dict[int, _Recorded] = {}
    for seq, payload in session.execute(select(AuditEntry.seq, AuditEntry.payload)
                                        .where(AuditEntry.action == action)
                                        .order_by(AuditEntry.seq)):
        doc = json.loads(payload)
        out[int(doc[key])] = _Recorded(seq, doc.get("digest"))
    return out


def verify_rows(session: Session, blobs: Path | None) -> list[RowProblem]:
    """Every problem found, in a stable order (empty: the rows match the log)."""
    return list(_problems(session, blobs))


def _problems(session: Session, blobs: Path | None) -> Iterator[RowProblem]:
    want_evidence, want_attachments, want_reviews = _recorded(session)
    seen: set[int] = set()
    for e in session.execute(select(Evidence).order_by(Evidence.id)).scalars():
        seen.add(e.id)
        yield from _check(f"evidence #{e.id}", want_evidence.get(e.id), evidence_digest(e))
        decisions = [r.decision for r in e.reviews]
        if e.status != "submitted" and (not decisions or decisions[-1] != e.status):
            yield RowProblem(f"evidence #{e.id}", f"is {e.status} without a review that "
                             "made it so")
        if e.status == "submitted" and decisions:
            yield RowProblem(f"evidence #{e.id}", "is awaiting review but has a review "
                             f"({decisions[-1]})")
    yield from _missing("evidence", want_evidence, seen)
    seen = set()
    for a in session.execute(select(Attachment).order_by(Attachment.id)).scalars():
        seen.add(a.id)
        label = f"attachment #{a.id} of evidence #{a.evidence_id} ({a.original_name})"
        yield from _check(label, want_attachments.get(a.id), attachment_digest(a))
        if blobs is not None:
            yield from check_blob(label, blobs, a)
    yield from _missing("attachment", want_attachments, seen)
    seen = set()
    for r in session.execute(select(Review).order_by(Review.id)).scalars():
        seen.add(r.id)
        yield from _check(f"review #{r.id} of evidence #{r.evidence_id}",
                          want_reviews.get(r.id), review_digest(r))
    yield from _missing("review", want_reviews, seen)
    want_snapshots = _recorded_snapshots(session)
    seen = set()
    for snap in session.execute(select(ReportSnapshot).order_by(ReportSnapshot.id)).scalars():
        seen.add(snap.id)
        label = f"report snapshot #{snap.id}"
        yield from _check(label, want_snapshots.get(snap.id), snapshot_digest(snap))
        if hashlib.sha256(snap.content).hexdigest() != snap.sha256:
            yield RowProblem(label, "its file no longer hashes to its SHA-256")
    yield from _missing("report snapshot", want_snapshots, seen)
    want_narratives = _recorded_snapshots(session, NARRATIVE, "narrative")
    seen = set()
    for n in session.execute(select(ReportNarrative).order_by(ReportNarrative.id)).scalars():
        seen.add(n.id)
        yield from _check(f"report narrative #{n.id} ({n.committee})",
                          want_narratives.get(n.id), narrative_digest(n))
    yield from _missing("report narrative", want_narratives, seen)
    yield from recommendation_problems(session, blobs)


def _check(label: str, recorded: _Recorded | None, actual: str) -> Iterator[RowProblem]:
    if recorded is None:
        yield RowProblem(label, "has no audit entry (added outside naptip, or its entry "
                         "was removed)")
    elif recorded.digest is not None and recorded.digest != actual:
        yield RowProblem(label, f"does not match what audit entry {recorded.seq} recorded "
                         "(changed after it was written)")


def _missing(kind: str, recorded: dict[int, _Recorded], seen: set[int]) -> Iterator[RowProblem]:
    for key in sorted(set(recorded) - seen):
        yield RowProblem(f"{kind} #{key}", f"recorded by audit entry {recorded[key].seq} is "
                         "missing (deleted)")
