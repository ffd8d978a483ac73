"""Options and helpers shared by the commands that use the store."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def actor_option(f: F) -> F:
    """``--as NAME``: who does this (recorded in the audit log)."""
    return click.option(
        "--as", "actor", metavar="NAME", envvar="NAPTIP_USER",
        help="Who is doing this, for the record [env: NAPTIP_USER; default: your login].",
    )(f)


def actor_name(value: str | None) -> str:
    """The name given with ``--as`` (or NAPTIP_USER), else the login name; an empty or
    blank ``--as`` is refused, never taken for the login (it was meant as someone)."""
    from naptip.base.errors import NaptipError

    name = " ".join((value or "").split())
    if value is not None and not name:
        raise NaptipError(f"--as {value!r}: an empty name; give who is doing this (a "
                          "contact's name or e-mail), or leave --as out for your login")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = os.environ.get("USER", "unknown")
    name = name[:120]
    from naptip.store.personal_data import refusal, scan

    findings = scan(name, "the name given with --as")
    if findings:
        raise NaptipError(refusal(findings, "name refused"))
    return name


class OutputFile(click.ParamType):  # type: ignore[type-arg]
    """``-o FILE`` checked when the command line is read, before any work (a report, a
    browser) runs: the folder must exist and be writable, the path must not be a folder.
    A bad one is one line ("Error: ..."), no usage text. Every ``-o`` uses this type."""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Path:
        from naptip.base.text import echo_cut

        path = Path(value)
        shown = echo_cut(str(value))
        if path.is_dir():
            raise click.ClickException(f"-o {shown}: is a folder; name a file in it")
        folder = path.parent
        if not folder.exists():
            raise click.ClickException(f"-o {shown}: the folder {echo_cut(str(folder))} does "
                                       "not exist (create it first; nothing was done)")
        if not folder.is_dir():
            raise click.ClickException(f"-o {shown}: {echo_cut(str(folder))} is not a folder "
                                       "(nothing was done)")
        if not os.access(folder, os.W_OK | os.X_OK) or (
                path.exists() and not os.access(path, os.W_OK)):
            raise click.ClickException(f"-o {shown}: cannot write there (permission denied; "
                                       "nothing was done)")
        return path


OUTPUT_FILE = OutputFile()


def write_output(path: Path, content: bytes | Callable[[Path], None]) -> None:
    """Write ``-o PATH``: the bytes, or by calling ``content(path)`` (a workbook saved).
    What the checks of :class:`OutputFile` cannot see (``/proc``, a full disk, root's
    permissions that a folder's mode does not show) is one line: "cannot write PATH:
    permission denied", never a traceback."""
    from naptip.base.errors import NaptipError
    from naptip.base.text import echo_cut

    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content(path)
    except OSError as exc:
        why = (exc.strerror or type(exc).__name__).lower()
        raise NaptipError(f"cannot write {echo_cut(str(path))}: {why}") from None
