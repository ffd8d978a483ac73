"""Options and helpers shared by the commands that use the store."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
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
    name = " ".join((value or "").split())
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = os.environ.get("USER", "unknown")
    name = name[:120]
    from ..errors import NaptipError
    from ..personal_data import refusal, scan

    findings = scan(name, "the name given with --as")
    if findings:
        raise NaptipError(refusal(findings, "name refused"))
    return name
