"""One real ``prefect server start`` for the tests/flows package (package scope: it stops
after the package's last test, not at the end of the session), started from a migrated
Prefect database made once per Prefect version, and emptied for each module that uses it
(``server``). Modules that need a server configured otherwise (credentials, PostgreSQL)
start their own."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def prefect_template() -> Path:
    """A migrated Prefect database, made once per Prefect version and copied per server."""
    from naptip.flows.serve import QUIET

    version = importlib.metadata.version("prefect")
    folder = Path(tempfile.gettempdir()) / f"naptip-prefect-template-{version}"
    if not (folder / "prefect.db").exists():
        work = Path(tempfile.mkdtemp(prefix="naptip-prefect-template-"))
        env = {**os.environ, **QUIET, "PREFECT_HOME": str(work)}
        env.pop("PREFECT_API_URL", None)
        subprocess.run([sys.executable, "-m", "prefect", "server", "database", "upgrade",
                        "-y"], env=env, check=True, capture_output=True, timeout=300)
        try:
            work.rename(folder)
        except OSError:  # another session made it first
            shutil.rmtree(work, ignore_errors=True)
    return folder / "prefect.db"


def prefect_home(template: Path, home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, home / "prefect.db")
    return home


@pytest.fixture(scope="package")
def _shared_server(prefect_template: Path, tmp_path_factory: pytest.TempPathFactory,
                   ) -> Iterator[str]:
    from naptip.flows.serve import free_port, start_server, stop_server

    home = prefect_home(prefect_template, tmp_path_factory.mktemp("prefect-server"))
    port = free_port()
    child = start_server(home, port)
    url = f"http://127.0.0.1:{port}/api"
    try:
        with _client(url) as client:
            _FRESH_POOLS[url] = {pool.name for pool in client.read_work_pools()}
        yield url
    finally:
        stop_server(child)


@contextmanager
def _client(url: str) -> Iterator[Any]:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: url}), get_client(sync_client=True) as client:
        yield client


@pytest.fixture(scope="module")
def server(_shared_server: str) -> str:
    """A real server with nothing on it (no credentials, SQLite), for the modules that want
    one as it is: started once for the package (~10-20 s), and emptied for each module of
    the deployments, flow runs and work pools earlier modules left on it."""
    with _client(_shared_server) as client:
        for deployment in client.read_deployments():
            client.delete_deployment(deployment.id)
        while runs := client.read_flow_runs(limit=200):
            for run in runs:
                client.delete_flow_run(run.id)
        for pool in client.read_work_pools():
            if pool.name not in _FRESH_POOLS[_shared_server]:
                client.delete_work_pool(pool.name)
    return _shared_server


#: the work pools a fresh server has, by server (recorded before any test adds one)
_FRESH_POOLS: dict[str, set[str]] = {}


@pytest.fixture
def client(server: str) -> Iterator[Any]:
    with _client(server) as c:
        yield c
