"""Completion evidence: submit, review, list. The service layer every front end uses.

Submitting validates everything first (values by indicator kind, breakdowns, dates, links,
files, personal data, plugin rules), then writes the attachments' blobs, then stores all
rows in one transaction that also appends to the audit log. Bad evidence changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from naptip.base.errors import Problem
from naptip.base.evidence_types import AcceptedEvidence, EvidenceDraft
from naptip.base.lookup import suggestion
from naptip.base.model import Indicator, IndicatorKind
from naptip.base.text import echo_cut
from naptip.base.values import EvidenceError, Value, check_day, parse_count, parse_value
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.store import audit
from naptip.store.actors import Actor, person, resolve
from naptip.store.audit_rows import attachment_digest, evidence_digest, review_digest
from naptip.store.blobs import BlobStore, StoredBlob, sniff
from naptip.store.db import Database
from naptip.store.doc_text import TextBudget, extract_texts
from naptip.store.orm import Attachment, Breakdown, Evidence, EvidenceValue, OccurrenceRow, Review
from naptip.store.personal_data import Finding, refusal, scan
from naptip.store.reviewers import check_reviewer, own_test
from naptip.time.clock import real_today, shown_time

__all__ = ["EvidenceDraft", "EvidenceError", "EvidenceService", "Submission"]

SEX = ("female", "male", "unknown")
AGE = ("child", "adult", "unknown")  #: child: under 18
DIMENSIONS = ("sex", "nationality", "age")
#: notes stay short: the guard cannot recognise names or addresses, so less text is safer
MAX_NOTE = 2_000
_LINK = re.compile(r"^https?://[^\s]+$")
_OCCURRENCE = cast(Table, OccurrenceRow.__table__)
_OCC = _OCCURRENCE.c
#: an occurrence taken by a submission: only while open or returned (see ``check_open``);
#: ``to`` is "submitted" (an import of accepted past work sets "accepted" at once)
_TAKE = update(_OCCURRENCE).where(
    _OCC.id == bindparam("oid"), _OCC.progress.not_in(("accepted", "submitted"))
).values(progress=bindparam("to"))
#: in a breakdown, "adult=40,child=2" is two pairs; "female=1,250" is one (1,250 people)
NEXT_PAIR = re.compile(r",(?=\s*[^\W\d][^,=]*=)")


@dataclass(frozen=True, kw_only=True)
class Submission:
    """What a person submits. Values are keyed by indicator number ("1", "2"...)."""

    occurrence_id: str
    actor: str
    values: Mapping[str, str] = field(default_factory=dict)
    breakdown: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    files: Sequence[str] = ()
    done_on: date | None = None
    note: str | None = None
    links: Sequence[str] = ()
    nil: bool = False
    #: the files' original names, when they are not the paths' names (portal uploads)
    file_names: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class Checked:
    """A submission that passed every check (:meth:`EvidenceService.check`), ready to store."""

    sub: Submission
    occurrence_id: str
    note: str | None
    links: tuple[str, ...]
    values: list[tuple[int, Indicator, Value]]
    breakdown: dict[str, dict[str, int]]
    form: tuple[Indicator, ...]
    files: list[tuple[Path, str, int, list[Finding]]]
    file_names: list[str]


@dataclass(frozen=True, kw_only=True)
class Provenance:
    """Where imported evidence came from (``naptip evidence import``)."""

    file: str  #: the spreadsheet's name (never a path)
    row: int  #: its row, as the spreadsheet numbers it (the header is row 1)
    key: str  #: SHA-256 of the row's content: a second import recognises it
    by: str  #: who imported it

    def payload(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "key": self.key, "by": self.by}


_MEETING_FORM = (Indicator(text="Minutes or report of the meeting",
                           kind=IndicatorKind.DELIVERABLE),)
_EVENT_FORM = (Indicator(text="Report of the event", kind=IndicatorKind.DELIVERABLE),)
_MILESTONE_FORM = (Indicator(text="Milestone reached", kind=IndicatorKind.MILESTONE),)


class EvidenceService:
    def __init__(self, db: Database, catalog: Catalog, plugins: LoadedPlugins | None = None,
                 ) -> None:
        self.db = db
        self.catalog = catalog
        self.plugins = plugins
        self.blobs = BlobStore(db.blobs, max_bytes=catalog.settings.max_file_mb * 1024 * 1024)
        self.plan_id = catalog.structure.plan.id
        self.warnings: list[Problem] = []

    # --- what an occurrence asks for -------------------------------------------------

    def form(self, row: OccurrenceRow) -> tuple[Indicator, ...]:
        """The indicators evidence for this occurrence reports on."""
        return self.form_for(row.activity_id, row.kind)

    def form_for(self, activity_id: str | None, kind: str) -> tuple[Indicator, ...]:
        """The indicators of an occurrence of ``activity_id`` (None: a duty's) and ``kind``."""
        activity = self.catalog.activities.get(activity_id) if activity_id else None
        if activity is not None:
            return activity.indicators
        if kind in ("meeting", "review"):
            return _MEETING_FORM
        if kind == "event":
            return _EVENT_FORM
        return _MILESTONE_FORM

    def occurrence(self, session: Session, occurrence_id: str) -> OccurrenceRow:
        row = session.get(OccurrenceRow, occurrence_id) if len(occurrence_id) <= 200 else None
        if row is None and len(occurrence_id) <= 200:  # ids match whatever their case
            row = session.execute(select(OccurrenceRow).where(
                func.lower(OccurrenceRow.id) == occurrence_id.strip().lower())).scalars().first()
        if row is None:
            known = session.execute(select(OccurrenceRow.id).where(
                OccurrenceRow.plan_id == self.plan_id,
                OccurrenceRow.withdrawn.is_(False))).scalars().all()
            hint = suggestion(occurrence_id, known)
            raise EvidenceError(f"no occurrence has the id {echo_cut(occurrence_id)!r}"
                                + (hint or " (see `naptip schedule`)"))
        if row.plan_id != self.plan_id:
            raise EvidenceError(f"occurrence {occurrence_id} belongs to plan {row.plan_id}, "
                                f"not {self.plan_id}")
        if row.withdrawn:
            raise EvidenceError(f"occurrence {occurrence_id} was withdrawn from the plan")
        return row

    # --- submit ----------------------------------------------------------------------

    def submit(self, sub: Submission, *, today: date, now: datetime | None = None) -> int:
        with self.db.reading() as session:
            row = self.occurrence(session, sub.occurrence_id)
            self.check_open(session, row)
            form = self.form(row)
            oid, kind, owner, activity_id = row.id, row.kind, row.owner, row.activity_id
            actor = self._actor(session, sub.actor)
        checked = self.check(sub, oid=oid, kind=kind, owner=owner, activity_id=activity_id,
                             form=form, today=today)
        # a sweep waits until the rows referring to the new blobs are committed
        with self.blobs.writing() if checked.files else nullcontext():
            stored = self.put_files(checked)
            when = now or datetime.now(UTC)
            return self.db.write(lambda session: self.write_evidence(
                session, checked, actor, stored, submitted_at=when, audit_at=when).id)

    def check(self, sub: Submission, *, oid: str, kind: str, owner: str,
              activity_id: str | None, form: tuple[Indicator, ...], today: date,
              done_on_name: str = "--done-on",
              actor_where: str = "the name given with --as") -> Checked:
        """Every check of a submission for the occurrence ``oid`` (of ``kind``...), without
        the store: values by indicator kind, breakdowns, dates, links, note, files,
        personal data and the plugins' rules (EvidenceError, one line, at the first
        problem)."""
        earliest, latest = self.catalog.structure.plan.start, min(today, real_today())
        if sub.done_on is not None:
            check_day(sub.done_on, done_on_name, earliest=earliest, latest=latest)
        values = self._values(sub, form, kind, earliest=earliest, latest=latest)
        breakdown = self._breakdown(sub, form, values)
        links = tuple(link.strip() for link in sub.links)
        bad = [link for link in links if not _LINK.match(link) or len(link) > 2000]
        if bad:
            raise EvidenceError(f"link {bad[0][:80]!r} is not an http(s) address")
        note = sub.note.strip() if sub.note and sub.note.strip() else None
        if note and len(note) > MAX_NOTE:
            raise EvidenceError(f"the note is longer than {MAX_NOTE:,} characters: keep it "
                                "short (attach a document for more, with no personal data)")
        if sub.file_names and len(sub.file_names) != len(sub.files):
            raise EvidenceError("each file needs its name")
        file_names = list(sub.file_names) or [Path(p).name for p in sub.files]
        paths = [self.blobs.check_path(p, name)
                 for p, name in zip(sub.files, file_names, strict=True)]
        needs_document = any(ind.kind is IndicatorKind.DELIVERABLE for ind in form)
        if needs_document and not paths and not sub.nil:
            names = "; ".join(f"{n} ({ind.text})" for n, ind in enumerate(form, 1)
                              if ind.kind is IndicatorKind.DELIVERABLE)
            raise EvidenceError(f"a deliverable needs at least one document (--file): "
                                f"indicator {names}")
        files = self._inspect_files(paths, file_names)
        self._guard(sub.actor, note, values, links, files, breakdown, file_names,
                    actor_where=actor_where)
        draft = EvidenceDraft(
            occurrence_id=oid, occurrence_kind=kind, owner=owner,
            activity_id=activity_id, values=tuple(values), breakdown=breakdown,
            files=tuple((name, media, size) for (_p, media, size, _), name
                        in zip(files, file_names, strict=True)),
            done_on=sub.done_on, note=note, links=links, nil=sub.nil)
        self._plugin_checks(draft)
        return Checked(sub=sub, occurrence_id=oid, note=note, links=links, values=values,
                       breakdown=breakdown, form=form, files=files, file_names=file_names)

    def put_files(self, checked: Checked) -> list[StoredBlob]:
        """The checked files' blobs (hold ``self.blobs.writing()`` until their rows commit)."""
        return [self.blobs.put(path, name)
                for (path, *_), name in zip(checked.files, checked.file_names, strict=True)]

    def _actor(self, session: Session, given: str) -> Actor:
        """The person named, resolved against the contact directory; the personal-data
        guard first, so that a refusal never echoes an identity number."""
        findings = scan(given, "the name given with --as")
        if findings:
            raise EvidenceError(refusal(findings))
        return resolve(session, given)

    def write_evidence(self, session: Session, checked: Checked, actor: Actor,
                       stored: list[StoredBlob], *, submitted_at: datetime,
                       audit_at: datetime, imported: Provenance | None = None,
                       accepted_by: tuple[Actor, datetime] | None = None) -> Evidence:
        """Store checked evidence and its audit entry in the caller's write transaction.
        ``imported``: it comes from a spreadsheet (the entries' actor is the importer);
        ``accepted_by``: it was reviewed and accepted then (an import of past work), stored
        with its review and that review's entry."""
        sub, oid, values = checked.sub, checked.occurrence_id, checked.values
        breakdown, when = checked.breakdown, audit_at
        # marks it taken only if it is still open or returned: one statement that takes
        # the row's lock, where a concurrent submission or review waits
        to = "submitted" if accepted_by is None else "accepted"
        taken = session.connection().execute(_TAKE, {"oid": oid, "to": to})
        if taken.rowcount != 1:
            row = session.get(OccurrenceRow, oid, populate_existing=True)
            assert row is not None
            self.check_open(session, row)
            raise AssertionError(f"occurrence {oid} could not be marked {to}")
        evidence = Evidence(occurrence_id=oid, status="submitted", nil=sub.nil,
                            done_on=sub.done_on, note=checked.note,
                            links=list(checked.links), submitted_by=actor.name,
                            submitter_contact=actor.contact_id, submitted_at=submitted_at,
                            imported_from=imported.file if imported else None,
                            imported_row=imported.row if imported else None,
                            import_key=imported.key if imported else None,
                            # known empty: the row digest then needs no re-read
                            values=[], breakdown=[], attachments=[], reviews=[])
        session.add(evidence)
        for number, ind, value in values:
            session.add(EvidenceValue(evidence=evidence, indicator=number,
                                      kind=str(ind.kind), count=value.count,
                                      amount=value.amount, percentage=value.percentage,
                                      flag=value.flag, on_date=value.on_date,
                                      text=value.text))
        target = _people_indicator(checked.form)
        for dimension, counts in breakdown.items():
            for category, count in counts.items():
                session.add(Breakdown(evidence=evidence, indicator=target or 0,
                                      dimension=dimension, category=category, count=count))
        attachments = [Attachment(evidence=evidence, sha256=blob.sha256, size=blob.size,
                                  media_type=blob.media_type,
                                  original_name=blob.original_name, created_at=when)
                       for blob in stored]
        session.add_all(attachments)
        session.flush()
        payload = _audit_payload(evidence, values, breakdown, stored, attachments)
        if imported is not None:
            payload["imported"] = imported.payload()
        audit.append(session, actor=imported.by if imported else actor.name,
                     action="evidence.submitted", subject=oid, at=when, payload=payload)
        if accepted_by is not None:
            reviewer, reviewed_at = accepted_by
            evidence.status, evidence.reviewed_by, evidence.reviewed_at = (
                "accepted", reviewer.name, reviewed_at)
            record = Review(evidence=evidence, decision="accepted", reason=None,
                            reviewer=reviewer.name, reviewer_contact=reviewer.contact_id,
                            reviewed_at=reviewed_at)
            session.add(record)
            session.flush()
            review_payload: dict[str, object] = {
                "evidence": evidence.id, "reason": None, "review": record.id,
                "digest": review_digest(record)}
            if imported is not None:
                review_payload["imported"] = imported.payload()
            audit.append(session, actor=imported.by if imported else reviewer.name,
                         action="evidence.accepted", subject=oid, at=when,
                         payload=review_payload)
        return evidence

    def check_open(self, session: Session, row: OccurrenceRow) -> None:
        """Refuse (EvidenceError) evidence for an occurrence that is done or awaits review."""
        if row.progress == "accepted":
            raise EvidenceError(f"occurrence {row.id} is already done: its evidence was "
                                "accepted")
        if row.progress == "submitted":
            pending = session.execute(
                select(Evidence.id).where(Evidence.occurrence_id == row.id,
                                          Evidence.status == "submitted")).scalar()
            raise EvidenceError(f"occurrence {row.id} has evidence #{pending} awaiting review; "
                                "it must be reviewed before new evidence is submitted")

    def _values(self, sub: Submission, form: tuple[Indicator, ...], kind: str, *,
                earliest: date, latest: date) -> list[tuple[int, Indicator, Value]]:
        if sub.nil:
            if kind != "nil-return":
                raise EvidenceError("--nil is only for yearly returns of on-demand activities "
                                    "(occurrences of kind nil-return)")
            if sub.values or sub.files:
                raise EvidenceError("--nil means no such work this year: give no values or "
                                    "files with it")
            return []
        listing = ", ".join(f"{n}: {ind.text}" for n, ind in enumerate(form, 1))
        parsed: list[tuple[int, Indicator, Value]] = []
        numbers: dict[int, str] = {}
        for key, raw in sub.values.items():
            if not key.strip().isascii() or not key.strip().isdigit() or len(key) > 3 \
                    or not 1 <= int(key) <= len(form):
                raise EvidenceError(f"indicator {echo_cut(key)!r}: this occurrence has "
                                    f"{len(form)} "
                                    f"indicator(s): {listing}")
            numbers[int(key)] = raw
        for number, ind in enumerate(form, 1):
            where = f"indicator {number} ({ind.text})"
            given = numbers.get(number)
            if given is None and ind.kind is IndicatorKind.DELIVERABLE:
                if sub.files:
                    continue  # the documents are the deliverable
                raise EvidenceError(f"{where}: a deliverable needs at least one document "
                                    "(--file PATH)")
            if given is None:
                raise EvidenceError(f"{where}: a value is needed (--value {number}=...)")
            parsed.append((number, ind, parse_value(ind.kind, given, where,
                                                    done_on=sub.done_on, earliest=earliest,
                                                    latest=latest)))
        return parsed

    def _breakdown(self, sub: Submission, form: tuple[Indicator, ...],
                   values: list[tuple[int, Indicator, Value]]) -> dict[str, dict[str, int]]:
        if not sub.breakdown:
            return {}
        target = _people_indicator(form)
        if target is None:
            raise EvidenceError("this occurrence has no indicator that counts people: "
                                "--sex, --nationality and --age do not apply")
        total = next((v.count for n, _i, v in values if n == target), None)
        result: dict[str, dict[str, int]] = {}
        for dimension, counts in sub.breakdown.items():
            if dimension not in DIMENSIONS:
                raise EvidenceError(f"unknown breakdown {dimension!r}; use sex, nationality "
                                    "or age")
            allowed = {"sex": SEX, "age": AGE}.get(dimension)
            clean: dict[str, int] = {}
            for category, raw in counts.items():
                name = " ".join(category.strip().lower().split())
                if allowed is not None and name not in allowed:
                    raise EvidenceError(f"--{dimension} {category!r}: use one of "
                                        f"{', '.join(allowed)}")
                if not name or len(name) > 80:
                    raise EvidenceError(f"--{dimension}: a category needs a short name")
                clean[name] = clean.get(name, 0) + parse_count(raw, f"--{dimension} {name}")
            if total is not None and sum(clean.values()) != total:
                raise EvidenceError(f"--{dimension} adds up to {sum(clean.values())}, but "
                                    f"indicator {target} counts {total}")
            result[dimension] = clean
        return result

    def _inspect_files(self, paths: list[Path], names: list[str],
                       ) -> list[tuple[Path, str, int, list[Finding]]]:
        """Each file's type and size, and what the personal-data guard found in its text,
        within one :class:`TextBudget` for the whole submission."""
        out = []
        budget = self.text_budget()
        for path, name in zip(paths, names, strict=True):
            with path.open("rb") as handle:
                head = handle.read(8192)
            media = sniff(head, name)
            budget.start(name)
            findings = [finding for part in extract_texts(path, media, name, budget)
                        for finding in scan(part.text, part.where, tick=budget.tick)]
            out.append((path, media, path.stat().st_size, findings))
        return out

    def text_budget(self) -> TextBudget:
        """What one submission may spend checking its files' text (tests shrink it)."""
        return TextBudget()

    def _guard(self, actor: str, note: str | None, values: list[tuple[int, Indicator, Value]],
               links: tuple[str, ...], files: list[tuple[Path, str, int, list[Finding]]],
               breakdown: Mapping[str, Mapping[str, int]], names: list[str], *,
               actor_where: str = "the name given with --as") -> None:
        findings: list[Finding] = scan(actor, actor_where)
        if note:
            findings += scan(note, "the note")
        for number, _ind, value in values:
            if value.text:
                findings += scan(value.text, f"indicator {number}")
        for n, link in enumerate(links, 1):
            findings += scan(link, f"link {n}")
        for (_path, _media, _size, found), name in zip(files, names, strict=True):
            findings += scan(name, "a file name")
            findings += found
        for dimension, counts in breakdown.items():
            for category in counts:
                findings += scan(category, f"the {dimension} breakdown")
        if findings:
            raise EvidenceError(refusal(findings))

    def _plugin_checks(self, draft: EvidenceDraft) -> None:
        if self.plugins is None:
            return
        problems: list[Problem] = []
        for plugin, result in self.plugins.call_each("naptip_validate_evidence", problems,
                                                     draft=draft):
            messages = [result] if isinstance(result, str) else list(result or ())
            for message in messages:
                raise EvidenceError(f"evidence refused by plugin {plugin!r}: "
                                    f"{' '.join(str(message).split())}")
        if problems:
            raise EvidenceError(f"evidence not checked: {problems[0]}")

    # --- review ----------------------------------------------------------------------

    def review(self, evidence_id: int, *, accept: bool, reason: str | None, actor: str,
               now: datetime | None = None, login: bool = False) -> Evidence:
        """Accept or return evidence as ``actor`` (a name or e-mail; ``login``: the name is
        the machine's login, not one the person gave)."""
        reason = " ".join(reason.split()) if reason else None
        if not accept and not reason:
            raise EvidenceError("returning evidence needs a reason (--return REASON)")
        findings = scan(reason, "the reason") if reason else []
        if findings:
            raise EvidenceError(refusal(findings))
        given = actor
        findings = scan(given, "the name given with --as")
        if findings:
            raise EvidenceError(refusal(findings))
        when = now or datetime.now(UTC)

        def work(session: Session) -> Evidence:
            evidence = session.get(Evidence, evidence_id, with_for_update=True)
            if evidence is None:
                raise EvidenceError(f"no evidence has the number {evidence_id}")
            row = session.get(OccurrenceRow, evidence.occurrence_id, with_for_update=True)
            assert row is not None
            if row.plan_id != self.plan_id:
                raise EvidenceError(f"evidence #{evidence_id} is for plan {row.plan_id}, not "
                                    f"{self.plan_id}")
            if evidence.status != "submitted":
                at = shown_time(evidence.reviewed_at) if evidence.reviewed_at else "?"
                raise EvidenceError(f"evidence #{evidence_id} was already {evidence.status} by "
                                    f"{evidence.reviewed_by} on {at}")
            reviewer = resolve(session, given, login=login)
            check_reviewer(session, reviewer, evidence.submitted_by,
                           evidence.submitter_contact, given=given)
            decision = "accepted" if accept else "returned"
            evidence.status, evidence.reviewed_by, evidence.reviewed_at = (
                decision, reviewer.name, when)
            record = Review(evidence=evidence, decision=decision, reason=reason,
                            reviewer=reviewer.name, reviewer_contact=reviewer.contact_id,
                            reviewed_at=when)
            session.add(record)
            row.progress = decision
            session.flush()
            audit.append(session, actor=reviewer.name, action=f"evidence.{decision}",
                         subject=row.id, at=when,
                         payload={"evidence": evidence.id, "reason": reason,
                                  "review": record.id, "digest": review_digest(record)})
            return evidence

        evidence = self.db.write(work)
        if accept:
            self._accepted(evidence)
        return evidence

    def is_own(self, evidence: Evidence, who: str) -> bool:
        """Whether ``who`` (a name or e-mail) submitted ``evidence``: the same contact when
        the directory names both (see :func:`naptip.store.reviewers.own_test`)."""
        with self.db.reading() as session:
            return own_test(session, person(session, who), who)(
                evidence.submitted_by, evidence.submitter_contact)

    def _accepted(self, evidence: Evidence) -> None:
        if self.plugins is None:
            return
        with self.db.reading() as session:
            row = session.get(OccurrenceRow, evidence.occurrence_id)
            assert row is not None
            accepted = AcceptedEvidence(
                evidence_id=evidence.id, occurrence_id=row.id, activity_id=row.activity_id,
                owner=row.owner, reviewer=evidence.reviewed_by or "",
                reviewed_at=evidence.reviewed_at or datetime.now(UTC))
        self.accepted_hook(accepted)

    def accepted_hook(self, accepted: AcceptedEvidence) -> None:
        """Tell the plugins that evidence was accepted (their problems go to warnings)."""
        if self.plugins is None:
            return
        for _plugin, _result in self.plugins.call_each("naptip_evidence_accepted",
                                                       self.warnings, evidence=accepted):
            pass


def _people_indicator(form: tuple[Indicator, ...]) -> int | None:
    return next((n for n, ind in enumerate(form, 1) if ind.disaggregate), None)


def _audit_payload(evidence: Evidence, values: list[tuple[int, Indicator, Value]],
                   breakdown: Mapping[str, Mapping[str, int]],
                   stored: list[StoredBlob], attachments: list[Attachment],
                   ) -> dict[str, object]:
    """What the audit entry records, built from what was just written (no re-reads): the
    content hash of each row lets `audit verify` check the rows, not only the chain."""
    return {
        "digest": evidence_digest(evidence),
        "attachment_rows": {str(a.id): attachment_digest(a) for a in attachments},
        "evidence": evidence.id, "nil": evidence.nil,
        "done_on": evidence.done_on.isoformat() if evidence.done_on else None,
        "values": {number: value.display() for number, _ind, value in values},
        "breakdown": [[d, c, n] for d, counts in breakdown.items() for c, n in counts.items()],
        "attachments": [[b.sha256, b.size, b.media_type] for b in stored],
    }
