"""The portal's *My work* on PostgreSQL with 100,000 occurrences and 1,000,000 evidence rows.

    .venv/bin/python -m bench.bench_portal [--activities N] [--evidence N] [--repeat N]
        [--keep NAME] [--load N] [--load-kind cpu|sql] [--explain] [--as-of DATE]

A committee lead's *My work* page is fetched over HTTP from the portal served by uvicorn
on loopback; the baseline, measured in the same run against the same server, is its
smallest response (the stylesheet: HTTP and framework cost, no store). The page, the page
with a year filter and the baseline are fetched in turn, ``--repeat`` rounds, so that a
busy moment of the machine falls on all three alike; each reports its median and 90th
percentile. Goal: median under 100 ms while the machine is busy (``--load N`` starts N
processes that keep it busy for the measurement: busy loops, or queries on the same
store).

Each group's query reads one index: the summary names it for every group (and says when
``ix_occurrence_plan_due`` is walked backwards); ``--explain`` prints the whole
``EXPLAIN (ANALYZE, BUFFERS)`` of each group's query and count.

Generating 1,000,000 evidence rows takes a while: ``--keep NAME`` generates them once
into the PostgreSQL database NAME and reuses it on later runs with the same sizes (drop
it with ``dropdb NAME`` when done). Without it a temporary database is dropped at the end.
"""

from __future__ import annotations

import argparse
import multiprocessing
import re
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx
from sqlalchemy import Select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bench.bench_store import load_big
from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.people.reminders import returned_reasons
from naptip.people.signin import issue_link
from naptip.plan.catalog import Catalog, build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.store import migrate
from naptip.store.db import Database, make_engine, open_database
from naptip.testing import PG_SERVER, temporary_postgres
from naptip.web import queries
from naptip.web.access import Viewer
from tests.web_support import serve

LEAD = "lead@rmp.gov.my"
COMMITTEE = "enforcement"
AS_OF = date(2024, 3, 1)
INDEXES = ("ix_occurrence_work", "ix_occurrence_progress", "ix_occurrence_plan_due",
           "ix_occurrence_status", "ix_occurrence_activity", "ix_occurrence_duty",
           "pk_occurrence")
#: who reads *My work*: a committee lead, the lead of two committees, the secretariat
VIEWERS = {"lead": (Role(role="lead", scope=COMMITTEE),),
           "two": (Role(role="lead", scope=COMMITTEE), Role(role="lead", scope="media")),
           "secretariat": (Role(role="secretariat", scope="nso-mapo"),)}
SCAN = re.compile(r"(Index Only Scan|Index Scan|Bitmap Index Scan|Seq Scan)( Backward)?"
                  r"(?: using| on) (\w+)")
NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class BenchError(Exception):
    """Bad input or a store that does not fit: one line, exit 2."""


# --- the store: generated once, or reused -------------------------------------------------

def _server_dsn() -> str:
    return make_url(PG_SERVER).set(drivername="postgresql").render_as_string(
        hide_password=False)


def _exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(_server_dsn(), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                            (name,)).fetchone() is not None


@contextmanager
def kept_postgres(name: str) -> Iterator[tuple[str, bool]]:
    """The database ``name`` (created if missing) and whether it existed; never dropped."""
    import psycopg

    existed = _exists(name)
    if not existed:
        with psycopg.connect(_server_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False), existed


def prepared(url: str, existed: bool, activities: int, evidence: int, blobs: Path,
             ) -> Database:
    """The store at ``url`` with the synthetic rows: generated now, or checked and reused."""
    if existed:
        engine = make_engine(url)
        try:
            migrate.upgrade_locked(engine)  # a kept store follows the schema (new indexes)
            with engine.connect() as conn:
                occurrences = conn.execute(text(
                    "SELECT count(*) FROM occurrence WHERE id LIKE 'B%'")).scalar_one()
                rows = conn.execute(text("SELECT count(*) FROM evidence")).scalar_one()
        finally:
            engine.dispose()
        if (occurrences, rows) == (0, 0):  # made, but its generation did not finish
            existed = False
        elif (occurrences, rows) != (activities * 5, evidence):
            raise BenchError(
                f"the kept database {make_url(url).database} holds {occurrences:,} "
                f"occurrences and {rows:,} evidence rows, not {activities * 5:,} and "
                f"{evidence:,}: pass the sizes it was made with, or drop it (dropdb)")
        else:
            print(f"reusing {occurrences:,} occurrences and {rows:,} evidence rows in "
                  f"{make_url(url).database}")
            return open_database(url, blobs=blobs)
    db = open_database(url, blobs=blobs)
    start = time.perf_counter()
    load_big(db, activities, evidence)
    print(f"loaded {activities * 5:,} occurrences and {evidence:,} evidence rows "
          f"in {time.perf_counter() - start:.1f} s")
    return db


# --- background load ----------------------------------------------------------------------

def _busy_cpu() -> None:
    while True:
        sum(i * i for i in range(10_000))


