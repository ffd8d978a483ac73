"""Matching what people type against ids and names: case-insensitive, with suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from naptip.base.text import echo_cut


def match_id(given: str, candidates: Iterable[str]) -> str | None:
    """The candidate equal to ``given`` ignoring case and surrounding spaces, or None."""
    key = given.strip().casefold()
    return next((c for c in candidates if c.casefold() == key), None)


def suggestion(given: str, candidates: Iterable[str], *, n: int = 3) -> str:
    """"; did you mean A, B?" (empty when nothing is close)."""
    if len(given) > 200:
        return ""
    folded = {c.casefold(): c for c in candidates}
    close = difflib.get_close_matches(given.strip().casefold(), list(folded), n=n)
    return f"; did you mean {', '.join(folded[c] for c in close)}?" if close else ""


def id_hint(given: str, candidates: Iterable[str]) -> str:
    """"; did you mean P2?" for a bare number ("2") whose prefixed id exists, else the
    close matches of :func:`suggestion`."""
    known = list(candidates)
    number = given.strip()
    if number.isdigit():
        prefixed = [c for c in known if c.rstrip("0123456789") and
                    c[len(c.rstrip("0123456789")):] == str(int(number))]
        if prefixed:
            return f"; did you mean {', '.join(prefixed)}?"
    return suggestion(given, known)


def unknown(what: str, given: str, candidates: Iterable[str]) -> str:
    """"no occurrence has the id 'X'; did you mean ...?" with the input cut to size."""
    return f"no {what} {echo_cut(given)!r}{suggestion(given, candidates)}"
