"""The example plugin's own tests, with naptip.testing's fixtures (no conftest needed)."""

from __future__ import annotations

import naptip_jtk_sarawak

from naptip.testing import occurrences, problems

PLUGIN = "jtk_sarawak"
#: The working copy replaces the installed plugin (if any): tests run before installing too.
ONLY_THIS = {PLUGIN: naptip_jtk_sarawak}


def test_valid_with_only_the_committees_it_needs(naptip_plugins):
    loaded = naptip_plugins(PLUGIN, plugins=ONLY_THIS)
    assert problems(loaded, PLUGIN) == []
    # its activity is led by forced-labour and supported by enforcement: nothing else loads
    assert set(loaded.infos) == {PLUGIN, "forced_labour", "enforcement"}


def test_a_progress_report_each_year(naptip_plugins):
    loaded = naptip_plugins(PLUGIN, plugins=ONLY_THIS)
    reports = occurrences(loaded, plugin=PLUGIN)
    assert [(o.activity, o.period) for o in reports] == [
        ("S21-O1-jtksrw-i", 2023), ("S21-O1-jtksrw-i", 2024), ("S21-O1-jtksrw-i", 2025)]
    assert all(o.owner == "forced-labour" for o in reports)
