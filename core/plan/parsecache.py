"""Parsed plan data, cached in the user's cache folder by the text it was parsed from.

Parsing the plan's TOML (the structure and the seven built-in plugins' data files) took
about a quarter of ``naptip plan show`` (issue 18). What a parse makes (frozen model
objects) is kept as a pickle under ``platformdirs.user_cache_path("naptip")/parsed``,
named by a SHA-256 of the text, its source, naptip's version and the size and time of the
modules that define the objects: a changed file, a new naptip or an edited model is a new
key, never a stale result. The cache is only an accelerator: a file that cannot be read,
unpickled or is not what was parsed is ignored and written again; a folder that cannot
be written is skipped silently. Only successful parses are kept (errors are raised anew
each time). ``NAPTIP_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: bump when what is cached changes shape in a way the module stamps below do not see
FORMAT = 1
#: the modules whose code decides what a parse makes (naptip.base.model,
#: naptip.plan.plandata, naptip.plan.datafiles.datafile and this one), found beside this
#: file whether they are imported yet or not
_HERE = Path(__file__).resolve().parent
_MODULES = (_HERE.parent / "base" / "model.py", _HERE / "plandata.py",
            _HERE / "datafiles" / "datafile.py", _HERE / "parsecache.py")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("naptip") / "parsed"


def cached(text: str, source: str, parse: Callable[[], T], kind: type[T]) -> T:
    """``parse()``'s result for ``text`` (read from ``source``), from the cache when it
    holds one of type ``kind`` for exactly this text and code; else parsed and stored."""
    if os.environ.get("NAPTIP_NO_CACHE"):
        return parse()
    key = hashlib.sha256("\0".join((str(FORMAT), _code_stamp(), kind.__qualname__, source,
                                    text)).encode("utf-8", "surrogatepass")).hexdigest()
    name = _UNSAFE.sub("_", source).strip("_")[-80:] or "data"
    folder = cache_dir()
    path = folder / f"{name}-{key[:32]}.pickle"
    try:
        value = pickle.loads(path.read_bytes())
    except Exception:  # missing, unreadable, truncated, from another Python: parse again
        value = None
    if isinstance(value, kind):
        return value
    value = parse()
    _store(folder, path, name, value)
    return value


def _code_stamp() -> str:
    # naptip's version as the package computed it on import (importing it from here
    # would make a circle), and the size and time of each module that shapes the result
    parts = [str(getattr(sys.modules.get("naptip"), "__version__", ""))]
    for file in _MODULES:
        try:
            stat = file.stat()
        except OSError:
            parts.append(file.name)
            continue
        parts.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def _store(folder: Path, path: Path, name: str, value: object) -> None:
    """Write atomically (a temporary file renamed), then drop this source's older
    entries, so that the folder holds one entry per data file."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        for old in folder.glob(f"{name}-*.pickle"):  # name has no wildcard characters
            if old != path and len(old.stem) == len(name) + 33:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a read-only or full disk, an unpicklable value: run without the cache

