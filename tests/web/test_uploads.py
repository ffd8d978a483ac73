"""Uploads the guard must read or refuse (issue 17, §4): damaged office documents, text
bombs, plain ZIP archives, and the uploaded file's own name in every refusal. Through the
CLI and the portal over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import itertools
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceError, EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.doc_text import MAX_FILE_TEXT, MAX_TEXT, TextBudget
from naptip.store.orm import Attachment
from tests.conftest import db_env
from tests.progress.test_evidence import snapshot
from tests.web_support import LEAD, OCCURRENCE, TODAY, people, serve

Run = Callable[..., Result]
DELIVERABLE = "S11-O1-ii@deliverable"  #: asks for a document
DOCX = "word/document.xml"


def docx(path: Path, body: str, *, stored: bool = False) -> Path:
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(DOCX, f'<w:document xmlns:w="x"><w:body>{body}</w:body></w:document>')
    return path


def damaged(path: Path) -> Path:
    """A .docx whose document part no longer matches its CRC (one byte changed)."""
    docx(path, "<w:p><w:t>Laporan latihan pegawai penguat kuasa</w:t></w:p>", stored=True)
    data = bytearray(path.read_bytes())
    at = data.index(b"Laporan")
    data[at] = ord("l")
    path.write_bytes(bytes(data))
    return path


def bomb(path: Path, megabytes: int) -> Path:
    """A small .docx holding ``megabytes`` MB of XML (it compresses a thousandfold)."""
    unit = "<w:p><w:r><w:t>Laporan latihan 2023 bahagian 12 jumlah 45</w:t></w:r></w:p>"
    return docx(path, unit * (megabytes * 1024 * 1024 // len(unit)))


def archive(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def env_of(db: Database) -> dict[str, str]:
    return {**db_env(db), "NAPTIP_AS_OF": TODAY.isoformat()}


def submit_cli(run: Run, db: Database, *files: Path) -> Result:
    args = list(itertools.chain.from_iterable(("--file", str(f)) for f in files))
    return run("evidence", "submit", DELIVERABLE, *args, "--as", "nso", env=env_of(db))


def one_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert "unexpected" not in result.stderr and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_damaged_docx_is_one_clear_refusal(synced: Database, run: Run,
                                             tmp_path: Path) -> None:
    bad = damaged(tmp_path / "laporan.docx")
    with pytest.raises(zipfile.BadZipFile, match="Bad CRC-32"):  # what the CLI once showed
        zipfile.ZipFile(bad).read(DOCX)
    before = snapshot(synced)
    line = one_line(submit_cli(run, synced, bad))
    assert "file 'laporan.docx' is damaged" in line and "save it again" in line
    assert snapshot(synced) == before


def test_a_text_bomb_is_refused_quickly(synced: Database, run: Run, tmp_path: Path) -> None:
    big = bomb(tmp_path / "besar.docx", 48)
    assert big.stat().st_size < 400_000
    before = snapshot(synced)
    started = time.monotonic()
    line = one_line(submit_cli(run, synced, big))
    assert time.monotonic() - started < 10  # was ~20 s: the whole 48 MB was scanned
    assert f"file 'besar.docx' holds more than {MAX_FILE_TEXT // 2**20} MB of text" in line
    assert snapshot(synced) == before


def test_text_is_bounded_per_submission_and_time_per_file(
        synced: Database, builtin_catalog: Catalog, run: Run, tmp_path: Path) -> None:
    share = MAX_FILE_TEXT // 2**20 - 1  # each file under the per-file bound
    parts = [bomb(tmp_path / f"bahagian-{n}.docx", share)
             for n in range(MAX_TEXT // 2**20 // share + 1)]
    line = one_line(submit_cli(run, synced, *parts))
    assert f"may hold at most {MAX_TEXT // 2**20} MB of text" in line
    assert f"file '{parts[-1].name}'" in line

    ticks = itertools.count()

    class SlowClock(EvidenceService):  # each look at the clock: one more second
        def text_budget(self) -> TextBudget:
            return TextBudget(clock=lambda: float(next(ticks)))

    slow = bomb(tmp_path / "perlahan.docx", 1)
    before = snapshot(synced)
    with pytest.raises(EvidenceError, match=r"file 'perlahan.docx' took longer than 5 s"):
        SlowClock(synced, builtin_catalog).submit(
            Submission(occurrence_id=DELIVERABLE, actor="nso", files=[str(slow)]),
            today=TODAY)
    assert snapshot(synced) == before
    fine = EvidenceService(synced, builtin_catalog).submit(
        Submission(occurrence_id=DELIVERABLE, actor="nso", files=[str(slow)]), today=TODAY)
    assert fine == 1


def test_a_zip_archive_has_its_members_checked(synced: Database, run: Run,
                                               tmp_path: Path) -> None:
    inner = docx(tmp_path / "inner.docx", "<w:p><w:t>Mangsa A12345678</w:t></w:p>")
    cases = {
        "senarai.zip": ({"nota/senarai.txt": b"Mangsa: 900101-14-5678\n"},
                        "a MyKad number in file senarai.zip: nota/senarai.txt (line 1)"),
        "laporan.zip": ({"laporan.docx": inner.read_bytes()},
                        "a passport number in file laporan.zip: laporan.docx"),
        "nama.zip": ({"0123456789 Siti.txt": b"ok\n"},
                     "a phone number in a file name in nama.zip"),
        "dalam.zip": ({"lagi.zip": archive(tmp_path / "lagi.zip",
                                           {"a.txt": b"ok"}).read_bytes()},
                      "'dalam.zip: lagi.zip' is an archive inside an archive"),
        "program.zip": ({"setup.exe": b"MZ\x90\x00" + b"\x00" * 60},
                        "'program.zip: setup.exe': looks like a Windows program"),
    }
    before = snapshot(synced)
    for name, (members, message) in cases.items():
        line = one_line(submit_cli(run, synced, archive(tmp_path / name, members)))
        assert message in line, (name, line)
    assert snapshot(synced) == before
    clean = archive(tmp_path / "gambar.zip", {
        "ringkasan.txt": b"Latihan untuk 30 pegawai\n",
        "foto/hari-1.png": b"\x89PNG\r\n\x1a\n" + bytes(200),
        # what macOS's Finder adds: binary metadata, not refused as an unknown type
        "__MACOSX/._ringkasan.txt": b"\x00\x05\x16\x07\x00\x02\x00\x00" + bytes(80),
        "foto/.DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(80)})
    ok = submit_cli(run, synced, clean)
    assert ok.exit_code == 0, ok.output
    with synced.reading() as session:
        stored = session.execute(select(Attachment)).scalar_one()
        assert (stored.original_name, stored.media_type) == ("gambar.zip", "application/zip")


@pytest.fixture
def portal_store(synced: Database) -> Iterator[Database]:
    people(synced)
    yield synced


def post_files(lead: object, csrf: str, files: list[tuple[str, tuple[str, bytes]]]) -> object:
    import httpx

    assert isinstance(lead, httpx.Client)
    return lead.post(f"/occurrence/{OCCURRENCE}/evidence", files=files,
                     data={"csrf": csrf, "value_1": "3", "sex_female": "2", "sex_male": "1"})


def test_the_portal_refuses_beside_the_files_field_naming_the_upload(
        portal_store: Database, builtin_catalog: Catalog, tmp_path: Path) -> None:
    import httpx

    bad = damaged(tmp_path / "x.docx").read_bytes()
    big = bomb(tmp_path / "y.docx", 48).read_bytes()
    before = snapshot(portal_store)
    with serve(portal_store, builtin_catalog) as web, web.client(LEAD) as lead:
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        for files, message in (
                ([("files", ("laporan rosak.docx", bad))], "file 'laporan rosak.docx' is damaged"),
                ([("files", ("kosong.txt", b""))], "file 'kosong.txt' is empty"),
                ([("files", ("senarai.zip", archive(tmp_path / "s.zip", {
                    "a.txt": b"IC 900101-14-5678"}).read_bytes()))],
                 "a MyKad number in file senarai.zip: a.txt")):
            refused = post_files(lead, csrf, files)
            assert isinstance(refused, httpx.Response)
            assert refused.status_code == 422, refused.text
            page = html.unescape(refused.text)
            assert 'id="error-files"' in page and message in page, page
            assert "file '0'" not in page and "file 0" not in page
        started = time.monotonic()  # ten bombs in one request: refused within the bound
        refused = post_files(lead, csrf, [("files", (f"besar-{n}.docx", big))
                                          for n in range(10)])
        assert isinstance(refused, httpx.Response) and refused.status_code == 422
        assert time.monotonic() - started < 15
        assert "file 'besar-0.docx' holds more than" in html.unescape(refused.text)
    after = snapshot(portal_store)  # the audit log has the sign-in; nothing else changed
    assert after[:3] + after[4:] == before[:3] + before[4:]


def test_an_uploaded_name_with_quotes_is_kept_as_named(
        portal_store: Database, builtin_catalog: Catalog) -> None:
    name = 'Laporan "akhir" 2023.txt'
    with serve(portal_store, builtin_catalog) as web, web.client(LEAD) as lead:
        csrf = web.csrf(lead, f"/occurrence/{OCCURRENCE}")
        sent = post_files(lead, csrf, [("files", (name, b"Latihan 30 pegawai\n"))])
        assert sent.status_code == 303, sent.text  # type: ignore[attr-defined]
        assert name in html.unescape(lead.get("/evidence/1").text)
        download = lead.get("/evidence/1/files/1")
        assert "akhir" in download.headers["content-disposition"]
    with portal_store.reading() as session:
        assert session.execute(select(Attachment.original_name)).scalar_one() == name
