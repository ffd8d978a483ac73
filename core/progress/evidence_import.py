"""Importing past evidence from a spreadsheet (``naptip evidence import``).

A secretariat that adopts naptip part-way through a plan has years of evidence in
spreadsheets. Each row of a CSV or xlsx file is one occurrence's evidence, checked exactly
as ``evidence submit`` checks it (values by indicator kind, breakdowns, dates, links,
files, victims' personal data, the plugins' rules) and, when the row says it was accepted,
as ``evidence review`` checks the reviewer. Each stored row is marked as imported (the
file's name and the row, in the evidence row and in its audit entries).

A row is stored whole or not at all: rows are written in chunks, one transaction each, and
each row in a savepoint of its own, so that a row failing as it is stored leaves nothing
behind and a crash leaves only whole rows. A row stored before (same occurrence, same
content) is recognised by its key, a SHA-256 of its content, and counted as already
imported: importing a file twice stores nothing twice.

This module reads the file and does the work; it prints nothing (the CLI does).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from naptip.base.errors import NaptipError
from naptip.base.evidence_types import AcceptedEvidence
from naptip.base.lookup import suggestion
from naptip.base.text import echo_cut
from naptip.base.values import EvidenceError, check_day
from naptip.progress.evidence import (
    NEXT_PAIR,
    Checked,
    EvidenceService,
    Provenance,
    Submission,
    _audit_payload,
    _people_indicator,
)
from naptip.progress.sheets import SAVE_AS, header, read_table
from naptip.progress.sheets import cell as _cell
from naptip.progress.sheets import reason as _reason
from naptip.store import audit
from naptip.store.actors import Actor, person, resolve
from naptip.store.audit import canonical
from naptip.store.audit_rows import review_digest
from naptip.store.blobs import StoredBlob
from naptip.store.db import retryable
from naptip.store.orm import (
    Attachment,
    Breakdown,
    Evidence,
    EvidenceValue,
    OccurrenceRow,
    Review,
)
from naptip.store.personal_data import refusal, scan
from naptip.store.reviewers import check_reviewer
from naptip.time.clock import PLAN_TZ, real_today

__all__ = ["COLUMNS", "IMPORT_STATUSES", "ImportInterrupted", "ImportReport", "RowOutcome",
           "import_evidence", "read_rows"]

#: what a row may say about past work: accepted then (the occurrence is done), or
#: submitted and still awaiting review (it goes to the review queue)
IMPORT_STATUSES = ("accepted", "submitted")
SUFFIXES = (".csv", ".xlsx")
#: the columns a file may have (``value_N`` for indicator N); headers are read without
#: regard to case, spaces or hyphens ("Done on" is done_on, "Value 1" is value_1)
COLUMNS = ("occurrence", "activity", "year", "status", "done_on", "submitted_on",
           "reviewed_on", "value_N", "sex", "nationality", "age", "note", "links", "files",
           "nil", "submitted_by", "reviewed_by")
_VALUE = re.compile(r"^value_?(\d{1,3})$")
MAX_ROWS = 50_000
#: rows per transaction: a crash loses at most this many rows' work, never part of one
CHUNK = 250
#: the time of day a past date is stored at (noon in Malaysia: the same day everywhere)
_NOON = time(12, 0)
#: how a spreadsheet saved otherwise (semicolons, Windows code page) should be saved
#: free-text columns whose cells a spreadsheet must not take for a formula
FREE_TEXT = ("note", "links")
#: what starts a formula in Excel, LibreOffice and Google Sheets (CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a dash and a space starts a list item, not a formula: "- two trainings with MACC"
LIST_DASH = "- "
#: the one line a personal-data refusal ends with, for a row of a file
_AGAIN = "correct the row (remove it) and import again"


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C during an import: ``stored`` rows were stored whole before it; importing the
    same file again stores the rest (the stored ones are recognised, nothing twice)."""

    def __init__(self, stored: int, dry_run: bool) -> None:
        super().__init__(stored)
        self.stored = stored
        self.dry_run = dry_run

    def __str__(self) -> str:
        if self.dry_run:
            return "interrupted: a dry run, nothing was stored"
        rows = "row" if self.stored == 1 else "rows"
        return (f"interrupted: {self.stored} {rows} stored so far, each whole; import the "
                "same file again to store the rest (rows already stored are recognised, "
                "none is stored twice)")


