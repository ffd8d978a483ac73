"""The portal benchmark still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import bench_portal


def test_portal_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_portal.main(["--activities", "50", "--evidence", "500", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "loaded 250 occurrences and 500 evidence rows" in out
    assert "My work over HTTP: median" in out and "query plan of the overdue group" in out
