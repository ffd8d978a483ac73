"""The plain-text tree (``plan show`` piped or captured) is line for line what rich draws
without colour; rich still draws it for a terminal, and wherever parity is not certain."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from naptip.cli import plaintree
from naptip.cli.plaintree import Node, plain_width, tree_lines, wrap
from naptip.cli.planning.plan import _plan_tree
from naptip.plan.catalog import Catalog
from naptip.plan.export import sorted_activities

Run = Callable[..., Result]


def rich_lines(renderable: Tree | Text, width: int) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False,
            legacy_windows=False).print(renderable)
    return out.getvalue().split("\n")[:-1]


def rich_tree(node: Node, *, markup: bool) -> Tree:
    tree = Tree(node.label if markup else Text(node.label))
    for child in node.children:
        tree.children.append(rich_tree(child, markup=markup))
    return tree


@pytest.mark.parametrize("width", [24, 40, 57, 80, 81, 120, 250])
def test_the_whole_plan_draws_as_rich_draws_it(builtin_catalog: Catalog, width: int) -> None:
    activities = sorted_activities(builtin_catalog)
    plain = tree_lines(_plan_tree(builtin_catalog, activities, None), width)
    assert plain is not None
    assert plain == rich_lines(rich_tree(_plan_tree(builtin_catalog, activities, escape),
                                         markup=True), width)
    assert len(plain) > len(activities) * 2  # the tree was drawn, wrapped
    assert max(len(line) for line in plain) <= width


def test_too_narrow_or_wide_characters_are_left_to_rich() -> None:
    root = Node("root")
    child = root.add("a child")
    assert tree_lines(root, 80) == ["root", "└── a child"]
    assert tree_lines(root, plaintree.MIN_LABEL_WIDTH + 3) is None
    child.add("東京")  # two cells a character
    assert tree_lines(root, 80) is None
    assert tree_lines(Node("bell\x07"), 80) is None  # rich strips control characters


WORDS = st.text(alphabet="ab cd  efghij[]\\/-·’é\xa0\n", max_size=120)


@settings(max_examples=300, deadline=None)
@given(text=WORDS, width=st.integers(min_value=1, max_value=30))
def test_wrapping_is_richs(text: str, width: int) -> None:
    assert wrap(text, width) == rich_lines(Text(text), width)


def trees(depth: int = 3) -> st.SearchStrategy[Node]:
    leaf = st.builds(Node, WORDS)
    if depth == 0:
        return leaf
    return st.builds(Node, WORDS, st.lists(trees(depth - 1), max_size=3))


@settings(max_examples=200, deadline=None)
@given(root=trees(), width=st.integers(min_value=20, max_value=60))
def test_random_trees_draw_as_rich_draws_them(root: Node, width: int) -> None:
    lines = tree_lines(root, width)
    assert lines is not None
    assert lines == rich_lines(rich_tree(root, markup=False), width)


def test_plain_only_where_rich_would_print_no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.setenv("COLUMNS", "66")
    assert plain_width() == 66
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert plain_width() is None
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    assert plain_width() == 66
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert plain_width() is None


def test_forced_colour_still_draws_with_rich(run: Run) -> None:
    """FORCE_COLOR makes rich colour a pipe: the tree is then rich's, in colour."""
    out = run("plan", "show", "--objective", "S9", env={"FORCE_COLOR": "1",
                                                       "COLUMNS": "80"}).stdout
    plain = run("plan", "show", "--objective", "S9", env={"COLUMNS": "80"}).stdout
    assert "\x1b[" in out and "\x1b[" not in plain
    assert "S9-O2-i-a" in plain and "└── " in plain


def test_a_piped_plan_show_needs_no_rich() -> None:
    code = ("import sys\n"
            "from naptip.cli import main\n"
            "sys.argv = ['naptip', 'plan', 'show', '--objective', 'S9']\n"
            "try:\n"
            "    main()\n"
            "finally:\n"
            "    sys.stderr.write(str(sorted(m for m in sys.modules"
            " if m.startswith('rich.'))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"COLUMNS": "80", "PATH": "/usr/bin:/bin"}, check=False,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "S9-O1-i " in done.stdout
    assert done.stderr == "[]"
