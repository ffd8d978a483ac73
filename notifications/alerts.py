"""Alerts: a failed or crashed run tells the secretariat, through the reminders' settings.

The message goes to every active contact with the ``secretariat`` role (their e-mail, and
their extra apprise URLs), by ``[mail]`` when it is set, else into the local outbox — the
same channels as reminders, so a silent failure is impossible. An alert is best-effort:
it never raises (the run has failed already); it returns what it could not deliver.
"""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from typing import Any

from naptip.contacts import ContactDirectory
from naptip.errors import NaptipError

from .outbox import outbox_dir
from .transport import OutboxTransport, SendError, SmtpTransport, send_apprise


def alert_failed_run(app: Any, text: str) -> list[str]:
    """Send ``text`` to the secretariat; returns the failures (empty when all went)."""
    problems: list[str] = []
    try:
        settings, db = app.settings, app.db
        people = [c for c in ContactDirectory(db).all()
                  if any(r.role == "secretariat" for r in c.roles)]
        transport: SmtpTransport | OutboxTransport
        if settings.mail is not None:
            transport = SmtpTransport.from_settings(settings.mail)
            sender = transport.sender
        else:
            transport, sender = OutboxTransport(outbox_dir(db)), "naptip@localhost.invalid"
    except (NaptipError, OSError) as exc:
        return [str(exc)]
    subject = f"[naptip] run failed: {' '.join(text.split())}"[:200]
    try:
        for person in people:
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = sender, person.email, subject
            msg["X-Naptip-Batch"] = f"alert-{uuid.uuid4().hex[:16]}"
            msg.set_content(f"{text}\n\nSee `naptip runs list` and the Prefect UI.\n")
            try:
                transport.send(msg, person.email)
            except SendError as exc:
                problems.append(f"{person.email}: {exc}")
            for url in person.urls:
                try:
                    send_apprise(url, title=subject, body=text)
                except (SendError, NaptipError) as exc:
                    problems.append(str(exc))
    finally:
        transport.close()
    if not people:
        problems.append("no secretariat contact to alert (naptip contacts add ... "
                        "--role secretariat:nso-mapo)")
    return problems
