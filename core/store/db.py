"""The database: where it is, how to connect, how writes are serialised and retried.

``NAPTIP_DATABASE_URL`` selects it (``sqlite:///path`` or ``postgresql+psycopg://...``);
the default is a SQLite file in the user's data folder. SQLite runs in WAL mode, and every
write transaction starts with ``BEGIN IMMEDIATE`` so concurrent writers queue instead of
failing half-way. PostgreSQL writers lock the rows they change. Writes that lose a race
(a lock timeout, a serialisation failure, a deadlock) are retried from the start.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from naptip.base.errors import NaptipError

T = TypeVar("T")
WRITE = "naptip_write"
SQLITE_BUSY_SECONDS = 60


def default_data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("naptip")


def database_url(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = env.get("NAPTIP_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{default_data_dir() / 'naptip.db'}"


def blob_dir(url: str, environ: Mapping[str, str] | None = None) -> Path:
    """Where attachments live: NAPTIP_BLOB_DIR, else beside a SQLite file, else the data
    folder."""
    env = os.environ if environ is None else environ
    if env.get("NAPTIP_BLOB_DIR"):
        return Path(env["NAPTIP_BLOB_DIR"])
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database)).with_suffix(".blobs")
    return default_data_dir() / "blobs"


def _masked(url: URL) -> str:
    return url.render_as_string(hide_password=True)


_SQLITE_DRIVERS = {"sqlite", "sqlite+pysqlite"}
_PG_DRIVERS = {"postgresql", "postgresql+psycopg"}


def _refuse(parsed: URL) -> str | None:
    """Why naptip will not use this URL, or None."""
    backend, driver = parsed.get_backend_name(), parsed.drivername
    if backend == "sqlite":
        if driver not in _SQLITE_DRIVERS:
            return f"the driver {driver!r} is not supported: use sqlite:///path/naptip.db"
        if parsed.database in (None, "", ":memory:") or "mode=memory" in str(parsed):
            return ("an in-memory SQLite database loses everything when the command ends: "
                    "name a file, e.g. sqlite:///path/naptip.db")
        return None
    if backend == "postgresql":
        if driver not in _PG_DRIVERS:
            return (f"the driver {driver!r} is not supported: use "
                    "postgresql+psycopg://user@host/database")
        if not parsed.database:
            return ("the URL names no database (naptip would write into whatever database "
                    "the server defaults to): add /DATABASE")
        return None
    return "only SQLite and PostgreSQL are supported"


def _read_only_file(path: Path) -> bool:
    return path.exists() and not (os.access(path, os.W_OK)
                                  and os.access(path.parent, os.W_OK))


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for a URL naptip accepts; ``create`` lets SQLite make the file's folder.

    A SQLite file that cannot be written (a read-only copy) is opened read-only and
    immutable, so that reading works without the WAL's ``-shm`` file."""
    try:
        parsed = make_url(url)
    except Exception:
        raise NaptipError("NAPTIP_DATABASE_URL is not a database URL (e.g. "
                          "sqlite:///path/naptip.db or postgresql+psycopg://user@host/db)"
                          ) from None
    reason = _refuse(parsed)
    if reason:
        raise NaptipError(f"database {_masked(parsed)!r}: {reason}")
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        read_only = _read_only_file(path)
        if create and not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        if read_only:
            parsed = parsed.set(database=f"file:{path.resolve()}?mode=ro&immutable=1",
                                query={"uri": "true"})
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        _sqlite_events(engine, read_only=read_only)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        import psycopg  # noqa: F401
    except ImportError:  # pragma: no cover - psycopg is a dependency of naptip
        raise NaptipError("PostgreSQL support needs psycopg: pip install 'psycopg[binary]'"
                          ) from None
    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_events(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower():
        return True
    code = getattr(exc.orig, "sqlstate", None)
    return code in {"40001", "40P01", "55P03"}  # serialization, deadlock, lock not available


@dataclass
class Database:
    url: str
    engine: Engine
    blobs: Path

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(self.engine.execution_options(**{WRITE: True}),
                                   expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        return _masked(self.engine.url)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def write(self, work: Callable[[Session], T], *, attempts: int = 8,
              creates: bool = False) -> T:
        """Run ``work`` in one write transaction; retry it whole if it loses a race.

        ``creates``: ``work`` inserts a row keyed by what it first looked up (get or
        create), so a unique-key clash means another process created it first: run it
        again, and it finds that row."""
        for attempt in range(1, attempts + 1):
            try:
                with self._write() as session, session.begin():
                    return work(session)
            except DBAPIError as exc:
                clash = creates and isinstance(exc, IntegrityError)
                if attempt == attempts or not (_retryable(exc) or _race(exc) or clash):
                    raise
                time.sleep(min(2.0, 0.02 * 2 ** attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def _race(exc: DBAPIError) -> bool:
    """A unique-key clash on the audit chain: another writer appended first."""
    return isinstance(exc, IntegrityError) and "audit" in str(exc.orig).lower()


def retryable(exc: DBAPIError) -> bool:
    """Whether :meth:`Database.write` retries a transaction that failed with ``exc``: a
    caller catching database errors inside one must let these through."""
    return _retryable(exc) or _race(exc)


NO_STORE = "run `naptip sync` first"


def _missing_sqlite_file(url: str) -> bool:
    parsed = make_url(url)
    return (parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "")
            and not Path(str(parsed.database)).exists())


def open_database(url: str | None = None, *, blobs: Path | None = None,
                  environ: Mapping[str, str] | None = None, upgrade: bool = True) -> Database:
    """Connect, and (``upgrade``) bring an empty database up to the current schema.

    Without ``upgrade`` nothing is created: a missing or empty store is an error that says
    to run ``naptip sync``. A database at an older schema is not changed silently:
    ``naptip db upgrade`` does that.
    """
    from naptip.store import migrate

    target = url or database_url(environ)
    engine = make_engine(target, create=upgrade)
    db = Database(url=target, engine=engine, blobs=blobs or blob_dir(target, environ))
    if not upgrade and _missing_sqlite_file(target):
        db.dispose()
        raise NaptipError(f"no naptip store at {db.describe()}: {NO_STORE}")
    try:
        state = migrate.schema_state(db.engine)
        if state.current != state.head and upgrade:  # another process may be creating it
            migrate.upgrade_locked(db.engine, only_empty=True)
            state = migrate.schema_state(db.engine)
    except OperationalError as exc:
        db.dispose()
        raise NaptipError(f"cannot open the database {db.describe()}: "
                          f"{str(exc.orig).strip().splitlines()[0]}") from None
    if state.current is None and not inspect(db.engine).get_table_names():
        db.dispose()
        raise NaptipError(f"no naptip store at {db.describe()}: {NO_STORE}")
    if state.current != state.head:
        db.dispose()
        raise NaptipError(f"the database {db.describe()} is at schema {state.current or 'none'}, "
                          f"naptip needs {state.head}: run `naptip db upgrade`")
    return db
