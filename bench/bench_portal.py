"""The portal's *My work* on PostgreSQL with 100,000 occurrences and 1,000,000 evidence rows.

    .venv/bin/python -m bench.bench_portal [--activities N] [--evidence N] [--repeat N]

A committee lead's *My work* page is fetched over HTTP from the portal served by uvicorn
on loopback; the baseline, measured in the same run against the same server, is its
smallest response (the stylesheet: HTTP and framework cost, no store). Goal: median under
100 ms. The query plan of the largest group (overdue) is printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import text

from bench.bench_store import load_big
from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.people.signin import issue_link
from naptip.plan.catalog import build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.store.db import open_database
from naptip.testing import temporary_postgres
from naptip.web import queries
from naptip.web.access import Viewer
from tests.web_support import serve

LEAD = "lead@rmp.gov.my"
AS_OF = date(2024, 3, 1)


def timed(fetch: httpx.Client, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = fetch.get(path)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument("--evidence", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    catalog = build_catalog(build_plugin_manager(environ={}))
    with temporary_postgres("naptip_bench") as url, tempfile.TemporaryDirectory() as tmp:
        db = open_database(url, blobs=Path(tmp))
        start = time.perf_counter()
        load_big(db, args.activities, args.evidence)
        print(f"loaded {args.activities * 5:,} occurrences and {args.evidence:,} evidence rows "
              f"in {time.perf_counter() - start:.1f} s")
        lead = ContactInfo(name="ACP Lim Wei", email=LEAD,
                           roles=(Role(role="lead", scope="enforcement"),))
        ContactDirectory(db).upsert([lead], actor="bench")
        with serve(db, catalog, today=AS_OF) as web, httpx.Client(base_url=web.url) as fetch:
            token = issue_link(db, LEAD, actor="bench")
            assert web.sign_in(fetch, token).status_code == 303
            timed(fetch, "/work", 3)  # warm up
            page = statistics.median(timed(fetch, "/work", args.repeat))
            base = statistics.median(timed(fetch, "/portal.css", args.repeat))
            year = statistics.median(timed(fetch, "/work?year=2024", args.repeat))
        with db.reading() as session:
            viewer = Viewer(lead)
            query_times = []
            for _ in range(args.repeat):
                begin = time.perf_counter()
                groups = queries.my_work(session, viewer, catalog, AS_OF)
                query_times.append(time.perf_counter() - begin)
            shown = sum(len(group.items) for group in groups.values())
            plans = {}
            for name in ("overdue", "done"):
                query = queries.group_query(name, viewer, catalog, AS_OF)
                compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
                plans[name] = [row[0] for row in
                               session.execute(text(f"EXPLAIN ANALYZE {compiled}"))]
        db.dispose()
    queried = statistics.median(query_times)
    print(f"My work over HTTP: median {page * 1000:.1f} ms ({shown} items shown; with a year "
          f"filter {year * 1000:.1f} ms); its queries alone {queried * 1000:.1f} ms; "
          f"baseline (smallest response) {base * 1000:.1f} ms; ratio page/baseline "
          f"{page / base:.1f}; goal < 100 ms: {'met' if page < 0.1 else 'NOT met'}")
    for name, plan in plans.items():
        index = next((ix for ix in ("ix_occurrence_work", "ix_occurrence_plan_due")
                      if any(ix in line for line in plan)), None)
        print(f"query plan of the {name} group uses: {index or 'NO index'}")
        for line in plan:
            print(f"    {line.rstrip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
