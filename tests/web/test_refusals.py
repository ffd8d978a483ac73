"""Every refusal the core and the portal can put on a page, in Malay: the messages are
made by the real functions (so that a changed English message shows up here), and each
must come out wholly in Malay, the plan's own words and what a plugin says marked
``lang="en"``; an unknown message falls back to a Malay lead-in and the whole original."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from naptip.base.model import IndicatorKind
from naptip.base.values import EvidenceError, check_day, parse_value
from naptip.store.blobs import BlobStore, check_name, sniff
from naptip.store.personal_data import refusal as guard_refusal
from naptip.store.personal_data import scan
from naptip.web.forms import plain
from naptip.web.refusals import LEAD_IN, english, known, refusal

WHERE = "indicator 1 (Number of TIP cases investigated (by police): all states)"
TODAY = date(2024, 2, 14)
START = date(2021, 1, 1)

#: words that must not be left on a Malay page outside what is marked English or quoted
ENGLISH = {"the", "is", "not", "a", "an", "of", "and", "or", "must", "needs", "at", "most",
           "refused", "evidence", "found", "looks", "like", "file", "files", "indicator",
           "link", "note", "text", "date", "before", "future", "today", "only", "with",
           "sign", "expired", "used", "valid", "review", "reason", "breakdown", "count",
           "amount", "percentage", "answer", "yes", "no", "when", "give", "than", "more",
           "characters", "long", "large", "limit", "empty", "damaged", "encrypted",
           "attach", "submit", "again", "personal", "remove", "victims", "name",
           "plan", "started", "part", "nothing", "say", "fill", "least", "one", "by",
           "already", "accepted", "returned", "may", "contacts", "role", "form", "field",
           "too", "many", "write", "line", "type", "recognised", "accepted:", "as"}


def raised(call: Callable[[], object]) -> str:
    with pytest.raises(EvidenceError) as caught:
        call()
    return str(caught.value)


def leftover_english(shown: str) -> set[str]:
    """English words on the page: markup, parts marked English and quoted values aside."""
    text = re.sub(r'<span lang="en">.*?</span>', " ", shown, flags=re.S)
    text = text.replace("multipart/form-data", " ")
    text = re.sub(r"&#39;.*?&#39;|'[^']*'|\"[^\"]*\"|&#34;.*?&#34;", " ", text)
    return {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH}


def value(kind: IndicatorKind, raw: str, done_on: date | None = None) -> str:
    return raised(lambda: parse_value(kind, raw, WHERE, done_on=done_on, earliest=START,
                                      latest=TODAY))


def core_messages(tmp_path: Path) -> dict[str, str]:
    """The core's refusals a portal page can show, made by the core itself."""
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF" + b"0" * 3 * 1024 * 1024)
    findings = (scan("Hubungi 012-345 6789", "the note")
                + scan("850101-14-5566", "indicator 2")
                + scan("passport A12345678", "file laporan.txt: minit/hari1.txt")
                + scan("+44 20 7946 0958", "the sex breakdown")
                + scan("012-345 6789", "a file name in pek.zip")
                + scan("012-345 6789", "link 2"))
    return {
        "negative": value(IndicatorKind.COUNT, "-3"),
        "not whole": value(IndicatorKind.COUNT, "tiga: 3"),
        "count limit": value(IndicatorKind.COUNT, "9" * 14),
        "not amount": value(IndicatorKind.AMOUNT, "banyak"),
        "amount limit": value(IndicatorKind.AMOUNT, "9" * 16),
        "decimals": value(IndicatorKind.AMOUNT, "12.345"),
        "not percentage": value(IndicatorKind.PERCENTAGE, "separuh"),
        "percentage range": value(IndicatorKind.PERCENTAGE, "120"),
        "yes or no": value(IndicatorKind.MILESTONE, "mungkin"),
        "milestone date": value(IndicatorKind.MILESTONE, "yes@30/07/2024"),
        "milestone no": value(IndicatorKind.MILESTONE, "no"),
        "milestone when": value(IndicatorKind.MILESTONE, "yes"),
        "milestone future": value(IndicatorKind.MILESTONE, "yes@2024-03-01"),
        "empty text": value(IndicatorKind.NARRATIVE, " "),
        "long text": value(IndicatorKind.NARRATIVE, "x" * 20_001),
        "future": raised(lambda: check_day(date(2024, 3, 1), "--done-on", earliest=START,
                                           latest=TODAY)),
        "before plan": raised(lambda: check_day(date(2020, 12, 1), "--done-on",
                                                earliest=START, latest=TODAY)),
        "personal data": guard_refusal(findings),
        "personal data, more": guard_refusal(findings * 2),
        "narrative personal data": guard_refusal(scan("012-345 6789", "--gaps"),
                                                 "narrative refused"),
        "reason personal data": guard_refusal(scan("850101-14-5566", "the reason")),
        "program": raised(lambda: sniff(b"MZ\x90\x00", "setup.exe")),
        "script": raised(lambda: sniff(b"#!/bin/sh\n", "run.sh")),
        "unknown type": raised(lambda: sniff(b"\xff\xfe\x00\x81" * 8, "data.bin")),
        "not plain name": raised(lambda: check_name("../etc/passwd")),
        "control name": raised(lambda: check_name("a\nb.txt")),
        "empty file": raised(lambda: BlobStore(tmp_path).check_path(str(empty))),
        "too big file": raised(lambda: BlobStore(tmp_path, max_bytes=1024 * 1024)
                               .check_path(str(big), "laporan besar.pdf")),
    }


