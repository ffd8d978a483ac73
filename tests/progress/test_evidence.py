"""Completion evidence through the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from naptip import AcceptedEvidence, EvidenceDraft, hookimpl
from naptip.base.values import EvidenceError
from naptip.plan.catalog import Catalog
from naptip.plan.pluginmanager import LoadedPlugins
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.orm import Attachment, AuditEntry, Evidence, OccurrenceRow, Review

TODAY = date(2024, 3, 1)


@pytest.fixture
def service(synced: Database, builtin_catalog: Catalog, loaded: LoadedPlugins) -> EvidenceService:
    return EvidenceService(synced, builtin_catalog, loaded)


def submit(service: EvidenceService, occurrence: str, **kwargs: object) -> int:
    kwargs.setdefault("actor", "alice")
    return service.submit(Submission(occurrence_id=occurrence, **kwargs),  # type: ignore[arg-type]
                          today=TODAY)


def snapshot(db: Database) -> tuple[int, ...]:
    """What is stored: rows of every evidence table, audit entries, blob files."""
    with db.reading() as session:
        counts = tuple(int(session.execute(select(func.count()).select_from(m)).scalar_one())
                       for m in (Evidence, Attachment, Review, AuditEntry))
        progress = session.execute(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.progress != "open")).scalar_one()
    blobs = sum(1 for p in db.blobs.rglob("*") if p.is_file()) if db.blobs.exists() else 0
    return (*counts, int(progress), blobs)


def test_count_with_breakdown(service: EvidenceService) -> None:
    eid = submit(service, "S13-O1-ii@2023", values={"1": "42"}, done_on=date(2023, 11, 2),
                 breakdown={"sex": {"female": "12", "male": "30"},
                            "nationality": {"Malaysian": "40", "indonesian": "2"},
                            "age": {"adult": "42"}})
    with service.db.reading() as session:
        e = session.get(Evidence, eid)
        assert e is not None
        assert (e.status, e.submitted_by, e.done_on) == ("submitted", "alice", date(2023, 11, 2))
        assert e.submitted_at.utcoffset() is not None
        assert [(v.indicator, v.kind, v.count) for v in e.values] == [(1, "count", 42)]
        assert {(b.dimension, b.category, b.count) for b in e.breakdown} == {
            ("sex", "female", 12), ("sex", "male", 30), ("nationality", "malaysian", 40),
            ("nationality", "indonesian", 2), ("age", "adult", 42)}
        row = session.get(OccurrenceRow, "S13-O1-ii@2023")
        assert row is not None and row.progress == "submitted"


def test_amount_milestone_and_two_indicators(service: EvidenceService, tmp_path: Path) -> None:
    doc = tmp_path / "guidelines.pdf"
    doc.write_bytes(b"%PDF-1.7\n% guidelines\n")
    eid = submit(service, "S5-O2-i@2023", values={"2": "RM 1,250,000.50"}, files=[str(doc)])
    mid = submit(service, "S1-O1-iii@deliverable", values={"1": "yes@2024-02-01"})
    with service.db.reading() as session:
        e = session.get(Evidence, eid)
        assert e is not None
        assert [(v.indicator, v.amount) for v in e.values] == [(2, Decimal("1250000.50"))]
        assert [(a.original_name, a.media_type, a.size) for a in e.attachments] == [
            ("guidelines.pdf", "application/pdf", 22)]
        sha = e.attachments[0].sha256
        assert service.blobs.path_of(sha).read_bytes() == doc.read_bytes()
        m = session.get(Evidence, mid)
        assert m is not None and (m.values[0].flag, m.values[0].on_date) == (True,
                                                                            date(2024, 2, 1))


def test_percentage_narrative_and_meeting_minutes(service: EvidenceService,
                                                  tmp_path: Path) -> None:
    submit(service, "S15-O6-ii@2023", values={"1": "87.5%"})
    submit(service, "S9-O1-iv@2023", values={"1": "Campaign reached its audience; radio "
                                                    "worked best."})
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the enforcement coordination meeting.\nAttended: 5 agencies.")
    submit(service, "enforcement-meeting@2023-05-09", files=[str(minutes)])
    with service.db.reading() as session:
        kinds = session.execute(select(Evidence.occurrence_id, Attachment.media_type)
                                .join(Attachment)).all()
    assert kinds == [("enforcement-meeting@2023-05-09", "text/plain")]


def test_nil_return_for_on_demand_work(service: EvidenceService) -> None:
    eid = submit(service, "S12-O2-iii@2023", nil=True, note="No convictions to publicise.")
    with service.db.reading() as session:
        e = session.get(Evidence, eid)
        assert e is not None and e.nil and e.values == []
    with pytest.raises(EvidenceError, match="--nil is only for yearly returns"):
        submit(service, "S1-O1-i@2023", nil=True)


def test_same_content_is_stored_once(service: EvidenceService, tmp_path: Path) -> None:
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    a.write_bytes(b"%PDF-1.4 same")
    b.write_bytes(b"%PDF-1.4 same")
    submit(service, "S11-O1-ii@deliverable", files=[str(a), str(b)])
    blobs = [p for p in service.db.blobs.rglob("*")
             if p.is_file() and p.relative_to(service.db.blobs).parts[0] != "tmp"]
    assert len(blobs) == 1


def _big_file(tmp_path: Path) -> str:
    path = tmp_path / "huge.pdf"
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.4")
        handle.truncate(200 * 1024 * 1024)  # sparse: 200 MB without using the disk
    return str(path)


def _other_plan(service: EvidenceService) -> str:
    with service.db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO occurrence (id, plan_id, kind, title, owner, support, due, unshifted, "
            "region, progress, withdrawn, fingerprint, created_at, updated_at) VALUES "
            "('S1-O1-i@2019', 'naptip-2.0', 'progress-report', 'old', 'legislative', '[]', "
            "'2020-01-31', '2020-01-31', 'putrajaya', 'open', false, 'x', :t, :t)"),
            {"t": "2020-01-01 00:00:00+00:00"})
    return "S1-O1-i@2019"


BAD = [
    ("negative count", "S1-O1-i@2023", {"values": {"1": "-3"}}, "a count cannot be negative"),
    ("text in a count", "S1-O1-i@2023", {"values": {"1": "twelve"}},
     "'twelve' is not a whole number"),
    ("deliverable without a document", "S11-O1-ii@deliverable", {},
     "a deliverable needs at least one document"),
    ("MyKad in a note", "S1-O1-i@2023",
     {"values": {"1": "3"}, "note": "Victim IC 850101-14-5678 assisted"},
     "a MyKad number in the note (line 1)"),
    ("passport in a narrative", "S9-O1-iv@2023",
     {"values": {"1": "Met survivor holding passport A12345678"}},
     "a passport number in indicator 1"),
    ("phone in a text file", "S11-O1-ii@deliverable", {"files": ["PHONE_FILE"]},
     "a phone number in file contacts.txt (line 2)"),
    ("200 MB file", "S11-O1-ii@deliverable", {"files": ["BIG_FILE"]}, "the limit is 25 MB"),
    ("path traversal", "S11-O1-ii@deliverable", {"files": ["../../etc/passwd"]},
     "'..' is not allowed in file paths"),
    ("a program", "S11-O1-ii@deliverable", {"files": ["PROGRAM"]}, "looks like a Linux program"),
    ("unknown occurrence", "S99-O1-i@2023", {"values": {"1": "1"}},
     "no occurrence has the id 'S99-O1-i@2023'"),
    ("another plan", "OTHER_PLAN", {"values": {"1": "1"}},
     "belongs to plan naptip-2.0, not naptip-3.0"),
    ("breakdown that does not add up", "S13-O1-ii@2023",
     {"values": {"1": "42"}, "breakdown": {"sex": {"female": "10", "male": "30"}}},
     "--sex adds up to 40, but indicator 1 counts 42"),
    ("breakdown where nobody is counted", "S1-O1-i@2023",
     {"values": {"1": "3"}, "breakdown": {"sex": {"female": "3"}}},
     "has no indicator that counts people"),
    ("future work", "S1-O1-i@2023", {"values": {"1": "3"}, "done_on": date(2024, 6, 1)},
     "is in the future"),
    ("unknown indicator", "S1-O1-i@2023", {"values": {"3": "1"}},
     "this occurrence has 1 indicator(s): 1: Number of sessions"),
    ("amount with cents of cents", "S7-O1-ii@2023", {"values": {"1": "10.001"}},
     "at most two decimals"),
    ("percentage over 100", "S15-O6-ii@2023", {"values": {"1": "120"}}, "between 0 and 100"),
    ("bad link", "S1-O1-i@2023", {"values": {"1": "3"}, "links": ["file:///etc/passwd"]},
     "is not an http(s) address"),
]


@pytest.mark.parametrize(("case", "occurrence", "fields", "message"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_evidence_is_one_line_and_changes_nothing(
        service: EvidenceService, tmp_path: Path, case: str, occurrence: str,
        fields: dict[str, object], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    phone = tmp_path / "contacts.txt"
    phone.write_text("Shelter contacts\nCall 012-345 6789 after hours\n")
    program = tmp_path / "report.pdf"
    program.write_bytes(b"\x7fELF\x02\x01\x01")
    replace = {"PHONE_FILE": str(phone), "BIG_FILE": _big_file(tmp_path) if "200" in case
               else "", "PROGRAM": str(program)}
    if "files" in fields:
        fields = {**fields, "files": [replace.get(f, f) for f in fields["files"]]}  # type: ignore[attr-defined]
    if occurrence == "OTHER_PLAN":
        occurrence = _other_plan(service)
    monkeypatch.chdir(tmp_path)
    before = snapshot(service.db)
    with pytest.raises(EvidenceError) as info:
        submit(service, occurrence, **fields)
    error = str(info.value)
    assert message in error
    assert "\n" not in error
    assert "850101" not in error and "A12345678" not in error and "345 6789" not in error
    assert snapshot(service.db) == before


def test_review_lifecycle(service: EvidenceService) -> None:
    first = submit(service, "S1-O1-i@2023", values={"1": "3"})
    with pytest.raises(EvidenceError, match="awaiting review"):
        submit(service, "S1-O1-i@2023", values={"1": "4"})
    with pytest.raises(EvidenceError, match="needs a reason"):
        service.review(first, accept=False, reason="  ", actor="nso")
    returned = service.review(first, accept=False, reason="Attach the attendance list",
                              actor="nso")
    assert (returned.status, returned.reviewed_by) == ("returned", "nso")
    with pytest.raises(EvidenceError, match="was already returned by nso"):
        service.review(first, accept=True, reason=None, actor="nso")
    second = submit(service, "S1-O1-i@2023", values={"1": "4"}, actor="bob")
    accepted = service.review(second, accept=True, reason=None, actor="chair")
    assert accepted.status == "accepted"
    with pytest.raises(EvidenceError, match="already done"):
        submit(service, "S1-O1-i@2023", values={"1": "5"})
    with service.db.reading() as session:
        reviews = session.execute(select(Review.evidence_id, Review.decision, Review.reason,
                                         Review.reviewer).order_by(Review.id)).all()
        assert reviews == [(first, "returned", "Attach the attendance list", "nso"),
                           (second, "accepted", None, "chair")]
        row = session.get(OccurrenceRow, "S1-O1-i@2023")
        assert row is not None and row.progress == "accepted"
        actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)
                                  ).scalars().all()
    assert actions == ["occurrences.materialised", "evidence.submitted", "evidence.returned",
                       "evidence.submitted", "evidence.accepted"]
    with pytest.raises(EvidenceError, match="no evidence has the number 999"):
        service.review(999, accept=True, reason=None, actor="nso")


def test_review_reason_is_guarded(service: EvidenceService) -> None:
    eid = submit(service, "S1-O1-i@2023", values={"1": "3"})
    with pytest.raises(EvidenceError, match="a phone number in the reason"):
        service.review(eid, accept=False, reason="call her on 019-876 5432", actor="nso")


class AgencyRules:
    def __init__(self) -> None:
        self.accepted: list[AcceptedEvidence] = []

    @hookimpl
    def naptip_validate_evidence(self, draft: EvidenceDraft) -> Iterable[str]:
        if draft.owner == "legislative" and not draft.note:
            yield "AGC asks for a note naming the sessions' themes"

    @hookimpl
    def naptip_evidence_accepted(self, evidence: AcceptedEvidence) -> None:
        self.accepted.append(evidence)


def test_plugin_validator_and_acceptance_hook(service: EvidenceService,
                                              loaded: LoadedPlugins) -> None:
    rules = AgencyRules()
    loaded.pm.register(rules, name="agc-rules")
    try:
        before = snapshot(service.db)
        with pytest.raises(EvidenceError) as info:
            submit(service, "S1-O1-i@2023", values={"1": "3"})
        assert str(info.value) == ("evidence refused by plugin 'agc-rules': AGC asks for a "
                                   "note naming the sessions' themes")
        assert snapshot(service.db) == before
        eid = submit(service, "S1-O1-i@2023", values={"1": "3"}, note="Themes: ACTIP")
        service.review(eid, accept=True, reason=None, actor="nso")
        assert [(a.evidence_id, a.activity_id, a.reviewer) for a in rules.accepted] == [
            (eid, "S1-O1-i", "nso")]
    finally:
        loaded.pm.unregister(rules)


def test_failing_acceptance_hook_is_a_warning(service: EvidenceService,
                                              loaded: LoadedPlugins) -> None:
    class Broken:
        @hookimpl
        def naptip_evidence_accepted(self, evidence: AcceptedEvidence) -> None:
            raise RuntimeError("webhook down")

    loaded.pm.register(Broken(), name="broken")
    eid = submit(service, "S1-O1-i@2023", values={"1": "3"})
    assert service.review(eid, accept=True, reason=None, actor="nso").status == "accepted"
    assert [str(p) for p in service.warnings] == [
        "plugin 'broken': hook naptip_evidence_accepted raised RuntimeError: webhook down"]


def test_file_size_limit_is_configuration(synced: Database, builtin_catalog: Catalog,
                                          tmp_path: Path) -> None:
    from naptip.base.config import parse_settings

    small = Catalog(**{**vars(builtin_catalog),
                       "settings": parse_settings({"evidence": {"max_file_mb": 1}})})
    doc = tmp_path / "scan.pdf"
    doc.write_bytes(b"%PDF-1.4" + b"0" * (2 * 1024 * 1024))
    with pytest.raises(EvidenceError, match="is 2 MB; the limit is 1 MB"):
        EvidenceService(synced, small).submit(Submission(
            occurrence_id="S11-O1-ii@deliverable", actor="a", files=[str(doc)]), today=TODAY)


def test_blob_names_never_become_paths(service: EvidenceService, tmp_path: Path) -> None:
    odd = tmp_path / "minutes; rm -rf ~.txt"
    odd.write_text("Minutes of the meeting.")
    eid = submit(service, "S11-O1-ii@deliverable", files=[str(odd)])
    with service.db.reading() as session:
        a = session.execute(select(Attachment).where(Attachment.evidence_id == eid)).scalar_one()
    stored = service.blobs.path_of(a.sha256)
    assert stored.exists() and stored.name == a.sha256[2:]
    assert a.original_name == "minutes; rm -rf ~.txt"
    assert not any("rm -rf" in str(p) for p in service.db.blobs.rglob("*"))
    assert os.path.commonpath([stored, service.db.blobs]) == str(service.db.blobs)
