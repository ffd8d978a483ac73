"""A multipart form read as it streams in, files written to a private temporary folder.

Limits are enforced while the body arrives, before it is all read: a file over the
evidence size limit, too many files or fields, or too large a body stops the reading at
once (``TooLarge``), and the caller removes the folder: nothing is kept. Uploaded names
are kept as text only; each file is stored under a number (``0``, ``1``...).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_FILES = 10
MAX_FIELDS = 200
MAX_FIELD_BYTES = 64 * 1024


#: how browsers (HTML's multipart/form-data encoding) and httpx escape a file name's
#: quote and line breaks inside the Content-Disposition header
_ESCAPED = {"%22": '"', "%0D": "\r", "%0A": "\n"}
_ESCAPE = re.compile("|".join(_ESCAPED), re.IGNORECASE)


def browser_name(sent: str) -> str:
    """An uploaded file's name as the person named it: ``report "final".txt`` arrives as
    ``report %22final%22.txt``. (Line breaks come back as such and are refused later.)"""
    return _ESCAPE.sub(lambda m: _ESCAPED[m.group(0).upper()], sent)


class TooLarge(Exception):
    """The body went over a limit while it was being read."""


class BadForm(Exception):
    """The body is not a well-formed multipart form."""


@dataclass
class Upload:
    path: Path
    name: str
    size: int = 0


@dataclass
class Form:
    folder: Path
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class _Reader:
    def __init__(self, form: Form, max_file_bytes: int) -> None:
        self.form = form
        self.max_file_bytes = max_file_bytes
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.name = ""
        self.data = bytearray()
        self.upload: Upload | None = None
        self.handle: IO[bytes] | None = None

    def on_part_begin(self) -> None:
        self.disposition, self.data, self.upload, self.handle = b"", bytearray(), None, None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _kind, options = parse_options_header(self.disposition)
        if b"name" not in options:
            raise BadForm("a form part has no name")
        self.name = options[b"name"].decode("utf-8", errors="replace")
        if b"filename" in options:
            filename = browser_name(options[b"filename"].decode("utf-8", errors="replace"))
            if not filename:  # an empty file input
                return
            if len(self.form.files) >= MAX_FILES:
                raise TooLarge(f"at most {MAX_FILES} files at once")
            path = self.form.folder / str(len(self.form.files))
            self.upload = Upload(path=path, name=filename)
            self.handle = path.open("wb")
            self.form.files.append(self.upload)
        elif sum(len(v) for v in self.form.fields.values()) >= MAX_FIELDS:
            raise TooLarge("too many form fields")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.upload is not None and self.handle is not None:
            self.upload.size += len(chunk)
            if self.upload.size > self.max_file_bytes:
                raise TooLarge(f"file {self.upload.name!r} is larger than the limit of "
                               f"{self.max_file_bytes / 1024 / 1024:.0f} MB")
            self.handle.write(chunk)
        elif self.upload is None and self.disposition:
            if len(self.data) + len(chunk) > MAX_FIELD_BYTES:
                raise TooLarge(f"field {self.name!r} is too long")
            self.data.extend(chunk)

    def on_part_end(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None
        elif self.upload is None:
            text = self.data.decode("utf-8", errors="replace")
            self.form.fields.setdefault(self.name, []).append(text)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


async def read_form(content_type: str, stream: AsyncIterator[bytes], *, max_file_bytes: int,
                    ) -> Form:
    """Read a multipart body; on any error the temporary folder is already gone."""
    _kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not content_type.lower().startswith("multipart/form-data") or not boundary:
        raise BadForm("the form must be sent as multipart/form-data")
    form = Form(folder=Path(tempfile.mkdtemp(prefix="naptip-upload-")))
    reader = _Reader(form, max_file_bytes)
    parser = MultipartParser(boundary, {
        "on_part_begin": reader.on_part_begin, "on_part_data": reader.on_part_data,
        "on_part_end": reader.on_part_end, "on_header_field": reader.on_header_field,
        "on_header_value": reader.on_header_value, "on_header_end": reader.on_header_end,
        "on_headers_finished": reader.on_headers_finished})
    try:
        async for chunk in stream:
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        reader.close()
        form.cleanup()
        raise BadForm(f"the form could not be read: {exc}") from None
    except BaseException:
        reader.close()
        form.cleanup()
        raise
    return form
