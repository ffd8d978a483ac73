"""The audit covers the recommendations follow-up's rows (issue 22).

Unlike evidence, these rows change after they are written: an item's owners, its status
(set by an accepted update), an update's review. So every audit entry of a
``recommendation.*`` action records, under ``rows``, the digest of each row it wrote as
that write left it, keyed ``"TABLE:ID"`` (``null``: the write deleted the row, as
``--unlink`` does). The latest entry that names a row says what the row must be now:
:func:`recommendation_problems` checks every set, item, link and update against it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.store.audit_digest import RowProblem, check_blob, digest
from naptip.store.orm import (
    AuditEntry,
    Recommendation,
    RecommendationLink,
    RecommendationSet,
    RecommendationUpdate,
)

#: every audit action of the follow-up starts so
PREFIX = "recommendation."
Row = RecommendationSet | Recommendation | RecommendationLink | RecommendationUpdate


def set_digest(s: RecommendationSet) -> str:
    return digest(["set", s.id, s.source, s.issued_on, s.url, s.note, s.imported_from,
                    s.created_by, s.created_at])


def item_digest(r: Recommendation) -> str:
    return digest(["item", r.id, r.set_id, r.item, r.text, r.theme, r.lead,
                    list(r.support or []), r.status, r.updated_at])


def link_digest(k: RecommendationLink) -> str:
    return digest(["link", k.id, k.recommendation_id, k.plan_id, k.activity_id,
                    k.linked_by, k.linked_at])


def update_digest(u: RecommendationUpdate) -> str:
    return digest(["update", u.id, u.recommendation_id, u.status, u.narrative,
                    list(u.links or []), list(u.attachments or []), u.review,
                    u.submitted_by, u.submitter_contact, u.submitted_at, u.reviewed_by,
                    u.reviewer_contact, u.reviewed_at, u.review_reason])


def row_key(row: Row) -> str:
    """The key of ``row`` in an entry's ``rows``: "recommendation:12"."""
    return f"{row.__tablename__}:{row.id}"


def row_digest(row: Row) -> str:
    if isinstance(row, RecommendationSet):
        return set_digest(row)
    if isinstance(row, Recommendation):
        return item_digest(row)
    if isinstance(row, RecommendationLink):
        return link_digest(row)
    return update_digest(row)


def rows_payload(*rows: Row, deleted: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{"TABLE:ID": digest}`` of rows as just written (flushed: they have ids), with
    ``deleted`` keys as null."""
    out: dict[str, Any] = {row_key(r): row_digest(r) for r in rows}
    out.update({key: None for key in deleted})
    return out


def _recorded(session: Session) -> dict[str, tuple[int, str | None]]:
    latest: dict[str, tuple[int, str | None]] = {}
    rows = session.execute(select(AuditEntry.seq, AuditEntry.payload)
                           .where(AuditEntry.action.startswith(PREFIX))
                           .order_by(AuditEntry.seq).execution_options(yield_per=2000))
    for seq, payload in rows:
        doc = json.loads(payload)
        for key, recorded in (doc.get("rows") or {}).items():
            latest[key] = (seq, recorded)
    return latest


_LABELS = {"recommendation_set": "recommendation set", "recommendation": "recommendation",
           "recommendation_link": "recommendation link",
           "recommendation_update": "recommendation update"}


def recommendation_problems(session: Session, blobs: Path | None = None,
                            ) -> Iterator[RowProblem]:
    """Each set, item, link and update row that does not match the latest audit entry
    naming it, that no entry names, or that an entry recorded and is gone; with
    ``blobs``, each update's document whose bytes no longer hash to its SHA-256."""
    want = _recorded(session)
    seen: set[str] = set()
    rows: list[Row] = [*session.execute(select(RecommendationSet).order_by(
        RecommendationSet.id)).scalars()]
    rows += session.execute(select(Recommendation).order_by(Recommendation.id)).scalars()
    rows += session.execute(select(RecommendationLink).order_by(
        RecommendationLink.id)).scalars()
    rows += session.execute(select(RecommendationUpdate).order_by(
        RecommendationUpdate.id)).scalars()
    for row in rows:
        key = row_key(row)
        seen.add(key)
        label = _label(row)
        recorded = want.get(key)
        if recorded is None:
            yield RowProblem(label, "has no audit entry (added outside naptip, or its "
                             "entry was removed)")
        elif recorded[1] is None:
            yield RowProblem(label, f"was deleted by audit entry {recorded[0]} but is "
                             "there (put back outside naptip)")
        elif recorded[1] != row_digest(row):
            yield RowProblem(label, f"does not match what audit entry {recorded[0]} "
                             "recorded (changed after it was written)")
        if blobs is not None and isinstance(row, RecommendationUpdate):
            yield from _documents(label, blobs, row)
    for key in sorted(set(want) - seen):
        seq, recorded_digest = want[key]
        if recorded_digest is not None:
            table, _, ident = key.partition(":")
            yield RowProblem(f"{_LABELS.get(table, table)} #{ident}",
                             f"recorded by audit entry {seq} is missing (deleted)")


def _documents(label: str, root: Path, row: RecommendationUpdate) -> Iterator[RowProblem]:
    for doc in row.attachments or []:
        sha = str(doc.get("sha256", "")) if isinstance(doc, dict) else ""
        if len(sha) != 64:
            continue  # the digest check names a damaged list
        yield from check_blob(f"{label} ({doc.get('name')})", root, _Blob(sha))


@dataclass(frozen=True)
class _Blob:
    sha256: str


def _label(row: Row) -> str:
    if isinstance(row, RecommendationSet):
        return f"recommendation set {row.id}"
    if isinstance(row, Recommendation):
        return f"recommendation #{row.id} ({row.set_id} {row.item})"
    if isinstance(row, RecommendationLink):
        return f"recommendation link #{row.id} ({row.plan_id}:{row.activity_id})"
    return f"recommendation update #{row.id}"
