"""The text inside an attachment, for the personal-data guard: plain text, office documents
(.docx, .xlsx, .pptx, .odt, .ods: the XML inside the ZIP) and PDF (pypdf).

Bounded: at most :data:`MAX_TEXT` bytes of XML are read from an office document (a ZIP bomb
cannot exhaust memory). A PDF that cannot be parsed yields no text (it is still stored:
the guard cannot read it, which docs/evidence.md says).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .blobs import TEXT_TYPES
from .values import EvidenceError

MAX_TEXT = 50 * 1024 * 1024  #: bytes of XML read from one office document
_OFFICE_PREFIXES = ("application/vnd.openxmlformats-officedocument.",
                    "application/vnd.oasis.opendocument.")
_BREAK = re.compile(r"</(?:w:p|a:p|text:p|text:h|row|si|c)>|<(?:w:br|w:tab|text:tab)\b[^>]*/?>")
_TAG = re.compile(r"<[^>]+>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}


def extract_text(path: Path, media_type: str) -> str | None:
    """The text of the file, or None when it has none the guard can read (images)."""
    if media_type in TEXT_TYPES:
        return path.read_bytes().decode("utf-8", errors="replace")
    if media_type.startswith(_OFFICE_PREFIXES):
        return _office_text(path)
    if media_type == "application/pdf":
        return _pdf_text(path)
    return None


def _office_text(path: Path) -> str:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise EvidenceError(f"file {path.name!r} is not a readable office document") from None
    parts: list[str] = []
    budget = MAX_TEXT
    with archive:
        for info in archive.infolist():
            if not info.filename.endswith(".xml") or info.filename.startswith("[Content"):
                continue
            if info.file_size > budget:
                raise EvidenceError(f"file {path.name!r}: its text is too large to check for "
                                    "personal data")
            budget -= info.file_size
            xml = archive.read(info).decode("utf-8", errors="replace")
            parts.append(_xml_text(xml))
    return "\n".join(parts)


def _xml_text(xml: str) -> str:
    text = _TAG.sub(" ", _BREAK.sub("\n", xml))
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _pdf_text(path: Path) -> str | None:
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise EvidenceError(f"file {path.name!r} is an encrypted PDF: its text cannot be "
                                "checked for personal data; attach it unencrypted")
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except EvidenceError:
        raise
    except Exception:
        return None  # not a PDF pypdf can read: stored, but not checked
