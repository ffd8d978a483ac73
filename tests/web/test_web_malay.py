"""Issue 21 item 6 over real HTTP: every refusal the portal shows is Malay on a Malay page
(and stays English on an English one), and every time is shown in Asia/Kuala_Lumpur.

Each refusal is driven as a person causes it (a form posted, a link used twice...), for a
Malay contact and an English one, on the same occurrence and committee."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from naptip.base.contact_types import ContactInfo, Role
from naptip.occurrences.materialise import sync
from naptip.occurrences.schedule import build_schedule
from naptip.people.contacts import ContactDirectory
from naptip.people.signin import issue_link
from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceService, Submission
from naptip.reports.narrative import save_narrative
from naptip.store.db import Database, open_database
from tests.web.test_refusals import leftover_english
from tests.web_support import LEAD, OCCURRENCE, REVIEWER, TODAY, form_csrf, people, serve

MS_LEAD = "siti@rmp.gov.my"  #: enforcement's other lead, who reads Malay
MS_REVIEWER = "hafiz@mapo.gov.my"
MEETING = "enforcement-meeting@2021-08-10"  #: enforcement's, asks for the minutes
WHO = {"ms": MS_LEAD, "en": LEAD}
REVIEWS = {"ms": MS_REVIEWER, "en": REVIEWER}


@pytest.fixture
def store(tmp_path: Path, builtin_catalog: Catalog) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'naptip.db'}", blobs=tmp_path / "blobs")
    sync(db, builtin_catalog, build_schedule(builtin_catalog))
    people(db)
    malay(db)
    yield db
    db.dispose()


def malay(db: Database) -> None:
    ContactDirectory(db).upsert([
        ContactInfo(name="Puan Siti Hajar", email=MS_LEAD, language="ms",
                    roles=(Role(role="lead", scope="enforcement"),)),
        ContactInfo(name="Encik Hafiz", email=MS_REVIEWER, language="ms",
                    roles=(Role(role="reviewer", scope="nso-mapo"),)),
    ], actor="test")


def error(page: str, element: str) -> str:
    """The text of the element with id ``element`` (markup inside kept)."""
    match = re.search(rf'id="{element}"[^>]*>(.*?)</p>', page, re.S)
    assert match, f"no {element} on the page:\n{page[-3000:]}"
    return match.group(1)


def check(page: str, element: str, language: str, english: str, malay: str) -> None:
    shown = error(page, element)
    if language == "en":
        assert english in html.unescape(shown), shown
        return
    assert malay in html.unescape(shown), shown
    assert english not in html.unescape(page), shown
    assert not leftover_english(shown), (shown, leftover_english(shown))


VALID = {"value_1": "3", "sex_female": "2", "sex_male": "1"}
FORM_REFUSALS = [  # (what is posted, the field, English, Malay)
    ({"value_1": "tiga"}, "error-value_1", "is not a whole number", "bukan nombor bulat"),
    ({"value_1": "-3"}, "error-value_1", "a count cannot be negative",
     "bilangan tidak boleh negatif"),
    ({"sex_female": "9"}, "error-sex", "adds up to 10, but indicator 1 counts 3",
     "Pecahan jantina berjumlah 10, tetapi petunjuk 1 mengira 3"),
    ({"nationality": "Myanmar"}, "error-nationality", "write one nationality a line",
     "Tulis satu kewarganegaraan sebaris"),
    ({"nationality": "Myanmar = dua"}, "error-nationality", "is not a whole number",
     "Pecahan kewarganegaraan (myanmar): 'dua' bukan nombor bulat"),
    ({"done_on": "30/07/2024"}, "error-done_on", "is not a date like 2024-07-30",
     "Tarikh kerja dilaksanakan bukan tarikh seperti 2024-07-30"),
    ({"done_on": "2024-03-01"}, "error-done_on",
     "the date done 2024-03-01 is in the future (today is 2024-02-14)",
     "Tarikh kerja dilaksanakan 2024-03-01 ialah tarikh pada masa hadapan "
     "(hari ini 2024-02-14)"),
    ({"done_on": "2020-12-31"}, "error-done_on", "is before the plan started",
     "lebih awal daripada tarikh pelan bermula (2021-01-01)"),
    ({"note": "Hubungi mangsa di 012-345 6789"}, "error-note",
     "evidence refused: found what looks like a phone number in the note (line 1)",
     "Bukti ditolak: ditemui sesuatu yang kelihatan seperti nombor telefon dalam catatan "
     "(baris 1). Data peribadi mangsa tidak boleh dimasukkan"),
    ({"note": "x" * 2001}, "error-note", "the note is longer than 2,000 characters",
     "Catatan melebihi 2,000 aksara"),
    ({"links": "ftp://example.gov.my/laporan"}, "error-links",
     "is not an http(s) address", "bukan alamat http(s)"),
]
FILE_REFUSALS = [  # (file name, content, English, Malay)
    ("pasang.exe", b"MZ\x90\x00" + b"\x00" * 64, "looks like a Windows program",
     "kelihatan seperti program Windows; hanya dokumen, imej dan teks diterima"),
    ("kosong.txt", b"", "is empty", "Fail 'kosong.txt' kosong"),
    ("senarai.txt", b"Pasport mangsa: A12345678\n",
     "found what looks like a passport number in file senarai.txt (line 1)",
     "nombor pasport dalam fail senarai.txt (baris 1)"),
]


@pytest.mark.parametrize("language", ["ms", "en"])
def test_the_evidence_forms_refusals_speak_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    with serve(store, builtin_catalog) as web, web.client(WHO[language]) as client:
        csrf = web.csrf(client, f"/occurrence/{OCCURRENCE}")
        for posted, field, english, malay_text in FORM_REFUSALS:
            page = client.post(f"/occurrence/{OCCURRENCE}/evidence",
                               data={"csrf": csrf, **VALID, **posted},
                               files={"files": ("", b"")})
            assert page.status_code == 422, (posted, page.text[-2000:])
            check(page.text, field, language, english, malay_text)
            check(page.text, "form-errors", language, "Please correct the fields",
                  "Sila betulkan medan")
        for name, content, english, malay_text in FILE_REFUSALS:
            page = client.post(f"/occurrence/{OCCURRENCE}/evidence",
                               data={"csrf": csrf, **VALID},
                               files={"files": (name, content, "application/octet-stream")})
            assert page.status_code == 422, (name, page.text[-2000:])
            check(page.text, "error-files", language, english, malay_text)


@pytest.mark.parametrize("language", ["ms", "en"])
def test_refused_forms_are_pages_in_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    with serve(store, builtin_catalog) as web, web.client(WHO[language]) as client:
        web.portal.service.blobs.max_bytes = 1024 * 1024
        csrf = web.csrf(client, f"/occurrence/{OCCURRENCE}")
        url = f"/occurrence/{OCCURRENCE}/evidence"
        big = client.post(url, data={"csrf": csrf, **VALID},
                          files={"files": ("besar.pdf", b"%PDF" + b"0" * 1_200_000)})
        assert big.status_code == 413
        check(big.text, "message", language, "file 'besar.pdf' is larger than the limit of 1 MB",
              "Fail 'besar.pdf' melebihi had 1 MB")
        assert ("<h1>Terlalu besar</h1>" if language == "ms" else "<h1>Too large</h1>") \
            in big.text
        assert ("Tiada apa-apa yang disimpan." if language == "ms"
                else "Nothing was stored.") in big.text
        many = client.post(url, data={"csrf": csrf, **VALID},
                           files=[("files", (f"{n}.txt", b"x")) for n in range(11)])
        assert many.status_code == 413
        check(many.text, "message", language, "at most 10 files at once",
              "Paling banyak 10 fail pada satu masa")
        plain = client.post(url, data={"csrf": csrf, **VALID})  # not multipart
        assert plain.status_code == 400
        check(plain.text, "message", language, "the form must be sent as multipart/form-data",
              "Borang mesti dihantar sebagai multipart/form-data")
        assert ("<h1>Ditolak</h1>" if language == "ms" else "<h1>Refused</h1>") in plain.text
        forged = client.post(url, data={"csrf": "forged", **VALID}, files={"files": ("", b"")})
        assert forged.status_code == 403
        check(forged.text, "message", language, "This form has expired",
              "Borang ini telah tamat tempoh")
        missing = client.get("/occurrence/no-such-thing")
        assert missing.status_code == 404
        assert ("<h1>Tidak dijumpai</h1>" if language == "ms"
                else "<h1>Not found</h1>") in missing.text
        sent = client.post(url, data={"csrf": csrf, **VALID}, files={"files": ("", b"")})
        assert sent.status_code == 303
        again = client.post(url, data={"csrf": csrf, **VALID}, files={"files": ("", b"")})
        assert again.status_code == 422
        check(again.text, "error-form", language,
              f"occurrence {OCCURRENCE} has evidence #1 awaiting review",
              f"Kejadian {OCCURRENCE} mempunyai bukti #1 yang menunggu semakan")


def submitted(store: Database, catalog: Catalog, actor: str = LEAD) -> int:
    return EvidenceService(store, catalog).submit(
        Submission(occurrence_id=OCCURRENCE, actor=actor, values={"1": "3"},
                   breakdown={"sex": {"female": "3"}}), today=TODAY,
        now=datetime(2024, 2, 13, 17, 30, tzinfo=UTC))


@pytest.mark.parametrize("language", ["ms", "en"])
def test_a_reviewers_refusals_speak_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    evidence = submitted(store, builtin_catalog)
    with serve(store, builtin_catalog) as web, web.client(REVIEWS[language]) as client:
        url = f"/evidence/{evidence}/review"
        csrf = web.csrf(client, f"/evidence/{evidence}")
        bare = client.post(url, data={"csrf": csrf, "decision": "return", "reason": ""})
        assert bare.status_code == 422
        check(bare.text, "error-reason", language, "returning evidence needs a reason",
              "Bukti yang dikembalikan memerlukan sebab")
        personal = client.post(url, data={"csrf": csrf, "decision": "return",
                                          "reason": "Semak MyKad 850101-14-5566"})
        check(personal.text, "error-reason", language,
              "found what looks like a MyKad number in the reason",
              "nombor MyKad dalam sebab (baris 1)")
        accepted = client.post(url, data={"csrf": csrf, "decision": "accept"},
                               follow_redirects=True)
        assert accepted.status_code == 200
        assert (">diterima</span>" if language == "ms" else ">accepted</span>") \
            in accepted.text
        twice = client.post(url, data={"csrf": csrf, "decision": "accept"})
        assert twice.status_code == 422
        name = REVIEWS[language]  # the portal reviews as the signed-in e-mail
        check(twice.text, "error-form", language, f"was already accepted by {name} on",
              f"Bukti #{evidence} telah pun diterima oleh {name} pada")


@pytest.mark.parametrize("language", ["ms", "en"])
def test_own_evidence_is_refused_in_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    evidence = submitted(store, builtin_catalog, actor=REVIEWS[language])
    with serve(store, builtin_catalog) as web, web.client(REVIEWS[language]) as client:
        page = client.get(f"/evidence/{evidence}").text
        own = ("Anda yang menghantar bukti ini" if language == "ms"
               else "You submitted this evidence")
        assert own in page
        refused = client.post(f"/evidence/{evidence}/review",
                              data={"csrf": form_csrf(page), "decision": "accept"})
        assert refused.status_code == 422
        check(refused.text, "error-form", language, "You submitted this evidence",
              "Anda yang menghantar bukti ini")


@pytest.mark.parametrize("language", ["ms", "en"])
def test_a_narratives_refusals_speak_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    with serve(store, builtin_catalog) as web, web.client(WHO[language]) as client:
        url = "/committee/enforcement/narrative"
        csrf = web.csrf(client, "/committee/enforcement")
        form = {"csrf": csrf, "report": "2023", "gaps": "", "challenges": "",
                "adjustments": "", "actions": ""}
        personal = client.post(url, data={**form, "gaps": "Telefon mangsa 012-345 6789"})
        assert personal.status_code == 422
        check(personal.text, "error-narrative", language,
              "narrative refused: found what looks like a phone number in the gaps part",
              "Naratif ditolak: ditemui sesuatu yang kelihatan seperti nombor telefon dalam "
              "bahagian Jurang (baris 1)")
        empty = client.post(url, data=form)
        check(empty.text, "error-narrative", language,
              "nothing to say: fill in at least one part",
              "Tiada apa-apa untuk disimpan: isi sekurang-kurangnya satu bahagian")
        long = client.post(url, data={**form, "actions": "x" * 4001})
        check(long.text, "error-narrative", language,
              "the corrective actions part is 4,001 characters long: at most 4,000",
              "Bahagian Tindakan pembetulan mempunyai 4,001 aksara: paling banyak 4,000")
        outside = client.post(url, data={**form, "report": "2031", "gaps": "x"})
        check(outside.text, "error-report", language, "Choose a plan year",
              "Pilih tahun pelan atau laporan akhir.")


@pytest.mark.parametrize("language", ["ms", "en"])
def test_sign_in_refusals_speak_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    """Before there is a session, the sign-in page and its refusals speak the language of
    the contact the link was sent to; an unknown link, the browser's chosen language."""
    cookies = {"naptip_lang": "ms"} if language == "ms" else {}
    with serve(store, builtin_catalog) as web:
        token = web.link(WHO[language]).rsplit("/", 1)[1]
        expired = issue_link(store, WHO[language], ttl=timedelta(seconds=-1), actor="test")
        with httpx.Client(base_url=web.url) as client:  # a fresh browser: no choice made
            page = client.get(f"/signin/{token}").text
            assert f'<html lang="{language}">' in page
            assert ("Teruskan ke portal" if language == "ms"
                    else "Continue to the portal") in page
            assert web.sign_in(client, token).status_code == 303
            client.cookies.delete("naptip_session")
            used = web.sign_in(client, token)
            assert used.status_code == 403
            check(used.text, "message", language, "this sign-in link was already used",
                  "Pautan log masuk ini telah digunakan")
            assert ("Buka pautan peribadi" if language == "ms" else "Open the personal link") \
                in used.text
            old = web.sign_in(client, expired)
            check(old.text, "message", language, "this sign-in link has expired",
                  "Pautan log masuk ini telah tamat tempoh")
        with httpx.Client(base_url=web.url, cookies=cookies) as client:
            wrong = web.sign_in(client, "not-a-token")  # nobody's: the browser's choice
            check(wrong.text, "message", language, "this sign-in link is not valid",
                  "Pautan log masuk ini tidak sah")
            # a forged post may carry someone else's link: the browser's choice, not theirs
            forged = client.post("/signin", data={"token": token, "csrf": "forged"})
            assert forged.status_code == 403
            check(forged.text, "message", language, "did not come from the portal",
                  "tidak datang dari halaman log masuk portal")
            out = client.get("/work")
            assert out.status_code == 401
            check(out.text, "message", language, "You are signed out.",
                  "Anda telah log keluar.")
    with serve(store, builtin_catalog, signin_per_minute=1) as web, \
            httpx.Client(base_url=web.url, cookies=cookies) as client:
        web.sign_in(client, "first")
        limited = client.post("/signin", data={"token": "second", "csrf": "x"})
        assert limited.status_code == 429
        check(limited.text, "message", language, "Too many sign-in attempts",
              "Terlalu banyak cubaan log masuk")


