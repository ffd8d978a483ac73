"""Store benchmarks, with baselines measured in the same run.

    .venv/bin/python -m bench.bench_store [--submissions N] [--activities N] [--evidence N]

1. Evidence submissions per second through naptip's service layer (validation, row locks,
   audit chain) versus raw SQLAlchemy Core inserts of the same rows, one transaction per
   submission in both, on SQLite and on PostgreSQL. Goal: ratio >= 0.5.
2. The status report on PostgreSQL with 20,000 activities x 5 years of occurrences and
   1,000,000 evidence rows. Goal: under 1 s, with the query plan using the index.

PostgreSQL is the server on 127.0.0.1:5432 (NAPTIP_TEST_PG_URL to change); the benchmark
creates its own databases and drops them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, text, update

from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.progress.evidence import EvidenceService, Submission
from naptip.progress.status import status, status_query
from naptip.store import audit
from naptip.store.db import Database, open_database
from naptip.store.orm import AuditEntry, AuditHead, Evidence, EvidenceValue, OccurrenceRow
from naptip.testing import temporary_postgres


def targets(catalog: Catalog, n: int) -> list[str]:
    """``n`` occurrences that take one count: progress reports, oldest first."""
    plan = build_schedule(catalog)
    found = [o.id for o in plan.occurrences if o.kind == "progress-report"
             and catalog.activities[o.activity or ""].indicators[0].kind == "count"
             and len(catalog.activities[o.activity or ""].indicators) == 1]
    if len(found) < n:
        raise SystemExit(f"only {len(found)} suitable occurrences; ask for fewer")
    return found[:n]


def service_run(db: Database, catalog: Catalog, ids: list[str]) -> float:
    service = EvidenceService(db, catalog)
    start = time.perf_counter()
    for oid in ids:
        service.submit(Submission(occurrence_id=oid, actor="bench", values={"1": "3"}),
                       today=date(2026, 1, 1))
    return time.perf_counter() - start


def core_run(db: Database, ids: list[str]) -> float:
    """The same rows with SQLAlchemy Core: evidence, value, occurrence update, audit entry
    (chained to the head, as the service does), one transaction each."""
    start = time.perf_counter()
    for oid in ids:
        with db.engine.execution_options(naptip_write=True).begin() as conn:
            now = datetime.now(UTC)
            eid = conn.execute(insert(Evidence).values(
                occurrence_id=oid, status="submitted", nil=False, links=[],
                submitted_by="bench", submitted_at=now).returning(Evidence.id)).scalar_one()
            conn.execute(insert(EvidenceValue).values(evidence_id=eid, indicator=1,
                                                      kind="count", count=3))
            conn.execute(update(OccurrenceRow).where(OccurrenceRow.id == oid)
                         .values(progress="submitted"))
            seq, prev = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")
                                     ).one()
            payload = audit.canonical({"evidence": eid, "values": {"1": "3"}})
            digest = audit.entry_hash(seq=seq + 1, at=now, actor="bench",
                                      action="evidence.submitted", subject=oid,
                                      payload=payload, prev_hash=prev)
            conn.execute(insert(AuditEntry).values(
                seq=seq + 1, at=now, actor="bench", action="evidence.submitted", subject=oid,
                payload=payload, prev_hash=prev, hash=digest))
            conn.execute(update(AuditHead).where(AuditHead.id == 1)
                         .values(seq=seq + 1, hash=digest))
    return time.perf_counter() - start


def reset(db: Database) -> None:
    with db.engine.begin() as conn:
        for table in ("evidence_value", "evidence"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("UPDATE occurrence SET progress = 'open'"))


def submissions(label: str, url: str, catalog: Catalog, n: int, rounds: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(url, blobs=Path(tmp) / "blobs")
        sync(db, catalog, build_schedule(catalog))
        ids = targets(catalog, n)
        ours, raw, ours_cpu, raw_cpu = [], [], [], []
        for _ in range(rounds):
            reset(db)
            cpu = time.process_time()
            ours.append(service_run(db, catalog, ids))
            ours_cpu.append(time.process_time() - cpu)
            reset(db)
            cpu = time.process_time()
            raw.append(core_run(db, ids))
            raw_cpu.append(time.process_time() - cpu)
        db.dispose()
    o, r = statistics.median(ours), statistics.median(raw)
    ratio = r / o
    cpu_ratio = statistics.median(raw_cpu) / statistics.median(ours_cpu)
    print(f"submissions on {label}: service {n / o:,.0f}/s, raw Core {n / r:,.0f}/s, "
          f"ratio {ratio:.2f} (goal >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}); "
          f"CPU time ratio {cpu_ratio:.2f}")
    return ratio


def load_big(db: Database, activities: int, evidence: int) -> None:
    """100,000 occurrences (activities x 5 years) and the evidence rows, generated in SQL."""
    n_occ = activities * 5
    with db.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO occurrence (id, plan_id, kind, title, owner, support, host, activity_id,
                duty_id, pillar, period, due, unshifted, start_at, end_at, region, progress,
                withdrawn, fingerprint, created_at, updated_at)
            SELECT 'B' || i, 'naptip-3.0', 'progress-report', 'Synthetic activity ' || (i / 5),
                (ARRAY['legislative','enforcement','victim-care','media','forced-labour',
                       'monitoring','nso-mapo'])[1 + i % 7], '[]', NULL, 'A' || (i / 5),
                NULL, 'P' || (1 + (i / 5) % 4), 2021 + i % 5,
                make_date(2022 + i % 5, 1, 31), make_date(2022 + i % 5, 1, 31), NULL, NULL,
                'putrajaya', CASE WHEN i % 3 = 0 THEN 'accepted' WHEN i % 3 = 1
                THEN 'returned' ELSE 'open' END, false, 'x', now(), now()
            FROM generate_series(0, :n - 1) AS i"""), {"n": n_occ})
        conn.execute(text("""
            INSERT INTO evidence (occurrence_id, status, nil, done_on, note, links, submitted_by,
                submitted_at, reviewed_by, reviewed_at)
            SELECT 'B' || (i % :n), CASE WHEN i < :n AND i % 3 = 0 THEN 'accepted'
                ELSE 'returned' END, false, NULL, 'synthetic', '[]', 'bench', now(),
                'nso', now()
            FROM generate_series(0, :e - 1) AS i"""), {"n": n_occ, "e": evidence})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE occurrence"))
        conn.execute(text("VACUUM ANALYZE evidence"))


