"""Who reviews (issue 8, §3): not the submitter; a reviewer role when a contact directory
exists; `--as` passes the personal-data guard."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from click.testing import Result
from sqlalchemy import select

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceError, EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, Contact, Evidence
from tests.conftest import db_env

Run = Callable[..., Result]
TODAY = date(2024, 3, 1)


@pytest.fixture
def service(synced: Database, builtin_catalog: Catalog) -> Iterator[EvidenceService]:
    svc = EvidenceService(synced, builtin_catalog)
    svc.submit(Submission(occurrence_id="S1-O1-i@2023", actor="Aminah", values={"1": "2"}),
               today=TODAY)
    yield svc


def test_self_review_is_refused(service: EvidenceService) -> None:
    for me in ("Aminah", "  aminah ", "AMINAH"):
        with pytest.raises(EvidenceError, match="self-review refused"):
            service.review(1, accept=True, reason=None, actor=me)
    with service.db.reading() as session:
        evidence = session.get(Evidence, 1)
        assert evidence is not None and evidence.status == "submitted"
    done = service.review(1, accept=True, reason=None, actor="Siti (NSO MAPO)")
    assert (done.status, done.reviewed_by, done.submitted_by) == (
        "accepted", "Siti (NSO MAPO)", "Aminah")


def _contact(db: Database, name: str, role: str, email: str | None = None) -> None:
    now = datetime.now(UTC)

    def add(session: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        session.add(Contact(name=name, email=email, roles=[role], created_at=now,
                            updated_at=now))

    db.write(add)


def test_with_a_contact_directory_only_reviewer_roles_review(service: EvidenceService,
                                                             ) -> None:
    _contact(service.db, "Ravi", "member:enforcement", "ravi@rmp.gov.my")
    _contact(service.db, "Siti", "secretariat:nso-mapo", "siti@moha.gov.my")
    _contact(service.db, "Nurul", "member:monitoring", "nurul@moha.gov.my")
    with pytest.raises(EvidenceError, match="'Ravi' may not review evidence"):
        service.review(1, accept=True, reason=None, actor="Ravi")
    with pytest.raises(EvidenceError, match="not an active contact"):
        service.review(1, accept=True, reason=None, actor="stranger")
    assert service.review(1, accept=True, reason=None,
                          actor="siti@moha.gov.my").status == "accepted"
    service.submit(Submission(occurrence_id="S1-O1-i@2024", actor="Ravi",
                              values={"1": "3"}), today=date(2025, 3, 1))
    assert service.review(2, accept=True, reason=None,  # a member of the M&E Committee
                          actor="Nurul").status == "accepted"


def test_as_passes_the_personal_data_guard(run: Run, synced: Database) -> None:
    env = {**db_env(synced), "NAPTIP_AS_OF": "2024-03-01"}
    r = run("evidence", "submit", "S1-O1-i@2023", "--value", "1=2", "--as",
            "Officer 850101-14-5678", env=env)
    assert r.exit_code == 1 and "a MyKad number in the name given with --as" in r.stderr
    assert "850101" not in r.output
    ok = run("evidence", "submit", "S1-O1-i@2023", "--value", "1=2", "--as", "aminah", env=env)
    assert ok.exit_code == 0, ok.output
    r = run("evidence", "review", "1", "--accept", "--as", "Officer 850101-14-5678", env=env)
    assert r.exit_code == 1 and "MyKad" in r.stderr
    with synced.reading() as session:
        actors = session.execute(select(AuditEntry.actor)).scalars().all()
    assert not any("850101" in a for a in actors)
    r = run("evidence", "review", "1", "--accept", "--as", "Aminah", env=env)
    assert r.exit_code == 1 and "self-review refused" in r.stderr
