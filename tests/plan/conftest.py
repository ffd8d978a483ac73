"""What the plan tests share: the synthetic NAPTIP 4.0 draft and the package made of it."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "plans" / "naptip-4.0-draft.csv"
NEW_PLAN = ("--id", "naptip-4.0", "--title", "NAPTIP 2026-2030 (synthetic draft)",
            "--period", "2026-2030")


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic 4.0 draft made into a package, as the secretariat would."""
    from click.testing import CliRunner

    from naptip.cli import cli

    folder = tmp_path_factory.mktemp("plans") / "naptip-4.0"
    result = CliRunner().invoke(cli, ["plan", "import", str(EXAMPLE), "-o", str(folder),
                                      *NEW_PLAN], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder
