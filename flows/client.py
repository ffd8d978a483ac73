"""Talking to a Prefect server: is it there, and ``naptip run --prefect``.

Imported only by the commands that orchestrate: ``import prefect`` costs seconds.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from naptip.base.errors import NaptipError
from naptip.store.db import Database
from naptip.work.daywork import RunSummary
from naptip.work.prefect_access import probe, verdict


def api_url() -> str | None:
    return os.environ.get("PREFECT_API_URL") or None


def api_auth() -> str | None:
    """PREFECT_API_AUTH_STRING: the credentials this client gives the server."""
    return os.environ.get("PREFECT_API_AUTH_STRING") or None


def healthy(url: str, timeout: float = 3.0) -> bool:
    """Whether the Prefect API at ``url`` (".../api") answers its health check."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def check_access(url: str, say: Callable[[str], object] | None = None) -> None:
    """Refuse an API that others can use without credentials, or that refuses ours; warn
    (through ``say``) about one that answers anybody on this machine."""
    found = verdict(probe(url, api_auth()))
    if found.error:
        raise NaptipError(found.error)
    if found.warning and say is not None:
        say(found.warning)


def require_server(say: Callable[[str], object] | None = None) -> str:
    """The URL of a Prefect server that answers and that is safe to use (check_access)."""
    url = api_url()
    if not url:
        raise NaptipError("--prefect needs a Prefect server: set PREFECT_API_URL "
                          "(e.g. http://127.0.0.1:4200/api), or start one with `naptip serve`")
    if not healthy(url):
        raise NaptipError(f"the Prefect server at {url} does not answer "
                          "(is `naptip serve` or `prefect server start` running?)")
    check_access(url, say)
    return url


def run_on_server(day: date, *, dry_run: bool, actor: str, config_path: Path | None,
                  plugins_dir: Path | None, plan_id: str | None = None,
                  ) -> list[RunSummary]:
    """The day's work as a ``daily-run`` flow run recorded on the server: for ``plan_id``,
    or for each plan that needs it (one ``plan-run`` subflow each). Returns each plan's
    run summary."""
    require_server()
    if config_path is not None:
        os.environ["NAPTIP_CONFIG"] = str(config_path)
    if plugins_dir is not None:
        os.environ["NAPTIP_PLUGINS_DIR"] = str(plugins_dir)
    os.environ.setdefault("NAPTIP_USER", actor)
    from prefect import tags
    from prefect.exceptions import PrefectException

    from naptip.flows.daily import _app, daily_run
    from naptip.flows.recover import TAG
    from naptip.work import runlog

    started = datetime.now(UTC)
    try:
        with console_without_tracebacks(), tags(TAG):
            result = daily_run(day=day.isoformat(), dry_run=dry_run, plan=plan_id)
    except PrefectException as exc:
        raise NaptipError(f"Prefect: {' '.join(str(exc).split())[:300]}") from None
    except Exception as exc:
        # a plan's run failed (e.g. a message could not be sent): its summary says why
        found = _runs_since(_app().db, day, started)
        if not found:
            raise NaptipError(f"the flow run failed: {' '.join(str(exc).split())[:300]}"
                              ) from None
        return found
    return [runlog.get(_app().db, str(r["id"])) for r in result["runs"] if r.get("id")]


@contextmanager
def console_without_tracebacks() -> Iterator[None]:
    """Prefect's console log lines without their tracebacks (the run's summary says what
    failed; the Prefect UI keeps the tracebacks): a failed run reads as a few lines."""
    from prefect.logging.handlers import PrefectConsoleHandler

    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith("prefect")]
    handlers = {h for lg in [logging.getLogger(), *map(logging.getLogger, names)]
                for h in lg.handlers if isinstance(h, PrefectConsoleHandler)}
    for handler in handlers:
        setattr(handler, "format", _one_line(handler))  # noqa: B010 - shadows the method
    try:
        yield
    finally:
        for handler in handlers:
            vars(handler).pop("format", None)


def _one_line(handler: logging.Handler) -> Callable[[logging.LogRecord], str]:
    original = type(handler).format

    def format_record(record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return original(handler, record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved

    return format_record


def _runs_since(db: Database, day: date, started: datetime) -> list[RunSummary]:
    """The Prefect runs for ``day`` that started since ``started``, oldest first."""
    from naptip.work import runlog

    return [r for r in reversed(runlog.recent(db, 20))
            if r.day == day and r.trigger == "prefect" and r.started_at is not None
            and r.started_at >= started]