def _busy_sql(url: str) -> None:
    """Whole-table reads of the same store, one after the other: a busy database."""
    import psycopg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            conn.execute("SELECT count(*), sum(length(note)) FROM evidence").fetchone()
            conn.execute("SELECT owner, progress, count(*) FROM occurrence "
                         "GROUP BY owner, progress").fetchall()


@contextmanager
def background_load(n: int, kind: str, url: str) -> Iterator[None]:
    """``n`` processes keeping the machine busy until the block ends (then stopped)."""
    context = multiprocessing.get_context("spawn")
    workers: list[BaseProcess] = [
        context.Process(target=_busy_cpu, daemon=True) if kind == "cpu"
        else context.Process(target=_busy_sql, args=(url,), daemon=True) for _ in range(n)]
    for worker in workers:
        worker.start()
    try:
        if workers:
            time.sleep(1.0)  # let them get going
        yield
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(10)


# --- timing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    label: str
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p90(self) -> float:
        return statistics.quantiles(self.samples, n=10, method="inclusive")[-1]

    def line(self) -> str:
        return (f"{self.label:<24} median {self.median * 1000:7.1f} ms   "
                f"p90 {self.p90 * 1000:7.1f} ms")


def interleaved(fetch: httpx.Client, paths: dict[str, str], rounds: int) -> list[Timing]:
    """Each path once per round, the order turned each round; samples per path."""
    labels = list(paths)
    samples: dict[str, list[float]] = {label: [] for label in labels}
    for r in range(rounds):
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            start = time.perf_counter()
            response = fetch.get(paths[label])
            samples[label].append(time.perf_counter() - start)
            if response.status_code != 200:
                raise BenchError(f"GET {paths[label]} answered {response.status_code}")
    return [Timing(label, samples[label]) for label in labels]


def group_by_group(session: Session, viewer: Viewer, catalog: Catalog, today: date,
                   ) -> int:
    """*My work*'s rows and counts as one statement per group and per count (as before
    the single statement): the same work, more round trips. Returns the rows read."""
    read = 0
    for name in queries.GROUPS:
        rows = session.execute(queries.group_query(name, viewer, catalog, today)).all()
        read += len(rows)
        if len(rows) == queries.PAGE:
            session.execute(queries.count_query(name, viewer, catalog, today)).scalar_one()
    return read


def in_process(db: Database, viewer: Viewer, catalog: Catalog, today: date, rounds: int,
               ) -> tuple[dict[str, queries.Group], list[Timing]]:
    """*My work*'s queries without HTTP: the one statement the page runs, and the same
    groups group by group, in turn; and the returned items' reasons read apart in a
    session of their own, as the page still does (the one statement carries them)."""
    one: list[float] = []
    each: list[float] = []
    reasons: list[float] = []
    groups: dict[str, queries.Group] = {}
    with db.reading() as session:
        for r in range(rounds):
            for turn in ((0, 1) if r % 2 == 0 else (1, 0)):
                begin = time.perf_counter()
                if turn == 0:
                    groups = queries.my_work(session, viewer, catalog, today)
                    one.append(time.perf_counter() - begin)
                else:
                    group_by_group(session, viewer, catalog, today)
                    each.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            returned_reasons(db, [item.id for item in groups["returned"].items])
            reasons.append(time.perf_counter() - begin)
    return groups, [Timing("queries: 1 statement", one),
                    Timing("queries: group by group", each),
                    Timing("reasons, own session", reasons)]


# --- query plans --------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    group: str
    what: str  #: rows or count
    lines: list[str]

    @property
    def scans(self) -> list[str]:
        """The scan nodes, as "Index Scan using ix_…" (with "Backward" when walked so)."""
        return [f"{m[1]}{m[2] or ''} {m[3]}" for m in
                (SCAN.search(line) for line in self.lines) if m]

    @property
    def index(self) -> str:
        used = [ix for ix in INDEXES if any(ix in scan for scan in self.scans)]
        return ", ".join(used) or "NO index"

    @property
    def backwards_plan_due(self) -> bool:
        return any("Backward ix_occurrence_plan_due" in scan for scan in self.scans)

    def ms(self, what: str) -> float:
        """``Planning`` or ``Execution`` time, in ms, as the database reported it."""
        for line in self.lines:
            if line.startswith(f"{what} Time:"):
                return float(line.split()[2])
        return float("nan")

    @property
    def buffers(self) -> str:
        found = next((line.strip() for line in self.lines if "Buffers:" in line), "")
        return found.removeprefix("Buffers: ") or "no buffers"


