"""Importing a set of recommendations (``naptip recommendations import``).

Every cell of every row is checked (item ids, text, committees, activities, victims'
personal data) and every problem named ``FILE:ROW: column 'X': why``; the good rows are
stored, each with its links, in one transaction that appends an audit entry per item
(``recommendation.imported``; the set's own ``recommendation.set``). An item already
in the set with the same text is recognised and stored nothing twice; one whose text
changed since is refused, never overwritten.

This module prints nothing (the CLI does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.base.text import control_character, echo_cut
from naptip.base.values import EvidenceError
from naptip.progress.evidence_import import FORMULA_START, LIST_DASH
from naptip.progress.recommendations.people import acting, secretariat
from naptip.progress.recommendations.refs import MAX_TEXT, PlanRefs, split_list
from naptip.progress.recommendations.setfile import read_set_file
from naptip.store import audit
from naptip.store.audit_recommendations import rows_payload
from naptip.store.db import Database
from naptip.store.orm import Recommendation, RecommendationLink, RecommendationSet
from naptip.store.personal_data import refusal, scan
from naptip.time.clock import PLAN_TZ

__all__ = ["ItemOutcome", "SetHeader", "SetImport", "check_set_id", "import_set"]

_SET_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,59}$")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
_LINK = re.compile(r"^https?://[^\s]+$")
MAX_SOURCE = 300
MAX_THEME = 120
_AGAIN = "correct the row (remove it) and import again"


def check_set_id(given: str) -> str:
    text = given.strip()
    if not _SET_ID.match(text):
        raise NaptipError(f"--set {echo_cut(given)!r}: a set id is lower-case letters, "
                          "digits, '.', '-' or '_', at most 60 (\"us-tip-2025\")")
    return text


@dataclass(frozen=True)
class SetHeader:
    """What a set is: its source, the day it was issued, where it is published."""

    source: str
    issued_on: date
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ItemOutcome:
    row: int
    outcome: str  #: "stored" (or would be, in a dry run), "refused", "already imported"
    item: str | None = None
    problems: tuple[str, ...] = ()  #: "column 'lead': unknown committee 'X' (...)"
    dry_run: bool = False
    #: an item already imported whose file's owners or activities differ from the store's
    warning: str | None = None

    def lines(self, file: str) -> list[str]:
        where = f"{file}:{self.row}"
        if self.outcome == "refused":
            return [f"{where}: {p}" for p in self.problems]
        if self.outcome == "already imported":
            return [f"{where}: {self.item}: already imported"] + (
                [f"{where}: warning: {self.item}: {self.warning}"] if self.warning else [])
        return [f"{where}: {self.item}: {'would be stored' if self.dry_run else 'stored'}"]


@dataclass
class SetImport:
    file: str
    set_id: str
    dry_run: bool
    new_set: bool = False
    rows: list[ItemOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def refused(self) -> int:
        return self.count("refused")

    def summary(self) -> str:
        verb = "would store" if self.dry_run else "stored"
        line = (f"{self.file}: set {self.set_id}{' (new)' if self.new_set else ''}: {verb} "
                f"{self.count('stored')}, refused {self.refused}, already imported "
                f"{self.count('already imported')}")
        return line + ("; dry run: nothing was stored" if self.dry_run else "")


@dataclass(frozen=True)
class _Item:
    row: int
    item: str
    text: str
    theme: str | None
    lead: str | None
    support: tuple[str, ...]
    activities: tuple[tuple[str, str], ...]


# --- the set's header ---------------------------------------------------------------------


def _header(name: str, file: Mapping[str, str], given: Mapping[str, str | None]) -> dict[str, str]:
    """The file's [set] values with the command line's: the same or given once."""
    out = dict(file)
    for key, value in given.items():
        if value is None:
            continue
        value = value.strip()
        if key in out and out[key] != value:
            raise NaptipError(f"{name}: --{key} {echo_cut(value)!r} differs from the file's "
                              f"[set] {key} {echo_cut(out[key])!r}: give one")
        out[key] = value
    return out


def _set_header(name: str, values: Mapping[str, str], today: date) -> SetHeader:
    for key, text in values.items():
        control = control_character(text)
        if control:
            raise NaptipError(f"{name}: the set's {key} holds the control character "
                              f"{control} (invisible; pasted from another program?): "
                              "remove it")
        findings = scan(text, f"the set's {key}")
        if findings:
            raise NaptipError(f"{name}: " + refusal(findings, "set refused", then=_AGAIN))
    source = " ".join(values.get("source", "").split())
    if not source:
        raise NaptipError(f"{name}: the set needs its source (--source, or source in [set]): "
                          "\"US TIP Report 2025 — Malaysia\"")
    if len(source) > MAX_SOURCE:
        raise NaptipError(f"{name}: the set's source is longer than {MAX_SOURCE} characters")
    issued = values.get("issued", "").strip()
    if not issued:
        raise NaptipError(f"{name}: the set needs the day it was issued (--issued, or issued "
                          "in [set]): YYYY-MM-DD")
    try:
        issued_on = date.fromisoformat(issued[:10])
    except ValueError:
        raise NaptipError(f"{name}: issued {echo_cut(issued)!r} is not a date "
                          "(YYYY-MM-DD)") from None
    if issued_on > today:
        raise NaptipError(f"{name}: issued {issued_on.isoformat()} is after today "
                          f"({today.isoformat()}): give the day the source was issued")
    url = values.get("url", "").strip() or None
    if url and (not _LINK.match(url) or len(url) > 2000):
        raise NaptipError(f"{name}: url {echo_cut(url)!r} is not an http(s) address")
    note = values.get("note", "").strip() or None
    if note and len(note) > MAX_TEXT:
        raise NaptipError(f"{name}: the set's note is longer than {MAX_TEXT:,} characters")
    return SetHeader(source=source, issued_on=issued_on, url=url, note=note)


def _same_set(name: str, stored: RecommendationSet, header: SetHeader,
              given: Mapping[str, str]) -> None:
    """An import into an existing set may not change what the set is."""
    differs = [("source", stored.source, header.source) if "source" in given else None,
               ("issued", stored.issued_on.isoformat(), header.issued_on.isoformat())
               if "issued" in given else None,
               ("url", stored.url, header.url) if "url" in given else None]
    for key, had, now in (d for d in differs if d is not None):
        if had != now:
            raise NaptipError(f"{name}: set {stored.id} was imported with {key} "
                              f"{echo_cut(str(had))!r}, not {echo_cut(str(now))!r}; an "
                              "import does not change a set (give another --set)")


# --- the rows -----------------------------------------------------------------------------


def _check_row(row: int, cells: Mapping[str, str], refs: PlanRefs,
               ) -> tuple[_Item | None, list[str]]:
    problems: list[str] = []
    findings = {c: scan(text, f"column {c}") for c, text in cells.items() if text}
    if any(findings.values()):  # nothing below may echo a personal number
        return None, [f"column {c!r}: " + refusal(f, "personal data", then=_AGAIN)
                      for c, f in findings.items() if f]
    for column, value in cells.items():
        control = control_character(value)
        if control:
            problems.append(f"column {column!r}: holds the control character {control} "
                            "(invisible; pasted from another program?): remove it and "
                            "import again")
    if problems:
        return None, problems
    ident = cells.get("id", "").strip()
    if not ident:
        problems.append("column 'id': empty: each item needs its id (\"R1\")")
    elif not _ITEM_ID.match(ident):
        problems.append(f"column 'id': {echo_cut(ident)!r} is not an item id (letters, "
                        "digits, '.', '-', '_', at most 40)")
    text = " ".join(cells.get("text", "").split())
    if not text:
        problems.append("column 'text': empty: each item needs its text")
    elif len(text) > MAX_TEXT:
        problems.append(f"column 'text': longer than {MAX_TEXT:,} characters")
    theme = " ".join(cells.get("theme", "").split()) or None
    if theme and len(theme) > MAX_THEME:
        problems.append(f"column 'theme': longer than {MAX_THEME} characters")
    for column, value in (("text", text), ("theme", theme or "")):
        if value.startswith(FORMULA_START) and not value.startswith(LIST_DASH):
            problems.append(f"column {column!r}: starts with {value[0]!r}: a spreadsheet "
                            "opening it would run it as a formula; begin it with a word")
    lead = None
    if cells.get("lead", "").strip():
        try:
            lead = refs.committee(cells["lead"])
        except EvidenceError as exc:
            problems.append(f"column 'lead': {exc}")
    support: list[str] = []
    for given in split_list(cells.get("support", ""), commas=True):
        try:
            found = refs.committee(given)
        except EvidenceError as exc:
            problems.append(f"column 'support': {exc}")
            continue
        if found != lead and found not in support:
            support.append(found)
    activities: list[tuple[str, str]] = []
    for given in split_list(cells.get("activities", "")):
        try:
            pair = refs.activity(given)
        except EvidenceError as exc:
            problems.append(f"column 'activities': {exc}")
            continue
        if pair not in activities:
            activities.append(pair)
    if problems:
        return None, problems
    return _Item(row=row, item=ident, text=text, theme=theme, lead=lead,
                 support=tuple(support), activities=tuple(activities)), []


def _differs(set_id: str, had: Recommendation, item: _Item, refs: PlanRefs) -> str | None:
    """What the file gives an item already imported that the store does not have (an
    import never changes an item), and the command that changes it; None: the same."""
    out: list[str] = []
    where = f"{set_id} {had.item}"
    if item.lead is not None and item.lead != had.lead:
        out.append(f"the file's lead {item.lead} is not the stored {had.lead or '-'} "
                   f"(naptip recommendations assign {where} --lead {item.lead})")
    if item.support and set(item.support) != set(had.support or []):
        given = ",".join(item.support)
        out.append(f"the file's support {given} is not the stored "
                   f"{','.join(had.support or []) or '-'} (naptip recommendations assign "
                   f"{where} --support {given})")
    stored = {(k.plan_id, k.activity_id) for k in had.links}
    if item.activities and set(item.activities) != stored:
        new = [refs.shown(*p) for p in item.activities if p not in stored]
        gone = [refs.shown(*p) for p in sorted(stored) if p not in item.activities]
        how = "; ".join(
            ([f"naptip recommendations link {where} {' '.join(new)}"] if new else [])
            + ([f"naptip recommendations link {where} {' '.join(gone)} --unlink"]
               if gone else []))
        out.append(f"the file's activities differ from the stored ones ({how})")
    if not out:
        return None
    return "; ".join(out) + ": an import does not change an item"


def import_set(db: Database, refs: PlanRefs, path: Path, *, set_id: str,
               source: str | None = None, issued: str | None = None, url: str | None = None,
               importer: str, login: bool = False, dry_run: bool = False,
               now: datetime | None = None) -> SetImport:
    """Import the set file at ``path`` into set ``set_id``. Raises NaptipError (one line)
    only for a file or set that cannot be imported at all; bad rows are in the result."""
    set_id = check_set_id(set_id)
    findings = scan(path.name, "the file's name")
    if findings:
        raise NaptipError(refusal(findings, "file refused"))
    content = read_set_file(path)
    name = content.name
    given = _header(name, content.header, {"source": source, "issued": issued, "url": url})
    result = SetImport(file=name, set_id=set_id, dry_run=dry_run)
    checked: list[_Item] = []
    first: dict[str, int] = {}
    for row, cells in content.rows:
        item, problems = _check_row(row, cells, refs)
        if item is not None and item.item.casefold() in first:
            problems = [f"column 'id': duplicate item id {item.item!r} (row "
                        f"{first[item.item.casefold()]} has it too)"]
            item = None
        if item is None:
            result.rows.append(ItemOutcome(row, "refused", cells.get("id") or None,
                                           tuple(problems)))
            continue
        first[item.item.casefold()] = row
        checked.append(item)
    when = now or datetime.now(UTC)
    real_today = when.astimezone(PLAN_TZ).date()  # the real day: never --as-of's

    def work(session: Session) -> list[ItemOutcome]:
        actor = acting(session, importer, login=login)
        secretariat(actor, importer, "import recommendations")
        stored_set = session.get(RecommendationSet, set_id)
        header_values = given
        if stored_set is None:
            header = _set_header(name, header_values, real_today)
        else:
            header = _set_header(name, {"source": stored_set.source,
                                        "issued": stored_set.issued_on.isoformat(),
                                        **header_values}, real_today)
            _same_set(name, stored_set, header, header_values)
        existing = {r.item.casefold(): r for r in session.execute(
            select(Recommendation).where(Recommendation.set_id == set_id)).scalars()}
        outcomes: list[ItemOutcome] = []
        ready: list[_Item] = []
        for item in checked:
            had = existing.get(item.item.casefold())
            if had is None:
                ready.append(item)
                outcomes.append(ItemOutcome(item.row, "stored", item.item, dry_run=dry_run))
            elif " ".join(had.text.split()) == item.text:
                outcomes.append(ItemOutcome(item.row, "already imported", had.item,
                                            warning=_differs(set_id, had, item, refs)))
            else:
                outcomes.append(ItemOutcome(item.row, "refused", item.item, (
                    f"column 'text': differs from the text {had.item} of set {set_id} was "
                    "imported with; an item's text is not overwritten (keep the text as "
                    "imported, or give the changed item a new id)",)))
        result.new_set = stored_set is None and bool(ready)
        if dry_run or not ready:
            return outcomes
        entries: list[audit.Pending] = []
        if stored_set is None:
            stored_set = RecommendationSet(id=set_id, source=header.source,
                                           issued_on=header.issued_on, url=header.url,
                                           note=header.note, imported_from=name[:255],
                                           created_by=actor.name, created_at=when)
            session.add(stored_set)
            session.flush()
            entries.append(audit.Pending(
                actor=actor.name, action="recommendation.set", subject=set_id,
                payload={"set": set_id, "source": header.source,
                         "issued": header.issued_on.isoformat(), "url": header.url,
                         "file": name, "rows": rows_payload(stored_set)}))
        for item in ready:
            rec = Recommendation(set_id=set_id, item=item.item, text=item.text,
                                 theme=item.theme, lead=item.lead, support=list(item.support),
                                 status="not-started", updated_at=when)
            session.add(rec)
            session.flush()
            links = [RecommendationLink(recommendation_id=rec.id, plan_id=plan_id,
                                        activity_id=activity_id, linked_by=actor.name,
                                        linked_at=when)
                     for plan_id, activity_id in item.activities]
            session.add_all(links)
            session.flush()
            entries.append(audit.Pending(
                actor=actor.name, action="recommendation.imported",
                subject=f"{set_id}/{item.item}",
                payload={"set": set_id, "item": item.item, "file": name, "row": item.row,
                         "lead": item.lead, "support": list(item.support),
                         "activities": [refs.shown(p, a) for p, a in item.activities],
                         "rows": rows_payload(rec, *links)}))
        audit.append_many(session, entries, at=when)
        return outcomes

    if dry_run:
        with db.reading() as session:
            outcomes = work(session)
    else:
        outcomes = db.write(work, creates=True)
    result.rows += outcomes
    result.rows.sort(key=lambda r: r.row)
    return result