@dataclass(frozen=True)
class RowOutcome:
    row: int  #: as the spreadsheet numbers it: the header is row 1
    outcome: str  #: "stored" (or would be, in a dry run), "refused", "already imported"
    occurrence: str | None = None
    reason: str | None = None
    evidence_id: int | None = None
    dry_run: bool = False  #: "stored" means it would be

    def __str__(self) -> str:
        what = f" ({self.occurrence})" if self.occurrence else ""
        if self.outcome == "refused":
            return f"row {self.row}{what}: refused: {self.reason}"
        if self.outcome == "already imported":
            return f"row {self.row}{what}: already imported as evidence #{self.evidence_id}"
        if self.dry_run:
            return f"row {self.row}{what}: would be stored"
        return f"row {self.row}{what}: stored as evidence #{self.evidence_id}"


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    #: set when the import stopped part-way (a database failure): rows before it are whole
    stopped: str | None = None

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def stored(self) -> int:
        return self.count("stored")

    @property
    def refused(self) -> int:
        return self.count("refused")

    @property
    def already(self) -> int:
        return self.count("already imported")

    def summary(self) -> str:
        verb = "would store" if self.dry_run else "stored"
        line = (f"{self.file}: {verb} {self.stored}, refused {self.refused}, already "
                f"imported {self.already}")
        return line + ("; dry run: nothing was stored" if self.dry_run else "")


# --- reading the file ---------------------------------------------------------------------


def _header(text: str) -> str:
    name = header(text)
    match = _VALUE.match(name)
    return f"value_{int(match.group(1))}" if match else name


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV (UTF-8) or xlsx file (its first sheet) as (row number, cells by
    column); blank rows are left out. NaptipError, one line, for a file that cannot be
    read: missing, another kind, no header, an unknown or missing column, too many rows."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise NaptipError(f"{path}: is a folder; give the .csv or .xlsx file in it")
    if suffix not in SUFFIXES:
        raise NaptipError(f"{path.name}: import a .csv or .xlsx file (this one is "
                          f"{path.suffix or 'without a suffix'})")
    if not path.is_file():
        raise NaptipError(f"{path}: no such file")
    table = read_table(path)
    if not table or not any(_cell(c) for c in table[0]):
        raise NaptipError(f"{path.name}: the first row must name the columns "
                          f"({', '.join(COLUMNS[:6])}...)")
    headers = [_header(_cell(c)) for c in table[0]]
    _check_headers(path.name, headers)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(table[1:], 2):
        cells = {h: _cell(c) for h, c in zip(headers, raw, strict=False) if h}
        extra = [_cell(c) for c in raw[len(headers):] if _cell(c)]
        if extra:
            raise NaptipError(f"{path.name}: row {number} has more cells than the header "
                              "has columns")
        if any(cells.values()):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise NaptipError(f"{path.name}: more than {MAX_ROWS:,} rows; split the file")
    return rows


def _check_headers(name: str, headers: list[str]) -> None:
    known = set(COLUMNS) - {"value_N"}
    unknown = [h for h in headers if h and h not in known and not _VALUE.match(h)]
    if unknown:
        if ";" in unknown[0]:
            raise NaptipError(f"{name}: the columns are separated by semicolons, not "
                              f"commas; {SAVE_AS}")
        raise NaptipError(f"{name}: unknown column {echo_cut(unknown[0])!r}; the columns are "
                          f"{', '.join(COLUMNS)}")
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        raise NaptipError(f"{name}: column {repeated[0]!r} appears twice")
    missing = [c for c in ("status", "done_on") if c not in headers]
    if "occurrence" not in headers and not {"activity", "year"} <= set(headers):
        missing.insert(0, "occurrence (or activity and year)")
    if missing:
        raise NaptipError(f"{name}: missing column {', '.join(missing)}")


