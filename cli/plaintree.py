"""A tree drawn as plain text, line for line what rich draws when the output is not a
terminal, without importing rich.

``naptip plan show`` spent ~40 % of its time in rich laying out 1,125 lines of tree that,
piped or captured, carry no colour at all (issue 18). When the output is not a terminal
and every label is made of characters one cell wide, the tree is drawn here, with rich's
rules (its width, guides, word wrapping and folding of long words); otherwise — a
terminal, ``FORCE_COLOR``, a non-UTF-8 output, wide or control characters, a width too
narrow — the caller draws it with rich. tests/cli/test_plaintree.py holds the two to the
same output.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

#: rich's tree guides (rich.tree.Tree.TREE_GUIDES[0]): space, continue, fork, end
SPACE, CONTINUE, FORK, END = "    ", "│   ", "├── ", "└── "
GUIDE = len(SPACE)
#: narrower than this for a label, and the tree is left to rich
MIN_LABEL_WIDTH = 8
#: the characters whose width rich counts as one cell and that it prints as they are:
#: printable ASCII, and Latin-1 to IPA (no soft hyphen) plus common punctuation
_ONE_CELL = re.compile("[\x20-\x7e\xa0-\xac\xae-\u02ff\u2010-\u2027\u2030-\u205e\u20ac\n]*")
_WORD = re.compile(r"\s*\S+\s*")  # rich._wrap.re_word
_TRAILING_SPACE = re.compile(r"\s+$")


@dataclass
class Node:
    """A label (lines separated by "\\n"; plain text, or rich markup for rich) and the
    nodes under it."""

    label: str
    children: list[Node] = field(default_factory=list)

    def add(self, label: str) -> Node:
        child = Node(label)
        self.children.append(child)
        return child


def plain_width() -> int | None:
    """The width rich's ``Console()`` would use when standard output is not a terminal,
    or None when it is one (or rich would treat it as one, or might draw differently)."""
    if sys.platform == "win32":
        return None
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible == "1" or (tty_compatible != "0"
                                 and os.environ.get("FORCE_COLOR") is not None):
        return None
    if "ipykernel" in sys.modules:
        return None
    out = sys.stdout
    try:
        if tty_compatible != "0" and out.isatty():
            return None
    except (AttributeError, ValueError):
        pass
    encoding = (getattr(out, "encoding", None) or "utf-8").lower()
    if not encoding.startswith("utf"):
        return None  # rich would draw ASCII guides
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for fd in (0, 1, 2):  # as rich: the first standard stream that is a terminal
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80


def wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped to ``width`` cells as rich's ``Text.wrap`` does with the default
    justification and overflow ("fold"), for text of one-cell characters."""
    lines: list[str] = []
    for line in text.split("\n"):
        breaks = _divide_line(line, width)
        for start, end in zip([0, *breaks], [*breaks, len(line)], strict=True):
            piece = line[start:end]
            if len(piece) > width:  # rstrip_end: trailing space beyond the width goes
                space = _TRAILING_SPACE.search(piece)
                if space is not None:
                    piece = piece[:len(piece) - min(len(space.group(0)), len(piece) - width)]
            lines.append(piece[:width])  # truncate (fold)
    return lines


def _divide_line(text: str, width: int) -> list[int]:
    """rich._wrap.divide_line with fold=True, a character being one cell."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # fold the word over several lines
            chunks = [word[i:i + width] for i in range(0, len(word), width)]
            for n, chunk in enumerate(chunks):
                if start:
                    breaks.append(start)
                if n == len(chunks) - 1:
                    offset = len(chunk)
                else:
                    start += len(chunk)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def tree_lines(root: Node, width: int) -> list[str] | None:
    """The tree's lines as rich draws them at ``width`` (guides of four cells per level,
    the root without one), or None when rich must draw it (see the module's note)."""
    lines: list[str] = []
    for prefix, rest, node, depth in _walk(root):
        room = width - GUIDE * depth
        if room < MIN_LABEL_WIDTH or _ONE_CELL.fullmatch(node.label) is None:
            return None
        for n, line in enumerate(wrap(node.label, room)):
            lines.append((prefix if n == 0 else rest) + line)
    return lines


def _walk(root: Node) -> Iterator[tuple[str, str, Node, int]]:
    """(first-line prefix, next-lines prefix, node, depth), depth first."""
    yield "", "", root, 0
    stack: list[tuple[str, Iterator[tuple[bool, Node]]]] = [("", _last_flagged(root))]
    while stack:
        above, children = stack[-1]
        item = next(children, None)
        if item is None:
            stack.pop()
            continue
        last, node = item
        yield (above + (END if last else FORK), above + (SPACE if last else CONTINUE), node,
               len(stack))
        if node.children:
            stack.append((above + (SPACE if last else CONTINUE), _last_flagged(node)))


def _last_flagged(node: Node) -> Iterator[tuple[bool, Node]]:
    count = len(node.children)
    return ((n == count - 1, child) for n, child in enumerate(node.children))


def print_tree(build: Callable[[Callable[[str], str] | None], Node]) -> None:
    """Print the tree that ``build`` makes to standard output: ``build(None)`` makes it
    in plain text, printed as lines when rich would print the same lines without
    colour; else ``build(rich.markup.escape)`` makes it in markup, printed by rich."""
    width = plain_width()
    lines = tree_lines(build(None), width) if width is not None else None
    if lines is not None:
        sys.stdout.write("".join(line + "\n" for line in lines))
        sys.stdout.flush()
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    root = build(escape)
    top = Tree(root.label)
    stack = [(root, top)]
    while stack:
        node, tree = stack.pop()
        stack.extend((child, tree.add(child.label)) for child in node.children)
    Console().print(top)
