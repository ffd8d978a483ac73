"""Invitation dispatch benchmark, with its baseline measured in the same run.

    .venv/bin/python -m bench.bench_invites [--recipients N]

N contacts (default 100), each a member of the Enforcement Committee, are invited on
2023-06-01 to its meetings of the next 90 days, by a local aiosmtpd server on loopback:

* naptip: ``invite`` end to end, after a dry run has recorded the calendar ledger: read
  the meeting entries and the ledger, claim each (occurrence, invite-SEQ, attendee), parse
  the stored VEVENT and complete it (icalendar), build the iTIP MIME message, send it (one
  SMTP connection, one message per attendee and meeting), mark it — a commit per message;
* baseline: stdlib ``smtplib`` sending the very same bytes over one connection;
* rerun: ``invite`` again, nothing new to send (what every later daily run costs).

Ratio = baseline time / naptip time (1.0 = as fast as the bare send).
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from naptip.base.config import parse_settings
from naptip.base.contact_types import ContactInfo, Role
from naptip.calendars.invite import invite
from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.people.contacts import ContactDirectory
from naptip.plan.catalog import build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.store.db import open_database

from .bench_reminders import Sink, free_port

DAY, NOW = date(2023, 6, 1), datetime(2023, 5, 31, 16, tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100)
    args = parser.parse_args(argv)
    recipients: int = args.recipients
    catalog = build_catalog(build_plugin_manager(environ={}))
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(f"sqlite:///{Path(tmp) / 'b.db'}", blobs=Path(tmp) / "blobs")
            sync(db, catalog, build_schedule(catalog), today=DAY)  # not timed
            ContactDirectory(db).upsert([
                ContactInfo(name=f"Officer {i}", email=f"officer{i}@rmp.gov.my",
                            roles=(Role(role="member", scope="enforcement"),))
                for i in range(recipients)], actor="bench")
            settings = parse_settings({"mail": {
                "url": f"mailto://127.0.0.1:{port}?mode=insecure&from=naptip@mapo.gov.my"}})
            invite(db, catalog, settings, day=DAY, now=NOW, dry_run=True)  # records the ledger
            start = time.perf_counter()
            report = invite(db, catalog, settings, day=DAY, now=NOW)
            naptip_s = time.perf_counter() - start
            assert report.ok and len(report.sent) == len(sink.messages) > 0
            start = time.perf_counter()
            assert invite(db, catalog, settings, day=DAY, now=NOW).outcomes == []
            rerun_s = time.perf_counter() - start
            prepared = list(sink.messages)
            sink.messages.clear()
            start = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", port) as conn:
                for rcpts, raw in prepared:
                    conn.sendmail("naptip@mapo.gov.my", rcpts, raw)
            base_s = time.perf_counter() - start
            assert len(sink.messages) == len(prepared)
            db.dispose()
    finally:
        controller.stop()
    sent = len(prepared)
    size = sum(len(raw) for _, raw in prepared) / sent
    print(f"{sent} invitations ({sent // recipients} meetings x {recipients} attendees, "
          f"~{size / 1024:.1f} KiB each), aiosmtpd on loopback, SQLite store")
    print(f"  naptip invite   : {naptip_s:7.2f} s  ({sent / naptip_s:6.1f} msg/s)")
    print(f"  smtplib baseline: {base_s:7.2f} s  ({sent / base_s:6.1f} msg/s)")
    print(f"  ratio (baseline/naptip): {base_s / naptip_s:.2f}")
    print(f"  rerun, nothing new: {rerun_s:7.2f} s (calendar ledger check, schedule, ledger read)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
