"""Report benchmark, with its baseline measured in the same run.

    .venv/bin/python -m bench.bench_report [--occurrences N] [--evidence N] [--year Y]

The annual report (read the store, compute the progress model, draw the charts, lay out
JSON and HTML) on PostgreSQL with 100,000 occurrences of the real plan's activities and
1,000,000 evidence rows, against ONE SQL aggregate query computing the headline figures of
the same year (activity-years done, evidence by status, the sum of the counted values) in
the same run. The figure is the ratio report time / query time: what the traceable,
per-evidence model costs over the bare numbers.

PostgreSQL is the server on 127.0.0.1:5432 (NAPTIP_TEST_PG_URL to change); the benchmark
creates its own database and drops it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.reports import make_report, resolve_scope
from naptip.reports.html import render_html
from naptip.reports.tabular import render_json
from naptip.store.db import Database, open_database
from naptip.testing import temporary_postgres

AS_OF = date(2026, 6, 30)

HEADLINE = """
SELECT count(DISTINCT o.activity_id) FILTER (WHERE o.progress = 'accepted') AS done,
       count(DISTINCT o.id) AS occurrences,
       count(e.id) FILTER (WHERE e.status = 'accepted') AS accepted,
       count(e.id) FILTER (WHERE e.status = 'submitted') AS submitted,
       count(e.id) FILTER (WHERE e.status = 'returned') AS returned,
       coalesce(sum(v.count) FILTER (WHERE e.status = 'accepted'
                                     AND o.activity_id = ANY(CAST(:counted AS text[]))), 0)
           AS counted
FROM occurrence o
LEFT JOIN evidence e ON e.occurrence_id = o.id
LEFT JOIN evidence_value v ON v.evidence_id = e.id AND v.indicator = 1
WHERE o.plan_id = 'naptip-3.0' AND NOT o.withdrawn AND o.period = :year
"""


def load(db: Database, catalog: Catalog, occurrences: int, evidence: int) -> None:
    """Occurrences of the real plan's activities (round robin, five years), ``evidence``
    rows over them (a third accepted, with a counted value), generated in SQL."""
    activities = [(a.id, a.owner) for a in catalog.activities.values()]
    ids = [a for a, _ in activities]
    owners = [o for _, o in activities]
    with db.engine.begin() as conn:
        conn.execute(text("""
            INSERT INTO occurrence (id, plan_id, kind, title, owner, support, host, activity_id,
                duty_id, pillar, period, due, unshifted, start_at, end_at, region, progress,
                withdrawn, fingerprint, created_at, updated_at)
            SELECT (CAST(:ids AS text[]))[1 + i % :na] || '@' || (2021 + i % 5) || '#' || i,
                'naptip-3.0', 'progress-report', 'Synthetic report ' || i,
                (CAST(:owners AS text[]))[1 + i % :na], '[]', NULL,
                (CAST(:ids AS text[]))[1 + i % :na], NULL, 'P1', 2021 + i % 5,
                make_date(2022 + i % 5, 1, 31), make_date(2022 + i % 5, 1, 31), NULL, NULL,
                'putrajaya', CASE WHEN i % 3 = 0 THEN 'accepted' ELSE 'open' END, false,
                'x', now(), now()
            FROM generate_series(0, :n - 1) AS i"""),
            {"ids": ids, "owners": owners, "na": len(ids), "n": occurrences})
        conn.execute(text("""
            INSERT INTO evidence (occurrence_id, status, nil, done_on, note, links, submitted_by,
                submitted_at, reviewed_by, reviewed_at)
            SELECT o.id, CASE WHEN g.i % 3 = 0 THEN 'accepted' WHEN g.i % 3 = 1
                THEN 'returned' ELSE 'submitted' END, false, o.due - 10, NULL, '[]', 'bench',
                (o.due - 5)::timestamp AT TIME ZONE 'UTC', 'nso',
                (o.due - 4)::timestamp AT TIME ZONE 'UTC'
            FROM generate_series(0, :e - 1) AS g(i)
            JOIN occurrence o ON o.id = (CAST(:ids AS text[]))[1 + (g.i % :n) % :na] || '@'
                || (2021 + (g.i % :n) % 5) || '#' || (g.i % :n)"""),
            {"ids": ids, "na": len(ids), "n": occurrences, "e": evidence})
        conn.execute(text("""
            INSERT INTO evidence_value (evidence_id, indicator, kind, count)
            SELECT id, 1, 'count', 1 + id % 7 FROM evidence WHERE status = 'accepted'"""))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("occurrence", "evidence", "evidence_value"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def run(occurrences: int, evidence: int, year: int, rounds: int) -> float:
    catalog = build_catalog(build_plugin_manager(environ={}))
    with temporary_postgres("naptip_bench") as url, tempfile.TemporaryDirectory() as tmp:
        db = open_database(url, blobs=Path(tmp))
        start = time.perf_counter()
        load(db, catalog, occurrences, evidence)
        with db.reading() as session:
            n_occ, n_ev = session.execute(text(
                "SELECT (SELECT count(*) FROM occurrence), (SELECT count(*) FROM evidence)")
            ).one()
        print(f"loaded {n_occ:,} occurrences and {n_ev:,} evidence rows in "
              f"{time.perf_counter() - start:.1f} s")
        scope = resolve_scope(catalog, "annual", year=year)
        counted_ids = [a.id for a in catalog.activities.values()
                       if a.indicators[0].kind == "count"]
        sql_times, model_times, layout_times = [], [], []
        headline = None
        report = None
        for _ in range(rounds):
            start = time.perf_counter()
            with db.engine.connect() as conn:
                headline = conn.execute(text(HEADLINE), {"year": year,
                                                          "counted": counted_ids}).one()
            sql_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            report = make_report(db, catalog, scope, as_of=AS_OF)
            middle = time.perf_counter()
            size = len(render_json(report)) + len(render_html(report))
            layout_times.append(time.perf_counter() - middle)
            model_times.append(middle - start)
        db.dispose()
    assert report is not None and headline is not None
    summary = report.figures["summary"]
    counted = sum(i["actual"] for i in report.figures["indicators"]
                  if i["kind"] == "count" and i["number"] == 1)
    # the two sides agree on what they both compute
    assert summary["evidence_accepted"] == headline.accepted, (summary, headline)
    assert summary["evidence_submitted"] == headline.submitted
    assert summary["evidence_returned"] == headline.returned
    assert counted == headline.counted, (counted, headline.counted)
    sql = statistics.median(sql_times)
    model = statistics.median(model_times)
    layout = statistics.median(layout_times)
    ratio = (model + layout) / sql
    print(f"annual report {year} on PostgreSQL: {headline.occurrences:,} occurrences and "
          f"{headline.accepted + headline.submitted + headline.returned:,} evidence rows in "
          f"the year")
    print(f"  one SQL aggregate (headline figures): {sql * 1000:,.0f} ms")
    print(f"  naptip report: read + model + charts {model * 1000:,.0f} ms, JSON + HTML "
          f"layout {layout * 1000:,.0f} ms ({size / 1e6:,.1f} MB)")
    print(f"  ratio report / SQL aggregate: {ratio:.1f}x (median of {rounds})")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--occurrences", type=int, default=100_000)
    parser.add_argument("--evidence", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    run(args.occurrences, args.evidence, args.year, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
