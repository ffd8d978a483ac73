"""The personal-data guard (NAPTIP 3.0, S24: protect victims' personal data).

Evidence is about work done, not about people: text that looks like a Malaysian MyKad
number, a passport number or a phone number is refused. Messages say what was found and
where, never the value itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# MyKad: YYMMDD-PB-###G, with or without dashes; the date part must be a real month/day.
_MYKAD = re.compile(r"(?<!\d)(\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])[- ]?(\d{2})[- ]?(\d{4})"
                    r"(?!\d)")
# Passports: Malaysian A/H/K + 8 digits, and the common 1-2 letters + 6-9 digits forms.
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}\d{6,9}(?![A-Za-z0-9])")
_PASSPORT_WORD = re.compile(r"(?i)\bpassport\s*(?:no\.?|number|#)?\s*[:#]?\s*[A-Z0-9]{6,10}\b")
# Phones: Malaysian mobiles (01x) and landlines (0x), +60, or any +country number.
_PHONE = re.compile(
    r"(?<![\d+])(?:\+?60[- ]?|0)1\d[- ]?\d{3,4}[- ]?\d{4}(?!\d)"
    r"|(?<![\d+])(?:\+?60[- ]?|0)[2-9][- ]?\d{3,4}[- ]?\d{4}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}[- ]?\d{2,4}[- ]?\d{3,4}[- ]?\d{3,4}(?!\d)"
)

CHECKS = (
    ("a MyKad number", _MYKAD),
    ("a passport number", _PASSPORT),
    ("a passport number", _PASSPORT_WORD),
    ("a phone number", _PHONE),
)


@dataclass(frozen=True)
class Finding:
    what: str  #: "a MyKad number"
    where: str  #: "the note", "indicator 2", "file report.txt"
    line: int

    def __str__(self) -> str:
        return f"{self.what} in {self.where} (line {self.line})"


def scan(text: str, where: str) -> list[Finding]:
    findings: list[Finding] = []
    for number, line in enumerate(text.splitlines() or [text], 1):
        seen: set[str] = set()
        for what, pattern in CHECKS:
            if what not in seen and pattern.search(line):
                seen.add(what)
                findings.append(Finding(what, where, number))
    return findings


def refusal(findings: list[Finding], refused: str = "evidence refused") -> str:
    found = "; ".join(str(f) for f in findings[:5])
    more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
    return (f"{refused}: found what looks like {found}{more}. Victims' personal data "
            "must not enter naptip (NAPTIP 3.0, S24): remove it and submit again")
