"""The audit chain detects tampering; real processes and crashes lose nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select, text

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.audit import verify
from naptip.store.blobs import BlobStore
from naptip.store.db import Database
from naptip.store.orm import Attachment, AuditEntry, Evidence, OccurrenceRow
from tests.conftest import ROOT, db_env

TODAY = __import__("datetime").date(2024, 3, 1)
PROGRESS_2023 = ["S1-O1-i@2023", "S1-O1-ii@2023", "S1-O1-iv@2023", "S2-O1-i@2023",
                 "S2-O2-i@2023", "S3-O1-i@2023", "S4-O1-i@2023", "S4-O1-ii@2023",
                 "S6-O1-i@2023", "S6-O1-ii@2023", "S6-O2-ii@2023", "S8-O2-ii@2023",
                 "S9-O1-vi@2023", "S9-O2-ii@2023", "S9-O2-iii@2023", "S9-O2-iv@2023"]


def _service(db: Database, catalog: Catalog) -> EvidenceService:
    return EvidenceService(db, catalog)


def _seed(db: Database, catalog: Catalog, occurrences: list[str]) -> list[int]:
    service = _service(db, catalog)
    return [service.submit(Submission(occurrence_id=o, actor="seed", values={"1": "2"}),
                           today=TODAY) for o in occurrences]


def test_audit_verify_and_tampering(synced: Database, builtin_catalog: Catalog,
                                    run: Callable[..., Result]) -> None:
    ids = _seed(synced, builtin_catalog, PROGRESS_2023[:3])
    _service(synced, builtin_catalog).review(ids[0], accept=True, reason=None, actor="nso")
    ok = run("audit", "verify", env=db_env(synced))
    assert ok.exit_code == 0
    assert ok.stdout.strip() == ("ok: 5 audit entries, chain intact; evidence, reviews, "
                                 "attachments, report snapshots, narratives and "
                                 "recommendations match")
    # Someone edits entry 3 directly in SQL: the chain breaks exactly there.
    with synced.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET payload = :p WHERE seq = 3"),
                     {"p": '{"evidence":2,"values":{"1":"200"}}'})
    with synced.reading() as session:
        result = verify(session)
    assert (result.ok, result.broken_at) == (False, 3)
    bad = run("audit", "verify", env=db_env(synced))
    assert bad.exit_code == 1
    assert bad.stderr.strip() == ("Error: audit chain broken at entry 3: its content does not "
                                  "match its hash (changed after it was written)")


def test_audit_detects_removed_entries(synced: Database, builtin_catalog: Catalog) -> None:
    _seed(synced, builtin_catalog, PROGRESS_2023[:3])
    with synced.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    with synced.reading() as session:
        assert verify(session).broken_at == 4
    with synced.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2 OR seq = 3"))
    with synced.reading() as session:
        result = verify(session)
        assert (result.broken_at, result.reason) == (2, "the chain ends before its recorded "
                                                        "head (entries were removed from the end)")


def _workers(db: Database, jobs: list[tuple[str, list[str]]]) -> list[dict[str, object]]:
    procs = [subprocess.Popen([sys.executable, "-m", "tests.workers", action, db.url,
                               str(db.blobs), *items], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for action, items in jobs]
    results: list[dict[str, object]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results += [json.loads(line) for line in out.splitlines()]
    return results


@pytest.mark.slow
def test_concurrent_processes_lose_nothing(synced: Database, builtin_catalog: Catalog) -> None:
    seeded = _seed(synced, builtin_catalog, PROGRESS_2023[:6])
    fresh = PROGRESS_2023[6:]
    results = _workers(synced, [
        ("submit", fresh[0::2]), ("submit", fresh[1::2]),
        ("review", [str(i) for i in seeded[:3]]), ("review", [str(i) for i in seeded[3:]]),
        # contention: the same occurrence submitted twice, the same evidence reviewed twice
        ("submit", ["S10-O1-ii@2023"]), ("submit", ["S10-O1-ii@2023"]),
        ("review", [str(seeded[0])]),
    ])
    by_item: dict[str, list[dict[str, object]]] = {}
    for r in results:
        by_item.setdefault(str(r["item"]), []).append(r)
    assert all(r["ok"] for item in fresh for r in by_item[item])
    twice = by_item["S10-O1-ii@2023"]
    assert sorted(bool(r["ok"]) for r in twice) == [False, True]
    assert "awaiting review" in str(next(r for r in twice if not r["ok"])["detail"])
    double = by_item[str(seeded[0])]
    assert sorted(bool(r["ok"]) for r in double) == [False, True]
    with synced.reading() as session:
        statuses = dict(session.execute(select(Evidence.occurrence_id, Evidence.status)).all())
        assert len(statuses) == 6 + len(fresh) + 1
        assert all(statuses[o] == "accepted" for o in PROGRESS_2023[:6])
        assert all(statuses[o] == "submitted" for o in fresh)
        accepted_rows = session.execute(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.progress == "accepted")).scalar_one()
        assert accepted_rows == 6
        entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        assert entries == 1 + 6 + len(fresh) + 1 + 6  # materialise, seeds, submits, reviews
        assert verify(session).ok


def test_crash_between_blob_and_row_leaves_no_dangling_reference(
        synced: Database, tmp_path: Path) -> None:
    doc = tmp_path / "toolkit.pdf"
    doc.write_bytes(b"%PDF-1.7 toolkit")
    proc = subprocess.run([sys.executable, "-m", "tests.workers", "crash", synced.url,
                           str(synced.blobs), "S11-O1-ii@deliverable", str(doc)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 9, proc.stderr
    with synced.reading() as session:
        assert session.execute(select(func.count()).select_from(Attachment)).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(Evidence)).scalar_one() == 0
        row = session.get(OccurrenceRow, "S11-O1-ii@deliverable")
        assert row is not None and row.progress == "open"
        referenced = set(session.execute(select(Attachment.sha256)).scalars())
    store = BlobStore(synced.blobs)
    orphans = [p for p in synced.blobs.rglob("*") if p.is_file()]
    assert len(orphans) == 1  # the blob was written first
    assert store.sweep(referenced, grace_seconds=3600) == []  # too young: may be in flight
    time.sleep(0.05)
    assert len(store.sweep(referenced, grace_seconds=0)) == 1
    assert [p for p in synced.blobs.rglob("*") if p.is_file()] == []


def test_sweep_keeps_referenced_blobs(synced: Database, builtin_catalog: Catalog,
                                      tmp_path: Path, run: Callable[..., Result]) -> None:
    doc = tmp_path / "toolkit.pdf"
    doc.write_bytes(b"%PDF-1.7 toolkit")
    _service(synced, builtin_catalog).submit(Submission(
        occurrence_id="S11-O1-ii@deliverable", actor="a", files=[str(doc)]), today=TODAY)
    result = run("db", "sweep", "--grace-minutes", "0", env=db_env(synced))
    assert result.exit_code == 0 and "removed 0 unreferenced blob(s)" in result.stdout
    assert len([p for p in synced.blobs.rglob("*") if p.is_file()]) == 1
