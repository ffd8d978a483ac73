"""What the row checks of ``naptip audit verify`` share: a row's digest, a problem found,
a blob's bytes checked against its SHA-256."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from naptip.store.audit import canonical


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def digest(fields: list[Any]) -> str:
    return hashlib.sha256(canonical([plain(f) for f in fields]).encode("utf-8")).hexdigest()


class HasSha256(Protocol):
    """A row that names a blob by its content (an attachment, an update's document)."""

    @property
    def sha256(self) -> str: ...


@dataclass(frozen=True)
class RowProblem:
    what: str  #: "evidence #3", "attachment #2 (report.pdf)", "audit entry 7"
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


def check_blob(label: str, root: Path, a: HasSha256) -> Iterator[RowProblem]:
    path = root / a.sha256[:2] / a.sha256[2:]
    try:
        hasher = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                hasher.update(chunk)
    except FileNotFoundError:
        yield RowProblem(label, f"its file {path} is missing")
        return
    if hasher.hexdigest() != a.sha256:
        yield RowProblem(label, f"its file {path} no longer hashes to its SHA-256 "
                         "(overwritten)")
