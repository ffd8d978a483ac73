"""Links, owners, updates and reviews of recommendations (issue 22), on SQLite and
PostgreSQL; ``audit verify`` covers their rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from naptip.base.values import EvidenceError
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.progress.recommendations.links import assign, link
from naptip.progress.recommendations.listing import item_detail, item_rows
from naptip.progress.recommendations.refs import PlanRefs
from naptip.progress.recommendations.sets import import_set
from naptip.progress.recommendations.updates import (
    UpdateDraft,
    referenced_blobs,
    review_update,
    submit_update,
)
from naptip.store.audit import verify
from naptip.store.audit_rows import verify_rows
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, Contact, Recommendation

NOW = datetime(2025, 10, 6, 2, 0, tzinfo=UTC)
TODAY = date(2025, 10, 6)


@pytest.fixture
def refs(builtin_catalog: Catalog) -> PlanRefs:
    return PlanRefs(committees=builtin_catalog.committees,
                    activities={"naptip-3.0": set(builtin_catalog.activities)},
                    default_plan="naptip-3.0")


def _contact(db: Database, name: str, role: str, email: str) -> None:
    def add(session: Session) -> None:
        session.add(Contact(name=name, email=email, roles=[role], created_at=NOW,
                            updated_at=NOW))

    db.write(add)


@pytest.fixture
def seeded(synced: Database, refs: PlanRefs, tmp_path: Path) -> Database:
    """A set of three items (R1 linked, R2 and R3 not) and a contact directory: two of the
    secretariat, the enforcement committee's lead, the forced-labour committee's."""
    path = tmp_path / "set.toml"
    path.write_text("""
[set]
source = "Synthetic test set"
issued = 2025-09-30

[[item]]
id = "R1"
text = "Identify victims proactively."
lead = "enforcement"
support = ["victim-care"]
activities = ["S4-O1-i"]

[[item]]
id = "R2"
text = "Train labour inspectors."
lead = "forced-labour"