# --- checking the rows --------------------------------------------------------------------


@dataclass(frozen=True)
class _Occ:
    id: str
    kind: str
    owner: str
    activity_id: str | None
    period: int | None
    progress: str


@dataclass
class _Ready:
    """A row that passed every check, waiting to be stored."""

    row: int
    checked: Checked
    submitter: Actor
    reviewer: tuple[Actor, datetime] | None
    submitted_at: datetime
    provenance: Provenance
    activity_id: str | None
    owner: str


def _day(text: str, column: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) in (10, 19) else \
            date.fromisoformat(text)
    except ValueError:
        raise EvidenceError(f"{column} {echo_cut(text)!r} is not a date (YYYY-MM-DD)") \
            from None


def _at(day: date) -> datetime:
    return datetime.combine(day, _NOON, PLAN_TZ).astimezone(UTC)


def _pairs(text: str, column: str) -> dict[str, str]:
    """"female=12, male=30" (as ``--sex female=12 male=30``): spaces or commas between
    pairs; a count keeps its thousands' commas ("female=1,250")."""
    result: dict[str, str] = {}
    for word in text.split():
        for part in NEXT_PAIR.split(word.strip(",")):
            key, sep, value = part.partition("=")
            if not sep or not key.strip():
                raise EvidenceError(f"{column}: {echo_cut(part)!r} is not CATEGORY=N")
            if key.strip() in result:
                raise EvidenceError(f"{column}: {echo_cut(key.strip())!r} is given twice")
            result[key.strip()] = value.strip().rstrip(",")
    return result


#: the options of ``evidence submit`` that messages name, as this file's columns
_OPTIONS = ((re.compile(r"--value (\d+)=\.\.\."), r"column value_\1"),
            (re.compile(r"--file PATH|--file"), "column files"),
            (re.compile(r"--nil\b"), "nil"),
            (re.compile(r"--(sex|nationality|age)\b"), r"column \1"))


def as_columns(message: str) -> str:
    """A message of ``evidence submit``'s checks, naming this file's columns instead of
    its options ("--value 1=..." is column value_1)."""
    for pattern, column in _OPTIONS:
        message = pattern.sub(column, message)
    return message


def row_key(occurrence_id: str, cells: Mapping[str, str]) -> str:
    """What recognises a row already imported: its occurrence and content, not its place
    in the file (rows may be added or moved between imports)."""
    content = sorted((k, " ".join(v.split())) for k, v in cells.items()
                     if v.strip() and k not in ("occurrence", "activity", "year"))
    return hashlib.sha256(canonical([occurrence_id, content]).encode("utf-8")).hexdigest()


