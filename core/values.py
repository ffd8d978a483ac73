"""Indicator values by kind, parsed from what a person types; errors say what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import NaptipError
from .model import IndicatorKind


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


_YES = {"yes", "y", "true", "done", "ya"}
_NO = {"no", "n", "false", "not yet", "tidak"}
_AMOUNT = re.compile(r"^(?:MYR|RM)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)$", re.IGNORECASE)


def parse_value(kind: IndicatorKind, raw: str, where: str, *, done_on: date | None) -> Value:
    text = raw.strip()
    if kind is IndicatorKind.COUNT:
        cleaned = text.replace(",", "")
        if not re.fullmatch(r"-?\d+", cleaned):
            raise EvidenceError(f"{where}: {text!r} is not a whole number")
        number = int(cleaned)
        if number < 0:
            raise EvidenceError(f"{where}: a count cannot be negative ({number})")
        return Value(kind=kind, count=number)
    if kind is IndicatorKind.AMOUNT:
        match = _AMOUNT.match(text)
        if not match:
            raise EvidenceError(f"{where}: {text!r} is not an amount in MYR (e.g. 12500.00)")
        amount = Decimal(match.group(1).replace(",", ""))
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise EvidenceError(f"{where}: an amount in MYR has at most two decimals")
        return Value(kind=kind, amount=amount.quantize(Decimal("0.01")))
    if kind is IndicatorKind.PERCENTAGE:
        try:
            share = Decimal(text.removesuffix("%").strip())
        except InvalidOperation:
            raise EvidenceError(f"{where}: {text!r} is not a percentage") from None
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
                raise EvidenceError(f"{where}: {when.strip()!r} is not a date like "
                                    "2024-07-30") from None
        reached = flag in _YES
        if reached and day is None:
            raise EvidenceError(f"{where}: say when the milestone was reached (yes@YYYY-MM-DD "
                                "or --done-on)")
        return Value(kind=kind, flag=reached, on_date=day if reached else None)
    if not text:
        raise EvidenceError(f"{where}: the text is empty")
    if len(text) > 20_000:
        raise EvidenceError(f"{where}: the text is longer than 20,000 characters")
    return Value(kind=kind, text=text)  # deliverable (a title or reference) and narrative
