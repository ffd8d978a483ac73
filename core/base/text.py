"""Text from users or files made safe to show in a terminal."""

from __future__ import annotations

import re
import unicodedata

ECHO_LIMIT = 80  #: echoed input longer than this is cut

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str, *, keep_newlines: bool = False) -> str:
    """Strip control characters (ESC sequences included) and bidirectional overrides and
    isolates, which could clear the screen or show a name reversed."""
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch in "\t\n":
            out.append(" ")
        elif _CONTROL.match(ch) or unicodedata.category(ch) == "Cf":
            continue
        else:
            out.append(ch)
    return "".join(out)


_STORED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(text: str) -> str | None:
    """The first C0 control character (or DEL) in a text to be stored, shown as U+XXXX,
    tab and line ends allowed; None if there is none. Such a character is invisible, and a
    spreadsheet cannot hold it."""
    found = _STORED_CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def echo_cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """Input echoed in an error: made safe and cut to a sane length."""
    clean = safe(text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"
