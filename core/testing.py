"""Helpers for testing naptip and plugins against a real PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

#: The server the tests and benchmarks use: 127.0.0.1:5432, user postgres, trust auth.
PG_SERVER = os.environ.get("NAPTIP_TEST_PG_URL",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def temporary_postgres(prefix: str = "naptip_test", server: str = PG_SERVER) -> Iterator[str]:
    """Create a fresh database on ``server``, yield its URL, and drop it afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(server)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
