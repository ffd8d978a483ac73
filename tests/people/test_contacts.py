"""The contact directory: officials only, no secrets, masked URLs, audited changes,
CSV/TOML round trips and `contacts check`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select

from naptip.base.contact_types import ContactInfo, Role
from naptip.base.errors import NaptipError
from naptip.base.secret_urls import mask_url
from naptip.people.contacts import check_contact
from naptip.people.contacts_io import read_contacts, write_csv, write_toml
from naptip.store.audit import verify
from naptip.store.db import Database
from naptip.store.orm import AuditEntry, Contact
from tests.conftest import db_env


@pytest.fixture
def sqlite_env(tmp_path: Path) -> dict[str, str]:
    return {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'n.db'}",
            "NAPTIP_BLOB_DIR": str(tmp_path / "blobs")}


@pytest.mark.parametrize(("name", "email", "message"), [
    ("Ali bin Abu 850101-14-5678", "ali@rmp.gov.my", "MyKad number in the name"),
    ("Call 012-345 6789", "ali@rmp.gov.my", "phone number in the name"),
    ("Ali\r\nBcc: x@evil.example", "ali@rmp.gov.my", "one line"),
    ("Ali", "ali.personal@gmail.com", "personal web-mail"),
    ("Ali", "850101145678@rmp.gov.my", "identity or phone number"),
    ("Ali", "ali@rmp.gov.my\r\nBcc: x@evil.example", "one address on one line"),
    ("Ali", "not-an-address", "not an address"),
])
def test_only_officials_are_accepted(name: str, email: str, message: str) -> None:
    with pytest.raises(NaptipError, match=message):
        check_contact(ContactInfo(name=name, email=email))


@pytest.mark.parametrize(("url", "message"), [
    ("mailtos://user:hunter2@smtp.gov.my", "password as"),
    ("tgram://123456:ABCDEF/9999", "ENV_NAME"),
    ("no scheme at all", "not an apprise URL"),
])
def test_secrets_never_enter_the_store(url: str, message: str) -> None:
    with pytest.raises(NaptipError, match=message) as info:
        check_contact(ContactInfo(name="Ali", email="ali@rmp.gov.my", urls=(url,)))
    assert "hunter2" not in str(info.value)


def test_urls_are_masked() -> None:
    assert mask_url("mailtos://u:hunter2@smtp.gov.my") == "mailtos://u:****@smtp.gov.my"
    assert mask_url("mailtos://u:${PW}@smtp.gov.my") == "mailtos://u:${PW}@smtp.gov.my"


def test_cli_add_edit_remove_are_audited(db: Database, run: Callable[..., Result]) -> None:
    env = db_env(db)
    added = run("contacts", "add", "Lead@RMP.gov.my", "--name", "ACP Lim", "--role",
                "lead:enforcement", "--url", "tgram://${TG_TOKEN}/42", "--as", "sec", env=env)
    assert added.exit_code == 0, added.output
    again = run("contacts", "add", "lead@rmp.gov.my", "--name", "X", env=env)
    assert again.exit_code == 1 and "exists" in again.output
    edited = run("contacts", "edit", "lead@rmp.gov.my", "--language", "ms", "--as", "sec",
                 env=env)
    assert edited.exit_code == 0, edited.output
    bad_role = run("contacts", "edit", "lead@rmp.gov.my", "--role", "lead:nowhere", env=env)
    assert bad_role.exit_code == 1 and "no committee or agency 'nowhere'" in bad_role.output
    listed = run("contacts", "list", env=env)
    assert "lead@rmp.gov.my" in listed.output and "tgram://${TG_TOKEN}/42" in listed.output
    removed = run("contacts", "remove", "lead@rmp.gov.my", "--as", "sec", env=env)
    assert removed.exit_code == 0
    assert "lead@rmp.gov.my" not in run("contacts", "list", env=env).output
    with db.reading() as session:
        actions = [e.action for e in session.execute(
            select(AuditEntry).order_by(AuditEntry.seq)).scalars() if e.subject.startswith(
            "lead@")]
        row = session.execute(select(Contact)).scalar_one()
        assert verify(session).ok
    assert actions == ["contact.added", "contact.changed", "contact.removed"]
    assert (row.language, row.active, row.roles) == ("ms", False, ["lead:enforcement"])
    back = run("contacts", "add", "lead@rmp.gov.my", "--name", "ACP Lim", env=env)
    assert back.exit_code == 0, back.output  # a removed contact can be added again
    assert "lead@rmp.gov.my" in run("contacts", "list", env=env).output


def test_refused_contact_is_one_line(sqlite_env: dict[str, str],
                                     run: Callable[..., Result]) -> None:
    result = run("contacts", "add", "a@rmp.gov.my", "--name", "Ali 850101-14-5678",
                 env=sqlite_env)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "MyKad" in result.output
    assert "Traceback" not in result.output


def test_csv_and_toml_round_trip(tmp_path: Path, sqlite_env: dict[str, str],
                                 run: Callable[..., Result]) -> None:
    people = [ContactInfo(name="Puan Aminah, \"Ketua\"", email="ketua@kpwkm.gov.my",
                          language="ms", state="kedah",
                          roles=(Role(role="lead", scope="victim-care"),
                                 Role(role="reviewer", scope="victim-care")),
                          urls=("tgram://${TG}/1",)),
              ContactInfo(name="Sec", email="sec@mapo.gov.my",
                          roles=(Role(role="secretariat", scope="nso-mapo"),))]
    for suffix, text in ((".csv", write_csv(people)), (".toml", write_toml(people))):
        path = tmp_path / f"c{suffix}"
        path.write_text(text, encoding="utf-8")
        assert read_contacts(path) == people
    imported = run("contacts", "import", str(tmp_path / "c.csv"), env=sqlite_env)
    assert imported.exit_code == 0, imported.output
    exported = run("contacts", "export", "--format", "toml", env=sqlite_env)
    assert exported.exit_code == 0
    (tmp_path / "back.toml").write_text(exported.output, encoding="utf-8")
    assert sorted(read_contacts(tmp_path / "back.toml"), key=lambda c: c.email) == sorted(
        people, key=lambda c: c.email)


def test_import_is_all_or_nothing(tmp_path: Path, sqlite_env: dict[str, str],
                                  run: Callable[..., Result]) -> None:
    path = tmp_path / "c.csv"
    path.write_text("name,email,roles\nGood,good@rmp.gov.my,lead:enforcement\n"
                    "Bad 0123456789,bad@rmp.gov.my,\n", encoding="utf-8")
    result = run("contacts", "import", str(path), env=sqlite_env)
    assert result.exit_code == 1 and "contact 2" in result.output
    assert "nothing imported" in result.output
    assert "good@rmp.gov.my" not in run("contacts", "export", env=sqlite_env).output
    (tmp_path / "x.csv").write_text("who,where\n1,2\n", encoding="utf-8")
    header = run("contacts", "import", str(tmp_path / "x.csv"), env=sqlite_env)
    assert header.exit_code == 1 and "header" in header.output


def test_check_reports_bad_mail_settings_and_missing_secrets(
        tmp_path: Path, sqlite_env: dict[str, str], run: Callable[..., Result]) -> None:
    config = tmp_path / "naptip.toml"
    config.write_text('[mail]\nurl = "mailtos://naptip:${NAPTIP_SMTP_PASSWORD}@smtp.mapo.gov.my'
                      '?from=naptip@mapo.gov.my"\n', encoding="utf-8")
    added = run("contacts", "add", "a@rmp.gov.my", "--name", "A", "--url",
                "tgram://${NAPTIP_TG_TOKEN}/42", env=sqlite_env)
    assert added.exit_code == 0
    missing = run("--config", str(config), "contacts", "check", env=sqlite_env)
    assert missing.exit_code == 1
    assert "environment variable NAPTIP_SMTP_PASSWORD is not set" in missing.output
    assert "environment variable NAPTIP_TG_TOKEN is not set" in missing.output
    env = {**sqlite_env, "NAPTIP_SMTP_PASSWORD": "hunter2", "NAPTIP_TG_TOKEN": "123:abc"}
    ok = run("--config", str(config), "contacts", "check", env=env)
    assert ok.exit_code == 0, ok.output
    assert "smtp.mapo.gov.my" in ok.output and "hunter2" not in ok.output
