"""Concurrency and storage edges (issue 8, §6), with real processes on fresh stores."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from naptip.store.blobs import _HOST, BlobStore
from naptip.store.db import Database, open_database
from naptip.store.orm import Attachment, Evidence
from naptip.testing import temporary_postgres
from tests.conftest import ROOT

pytestmark = pytest.mark.slow

NAPTIP = [sys.executable, "-c", "from naptip.cli import main; main()"]
COUNTS = ["S1-O1-i@2023", "S1-O1-ii@2023", "S1-O1-iv@2023", "S1-O1-v@2023",
          "S10-O1-ii@2023", "S10-O1-iii@2023", "S10-O1-iv@2023", "S10-O1-v@2023"]
DELIVERABLES = ["S11-O1-ii@deliverable", "S10-O2-i@deliverable", "S14-O1-i@deliverable",
                "S14-O1-iii@deliverable", "S15-O3-i@deliverable", "S15-O6-i@deliverable",
                "S15-O8-ii@deliverable", "S22-O1-ii@deliverable"]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store that does not exist yet: no file (SQLite), an empty database (PostgreSQL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new' / 'naptip.db'}"
        return
    with temporary_postgres("naptip_fresh") as url:
        yield url


def _env(url: str, blobs: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "NAPTIP_DATABASE_URL": url, "NAPTIP_BLOB_DIR": str(blobs),
            "NAPTIP_AS_OF": "2024-03-01", **extra}


def _all_at_once(commands: list[list[str]], env: dict[str, str],
                 ) -> list[subprocess.CompletedProcess[str]]:
    procs = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for cmd in commands]
    done = []
    for cmd, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
    return done


def test_eight_processes_on_a_fresh_store(fresh_url: str, tmp_path: Path) -> None:
    env = _env(fresh_url, tmp_path / "blobs")
    syncs = _all_at_once([[*NAPTIP, "sync", "--as", f"p{n}"] for n in range(8)], env)
    assert [p.returncode for p in syncs] == [0] * 8, [p.stderr for p in syncs]
    outputs = sorted(p.stdout.strip() for p in syncs)
    assert sum(o.startswith("synced: 1151 new") for o in outputs) == 1
    assert sum("already has this schedule" in o for o in outputs) == 7
    submits = _all_at_once([[*NAPTIP, "evidence", "submit", oid, "--value", "1=3", "--as",
                             f"officer{n}"] for n, oid in enumerate(COUNTS)], env)
    assert [p.returncode for p in submits] == [0] * 8, [p.stderr for p in submits]
    verify = subprocess.run([*NAPTIP, "audit", "verify"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stderr
    # the sync, the adoption (one, however many first syncs raced) and 8 submissions
    assert verify.stdout.startswith("ok: 10 audit entries")


def test_schema_creation_alone_is_safe(fresh_url: str, tmp_path: Path) -> None:
    env = _env(fresh_url, tmp_path / "blobs")
    runs = _all_at_once([[*NAPTIP, "db", "upgrade"] for _ in range(8)], env)
    assert [p.returncode for p in runs] == [0] * 8, [p.stderr for p in runs]
    assert sum("upgraded from schema none" in p.stdout for p in runs) == 1


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder any user can reach (pytest's own is private to its user)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="naptip-ro-"))
    path.chmod(0o755)
    yield path
    for sub in path.rglob("*"):
        if sub.is_dir():
            sub.chmod(0o755)
    shutil.rmtree(path)


def test_a_read_only_copy_can_be_read(open_dir: Path) -> None:
    tmp_path = open_dir
    source = tmp_path / "live" / "naptip.db"
    env = _env(f"sqlite:///{source}", tmp_path / "live" / "blobs")
    for cmd in (["sync"], ["evidence", "submit", COUNTS[0], "--value", "1=2"]):
        done = subprocess.run([*NAPTIP, *cmd], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(source, copy / "naptip.db")
    for extra in ("-wal", "-shm"):
        if source.with_name(source.name + extra).exists():
            shutil.copy(source.with_name(source.name + extra), copy / f"naptip.db{extra}")
    for path in copy.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    copy.chmod(0o555)
    (tmp_path / "live").chmod(0o755)
    # root ignores file modes: read as an unprivileged user, as a real reader would
    drop = (["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            if os.geteuid() == 0 else [])
    ro_env = {**_env(f"sqlite:///{copy / 'naptip.db'}", tmp_path / "live" / "blobs"),
              "HOME": str(copy), "XDG_DATA_HOME": str(copy), "XDG_CONFIG_HOME": str(copy)}
    for cmd in (["status", "--format", "json"], ["evidence", "list", "--format", "json"],
                ["audit", "verify"]):
        done = subprocess.run([*drop, *NAPTIP, *cmd], env=ro_env, cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, (cmd, done.stderr)
    listed = subprocess.run([*drop, *NAPTIP, "evidence", "list", "--format", "json"],
                            env=ro_env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert [e["occurrence"] for e in json.loads(listed.stdout)["evidence"]] == [COUNTS[0]]
    write = subprocess.run([*drop, *NAPTIP, "evidence", "submit", COUNTS[1], "--value", "1=1",
                            "--as", "someone"], env=ro_env, cwd=ROOT, capture_output=True,
                           text=True, timeout=300)
    assert write.returncode == 1
    assert write.stderr.strip() == ("Error: the store is read-only here: it can be read, not "
                                    "changed (nothing was stored)")


def test_sweep_racing_submissions_loses_nothing(synced: Database, tmp_path: Path) -> None:
    doc = tmp_path / "minutes.txt"
    doc.write_text("Minutes of the meeting\n" * 2000)
    env = {**os.environ, "NAPTIP_DATABASE_URL": synced.url,
           "NAPTIP_BLOB_DIR": str(synced.blobs)}
    submitter = subprocess.Popen([sys.executable, "-m", "tests.workers", "withfile",
                                  synced.url, str(synced.blobs), str(doc), *DELIVERABLES],
                                 cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
    sweeps = 0
    while submitter.poll() is None or sweeps < 3:
        swept = subprocess.run([*NAPTIP, "db", "sweep", "--grace-minutes", "0"], env=env,
                               cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert swept.returncode == 0, swept.stderr
        sweeps += 1
    out, err = submitter.communicate(timeout=300)
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["ok"] for r in results] == [True] * len(DELIVERABLES), (results, err)
    with synced.reading() as session:
        assert session.execute(select(func.count()).select_from(Attachment)).scalar_one() \
            == len(DELIVERABLES)
        assert session.execute(select(func.count()).select_from(Evidence)).scalar_one() \
            == len(DELIVERABLES)
    sha = BlobStore(synced.blobs)
    with synced.reading() as session:
        for digest in session.execute(select(Attachment.sha256)).scalars():
            assert sha.path_of(digest).exists()


def test_a_killed_upload_is_removed_by_the_next_sweep(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    store = BlobStore(tmp_path / "blobs")
    (store.root / "tmp").mkdir(parents=True)
    leftover = store.root / "tmp" / f"{_HOST}-{pid}-abc123"
    leftover.write_bytes(b"x" * 4096)  # what a killed submit leaves half-written
    mine = store.root / "tmp" / f"{_HOST}-{os.getpid()}-def456"
    mine.write_bytes(b"in flight")
    removed = store.sweep(set(), grace_seconds=3600)  # the default grace: an hour
    assert removed == [f"tmp/{leftover.name}"]
    assert mine.exists()  # a live process's upload is never swept, even with no grace
    assert store.sweep(set(), grace_seconds=0) == []


def test_open_database_twice_on_a_fresh_file_in_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = open_database(url, blobs=tmp_path / "b")
    second = open_database(url, blobs=tmp_path / "b")
    assert first.backend == second.backend == "sqlite"
    first.dispose()
    second.dispose()