def big_status(activities: int, evidence: int) -> float:
    with temporary_postgres("naptip_bench") as url, tempfile.TemporaryDirectory() as tmp:
        db = open_database(url, blobs=Path(tmp))
        start = time.perf_counter()
        load_big(db, activities, evidence)
        print(f"loaded {activities * 5:,} occurrences and {evidence:,} evidence rows in "
              f"{time.perf_counter() - start:.1f} s")
        as_of = date(2024, 3, 1)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            with db.reading() as session:
                report = status(session, "naptip-3.0", as_of)
            times.append(time.perf_counter() - start)
        assert report.total.total == activities * 5
        with db.reading() as session:
            year_start = time.perf_counter()
            status(session, "naptip-3.0", as_of, year=2023, committee="media")
            year_s = time.perf_counter() - year_start
            query = status_query("naptip-3.0", as_of)
            compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = [row[0] for row in session.execute(text(f"EXPLAIN ANALYZE {compiled}"))]
        db.dispose()
    best = statistics.median(times)
    uses_index = any("Index Only Scan" in line or "Index Scan" in line for line in plan)
    print(f"status on PostgreSQL: median {best * 1000:.0f} ms (with --year and --committee "
          f"{year_s * 1000:.0f} ms); goal < 1 s: {'met' if best < 1 else 'NOT met'}; "
          f"query plan uses an index: {'yes' if uses_index else 'NO'}")
    for line in plan:
        if "Scan" in line or "Execution Time" in line:
            print(f"    {line.strip()}")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--evidence", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    catalog = build_catalog(build_plugin_manager(environ={}))
    with tempfile.TemporaryDirectory() as tmp:
        submissions("SQLite", f"sqlite:///{tmp}/bench.db", catalog, args.submissions,
                    args.rounds)
    with temporary_postgres("naptip_bench") as url:
        submissions("PostgreSQL", url, catalog, args.submissions, args.rounds)
    big_status(args.activities, args.evidence)
    return 0


if __name__ == "__main__":
    sys.exit(main())