class _Importer:
    def __init__(self, service: EvidenceService, path: Path, importer: Actor, *,
                 today: date) -> None:
        self.service = service
        self.path = path
        self.name = path.name
        self.importer = importer
        self.today = today
        plan = service.catalog.structure.plan
        self.earliest, self.latest = plan.start, min(today, real_today())
        self.people: dict[str, Actor] = {}

    def occurrences(self, session: Session) -> None:
        o = OccurrenceRow
        rows = session.execute(select(o.id, o.kind, o.owner, o.activity_id, o.period,
                                      o.progress).where(o.plan_id == self.service.plan_id,
                                                        o.withdrawn.is_(False))).all()
        self.by_id = {r[0].casefold(): _Occ(*r) for r in rows}
        self.by_activity: dict[tuple[str, int], list[_Occ]] = {}
        for occ in self.by_id.values():
            if occ.activity_id and occ.period is not None:
                self.by_activity.setdefault((occ.activity_id.casefold(), occ.period),
                                            []).append(occ)

    def occurrence(self, cells: Mapping[str, str]) -> _Occ:
        given = cells.get("occurrence", "").strip()
        activity, year = cells.get("activity", "").strip(), cells.get("year", "").strip()
        if given:
            occ = self.by_id.get(given.casefold())
            if occ is None:
                hint = suggestion(given, [o.id for o in self.by_id.values()])
                raise EvidenceError(f"no occurrence has the id {echo_cut(given)!r}"
                                    + (hint or " (see `naptip schedule`)"))
            if activity and (occ.activity_id or "").casefold() != activity.casefold():
                raise EvidenceError(f"occurrence {occ.id} is not of activity "
                                    f"{echo_cut(activity)!r}")
            return occ
        if not activity or not year:
            raise EvidenceError("say which occurrence: an occurrence id, or an activity "
                                "and a year")
        if not year.isdigit() or len(year) != 4:
            raise EvidenceError(f"year {echo_cut(year)!r} is not a year (YYYY)")
        if not any(a.casefold() == activity.casefold() for a in self.service.catalog.activities):
            hint = suggestion(activity, list(self.service.catalog.activities))
            raise EvidenceError(f"no activity has the id {echo_cut(activity)!r}"
                                + (hint or " (see `naptip plan show`)"))
        found = self.by_activity.get((activity.casefold(), int(year)), [])
        if not found:
            raise EvidenceError(f"activity {activity} has no occurrence in {year} (see "
                                f"`naptip schedule --from {year}-01-01 --to {year}-12-31`)")
        if len(found) > 1:
            raise EvidenceError(f"activity {activity} has {len(found)} occurrences in "
                                f"{year}: name one in the occurrence column "
                                f"({', '.join(sorted(o.id for o in found))})")
        return found[0]

    def check(self, session: Session, number: int, cells: Mapping[str, str], occ: _Occ,
              key: str) -> _Ready:
        # the guard first, over every cell: no message below may echo a personal number
        findings = [f for column, text in cells.items() if text
                    for f in scan(text, f"column {column}")]
        if findings:
            raise EvidenceError(refusal(findings, "personal data", then=_AGAIN))
        for column in FREE_TEXT:
            text = cells.get(column, "")
            if text.startswith(FORMULA_START) and not text.startswith(LIST_DASH):
                raise EvidenceError(
                    f"column {column} starts with {text[0]!r}: a spreadsheet opening it "
                    "would run it as a formula; begin the cell with a word or a quote "
                    "(\"'\")")
        if occ.progress == "accepted":
            raise EvidenceError(f"occurrence {occ.id} is already done: its evidence was "
                                "accepted")
        if occ.progress == "submitted":
            raise EvidenceError(f"occurrence {occ.id} has evidence awaiting review")
        status = cells.get("status", "").strip().lower()
        if status not in IMPORT_STATUSES:
            raise EvidenceError(f"status {echo_cut(cells.get('status', ''))!r}: use "
                                f"{' or '.join(IMPORT_STATUSES)}")
        done_on = _day(cells.get("done_on", ""), "done_on")
        if done_on is None:
            raise EvidenceError("done_on is empty: say when the work was done")
        submitted_on = _day(cells.get("submitted_on", ""), "submitted_on") or done_on
        reviewed_on = _day(cells.get("reviewed_on", ""), "reviewed_on")
        for day, column in ((done_on, "done_on"), (submitted_on, "submitted_on"),
                            (reviewed_on, "reviewed_on")):
            if day is not None:
                check_day(day, column, earliest=self.earliest, latest=self.latest)
        if submitted_on < done_on:
            raise EvidenceError(f"submitted_on {submitted_on} is before done_on {done_on}")
        if status == "submitted" and (reviewed_on or cells.get("reviewed_by", "").strip()):
            raise EvidenceError("a submitted row awaits review: give no reviewed_on or "
                                "reviewed_by (or say accepted)")
        if reviewed_on is not None and reviewed_on < submitted_on:
            raise EvidenceError(f"reviewed_on {reviewed_on} is before submitted_on "
                                f"{submitted_on}")
        nil = cells.get("nil", "").strip().lower()
        if nil not in ("", "yes", "no", "y", "n", "true", "false"):
            raise EvidenceError(f"nil {echo_cut(nil)!r}: use yes or no")
        values = {k.removeprefix("value_"): v for k, v in cells.items()
                  if k.startswith("value_") and v.strip()}
        breakdown = {d: _pairs(cells[d], d) for d in ("sex", "nationality", "age")
                     if cells.get(d, "").strip()}
        files = [self._file(p) for p in re.split(r"[;\n]", cells.get("files", "")) if p.strip()]
        submitted_by = " ".join(cells.get("submitted_by", "").split()) or occ.owner
        sub = Submission(occurrence_id=occ.id, actor=submitted_by, values=values,
                         breakdown=breakdown, files=files, done_on=done_on,
                         note=cells.get("note") or None, links=cells.get("links", "").split(),
                         nil=nil in ("yes", "y", "true"))
        try:
            checked = self.service.check(
                sub, oid=occ.id, kind=occ.kind, owner=occ.owner, activity_id=occ.activity_id,
                form=self.service.form_for(occ.activity_id, occ.kind), today=self.today,
                done_on_name="done_on", actor_where="column submitted_by")
        except EvidenceError as exc:
            raise EvidenceError(as_columns(str(exc))) from None
        submitter = self.person(session, submitted_by)
        reviewer = None
        if status == "accepted":
            given = " ".join(cells.get("reviewed_by", "").split())
            who = self.person(session, given) if given else self.importer
            check_reviewer(session, who, submitter.name, submitter.contact_id,
                           given=given or None)
            reviewer = (who, _at(reviewed_on or submitted_on))
        return _Ready(row=number, checked=checked, submitter=submitter, reviewer=reviewer,
                      submitted_at=_at(submitted_on), owner=occ.owner,
                      activity_id=occ.activity_id,
                      provenance=Provenance(file=self.name, row=number, key=key,
                                            by=self.importer.name))

    def person(self, session: Session, given: str) -> Actor:
        """:func:`naptip.store.actors.person`, once per name: people who left since are
        taken as named, whether or not today's contact directory knows them."""
        key = " ".join(given.split()).casefold()
        if key not in self.people:
            self.people[key] = person(session, given)
        return self.people[key]

    def _file(self, given: str) -> str:
        path = Path(given.strip())
        return str(path if path.is_absolute() else self.path.parent / path)


