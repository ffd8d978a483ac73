"""Compact progress bars for tables: readable with or without colour."""

from __future__ import annotations

from rich.text import Text

BAR_WIDTH = 16


def done_bar(done: int, total: int, width: int = BAR_WIDTH) -> Text:
    """``█████░░░░░  31.2%``: ``done`` out of ``total``, for a table cell."""
    share = done / total if total else 0.0
    filled = round(share * width)
    if done and not filled:
        filled = 1  # some work done is never shown as none
    bar = Text("█" * filled, style="green")
    bar.append("░" * (width - filled), style="dim")
    bar.append(f" {100 * share:5.1f}%")
    return bar
