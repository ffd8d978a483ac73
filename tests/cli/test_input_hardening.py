"""Inputs are checked before the database (issue 8, §4): one clear line, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, text

from naptip.cli.app import one_line
from naptip.store.db import Database
from tests.conftest import db_env
from tests.progress.test_evidence import snapshot

Run = Callable[..., Result]


@pytest.fixture
def env(db: Database, run: Run, tmp_path: Path) -> dict[str, str]:
    given = {**db_env(db), "NAPTIP_AS_OF": "2024-03-01", "NAPTIP_USER": "alice"}
    assert run("sync", env=given).exit_code == 0
    return given


def _doc(tmp_path: Path) -> str:
    doc = tmp_path / "guidelines.pdf"
    doc.write_bytes(b"%PDF-1.7 guidelines")
    return str(doc)


def _shown(run: Run, env: dict[str, str], evidence: int) -> dict[str, object]:
    result = run("evidence", "show", str(evidence), "--format", "json", env=env)
    assert result.exit_code == 0, result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def test_values_are_not_split_on_commas(run: Run, env: dict[str, str], tmp_path: Path) -> None:
    r = run("evidence", "submit", "S1-O1-i@2023", "--value", "1=1,250", env=env)
    assert r.exit_code == 0, r.output
    r = run("evidence", "submit", "S9-O1-iv@2023", "--value",
            "1=Radio, TV and print, in three languages", env=env)
    assert r.exit_code == 0, r.output
    r = run("evidence", "submit", "S5-O2-i@2023", "-f", _doc(tmp_path), "--value",
            "2=RM 1,250.50", env=env)
    assert r.exit_code == 0, r.output
    values = [_shown(run, env, n)["values"] for n in (1, 2, 3)]
    assert values == [[{"indicator": 1, "kind": "count", "value": "1250"}],
                      [{"indicator": 1, "kind": "narrative",
                        "value": "Radio, TV and print, in three languages"}],
                      [{"indicator": 2, "kind": "amount", "value": "1250.50"}]]
    r = run("evidence", "submit", "S13-O1-ii@2023", "--value", "1=1,250", "--sex",
            "female=1,000,male=250", env=env)
    assert r.exit_code == 0, r.output


def test_amounts_are_exact_at_the_edge(run: Run, env: dict[str, str], tmp_path: Path) -> None:
    r = run("evidence", "submit", "S5-O2-i@2023", "-f", _doc(tmp_path), "--value",
            "2=999999999999999.99", env=env)
    assert r.exit_code == 0, r.output
    assert _shown(run, env, 1)["values"] == [
        {"indicator": 2, "kind": "amount", "value": "999999999999999.99"}]
    r = run("evidence", "review", "1", "--return", "again", "--as", "nso", env=env)
    assert r.exit_code == 0
    r = run("evidence", "submit", "S5-O2-i@2023", "-f", _doc(tmp_path), "--value",
            "2=99999999999999.99", env=env)
    assert r.exit_code == 0, r.output
    assert _shown(run, env, 2)["values"] == [
        {"indicator": 2, "kind": "amount", "value": "99999999999999.99"}]


@pytest.mark.parametrize(("occurrence", "value", "message"), [
    ("S1-O1-i@2023", f"1={10**25}", "a count is at most 1,000,000,000,000"),
    ("S1-O1-i@2023", f"1={2**63}", "a count is at most"),
    ("S1-O1-i@2023", "1=²", "'²' is not a whole number"),
    ("S1-O1-i@2023", "1=nan", "'nan' is not a whole number"),
    ("S5-O2-i@2023", "2=123456789012345678901.25", "an amount is at most MYR"),
    ("S5-O2-i@2023", "2=nan", "'nan' is not an amount in MYR"),
    ("S5-O2-i@2023", "2=1.005", "at most two decimals"),
    ("S15-O6-ii@2023", "1=nan", "'nan' is not a percentage"),
    ("S15-O6-ii@2023", "1=sNaN", "'sNaN' is not a percentage"),
    ("S15-O6-ii@2023", "1=²", "'²' is not a percentage"),
    ("S15-O6-ii@2023", "1=1e2", "'1e2' is not a percentage"),
    ("S1-O1-iii@deliverable", "1=yes@2099-01-01", "is in the future"),
    ("S1-O1-iii@deliverable", "1=yes@1900-01-01", "before the plan started (2021-01-01)"),
    ("S1-O1-iii@deliverable", "1=no", "a milestone answered no is not evidence"),
])
def test_bad_values_are_one_line_and_write_nothing(run: Run, env: dict[str, str], db: Database,
                                                   tmp_path: Path, occurrence: str, value: str,
                                                   message: str) -> None:
    before = snapshot(db)
    files = ["-f", _doc(tmp_path)] if occurrence.startswith("S5-") else []
    r = run("evidence", "submit", occurrence, "--value", value, *files, env=env)
    assert r.exit_code == 1
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    assert "unexpected" not in r.stderr
    assert snapshot(db) == before


@pytest.mark.parametrize(("args", "message"), [
    (["--sex", "female=²", "male=1"], "'²' is not a whole number"),
    (["--done-on", "1900-01-01"], "--done-on 1900-01-01 is before the plan started"),
    (["--as-of", "2099-01-01", "--done-on", "2098-12-31"], "--done-on 2098-12-31 is in the "
                                                           "future"),
])
def test_bad_breakdowns_and_dates(run: Run, env: dict[str, str], db: Database,
                                  args: list[str], message: str) -> None:
    before = snapshot(db)
    r = run("evidence", "submit", "S13-O1-ii@2023", "--value", "1=1", *args, env=env)
    assert r.exit_code == 1 and message in r.stderr
    assert snapshot(db) == before


def test_huge_ids_are_bounded_and_long_input_cut(run: Run, env: dict[str, str]) -> None:
    r = run("evidence", "review", "99999999999999999999", "--accept", env=env)
    assert r.exit_code == 2 and "unexpected" not in r.stderr
    r = run("evidence", "show", "99999999999999999999", env=env)
    assert r.exit_code == 2 and "unexpected" not in r.stderr
    long_id = "S" * 10_000
    r = run("evidence", "submit", long_id, "--value", "1=1", env=env)
    assert r.exit_code == 1 and "no occurrence has the id" in r.stderr
    assert len(r.stderr) < 300
    r = run("schedule", "explain", long_id, env=env)
    assert r.exit_code == 1 and len(r.stderr) < 400


def test_terminal_text_is_stripped_of_control_and_bidi(run: Run, env: dict[str, str],
                                                       tmp_path: Path) -> None:
    name = tmp_path / "report\u202etxt.pdf"
    name.write_bytes(b"%PDF-1.7 report")
    r = run("evidence", "submit", "S11-O1-ii@deliverable", "-f", str(name), "--note",
            "Done\x1b[2J\x1b[H in time\x07", env=env)
    assert r.exit_code == 0, r.output
    shown = run("evidence", "show", "1", env=env)
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout
    assert "\x07" not in shown.stdout
    assert "Done[2J[H in time" in shown.stdout and "reporttxt.pdf" in shown.stdout
    sha = [line for line in shown.stdout.splitlines() if line.startswith("file 1 sha256 ")]
    assert len(sha) == 1 and len(sha[0].split()[-1]) == 64  # the full hash, unbroken


def test_invalid_utf8_config_names_the_file(run: Run, tmp_path: Path) -> None:
    config = tmp_path / "naptip.toml"
    config.write_bytes(b'[reporting]\nevidence_due = "\xff\xfe"\n')
    r = run("--config", str(config), "schedule")
    assert r.exit_code == 1
    assert f"configuration {config} is not UTF-8 text" in r.stderr
    assert "unexpected" not in r.stderr


@pytest.mark.parametrize(("url", "message"), [
    ("sqlite://", "in-memory SQLite database loses everything"),
    ("sqlite:///:memory:", "in-memory SQLite database loses everything"),
    ("postgresql://postgres@127.0.0.1:5432", "names no database"),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/", "names no database"),
    ("postgresql+asyncpg://postgres@127.0.0.1/test", "driver 'postgresql+asyncpg' is not "
                                                     "supported"),
    ("postgresql+psycopg2://postgres@127.0.0.1/test", "driver 'postgresql+psycopg2'"),
    ("sqlite+aiosqlite:///x.db", "driver 'sqlite+aiosqlite' is not supported"),
    ("mysql://x@127.0.0.1/y", "only SQLite and PostgreSQL"),
])
def test_unsafe_database_urls_are_refused(run: Run, url: str, message: str) -> None:
    for args in (["sync"], ["status"], ["db", "upgrade"]):
        r = run(*args, env={"NAPTIP_DATABASE_URL": url})
        assert r.exit_code == 1, (args, r.output)
        assert message in r.stderr and "unexpected" not in r.stderr


def test_psycopg_is_a_normal_dependency() -> None:
    import tomllib

    from tests.conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(r.startswith("psycopg[binary]") for r in project["dependencies"])


def test_errors_never_show_sql_or_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(Exception) as info, engine.connect() as conn:
        conn.execute(text("SELECT secret_column FROM nowhere WHERE x = :p"),
                     {"p": "hunter2"})
    engine.dispose()
    line = one_line(info.value)
    assert line.startswith("unexpected OperationalError: no such table: nowhere")
    assert "SELECT" not in line and "hunter2" not in line


def test_disk_full_is_one_plain_line() -> None:
    try:
        with open("/dev/full", "w") as handle:  # a real ENOSPC from the kernel
            handle.write("x" * 10)
            handle.flush()
    except OSError as exc:
        assert one_line(exc) == "disk full: free some space and try again (nothing was stored)"
    else:  # pragma: no cover
        pytest.fail("/dev/full accepted a write")
