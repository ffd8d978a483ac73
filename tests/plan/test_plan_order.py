"""Plan order follows the plan's numbering; S9-O2-i shows both sub-items (issue 8, §7)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

from click.testing import Result

from naptip.plan.catalog import Catalog
from naptip.plan.export import plan_order, sorted_activities

Run = Callable[..., Result]


def test_roman_numbering_sorts_as_numbers() -> None:
    ids = ["S10-O1-i", "S4-O1-iii", "S4-O1-ii", "S4-O2-i", "S4-O1-i", "S4-O1-iv",
           "S4-O1-ix", "S4-O1-x", "S9-O2-i-b", "S9-O2-i-a", "S9-O2-ii"]
    assert sorted(ids, key=plan_order) == [
        "S4-O1-i", "S4-O1-ii", "S4-O1-iii", "S4-O1-iv", "S4-O1-ix", "S4-O1-x", "S4-O2-i",
        "S9-O2-i-a", "S9-O2-i-b", "S9-O2-ii", "S10-O1-i"]


def test_export_and_show_follow_the_numbering(run: Run, builtin_catalog: Catalog) -> None:
    ordered = [a.id for a in sorted_activities(builtin_catalog)]
    assert ordered.index("S4-O1-i") < ordered.index("S4-O1-ii") < ordered.index("S4-O1-iii")
    rows = list(csv.DictReader(io.StringIO(run("plan", "export", "--format", "csv").stdout)))
    assert [r["id"] for r in rows] == ordered
    data = json.loads(run("plan", "export", "--format", "json").stdout)
    assert [a["id"] for a in data["activities"]] == ordered
    tree = run("plan", "show", "--objective", "S4").stdout
    assert tree.index("S4-O1-i ") < tree.index("S4-O1-ii ") < tree.index("S4-O1-iii ")
    output = run("plan", "show", "S4-O1").stdout
    assert output.index("S4-O1-i ") < output.index("S4-O1-ii ")


def test_an_activity_with_sub_items_shows_both(run: Run) -> None:
    shown = run("plan", "show", "s9-o2-i")
    assert shown.exit_code == 0, shown.output
    assert "Activity S9-O2-i-a" in shown.stdout and "Activity S9-O2-i-b" in shown.stdout
    miss = run("plan", "show", "S9-O2-x")
    assert miss.exit_code == 1 and "did you mean" in miss.stderr
