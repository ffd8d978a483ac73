"""The occurrence page in words, over real HTTP on SQLite and PostgreSQL: one sentence of
what is asked, by when, how late and what counts as evidence, in the reader's language;
why its date moved; human status words; a form error keeps what was entered and names the
files to attach again."""

from __future__ import annotations

from sqlalchemy import func, select

from naptip.plan.catalog import Catalog
from naptip.store.db import Database
from naptip.store.orm import Evidence, OccurrenceRow
from tests.web_support import LEAD, OCCURRENCE, OTHER_LEAD, TODAY, people, serve


def test_the_page_says_what_is_asked_by_when_how_late_and_what_counts(
        synced: Database, builtin_catalog: Catalog) -> None:
    people(synced)
    with serve(synced, builtin_catalog) as web, web.client(LEAD) as lead:
        page = lead.get(f"/occurrence/{OCCURRENCE}").text  # due 2024-01-31, today 02-14
        ask = page.split('<p id="ask" class="ask">', 1)[1].split("</p>", 1)[0]
        assert ask.startswith("Enforcement Committee is asked for “")
        assert "by Wednesday, 31 January 2024 (14 days overdue)" in ask
        assert "what counts as evidence: " in ask and "(a number)" in ask
        assert '<span id="progress">To do</span>' in page
        meeting = lead.get("/occurrence/enforcement-meeting@2021-08-10").text
        assert "(a document)" in meeting and "Minutes or report of the meeting" in meeting


def test_a_malay_reader_gets_the_sentence_and_the_moved_date_in_malay(
        synced: Database, builtin_catalog: Catalog) -> None:
    people(synced)
    with synced.reading() as session:
        moved = session.execute(select(OccurrenceRow).where(
            OccurrenceRow.owner == "legislative",
            OccurrenceRow.unshifted != OccurrenceRow.due).order_by(OccurrenceRow.due)
        ).scalars().first()
    assert moved is not None
    with serve(synced, builtin_catalog) as web, web.client(OTHER_LEAD) as malay:
        page = malay.get(f"/occurrence/{moved.id}").text
        assert "diminta menghantar “" in page and "selewat-lewatnya" in page
        assert "yang dikira sebagai bukti: " in page
        assert f"(dalam {(moved.due - TODAY).days} hari)" in page  # later than today
        assert "Perlu dibuat" in page and ">open<" not in page
        overdue = malay.get("/occurrence/S1-O1-v@2023").text  # due 2024-01-31
        assert "(14 hari tertunggak)" in overdue
        assert "hujung minggu di" in page or "cuti umum di" in page
        assert "the weekend in" not in page and "public holiday in" not in page


def test_a_form_error_keeps_the_values_and_names_the_files_to_attach_again(
        synced: Database, builtin_catalog: Catalog) -> None:
    people(synced)
    with serve(synced, builtin_catalog) as web, web.client(LEAD) as lead:
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        refused = lead.post(
            f"/occurrence/{OCCURRENCE}/evidence",
            data={"csrf": csrf, "value_1": "twelve", "sex_female": "7",
                  "done_on": "2024-01-20", "note": "Operasi Pintas, Johor Bahru",
                  "links": "https://example.gov.my/ops"},
            files=[("files", ("laporan-operasi.pdf", b"%PDF-1.4\n%%EOF\n",
                              "application/pdf")),
                   ("files", ("gambar.png", b"\x89PNG\r\n\x1a\n", "image/png"))])
        assert refused.status_code == 422
        page = refused.text
        assert 'id="error-value_1"' in page
        assert 'value="twelve"' in page and 'value="7"' in page
        assert 'value="2024-01-20"' in page and "Operasi Pintas, Johor Bahru" in page
        assert "https://example.gov.my/ops" in page
        again = page.split('id="attach-again">', 1)[1].split("</p>", 1)[0]
        assert "attach them again" in again
        assert "<strong>laporan-operasi.pdf</strong>" in again
        assert "<strong>gambar.png</strong>" in again
        with synced.reading() as session:
            assert session.execute(select(func.count()).select_from(Evidence)).scalar() == 0
        sent = lead.post(f"/occurrence/{OCCURRENCE}/evidence",
                         data={"csrf": csrf, "value_1": "12", "sex_female": "7",
                               "sex_male": "5"},
                         files={"files": ("laporan-operasi.pdf", b"%PDF-1.4\n%%EOF\n",
                                          "application/pdf")})
        assert sent.status_code == 303
        done = lead.get(f"/occurrence/{OCCURRENCE}").text
        assert '<span id="progress">Awaiting review</span>' in done
        assert "(awaiting review)" in done and 'id="attach-again"' not in done