#: the rest, as the core words them (they need a store or a plugin to be raised)
SERVICE_MESSAGES = {
    "done": "occurrence S19-O1-viii@2023 is already done: its evidence was accepted",
    "awaiting": "occurrence S19-O1-viii@2023 has evidence #4 awaiting review; it must be "
                "reviewed before new evidence is submitted",
    "withdrawn": "occurrence S19-O1-viii@2023 was withdrawn from the plan",
    "nil only": "--nil is only for yearly returns of on-demand activities (occurrences of "
                "kind nil-return)",
    "nil alone": "--nil means no such work this year: give no values or files with it",
    "indicator key": f"indicator '7': this occurrence has 1 indicator(s): 1: {WHERE[13:-1]}",
    "deliverable": "indicator 2 (Report of the event): a deliverable needs at least one "
                   "document (--file PATH)",
    "deliverables": "a deliverable needs at least one document (--file): indicator 1 "
                    "(Minutes or report of the meeting); 3 (Annual report)",
    "value needed": f"{WHERE}: a value is needed (--value 1=...)",
    "no people": "this occurrence has no indicator that counts people: --sex, --nationality "
                 "and --age do not apply",
    "sex category": "--sex 'lain': use one of female, male, unknown",
    "short category": "--nationality: a category needs a short name",
    "adds up": "--sex adds up to 9, but indicator 1 counts 3",
    "sex count": "--sex female: 'dua' is not a whole number",
    "link": "link 'ftp://example.gov.my' is not an http(s) address",
    "long note": "the note is longer than 2,000 characters: keep it short (attach a "
                 "document for more, with no personal data)",
    "file names": "each file needs its name",
    "plugin": "evidence refused by plugin 'jim': the operation code must start with OP-",
    "not checked": "evidence not checked: plugin 'jim' failed: KeyError 'x'",
    "archive in archive": "file 'pek.zip: dalam.zip' is an archive inside an archive: its "
                          "contents cannot be checked for personal data; attach the "
                          "documents themselves",
    "damaged": "file 'minit.docx' is damaged: it is not a readable office document, so it "
               "cannot be checked for personal data; save it again and attach the new copy",
    "members": "file 'pek.zip' holds 2,001 files; at most 2,000 can be checked for personal "
               "data",
    "encrypted zip": "file 'pek.zip' is encrypted ('a.txt'): its text cannot be checked for "
                     "personal data; attach it unencrypted",
    "encrypted pdf": "file 'a.pdf' is an encrypted PDF: its text cannot be checked for "
                     "personal data; attach it unencrypted",
    "text budget": "file 'a.txt' holds more than 8 MB of text: too much to check for "
                   "personal data; split it into smaller documents",
    "total budget": "file 'b.txt': the files of one submission may hold at most 16 MB of "
                    "text to check for personal data; submit fewer or smaller documents",
    "slow": "file 'a.pdf' took longer than 20 s to check for personal data; split it into "
            "smaller documents",
    "upload limit": "file 'laporan.pdf' is larger than the limit of 25 MB",
    "upload files": "at most 10 files at once",
    "upload fields": "too many form fields",
    "upload field": "field 'note' is too long",
    "form part": "a form part has no name",
    "not multipart": "the form must be sent as multipart/form-data",
    "unreadable form": "the form could not be read: Did not find boundary character",
    "nationality line": "write one nationality a line, as Nationality = count",
    "done_on": "the date the work was done is not a date like 2024-07-30",
    "reason": "returning evidence needs a reason (--return REASON)",
    "already": "evidence #3 was already accepted by Encik Razak on 2024-02-14 01:30 MYT",
    "self review": "self-review refused: 'razak@mapo.gov.my' submitted this evidence (as "
                   "'Encik Razak'); another person must review it (--as NAME)",
    "not reviewer": "'lead@rmp.gov.my' may not review evidence: only contacts with a "
                    "reviewer or secretariat role, or a role on the Monitoring and "
                    "Evaluation Committee, may",
    "narrative long": "--gaps is 4,001 characters long: at most 4,000",
    "narrative empty": "nothing to say: give at least one of --gaps, --challenges, "
                       "--adjustments, --actions",
    "link invalid": "this sign-in link is not valid",
    "link used": "this sign-in link was already used",
    "link expired": "this sign-in link has expired",
}


