"""Secrets in URLs: a password is written as ``${ENV_NAME}`` and read from the environment
at send time, never stored; a URL is shown with a literal password masked.

Shared by the contact directory's extra URLs and ``[mail] url`` in the settings file."""

from __future__ import annotations

import re

ENV_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")
USERINFO_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@:?#]*:([^@/?#]*)@", re.IGNORECASE)


def literal_password(url: str) -> bool:
    """True when the URL's user part carries a password that is not an ``${ENV}`` name."""
    found = USERINFO_PASSWORD.match(url.strip())
    return bool(found) and not ENV_REF.fullmatch(found.group(1))  # type: ignore[union-attr]


def mask_url(url: str) -> str:
    """A URL fit to show: a literal password becomes ``****``; ``${ENV}`` names stay."""
    def repl(m: re.Match[str]) -> str:
        secret = m.group(1)
        shown = secret if ENV_REF.fullmatch(secret) else "****"
        return m.group(0).replace(f":{secret}@", f":{shown}@")

    return USERINFO_PASSWORD.sub(repl, url, count=1)
