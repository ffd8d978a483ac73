"""Where a message goes: an SMTP server (settings read from the apprise ``mailto://`` URL),
the local outbox of .eml files, or another apprise channel (Telegram, Slack, Office 365...).

E-mail is sent with ``smtplib`` over one connection per run, one message per recipient, so
each recipient has its own result (apprise reports a single refused recipient as a failure
of the whole batch, and cannot send a real calendar invitation). apprise parses and
validates the URL, and delivers the non-mail channels.
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

from naptip.config import MailSettings
from naptip.errors import NaptipError
from naptip.secret_urls import ENV_REF, mask_url

_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SMTP_TIMEOUT = 20


class SendError(Exception):
    """One message was not delivered; the text says why (no secrets in it)."""


def expand(url: str, environ: Mapping[str, str] | None = None) -> str:
    """The URL with each ``${NAME}`` replaced from the environment (never stored/logged)."""
    env = os.environ if environ is None else environ
    missing = [m for m in _NAME.findall(url) if m not in env]
    if missing:
        raise NaptipError(f"URL {mask_url(url)!r}: environment variable {missing[0]} is not "
                          "set")
    return ENV_REF.sub(lambda m: env[m.group(0)[2:-1]], url)


def parse_url(url: str, environ: Mapping[str, str] | None = None) -> Any:
    """apprise's plugin object for the URL, or a one-line error (URL masked)."""
    import apprise

    instance = apprise.Apprise.instantiate(expand(url, environ))
    if instance is None:
        raise NaptipError(f"URL {mask_url(url)!r} is not a URL apprise understands")
    return instance


def with_sender(url: str, sender: str | None) -> str:
    """The ``[mail] url`` with ``from`` (its own key) as the URL's ``from=`` when the URL
    has none: apprise refuses a mailto:// URL it cannot derive a sender from (an IP
    address, no user), though the sender is set."""
    if not sender:
        return url
    base, _, query = url.partition("?")
    if any(part.split("=", 1)[0].lower() == "from" for part in query.split("&")):
        return url
    extra = f"from={quote(sender, safe='@')}"
    return f"{base}?{query}&{extra}" if query else f"{base}?{extra}"


@dataclass
class SmtpTransport:
    """E-mail through the SMTP server of ``[mail] url``; one connection, reused."""

    host: str
    port: int
    mode: str  #: insecure, starttls or ssl
    user: str | None
    password: str | None
    sender: str
    sender_name: str
    _conn: smtplib.SMTP | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, mail: MailSettings, environ: Mapping[str, str] | None = None,
                      ) -> SmtpTransport:
        email = parse_url(with_sender(mail.url, mail.sender), environ)
        mode = str(getattr(email, "secure_mode", "insecure") or "insecure")
        port = email.port or {"ssl": 465, "starttls": 587}.get(mode, 25)
        from_addr = getattr(email, "from_addr", None)
        sender = mail.sender or (from_addr[1] if from_addr else None)
        if not sender or "@" not in sender:
            raise NaptipError("[mail]: no sender address: set `from` (or from= in the URL)")
        return cls(host=email.smtp_host or email.host, port=int(port), mode=mode,
                   user=email.user, password=email.password, sender=sender,
                   sender_name=mail.sender_name)

    def describe(self) -> str:
        return f"smtp://{self.host}:{self.port} ({self.mode})"

    def _connect(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if self.mode == "ssl":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
            if self.mode == "starttls":
                conn.starttls(context=context)
        if self.user and self.password:
            conn.login(self.user, self.password)
        self._conn = conn
        return conn

    def send(self, msg: EmailMessage, to_email: str) -> str:
        try:
            conn = self._connect()
            conn.send_message(msg, from_addr=self.sender, to_addrs=[to_email])
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            code, text = next(iter(exc.recipients.values()))
            raise SendError(f"{code} {_text(text)}") from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise SendError(f"{exc.smtp_code} {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise SendError(f"{self.describe()}: {type(exc).__name__}: {exc}") from None
        return self.describe()

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


@dataclass
class OutboxTransport:
    """The local outbox: each message an .eml file, written whole or not at all."""

    folder: Path

    def send(self, msg: EmailMessage, to_email: str) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"{stamp}-{msg['X-Naptip-Batch']}.eml"
        tmp = self.folder / f".{name}.tmp"
        try:
            tmp.write_bytes(msg.as_bytes())
            os.replace(tmp, self.folder / name)
        except OSError as exc:
            raise SendError(f"outbox {self.folder}: {exc.strerror}") from None
        return str(self.folder / name)

    def close(self) -> None:
        return None


def send_apprise(url: str, *, title: str, body: str,
                 environ: Mapping[str, str] | None = None) -> str:
    """Send a digest's text to one non-mail apprise channel."""
    import apprise

    instance = parse_url(url, environ)
    client = apprise.Apprise()
    client.add(instance)
    if not client.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT):
        raise SendError(f"{mask_url(url)}: apprise reported a failure")
    return mask_url(url)
