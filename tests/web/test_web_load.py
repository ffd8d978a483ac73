"""Load: 50 submissions at once over HTTP on PostgreSQL lose nothing; the chain verifies."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from naptip.base.model import IndicatorKind
from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.plan.catalog import Catalog
from naptip.store import audit
from naptip.store.db import Database
from naptip.store.orm import Attachment, AuditEntry, Evidence, OccurrenceRow
from tests.conftest import _reset
from tests.web_support import LEAD, people, serve

N = 50


@pytest.fixture
def pg_store(request: pytest.FixtureRequest, tmp_path: Path,
             builtin_catalog: Catalog) -> Database:
    shared: Database = request.getfixturevalue("_pg_database")
    _reset(shared)
    db = Database(url=shared.url, engine=shared.engine, blobs=tmp_path / "blobs")
    sync(db, builtin_catalog, build_schedule(builtin_catalog))
    people(db)
    return db


def test_fifty_concurrent_submissions_on_postgresql(pg_store: Database,
                                                    builtin_catalog: Catalog) -> None:
    with serve(pg_store, builtin_catalog) as web, web.client(LEAD) as lead:
        service = web.portal.service
        with pg_store.reading() as session:
            rows = session.execute(select(OccurrenceRow).where(
                OccurrenceRow.owner == "enforcement", OccurrenceRow.progress == "open",
                OccurrenceRow.activity_id.is_not(None)).order_by(OccurrenceRow.id)
            ).scalars().all()
        targets = [r for r in rows if all(i.kind is IndicatorKind.COUNT
                                          for i in service.form(r))][:N]
        assert len(targets) == N
        csrf = web.csrf(lead, f"/occurrence/{targets[0].id}")
        cookies = dict(lead.cookies.items())

        def post(n_row: tuple[int, OccurrenceRow]) -> int:
            n, row = n_row
            values = {f"value_{k}": str(n + 1) for k in range(1, len(service.form(row)) + 1)}
            with httpx.Client(base_url=web.url, cookies=cookies, timeout=120) as client:
                response = client.post(
                    f"/occurrence/{row.id}/evidence", data={"csrf": csrf, **values},
                    files={"files": (f"laporan-{n}.txt", f"Laporan operasi {n}\n".encode())})
            return response.status_code

        with ThreadPoolExecutor(N) as pool:
            codes = list(pool.map(post, enumerate(targets)))
    assert codes == [303] * N
    with pg_store.reading() as session:
        evidence = session.execute(select(func.count()).select_from(Evidence)).scalar_one()
        attachments = session.execute(select(Attachment.sha256)).scalars().all()
        progress = set(session.execute(select(OccurrenceRow.progress).where(
            OccurrenceRow.id.in_([t.id for t in targets]))).scalars())
        submitted = session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "evidence.submitted", AuditEntry.actor == LEAD)).scalar_one()
        chain = audit.verify(session)
    assert evidence == N and submitted == N and progress == {"submitted"}
    assert len(set(attachments)) == N
    assert all(service.blobs.path_of(sha).is_file() for sha in attachments)
    assert chain.ok, chain
