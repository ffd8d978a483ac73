"""`naptip sync` is explicit; read-only commands never write the schedule (issue 8, §1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select

from naptip.store.db import Database
from naptip.store.orm import AuditEntry, OccurrenceRow
from tests.conftest import db_env

Run = Callable[..., Result]


def _state(db: Database) -> tuple[int, int]:
    with db.reading() as session:
        withdrawn = session.execute(select(func.count()).select_from(OccurrenceRow).where(
            OccurrenceRow.withdrawn.is_(True))).scalar_one()
        entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    return int(withdrawn), int(entries)


def test_read_only_commands_never_write_the_schedule(run: Run, db: Database) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01"}
    assert run("sync", env=env).exit_code == 0
    before = _state(db)
    partial = {**env, "NAPTIP_ENABLE_PLUGINS": "legislative"}
    for args in (["status"], ["status", "--format", "json"], ["evidence", "list"],
                 ["audit", "verify"], ["db", "status"], ["schedule"]):
        result = run(*args, env=partial)
        assert result.exit_code == 0, (args, result.output)
        assert _state(db) == before, args
    status = run("status", "--format", "json", env=partial)
    assert json.loads(status.stdout)["total"]["total"] > 0  # not an all-zero table
    warning = [line for line in status.stderr.splitlines() if "synced with" in line]
    assert len(warning) == 1 and "runs with plugins legislative" in warning[0]
    typo = run("status", "--format", "json", env={**env, "NAPTIP_ENABLE_PLUGINS": "legislatve"})
    assert typo.exit_code == 0 and json.loads(typo.stdout)["total"]["total"] == 1151
    assert _state(db) == before
    disabled = run("status", env={**env, "NAPTIP_DISABLE_PLUGINS": "enforcement"})
    assert disabled.exit_code == 0 and _state(db) == before
    assert "synced with" in disabled.stderr


def test_another_config_warns_and_does_not_rewrite(run: Run, db: Database,
                                                   tmp_path: Path) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2021-01-01"}
    assert run("sync", env=env).exit_code == 0
    config = tmp_path / "naptip.toml"
    config.write_text('[reporting]\nevidence_due = "02-15"\n')
    other = {**env, "NAPTIP_CONFIG": str(config)}
    result = run("status", env=other)
    assert result.exit_code == 0 and "another configuration" in result.stderr
    with db.reading() as session:
        row = session.get(OccurrenceRow, "S9-O1-vi@2023")
        assert row is not None and row.unshifted.isoformat() == "2024-01-31"


def test_risky_sync_refused_then_dry_run_then_confirm(run: Run, db: Database,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("naptip.time.clock.real_today", lambda: date(2021, 1, 1))
    env = {**db_env(db), "NAPTIP_AS_OF": "2021-01-01"}
    first = run("sync", env=env)
    assert first.exit_code == 0 and first.stdout.startswith("synced: 1151 new")
    assert run("sync", env=env).stdout.strip() == (
        "synced: the store already has this schedule: nothing to change")
    partial = {**env, "NAPTIP_ENABLE_PLUGINS": "legislative"}
    before = _state(db)
    refused = run("sync", env=partial)
    assert refused.exit_code == 1
    assert "sync refused" in refused.stderr and "--confirm" in refused.stderr
    errors = [line for line in refused.stderr.splitlines() if not line.startswith("warning:")]
    assert len(errors) == 1 and errors[0].startswith("Error: sync refused")
    dry = run("sync", "--dry-run", env=partial)
    assert dry.exit_code == 0 and dry.stdout.startswith("dry run, nothing written:")
    assert "needs --confirm" in dry.stdout and "withdraw: " in dry.stdout
    assert _state(db) == before
    done = run("sync", "--confirm", env=partial)
    assert done.exit_code == 0 and _state(db)[0] > 1000


def test_commands_needing_a_schedule_say_run_sync_first(run: Run, tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    for args in (["status"], ["evidence", "list"], ["evidence", "submit", "S1-O1-i@2023",
                                                    "--value", "1=2"],
                 ["audit", "verify"], ["evidence", "review", "1", "--accept"]):
        result = run(*args, env=env)
        assert result.exit_code == 1, args
        assert "run `naptip sync` first" in result.stderr, args
        assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "none.db").exists()  # nothing created by looking


def test_explain_shows_the_store_and_held_changes(run: Run, db: Database,
                                                  tmp_path: Path) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2021-01-01"}
    assert run("sync", env=env).exit_code == 0
    config = tmp_path / "naptip.toml"
    config.write_text('[reporting]\nevidence_due = "02-15"\n')
    later = {**env, "NAPTIP_AS_OF": "2024-03-01", "NAPTIP_CONFIG": str(config)}
    assert run("sync", "--confirm", env=later).exit_code == 0
    shown = run("schedule", "explain", "S9-O1-vi@2022", env=later)
    assert "in the store: open, due 2023-01-31" in shown.stdout
    assert "held change (the date had passed; kept as it was)" in shown.stdout
    assert "unshifted 2023-01-31 -> 2023-02-15" in shown.stdout


def test_status_list_and_committee_matching(run: Run, db: Database) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01", "NAPTIP_USER": "agc-officer"}
    assert run("sync", env=env).exit_code == 0
    assert run("evidence", "submit", "s1-o1-I@2023", "--value", "1=2", env=env).exit_code == 0
    assert run("evidence", "submit", "S1-O1-ii@2023", "--value", "1=2", env=env).exit_code == 0
    assert run("evidence", "review", "2", "--return", "add the dates", "--as", "nso",
               env=env).exit_code == 0
    listed = run("status", "--list", "-c", "AGC", "--year", "2023", "--format", "json",
                 env=env)
    assert listed.exit_code == 0, listed.output
    doc = json.loads(listed.stdout)
    assert doc["committee"] == "legislative"
    groups = {i["id"]: i["group"] for i in doc["items"]}
    assert groups["S1-O1-i@2023"] == "awaiting review"
    assert groups["S1-O1-ii@2023"] == "returned"
    assert groups["S1-O1-iv@2023"] == "overdue"
    assert [i["group"] for i in doc["items"]] == sorted(
        (i["group"] for i in doc["items"]),
        key=["overdue", "due", "awaiting review", "returned"].index)
    table = run("status", "--list", "-c", "legislative", env=env)
    assert "S1-O1-iv@2023" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    assert json.loads(run("status", "-c", "RMP", "--format", "json",
                          env=env).stdout)["committee"] == "enforcement"
    assert json.loads(run("status", "-c", "LEGISLATIVE", "--format", "json",
                          env=env).stdout)["committee"] == "legislative"
    miss = run("status", "-c", "legislatve", env=env)
    assert miss.exit_code == 1 and "did you mean legislative?" in miss.stderr


def test_evidence_get_checks_the_hash(run: Run, db: Database, tmp_path: Path) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01", "NAPTIP_USER": "nso"}
    assert run("sync", env=env).exit_code == 0
    doc = tmp_path / "toolkit.pdf"
    doc.write_bytes(b"%PDF-1.7 toolkit")
    assert run("evidence", "submit", "S11-O1-ii@deliverable", "-f", str(doc),
               env=env).exit_code == 0
    out = tmp_path / "out.pdf"
    got = run("evidence", "get", "1", "-o", str(out), env=env)
    assert got.exit_code == 0, got.output
    assert out.read_bytes() == doc.read_bytes() and "sha256 verified" in got.stdout
    again = run("evidence", "get", "1", "-o", str(out), env=env)
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert run("evidence", "get", "1", "--file", "2", "-o", str(tmp_path / "x"),
               env=env).stderr.strip() == ("Error: evidence #1 has 1 file(s); there is no "
                                           "file 2")
    blob = next(p for p in db.blobs.rglob("*") if p.is_file() and p.parent.name != "tmp")
    blob.write_bytes(b"%PDF-1.7 changed")
    bad = run("evidence", "get", "1", "-o", str(tmp_path / "changed.pdf"), env=env)
    assert bad.exit_code == 1 and "no longer matches its SHA-256" in bad.stderr
    assert not (tmp_path / "changed.pdf").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".changed")] == []


def test_schedule_shows_store_status_and_the_after_plan_header(run: Run, db: Database) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2024-01-02", "NAPTIP_USER": "agc-officer"}
    assert run("sync", env=env).exit_code == 0
    assert run("evidence", "submit", "S1-O1-i@2023", "--value", "1=2", env=env).exit_code == 0
    shown = run("schedule", "--from", "2024-01-30", "--to", "2024-01-31", env=env)
    assert shown.exit_code == 0, shown.output
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert any("S1-O1-i@2023" in line for line in lines)  # the id whole, on one line
    assert any("S10-O1-iii@2023" in line for line in lines)
    assert "submitted in store" in shown.stdout and "open in store" in shown.stdout
    after = run("schedule", "--as-of", "2026-03-01", env=env)
    assert after.exit_code == 0
    title = after.stdout.splitlines()[0]
    assert title.startswith("Still open after the plan's end (2025-12-31), as of 2026-03-01")
    assert "0001-01-01" not in after.stdout and "9999-12-31" not in after.stdout


def test_times_are_shown_in_kuala_lumpur(db: Database, builtin_catalog: object,
                                         run: Run) -> None:
    from datetime import UTC, date, datetime

    from naptip.progress.evidence import EvidenceService, Submission

    env = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01"}
    assert run("sync", env=env).exit_code == 0
    from naptip.plan.catalog import Catalog

    assert isinstance(builtin_catalog, Catalog)
    EvidenceService(db, builtin_catalog).submit(
        Submission(occurrence_id="S1-O1-i@2023", actor="a", values={"1": "1"}),
        today=date(2024, 3, 1), now=datetime(2024, 2, 29, 17, 30, tzinfo=UTC))
    shown = json.loads(run("evidence", "show", "1", "--format", "json", env=env).stdout)
    assert shown["submitted_at"] == "2024-03-01T01:30:00+08:00"  # the next day in KL
    listed = run("evidence", "list", env=env).stdout
    assert "2024-03-01" in listed and "2024-02-29" not in listed


def test_db_status_shows_the_last_sync_and_versions_are_compared(
        run: Run, db: Database, builtin_catalog: object) -> None:
    from naptip.occurrences.materialise import sync
    from naptip.occurrences.schedule import build_schedule
    from naptip.plan.catalog import Catalog
    from naptip.plan.pluginmanager import BUILTIN_PLUGINS

    env = {**db_env(db), "NAPTIP_AS_OF": "2021-01-01"}
    never = json.loads(run("db", "status", "--json", env={**env, "NAPTIP_DATABASE_URL": db.url}
                           ).stdout)
    assert never["last sync"] == "never: run `naptip sync`"
    assert isinstance(builtin_catalog, Catalog)
    sync(db, builtin_catalog, build_schedule(builtin_catalog), actor="nso",
         plugins=dict.fromkeys(BUILTIN_PLUGINS, "0.0.9"))
    info = json.loads(run("db", "status", "--json", env=env).stdout)
    assert "by nso, 7 plugins, config " in info["last sync"]
    status = run("status", env=env)
    assert status.exit_code == 0
    warnings = [line for line in status.stderr.splitlines() if "differ" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("warning: plugin versions differ from the last sync "
                                  "(enforcement 0.0.9 -> ")


def test_as_of_cannot_reopen_the_real_past(run: Run, db: Database, tmp_path: Path) -> None:
    """Syncing "as of" 2021 today still keeps what is really past as it was."""
    env = {**db_env(db), "NAPTIP_AS_OF": "2021-01-01"}
    assert run("sync", env=env).exit_code == 0
    config = tmp_path / "naptip.toml"
    config.write_text('[reporting]\nevidence_due = "02-15"\n')
    moved = run("sync", "--confirm", "--json", env={**env, "NAPTIP_CONFIG": str(config)})
    assert moved.exit_code == 0, moved.output
    assert "kept as they are, whatever --as-of says" in moved.stderr
    doc = json.loads(moved.stdout)
    assert doc["updated"] == [] and "S9-O1-vi@2024" in doc["held"]  # due 2025: past by now


def test_evidence_list_keeps_ids_whole_at_80_columns(run: Run, db: Database,
                                                     tmp_path: Path) -> None:
    env = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01"}
    assert run("sync", env=env).exit_code == 0
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes\n")
    assert run("evidence", "submit", "enforcement-meeting@2023-05-09", "-f", str(minutes),
               "--as", "A Very Long Officer Name From The Enforcement Committee",
               env=env).exit_code == 0
    listed = run("evidence", "list", env=env).stdout
    assert "enforcement-meeting@2023-05-09" in listed
    assert max(len(line) for line in listed.splitlines()) <= 80