def import_evidence(service: EvidenceService, path: Path, *, importer: str,
                    login: bool = False, today: date, now: datetime | None = None,
                    dry_run: bool = False) -> ImportReport:
    """Import the evidence rows of ``path`` (see the module's docstring) as ``importer``
    (a name or e-mail; ``login``: the machine's login). Returns what became of each row;
    raises NaptipError (one line) only for a file that cannot be imported at all, and
    ImportInterrupted (saying how many rows were stored) for Ctrl-C."""
    report = ImportReport(file=path.name, dry_run=dry_run)
    try:
        return _import(service, path, report, importer=importer, login=login, today=today,
                       now=now)
    except KeyboardInterrupt:
        raise ImportInterrupted(report.stored if not dry_run else 0, dry_run) from None


def _import(service: EvidenceService, path: Path, report: ImportReport, *, importer: str,
            login: bool, today: date, now: datetime | None) -> ImportReport:
    dry_run = report.dry_run
    findings = scan(path.name, "the file's name")
    if findings:
        raise EvidenceError(refusal(findings, "file refused"))
    rows = read_rows(path)
    with service.db.reading() as session:
        findings = scan(importer, "the name given with --as")
        if findings:
            raise EvidenceError(refusal(findings))
        actor = resolve(session, importer, login=login)
        work = _Importer(service, path, actor, today=today)
        work.occurrences(session)
        located: list[tuple[int, dict[str, str], _Occ, str]] = []
        for number, cells in rows:
            damaged = next((c for c, text in cells.items() if "\x00" in text), None)
            if damaged is not None:
                report.rows.append(RowOutcome(number, "refused", reason=(
                    f"column {damaged} holds a NUL character (a damaged cell): retype it")))
                continue
            try:
                occ = work.occurrence(cells)
            except EvidenceError as exc:
                findings = [f for column, text in cells.items() if text
                            for f in scan(text, f"column {column}")]
                reason = refusal(findings, "personal data", then=_AGAIN) if findings else str(exc)
                report.rows.append(RowOutcome(number, "refused", reason=reason))
                continue
            located.append((number, cells, occ, row_key(occ.id, cells)))
        done = _imported(session, [key for *_, key in located])
        first: dict[str, int] = {}
        ready: list[_Ready] = []
        for number, cells, occ, key in located:
            if occ.id in first:
                report.rows.append(RowOutcome(number, "refused", occ.id, reason=(
                    f"row {first[occ.id]} is for {occ.id} too: one row per occurrence")))
                continue
            first[occ.id] = number
            if key in done:
                report.rows.append(RowOutcome(number, "already imported", occ.id,
                                              evidence_id=done[key]))
                continue
            try:
                ready.append(work.check(session, number, cells, occ, key))
            except EvidenceError as exc:
                report.rows.append(RowOutcome(number, "refused", occ.id, reason=str(exc)))
    if dry_run:
        report.rows += [RowOutcome(r.row, "stored", r.checked.occurrence_id, dry_run=True)
                        for r in ready]
    else:
        _store(service, ready, report, now=now or datetime.now(UTC))
    report.rows.sort(key=lambda r: r.row)
    return report


