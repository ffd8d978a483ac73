"""Every ``-o FILE`` is checked when the command line is read: a missing folder, a file
where the folder should be, or a folder given as the file is one line and exit 1 before
any work (the report, Chromium) runs, never "unexpected FileNotFoundError"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from naptip.store.db import Database
from tests.conftest import db_env

COMMANDS = [
    ["report", "annual", "--year", "2023", "--format", "pdf"],
    ["report", "committee", "media", "--format", "xlsx"],
    ["report", "final"],
    ["plan", "export", "--format", "csv"],
    ["audit", "anchor"],
    ["calendar", "export", "-c", "media"],
    ["contacts", "export"],
    ["evidence", "get", "1"],
    ["plugin", "import", "activities.csv"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_bad_output_path_is_refused_before_any_work(
        synced: Database, run: Callable[..., Result], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    def no_work(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("the command ran before its -o was checked")

    import naptip.reports

    monkeypatch.setattr(naptip.reports, "make_report", no_work)
    (tmp_path / "activities.csv").write_text("id\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-03-01"}
    for output, says in ((tmp_path / "missing" / "out.bin", "does not exist"),
                         (a_file / "out.bin", "is not a folder"),
                         (tmp_path, "is a folder")):
        result = run(*args, "-o", str(output), env=env)
        assert result.exit_code == 1, (output, result.output)
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith(f"Error: -o {output}: ") and says in lines[-1], lines
        assert not any("unexpected" in line or "Usage:" in line for line in lines)
        assert not (tmp_path / "missing").exists()


def test_a_good_output_path_still_works(synced: Database, run: Callable[..., Result],
                                        tmp_path: Path) -> None:
    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-03-01"}
    out = tmp_path / "plan.csv"
    result = run("plan", "export", "--format", "csv", "-o", str(out), env=env)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("id,")
    report = tmp_path / "annual.json"
    made = run("report", "annual", "--year", "2023", "--format", "json", "-o", str(report),
               env=env)
    assert made.exit_code == 0, made.output
    assert report.stat().st_size > 100


@pytest.mark.parametrize("args", [
    ["report", "annual", "--year", "2023", "--format", "html"],
    ["report", "committee", "media", "--format", "xlsx"],
    ["report", "final", "--format", "csv"],
    ["report", "annual", "--year", "2023", "--format", "json", "--save"],
], ids=lambda a: " ".join(a[1:2] + a[-1:]))
def test_a_path_the_checks_pass_but_the_system_refuses_is_one_line(
        synced: Database, run: Callable[..., Result], args: list[str]) -> None:
    """/proc passes the folder checks (as root, any folder does) and refuses the file:
    one line naming the path and why, exit 1, nothing saved."""
    from naptip.reports.snapshot import list_snapshots

    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-03-01"}
    result = run(*args, "-o", "/proc/naptip-report.out", env=env)
    assert result.exit_code == 1, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last == "Error: cannot write /proc/naptip-report.out: no such file or directory"
    assert "unexpected" not in result.output and "Traceback" not in result.output
    assert list_snapshots(synced) == []
