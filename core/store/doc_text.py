"""The text inside attachments, for the personal-data guard: plain text, office documents
(.docx, .xlsx, .pptx, .odt, .ods: the XML inside the ZIP), PDF (pypdf), and the members
of a plain ZIP archive (each read as if attached on its own).

Bounded, so that a small upload cannot keep a request busy: a :class:`TextBudget` per
submission allows :data:`MAX_FILE_TEXT` bytes of text (decompressed XML included) from one
file, :data:`MAX_TEXT` from all the files of a submission, and :data:`FILE_SECONDS` to read
and check one file; an archive holds at most :data:`MAX_MEMBERS` members and no archive
inside it. Going over a bound refuses the submission with one line naming the file. A
damaged file (a bad CRC, a cut-off ZIP) is refused the same way: it cannot be checked.

Not scanned (stored, but the guard cannot read them; docs/evidence.md lists them):
images (PNG, JPEG, GIF), legacy Office files (.doc, .xls), PDFs that pypdf cannot parse,
and the same inside a ZIP.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from naptip.base.values import EvidenceError
from naptip.store.blobs import TEXT_TYPES, sniff

MAX_FILE_TEXT = 8 * 1024 * 1024  #: bytes of text read from one file (XML included)
MAX_TEXT = 16 * 1024 * 1024  #: bytes of text read from all the files of one submission
FILE_SECONDS = 5.0  #: seconds to read and check one file
MAX_MEMBERS = 1000  #: members of one ZIP archive
ZIP = "application/zip"
#: media types whose text the guard cannot read (stored unchecked)
UNSCANNED = {"image/png": "PNG image", "image/jpeg": "JPEG image", "image/gif": "GIF image",
             "application/x-ole-storage": "legacy Office file (.doc, .xls)"}
_OFFICE_PREFIXES = ("application/vnd.openxmlformats-officedocument.",
                    "application/vnd.oasis.opendocument.")
_BREAK = re.compile(r"</(?:w:p|a:p|text:p|text:h|row|si|c)>|<(?:w:br|w:tab|text:tab)\b[^>]*/?>")
_TAG = re.compile(r"<[^>]+>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}
_CHUNK = 256 * 1024
#: what reading a damaged ZIP raises (bad CRC, cut short, unknown compression)
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


@dataclass
class TextBudget:
    """What one submission may spend reading text. ``clock`` is for tests."""

    total: int = MAX_TEXT
    per_file: int = MAX_FILE_TEXT
    seconds: float = FILE_SECONDS
    clock: Callable[[], float] = time.monotonic
    used: int = 0
    name: str = ""
    file_used: int = field(default=0, init=False)
    deadline: float = field(default=0.0, init=False)

    def start(self, name: str) -> None:
        """A new file (its uploaded name) begins: its own byte count and time."""
        self.name, self.file_used = name, 0
        self.deadline = self.clock() + self.seconds

    def take(self, size: int) -> None:
        self.file_used += size
        self.used += size
        if self.file_used > self.per_file:
            raise EvidenceError(f"file {self.name!r} holds more than {_mb(self.per_file)} of "
                                "text: too much to check for personal data; split it into "
                                "smaller documents")
        if self.used > self.total:
            raise EvidenceError(f"file {self.name!r}: the files of one submission may hold "
                                f"at most {_mb(self.total)} of text to check for personal "
                                "data; submit fewer or smaller documents")
        self.tick()

    def tick(self) -> None:
        if self.clock() > self.deadline:
            raise EvidenceError(f"file {self.name!r} took longer than {self.seconds:g} s to "
                                "check for personal data; split it into smaller documents")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


@dataclass(frozen=True)
class FileText:
    where: str  #: "file report.docx", "file pack.zip: minutes/day1.txt"
    text: str


def extract_texts(path: Path, media_type: str, name: str, budget: TextBudget,
                  ) -> list[FileText]:
    """The texts the guard checks in one file (named ``name``, as uploaded): none for
    images, one for a document, one per readable member (and one with the members' names)
    for a ZIP archive. EvidenceError, one line, when the file is damaged or too large."""
    with path.open("rb") as handle:
        return _texts(handle, media_type, name, f"file {name}", budget, nested=False)


def _texts(handle: IO[bytes], media_type: str, name: str, where: str, budget: TextBudget,
           *, nested: bool) -> list[FileText]:
    if media_type in TEXT_TYPES:
        return [FileText(where, _read(handle, budget).decode("utf-8", errors="replace"))]
    if media_type.startswith(_OFFICE_PREFIXES):
        return [FileText(where, _office_text(handle, name, budget))]
    if media_type == "application/pdf":
        text = _pdf_text(handle, name, budget)
        return [] if text is None else [FileText(where, text)]
    if media_type == ZIP:
        if nested:
            raise EvidenceError(f"file {name!r} is an archive inside an archive: its "
                                "contents cannot be checked for personal data; attach the "
                                "documents themselves")
        return _archive_texts(handle, name, budget)
    return []


def _read(handle: IO[bytes], budget: TextBudget) -> bytes:
    out = bytearray()
    while chunk := handle.read(_CHUNK):
        budget.take(len(chunk))
        out += chunk
    return bytes(out)


@contextmanager
def _readable(name: str, what: str) -> Iterator[None]:
    try:
        yield
    except _DAMAGED:
        raise EvidenceError(f"file {name!r} is damaged: it is not a readable {what}, so it "
                            "cannot be checked for personal data; save it again and attach "
                            "the new copy") from None


def _members(archive: zipfile.ZipFile, name: str) -> list[zipfile.ZipInfo]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise EvidenceError(f"file {name!r} holds {len(infos):,} files; at most "
                            f"{MAX_MEMBERS:,} can be checked for personal data")
    for info in infos:
        if info.flag_bits & 0x1:
            raise EvidenceError(f"file {name!r} is encrypted ({info.filename!r}): its text "
                                "cannot be checked for personal data; attach it unencrypted")
    return infos


def _office_text(handle: IO[bytes], name: str, budget: TextBudget) -> str:
    parts: list[str] = []
    with _readable(name, "office document"), zipfile.ZipFile(handle) as archive:
        for info in _members(archive, name):
            if not info.filename.endswith(".xml") or info.filename.startswith("[Content"):
                continue
            with archive.open(info) as member:
                xml = _read(member, budget).decode("utf-8", errors="replace")
            parts.append(_xml_text(xml))
            budget.tick()
    return "\n".join(parts)


def _archive_texts(handle: IO[bytes], name: str, budget: TextBudget) -> list[FileText]:
    out: list[FileText] = []
    with _readable(name, "ZIP archive"), zipfile.ZipFile(handle) as archive:
        infos = _members(archive, name)
        out.append(FileText(f"a file name in {name}", "\n".join(i.filename for i in infos)))
        for info in infos:
            if _finder_metadata(info.filename):
                continue
            member = f"{name}: {info.filename}"
            with archive.open(info) as stream:
                head = stream.read(8192)
            media = sniff(head, member)
            if media in UNSCANNED:
                continue
            with archive.open(info) as stream:
                data = _read(stream, budget) if media != ZIP else head
            out += _texts(io.BytesIO(data), media, member, f"file {member}", budget,
                          nested=True)
    return out


def _finder_metadata(member: str) -> bool:
    """What macOS adds to the archives it makes (``__MACOSX/._report.docx`` copies of
    file attributes, ``.DS_Store``): not the person's files, and not of a readable type."""
    return member.startswith("__MACOSX/") or member.rsplit("/", 1)[-1] == ".DS_Store"


def _xml_text(xml: str) -> str:
    text = _TAG.sub(" ", _BREAK.sub("\n", xml))
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _pdf_text(handle: IO[bytes], name: str, budget: TextBudget) -> str | None:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(handle)
        if reader.is_encrypted:
            raise EvidenceError(f"file {name!r} is an encrypted PDF: its text cannot be "
                                "checked for personal data; attach it unencrypted")
        pages: list[str] = []
        for page in reader.pages:
            text = page.extract_text() or ""
            budget.take(len(text.encode("utf-8")))
            pages.append(text)
        return "\n".join(pages)
    except EvidenceError:
        raise
    except Exception:
        return None  # not a PDF pypdf can read: stored, but not checked
