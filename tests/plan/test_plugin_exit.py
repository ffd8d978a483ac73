"""A plugin never ends naptip: SystemExit and other BaseExceptions are its failure (issue 17).

Before, ``sys.exit(0)`` in a plugin's module ended every command at once, exit 0 and no
output; an installed package doing it made ``naptip --version`` exit silently.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from naptip import Activity, hookimpl
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import build_plugin_manager
from tests.plan.test_plugins_check_path import package
from tests.support import FakeEntryPoint

__all__ = ["package"]


class Stop(BaseException):
    """Not an Exception: what a careless plugin might raise to "stop"."""


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          *argv: str) -> tuple[object, str, str]:
    """``naptip ARGV`` as the console script runs it (plugin commands registered first)."""
    from naptip.cli import main

    monkeypatch.setattr(sys, "argv", ["naptip", *argv])
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main()
    out = capsys.readouterr()
    return ended.value.code, out.out, out.err


@pytest.fixture
def exiting_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "x.py").write_text("import sys\nsys.exit(0)\n", encoding="utf-8")
    return folder


def test_sys_exit_at_import_is_a_broken_plugin(
        exiting_dir: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    line = (f"plugin 'x' ({exiting_dir / 'x.py'}): failed to load x.py: SystemExit(0): "
            "a plugin must never end naptip")
    code, out, err = _main(monkeypatch, capsys, "--plugins-dir", str(exiting_dir),
                           "plugins", "check")
    assert (code, out.splitlines(), err) == (1, [line], "")
    # Other commands go on without it, and say so.
    code, out, err = _main(monkeypatch, capsys, "--plugins-dir", str(exiting_dir),
                           "--as-of", "2023-03-01", "run")
    assert code == 0, err
    assert err.splitlines()[0] == f"warning: {line}"
    assert "sync         done: created" in out
    assert "x" not in build_plugin_manager(plugins_dir=exiting_dir, environ={}).infos


def _exit_on_import() -> Any:
    sys.exit(2)


def test_installed_package_exiting_at_import(
        fake_entry_points: Callable[..., None], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    fake_entry_points(FakeEntryPoint("quitter", _exit_on_import, package="naptip-quitter"))
    code, out, err = _main(monkeypatch, capsys, "--version")
    assert (code, err) == (0, "")
    assert out.startswith("naptip, version ")
    code, out, _err = _main(monkeypatch, capsys, "plugins", "check")
    assert code == 1
    assert out.splitlines() == [
        "plugin 'quitter' (naptip-quitter): failed to load naptip_quitter:plugin: "
        "SystemExit(2): a plugin must never end naptip"]


def _activity() -> Activity:
    from naptip import Indicator, IndicatorKind, Timeline

    return Activity(id="S9-O1-jim-i", objective="S9", output="S9-O1", text="Awareness day",
                    indicators=(Indicator(text="Number of sessions",
                                          kind=IndicatorKind.COUNT),),
                    timeline=Timeline(start=2023, end=2025), lead="enforcement")


class ExitInHook:
    @hookimpl
    def naptip_activities(self) -> list[Activity]:
        sys.exit(3)


class StopInHook:
    @hookimpl
    def naptip_activities(self) -> list[Activity]:
        raise Stop("enough")


class ExitInGenerator:
    @hookimpl
    def naptip_activities(self) -> Iterator[Activity]:
        yield _activity()
        sys.exit(4)


@pytest.mark.parametrize(("plugin", "message"), [
    (ExitInHook(), "SystemExit(3): a plugin must never end naptip"),
    (StopInHook(), "Stop: enough"),
    (ExitInGenerator(), "SystemExit(4): a plugin must never end naptip"),
])
def test_base_exception_in_a_hook_is_the_plugins_failure(
        register_plugin: Callable[..., Catalog], plugin: object, message: str) -> None:
    catalog = register_plugin(plugin, "quitter")
    assert [str(p) for p in catalog.problems] == [
        f"plugin 'quitter': hook naptip_activities raised {message}"]
    assert len(catalog.activities) == 210


def test_exit_in_an_evidence_check_refuses_unchecked_evidence() -> None:
    from naptip.base.evidence_types import EvidenceDraft
    from naptip.plan.pluginmanager import register_plugin
    from naptip.testing import validate

    class Checker:
        @hookimpl
        def naptip_validate_evidence(self, draft: EvidenceDraft) -> list[str]:
            raise SystemExit("bye")

    loaded = build_plugin_manager(environ={})
    register_plugin(loaded, "checker", Checker())
    draft = EvidenceDraft(occurrence_id="S9-O1-i@2023", occurrence_kind="report",
                          owner="enforcement", activity_id="S9-O1-i", values=(), breakdown={},
                          files=(), done_on=None, note=None, links=(), nil=False)
    assert validate(loaded, draft) == [
        "evidence not checked: plugin 'checker': hook naptip_validate_evidence raised "
        "SystemExit('bye'): a plugin must never end naptip"]


def test_exit_while_adding_commands_is_reported(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "cmds.py").write_text(
        "import sys\nfrom naptip import hookimpl\n"
        "@hookimpl\ndef naptip_register_commands(cli):\n    sys.exit(0)\n", encoding="utf-8")
    monkeypatch.setenv("NAPTIP_PLUGINS_DIR", str(tmp_path))  # commands are added from here
    code, out, err = _main(monkeypatch, capsys, "plan", "show", "S9-O1-i")
    assert code == 0, err
    assert "S9-O1-i" in out
    assert err == (f"warning: plugin 'cmds' ({tmp_path / 'cmds.py'}): hook "
                   "naptip_register_commands raised SystemExit(0): a plugin must never end "
                   "naptip (its commands may be missing)\n")


def test_ctrl_c_is_the_users_not_the_plugins(tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text("raise KeyboardInterrupt\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        build_plugin_manager(plugins_dir=tmp_path, environ={})


def test_checking_a_package_that_exits_at_import(package: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    init = package / "naptip_mmea_sabah" / "__init__.py"
    init.write_text(init.read_text(encoding="utf-8") + "\nimport sys\n\nsys.exit(0)\n",
                    encoding="utf-8")
    code, out, _err = _main(monkeypatch, capsys, "plugins", "check", "--path", str(package))
    assert code == 1
    assert out.splitlines() == [
        "plugin 'mmea_sabah': entry point 'naptip_mmea_sabah:plugin' cannot be loaded: "
        "SystemExit(0): a plugin must never end naptip"]
