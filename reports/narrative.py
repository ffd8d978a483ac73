"""Report narratives: what a committee says about its year, or the whole plan.

The M&E Committee's reports carry, per committee, the gaps, challenges, recommended
adjustments (S34-O1-ii) and corrective actions the committee entered
(``naptip report narrative set``). Rows are never changed: a new entry is a new row, in
one transaction with its audit entry (``report.narrative``) whose digest covers the row,
so that ``audit verify`` checks it. A report prints, for each committee, the latest entry
made by its as-of day, so that a report as of a past day says what was said then.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.reports.document import ReportError
from naptip.store import audit
from naptip.store.audit_rows import NARRATIVE, narrative_digest
from naptip.store.db import Database
from naptip.store.orm import ReportNarrative
from naptip.store.personal_data import refusal, scan

__all__ = ["FIELDS", "MAX_CHARS", "Narrative", "committee_narratives", "latest_narratives",
           "narrative_scope", "save_narrative"]

PLAN_TZ = ZoneInfo("Asia/Kuala_Lumpur")
#: the parts of a narrative, in the order a report prints them
FIELDS = ("gaps", "challenges", "adjustments", "actions")
MAX_CHARS = 4000  #: per part


@dataclass(frozen=True, kw_only=True)
class Narrative:
    id: int
    committee: str
    kind: str  #: annual or final
    year: int | None
    gaps: str
    challenges: str
    adjustments: str
    actions: str
    entered_at: datetime
    entered_by: str

    def part(self, name: str) -> str:
        return str(getattr(self, name))

    @property
    def entered_on(self) -> date:
        return self.entered_at.astimezone(PLAN_TZ).date()


def narrative_scope(kind: str, years: tuple[int, ...]) -> tuple[str, int | None]:
    """The narrative a report prints: an annual report's (or one year's committee
    report's) is that year's; the final report's (or a committee's whole plan) the final
    one."""
    if kind == "final" or len(years) != 1:
        return "final", None
    return "annual", years[0]


def _clean(name: str, text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > MAX_CHARS:
        raise ReportError(f"--{name} is {len(value):,} characters long: at most "
                          f"{MAX_CHARS:,}")
    findings = scan(value, f"--{name}") if value else []
    if findings:
        raise ReportError(refusal(findings, "narrative refused"))
    return value


def save_narrative(db: Database, *, committee: str, kind: str, year: int | None,
                   parts: dict[str, str | None], actor: str,
                   now: datetime | None = None) -> Narrative:
    """Store a committee's narrative (what ``parts`` leaves out is kept from its latest
    entry) with its audit entry, in one transaction; return the new row."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    given = {name: _clean(name, parts.get(name)) for name in FIELDS
             if parts.get(name) is not None}
    if not given:
        raise ReportError("nothing to say: give at least one of --gaps, --challenges, "
                          "--adjustments, --actions")

    def work(session: Session) -> Narrative:
        before = _latest(session, [committee], kind, year, None).get(committee)
        values = {name: before.part(name) if before else "" for name in FIELDS}
        values.update(given)
        row = ReportNarrative(committee=committee, kind=kind, year=year, entered_at=when,
                              entered_by=actor, **values)
        session.add(row)
        session.flush()
        audit.append(session, actor=actor, action=NARRATIVE,
                     subject=f"narrative #{row.id}",
                     payload={"narrative": row.id, "committee": committee, "kind": kind,
                              "year": year, "digest": narrative_digest(row)}, at=when)
        return _narrative(row)

    return db.write(work)


def latest_narratives(session: Session, committees: Iterable[str], kind: str,
                      year: int | None, as_of: date | None) -> dict[str, Narrative]:
    """Each committee's latest narrative entered by the end of ``as_of`` (plan time zone;
    ``None``: the latest of all)."""
    return _latest(session, list(committees), kind, year, as_of)


def committee_narratives(session: Session, committee: str) -> list[Narrative]:
    """The committee's latest narrative for each report it has one for (years first, the
    final report last)."""
    n = ReportNarrative
    latest: dict[tuple[str, int | None], Narrative] = {}
    for row in session.execute(select(n).where(n.committee == committee)
                               .order_by(n.entered_at, n.id)).scalars():
        latest[(row.kind, row.year)] = _narrative(row)
    return sorted(latest.values(), key=lambda x: (x.kind == "final", x.year or 0))


def _latest(session: Session, committees: list[str], kind: str, year: int | None,
            as_of: date | None) -> dict[str, Narrative]:
    n = ReportNarrative
    query = select(n).where(n.committee.in_(committees), n.kind == kind)
    query = query.where(n.year.is_(None) if year is None else n.year == year)
    out: dict[str, Narrative] = {}
    for row in session.execute(query.order_by(n.entered_at, n.id)).scalars():
        item = _narrative(row)
        if as_of is None or item.entered_on <= as_of:
            out[row.committee] = item
    return out


def _narrative(row: ReportNarrative) -> Narrative:
    return Narrative(id=row.id, committee=row.committee, kind=row.kind, year=row.year,
                     gaps=row.gaps, challenges=row.challenges, adjustments=row.adjustments,
                     actions=row.actions, entered_at=row.entered_at,
                     entered_by=row.entered_by)
