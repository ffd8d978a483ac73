"""Worker processes for the concurrency and crash tests (run with ``python -m``).

    python -m tests.workers submit URL BLOBS OCCURRENCE...    submit one count each
    python -m tests.workers review URL BLOBS EVIDENCE_ID...   accept each
    python -m tests.workers crash URL BLOBS OCCURRENCE FILE   die between blob and rows
    python -m tests.workers withfile URL BLOBS FILE OCCURRENCE...  submit FILE for each

Each prints one JSON line per item: {"item": ..., "ok": true|false, "detail": ...}.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

from naptip.base.errors import NaptipError
from naptip.plan.catalog import build_catalog
from naptip.plan.pluginmanager import build_plugin_manager
from naptip.progress.evidence import EvidenceService, Submission
from naptip.store.db import Database, open_database


def main(argv: list[str]) -> int:
    action, url, blobs, *items = argv
    db = open_database(url, blobs=Path(blobs))
    catalog = build_catalog(build_plugin_manager(environ={}))
    service = EvidenceService(db, catalog)
    worker = f"worker-{os.getpid()}"
    if action == "crash":
        occurrence, file = items

        def die(self: Database, work: object, **kwargs: object) -> None:
            os._exit(9)  # the process dies after the blob is written, before any row

        Database.write = die  # type: ignore[assignment, method-assign]
        service.submit(Submission(occurrence_id=occurrence, actor=worker, files=[file]),
                       today=date(2024, 3, 1))
        return 1
    attachment = items.pop(0) if action == "withfile" else None
    detail: object
    for item in items:
        try:
            if attachment is not None:
                detail = service.submit(
                    Submission(occurrence_id=item, actor=worker, files=[attachment]),
                    today=date(2024, 3, 1))
            elif action == "submit":
                detail = service.submit(
                    Submission(occurrence_id=item, actor=worker, values={"1": "1"}),
                    today=date(2024, 3, 1))
            else:
                detail = service.review(int(item), accept=True, reason=None, actor=worker).status
            print(json.dumps({"item": item, "ok": True, "detail": detail}), flush=True)
        except NaptipError as exc:
            print(json.dumps({"item": item, "ok": False, "detail": str(exc)}), flush=True)
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
