"""The idle-run benchmark still runs (tiny size; no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import bench_idle_run


def test_idle_run_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_idle_run.main(["--contacts", "8", "--samples", "1",
                                "--as-of", "2024-03-01"]) == 0
    out = capsys.readouterr().out
    assert "8 contacts, 16 feeds" in out  # plan + 7 committees + 8 contacts
    assert "idle run sent nothing new: yes" in out
    assert "ratio idle run/status" in out


def test_idle_run_benchmark_refuses_nonsense() -> None:
    with pytest.raises(SystemExit):
        bench_idle_run.main(["--samples", "0"])
