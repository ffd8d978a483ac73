"""The personal-data guard (NAPTIP 3.0, S24: protect victims' personal data).

Evidence is about work done, not about people: text that looks like a Malaysian MyKad
number, a passport number or a phone number is refused. Messages say what was found and
where, never the value.

- MyKad: YYMMDD-PB-###G with dashes, dots, spaces or nothing between the parts, the date
  part a real month and day.
- Passports: the Malaysian form (A, H or K and 8 digits) anywhere; other forms (one or two
  letters and 6 to 9 digits) only after the word passport / pasport, so that budget codes
  such as AB123456 pass.
- Phones: Malaysian mobiles and landlines (dashes, dots, spaces, brackets), +60, any +country
  number; official numbers listed in ``data/official_numbers.toml`` (the ATIP Hotline,
  agency lines) are allowed.

What it cannot do: recognise a victim's name or address. docs/evidence.md says so, and the
submit form asks for short notes.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_SEP = r"[-. ]?"
_MYKAD = re.compile(r"(?<![\d.])(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])" + _SEP
                    + r"(\d{2})" + _SEP + r"(\d{4})(?![\d])")
_PASSPORT_MY = re.compile(r"(?<![A-Za-z0-9])[AHK]\d{8}(?![A-Za-z0-9])")
_PASSPORT_WORD = re.compile(
    r"(?i)\b(?:passport|pasport|paspot)\b[^\n\d]{0,25}?(?<![A-Za-z0-9])"
    r"(?-i:[A-Z]{1,2}) ?\d{6,9}(?![A-Za-z0-9])")
_PHONE = re.compile(
    r"(?<![\d+])(?:\+?60[-. ]?|0)1\d[-. ]?\d{3,4}[-. ]?\d{4}(?!\d)"
    r"|(?<![\d+])(?:\+?60[-. ]?\(?|\(?0)[2-9]\)?[-. ]?\d{3,4}[-. ]?\d{4}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}[-. ]?\d{2,4}[-. ]?\d{3,4}[-. ]?\d{3,4}(?!\d)"
)

CHECKS = (
    ("a MyKad number", _MYKAD),
    ("a passport number", _PASSPORT_MY),
    ("a passport number", _PASSPORT_WORD),
    ("a phone number", _PHONE),
)


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "0" + digits[2:] if digits.startswith("60") else digits


@cache
def official_numbers() -> frozenset[str]:
    """The allowlist: official numbers (digits, national form) from the data file."""
    data = tomllib.loads(files("naptip.data").joinpath("official_numbers.toml").read_text(
        encoding="utf-8"))
    return frozenset(_digits(entry["number"]) for entry in data.get("number", []))


@dataclass(frozen=True)
class Finding:
    what: str  #: "a MyKad number"
    where: str  #: "the note", "indicator 2", "file report.txt"
    line: int

    def __str__(self) -> str:
        return f"{self.what} in {self.where} (line {self.line})"


def _found(what: str, pattern: re.Pattern[str], line: str) -> bool:
    for match in pattern.finditer(line):
        if what == "a phone number" and _digits(match.group(0)) in official_numbers():
            continue
        return True
    return False


def scan(text: str, where: str, *, tick: Callable[[], None] | None = None) -> list[Finding]:
    """What looks like personal data in ``text``, by line. ``tick`` is called every few
    hundred lines: it may raise to bound the time a long text takes."""
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines() or [text], 1):
        if tick is not None and number % 256 == 0:
            tick()
        seen: set[str] = set()
        for what, pattern in CHECKS:
            if what not in seen and _found(what, pattern, line):
                seen.add(what)
                findings.append(Finding(what, where, number))
    return findings


def refusal(findings: list[Finding], refused: str = "evidence refused", *,
            then: str = "remove it and submit again") -> str:
    found = "; ".join(str(f) for f in findings[:5])
    more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
    return (f"{refused}: found what looks like {found}{more}. Victims' personal data "
            f"must not enter naptip (NAPTIP 3.0, S24): {then}")
