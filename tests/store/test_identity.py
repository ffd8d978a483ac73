"""One person, one identity (issue 17, §3): with a contact directory, `--as` names one
contact (by e-mail or unique name), the evidence records the contact, and self-review
compares contacts, so a name on the command line and an e-mail in the portal are one
person. The login `root` names nobody. SQLite and PostgreSQL; the portal over HTTP."""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select, update

from naptip.base.contact_types import ContactInfo, Role
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.orm import Contact, Evidence, Review
from tests.conftest import db_env
from tests.web_support import OCCURRENCE, REVIEWER, TODAY, people, serve

Run = Callable[..., Result]
DUAL = "dual@moha.gov.my"


def dual(db: Database) -> None:
    people(db)
    ContactDirectory(db).upsert([
        ContactInfo(name="Dual Role", email=DUAL,
                    roles=(Role(role="lead", scope="enforcement"),
                           Role(role="reviewer", scope="nso-mapo"))),
        ContactInfo(name="Ali Hassan", email="ali@rmp.gov.my",
                    roles=(Role(role="reviewer", scope="nso-mapo"),)),
        ContactInfo(name="Ali Hassan", email="ali.hassan@jim.gov.my",
                    roles=(Role(role="member", scope="enforcement"),)),
    ], actor="test")


def env_of(db: Database) -> dict[str, str]:
    return {**db_env(db), "NAPTIP_AS_OF": TODAY.isoformat()}


def contact_id(db: Database, email: str) -> int:
    with db.reading() as session:
        return int(session.execute(select(Contact.id).where(Contact.email == email)
                                   ).scalar_one())


def status(db: Database, evidence_id: int) -> str:
    with db.reading() as session:
        row = session.get(Evidence, evidence_id)
        assert row is not None
        return row.status


def test_cli_name_then_portal_email_is_self_review(
        synced: Database, builtin_catalog: Catalog, run: Run) -> None:
    dual(synced)
    r = run("evidence", "submit", OCCURRENCE, "--value", "1=3", "--as", "Dual Role",
            env=env_of(synced))
    assert r.exit_code == 0, r.output
    with synced.reading() as session:
        evidence = session.get(Evidence, 1)
        assert evidence is not None
        assert (evidence.submitted_by, evidence.submitter_contact) == (
            DUAL, contact_id(synced, DUAL))
    with serve(synced, builtin_catalog) as web, web.client(DUAL) as me:
        assert "/evidence/1" not in me.get("/review").text
        page = me.get("/evidence/1").text
        assert "You submitted this evidence" in page and 'value="accept"' not in page
        csrf = web.csrf(me, "/work")
        refused = me.post("/evidence/1/review", data={"csrf": csrf, "decision": "accept"})
        assert refused.status_code == 422 and "another reviewer" in refused.text
    assert status(synced, 1) == "submitted"
    ok = run("evidence", "review", "1", "--accept", "--as", "encik razak", env=env_of(synced))
    assert ok.exit_code == 0, ok.output
    with synced.reading() as session:
        review = session.execute(select(Review)).scalar_one()
        assert (review.reviewer, review.reviewer_contact) == (
            REVIEWER, contact_id(synced, REVIEWER))
    verified = run("audit", "verify", env=env_of(synced))
    assert verified.exit_code == 0, verified.output


def test_portal_email_then_cli_name_is_self_review(
        synced: Database, builtin_catalog: Catalog, run: Run) -> None:
    dual(synced)
    with serve(synced, builtin_catalog) as web, web.client(DUAL) as me:
        csrf = web.csrf(me, f"/occurrence/{OCCURRENCE}")
        sent = me.post(f"/occurrence/{OCCURRENCE}/evidence", files={"files": ("", b"")},
                       data={"csrf": csrf, "value_1": "2"})
        assert sent.status_code == 303, sent.text
    for me_again in ("Dual Role", "  dual   ROLE ", "DUAL@moha.gov.my"):
        r = run("evidence", "review", "1", "--accept", "--as", me_again, env=env_of(synced))
        assert r.exit_code == 1 and "self-review refused" in r.stderr, r.output
        assert len(r.stderr.strip().splitlines()) == 1
    assert status(synced, 1) == "submitted"


