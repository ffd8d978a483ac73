"""Commands that read the store check its schema without importing Alembic (issue 18:
it cost each of them ~0.2 s of CPU), and still refuse an older or a newer schema with
one line. Checked in fresh interpreters: this session has imported Alembic already."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import SCHEMA_HEAD

#: run the command line, and say at exit whether Alembic was imported
PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write("
         "'alembic imported: %s\\n' % ('alembic' in sys.modules))); "
         "from naptip.cli import main; sys.exit(main())")


def naptip(env: dict[str, str], *args: str) -> tuple[int, str, list[str], bool]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    lines = done.stderr.splitlines()
    assert lines and lines[-1] in ("alembic imported: True", "alembic imported: False"), lines
    return done.returncode, done.stdout, lines[:-1], lines[-1].endswith("True")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    folder = tmp_path_factory.mktemp("store")
    db = folder / "n.db"
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{db}", "NAPTIP_BLOB_DIR": str(folder / "b"),
           "XDG_DATA_HOME": str(folder / "data"), "XDG_CONFIG_HOME": str(folder / "config"),
           "XDG_CACHE_HOME": str(folder / "cache"), "PATH": "/usr/bin:/bin",
           "COLUMNS": "80"}
    code, _, err, imported = naptip(env, "--as-of", "2024-06-01", "sync")
    assert code == 0, err
    assert imported  # creating the store runs the migrations
    return env, db


def set_revision(db: Path, revision: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))


@pytest.mark.parametrize("args", [["status", "--as-of", "2024-06-01"],
                                  ["evidence", "list"], ["db", "status"]])
def test_store_reading_commands_do_not_import_alembic(
        synced: tuple[dict[str, str], Path], args: list[str]) -> None:
    env, _ = synced
    code, out, err, imported = naptip(env, *args)
    assert code == 0, err
    assert out.strip()
    assert not imported


@pytest.mark.parametrize("revision", ["0010_run_liveness", "0099_from_a_newer_naptip"])
def test_another_schema_is_refused_in_one_line_without_alembic(
        synced: tuple[dict[str, str], Path], revision: str) -> None:
    env, db = synced
    set_revision(db, revision)
    try:
        code, out, err, imported = naptip(env, "status", "--as-of", "2024-06-01")
    finally:
        set_revision(db, SCHEMA_HEAD)
    assert code == 1 and out == ""
    assert err == [f"Error: the database sqlite:///{db} is at schema {revision}, naptip "
                   f"needs {SCHEMA_HEAD}: run `naptip db upgrade`"]
    assert not imported


def test_db_upgrade_still_migrates_an_older_schema(tmp_path: Path) -> None:
    env = {"NAPTIP_DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    from naptip.store.db import make_engine
    from naptip.store.migrate import upgrade

    engine = make_engine(env["NAPTIP_DATABASE_URL"])
    upgrade(engine, "0010_run_liveness")
    engine.dispose()
    code, out, err, imported = naptip(env, "db", "upgrade")
    assert code == 0, err
    assert out.strip() == f"database upgraded from schema 0010_run_liveness to {SCHEMA_HEAD}"
    assert imported
