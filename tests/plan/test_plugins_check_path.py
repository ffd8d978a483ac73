"""``naptip plugins check --path DIR``: a package checked before it is installed (issue 14)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.plan.test_data_plugins import DATA


@pytest.fixture
def package(tmp_path: Path, run: Callable[..., Result]) -> Path:
    assert run("plugin", "new", "mmea-sabah", "--agency", "mmea",
               "--dir", str(tmp_path)).exit_code == 0
    return tmp_path / "naptip-mmea-sabah"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_fresh_package_checks_clean(package: Path, run: Callable[..., Result]) -> None:
    result = run("plugins", "check", "--path", str(package))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.strip() == f"ok: {package}: plugin mmea_sabah (1 activity, 1 duty)"


def test_missing_entry_point(package: Path, run: Callable[..., Result]) -> None:
    # Found: a package without its entry point was silently absent; `plugins check` said ok.
    _edit(package / "pyproject.toml", '[project.entry-points.naptip]\nmmea_sabah = '
          '"naptip_mmea_sabah:plugin"\n', "")
    result = run("plugins", "check", "--path", str(package))
    assert result.exit_code == 1
    assert "no [project.entry-points.naptip]: naptip would never find this plugin" in \
        result.stdout


def test_data_file_not_in_package_data(package: Path, run: Callable[..., Result]) -> None:
    # Found: a DataPlugin's TOML worked in an editable install and failed after a normal one.
    _edit(package / "pyproject.toml", '[tool.setuptools.package-data]\n'
          '"naptip_mmea_sabah" = ["*.toml"]\n', "")
    result = run("plugins", "check", "--path", str(package))
    assert result.exit_code == 1
    assert ("naptip_mmea_sabah/activities.toml is not package-data: it works in an editable "
            "install and is missing after `pip install`") in result.stdout


def test_hook_typo_in_the_package(package: Path, run: Callable[..., Result]) -> None:
    _edit(package / "naptip_mmea_sabah" / "__init__.py", "def naptip_validate_evidence(",
          "def naptip_validate_evidense(")
    result = run("plugins", "check", "--path", str(package))
    assert result.exit_code == 1
    assert ("unknown hook 'naptip_validate_evidense': did you mean "
            "naptip_validate_evidence(draft)?") in result.stdout


def test_utc_dtstart_is_a_warning_showing_kuala_lumpur_time(
        package: Path, run: Callable[..., Result]) -> None:
    # Found: TZID=UTC was accepted and silently put a 10:00 meeting at 18:00 in Kuala Lumpur.
    _edit(package / "naptip_mmea_sabah" / "activities.toml",
          "DTSTART;TZID=Asia/Kuala_Lumpur:20240110T100000", "DTSTART;TZID=UTC:20240110T100000")
    result = run("plugins", "check", "--path", str(package))
    assert result.exit_code == 0, result.stdout
    assert ("duty mmea-sabah-coordination: DTSTART is in UTC, not Asia/Kuala_Lumpur: "
            "2024-01-10 10:00 UTC is 2024-01-10 18:00 in Kuala Lumpur") in result.stderr


def test_utc_dtstart_warned_by_commands_too(tmp_path: Path, run: Callable[..., Result]) -> None:
    (tmp_path / "mmea_sabah.toml").write_text(DATA.replace(
        "TZID=Asia/Kuala_Lumpur:20240110T100000", "TZID=UTC:20240110T100000"), encoding="utf-8")
    result = run("--plugins-dir", str(tmp_path), "plan", "show", "S21-O1-mmsb-i")
    assert result.stderr.count("is 2024-01-10 18:00 in Kuala Lumpur") == 1


def test_a_data_only_plugin_path(tmp_path: Path, run: Callable[..., Result]) -> None:
    good = tmp_path / "mmea_sabah.toml"
    good.write_text(DATA, encoding="utf-8")
    assert run("plugins", "check", "--path", str(good)).stdout.startswith("ok: ")
    _edit(good, "lead = \"enforcement\"", "lead = \"enforcment\"")
    result = run("plugins", "check", "--path", str(good))
    assert result.exit_code == 1
    assert "activity S21-O1-mmsb-i: unknown committee 'enforcment'" in result.stdout


def test_checking_forgets_the_package_but_not_naptip(package: Path,
                                                     run: Callable[..., Result]) -> None:
    import sys

    import naptip.base.model

    assert run("plugins", "check", "--path", str(package)).exit_code == 0
    assert "naptip_mmea_sabah" not in sys.modules
    assert sys.modules["naptip.base.model"] is naptip.base.model
    assert "naptip.plan.packagecheck" in sys.modules
