"""``naptip plugin new``: the package it writes installs, tests green and checks clean."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

pytestmark = pytest.mark.slow


def _fresh_venv(folder: Path) -> Path:
    """A new virtual environment that sees this environment's packages (offline)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; "
                              "print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(purelib, "_naptip_dev.pth").write_text(f"import site; site.addsitedir({ours!r})\n",
                                                 encoding="utf-8")
    return python


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAPTIP_")}
    env.pop("PYTHONPATH", None)
    return env


def test_new_plugin_installs_tests_green_and_checks_clean(
        tmp_path: Path, run: Callable[..., Result]) -> None:
    made = run("plugin", "new", "mmea-sabah", "--agency", "mmea", "--dir", str(tmp_path))
    assert made.exit_code == 0, made.stderr
    package = tmp_path / "naptip-mmea-sabah"
    assert (package / "naptip_mmea_sabah" / "activities.toml").is_file()

    python = _fresh_venv(tmp_path / "venv")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", "--no-build-isolation", str(package)],
                   check=True, capture_output=True, text=True, env=_env())
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    check = subprocess.run([str(python), "-c", "from naptip.cli import main; main()",
                            "plugins", "check"],
                           cwd=outside, capture_output=True, text=True, env=_env())
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("ok: 8 plugins")
    listed = subprocess.run([str(python), "-c", "from naptip.cli import main; main()",
                             "mmea-sabah-summary"],
                            cwd=outside, capture_output=True, text=True, env=_env())
    assert listed.stdout.strip() == "mmea-sabah: 1 activities, 1 duties", listed.stderr

    tests = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=package, capture_output=True, text=True, env=_env())
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout


def test_new_refuses_a_bad_name_and_an_existing_folder(
        tmp_path: Path, run: Callable[..., Result]) -> None:
    bad = run("plugin", "new", "MMEA Sabah", "--dir", str(tmp_path))
    assert bad.exit_code == 1
    assert "must be lower-case words joined by '-'" in bad.stderr
    assert run("plugin", "new", "jtk-x", "--dir", str(tmp_path)).exit_code == 0
    again = run("plugin", "new", "jtk-x", "--dir", str(tmp_path))
    assert again.exit_code == 1 and "already exists" in again.stderr
