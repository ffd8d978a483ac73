"""The portal benchmark still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import pytest

from bench import bench_portal

pytestmark = pytest.mark.slow


def test_portal_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_portal.main(["--activities", "50", "--evidence", "500", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "loaded 250 occurrences and 500 evidence rows" in out
    assert "My work over HTTP: median" in out
    # the lead's own groups read ix_occurrence_work, not ix_occurrence_plan_due backwards
    # (at this size the planner may scan the done group's few rows instead)
    assert "query plan of the overdue group uses: ix_occurrence_work" in out
    assert "query plan of the done group uses: " in out
