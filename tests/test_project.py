"""Promises of the project itself: README commands, CI, the plugin contract's docs."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

from naptip.plan import hookspecs

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_opens_with_the_two_commands() -> None:
    main_job, tests = _readme_commands()[:2]
    assert main_job.startswith("python3 -m venv .venv && ")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command() -> None:
    tests = _readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()
    assert "set -euo pipefail" in ci


def _hooks() -> list[str]:
    return [name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
            if name.startswith("naptip_")]


def test_every_hook_is_documented() -> None:
    guide = (ROOT / "docs" / "plugin-authors.md").read_text(encoding="utf-8")
    for name in _hooks():
        doc = inspect.getdoc(getattr(hookspecs, name))
        assert doc and "Receives" in doc and "Returns" in doc, name
        assert f"`{name}" in guide, f"{name} missing from docs/plugin-authors.md"


def test_every_hook_is_tested() -> None:
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")
                    if p.name != "test_project.py")
    for name in _hooks():
        assert f"def {name}(" in tests, name


def _tracked_files() -> list[Path]:
    import subprocess

    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    return [ROOT / line for line in out.splitlines() if line]


def test_shell_scripts_parse() -> None:
    """A syntax error in .ci/run fails CI in 0 s with nothing tested: catch it here."""
    import subprocess

    for script in [ROOT / ".ci" / "run", *sorted((ROOT / "scripts").iterdir())]:
        if script.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash"):
            done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
            assert done.returncode == 0, f"{script.name}: {done.stderr}"


def test_no_merge_conflict_markers() -> None:
    marker = re.compile(r"^(<{7}|>{7}|={7})( |$)", re.M)
    for path in _tracked_files():
        if path.suffix in {".png", ".pdf", ".xlsx", ".docx", ".gz"} or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        assert not marker.search(text), f"conflict marker left in {path.relative_to(ROOT)}"


def test_ci_survives_a_running_postgresql_that_pg_isready_does_not_confirm(
        tmp_path: Path) -> None:
    """`pg_ctlcluster start` exits 2 on a running cluster: CI must not stop there (it did,
    in 0 s, before any test ran)."""
    import subprocess

    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = ci[ci.index("pg_ready() {"):ci.index("\nfi\n", ci.index("if ! pg_ready")) + 4]
    fake = tmp_path / "bin"
    fake.mkdir()
    for name, code in (("pg_isready", 1), ("pg_ctlcluster", 2)):
        (fake / name).write_text(f"#!/bin/sh\nexit {code}\n", encoding="utf-8")
        (fake / name).chmod(0o755)
    script = ("set -euo pipefail\n" + block.replace("seq 1 60", "seq 1 1")
              + "echo carried-on\n")
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                          env={"PATH": f"{fake}:/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0 and "carried-on" in done.stdout, done.stderr


def test_readme_names_the_prerequisite_and_shows_progress() -> None:
    """`python3 -m venv` needs Debian's python3-venv; pip -q was silent for minutes."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    main_job = _readme_commands()[0]
    assert "python3-venv" in text[:text.index(main_job) + 2000]
    assert "apt-get install python3-venv" in text
    assert " -q" not in main_job and "pip install -e ." in main_job


def test_the_test_command_starts_postgresql_when_none_answers() -> None:
    tests = _readme_commands()[1]
    steps = [s.strip() for s in tests.split("&&")]
    assert steps.index("./scripts/start-postgres") < steps.index(".venv/bin/python -m pytest")
    assert os.access(ROOT / "scripts" / "start-postgres", os.X_OK)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_start_postgres_leaves_a_port_that_answers_alone(tmp_path: Path) -> None:
    """Something answers (the machine's server, CI's): the script does nothing."""
    import socket
    import subprocess

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        folder = tmp_path / "pg"
        done = subprocess.run([str(ROOT / "scripts" / "start-postgres")], capture_output=True,
                              text=True, timeout=60,
                              env={**os.environ, "NAPTIP_TEST_PG_PORT": str(port),
                                   "NAPTIP_TEST_PG_DIR": str(folder)})
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and not folder.exists()


def test_start_postgres_starts_a_throwaway_server_when_none_answers() -> None:
    """A free port stands for a machine without PostgreSQL on 5432: the script starts a
    cluster in a temporary folder (as the postgres user when run as root), with the
    database `test` the tests connect to; the machine's own server is not touched."""
    import shutil
    import subprocess
    import tempfile

    import psycopg

    from naptip.testing import postgres_missing, temporary_postgres

    port = _free_port()
    server = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"
    assert postgres_missing(server) == (
        f"no PostgreSQL answers on 127.0.0.1:{port}: run ./scripts/start-postgres first (it "
        "starts a throwaway server), or set NAPTIP_TEST_PG_URL")
    parent = Path(tempfile.mkdtemp(prefix="naptip-pg-test-", dir="/tmp"))
    parent.chmod(0o755)  # the postgres user (as root) must reach the cluster's folder
    folder = parent / "cluster"
    env = {**os.environ, "NAPTIP_TEST_PG_PORT": str(port), "NAPTIP_TEST_PG_DIR": str(folder)}
    script = str(ROOT / "scripts" / "start-postgres")
    said = ""
    try:
        done = subprocess.run([script], capture_output=True, text=True, timeout=300, env=env)
        said = done.stderr
        assert done.returncode == 0, done.stderr
        assert f"a throwaway PostgreSQL answers on 127.0.0.1:{port}" in done.stderr
        assert postgres_missing(server) is None
        with temporary_postgres(server=server) as url:
            dsn = url.replace("postgresql+psycopg://", "postgresql://")
            with psycopg.connect(dsn) as conn:
                assert conn.execute("SELECT current_user").fetchone() == ("postgres",)
        again = subprocess.run([script], capture_output=True, text=True, timeout=60, env=env)
        assert again.returncode == 0 and again.stderr == ""  # it answers now: left alone
    finally:
        stop = said.rsplit("stop: ", 1)[-1].rstrip(")\n").split()
        if stop and stop[-1] == "stop":
            subprocess.run(stop, capture_output=True, timeout=60)
        shutil.rmtree(parent, ignore_errors=True)
