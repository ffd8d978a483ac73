"""The portal benchmark still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import os
import re

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench import bench_portal
from naptip.testing import PG_SERVER

pytestmark = pytest.mark.slow


def test_portal_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_portal.main(["--activities", "50", "--evidence", "500", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "loaded 250 occurrences and 500 evidence rows" in out
    assert "My work over HTTP: median" in out
    for label in ("baseline (stylesheet)", "My work, year 2024", "queries: 1 statement",
                  "queries: group by group"):
        assert re.search(rf"{re.escape(label)} +median +[\d.]+ ms +p90 +[\d.]+ ms", out), label
    # the lead's own groups read ix_occurrence_work, not ix_occurrence_plan_due backwards
    # (at this size the planner may scan the done group's few rows instead)
    assert "query plan of the overdue group uses: ix_occurrence_work" in out
    assert "query plan of the done group uses: " in out
    assert "the page's one statement uses: " in out and "BACKWARDS" not in out


def test_a_kept_store_is_reused_and_a_busy_machine_measured(
        capsys: pytest.CaptureFixture[str]) -> None:
    name = f"naptip_bench_smoke_{os.getpid()}"
    sizes = ["--activities", "20", "--evidence", "100", "--repeat", "2"]
    try:
        assert bench_portal.main([*sizes, "--keep", name, "--load", "1", "--load-kind", "cpu",
                                  "--viewer", "two"]) == 0
        out = capsys.readouterr().out
        assert "loaded 100 occurrences and 100 evidence rows" in out
        assert "two as of 2024-03-01, 1 cpu process busy, 2 rounds in turn" in out
        assert bench_portal.main([*sizes, "--keep", name, "--explain", "--viewer",
                                  "secretariat", "--as-of", "2026-12-06"]) == 0
        out = capsys.readouterr().out
        assert f"reusing 100 occurrences and 100 evidence rows in {name}" in out
        assert "secretariat as of 2026-12-06, no added load" in out
        assert "EXPLAIN (ANALYZE, BUFFERS) of the overdue group's rows:" in out
        assert "Execution Time:" in out
        # a kept store of other sizes is not silently measured: one line, exit 2
        assert bench_portal.main(["--activities", "30", "--evidence", "100", "--repeat",
                                  "2", "--keep", name]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [f"bench_portal: the kept database {name} holds 100 occurrences and 100 "
                       "evidence rows, not 150 and 100: pass the sizes it was made with, "
                       "or drop it (dropdb)"]
    finally:
        dsn = make_url(PG_SERVER).set(drivername="postgresql").render_as_string(
            hide_password=False)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("args", [["--repeat", "1"], ["--keep", "Bad-Name"],
                                  ["--as-of", "2024-13-01"], ["--load", "-1"]])
def test_bad_arguments_are_refused(args: list[str], capsys: pytest.CaptureFixture[str],
                                   ) -> None:
    with pytest.raises(SystemExit) as exit_:
        bench_portal.main(args)
    assert exit_.value.code == 2
    assert "error: argument" in capsys.readouterr().err
