"""Output piped to a reader that has gone (``naptip ... | head``) ends quietly: no
"unexpected BrokenPipeError", no "Exception ignored" from the interpreter, for every
command (the mechanism is the CLI's own: the top-level group and the entry point)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog
from naptip.store.db import open_database
from tests.conftest import db_env

NAPTIP = [sys.executable, "-c", "from naptip.cli import main; main()"]


def _to_closed_pipe(args: list[str], env: dict[str, str] | None = None,
                    ) -> subprocess.CompletedProcess[bytes]:
    """Run naptip with standard output on a pipe nobody reads: its first write fails."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([*NAPTIP, *args], stdout=write, stderr=subprocess.PIPE,
                              timeout=300, check=False,
                              env={**os.environ, "COLUMNS": "80", **(env or {})})
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [
    ["plan", "show"],  # long: the pipe breaks while the command writes
    ["plan", "show", "S9-O1-i"],  # short: it breaks at the last flush
    ["schedule", "--as-of", "2024-07-30"],  # rich tables
    ["agencies", "list"],
])
def test_a_reader_that_has_gone_ends_the_command_quietly(args: list[str]) -> None:
    done = _to_closed_pipe(args)
    assert done.stderr.decode() == ""
    assert done.returncode == 1


def test_calendar_links_piped_to_head_ends_quietly(
        builtin_catalog: Catalog, run: Callable[..., Result], tmp_path: Path) -> None:
    synced = open_database(f"sqlite:///{tmp_path / 'naptip.db'}", blobs=tmp_path / "blobs")
    sync(synced, builtin_catalog, build_schedule(builtin_catalog))
    done = _to_closed_pipe(["calendar", "links"], env=db_env(synced))
    assert done.stderr.decode() == ""
    assert done.returncode == 1
    assert run("calendar", "links", env=db_env(synced)).exit_code == 0  # still works
