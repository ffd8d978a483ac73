"""The e-mail of a digest, built by the stdlib ``email`` package (never by string joining).

Header values are set through ``EmailMessage``/``Address``, which refuse CR/LF; text that
comes from data (names, subjects) is also collapsed to one line first, so a hostile title
or name can neither inject a header nor break the send.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from naptip.notifications.digest import Digest
from naptip.time.clock import PLAN_TZ

_SPACE = re.compile(r"\s+")


def one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def build_message(digest: Digest, *, to_name: str, to_email: str, sender: str,
                  sender_name: str, batch: str, now: datetime | None = None) -> EmailMessage:
    msg = EmailMessage()
    local, _, domain = sender.partition("@")
    msg["From"] = Address(display_name=one_line(sender_name), username=local, domain=domain)
    to_local, _, to_domain = to_email.partition("@")
    msg["To"] = Address(display_name=one_line(to_name), username=to_local, domain=to_domain)
    msg["Subject"] = one_line(digest.subject)
    msg["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(PLAN_TZ))  # +0800
    msg["Message-ID"] = make_msgid(idstring=batch[:16], domain=domain or "naptip.invalid")
    msg["X-Naptip-Batch"] = batch
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(digest.text)
    msg.add_alternative(digest.html, subtype="html")
    return msg