def all_messages(tmp_path: Path) -> dict[str, str]:
    return {**core_messages(tmp_path), **SERVICE_MESSAGES}


def test_every_refusal_is_wholly_malay_on_a_malay_page(tmp_path: Path) -> None:
    for name, message in all_messages(tmp_path).items():
        shown = refusal(message, "ms")
        assert known(message), (name, english(message))
        assert not leftover_english(shown), (name, str(shown), leftover_english(shown))
        assert shown[:1].isupper() or shown[:1] in "'\"&#<", (name, shown)


def test_an_english_page_shows_the_message_without_command_line_hints(
        tmp_path: Path) -> None:
    for name, message in all_messages(tmp_path).items():
        shown = refusal(message, "en")
        assert "--" not in shown.replace("2024-", "").replace("YYYY-MM-DD", ""), (name, shown)
        assert "naptip contacts" not in shown and "<span" not in shown


@pytest.mark.parametrize(("message", "malay"), [
    (f"{WHERE}: 'tiga: 3' is not a whole number",
     'Petunjuk 1 (<span lang="en">Number of TIP cases investigated (by police): all states'
     "</span>): &#39;tiga: 3&#39; bukan nombor bulat"),
    ("--done-on 2024-03-01 is in the future (today is 2024-02-14)",
     "Tarikh kerja dilaksanakan 2024-03-01 ialah tarikh pada masa hadapan "
     "(hari ini 2024-02-14)"),
    ("--sex adds up to 9, but indicator 1 counts 3",
     "Pecahan jantina berjumlah 9, tetapi petunjuk 1 mengira 3"),
    ("file 'laporan besar.pdf' is 3 MB; the limit is 1 MB",
     "Fail &#39;laporan besar.pdf&#39; bersaiz 3 MB; hadnya ialah 1 MB"),
    ("evidence refused: found what looks like a phone number in the note (line 1). "
     "Victims' personal data must not enter naptip (NAPTIP 3.0, S24): remove it and "
     "submit again",
     "Bukti ditolak: ditemui sesuatu yang kelihatan seperti nombor telefon dalam catatan "
     "(baris 1). Data peribadi mangsa tidak boleh dimasukkan ke dalam naptip (NAPTIP 3.0, "
     "S24): buang data itu dan hantar semula"),
    ("evidence refused by plugin 'jim': <b>OP-</b> codes only",
     "Bukti ditolak oleh pemalam &#39;jim&#39;: <span lang=\"en\">&lt;b&gt;OP-&lt;/b&gt; "
     "codes only</span>"),
])
def test_values_are_kept_escaped_and_english_parts_marked(message: str, malay: str) -> None:
    assert str(refusal(message, "ms")) == malay


def test_an_unknown_message_is_never_half_translated() -> None:
    for message in ("the moon is <made> of cheese",
                    # a known shape around an unknown part: not "Petunjuk ... bukan ..."
                    "somewhere odd: 'x' is not a whole number",
                    "evidence refused: found what looks like a fingerprint in the note "
                    "(line 1). Victims' personal data must not enter naptip (NAPTIP 3.0, "
                    "S24): remove it and submit again"):
        shown = str(refusal(message, "ms"))
        assert shown.startswith(LEAD_IN + ' <span lang="en">'), shown
        assert shown.endswith("</span>")
        assert "&lt;made&gt;" in shown or "<made>" not in message
    assert str(refusal("the moon is <made> of cheese", "en")) == (
        "the moon is &lt;made&gt; of cheese")


def test_the_english_page_keeps_the_cores_words_but_not_its_options() -> None:
    assert english("--gaps is 4,001 characters long: at most 4,000") == (
        "the gaps part is 4,001 characters long: at most 4,000")
    assert english("nothing to say: give at least one of --gaps, --challenges, "
                   "--adjustments, --actions") == "nothing to say: fill in at least one part"
    assert english("--sex adds up to 9, but indicator 1 counts 3") == plain(
        "--sex adds up to 9, but indicator 1 counts 3")
