"""The start-up benchmark still runs (one sample; no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import bench_startup


def test_startup_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_startup.main(["--samples", "1"]) == 0
    out = capsys.readouterr().out
    assert "ratio plan show / baseline" in out and "ratio status / baseline" in out
    assert "ratio status + alembic / status" in out
    # the whole tree was drawn, and the status table printed, by each command
    assert "plan show" in out and "(1125 lines out)" in out
    assert "plan show imports: rich" in out or "plan show imports: none" in out
    assert "prefect" not in out.split("status imports:")[1]


def test_startup_benchmark_refuses_no_samples() -> None:
    with pytest.raises(SystemExit):
        bench_startup.main(["--samples", "0"])
