"""The example agency plugin, installed for real and found through its entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "naptip-jtk-sarawak"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pip-install the example into a private folder (offline, no build isolation)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(EXAMPLE)],
        check=True, capture_output=True, text=True,
    )
    return target


def _naptip(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("NAPTIP_PLUGINS_DIR", None)
    return subprocess.run([sys.executable, "-c", "from naptip.cli import main; main()", *args],
                          env=env, capture_output=True, text=True, check=False)


def test_listed_through_its_entry_point(installed: Path) -> None:
    out = _naptip(installed, "plugins", "list", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)["plugins"]}
    assert len(rows) == 8
    row = rows["jtk_sarawak"]
    assert row["package"] == "naptip-jtk-sarawak"
    assert row["version"] == "0.1.0"
    assert row["builtin"] is False
    assert row["source"] == "entry-point"
    assert (row["activities"], row["agencies"]) == (1, 1)
    assert row["hooks"] == ["naptip_activities", "naptip_agencies"]


def test_shown_in_the_plan(installed: Path) -> None:
    out = _naptip(installed, "plan", "show", "--objective", "S21")
    assert out.returncode == 0, out.stderr
    assert "S21-O1-jtksrw-i" in out.stdout
    one = _naptip(installed, "plan", "show", "S21-O1-jtksrw-i")
    assert "plugin jtk_sarawak" in one.stdout
    assert "by sex, nationality, age" in one.stdout


def test_checks_clean_and_exports(installed: Path) -> None:
    check = _naptip(installed, "plugins", "check")
    assert check.returncode == 0, check.stdout
    assert "8 plugins" in check.stdout and "211 activity entries" in check.stdout
    assert "6 agencies" in check.stdout
    doc = json.loads(_naptip(installed, "plan", "export").stdout)
    row = next(r for r in doc["activities"] if r["id"] == "S21-O1-jtksrw-i")
    assert row["plugin"] == "jtk_sarawak" and row["lead_committee"] == "forced-labour"


def test_its_own_tests_pass_with_naptip_testing(installed: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("NAPTIP_PLUGINS_DIR", None)
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(EXAMPLE / "tests")], cwd=EXAMPLE, env=env,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 passed" in out.stdout
