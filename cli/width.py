"""The terminal's width, for every table and list the commands print.

rich's ``Console()`` reads it (``COLUMNS``, else the terminal, else 80 when the output is
piped); a command never fixes its own width. Text that does not fit is cut with "…",
never cropped silently."""

from __future__ import annotations

import textwrap


def terminal_width() -> int:
    from rich.console import Console

    return max(Console().width, 40)


def cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters: cut with "…" when longer."""
    if len(text) <= room:
        return text
    return text[:max(room - 1, 0)].rstrip() + "…" if room > 0 else ""


def wrapped(text: str) -> str:
    """A sentence wrapped to the terminal's width."""
    return textwrap.fill(text, terminal_width(), break_on_hyphens=False,
                         break_long_words=False)
