"""The command line loads the plugins once: the set ``main`` loads to find the plugins'
commands serves the command too, when the command chooses the same plugins (issue 18)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PLUGIN = """from pathlib import Path

with open(Path(__file__).with_name("loads.txt"), "a", encoding="utf-8") as out:
    out.write("loaded\\n")
"""


@pytest.mark.parametrize(("how", "loads"), [("env", 1), ("option", 1), ("enable", 2)])
def test_plugins_are_loaded_once_when_the_command_chooses_the_same(
        tmp_path: Path, how: str, loads: int) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "counter.py").write_text(PLUGIN, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path / "d"),
           "XDG_CONFIG_HOME": str(tmp_path / "c"), "XDG_CACHE_HOME": str(tmp_path / "k")}
    args = ["plugins", "list", "--json"]
    env["NAPTIP_PLUGINS_DIR"] = str(folder)
    if how == "option":  # the same folder named again: the same plugins
        args = ["--plugins-dir", f"{folder}/", *args]
    code = "import sys; from naptip.cli import main; sys.exit(main())"
    if how == "enable":  # the choice changed after start-up (as a test could do)
        code = ("import os, sys; from naptip.cli import main, app\n"
                "register = app.register_plugin_commands\n"
                "def changed(group):\n"
                "    loaded = register(group)\n"
                "    os.environ['NAPTIP_DISABLE_PLUGINS'] = 'media'\n"
                "    return loaded\n"
                "app.register_plugin_commands = changed\n"
                "sys.exit(main())")
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    names = {p["name"] for p in json.loads(done.stdout)["plugins"]}
    assert "counter" in names
    assert ("media" in names) == (how != "enable")
    assert (folder / "loads.txt").read_text(encoding="utf-8").count("loaded") == loads
