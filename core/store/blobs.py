"""Attachments, stored by the SHA-256 of their content.

An uploaded file's name is never used as a path: the blob is ``blobs/ab/cdef...`` and the
name is kept as metadata only. A blob is written (to a temporary file, flushed, then
renamed) before the rows that refer to it are committed, so a crash can leave an
unreferenced blob but never a row without its blob; ``naptip db sweep`` removes orphans.

Submissions and the sweep coordinate through a lock file beside the blob folder: a
submission holds it shared from its first byte until its rows are committed, the sweep
holds it exclusively, so a sweep never removes a blob a submission is about to refer to.
Temporary files are named after their host and process: the sweep (and the next
submission) removes those of processes that died, whatever their age.
"""

from __future__ import annotations

import hashlib
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from naptip.base.values import EvidenceError

DEFAULT_MAX_BYTES = 25 * 1024 * 1024  #: the default of [evidence] max_file_mb
_CHUNK = 1024 * 1024

#: media types accepted as evidence, by their first bytes
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # also .docx, .xlsx, .pptx, .odt
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # .doc, .xls
)
_OFFICE = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           ".odt": "application/vnd.oasis.opendocument.text",
           ".ods": "application/vnd.oasis.opendocument.spreadsheet"}
_REFUSED = ((b"MZ", "a Windows program"), (b"\x7fELF", "a Linux program"),
            (b"#!", "a script"))
TEXT_TYPES = {"text/plain", "text/csv", "text/markdown"}


def sniff(head: bytes, name: str) -> str:
    """The media type of a file from its first bytes; refuse programs and unknown binaries."""
    for magic, what in _REFUSED:
        if head.startswith(magic):
            raise EvidenceError(f"file {name!r}: looks like {what}; only documents, images "
                                "and text are accepted")
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            if media_type == "application/zip":
                return _OFFICE.get(Path(name).suffix.lower(), media_type)
            return media_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the sample's end
            raise EvidenceError(f"file {name!r}: type not recognised; accepted: PDF, images, "
                                "office documents, ZIP and UTF-8 text") from None
    suffix = Path(name).suffix.lower()
    return {".csv": "text/csv", ".md": "text/markdown"}.get(suffix, "text/plain")


def check_name(name: str) -> str:
    """An original file name as metadata: a plain name, never a path."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise EvidenceError(f"file name {name!r} is not a plain file name")
    if any(ord(ch) < 32 for ch in name) or len(name) > 255:
        raise EvidenceError("file name has control characters or is longer than 255")
    return name


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str
    original_name: str
    text: str | None  #: the content, for text files (to be checked for personal data)


class BlobStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:]

    def check_path(self, given: str, name: str | None = None) -> Path:
        """A local file named on the command line: a regular file, reached without '..'.
        ``name``: the file's name for messages (an upload's own name, not its temporary
        part's)."""
        path = Path(given)
        shown = name or path.name
        if ".." in path.parts:
            raise EvidenceError(f"file {given!r}: '..' is not allowed in file paths; name the "
                                "file directly")
        if not path.is_file():
            raise EvidenceError(f"file {given!r} does not exist or is not a regular file")
        size = path.stat().st_size
        if size > self.max_bytes:
            raise EvidenceError(f"file {shown!r} is {size / 1024 / 1024:.0f} MB; the limit "
                                f"is {self.max_bytes / 1024 / 1024:.0f} MB")
        if size == 0:
            raise EvidenceError(f"file {shown!r} is empty")
        return path

    @contextmanager
    def _lock(self, exclusive: bool) -> Iterator[None]:
        import fcntl

        self.root.parent.mkdir(parents=True, exist_ok=True)
        with self.root.with_name(self.root.name + ".lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def writing(self) -> AbstractContextManager[None]:
        """Hold this from the first blob written until the rows referring to it commit."""
        return self._lock(exclusive=False)

    def put(self, path: Path, original_name: str) -> StoredBlob:
        """Copy a file in by content; identical content is stored once."""
        name = check_name(original_name)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        self._remove_dead_temporaries()
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp = tempfile.mkstemp(dir=self.root / "tmp", prefix=f"{_HOST}-{os.getpid()}-")
        try:
            with os.fdopen(fd, "wb") as out, path.open("rb") as source:
                while chunk := source.read(_CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise EvidenceError(f"file {name!r} is larger than the limit of "
                                            f"{self.max_bytes / 1024 / 1024:.0f} MB")
                    if len(head) < 8192:
                        head += chunk[: 8192 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            media_type = sniff(head, name)
            sha = digest.hexdigest()
            final = self.path_of(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                os.unlink(tmp)
            else:
                os.replace(tmp, final)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return StoredBlob(sha256=sha, size=size, media_type=media_type, original_name=name,
                          text=None)

    def export(self, sha256: str, dest: Path) -> int:
        """Copy a blob out to ``dest``, checking its bytes against ``sha256`` on the way:
        a changed or missing blob writes nothing. Returns the size."""
        source = self.path_of(sha256)
        if dest.exists():
            raise EvidenceError(f"{dest} already exists: choose another path (-o)")
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.")
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as blob:
                while chunk := blob.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                raise EvidenceError(f"the stored file {source} no longer matches its SHA-256 "
                                    "(changed on disk): nothing written; run `naptip audit "
                                    "verify`")
            os.replace(tmp, dest)
        except FileNotFoundError:
            raise EvidenceError(f"the stored file {source} is missing: nothing written; run "
                                "`naptip audit verify`") from None
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return size

    def _remove_dead_temporaries(self) -> list[str]:
        removed = []
        folder = self.root / "tmp"
        for tmp in sorted(folder.iterdir()) if folder.exists() else []:
            if _owner_alive(tmp.name) is False:
                with _ignore_missing():
                    tmp.unlink()
                    removed.append(f"tmp/{tmp.name}")
        return removed

    def sweep(self, referenced: set[str] | Callable[[], set[str]],
              grace_seconds: float) -> list[str]:
        """Remove blobs no row refers to older than the grace, and temporary files of dead
        processes (or, from other hosts, older than the grace). ``referenced`` may be a
        function: it is then read under the lock, after in-flight submissions commit."""
        removed: list[str] = []
        if not self.root.exists():
            return removed
        with self._lock(exclusive=True):
            known = referenced() if callable(referenced) else referenced
            removed += self._remove_dead_temporaries()
            cutoff = time.time() - grace_seconds
            for folder in sorted(self.root.iterdir()):
                if not folder.is_dir():
                    continue
                for blob in sorted(folder.iterdir()):
                    is_tmp = folder.name == "tmp"
                    if is_tmp and _owner_alive(blob.name):
                        continue
                    sha = blob.name if is_tmp else folder.name + blob.name
                    with _ignore_missing():
                        stale = blob.stat().st_mtime < cutoff
                        if stale and (is_tmp or sha not in known):
                            blob.unlink()
                            removed.append(sha if not is_tmp else f"tmp/{blob.name}")
        return removed


_HOST = socket.gethostname().replace("-", "_")[:40] or "host"


def _owner_alive(tmp_name: str) -> bool | None:
    """Whether the process that writes this temporary file runs (None: unknown, another
    host or an old name)."""
    host, _, rest = tmp_name.partition("-")
    pid_text = rest.partition("-")[0]
    if host != _HOST or not pid_text.isdigit():
        return None
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ignore_missing() -> AbstractContextManager[None]:
    """A file another process removed first is not an error."""
    return suppress(FileNotFoundError)
