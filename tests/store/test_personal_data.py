"""The personal-data guard (issue 8, §5): what it missed, what it wrongly refused, and the
text inside Word, Excel and PDF attachments."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from naptip.plan.catalog import Catalog
from naptip.progress.evidence import EvidenceError, EvidenceService, Submission
from naptip.store.db import Database
from naptip.store.personal_data import official_numbers, scan
from tests.progress.test_evidence import snapshot

TODAY = date(2024, 3, 1)


@pytest.mark.parametrize(("text", "what"), [
    ("Officer 850101.14.5678 attended", "a MyKad number"),
    ("850101 14 5678", "a MyKad number"),
    ("No. pasport: A 1234567", "a passport number"),
    ("passport no AB1234567", "a passport number"),
    ("A12345678", "a passport number"),
    ("call 012.345.6789", "a phone number"),
    ("(03) 2161-2000", "a phone number"),
    ("+60 12-345 6789", "a phone number"),
])
def test_misses_are_found(text: str, what: str) -> None:
    assert [f.what for f in scan(text, "the note")] == [what]


@pytest.mark.parametrize("text", [
    "The ATIP hotline 03-8886 3000 was advertised on radio",
    "Hotline (03) 8886-3000 and +60 3 8886 3000",
    "Budget code AB123456 for 2023; vote B12345678X",
    "KDN Tel: (03) 8880 8854",
    "RM 1,250,000.50 for S9-O2-i-a in 2023-01-31",
])
def test_official_numbers_and_codes_pass(text: str) -> None:
    assert scan(text, "the note") == []


def test_allowlist_is_data() -> None:
    assert "0388863000" in official_numbers()


def _docx(path: Path, text: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml",
                   '<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>Report of the '
                   f'training</w:t></w:r></w:p><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
                   "</w:body></w:document>")
    return path


def _xlsx(path: Path, number: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/sharedStrings.xml", '<sst><si><t>Participant</t></si></sst>')
        z.writestr("xl/worksheets/sheet1.xml",
                   '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
                   f'<c r="B1"><v>{number}</v></c></row></sheetData></worksheet>')
    return path


def _pdf(path: Path, text: str) -> Path:
    """A real one-page PDF with text (offsets computed, so any reader accepts it)."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    path.write_bytes(bytes(out))
    return path


@pytest.mark.parametrize(("make", "found"), [
    (lambda p: _docx(p / "report.docx", "Victim IC 850101-14-5678"),
     "a MyKad number in file report.docx"),
    (lambda p: _xlsx(p / "list.xlsx", "850101145678"), "a MyKad number in file list.xlsx"),
    (lambda p: _pdf(p / "minutes.pdf", "Contact 012-345 6789"),
     "a phone number in file minutes.pdf"),
])
def test_text_inside_documents_is_checked(synced: Database, builtin_catalog: Catalog,
                                          tmp_path: Path, make: object, found: str) -> None:
    assert callable(make)
    path = make(tmp_path)
    before = snapshot(synced)
    service = EvidenceService(synced, builtin_catalog)
    with pytest.raises(EvidenceError, match=found):
        service.submit(Submission(occurrence_id="S11-O1-ii@deliverable", actor="nso",
                                  files=[str(path)]), today=TODAY)
    assert snapshot(synced) == before


def test_clean_documents_pass(synced: Database, builtin_catalog: Catalog,
                              tmp_path: Path) -> None:
    service = EvidenceService(synced, builtin_catalog)
    files = [_docx(tmp_path / "r.docx", "Hotline 03-8886 3000"),
             _xlsx(tmp_path / "t.xlsx", "42"), _pdf(tmp_path / "m.pdf", "Budget AB123456")]
    assert service.submit(Submission(occurrence_id="S11-O1-ii@deliverable", actor="nso",
                                     files=[str(f) for f in files]), today=TODAY) == 1


def test_notes_are_short(synced: Database, builtin_catalog: Catalog) -> None:
    service = EvidenceService(synced, builtin_catalog)
    with pytest.raises(EvidenceError, match="longer than 2,000 characters: keep it short"):
        service.submit(Submission(occurrence_id="S1-O1-i@2023", actor="a", values={"1": "1"},
                                  note="x" * 2001), today=TODAY)
