"""Parsed plan data is cached by its text: the same objects back, a changed file or a
new naptip parsed again, a damaged cache ignored and rewritten, errors never cached."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from naptip.base.errors import DataFileError
from naptip.plan import parsecache
from naptip.plan.catalog import build_catalog
from naptip.plan.datafiles.datafile import DataFile, _parse_data, parse_data
from naptip.plan.export import to_json
from naptip.plan.pluginmanager import BUILTIN_PLUGINS, build_plugin_manager

DATA = """
[[agency]]
id = "jim-sabah"
name = "Immigration Department, Sabah"
short_name = "JIM Sabah"
committees = ["enforcement"]
"""


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


class Counting:
    """A parse that counts its calls."""

    def __init__(self, text: str, source: str = "agency.toml") -> None:
        self.text, self.source, self.calls = text, source, 0

    def __call__(self) -> DataFile:
        self.calls += 1
        return _parse_data(self.text, self.source)

    def get(self) -> DataFile:
        return parsecache.cached(self.text, self.source, self, DataFile)


def entries() -> list[Path]:
    return sorted(parsecache.cache_dir().glob("*.pickle"))


def test_a_parse_is_cached_by_its_text() -> None:
    parse = Counting(DATA)
    first, second = parse.get(), parse.get()
    assert parse.calls == 1
    assert first == second == _parse_data(DATA, "agency.toml")
    assert second.agencies[0].short_name == "JIM Sabah"
    changed = Counting(DATA.replace("JIM Sabah", "JIM Sbh"))
    assert changed.get().agencies[0].short_name == "JIM Sbh"
    assert changed.calls == 1
    assert len(entries()) == 1  # the older text's entry is gone


def test_a_new_naptip_version_parses_again(monkeypatch: pytest.MonkeyPatch) -> None:
    parse = Counting(DATA)
    parse.get()
    monkeypatch.setattr(sys.modules["naptip"], "__version__", "99.0")
    parse.get()
    assert parse.calls == 2


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95garbage",
                                    pickle.dumps({"a": "dict, not a DataFile"})])
def test_a_damaged_entry_is_ignored_and_rewritten(damage: bytes) -> None:
    parse = Counting(DATA)
    good = parse.get()
    [entry] = entries()
    entry.write_bytes(damage)
    assert parse.get() == good
    assert parse.calls == 2
    assert pickle.loads(entry.read_bytes()) == good  # written again
    assert parse.get() == good and parse.calls == 2


def test_an_unwritable_cache_folder_is_skipped(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    parse = Counting(DATA)
    assert parse.get() == parse.get() == _parse_data(DATA, "agency.toml")
    assert parse.calls == 2  # nothing could be kept, nothing failed


def test_errors_are_not_cached_and_no_cache_turns_it_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):
        with pytest.raises(DataFileError, match=r"bad\.toml: not valid TOML"):
            parse_data("[[agency]\n", "bad.toml")
    assert entries() == []
    monkeypatch.setenv("NAPTIP_NO_CACHE", "1")
    parse = Counting(DATA)
    parse.get()
    parse.get()
    assert parse.calls == 2 and entries() == []


def test_the_catalog_from_the_cache_is_the_parsed_one() -> None:
    environ = {"NAPTIP_ENABLE_PLUGINS": ",".join(BUILTIN_PLUGINS)}
    code = ("import sys\n"
            "from naptip.plan.catalog import build_catalog\n"
            "from naptip.plan.export import to_json\n"
            "from naptip.plan.pluginmanager import build_plugin_manager\n"
            f"loaded = build_plugin_manager(environ={environ!r})\n"
            "sys.stdout.write(to_json(build_catalog(loaded)))\n")
    env = {**os.environ}
    env.pop("NAPTIP_NO_CACHE", None)
    cold = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True, timeout=120).stdout
    # the plan, each plugin's file and the 6 activity files of NAPTIP 3.0's package
    assert len(entries()) == 1 + len(BUILTIN_PLUGINS) + 6
    warm = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True, timeout=120).stdout
    env["NAPTIP_NO_CACHE"] = "1"
    uncached = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env=env, check=True, timeout=120).stdout
    assert cold == warm == uncached
    assert uncached == to_json(build_catalog(build_plugin_manager(environ=environ)))


def test_a_changed_model_module_parses_again(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    assert all(file.is_file() for file in parsecache._MODULES)  # the real ones are found
    model = tmp_path / "model.py"
    model.write_text("x = 1\n")
    monkeypatch.setattr(parsecache, "_MODULES", (model,))
    parse = Counting(DATA)
    parse.get()
    parse.get()
    model.write_text("x = 22\n")  # an edited model (an editable install, same version)
    parse.get()
    assert parse.calls == 2