def test_a_chosen_language_wins_over_the_links_owners(
        store: Database, builtin_catalog: Catalog) -> None:
    with serve(store, builtin_catalog) as web, \
            httpx.Client(base_url=web.url, cookies={"naptip_lang": "en"}) as client:
        page = client.get(web.link(MS_LEAD).replace(web.url, "")).text
        assert '<html lang="en">' in page and "Continue to the portal" in page


@pytest.mark.parametrize("language", ["ms", "en"])
def test_the_calendars_page_names_committees_in_the_readers_language(
        store: Database, builtin_catalog: Catalog, language: str) -> None:
    committee = builtin_catalog.committees["enforcement"]
    with serve(store, builtin_catalog) as web, web.client(WHO[language]) as client:
        page = html.unescape(client.get("/calendars").text)
    shown, hidden = ((committee.name_ms, committee.name) if language == "ms"
                     else (committee.name, committee.name_ms))
    assert f"<li>{shown}: " in page and hidden not in page


def test_why_a_date_moved_is_said_in_the_readers_language(
        store: Database, builtin_catalog: Catalog) -> None:
    """2021-08-10 was Awal Muharam (Islamic New Year): the meeting moved to the next day."""
    with serve(store, builtin_catalog) as web:
        with web.client(MS_LEAD) as client:
            moved = client.get(f"/occurrence/{MEETING}").text
            kept = client.get(f"/occurrence/{OCCURRENCE}").text
        assert "2021-08-10 (Awal Muharam (cuti umum di Wilayah Persekutuan Putrajaya))" in moved
        assert "Islamic New Year" not in moved
        assert "hari bekerja di Wilayah Persekutuan Putrajaya)" in kept
        ask = kept.split('<p id="ask" class="ask">', 1)[1].split("</p>", 1)[0]
        assert ask.startswith("Jawatankuasa Penguatkuasaan diminta menghantar “<span "
                              'lang="en">Progress report 2023: ')
        assert 'bukti: <span lang="en">Number of law enforcement officers' in ask
        assert not leftover_english(ask)
        with web.client(LEAD) as client:
            moved = client.get(f"/occurrence/{MEETING}").text
        assert "Islamic New Year (public holiday in Wilayah Persekutuan Putrajaya)" in moved


