"""The reminder benchmark still runs (tiny size; no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import bench_reminders
from naptip.notifications import digest, dispatch

pytestmark = pytest.mark.slow


def test_reminder_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_reminders.main(["--recipients", "3"]) == 0
    out = capsys.readouterr().out
    assert "3 digests of" in out and "ratio (baseline/naptip)" in out
    assert "smtp send" in out
    assert vars(dispatch)["render"] is digest.render  # the timing wrappers are removed
