"""``naptip evidence``, ``naptip status`` and ``naptip db`` from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from naptip.store.db import Database
from tests.conftest import db_env
from tests.support import SCHEMA_HEAD

Run = Callable[..., Result]


@pytest.fixture
def env(db: Database, run: Run) -> dict[str, str]:
    given = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01", "NAPTIP_USER": "alice"}
    synced = run("sync", env=given)
    assert synced.exit_code == 0, synced.output
    return given


def test_submit_review_show_list(run: Run, env: dict[str, str], tmp_path: Path) -> None:
    doc = tmp_path / "kit.pdf"
    doc.write_bytes(b"%PDF-1.7 toolkit")
    r = run("evidence", "submit", "S13-O1-ii@2023", "--value", "1=42", "--sex", "female=12",
            "male=30", "--age", "adult=40,child=2", "--done-on", "2023-11-30", "--note",
            "Two trainings", env=env)
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "evidence #1 submitted for S13-O1-ii@2023; it awaits review"
    r = run("evidence", "submit", "S11-O1-ii@deliverable", "-f", str(doc), "--link",
            "https://example.org/toolkit", env=env)
    assert r.exit_code == 0, r.output
    r = run("evidence", "review", "1", "--return", "Add the nationality breakdown",
            "--as", "nso", env=env)
    assert r.stdout.strip() == "evidence #1 returned for S13-O1-ii@2023"
    r = run("evidence", "review", "2", "--accept", "--as", "nso", env=env)
    assert r.stdout.strip() == "evidence #2 accepted for S11-O1-ii@deliverable"
    shown = json.loads(run("evidence", "show", "1", "--format", "json", env=env).stdout)
    assert shown["values"] == [{"indicator": 1, "kind": "count", "value": "42"}]
    assert {(b["dimension"], b["category"], b["count"]) for b in shown["breakdown"]} == {
        ("sex", "female", 12), ("sex", "male", 30), ("age", "adult", 40), ("age", "child", 2)}
    assert shown["reviews"][0]["reason"] == "Add the nationality breakdown"
    assert shown["submitted_by"] == "alice" and shown["done_on"] == "2023-11-30"
    two = json.loads(run("evidence", "show", "2", "--format", "json", env=env).stdout)
    assert two["attachments"][0]["name"] == "kit.pdf"
    assert two["attachments"][0]["media_type"] == "application/pdf"
    listed = json.loads(run("evidence", "list", "--status", "returned", "--format", "json",
                            env=env).stdout)
    assert [e["id"] for e in listed["evidence"]] == [1]
    listed = json.loads(run("evidence", "list", "--committee", "nso-mapo", "--year", "2021",
                            "--format", "json", env=env).stdout)
    assert [e["occurrence"] for e in listed["evidence"]] == ["S11-O1-ii@deliverable"]
    table = run("evidence", "show", "2", env=env)
    assert "kit.pdf" in table.stdout and "accepted by nso" in table.stdout


def test_status(run: Run, env: dict[str, str]) -> None:
    run("evidence", "submit", "S1-O1-i@2023", "--value", "1=3", env=env)
    run("evidence", "review", "1", "--accept", "--as", "nso", env=env)
    run("evidence", "submit", "S1-O1-ii@2024", "--value", "1=1", env=env)
    r = run("status", "--format", "json", "--committee", "legislative", env=env)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    legislative = doc["by_committee"]["legislative"]
    assert legislative["done"] == 1
    assert legislative["submitted"] == 1
    assert list(doc["by_committee"]) == ["legislative"]
    assert legislative["total"] == doc["total"]["total"]
    year = json.loads(run("status", "--year", "2023", "--format", "json", env=env).stdout)
    assert year["by_committee"]["legislative"]["done"] == 1
    assert year["by_pillar"]["P2"]["done"] == 1
    # 2023's reports were due on 31 January 2024: on 1 March 2024 the rest are overdue.
    assert year["by_committee"]["legislative"]["overdue"] == \
        year["by_committee"]["legislative"]["total"] - 1
    early = json.loads(run("status", "--as-of", "2023-01-02", "--year", "2023", "--format",
                           "json", env=env).stdout)
    assert early["by_committee"]["legislative"]["overdue"] == 0
    assert "Status by committee" in run("status", env=env).stdout


@pytest.mark.parametrize(("args", "message"), [
    (["evidence", "submit", "S1-O1-i@2023", "--value", "1=-1"], "a count cannot be negative"),
    (["evidence", "submit", "S1-O1-i@2023", "--value", "one"], "'one' is not KEY=VALUE"),
    (["evidence", "submit", "S1-O1-i@2023", "--value", "1=3", "--done-on", "soon"],
     "Invalid value for '--done-on'"),
    (["evidence", "submit", "S99-O1-i@2023", "--value", "1=3"], "no occurrence has the id"),
    (["evidence", "submit", "S1-O1-i@2023", "--value", "1=3", "--note", "MyKad 850101145678"],
     "a MyKad number in the note"),
    (["evidence", "review", "7", "--accept"], "no evidence has the number 7"),
    (["evidence", "review", "1"], "give exactly one of --accept or --return REASON"),
    (["evidence", "show", "3"], "no evidence has the number 3"),
    (["status", "--committee", "finance"], "unknown committee 'finance'"),
])
def test_bad_input_is_one_line(run: Run, env: dict[str, str], args: list[str],
                               message: str) -> None:
    result = run(*args, env=env)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert "850101145678" not in result.output


def test_db_commands(run: Run, env: dict[str, str], db: Database) -> None:
    status = json.loads(run("db", "status", "--json", env=env).stdout)
    assert status["schema"] == status["schema_head"] == SCHEMA_HEAD
    assert status["backend"] == db.backend
    assert run("db", "upgrade", env=env).stdout.strip() == \
        f"database is up to date (schema {SCHEMA_HEAD})"


def test_database_password_is_never_shown(run: Run, pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(password="s3cret-pw").render_as_string(hide_password=False)
    result = run("db", "status", env={"NAPTIP_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "s3cret-pw" not in result.output and "***" in result.stdout
    bad = run("db", "status", env={"NAPTIP_DATABASE_URL": url.replace("5432", "1")})
    assert bad.exit_code == 1 and "s3cret-pw" not in bad.output


def test_fresh_sqlite_file_is_created_and_upgrade_reports(run: Run, tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'new' / 'n.db'}"}
    assert run("db", "upgrade", env=env).stdout.strip() == ("database upgraded from schema none "
                                                            f"to {SCHEMA_HEAD}")
    assert (tmp_path / "new" / "n.db").exists()


def test_bad_database_url(run: Run) -> None:
    result = run("db", "status", env={"NAPTIP_DATABASE_URL": "not a url"})
    assert result.exit_code == 1
    assert "NAPTIP_DATABASE_URL is not a database URL" in result.stderr


def test_after_the_plan_schedule_shows_what_the_store_says_is_open(run: Run,
                                                                   env: dict[str, str]) -> None:
    run("evidence", "submit", "S1-O1-i@2025", "--value", "1=2", env=env)
    run("evidence", "review", "1", "--accept", "--as", "nso", env=env)
    after = run("schedule", "--as-of", "2026-03-01", "--format", "json", env=env)
    assert "work not yet accepted in the store" in after.stderr
    ids = {o["id"] for o in json.loads(after.stdout)["occurrences"]}
    assert "S1-O1-i@2025" not in ids  # done
    assert "S1-O1-ii@2025" in ids  # still open, due after the plan
    assert "S1-O1-ii@2023" in ids  # overdue since 2024


def test_default_store_is_a_sqlite_file_in_the_data_folder(run: Run) -> None:
    import os

    first = run("db", "status", "--json")
    assert first.exit_code == 1 and "run `naptip sync` first" in first.stderr
    assert run("sync", "--as-of", "2021-01-01").exit_code == 0
    result = run("db", "status", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    data = os.environ["XDG_DATA_HOME"]
    assert info["database"] == f"sqlite:///{data}/naptip/naptip.db"
    assert info["blobs"] == f"{data}/naptip/naptip.blobs"
    assert info["backend"] == "sqlite" and info["up_to_date"]