[[item]]
id = "R3"
text = "Publish yearly figures."
""", encoding="utf-8")
    result = import_set(synced, refs, path, set_id="tip-2025", importer="Siti", now=NOW)
    assert result.refused == 0
    _contact(synced, "Siti", "secretariat:nso-mapo", "siti@moha.gov.my")
    _contact(synced, "Nora", "secretariat:nso-mapo", "nora@moha.gov.my")
    _contact(synced, "Aminah", "lead:enforcement", "aminah@rmp.gov.my")
    _contact(synced, "Farid", "lead:forced-labour", "farid@mohr.gov.my")
    return synced


def _draft(item: str = "R1", who: str = "Aminah", **kw: object) -> UpdateDraft:
    args: dict[str, object] = {"set_id": "tip-2025", "item": item, "status": "in-progress",
                               "narrative": "Guidelines reviewed with the agencies.",
                               "actor": who}
    args.update(kw)
    return UpdateDraft(**args)  # type: ignore[arg-type]


def test_links_to_naptip_3_activities_and_the_gap_flag(seeded: Database, refs: PlanRefs,
                                                        builtin_catalog: Catalog) -> None:
    evidence = EvidenceService(seeded, builtin_catalog)
    done = evidence.submit(Submission(occurrence_id="S4-O1-i@2021", actor="Aminah",
                                      values={"1": "3"}, done_on=date(2021, 11, 30)),
                           today=date(2022, 1, 10), now=datetime(2022, 1, 10, tzinfo=UTC))
    evidence.review(done, accept=True, reason=None, actor="Siti",
                    now=datetime(2022, 1, 12, tzinfo=UTC))
    evidence.submit(Submission(occurrence_id="S4-O1-i@2022", actor="Aminah",
                               values={"1": "2"}, done_on=date(2022, 11, 30)),
                    today=date(2023, 1, 10), now=datetime(2023, 1, 10, tzinfo=UTC))
    with seeded.reading() as session:
        assert [(r["item"], r["links"], r["gap"]) for r in item_rows(session, as_of=TODAY)] == [
            ("R1", 1, False), ("R2", 0, True), ("R3", 0, True)]
    changed = link(seeded, refs, "TIP-2025", "r2", ["S23-O1-vii", "s7-o1-vi", "S23-O1-vii"],
                   actor="Siti", now=NOW)
    assert (changed.item, changed.done) == (
        "tip-2025 R2", ("naptip-3.0:S23-O1-vii", "naptip-3.0:S7-O1-vi"))
    again = link(seeded, refs, "tip-2025", "R2", ["S23-O1-vii"], actor="Siti", now=NOW)
    assert (again.done, again.unchanged) == ((), ("naptip-3.0:S23-O1-vii",))
    gone = link(seeded, refs, "tip-2025", "R2", ["S7-O1-vi"], actor="Siti", unlink=True,
                now=NOW)
    assert gone.done == ("naptip-3.0:S7-O1-vi",)
    # a plan's id in any case; a plain id is the refs' (the command's) plan
    other = link(seeded, refs, "tip-2025", "R3", ["NAPTIP-3.0:s4-o1-i"], actor="Siti",
                 now=NOW)
    assert other.done == ("naptip-3.0:S4-O1-i",)
    link(seeded, refs, "tip-2025", "R3", ["S4-O1-i"], actor="Siti", unlink=True, now=NOW)
    with seeded.reading() as session:
        assert [r["item"] for r in item_rows(session, as_of=TODAY, gaps=True)] == ["R3"]
        assert [r["item"] for r in item_rows(session, as_of=TODAY,
                                             committee="victim-care")] == ["R1"]
        detail = item_detail(session, "tip-2025", "R1", date(2023, 6, 30))
        # S4-O1-i's five yearly occurrences in the synced store on 2023-06-30, as the
        # follow-up report counts them: 2021 accepted, 2022 awaiting review (and overdue),
        # 2023 to 2025 open and not yet due
        assert detail["links"][0]["activity"] == "S4-O1-i"
        assert detail["links"][0]["occurrences"] == {"total": 5, "accepted": 1,
                                                     "awaiting": 1, "open": 4, "overdue": 1}
        assert verify_rows(session, seeded.blobs) == []
    with pytest.raises(EvidenceError, match=r"unknown activity 'S99' of naptip-3\.0"):
        link(seeded, refs, "tip-2025", "R3", ["S4-O1-i", "S99"], actor="Siti")
    with pytest.raises(EvidenceError, match="'Aminah' may not link recommendations: only "
                                            "the secretariat may"):
        link(seeded, refs, "tip-2025", "R3", ["S4-O1-i"], actor="Aminah")
    with pytest.raises(EvidenceError, match="set tip-2025 has no item 'R9'"):
        link(seeded, refs, "tip-2025", "R9", ["S4-O1-i"], actor="Siti")


def test_assign_owners(seeded: Database, refs: PlanRefs) -> None:
    changed = assign(seeded, refs, "tip-2025", "R3", lead="Monitoring and Evaluation "
                     "Committee", support=["media", "monitoring"], actor="Siti", now=NOW)
    assert changed.done == ("lead - -> monitoring", "support - -> media")
    with seeded.reading() as session:
        r3 = session.execute(select(Recommendation).where(Recommendation.item == "R3")
                             ).scalar_one()
        assert (r3.lead, r3.support) == ("monitoring", ["media"])
        assert verify_rows(session, None) == []
    with pytest.raises(EvidenceError, match="unknown committee 'police'"):
        assign(seeded, refs, "tip-2025", "R3", lead="police", support=None, actor="Siti")


def test_update_by_the_lead_reviewed_by_the_secretariat(seeded: Database,
                                                        tmp_path: Path) -> None:
    doc = tmp_path / "minutes.txt"
    doc.write_text("Minutes of the working group on victim identification.\n")
    first = submit_update(seeded, _draft(links=["https://example.org/sop"], files=[str(doc)]),
                          now=NOW)
    assert (first.review, first.submitted_by, first.attachments[0]["name"]) == (
        "submitted", "aminah@rmp.gov.my", "minutes.txt")
    with pytest.raises(EvidenceError, match="has update #1 awaiting review"):
        submit_update(seeded, _draft(), now=NOW)
    with pytest.raises(EvidenceError, match="self-review refused: 'Aminah' submitted update "
                                            "#1"):
        review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Aminah")
    with pytest.raises(EvidenceError, match="'Farid' may not review updates"):
        review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Farid")
    with pytest.raises(EvidenceError, match="'Nobody' is not an active contact"):
        review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Nobody")
    with pytest.raises(EvidenceError, match="returning an update needs a reason"):
        review_update(seeded, "tip-2025", "R1", accept=False, reason=" ", actor="Siti")
    returned = review_update(seeded, "tip-2025", "R1", accept=False,
                             reason="Attach the SOP itself", actor="Siti", now=NOW)
    assert (returned.review, returned.reviewed_by) == ("returned", "siti@moha.gov.my")
    second = submit_update(seeded, _draft(status="implemented",
                                          narrative="SOP adopted; copy attached."), now=NOW)
    accepted = review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Nora",
                             now=NOW)
    assert accepted.id == second.id and accepted.review == "accepted"
    with pytest.raises(EvidenceError, match=r"has no update awaiting review; its last, #2, "
                                            r"was accepted by nora@moha\.gov\.my"):
        review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Nora")
    with seeded.reading() as session:
        r1 = session.execute(select(Recommendation).where(Recommendation.item == "R1")
                             ).scalar_one()
        assert r1.status == "implemented"
        assert [(u.status, u.review) for u in r1.updates] == [
            ("in-progress", "returned"), ("implemented", "accepted")]
        actions = session.execute(select(AuditEntry.action).where(
            AuditEntry.action.like("recommendation.%")).order_by(AuditEntry.seq)
        ).scalars().all()
        assert actions[-4:] == ["recommendation.updated", "recommendation.returned",
                                "recommendation.updated", "recommendation.accepted"]
        assert referenced_blobs(session) == {first.attachments[0]["sha256"]}
        assert verify_rows(session, seeded.blobs) == []


def test_who_may_update(seeded: Database, tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match=r"'Farid' may not update tip-2025 R1: only "
                                            r"contacts of its lead or supporting committees "
                                            r"\(enforcement, victim-care\) or the secretariat"):
        submit_update(seeded, _draft(who="Farid"))
    with pytest.raises(EvidenceError, match="'Nobody' is not an active contact"):
        submit_update(seeded, _draft(who="Nobody"))
    with pytest.raises(EvidenceError, match="update refused: found what looks like a phone "
                                            "number in the narrative"):
        submit_update(seeded, _draft(narrative="Victim reached at 012-345 6789"))
    with pytest.raises(EvidenceError, match="longer than 2,000 characters"):
        submit_update(seeded, _draft(narrative="x" * 2001))
    with pytest.raises(EvidenceError, match=r"the narrative holds the control character "
                                            r"U\+001B \(invisible"):
        submit_update(seeded, _draft(narrative="Done \x1b[2J with the agencies"))
    with pytest.raises(EvidenceError, match=r"link 'https://x\.my/ab' is not an http"):
        submit_update(seeded, _draft(links=["https://x.my/a\x01b"]))
    with pytest.raises(EvidenceError, match="status 'done': use one of not-started"):
        submit_update(seeded, _draft(status="done"))
    phone = tmp_path / "contacts.txt"
    phone.write_text("Shelter\nCall 012-345 6789\n")
    with pytest.raises(EvidenceError, match=r"phone number in file contacts\.txt"):
        submit_update(seeded, _draft(files=[str(phone)]))
    # the secretariat may update any item, and Farid his own committee's
    assert submit_update(seeded, _draft(item="R3", who="Siti")).review == "submitted"
    assert submit_update(seeded, _draft(item="R2", who="Farid")).review == "submitted"
    with seeded.reading() as session:
        assert verify(session).ok and verify_rows(session, None) == []
        assert len(session.execute(select(AuditEntry).where(
            AuditEntry.action == "recommendation.updated")).all()) == 2


def test_audit_verify_names_tampered_recommendation_rows(seeded: Database, refs: PlanRefs,
                                                         tmp_path: Path) -> None:
    doc = tmp_path / "minutes.txt"
    doc.write_text("Minutes.\n")
    link(seeded, refs, "tip-2025", "R2", ["S23-O1-vii"], actor="Siti", now=NOW)
    update = submit_update(seeded, _draft(files=[str(doc)]), now=NOW)
    review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Siti", now=NOW)
    with seeded.reading() as session:
        assert verify(session).ok and verify_rows(session, seeded.blobs) == []
    with seeded.engine.begin() as conn:
        conn.execute(text("UPDATE recommendation SET status = 'implemented' WHERE item = 'R2'"))
        conn.execute(text("UPDATE recommendation_update SET narrative = 'All done.'"))
        conn.execute(text("UPDATE recommendation_set SET source = 'US TIP Report 2025'"))
        conn.execute(text(
            "INSERT INTO recommendation_link (recommendation_id, plan_id, activity_id, "
            "linked_by, linked_at) SELECT id, 'naptip-3.0', 'S1-O1-i', 'x', :at "
            "FROM recommendation WHERE item = 'R3'"), {"at": NOW})
        conn.execute(text("DELETE FROM recommendation_link WHERE activity_id = 'S23-O1-vii'"))
    sha = update.attachments[0]["sha256"]
    (seeded.blobs / sha[:2] / sha[2:]).write_bytes(b"other bytes")
    with seeded.reading() as session:
        assert verify(session).ok  # the chain itself is intact: the rows are not
        problems = [str(p) for p in verify_rows(session, seeded.blobs)]
    assert problems[0] == ("recommendation set tip-2025: does not match what audit entry 2 "
                           "recorded (changed after it was written)")
    assert "recommendation #2 (tip-2025 R2): does not match what audit entry 4 recorded " \
           "(changed after it was written)" in problems
    assert any(p.startswith("recommendation update #1: does not match what audit entry")
               for p in problems)
    assert any(p.startswith("recommendation update #1 (minutes.txt): its file")
               and "no longer hashes" in p for p in problems)
    assert any(p.endswith("(naptip-3.0:S1-O1-i): has no audit entry (added outside naptip, "
                          "or its entry was removed)") for p in problems)
    assert any(p.startswith("recommendation link #") and "is missing (deleted)" in p
               for p in problems)
    assert len(problems) == 6


def test_review_entry_records_the_status_change(seeded: Database) -> None:
    submit_update(seeded, _draft(status="not-accepted", narrative="Not feasible this year."),
                  now=NOW)
    review_update(seeded, "tip-2025", "R1", accept=True, reason=None, actor="Siti", now=NOW)
    with seeded.reading() as session:
        payload = json.loads(session.execute(select(AuditEntry.payload).where(
            AuditEntry.action == "recommendation.accepted")).scalar_one())
    assert (payload["status"], payload["previous"]) == ("not-accepted", "not-started")
    assert sorted(payload["rows"]) == ["recommendation:1", "recommendation_update:1"]
