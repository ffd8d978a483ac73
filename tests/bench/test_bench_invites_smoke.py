"""The invitation benchmark still runs (tiny size; no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import bench_invites

pytestmark = pytest.mark.slow


def test_invitation_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_invites.main(["--recipients", "2"]) == 0
    out = capsys.readouterr().out
    assert "meetings x 2 attendees" in out and "ratio (baseline/naptip)" in out
    assert "rerun, nothing new" in out
