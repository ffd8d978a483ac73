"""The benchmarks still run (tiny sizes; no timing is asserted: figures are for humans)."""

from __future__ import annotations

import pytest

from bench import bench_schedule


def test_schedule_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_schedule.main(["--plugins", "1"]) == 0
    out = capsys.readouterr().out
    assert "real plan: 1151 occurrences" in out
    assert "ratio naptip/peer throughput" in out
    # Both sides expand the same recurrences into the same number of instances.
    assert "instance counts differ" not in capsys.readouterr().err
