"""One day's work on the real plan: a Prefect flow run on a running server vs in-process.

Both sides do the same work in the same run: a fresh store with the built-in plan and a
few contacts, then the day's work for ``--days`` consecutive days (sync, reminders to the
local outbox, the seams). The server's start is measured separately (it is paid once per
``naptip serve``, not per run). Figures are printed, never asserted.

    .venv/bin/python -m bench.bench_orchestration [--days N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from naptip.base.contact_types import ContactInfo, Role
from naptip.cli.app import App
from naptip.people.contacts import ContactDirectory
from naptip.store.db import open_database
from naptip.work.daywork import DayWork, execute, plan_day

PEOPLE = [ContactInfo(name=f"Lead {c}", email=f"lead@{c}.example.gov.my",
                      roles=(Role(role="lead", scope=c),))
          for c in ("enforcement", "media", "victim-care", "legislative", "monitoring")]


def _store(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["NAPTIP_DATABASE_URL"] = f"sqlite:///{folder / 'naptip.db'}"
    os.environ["NAPTIP_BLOB_DIR"] = str(folder / "blobs")
    os.environ["NAPTIP_OUTBOX_DIR"] = str(folder / "outbox")
    db = open_database()
    ContactDirectory(db).upsert(PEOPLE, actor="bench")
    db.dispose()


def in_process(folder: Path, first: date, days: int) -> float:
    _store(folder)
    app = App()
    started = time.perf_counter()
    for n in range(days):
        day = first + timedelta(days=n)
        plan = plan_day(app.db, day)
        summary = execute(DayWork(db=app.db, catalog=app.catalog, settings=app.settings,
                                  loaded=app.loaded, day=plan.day, since=plan.since,
                                  trigger="bench"), plan)
        assert summary.status == "done", summary
    app.close()
    return time.perf_counter() - started


def on_server(folder: Path, first: date, days: int) -> float:
    _store(folder)
    from naptip.flows import daily

    daily._APP.clear()
    started = time.perf_counter()
    for n in range(days):
        result = daily.daily_run(day=(first + timedelta(days=n)).isoformat())
        assert result["status"] == "done", result
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=5)
    args = parser.parse_args(argv)
    first = date(2024, 7, 1)
    with tempfile.TemporaryDirectory(prefix="naptip-bench-") as tmp:
        root = Path(tmp)
        # no log shipping: it would retry against the stopped server at exit
        os.environ.update({"DO_NOT_TRACK": "1", "PREFECT_HOME": str(root / "client"),
                           "PREFECT_LOGGING_TO_API_ENABLED": "false",
                           "XDG_DATA_HOME": str(root / "data")})
        from naptip.flows.serve import free_port, start_server, stop_server

        port = free_port()
        started = time.perf_counter()
        child = start_server(root / "server", port)
        server_start = time.perf_counter() - started
        try:
            os.environ["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
            local = in_process(root / "local", first, args.days)
            flows = on_server(root / "flows", first, args.days)
        finally:
            stop_server(child)
    print(f"server start (fresh database, migrations included): {server_start:.1f} s")
    print(f"{args.days} day(s) of work in-process: {local:.2f} s "
          f"({local / args.days:.2f} s a day)")
    print(f"{args.days} day(s) as Prefect flow runs: {flows:.2f} s "
          f"({flows / args.days:.2f} s a day)")
    print(f"ratio in-process/flow-run throughput: {flows / local:.2f}x; "
          f"overhead per run: {(flows - local) / args.days:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
