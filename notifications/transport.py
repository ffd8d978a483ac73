"""Where a message goes: an SMTP server (settings read from the apprise ``mailto://`` URL),
the outbox in the store, or another apprise channel (Telegram, Slack, Office 365...).

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
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from naptip.base.config import MailSettings
from naptip.base.errors import NaptipError
from naptip.base.secret_urls import ENV_REF, mask_url
from naptip.store.outbox import Outbox

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
    """The outbox in the store (``naptip outbox``), and a copy of each message as an .eml
    file when the outbox has a copy folder (NAPTIP_OUTBOX_DIR)."""

    outbox: Outbox

    def send(self, msg: EmailMessage, to_email: str) -> str:
        from sqlalchemy.exc import SQLAlchemyError

        from naptip.notifications.outbox import write

        try:
            ident = write(self.outbox.db, msg, to_email, copy_to=self.outbox.copy_to)
            return f"outbox {ident}"
        except SQLAlchemyError as exc:
            raise SendError(f"outbox: the store did not keep the message "
                            f"({type(exc).__name__})") from None
        except OSError as exc:  # the copy: the message is kept in the store already
            return f"outbox (no copy in {self.outbox.copy_to}: {exc.strerror})"

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
