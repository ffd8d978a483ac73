"""The benchmarks still run (tiny sizes; no timing is asserted: figures are for humans)."""

from __future__ import annotations

import pytest

from bench import bench_schedule, bench_store

pytestmark = pytest.mark.slow


def test_schedule_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_schedule.main(["--plugins", "1"]) == 0
    out = capsys.readouterr().out
    assert "real plan: 1151 occurrences" in out
    assert "ratio naptip/peer throughput" in out
    # Both sides expand the same recurrences into the same number of instances.
    assert "instance counts differ" not in capsys.readouterr().err


def test_store_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_store.main(["--submissions", "5", "--rounds", "1", "--activities", "50",
                             "--evidence", "500"]) == 0
    out = capsys.readouterr().out
    assert "submissions on SQLite" in out and "submissions on PostgreSQL" in out
    assert "query plan uses an index" in out


def test_check_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import bench_check

    assert bench_check.main(["--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("2 error lines") == 2 and "ratio bad/baseline" in out
def test_calendar_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import bench_calendar

    assert bench_calendar.main(["--plugins", "1", "--activities", "5", "--duties", "1",
                                "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "real plan: whole-plan feed of 1,151 entries" in out
    # the peer builds the same events as naptip: the same feed, byte for byte
    assert out.count("(same bytes)") == 2 and "BYTES DIFFER" not in out
    assert "ratio naptip/icalendar" in out and "ratio incremental/full" in out
    assert "republish with 1 changed entry (2 feeds rewritten)" in out
def test_report_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import bench_report

    assert bench_report.main(["--occurrences", "500", "--evidence", "2000",
                              "--rounds", "1"]) == 0
    out = capsys.readouterr().out
    assert "loaded 500 occurrences and 2,000 evidence rows" in out
    assert "ratio report / SQL aggregate" in out
