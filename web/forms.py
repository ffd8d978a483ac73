"""The evidence form: from posted fields to the evidence service's Submission, and the
service's one-line refusals back to the field that caused them.

All checking is the service's (values by kind, breakdown totals, dates, links, files, the
personal-data guard, plugin rules): this module only reshapes input and messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from naptip.base.model import Indicator
from naptip.progress.evidence import AGE, SEX, Submission
from naptip.web.uploads import Form

FIELDS_BY_DIMENSION = {"sex": SEX, "age": AGE}


class FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def submission(form: Form, *, occurrence_id: str, actor: str,
               indicators: tuple[Indicator, ...]) -> Submission:
    values = {str(n): form.get(f"value_{n}").strip() for n in range(1, len(indicators) + 1)
              if form.get(f"value_{n}").strip()}
    breakdown: dict[str, dict[str, str]] = {}
    for dimension, categories in FIELDS_BY_DIMENSION.items():
        given = {c: form.get(f"{dimension}_{c}").strip() for c in categories}
        if any(given.values()):
            breakdown[dimension] = {c: v or "0" for c, v in given.items()}
    nationality: dict[str, str] = {}
    for line in form.get("nationality").splitlines():
        if not line.strip():
            continue
        name, sep, count = line.rpartition("=")
        if not sep or not name.strip():
            raise FieldError("nationality", "write one nationality a line, as "
                                            "Nationality = count")
        nationality[name.strip()] = count.strip()
    if nationality:
        breakdown["nationality"] = nationality
    done_on: date | None = None
    if form.get("done_on").strip():
        try:
            done_on = date.fromisoformat(form.get("done_on").strip())
        except ValueError:
            raise FieldError("done_on", "the date the work was done is not a date like "
                                        "2024-07-30") from None
    links = [line.strip() for line in form.get("links").splitlines() if line.strip()]
    return Submission(
        occurrence_id=occurrence_id, actor=actor, values=values, breakdown=breakdown,
        files=[str(u.path) for u in form.files], file_names=[u.name for u in form.files],
        done_on=done_on, note=form.get("note") or None, links=links,
        nil=form.get("nil") == "yes")


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^evidence refused: found what looks like .*? in indicator (\d+)"),
     lambda m: f"value_{m.group(1)}"),
    (re.compile(r"^evidence refused: found what looks like .*? in the note"),
     lambda m: "note"),
    (re.compile(r"^evidence refused: found what looks like .*? in link"), lambda m: "links"),
    (re.compile(r"^evidence refused: found what looks like .*? in (a file|file)"),
     lambda m: "files"),
    (re.compile(r"^evidence refused: found what looks like .*? in the (sex|age|nationality)"),
     lambda m: m.group(1)),
    (re.compile(r"^indicator '?(\d+)"), lambda m: f"value_{m.group(1)}"),
    (re.compile(r"^--(sex|age|nationality)\b"), lambda m: m.group(1)),
    (re.compile(r"^--done-on"), lambda m: "done_on"),
    (re.compile(r"^--nil"), lambda m: "nil"),
    (re.compile(r"^link "), lambda m: "links"),
    (re.compile(r"^(file|a deliverable|each file)"), lambda m: "files"),
    (re.compile(r"^the note"), lambda m: "note"),
)
_CLI = ((re.compile(r"\s*\((?:--[a-z-]+|naptip|see `)[^)]*\)"), ""),
        (re.compile(r"--value (\d+)=\.\.\."), r"indicator \1"),
        (re.compile(r"--done-on"), "the date done"),
        (re.compile(r"--(sex|age|nationality)"), r"the \1 breakdown"),
        (re.compile(r"--nil"), "'no such work this year'"),
        (re.compile(r"\(--file[^)]*\)|--file"), "(attach a file)"))


def field_of(message: str) -> str:
    """The form field a refusal is about ("form" when it is about the whole)."""
    for pattern, name in _RULES:
        match = pattern.search(message)
        if match:
            return name(match)
    return "form"


def plain(message: str) -> str:
    """The service's message without command-line hints."""
    for pattern, replacement in _CLI:
        message = pattern.sub(replacement, message)
    return message
