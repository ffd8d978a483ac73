"""Indicator values by kind, parsed from what a person types; errors say what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from naptip.base.errors import NaptipError
from naptip.base.model import IndicatorKind
from naptip.base.text import echo_cut


class EvidenceError(NaptipError):
    """Evidence that cannot be accepted as given; nothing was stored."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Value:
    kind: IndicatorKind
    count: int | None = None
    amount: Decimal | None = None
    percentage: Decimal | None = None
    flag: bool | None = None
    on_date: date | None = None
    text: str | None = None

    def display(self) -> str:
        if self.kind is IndicatorKind.COUNT:
            return f"{self.count:,}"
        if self.kind is IndicatorKind.AMOUNT:
            return f"MYR {self.amount:,.2f}"
        if self.kind is IndicatorKind.PERCENTAGE:
            return f"{self.percentage}%"
        if self.kind is IndicatorKind.MILESTONE:
            reached = "yes" if self.flag else "no"
            return reached + (f" ({self.on_date})" if self.on_date else "")
        return self.text or ""


MAX_COUNT = 10**12  #: a count above a trillion is a typing error, not a figure
MAX_AMOUNT = Decimal("999999999999999.99")  #: stored exactly as sen in a 64-bit integer
_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def check_day(day: date, what: str, *, earliest: date, latest: date) -> date:
    """A day the work was done: not before ``earliest`` (the plan's start), not after
    ``latest`` (today, by the plan's clock and by the real one, whichever is earlier)."""
    if day > latest:
        raise EvidenceError(f"{what} {day} is in the future (today is {latest})")
    if day < earliest:
        raise EvidenceError(f"{what} {day} is before the plan started ({earliest})")
    return day


def parse_count(text: str, where: str) -> int:
    """A whole number of things or people: 0 to a trillion, ASCII digits, commas allowed
    as thousands separators."""
    cleaned = text.strip().replace(",", "")
    if cleaned.startswith("-") and _DIGITS.fullmatch(cleaned[1:]):
        raise EvidenceError(f"{where}: a count cannot be negative ({cleaned[:20]})")
    if not _DIGITS.fullmatch(cleaned):
        raise EvidenceError(f"{where}: {echo_cut(text.strip())!r} is not a whole number")
    if len(cleaned) > 13 or int(cleaned) > MAX_COUNT:
        raise EvidenceError(f"{where}: a count is at most {MAX_COUNT:,}")
    return int(cleaned)


_YES = {"yes", "y", "true", "done", "ya"}
_NO = {"no", "n", "false", "not yet", "tidak"}
_AMOUNT = re.compile(r"^(?:MYR|RM)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)$", re.IGNORECASE)


def parse_value(kind: IndicatorKind, raw: str, where: str, *, done_on: date | None,
                earliest: date = date.min, latest: date = date.max) -> Value:
    text = raw.strip()
    if kind is IndicatorKind.COUNT:
        return Value(kind=kind, count=parse_count(text, where))
    if kind is IndicatorKind.AMOUNT:
        match = _AMOUNT.match(text)
        if not match:
            raise EvidenceError(f"{where}: {echo_cut(text)!r} is not an amount in MYR "
                                "(e.g. 12500.00)")
        digits = match.group(1).replace(",", "")
        if len(digits.partition(".")[0]) > 15:
            raise EvidenceError(f"{where}: an amount is at most MYR {MAX_AMOUNT:,}")
        amount = Decimal(digits)
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise EvidenceError(f"{where}: an amount in MYR has at most two decimals")
        if amount > MAX_AMOUNT:
            raise EvidenceError(f"{where}: an amount is at most MYR {MAX_AMOUNT:,}")
        return Value(kind=kind, amount=amount.quantize(Decimal("0.01")))
    if kind is IndicatorKind.PERCENTAGE:
        number = text.removesuffix("%").strip()
        if not re.fullmatch(r"[0-9]{1,3}(?:\.[0-9]+)?", number, re.ASCII):
            raise EvidenceError(f"{where}: {echo_cut(text)!r} is not a percentage (0 to 100)")
        try:
            share = Decimal(number)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise EvidenceError(f"{where}: {echo_cut(text)!r} is not a percentage") from None
        if not Decimal(0) <= share <= Decimal(100):
            raise EvidenceError(f"{where}: a percentage is between 0 and 100 ({share})")
        return Value(kind=kind, percentage=share.quantize(Decimal("0.01")))
    if kind is IndicatorKind.MILESTONE:
        answer, _, when = text.partition("@")
        flag = answer.strip().lower()
        if flag not in _YES | _NO:
            raise EvidenceError(f"{where}: answer yes or no (optionally yes@YYYY-MM-DD)")
        day = done_on
        if when.strip():
            try:
                day = date.fromisoformat(when.strip())
            except ValueError:
                raise EvidenceError(f"{where}: {echo_cut(when.strip())!r} is not a date like "
                                    "2024-07-30") from None
        reached = flag in _YES
        if not reached:
            raise EvidenceError(f"{where}: a milestone answered no is not evidence that it "
                                "was reached: submit when it is (yes@YYYY-MM-DD)")
        if day is None:
            raise EvidenceError(f"{where}: say when the milestone was reached (yes@YYYY-MM-DD "
                                "or --done-on)")
        check_day(day, f"{where}: the milestone date", earliest=earliest, latest=latest)
        return Value(kind=kind, flag=reached, on_date=day)
    if not text:
        raise EvidenceError(f"{where}: the text is empty")
    if len(text) > 20_000:
        raise EvidenceError(f"{where}: the text is longer than 20,000 characters")
    return Value(kind=kind, text=text)  # deliverable (a title or reference) and narrative
