"""What evidence plugins receive: light types, importable without the database layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from naptip.base.model import Indicator
from naptip.base.values import Value

__all__ = ["AcceptedEvidence", "EvidenceDraft", "Value"]


@dataclass(frozen=True, kw_only=True)
class EvidenceDraft:
    """Validated evidence as plugins see it in ``naptip_validate_evidence``."""

    occurrence_id: str
    occurrence_kind: str
    owner: str
    activity_id: str | None
    values: tuple[tuple[int, Indicator, Value], ...]
    breakdown: Mapping[str, Mapping[str, int]]
    files: tuple[tuple[str, str, int], ...]  #: (original name, media type, size)
    done_on: date | None
    note: str | None
    links: tuple[str, ...]
    nil: bool


@dataclass(frozen=True, kw_only=True)
class AcceptedEvidence:
    """Evidence just accepted, as plugins see it in ``naptip_evidence_accepted``."""

    evidence_id: int
    occurrence_id: str
    activity_id: str | None
    owner: str
    reviewer: str
    reviewed_at: datetime