def explain(db: Database, query: Select[object], group: str, what: str) -> Plan:
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        lines = [row[0] for row in conn.execute(
            text(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}"))]
    return Plan(group, what, lines)


def plans(db: Database, viewer: Viewer, catalog: Catalog, today: date) -> list[Plan]:
    found = []
    for name in queries.GROUPS:
        found.append(explain(db, queries.group_query(name, viewer, catalog, today),
                             name, "rows"))
        found.append(explain(db, queries.count_query(name, viewer, catalog, today),
                             name, "count"))
    found.append(explain(db, queries.work_query(viewer, catalog, today), "every", "statement"))
    return found


# --- the run ------------------------------------------------------------------------------

def _name(value: str) -> str:
    if not NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a database name naptip would make (a-z, 0-9, _)")
    return value


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return number


def _at_least_2(value: str) -> int:
    number = _positive(value)
    if number < 2:
        raise argparse.ArgumentTypeError("at least 2 (a 90th percentile needs two samples)")
    return number


def _count(value: str) -> int:
    return 0 if value == "0" else _positive(value)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--activities", type=_positive, default=20_000,
                        help="synthetic activities, 5 occurrences each (default 20,000)")
    parser.add_argument("--evidence", type=_count, default=1_000_000)
    parser.add_argument("--repeat", type=_at_least_2, default=30,
                        help="rounds: samples of each URL, fetched in turn (default 30)")
    parser.add_argument("--keep", type=_name, metavar="NAME",
                        help="generate into this PostgreSQL database once, reuse it after")
    parser.add_argument("--load", type=_count, default=0, metavar="N",
                        help="processes keeping the machine busy while measuring")
    parser.add_argument("--load-kind", choices=("cpu", "sql"), default="sql",
                        help="busy loops, or whole-table queries on the store (default)")
    parser.add_argument("--explain", action="store_true",
                        help="print EXPLAIN (ANALYZE, BUFFERS) of every group's queries")
    parser.add_argument("--as-of", type=_day, default=AS_OF, help="the portal's today")
    parser.add_argument("--viewer", choices=tuple(VIEWERS), default="lead",
                        help="the enforcement lead (default), the lead of enforcement and "
                             "media, or the secretariat")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except BenchError as exc:
        print(f"bench_portal: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    catalog = build_catalog(build_plugin_manager(environ={}))
    today: date = args.as_of
    store: AbstractContextManager[tuple[str, bool]] = (
        kept_postgres(args.keep) if args.keep
        else _fresh(temporary_postgres("naptip_bench")))
    with store as (url, existed), tempfile.TemporaryDirectory() as tmp:
        db = prepared(url, existed, args.activities, args.evidence, Path(tmp))
        lead = ContactInfo(name="ACP Lim Wei", email=LEAD, roles=VIEWERS[args.viewer])
        ContactDirectory(db).upsert([lead], actor="bench")
        viewer = Viewer(lead)
        paths = {"baseline (stylesheet)": "/portal.css", "My work": "/work",
                 f"My work, year {today.year}": f"/work?year={today.year}"}
        loading = (background_load(args.load, args.load_kind, url) if args.load
                   else nullcontext())
        try:
            with serve(db, catalog, today=today) as web, \
                    httpx.Client(base_url=web.url, timeout=60) as fetch:
                token = issue_link(db, LEAD, actor="bench")
                if web.sign_in(fetch, token).status_code != 303:
                    raise BenchError("the lead could not sign in")
                interleaved(fetch, paths, 2)  # warm up: connections, templates, caches
                with loading:
                    timings = interleaved(fetch, paths, args.repeat)
                    groups, statements = in_process(db, viewer, catalog, today, args.repeat)
            found = plans(db, viewer, catalog, today)
        finally:
            db.dispose()
    shown = sum(len(group.items) for group in groups.values())
    base, page = timings[0], timings[1]
    load = (f"{args.load} {args.load_kind} process{'es' if args.load > 1 else ''} busy"
            if args.load else "no added load")
    print(f"{args.viewer} as of {today}, {load}, {args.repeat} rounds in turn "
          f"({shown} items shown of {sum(g.total for g in groups.values()):,}):")
    for timing in (*timings, *statements):
        print(f"    {timing.line()}")
    print(textwrap.fill(
        f"My work over HTTP: median {page.median * 1000:.1f} ms, p90 "
        f"{page.p90 * 1000:.1f} ms; ratio page/baseline {page.median / base.median:.1f}; "
        f"goal < 100 ms: {'met' if page.median < 0.1 else 'NOT met'}", 80,
        subsequent_indent="        "))
    for plan in found:
        if plan.what == "statement":
            line = (f"the page's one statement uses: {plan.index}"
                    f"{' (walked BACKWARDS)' if plan.backwards_plan_due else ''}; planned "
                    f"in {plan.ms('Planning'):.2f} ms, run in {plan.ms('Execution'):.2f} ms, "
                    f"{plan.buffers}")
        elif plan.what == "rows":
            line = (f"query plan of the {plan.group} group uses: {plan.index}"
                    f"{' (walked BACKWARDS)' if plan.backwards_plan_due else ''}; "
                    f"{plan.ms('Execution'):.2f} ms, {plan.buffers}")
        else:
            line = (f"    its count uses: {plan.index}; {plan.ms('Execution'):.2f} ms, "
                    f"{plan.buffers}")
        print(textwrap.fill(line, 80, subsequent_indent="        ", break_on_hyphens=False))
    if args.explain:
        for plan in found:
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {plan.group} group's {plan.what}:")
            for line in plan.lines:
                print(f"    {line.rstrip()}")
    return 0


@contextmanager
def _fresh(database: AbstractContextManager[str]) -> Iterator[tuple[str, bool]]:
    with database as url:
        yield url, False


if __name__ == "__main__":
    sys.exit(main())
