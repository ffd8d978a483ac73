"""Commands that do not orchestrate never import Prefect (it costs seconds): checked in a
fresh interpreter, since this test session may have imported it already."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from click.testing import CliRunner
from naptip.cli import cli
runner = CliRunner()
# `run` first: a fresh install's first run creates the store and syncs it
for args in (["plan", "show", "S9"], ["schedule", "--from", "2024-07-01", "--to", "2024-07-31"],
             ["run"], ["run", "--dry-run"], ["status"], ["remind", "--dry-run"],
             ["runs", "list"], ["outbox", "list"], ["calendar", "export", "-c", "media"],
             ["doctor"],
             ["--help"]):
    result = runner.invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    assert not any(m == "prefect" or m.startswith("prefect.") for m in sys.modules), args
print("ok")
"""


def test_commands_that_do_not_orchestrate_never_import_prefect(tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
           "NAPTIP_BLOB_DIR": str(tmp_path / "blobs"), "NAPTIP_AS_OF": "2024-07-01",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "ok"
