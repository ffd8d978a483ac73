"""The portal says where imported evidence came from, in English and Malay."""

from __future__ import annotations

import html
from pathlib import Path

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService
from naptip.progress.evidence_import import import_evidence
from naptip.store.db import Database
from tests.web_support import OTHER_LEAD, REVIEWER, TODAY, people, serve


def test_the_evidence_page_says_imported_from(synced: Database, builtin_catalog: Catalog,
                                               tmp_path: Path) -> None:
    people(synced)
    path = tmp_path / "bukti <2022>.csv"
    path.write_text("occurrence,status,done_on,value_1\nS4-O1-i@2022,submitted,2022-10-01,3\n")
    report = import_evidence(EvidenceService(synced, builtin_catalog), path,
                             importer=REVIEWER, today=TODAY)
    assert report.stored == 1, [str(r) for r in report.rows]
    with serve(synced, builtin_catalog) as web:
        with web.client(REVIEWER) as reviewer:
            page = reviewer.get("/evidence/1").text
            assert "bukti &lt;2022&gt;.csv" in page  # escaped
            assert "Imported from bukti <2022>.csv, row 2" in html.unescape(page)
        with web.client(OTHER_LEAD) as malay:  # a Malay-speaking contact
            page = html.unescape(malay.get("/evidence/1").text)
            assert "Diimport daripada bukti <2022>.csv, baris 2" in page