def _imported(session: Session, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        part = keys[start:start + 500]
        found.update(cast(dict[str, int], dict(session.execute(
            select(Evidence.import_key, Evidence.id)
            .where(Evidence.import_key.in_(part))).all())))
    return found


def _store(service: EvidenceService, ready: list[_Ready], report: ImportReport, *,
           now: datetime) -> None:
    kept: dict[tuple[str, str], StoredBlob] = {}  #: a file named by many rows, copied once

    def put(checked: Checked) -> list[StoredBlob]:
        out = []
        for (path, *_), name in zip(checked.files, checked.file_names, strict=True):
            key = (str(path), name)
            if key not in kept:
                kept[key] = service.blobs.put(path, name)
            out.append(kept[key])
        return out

    for start in range(0, len(ready), CHUNK):
        chunk = ready[start:start + CHUNK]
        has_files = any(r.checked.files for r in chunk)
        try:
            with service.blobs.writing() if has_files else nullcontext():
                blobs = [put(r.checked) for r in chunk]
                def bulk(session: Session, c: list[_Ready] = chunk,
                         b: list[list[StoredBlob]] = blobs) -> list[RowOutcome]:
                    return _write_bulk(service, session, c, b, now)

                def one_by_one(session: Session, c: list[_Ready] = chunk,
                               b: list[list[StoredBlob]] = blobs) -> list[RowOutcome]:
                    return _write_chunk(service, session, c, b, now)

                try:  # the whole chunk in a few statements...
                    outcomes = service.db.write(bulk)
                except DBAPIError as exc:
                    if retryable(exc):
                        raise
                    # ...or, when the database refuses some row, row by row, to name it
                    outcomes = service.db.write(one_by_one)
        except NaptipError:
            raise
        except DBAPIError as exc:
            report.stopped = (f"the store failed at row {chunk[0].row} ({_reason(exc.orig or exc)}"
                              "); the rows before it are stored whole, the rest are not: "
                              "import the file again")
            report.rows += [RowOutcome(r.row, "refused", r.checked.occurrence_id,
                                       reason="not stored: the import stopped")
                            for r in ready[start:]]
            return
        report.rows += outcomes
        _accepted_hooks(service, chunk, outcomes)


_EVIDENCE, _VALUE_ROW, _BREAKDOWN, _ATTACHMENT, _REVIEW = (
    cast(Table, m.__table__) for m in (Evidence, EvidenceValue, Breakdown, Attachment, Review))
_LOCK = select(OccurrenceRow).where(OccurrenceRow.id.in_(bindparam("ids", expanding=True))
                                    ).with_for_update()
_TAKE = update(cast(Table, OccurrenceRow.__table__)).where(
    cast(Table, OccurrenceRow.__table__).c.id == bindparam("oid")).values(
    progress=bindparam("to"))


def _write_bulk(service: EvidenceService, session: Session, chunk: list[_Ready],
                blobs: list[list[StoredBlob]], now: datetime) -> list[RowOutcome]:
    """A chunk's rows in one statement per table (and three for the audit log), with the
    same rows, digests and audit entries as :meth:`EvidenceService.write_evidence` writes
    one by one. A row whose occurrence was taken since it was checked is refused."""
    conn = session.connection()
    locked = {o.id: o for o in session.execute(
        _LOCK, {"ids": [r.checked.occurrence_id for r in chunk]}).scalars()}
    outcomes: dict[int, RowOutcome] = {}
    rows: list[tuple[_Ready, list[StoredBlob]]] = []
    for ready, stored in zip(chunk, blobs, strict=True):
        occ = locked[ready.checked.occurrence_id]
        try:
            service.check_open(session, occ)
        except EvidenceError as exc:
            outcomes[ready.row] = _taken(session, ready, exc)
            continue
        rows.append((ready, stored))
    if rows:
        conn.execute(_TAKE, [{"oid": r.checked.occurrence_id,
                              "to": "submitted" if r.reviewer is None else "accepted"}
                             for r, _ in rows])
        evidence = [_evidence(r) for r, _ in rows]
        ids = conn.execute(insert(_EVIDENCE).returning(_EVIDENCE.c.id,
                                                       sort_by_parameter_order=True),
                           [_columns(_EVIDENCE, e) for e in evidence]).scalars().all()
        for e, eid in zip(evidence, ids, strict=True):
            e.id = eid
            for value in e.values:
                value.evidence_id = eid
            for count in e.breakdown:
                count.evidence_id = eid
        values = [_columns(_VALUE_ROW, v) for e in evidence for v in e.values]
        if values:
            conn.execute(insert(_VALUE_ROW), values)
        counts = [_columns(_BREAKDOWN, b) for e in evidence for b in e.breakdown]
        if counts:
            conn.execute(insert(_BREAKDOWN), counts)
        attachments = [[Attachment(evidence_id=e.id, sha256=b.sha256, size=b.size,
                                   media_type=b.media_type, original_name=b.original_name,
                                   created_at=now) for b in stored]
                       for e, (_r, stored) in zip(evidence, rows, strict=True)]
        flat = [a for group in attachments for a in group]
        if flat:
            for a, aid in zip(flat, conn.execute(
                    insert(_ATTACHMENT).returning(_ATTACHMENT.c.id, sort_by_parameter_order=True),
                    [_columns(_ATTACHMENT, a) for a in flat]).scalars().all(), strict=True):
                a.id = aid
        reviews = [Review(evidence_id=e.id, decision="accepted", reason=None,
                          reviewer=r.reviewer[0].name, reviewer_contact=r.reviewer[0].contact_id,
                          reviewed_at=r.reviewer[1])
                   for e, (r, _s) in zip(evidence, rows, strict=True) if r.reviewer is not None]
        if reviews:
            for review, rid in zip(reviews, conn.execute(
                    insert(_REVIEW).returning(_REVIEW.c.id, sort_by_parameter_order=True),
                    [_columns(_REVIEW, v) for v in reviews]).scalars().all(), strict=True):
                review.id = rid
        by_evidence = {v.evidence_id: v for v in reviews}
        entries: list[audit.Pending] = []
        for e, (r, stored), files in zip(evidence, rows, attachments, strict=True):
            payload = _audit_payload(e, r.checked.values, r.checked.breakdown, stored, files)
            payload["imported"] = r.provenance.payload()
            entries.append(audit.Pending(actor=r.provenance.by, action="evidence.submitted",
                                         subject=e.occurrence_id, payload=payload))
            accepted = by_evidence.get(e.id)
            if accepted is not None:
                entries.append(audit.Pending(
                    actor=r.provenance.by, action="evidence.accepted", subject=e.occurrence_id,
                    payload={"evidence": e.id, "reason": None, "review": accepted.id,
                             "digest": review_digest(accepted),
                             "imported": r.provenance.payload()}))
        audit.append_many(session, entries, at=now)
        for e, (r, _s) in zip(evidence, rows, strict=True):
            outcomes[r.row] = RowOutcome(r.row, "stored", e.occurrence_id, evidence_id=e.id)
    return [outcomes[r.row] for r in chunk]


def _taken(session: Session, ready: _Ready, exc: EvidenceError) -> RowOutcome:
    """A row whose occurrence was taken after it was checked: by the same row imported at
    the same time (another import of the file: its key is stored now), already imported;
    otherwise refused."""
    oid = ready.checked.occurrence_id
    found = _imported(session, [ready.provenance.key])
    if ready.provenance.key in found:
        return RowOutcome(ready.row, "already imported", oid,
                          evidence_id=found[ready.provenance.key])
    return RowOutcome(ready.row, "refused", oid, reason=str(exc))


def _evidence(ready: _Ready) -> Evidence:
    """The evidence row of ``ready`` as a transient object (never added to a session):
    what is inserted, and what its digest is computed from."""
    checked, sub, reviewer = ready.checked, ready.checked.sub, ready.reviewer
    target = _people_indicator(checked.form)
    return Evidence(
        occurrence_id=checked.occurrence_id, nil=sub.nil, done_on=sub.done_on,
        note=checked.note, links=list(checked.links), submitted_by=ready.submitter.name,
        submitter_contact=ready.submitter.contact_id, submitted_at=ready.submitted_at,
        status="submitted" if reviewer is None else "accepted",
        reviewed_by=None if reviewer is None else reviewer[0].name,
        reviewed_at=None if reviewer is None else reviewer[1],
        imported_from=ready.provenance.file, imported_row=ready.provenance.row,
        import_key=ready.provenance.key, attachments=[], reviews=[],
        values=[EvidenceValue(indicator=n, kind=str(ind.kind), count=v.count, amount=v.amount,
                              percentage=v.percentage, flag=v.flag, on_date=v.on_date,
                              text=v.text) for n, ind, v in checked.values],
        breakdown=[Breakdown(indicator=target or 0, dimension=d, category=c, count=n)
                   for d, counts in checked.breakdown.items() for c, n in counts.items()])


def _columns(table: Table, row: object) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in table.columns if c.key != "id"}