def test_evidence_recorded_before_the_directory_is_matched_by_name(
        synced: Database, builtin_catalog: Catalog) -> None:
    service = EvidenceService(synced, builtin_catalog)
    service.submit(Submission(occurrence_id=OCCURRENCE, actor="Dual  Role", values={"1": "1"}),
                   today=TODAY)
    dual(synced)  # the directory comes later: the row names a person, not a contact
    with synced.reading() as session:
        assert session.get(Evidence, 1).submitter_contact is None  # type: ignore[union-attr]
    with pytest.raises(Exception, match="self-review refused"):
        service.review(1, accept=True, reason=None, actor=DUAL)
    with serve(synced, builtin_catalog) as web, web.client(DUAL) as me:
        assert "/evidence/1" not in me.get("/review").text
        csrf = web.csrf(me, "/work")
        refused = me.post("/evidence/1/review", data={"csrf": csrf, "decision": "accept"})
        assert refused.status_code == 422
    assert status(synced, 1) == "submitted"


def test_as_resolves_to_one_contact_or_says_why_not(synced: Database, run: Run) -> None:
    dual(synced)
    env = env_of(synced)
    typo = run("evidence", "submit", OCCURRENCE, "--value", "1=3", "--as", "Dual Rol",
               env=env)
    assert typo.exit_code == 1
    assert "'Dual Rol' is not an active contact" in typo.stderr
    assert "did you mean 'Dual Role <dual@moha.gov.my>'" in typo.stderr
    shared = run("evidence", "submit", OCCURRENCE, "--value", "1=3", "--as", "ali hassan",
                 env=env)
    assert shared.exit_code == 1 and "2 contacts are called 'ali hassan'" in shared.stderr
    assert "ali@rmp.gov.my, ali.hassan@jim.gov.my" in shared.stderr
    for bad in (typo, shared):
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.output
    by_email = run("evidence", "submit", OCCURRENCE, "--value", "1=3", "--as",
                   "Ali.Hassan@JIM.gov.my", env=env)
    assert by_email.exit_code == 0, by_email.output
    shown = json.loads(run("evidence", "show", "1", "--format", "json", env=env).stdout)
    assert shown["submitted_by"] == "ali.hassan@jim.gov.my"


def test_reviewing_as_the_login_root_says_how_to_name_yourself(
        synced: Database, builtin_catalog: Catalog, run: Run,
        monkeypatch: pytest.MonkeyPatch) -> None:
    EvidenceService(synced, builtin_catalog).submit(
        Submission(occurrence_id=OCCURRENCE, actor="Aminah", values={"1": "1"}), today=TODAY)
    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    monkeypatch.delenv("NAPTIP_USER", raising=False)
    r = run("evidence", "review", "1", "--accept", env=env_of(synced))
    assert r.exit_code == 1
    assert "you are logged in as 'root', which names no person" in r.stderr
    assert "--as NAME" in r.stderr and "NAPTIP_USER" in r.stderr
    assert status(synced, 1) == "submitted"
    monkeypatch.setattr(getpass, "getuser", lambda: "siti")
    dual(synced)
    r = run("evidence", "review", "1", "--accept", env=env_of(synced))
    assert r.exit_code == 1 and "'siti' (your login) is not an active contact" in r.stderr
    ok = run("evidence", "review", "1", "--accept", env={**env_of(synced),
                                                         "NAPTIP_USER": "Encik Razak"})
    assert ok.exit_code == 0, ok.output


def test_the_audit_covers_the_recorded_contacts(synced: Database, run: Run,
                                               tmp_path: Path) -> None:
    dual(synced)
    env = env_of(synced)
    assert run("evidence", "submit", OCCURRENCE, "--value", "1=3", "--as", "Dual Role",
               env=env).exit_code == 0
    assert run("evidence", "review", "1", "--return", "Add the breakdown", "--as",
               REVIEWER, env=env).exit_code == 0
    assert run("audit", "verify", env=env).exit_code == 0
    other = contact_id(synced, REVIEWER)
    synced.write(lambda s: s.execute(update(Evidence).values(submitter_contact=other)))
    r = run("audit", "verify", env=env)
    assert r.exit_code == 1 and "evidence #1" in r.output + r.stderr
    synced.write(lambda s: s.execute(update(Evidence).values(
        submitter_contact=contact_id(synced, DUAL))))
    synced.write(lambda s: s.execute(update(Review).values(reviewer_contact=None)))
    r = run("audit", "verify", env=env)
    assert r.exit_code == 1 and "review #1" in r.output + r.stderr
