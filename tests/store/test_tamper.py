"""Tamper suite (issue 8, §2): every manipulation is caught by `audit verify`, naming the
row or file, on SQLite and PostgreSQL; a full rewrite is caught with the anchor."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store import audit
from naptip.store.db import Database
from tests.conftest import db_env

Run = Callable[..., Result]
TODAY = date(2024, 3, 1)


@pytest.fixture
def store(synced: Database, builtin_catalog: Catalog, tmp_path: Path) -> Iterator[Database]:
    """Three submissions (one with a file), one accepted by a reviewer."""
    service = EvidenceService(synced, builtin_catalog)
    doc = tmp_path / "minutes.txt"
    doc.write_text("Minutes of the meeting\n")
    service.submit(Submission(occurrence_id="S1-O1-i@2023", actor="agc", values={"1": "2"}),
                   today=TODAY)
    service.submit(Submission(occurrence_id="S11-O1-ii@deliverable", actor="nso-officer",
                              files=[str(doc)]), today=TODAY)
    service.submit(Submission(occurrence_id="S1-O1-ii@2023", actor="agc", values={"1": "5"}),
                   today=TODAY)
    service.review(1, accept=True, reason=None, actor="reviewer")
    yield synced


def _sql(db: Database, statement: str, **params: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def _verify(run: Run, db: Database, *extra: str) -> Result:
    return run("audit", "verify", *extra, env=db_env(db))


def _anchor(run: Run, db: Database) -> str:
    result = run("audit", "anchor", env=db_env(db))
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def test_untouched_store_verifies(run: Run, store: Database) -> None:
    anchor = _anchor(run, store)
    assert anchor.startswith("5:") and len(anchor) == 2 + 64
    ok = _verify(run, store, "--anchor", anchor)
    assert ok.exit_code == 0, ok.output
    assert "extends anchor 5" in ok.stdout


def test_changed_evidence_value(run: Run, store: Database) -> None:
    _sql(store, "UPDATE evidence_value SET count = 200 WHERE evidence_id = 3")
    bad = _verify(run, store)
    assert bad.exit_code == 1
    assert "tampered: evidence #3: does not match what audit entry 4 recorded" in bad.stderr


def test_changed_evidence_note_and_submitter(run: Run, store: Database) -> None:
    _sql(store, "UPDATE evidence SET submitted_by = 'someone else' WHERE id = 1")
    assert "evidence #1: does not match" in _verify(run, store).stderr


def test_deleted_evidence_row(run: Run, store: Database) -> None:
    _sql(store, "DELETE FROM evidence_value WHERE evidence_id = 3")
    _sql(store, "DELETE FROM evidence WHERE id = 3")
    bad = _verify(run, store)
    assert bad.exit_code == 1
    assert "evidence #3: recorded by audit entry 4 is missing (deleted)" in bad.stderr


def test_accepted_without_a_review(run: Run, store: Database) -> None:
    _sql(store, "UPDATE evidence SET status = 'accepted', reviewed_by = 'x' WHERE id = 3")
    bad = _verify(run, store)
    assert "evidence #3: is accepted without a review that made it so" in bad.stderr


def test_review_row_changed_or_deleted(run: Run, store: Database) -> None:
    _sql(store, "UPDATE review SET reviewer = 'agc' WHERE id = 1")
    assert "review #1 of evidence #1: does not match" in _verify(run, store).stderr
    _sql(store, "DELETE FROM review WHERE id = 1")
    bad = _verify(run, store).stderr
    assert "review #1: recorded by audit entry 5 is missing" in bad
    assert "evidence #1: is accepted without a review" in bad


def test_blob_overwritten_or_deleted(run: Run, store: Database) -> None:
    blobs = [p for p in store.blobs.rglob("*") if p.is_file() and p.parent.name != "tmp"]
    assert len(blobs) == 1
    blobs[0].write_text("Minutes, edited later\n")
    bad = _verify(run, store)
    assert bad.exit_code == 1
    assert "attachment #1 of evidence #2 (minutes.txt): its file" in bad.stderr
    assert "no longer hashes to its SHA-256" in bad.stderr
    blobs[0].unlink()
    assert "(minutes.txt): its file" in _verify(run, store).stderr
    assert "is missing" in _verify(run, store).stderr


def test_attachment_row_changed(run: Run, store: Database) -> None:
    _sql(store, "UPDATE attachment SET original_name = 'other.txt' WHERE id = 1")
    assert "attachment #1 of evidence #2 (other.txt): does not match" in \
        _verify(run, store).stderr


def test_last_entry_deleted_and_head_adjusted(run: Run, store: Database) -> None:
    anchor = _anchor(run, store)
    with store.reading() as session:
        previous = session.execute(text("SELECT hash FROM audit_log WHERE seq = 4")).scalar()
    _sql(store, "DELETE FROM audit_log WHERE seq = 5")
    _sql(store, "UPDATE audit_head SET seq = 4, hash = :h", h=previous)
    bad = _verify(run, store)
    assert bad.exit_code == 1
    assert "review #1 of evidence #1: has no audit entry" in bad.stderr
    anchored = _verify(run, store, "--anchor", anchor)
    assert "entry 5 of the anchor is missing" in anchored.stderr


def test_log_emptied_and_head_reset(run: Run, store: Database) -> None:
    anchor = _anchor(run, store)
    _sql(store, "DELETE FROM audit_log")
    _sql(store, "UPDATE audit_head SET seq = 0, hash = :h", h=audit.GENESIS)
    bad = _verify(run, store)
    assert bad.exit_code == 1
    for label in ("evidence #1", "evidence #2", "evidence #3", "review #1 of evidence #1",
                  "attachment #1 of evidence #2 (minutes.txt)"):
        assert f"tampered: {label}: has no audit entry" in bad.stderr
    assert "entry 5 of the anchor is missing" in _verify(run, store, "--anchor",
                                                         anchor).stderr


def test_full_rewrite_with_recomputed_hashes_fails_the_anchor(run: Run, store: Database,
                                                               ) -> None:
    """An attacker changes a value, fixes the row digest in the payload and recomputes
    every hash and the head: only the anchor kept outside can tell."""
    from naptip.store.audit_rows import evidence_digest
    from naptip.store.orm import AuditEntry, AuditHead, Evidence

    anchor = _anchor(run, store)
    _sql(store, "UPDATE evidence_value SET count = 200 WHERE evidence_id = 3")

    def rewrite(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        evidence = session.get(Evidence, 3)
        assert evidence is not None
        prev = audit.GENESIS
        for entry in session.query(AuditEntry).order_by(AuditEntry.seq):
            doc = json.loads(entry.payload)
            if entry.action == "evidence.submitted" and doc["evidence"] == 3:
                doc["digest"] = evidence_digest(evidence)
                entry.payload = audit.canonical(doc)
            entry.prev_hash = prev
            entry.hash = audit.entry_hash(seq=entry.seq, at=entry.at, actor=entry.actor,
                                          action=entry.action, subject=entry.subject,
                                          payload=entry.payload, prev_hash=prev)
            prev = entry.hash
        head = session.get(AuditHead, 1)
        assert head is not None
        head.hash = prev

    _rewrite_all(store, rewrite)
    plain = _verify(run, store)
    assert plain.exit_code == 0, plain.output  # the chain alone cannot tell
    bad = _verify(run, store, "--anchor", anchor)
    assert bad.exit_code == 1
    assert "entry 5 has another hash than the anchor" in bad.stderr


def _rewrite_all(db: Database, work: Callable[[object], None]) -> None:
    """Rewrite hashes one entry at a time: unique constraints would clash mid-update."""
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET prev_hash = 'tmp' || seq, hash = 'tmph' || seq"))
    db.write(lambda session: work(session))


def test_bad_anchor_is_one_line(run: Run, store: Database) -> None:
    bad = _verify(run, store, "--anchor", "five:abc")
    assert bad.exit_code == 2 and "an anchor is SEQ:HASH" in bad.stderr


def test_anchor_written_to_a_file(run: Run, store: Database, tmp_path: Path) -> None:
    out = tmp_path / "anchors.txt"
    first = run("audit", "anchor", "-o", str(out), env=db_env(store)).stdout.strip()
    assert out.read_text() == first + "\n"