def _write_chunk(service: EvidenceService, session: Session, chunk: list[_Ready],
                 blobs: list[list[StoredBlob]], now: datetime) -> list[RowOutcome]:
    outcomes: list[RowOutcome] = []
    for ready, stored in zip(chunk, blobs, strict=True):
        oid = ready.checked.occurrence_id
        try:
            with session.begin_nested():
                evidence = service.write_evidence(
                    session, ready.checked, ready.submitter, stored,
                    submitted_at=ready.submitted_at, audit_at=now,
                    imported=ready.provenance, accepted_by=ready.reviewer)
            outcomes.append(RowOutcome(ready.row, "stored", oid, evidence_id=evidence.id))
        except EvidenceError as exc:
            outcomes.append(_taken(session, ready, exc))
        except DBAPIError as exc:
            if retryable(exc):
                raise
            outcomes.append(RowOutcome(ready.row, "refused", oid, reason=(
                f"not stored: the database refused it ({_reason(exc.orig or exc)})")))
    return outcomes


def _accepted_hooks(service: EvidenceService, chunk: list[_Ready],
                    outcomes: list[RowOutcome]) -> None:
    """Plugins react to imported accepted evidence as to evidence accepted in a review."""
    by_row = {r.row: r for r in chunk}
    accepted = [AcceptedEvidence(
        evidence_id=o.evidence_id, occurrence_id=o.occurrence or "",
        activity_id=by_row[o.row].activity_id, owner=by_row[o.row].owner,
        reviewer=by_row[o.row].reviewer[0].name,  # type: ignore[index]
        reviewed_at=by_row[o.row].reviewer[1])  # type: ignore[index]
        for o in outcomes if o.outcome == "stored" and o.evidence_id is not None
        and by_row[o.row].reviewer is not None]
    for item in accepted:
        service.accepted_hook(item)
