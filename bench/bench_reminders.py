"""Reminder dispatch benchmark, with its baseline measured in the same run.

    .venv/bin/python -m bench.bench_reminders [--recipients N]

N contacts (default 500) each get one digest of the Enforcement Committee's work on
2024-02-01 from a local aiosmtpd server on loopback:

* naptip: ``run_reminders`` end to end: read the open occurrences, plan, claim every
  (occurrence, stage, recipient) in the store, render each digest from the templates,
  build each MIME message, send it (one SMTP connection, one message per recipient) and
  mark it sent — one commit per message, which is what bounds a crash to one duplicate;
* baseline: stdlib ``smtplib`` sending the very same bytes over one connection.

Ratio = baseline time / naptip time (1.0 = as fast as the bare send). Goal: >= 0.3.
The phase table says where naptip's time goes.
"""

from __future__ import annotations

import argparse
import smtplib
import socket
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from naptip.base.config import parse_settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.notifications import dispatch
from naptip.notifications.transport import SmtpTransport
from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.store.db import open_database


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def timed(phases: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            phases[name] += time.perf_counter() - start

    return wrapper


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


PHASES = ("remindable_occurrences", "plan_reminders", "claim_all", "render", "build_message",
          "mark")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=500)
    args = parser.parse_args(argv)
    originals = {name: getattr(dispatch, name) for name in PHASES}
    original_send = SmtpTransport.send
    try:
        return _run(args.recipients)
    finally:
        for name, fn in originals.items():
            setattr(dispatch, name, fn)
        SmtpTransport.send = original_send  # type: ignore[method-assign]


def _run(recipients: int) -> int:
    catalog = build_catalog(build_plugin_manager(environ={}))
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(f"sqlite:///{Path(tmp) / 'b.db'}", blobs=Path(tmp) / "blobs")
            sync(db, catalog, build_schedule(catalog))
            ContactDirectory(db).upsert([
                ContactInfo(name=f"Officer {i}", email=f"officer{i}@rmp.gov.my",
                            roles=(Role(role="lead", scope="enforcement"),))
                for i in range(recipients)], actor="bench")
            # uncapped: every item listed, the worst case the figures in docs/reminders.md
            # were measured on (a digest now lists 25 by default and counts the rest)
            settings = parse_settings({"mail": {
                "url": f"mailto://127.0.0.1:{port}?mode=insecure&from=naptip@mapo.gov.my"},
                "reminders": {"digest_items": 10_000}})
            phases: dict[str, float] = defaultdict(float)
            for name in PHASES:
                setattr(dispatch, name, timed(phases, name, getattr(dispatch, name)))
            SmtpTransport.send = timed(phases, "smtp send", SmtpTransport.send)  # type: ignore[method-assign]
            start = time.perf_counter()
            result = dispatch.run_reminders(db, catalog, settings, None, dispatch.RunOptions(
                today=date(2024, 2, 1), committee="enforcement"))
            naptip_s = time.perf_counter() - start
            assert len(result.outcomes) == recipients and not result.failed
            items = result.outcomes[0].items
            prepared = list(sink.messages)
            sink.messages.clear()
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as conn:
                for rcpts, raw in prepared:
                    conn.sendmail("naptip@mapo.gov.my", rcpts, raw)
            base_s = time.perf_counter() - start
            assert len(sink.messages) == recipients
            db.dispose()
    finally:
        controller.stop()
    size = sum(len(raw) for _, raw in prepared) / len(prepared)
    print(f"{recipients} digests of {items} items each (~{size / 1024:.0f} KiB), "
          "aiosmtpd on loopback, SQLite store")
    print(f"  naptip dispatch : {naptip_s:7.2f} s  ({recipients / naptip_s:6.1f} msg/s)")
    print(f"  smtplib baseline: {base_s:7.2f} s  ({recipients / base_s:6.1f} msg/s)")
    print(f"  ratio (baseline/naptip): {base_s / naptip_s:.2f}  (goal >= 0.3)")
    print("  where naptip's time goes:")
    for name, seconds in sorted(phases.items(), key=lambda kv: -kv[1]):
        print(f"    {name:24s} {seconds:7.2f} s  {100 * seconds / naptip_s:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