# --- times --------------------------------------------------------------------------

SUBMITTED = datetime(2024, 2, 13, 17, 30, tzinfo=UTC)  #: 2024-02-14 01:30 in Malaysia
REVIEWED = datetime(2024, 2, 13, 17, 45, tzinfo=UTC)


def test_every_time_on_a_page_is_malaysian_time(synced: Database, builtin_catalog: Catalog,
                                                tmp_path: Path) -> None:
    """A UTC instant just before midnight is shown on the next day, in MYT, on every page
    that shows a time, on each backend."""
    people(synced)
    malay(synced)
    service = EvidenceService(synced, builtin_catalog)
    accepted = submitted(synced, builtin_catalog)
    service.review(accepted, accept=True, reason=None, actor=REVIEWER, now=REVIEWED)
    minutes = tmp_path / "minit.txt"
    minutes.write_text("Minit mesyuarat penguatkuasaan\n", encoding="utf-8")
    pending = service.submit(Submission(occurrence_id=MEETING, actor=LEAD,
                                        files=[str(minutes)]), today=TODAY, now=SUBMITTED)
    save_narrative(synced, committee="enforcement", kind="annual", year=2023,
                   parts={"gaps": "Latihan pegawai"}, actor="ACP Lim Wei", now=SUBMITTED)
    with serve(synced, builtin_catalog) as web:
        for who in (LEAD, MS_LEAD):
            with web.client(who) as client:
                pages = {path: client.get(path).text for path in (
                    f"/evidence/{accepted}", f"/occurrence/{OCCURRENCE}",
                    "/committee/enforcement")}
                assert "2024-02-14 01:30 MYT" in pages[f"/evidence/{accepted}"]  # submitted
                assert "2024-02-14 01:45 MYT" in pages[f"/evidence/{accepted}"]  # reviewed
                assert "2024-02-14 01:30 MYT" in pages[f"/occurrence/{OCCURRENCE}"]
                assert "2024-02-14 01:30 MYT" in pages["/committee/enforcement"]
                if who == MS_LEAD:  # the plan's words stay English, and say so
                    assert '<li>1. <span lang="en">Number of law enforcement' in pages[
                        f"/evidence/{accepted}"]
                for path, page in pages.items():
                    assert "17:30" not in page and "17:45" not in page, path
                    assert "2024-02-13" not in page, path
        with web.client(MS_REVIEWER) as client:
            queue = client.get("/review").text
            assert f"/evidence/{pending}" in queue and "2024-02-14 01:30 MYT" in queue
            assert "17:30" not in queue and "2024-02-13" not in queue
            csrf = web.csrf(client, f"/evidence/{pending}")
            twice = client.post(f"/evidence/{accepted}/review",
                                data={"csrf": csrf, "decision": "accept"})
            assert "pada 2024-02-14 01:45 MYT" in error(twice.text, "error-form")
